"""The weekly report's numbers against a hand-computed fixture; posted once per team per week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.domain.periods import Period
from bot.services.reports import weekly_report
from models import SalesTeam
from tests.e2e.conftest import Say

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORT_TIME = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
WEEK = Period("week", date(2026, 11, 23), date(2026, 11, 29))


def at(clock: FrozenClock, day: int, hour: int = 11) -> None:
    clock.set(datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI).astimezone(UTC))


@pytest.fixture
def november(say: Say, team: None, clock: FrozenClock) -> None:
    """The fixture the numbers below are computed from by hand."""
    at(clock, 1)
    say("/salesbot", "fx USD 7", user="U1")
    say("/target", "set team 300k", user="U1")
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/target", "set <@U3|lilei> 50k", user="U1")
    say("/deal", "add Stale Co 10k lead", user="U3")  # never touched again
    at(clock, 10)
    say("/deal", "add Old 20k won", user="U2")  # in November, before the week
    at(clock, 24)
    say("/deal", "add Acme 40k won", user="U2")
    say("/deal", "add Globex $5k won", user="U3")  # 35k CNY at 7
    at(clock, 25)
    say("/deal", "add Beta 60k proposal", user="U2")
    clock.set(REPORT_TIME.astimezone(UTC))


@pytest.mark.usefixtures("november")
def test_weekly_numbers_match_the_hand_computed_fixture(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    with sessions() as session:
        team = session.get(SalesTeam, 1)
        assert team is not None
        report = weekly_report(session, team, week=WEEK, now=clock.now())
    assert report.won_week == Decimal("75000.00")
    assert report.won_week_count == 2
    assert report.biggest is not None and report.biggest.customer == "Acme"
    assert [(m.user_id, m.won) for m in report.movers] == [
        ("U2", Decimal("40000.00")),
        ("U3", Decimal("35000.00")),
    ]
    assert report.period_won == Decimal("95000.00")
    assert report.team_target is not None
    assert report.team_target.progress.remaining == Decimal("205000.00")
    # Beta 60k × 50% + Stale Co 10k × 10%.
    assert report.open_weighted == Decimal("31000.00")
    assert report.coverage == Decimal("0.15")
    assert [f.customer for f in report.stale] == ["Stale Co"]
    # November has 21 working days: 300k over 4.2 weeks.
    assert report.weekly_pace == Decimal("71428.57")
    assert report.weekly_won[-3:] == [
        (date(2026, 11, 9), Decimal("20000.00")),
        (date(2026, 11, 16), Decimal("0")),
        (date(2026, 11, 23), Decimal("75000.00")),
    ]
    assert len(report.weekly_won) == 12
    assert [(s.label, s.count, s.amount, s.weighted) for s in report.pipeline] == [
        ("Lead", 1, Decimal("10000.00"), Decimal("1000.00")),
        ("Proposal", 1, Decimal("60000.00"), Decimal("30000.00")),
    ]
    assert [line.member.slack_user_id for line in report.board.lines][:2] == ["U3", "U2"]


def test_a_team_without_deals_gets_a_friendly_empty_report(
    team: None, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    with sessions() as session:
        team_row = session.get(SalesTeam, 1)
        assert team_row is not None
        report = weekly_report(session, team_row, week=WEEK, now=clock.now() + timedelta(days=1))
    assert report.empty
