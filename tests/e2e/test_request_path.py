"""What a command costs on the request path: the guard's replay check (one statement of its
own, before bolt parses), then one transaction with a small fixed number of statements,
whatever the team already holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.slack.app import Salesbot
from tests.e2e.conftest import Say

# Measured (SQLite and PostgreSQL alike). A change that adds a statement to every add should be
# a deliberate one. An add: the caller (with their team and workspace), a look for an open deal
# of the same customer (the duplicate guard, one query whatever the owner holds), the deal's
# number (an upsert of the workspace's counter row), the deal and its history. A list: the
# caller, the deals. The stages and the team's deal fields (`industry:retail` is read as one of
# them) are the process's, kept while the workspace's settings_version stands
# (bot.services.memo.kept): once the rep has spoken, neither is read again.
ADD_STATEMENTS = 5
LIST_STATEMENTS = 2


@dataclass
class Cost:
    transactions: int = 0
    all_statements: list[str] = field(default_factory=list)

    @property
    def guard(self) -> list[str]:
        """The guard's statements: recording the request's signature."""
        return [s for s in self.all_statements if "seen_request" in s]

    @property
    def statements(self) -> list[str]:
        """The command's own statements."""
        return [s for s in self.all_statements if "seen_request" not in s]

    @property
    def command_transactions(self) -> int:
        """Transactions besides the guard's."""
        return self.transactions - (1 if self.guard else 0)


@contextmanager
def cost_of(engine: Engine) -> Iterator[Cost]:
    cost = Cost()

    def begin(_conn: object) -> None:
        cost.transactions += 1

    def statement(_conn: object, _cursor: object, sql: str, *_: Any) -> None:
        if not sql.startswith("BEGIN"):
            cost.all_statements.append(sql)

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield cost
    finally:
        event.remove(engine, "begin", begin)
        event.remove(engine, "before_cursor_execute", statement)


@pytest.fixture
def quiet(app: Salesbot, team: None, say: Say) -> Salesbot:
    """A team whose rep has spoken once (known, with a fresh profile); no sender running, so
    every statement counted is the request's own."""
    assert "Added" in say("/deal", "add Warmup 1k", user="U2").text
    app.runtime.sender.stop()
    return app


@pytest.mark.parametrize("deals", [1, 30])
def test_deal_add_is_one_transaction(quiet: Salesbot, engine: Engine, say: Say, deals: int) -> None:
    for n in range(deals):
        say("/deal", f"add Filler{n} {n + 1}k", user="U2")

    with cost_of(engine) as cost:
        reply = say("/deal", "add Acme 12k proposal", user="U2")
        quiet.listeners.shutdown(wait=True)

    assert "Added" in reply.text
    assert len(cost.guard) == 1 and cost.command_transactions == 1
    assert len(cost.statements) <= ADD_STATEMENTS, "\n".join(cost.statements)


@pytest.mark.parametrize("deals", [1, 30])
def test_deal_list_is_one_transaction(
    quiet: Salesbot, engine: Engine, say: Say, deals: int
) -> None:
    for n in range(deals):
        say("/deal", f"add Filler{n} {n + 1}k", user="U2")

    with cost_of(engine) as cost:
        reply = say("/deal", "list", user="U2")
        quiet.listeners.shutdown(wait=True)

    assert reply.status == 200 and "Filler0" in str(reply.json)
    assert len(cost.guard) == 1 and cost.command_transactions == 1
    assert len(cost.statements) <= LIST_STATEMENTS, "\n".join(cost.statements)


def test_a_refused_add_is_one_read_and_owes_nothing(
    quiet: Salesbot, engine: Engine, say: Say
) -> None:
    with cost_of(engine) as cost:
        reply = say("/deal", "add", user="U2")
        quiet.listeners.shutdown(wait=True)

    assert reply.json["response_type"] == "ephemeral" and "/deal add" in reply.text
    assert len(cost.guard) == 1 and cost.command_transactions == 1
    assert not [s for s in cost.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
