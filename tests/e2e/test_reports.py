"""The weekly report's numbers against a hand-computed fixture; posted once per team per week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.charts import png_size
from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.domain.periods import Period
from bot.jobs.due import run_scheduled
from bot.services.reports import weekly_report
from bot.slack.app import Salesbot
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


@pytest.mark.usefixtures("november")
def test_the_report_is_posted_once_with_five_charts(
    app: Salesbot, clock: FrozenClock, slack: DevSlack
) -> None:
    for minute in (0, 1, 30):
        when = (REPORT_TIME + timedelta(minutes=minute)).astimezone(UTC)
        clock.set(when)
        run_scheduled(app.runtime, now=when)
        app.runtime.sender.deliver_due()
    posts = [c for c in slack.calls("chat.postMessage") if "Weekly report" in str(c.params)]
    assert len(posts) == 1
    text = str(posts[0].params["blocks"])
    assert "¥75k (2 deals)" in text and "Acme" in text and "0.15×" in text
    # No deal fields: no segments to name.
    assert "Best and worst" not in text
    uploads = slack.calls("files.completeUploadExternal")
    assert len(uploads) == 1 and uploads[0].params["channel_id"] == "C1"
    images = list(slack.uploads().values())
    assert len(images) == 5
    for image in images:
        width, height = png_size(image)
        assert width >= 1200 and height > 300


def test_on_demand_report_numbers_now_charts_in_dm_and_share(
    say: Say, team: None, clock: FrozenClock, slack: DevSlack, driver: SlackDriver
) -> None:
    say("/deal", "add Acme 40k won", user="U2")
    reply = say("/deal", "report month", user="U2")
    assert "Report · November 2026" in reply.text and "¥40k (1 deal)" in reply.text
    # Five charts are drawn before the upload: slow on a busy machine.
    dm = slack.wait_for("files.completeUploadExternal", timeout=30)[0]
    assert dm.params["channel_id"] == "DU2"
    button = next(b for b in reply.json["blocks"] if b["type"] == "actions")["elements"][0]
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "container": {"message_ts": "111.222"},
        "response_url": slack.response_url("share"),
        "actions": [{"action_id": button["action_id"], "value": button["value"]}],
    }
    driver.interaction(payload)
    driver.interaction(payload)  # a double click shares once
    slack.wait_for("files.completeUploadExternal", count=2, timeout=30)
    slack.wait_for("response_url", lambda c: "Already shared" in str(c.params))
    shared = [c for c in slack.calls("chat.postMessage") if "Report · November" in str(c.params)]
    assert len(shared) == 1 and shared[0].params["channel"] == "C1"
    assert "not understand" in say("/deal", "report fortnight", user="U2").text.replace(
        "don't", "not"
    )


@pytest.fixture
def segmented(say: Say, team: None, clock: FrozenClock) -> None:
    """Deals by industry closed in the twelve weeks before the report (and one before them):
    retail won 2 of 3, finance 1 of 3, manufacturing 1 of 1 (too few to compare)."""
    at(clock, 1)
    fields = "fields add industry/行业 retail/零售,finance/金融,manufacturing"
    assert "Added" in say("/salesbot", fields, user="U1").text
    clock.set(datetime(2026, 8, 3, 11, tzinfo=SHANGHAI).astimezone(UTC))
    say("/deal", "add Ancient 90k won industry:finance", user="U2")  # before the twelve weeks
    at(clock, 2)
    for text in (
        "add R1 10k won industry:retail",
        "add R2 20k won 行业:零售",
        "add R3 5k lead industry:retail",
        "add F1 8k won industry:finance",
        "add F2 30k proposal industry:finance",
        "add F3 4k lead industry:finance",
        "add M1 70k won industry:manufacturing",
        "add Plain 50k lead",
    ):
        assert "Added" in say("/deal", text, user="U2").text, text
    at(clock, 24)
    for text in ("lost R3 no budget", "lost F2 price", "lost F3 price", "lost Plain price"):
        assert "lost" in say("/deal", text, user="U2").text.lower(), text
    clock.set(REPORT_TIME.astimezone(UTC))


@pytest.mark.usefixtures("segmented")
def test_the_weekly_report_names_the_best_and_worst_segment(
    app: Salesbot, clock: FrozenClock, slack: DevSlack
) -> None:
    run_scheduled(app.runtime, now=REPORT_TIME.astimezone(UTC))
    app.runtime.sender.deliver_due()
    posts = [c for c in slack.calls("chat.postMessage") if "Weekly report" in str(c.params)]
    assert len(posts) == 1
    text = str(posts[0].params["blocks"])
    # Sep 7 – Nov 29: Ancient (August) is not counted; manufacturing closed one deal, and the
    # deals with no industry are no segment.
    assert "*Best and worst segments*" in text
    assert (
        "*industry*: best *retail* 66.7% (2 of 3, ¥30k won) · "
        "worst *finance* 33.3% (1 of 3, ¥8k won)" in text
    )
    assert "manufacturing" not in text and "`/deal insights by industry`" in text


@pytest.mark.usefixtures("segmented")
def test_segments_too_small_to_compare_are_not_named(
    say: Say, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    at(clock, 28)
    reopened = say("/deal", "reopen F2", user="U2")  # finance: 1 of 2 closed now, too few
    assert "F2" in reopened.text
    with sessions() as session:
        team = session.get(SalesTeam, 1)
        assert team is not None
        report = weekly_report(session, team, week=WEEK, now=REPORT_TIME)
    assert report.segments == ()
