"""The number of SQL statements a query makes does not grow with the team or its deals.

On PostgreSQL every statement is a network round trip, so a look-up repeated per member, per
target or per deal (an N+1) is what makes a report slow at scale, long before any index does.
Each query here runs on a small team and on a team four times its size with ten times the
deals; the statement counts must be equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from bench.common import NOW
from bench.queries import QUERIES
from bench.seed import seed_deals, seed_events, seed_org
from bot.db import make_session_factory
from bot.services.standups import day_summary
from models import Member, SalesTeam, StandupDay
from tests.conftest import empty_database

SMALL, BIG = (3, 150), (12, 1500)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for(
    engine: Engine, query: Callable[[Session, SalesTeam, Member], object], size: tuple[int, int]
) -> list[str]:
    members, deals = size
    empty_database(engine)
    org = seed_org(engine, teams=1, per_team=members, prompt_days=7)
    seed_deals(engine, org, deals, history_days=120)
    seed_events(engine)
    with make_session_factory(engine)() as session:
        team = session.scalars(select(SalesTeam)).one()
        member = session.get(Member, org.member_ids[1])
        assert member is not None
        with counting(engine) as statements:
            query(session, team, member)
    return statements


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_statement_count_does_not_grow_with_the_team(engine: Engine, name: str) -> None:
    query = QUERIES[name]
    small = statements_for(engine, query, SMALL)
    big = statements_for(engine, query, BIG)
    assert len(big) == len(small), "\n".join(big)


def test_a_days_summary_reads_the_team_once_not_each_member(engine: Engine) -> None:
    """The stand-up day message shows every member's streak: read for the team in one
    statement, not one per member (a check-in redraws it)."""

    def summary_statements(members: int) -> list[str]:
        empty_database(engine)
        seed_org(engine, teams=1, per_team=members, prompt_days=7)
        with make_session_factory(engine)() as session:
            team = session.scalars(select(SalesTeam)).one()
            day = StandupDay(
                workspace_id=team.workspace_id,
                team_id=team.id,
                local_date=NOW.date(),
                channel_id=team.channel_id,
                created_at=NOW,
            )
            session.add(day)
            session.flush()
            with counting(engine) as statements:
                summary = day_summary(session, team, day)
            assert len(summary.entries) == members
            assert any(entry.streak for entry in summary.entries)
        return statements

    small, big = summary_statements(3), summary_statements(12)
    assert len(big) == len(small), "\n".join(big)
