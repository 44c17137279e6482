"""/deal end to end: signed slash commands over HTTP, results read back from the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.standin import DevSlack
from bot.services.export import deal_rows
from models import Deal, DealEvent
from tests.e2e.conftest import Drain, Say

pytestmark = pytest.mark.usefixtures("team")


def deal(sessions: sessionmaker[Session], deal_id: int) -> Deal:
    with sessions() as session:
        found = session.get(Deal, deal_id)
        assert found is not None
        return found


def snapshot(sessions: sessionmaker[Session]) -> list[dict[str, str]]:
    with sessions() as session:
        rows = list(deal_rows(session))
        events = session.scalar(select(func.count(DealEvent.id)))
    return [*rows, {"events": str(events)}]


@pytest.fixture
def seeded(say: Say, team: None) -> None:
    """#1 Acme ¥12k proposal and #2 华为 ¥5万 negotiation (bob); #3 Globex $30k lead (李雷).

    The team reports in CNY and has rates for USD, EUR and GBP.
    """
    for currency, rate in (("USD", "7.1"), ("EUR", "7.8"), ("GBP", "9.1")):
        assert "1 " + currency in say("/salesbot", f"fx {currency} {rate}", user="U1").text
    assert "Added" in say("/deal", "add Acme 12k proposal close 2026-12-15").text
    assert "Added" in say("/deal", "add 华为 5万 谈判").text
    assert "Added" in say("/deal", "add Globex $30k", user="U3").text


# (command, user, expected values of the deal it touches) — all on top of `seeded`.
VALID: list[tuple[str, str, int, dict[str, Any]]] = [
    (
        "add Initech 12000",
        "U2",
        4,
        {"customer": "Initech", "amount": Decimal("12000"), "currency": "CNY", "stage": "lead"},
    ),
    ("add Initech 12,000.50", "U2", 4, {"amount": Decimal("12000.50")}),
    # Below a million: a larger amount, with no win to compare it with, is asked about first
    # (tests/e2e/test_guards.py); 1.5M and 1亿 themselves are read in tests/domain.
    ("add Initech 0.5M", "U2", 4, {"amount": Decimal("500000")}),
    ("add Initech 12K", "U2", 4, {"amount": Decimal("12000")}),
    ("add Initech 2.5万", "U2", 4, {"amount": Decimal("25000")}),
    ("add Initech 0.001亿", "U2", 4, {"amount": Decimal("100000")}),
    ("add Initech $12k", "U2", 4, {"amount": Decimal("12000"), "currency": "USD"}),
    ("add Initech €3k", "U2", 4, {"amount": Decimal("3000"), "currency": "EUR"}),
    ("add Initech £900", "U2", 4, {"amount": Decimal("900"), "currency": "GBP"}),
    ("add Initech USD 1,200", "U2", 4, {"amount": Decimal("1200"), "currency": "USD"}),
    ("add Initech 8000 CNY", "U2", 4, {"amount": Decimal("8000"), "currency": "CNY"}),
    ("add Initech RMB 8000", "U2", 4, {"amount": Decimal("8000"), "currency": "CNY"}),
    ("add Initech ¥50000", "U2", 4, {"amount": Decimal("50000"), "currency": "CNY"}),
    ("add Big Co Ltd 12k", "U2", 4, {"customer": "Big Co Ltd"}),
    ('add "3M" 50k', "U2", 4, {"customer": "3M", "amount": Decimal("50000")}),
    ("add Initech 12k proposal", "U2", 4, {"stage": "proposal"}),
    ("add Initech 12k qualified", "U2", 4, {"stage": "qualified"}),
    ("add 腾讯 5万 方案", "U2", 4, {"customer": "腾讯", "stage": "proposal"}),
    ("add 阿里 5万 线索", "U2", 4, {"stage": "lead"}),
    ("add 百度 5万 商机", "U2", 4, {"stage": "qualified"}),
    ("add Initech 12k close 2026-12-15", "U2", 4, {"close_date": date(2026, 12, 15)}),
    ("add Initech 12k close 12/15", "U2", 4, {"close_date": date(2026, 12, 15)}),
    ("add Initech 12k close Dec 15", "U2", 4, {"close_date": date(2026, 12, 15)}),
    ("add Initech 12k close next friday", "U2", 4, {"close_date": date(2026, 12, 11)}),
    ("add Initech 12k close eom", "U2", 4, {"close_date": date(2026, 11, 30)}),
    ("add Initech 12k close eoq", "U2", 4, {"close_date": date(2026, 12, 31)}),
    ("add Initech 12k close in 2 weeks", "U2", 4, {"close_date": date(2026, 12, 14)}),
    ("add Initech 12k close 12月15日", "U2", 4, {"close_date": date(2026, 12, 15)}),
    ("add Initech 12k close 下周五", "U2", 4, {"close_date": date(2026, 12, 11)}),
    (
        "add Initech 12k negotiation close Dec 20 note Met the CFO",
        "U2",
        4,
        {"stage": "negotiation", "close_date": date(2026, 12, 20), "note": "Met the CFO"},
    ),
    ("add Initech 12k won", "U2", 4, {"stage": "won"}),
    ("#1 stage negotiation", "U2", 1, {"stage": "negotiation"}),
    ("1 stage negotiation", "U2", 1, {"stage": "negotiation"}),
    ("#1 stage 谈判", "U2", 1, {"stage": "negotiation"}),
    ("#1 amount 15k", "U2", 1, {"amount": Decimal("15000")}),
    ("#1 close 2026-12-20", "U2", 1, {"close_date": date(2026, 12, 20)}),
    ("#1 note Call back Monday", "U2", 1, {"note": "Call back Monday"}),
    ("#1 customer Acme Holdings", "U2", 1, {"customer": "Acme Holdings"}),
    ("#1 stage proposal close 2026-12-20", "U2", 1, {"close_date": date(2026, 12, 20)}),
    ("acme stage negotiation", "U2", 1, {"stage": "negotiation"}),
    ("ACME amount 13k", "U2", 1, {"amount": Decimal("13000")}),
    ("Ac stage lead", "U2", 1, {"stage": "lead"}),
    ("Globex stage qualified", "U3", 3, {"stage": "qualified"}),
    ("won #1", "U2", 1, {"stage": "won"}),
    ("won #1 48k", "U2", 1, {"stage": "won", "amount": Decimal("48000")}),
    ("won acme", "U2", 1, {"stage": "won"}),
    ("赢单 #2", "U2", 2, {"stage": "won"}),
    ("lost #1", "U2", 1, {"stage": "lost"}),
    (
        "lost #1 went with a competitor",
        "U2",
        1,
        {"stage": "lost", "lost_reason": "went with a competitor"},
    ),
    ("#3 stage proposal", "U1", 3, {"stage": "proposal"}),
    ("won #3", "U1", 3, {"stage": "won"}),
    ("assign #1 <@U3|lilei>", "U1", 1, {"owner_id": "U3"}),
]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(("text", "user", "deal_id", "expected"), VALID)
def test_valid_commands_store_what_they_say(
    say: Say,
    sessions: sessionmaker[Session],
    text: str,
    user: str,
    deal_id: int,
    expected: dict[str, Any],
) -> None:
    reply = say("/deal", text, user=user)
    assert reply.status == 200
    assert ":warning:" not in reply.text.split("\n")[0], reply.text
    stored = deal(sessions, deal_id)
    for field, value in expected.items():
        if field == "owner_id":
            with sessions() as session:
                row = next(r for r in deal_rows(session) if r["id"] == str(deal_id))
            assert row["owner_id"] == value
        else:
            assert getattr(stored, field) == value, (field, reply.text)


# (command, user, words the refusal must contain) — nothing may be written.
INVALID: list[tuple[str, str, str]] = [
    ("add", "U2", "add"),
    ("add Acme", "U2", "amount"),
    ("add 12k", "U2", "customer"),
    ("add Acme -5k", "U2", "negative"),
    ("add Acme 2000000000000", "U2", "too large"),
    ("add Acme 12k flying", "U2", "stage"),
    ("add Acme JPY 5000", "U2", "no exchange rate for JPY"),
    ("#1 amount CHF 5k", "U2", "no exchange rate for CHF"),
    ("add Acme 12k close someday", "U2", "date"),
    ("add Acme 12k close 2026-02-30", "U2", "date"),
    ("add Acme 0 won", "U2", "zero"),
    ("add " + "x" * 201 + " 12k", "U2", "too long"),
    ("add Acme 12k note " + "n" * 2001, "U2", "too long"),
    ('add "Acme 12k', "U2", "quote"),
    ("#99 stage proposal", "U2", "no deal #99"),
    ("#1 stage flying", "U2", "stage"),
    ("#1 amount lots", "U2", "amount"),
    ("#1 close whenever", "U2", "date"),
    ("#1 stage lead stage proposal", "U2", "twice"),
    ("#1 stage proposal", "U3", "belongs to someone else"),
    ("won #3", "U2", "belongs to someone else"),
    ("won #99", "U2", "no deal"),
    ("won Nobody", "U2", "no open deal"),
    ("lost #3", "U2", "belongs to someone else"),
    ("reopen #1", "U2", "already open"),
    ("assign #1 <@U3>", "U2", "managers"),
    ("show #99", "U2", "no deal"),
    ("frobnicate", "U2", "/deal"),
    ("undo", "U3", "Nothing to undo"),
]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(("text", "user", "words"), INVALID)
def test_bad_input_is_refused_and_nothing_is_written(
    say: Say,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    text: str,
    user: str,
    words: str,
) -> None:
    # Past the undo window, so the seeded deals cannot be undone by accident.
    clock.advance(timedelta(minutes=11))
    before = snapshot(sessions)
    reply = say("/deal", text, user=user)
    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert ":warning:" in reply.text
    assert words.casefold() in reply.text.casefold(), reply.text
    assert snapshot(sessions) == before


def test_ambiguous_name_lists_candidates(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/deal", "add Acme East 10k")
    say("/deal", "add Acme West 20k")
    before = snapshot(sessions)
    reply = say("/deal", "won acme")
    assert "#1" in reply.text and "#2" in reply.text and "several" in reply.text
    assert snapshot(sessions) == before


def test_exact_name_beats_prefix(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/deal", "add Acme 10k")
    say("/deal", "add Acme West 20k")
    say("/deal", "won acme")
    assert deal(sessions, 1).stage == "won"
    assert deal(sessions, 2).stage == "lead"


def test_win_is_announced_in_the_team_channel_once(say: Say, slack: DevSlack, drain: Drain) -> None:
    say("/deal", "add <!channel> *Acme* 12k")
    reply = say("/deal", "won #1")
    assert "Won" in reply.text
    posts = slack.wait_for("chat.postMessage", lambda c: ":trophy:" in str(c.params))
    announcement = str(posts[0].params)
    assert "<@U2>" in announcement and "¥12k" in announcement
    assert "<!channel>" not in announcement, "user text must not ping, in blocks or fallback"
    assert "&lt;!channel&gt;" in announcement
    assert "first win of November" in announcement, "the first-win note rides on the win's post"
    say("/deal", "won #1")
    say("/deal", "#1 amount 13k")
    drain()
    assert len(slack.calls("chat.postMessage")) == 1, "one post per win"


def test_reopen_returns_to_the_stage_before_closing(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")
    say("/deal", "lost #1 budget cut")
    assert deal(sessions, 1).closed_at is not None
    reply = say("/deal", "reopen #1")
    assert "Reopened" in reply.text
    stored = deal(sessions, 1)
    assert (stored.stage, stored.closed_at, stored.lost_reason) == ("proposal", None, "")


def test_past_close_date_is_accepted_with_a_warning(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    reply = say("/deal", "add Acme 12k close 2026-11-01")
    assert deal(sessions, 1).close_date == date(2026, 11, 1)
    assert "in the past" in reply.text


def test_member_in_no_team_can_record_and_is_told_how_to_join(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    slack.add_user("U9", "zoe", tz="Europe/Paris")
    reply = say("/deal", "add Acme 12k", user="U9", channel="D9")
    assert "Added" in reply.text and "/salesbot setup" in reply.text
    assert deal(sessions, 1).team_id is None
