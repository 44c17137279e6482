"""Forgiving /deal (issue 16): a typo gets the closest command or stage, a bad number or amount
is named, `reopen` finds closed deals by name, an ambiguous name is answered with the command
typed, and help covers every subcommand in both languages. Signed HTTP, checked in the DB."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from models import Deal
from tests.e2e.conftest import Say
from tests.e2e.test_deal_commands import deal, seeded, snapshot

__all__ = ["seeded"]

pytestmark = pytest.mark.usefixtures("team")


# (command, words the refusal must contain): nothing may be written.
REFUSED: list[tuple[str, str]] = [
    ("ad Acme 5k", "Did you mean `add`?"),
    ("lsit", "Did you mean `list`?"),
    ("shwo #1", "Did you mean `show`?"),
    ("reopn #1", "Did you mean `reopen`?"),
    ("reprot", "Did you mean `report`?"),
    ("exprot", "Did you mean `export`?"),
    ("leaderbord", "Did you mean `leaderboard`?"),
    ("添交 Acme 5k", "I don't know the command “添交”."),
    ("add Foo 5k proposl", "Did you mean `proposal`?"),
    ("#1 stage negotation", "Did you mean `negotiation`?"),
    ("help reprot", "Did you mean `/deal help report`?"),
    ("#0", "There is no deal #0: deal numbers start at #1."),
    ("#0 stage lead", "deal numbers start at #1"),
    ("won #0", "deal numbers start at #1"),
    ("won #1 abc", "“abc” is not an amount"),
    ("won #1 lots of money", "“lots of money” is not an amount"),
    ("reopen 华为", "I found no closed deal of yours for “华为”."),
]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(("text", "words"), REFUSED)
def test_typos_and_bad_values_are_named(
    say: Say, sessions: sessionmaker[Session], text: str, words: str
) -> None:
    before = snapshot(sessions)
    reply = say("/deal", text)
    assert reply.json["response_type"] == "ephemeral"
    assert ":warning:" in reply.text
    assert words in reply.text, reply.text
    assert snapshot(sessions) == before


def test_far_from_any_command_gets_no_guess(say: Say) -> None:
    reply = say("/deal", "frobnicate")
    assert "I don't know the command “frobnicate”." in reply.text
    assert "Did you mean" not in reply.text


@pytest.mark.usefixtures("seeded")
def test_a_deal_number_alone_shows_the_deal(say: Say) -> None:
    reply = say("/deal", "#2")
    assert "华为" in reply.text and "History" in reply.text


@pytest.mark.usefixtures("seeded")
def test_reopen_finds_a_closed_deal_by_name(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/deal", "lost 华为 预算砍了")
    assert deal(sessions, 2).closed_at is not None
    # An open deal of the same name does not get in the way.
    say("/deal", "add 华为 3万")
    reply = say("/deal", "reopen 华为")
    assert "Reopened" in reply.text and "#2" in reply.text
    stored = deal(sessions, 2)
    assert (stored.stage, stored.closed_at) == ("negotiation", None)
    assert deal(sessions, 4).stage == "lead"


def test_an_ambiguous_name_is_answered_with_the_command_typed(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme East 10k")
    say("/deal", "add Acme West 20k")
    before = snapshot(sessions)
    won = say("/deal", "won acme")
    assert "#1 Acme East, #2 Acme West" in won.text and "`/deal won #1`" in won.text
    assert "/deal show" not in won.text
    update = say("/deal", "acme stage proposal")
    assert "`/deal #1 …`" in update.text
    assert snapshot(sessions) == before
    say("/deal", "lost #1")
    say("/deal", "lost #2")
    reopen = say("/deal", "reopen acme")
    assert "`/deal reopen #1`" in reopen.text
    with sessions() as session:
        assert all(d.closed_at is not None for d in session.query(Deal))


TOPICS = {
    "add": "/deal add",
    "new": "/deal new",
    "update": "(fields:",
    "next": "/deal #12 next done",
    "won": "/deal won",
    "lost": "/deal lost",
    "reopen": "/deal reopen",
    "list": "/deal list",
    "show": "/deal show",
    "pipeline": "/deal pipeline",
    "undo": "/deal undo",
    "assign": "/deal assign",
    "report": "/deal report",
    "export": "/deal export",
    "leaderboard": "/deal leaderboard",
}


def test_help_lists_every_subcommand(say: Say) -> None:
    reply = say("/deal", "help")
    for words in TOPICS.values():
        assert words in reply.text, words


@pytest.mark.parametrize(("topic", "words"), TOPICS.items())
def test_help_answers_for_each_subcommand(say: Say, topic: str, words: str) -> None:
    reply = say("/deal", f"help {topic}")
    assert ":warning:" not in reply.text
    assert words in reply.text, reply.text


@pytest.mark.parametrize(("topic", "words"), [("报告", "/deal report"), ("重开", "/deal reopen")])
def test_help_topics_in_chinese(say: Say, topic: str, words: str) -> None:
    assert words in say("/deal", f"help {topic}").text


def test_chinese_help_shows_the_chinese_keywords_the_parser_accepts(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "language zh")
    text = say("/deal", "help").text
    for word in (
        "截止",
        "成交日",
        "备注",
        "阶段",
        "金额",
        "客户",
        "原因",
        "报告",
        "导出",
        "排行榜",
    ):
        assert word in text, word
    assert "/deal add 华为 12万 方案 截止 12月15日" in text
    # The example the help gives is a command that works as shown.
    reply = say("/deal", "add 华为 12万 方案 截止 12月15日")
    assert ":warning:" not in reply.text, reply.text
    stored = deal(sessions, 1)
    assert (stored.customer, stored.stage, str(stored.close_date)) == (
        "华为",
        "proposal",
        "2026-12-15",
    )
