"""The weekly forecast call end to end, against a hand-built fixture: forecast categories on
deals and stages, the report day's commit in the stand-up (a week of run-due instants), the
forecast per rep and in total, and the accuracy of a finished period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import Reply, SlackDriver
from bot.dev.standin import DevSlack
from bot.domain.periods import Period
from bot.jobs.due import run_scheduled
from bot.services import forecast
from bot.slack.app import Salesbot
from models import Deal, ForecastCall, Member, SalesTeam, StandupResponse
from tests.e2e.conftest import Say, race

SHANGHAI = ZoneInfo("Asia/Shanghai")
DECEMBER = Period("month", date(2026, 12, 1), date(2026, 12, 31))
NOVEMBER = Period("month", date(2026, 11, 1), date(2026, 11, 30))
Tick = Callable[[datetime], None]


def local(day: date, hour: int = 11, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def at(clock: FrozenClock, when: datetime) -> None:
    clock.set(when.astimezone(UTC))


@pytest.fixture
def tick(app: Salesbot, clock: FrozenClock) -> Tick:
    """Run what is due at an instant, as the clock would, and deliver what it owes Slack."""

    def run(when: datetime) -> None:
        clock.set(when.astimezone(UTC))
        run_scheduled(app.runtime, now=when.astimezone(UTC))
        app.runtime.sender.deliver_due()

    return run


def text_value(text: str) -> dict[str, object]:
    return {"value": {"type": "plain_text_input", "value": text}}


def open_check_in(say: Say, slack: DevSlack, user: str) -> dict[str, Any]:
    """`/standup` as `user`: the check-in form Slack was asked to open."""
    before = len(slack.calls("views.open"))
    assert say("/standup", "", user=user).status == 200
    view = slack.wait_for("views.open", count=before + 1)[-1].params["view"]
    assert isinstance(view, dict)
    return view


def submit(driver: SlackDriver, view: dict[str, Any], user: str, **fields: str) -> Reply:
    values = {"q0": text_value("Called customers"), **{k: text_value(v) for k, v in fields.items()}}
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user},
        "view": {**view, "id": f"V{user}", "state": {"values": values}},
    }
    return driver.interaction(payload)


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b.get("block_id", "") for b in view["blocks"]]


def initial(view: dict[str, Any], block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return str(block["element"].get("initial_value", ""))


@pytest.fixture
def december(say: Say, team: None, clock: FrozenClock) -> None:
    """The fixture the December numbers below are computed from by hand (Asia/Shanghai).

    bob (U2), target ¥100k: won Acme ¥40k; Beta ¥30k negotiation, chosen commit; Gamma ¥20k
    negotiation (best case by stage); Delta ¥50k proposal (pipeline); Eta ¥10k lead, no close
    date, chosen omitted; Zeta ¥80k negotiation closing in January (not December's).
    李雷 (U3), target ¥50k: 华为 ¥50k negotiation, chosen commit (in Chinese); 小米 ¥20k
    proposal, no close date; Old ¥10k won in November (not December's).
    alice (U1), no target, no deals. The team's target: ¥300k.
    """
    at(clock, local(date(2026, 11, 20)))
    say("/deal", "add Old 10k won", user="U3")  # 1
    at(clock, local(date(2026, 12, 1)))
    say("/target", "set team 300k", user="U1")
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/target", "set <@U3|lilei> 50k", user="U1")
    at(clock, local(date(2026, 12, 2)))
    say("/deal", "add Acme 40k won", user="U2")  # 2
    say("/deal", "add Beta 30k negotiation close 2026-12-20", user="U2")  # 3
    say("/deal", "add Gamma 20k negotiation close 2026-12-18", user="U2")  # 4
    say("/deal", "add Delta 50k proposal close 2026-12-28", user="U2")  # 5
    say("/deal", "add Eta 10k lead", user="U2")  # 6
    say("/deal", "add Zeta 80k negotiation close 2027-01-15", user="U2")  # 7
    say("/deal", "add 华为 5万 谈判 截止 2026-12-15", user="U3")  # 8
    say("/deal", "add 小米 2万 方案", user="U3")  # 9
    assert "Commit" in say("/deal", "#3 forecast commit", user="U2").text
    assert "Omitted" in say("/deal", "#6 forecast omitted", user="U2").text
    say("/deal", "#8 预测 承诺", user="U3")


# bob: won 40k + commit deals 30k; best case 40 + 30 + 20; weighted: negotiation (Beta, Gamma)
# 50k × 75% + Delta 50k × 50% (Eta omitted, Zeta closes in January).
BOB = {"won": "40000", "suggested": "70000", "best": "90000", "weighted": "62500.00"}
# 李雷: 0 won + 华为 50k; weighted 50k × 75% + 小米 20k × 50%.
LILEI = {"won": "0", "suggested": "50000", "best": "50000", "weighted": "47500.00"}


def board_of(sessions: sessionmaker[Session], clock: FrozenClock) -> Any:
    with sessions() as session:
        team = session.get(SalesTeam, 1)
        assert team is not None
        return forecast.board(session, team, period=DECEMBER, now=clock.now())


@pytest.mark.usefixtures("december")
def test_the_forecast_before_anyone_calls_matches_the_hand_computed_fixture(
    sessions: sessionmaker[Session], clock: FrozenClock, say: Say
) -> None:
    at(clock, local(date(2026, 12, 4)))
    board = board_of(sessions, clock)
    lines = {line.rep.slack_user_id: line for line in board.lines}
    bob, lilei, alice = lines["U2"], lines["U3"], lines["U1"]
    assert (bob.target, bob.won, bob.commit, bob.called) == (
        Decimal(100000),
        Decimal(BOB["won"]),
        Decimal(BOB["suggested"]),
        False,
    )
    assert (bob.best_case, bob.weighted, bob.gap, bob.last_week) == (
        Decimal(BOB["best"]),
        Decimal(BOB["weighted"]),
        Decimal(30000),
        None,
    )
    assert (lilei.won, lilei.commit, lilei.best_case, lilei.weighted, lilei.gap) == (
        Decimal(0),
        Decimal(LILEI["suggested"]),
        Decimal(LILEI["best"]),
        Decimal(LILEI["weighted"]),
        Decimal(0),
    )
    assert (alice.target, alice.commit, alice.weighted, alice.gap) == (None, 0, 0, None)
    total = board.total
    assert total is not None
    assert (total.target, total.won, total.commit, total.best_case, total.weighted) == (
        Decimal(300000),
        Decimal(40000),
        Decimal(120000),
        Decimal(140000),
        Decimal("110000.00"),
    )
    assert total.gap == Decimal(180000)
    # The same numbers through signed HTTP, in English and in Chinese.
    reply = say("/deal", "forecast", user="U2").text
    assert "Forecast · December 2026" in reply
    assert (
        "<@U2> · target ¥100k · won ¥40k · commit ¥70k _(won + commit deals, not called yet)_ "
        "· best case ¥90k · weighted pipeline ¥62.5k · gap ¥30k"
    ) in reply
    assert "*Team* · target ¥300k · won ¥40k · commit *¥120k* · best case ¥140k" in reply
    assert "target ¥50k · won ¥0 · commit ¥50k" in reply and "gap ¥0" in reply
    mine = say("/deal", "forecast mine", user="U3").text
    assert "<@U3>" in mine and "<@U2>" not in mine and "Team" not in mine
    say("/salesbot", "language zh", user="U3")
    chinese = say("/deal", "预测 本月 团队", user="U3").text
    assert "预测 · 2026年12月" in chinese and "目标 ¥10万" in chinese and "加权管道" in chinese


@pytest.mark.usefixtures("december")
def test_a_week_of_run_due_instants_asks_once_on_report_day_and_stores_each_call_once(
    say: Say,
    tick: Tick,
    slack: DevSlack,
    driver: SlackDriver,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    monday = local(date(2026, 12, 7), 0, 0)
    when = monday
    while when < monday + timedelta(days=7, hours=10):
        tick(when)
        here = when.astimezone(SHANGHAI)
        if (here.weekday(), here.hour, here.minute, here.day) == (0, 10, 0, 7):
            view = open_check_in(say, slack, "U2")
            assert "commit" in block_ids(view) and initial(view, "commit") == "70000"
            # A commit other than the suggestion needs a reason: nothing is written without.
            refused = submit(driver, view, "U2", commit="65k")
            assert refused.json["response_action"] == "errors"
            assert "commit_reason" in refused.json["errors"]
            with sessions() as session:
                assert session.scalar(select(func.count(StandupResponse.id))) == 0
                assert session.scalar(select(func.count(ForecastCall.id))) == 0
            accepted = submit(driver, view, "U2", commit="65k", commit_reason="Beta may slip")
            assert accepted.status == 200 and not accepted.body
            # A double click: one check-in, one call.
            submit(driver, view, "U2", commit="60k", commit_reason="again")
            lilei = open_check_in(say, slack, "U3")
            assert initial(lilei, "commit") == "50000"
            assert submit(driver, lilei, "U3", commit="50000").status == 200
        if (here.weekday(), here.hour, here.minute) == (1, 10, 0):
            # The day after: neither the prompt nor the form asks again.
            assert "commit" not in block_ids(open_check_in(say, slack, "U2"))
        when += timedelta(minutes=30)
    prompts = [c for c in slack.calls("chat.postMessage") if "Good morning" in str(c.params)]
    asked = [c for c in prompts if "Forecast call · December 2026" in str(c.params)]
    # Two report days in the window (Mon 7 and Mon 14 Dec), three members: six questions, in
    # the Monday prompts only (Mon-Fri stand-ups: 3 × 6 prompts).
    assert len(prompts) == 18
    assert sorted(c.params["channel"] for c in asked) == ["U1", "U1", "U2", "U2", "U3", "U3"]
    first = next(c for c in asked if c.params["channel"] == "U2")
    assert "Won so far ¥40k + your commit deals ¥30k = *¥70k*" in str(first.params["blocks"])
    with sessions() as session:
        calls = session.execute(
            select(Member.slack_user_id, ForecastCall)
            .join(Member, Member.id == ForecastCall.member_id)
            .order_by(Member.slack_user_id)
        ).all()
    week, days = date(2026, 12, 7), (DECEMBER.start, DECEMBER.end)
    assert [
        (user, c.amount, c.suggested, c.reason, c.week_start, (c.period_start, c.period_end))
        for user, c in calls
    ] == [
        ("U2", Decimal("65000.00"), Decimal("70000.00"), "Beta may slip", week, days),
        ("U3", Decimal("50000.00"), Decimal("50000.00"), "", week, days),
    ]
    # The report of Mon 14 Dec: nobody has called this week yet, last week's commit beside.
    reports = [c for c in slack.calls("chat.postMessage") if "Weekly report" in str(c.params)]
    assert len(reports) == 2
    latest = str(reports[-1].params["blocks"])
    assert "Forecast · December 2026" in latest
    assert (
        "<@U2> · target ¥100k · won ¥40k · commit ¥70k _(won + commit deals, not called yet)_ "
        "· last week ¥65k · best case ¥90k"
    ) in latest
    assert "*Team* · target ¥300k · won ¥40k · commit *¥120k* · last week ¥115k" in latest
    # Midweek, the calls stand in the forecast: commit as called, and the gap from it.
    at(clock, local(date(2026, 12, 9)))
    board = board_of(sessions, clock)
    bob = next(line for line in board.lines if line.rep.slack_user_id == "U2")
    assert (bob.commit, bob.called, bob.gap) == (Decimal("65000.00"), True, Decimal("35000.00"))
    assert board.total.commit == Decimal("115000.00")  # 65k + 50k + alice's 0 from deals
    reply = say("/deal", "forecast", user="U1").text
    assert "<@U2> · target ¥100k · won ¥40k · commit *¥65k* · best case ¥90k" in reply


@pytest.mark.usefixtures("december")
def test_two_submits_at_once_store_one_call(
    say: Say, tick: Tick, slack: DevSlack, driver: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    tick(local(date(2026, 12, 7), 9, 30))
    view = open_check_in(say, slack, "U2")
    race(
        [
            lambda: submit(driver, view, "U2", commit="70000"),
            lambda: submit(driver, view, "U2", commit="80k", commit_reason="Zeta may come early"),
        ]
    )
    with sessions() as session:
        assert session.scalar(select(func.count(ForecastCall.id))) == 1
        assert session.scalar(select(func.count(StandupResponse.id))) == 1


@pytest.mark.usefixtures("team")
def test_accuracy_of_a_finished_period(
    say: Say, slack: DevSlack, driver: SlackDriver, clock: FrozenClock, tick: Tick
) -> None:
    """November: bob calls ¥80k, ¥70k, then ¥72k and wins ¥72k; 李雷 calls ¥50k, then ¥40k,
    and wins ¥10k. First and last commits against what was won, won ÷ commit."""

    def call(day: date, user: str, amount: str, reason: str = "") -> None:
        at(clock, local(day, 10))
        view = open_check_in(say, slack, user)
        fields = {"commit": amount, **({"commit_reason": reason} if reason else {})}
        assert submit(driver, view, user, **fields).status == 200

    at(clock, local(date(2026, 11, 1)))
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/target", "set <@U3|lilei> 50k", user="U1")
    say("/deal", "add Acme 60k proposal close 2026-11-20", user="U2")  # 1
    say("/deal", "#1 forecast commit", user="U2")
    say("/deal", "add 华为 5万 谈判", user="U3")  # 2
    say("/deal", "#2 预测 承诺", user="U3")
    call(date(2026, 11, 2), "U2", "80k", "pipeline building")  # suggested 60k
    call(date(2026, 11, 2), "U3", "50000")
    at(clock, local(date(2026, 11, 10)))
    say("/deal", "won #1", user="U2")
    call(date(2026, 11, 16), "U2", "70k", "Globex may close")  # suggested 60k
    call(date(2026, 11, 16), "U3", "40k", "华为 slipping")
    at(clock, local(date(2026, 11, 20)))
    say("/deal", "add Globex 12k won", user="U2")
    at(clock, local(date(2026, 11, 25)))
    say("/deal", "add 小米 1万 赢单", user="U3")
    call(date(2026, 11, 30), "U2", "72000")  # won 72k, no commit deals left
    at(clock, local(date(2026, 12, 1)))
    history = say("/target", "history", user="U2").text
    assert (
        "November 2026 revenue: ¥72k of ¥100k (72.0%) · first commit ¥80k → 90.0%, "
        "last commit ¥72k → 100.0%"
    ) in history
    assert (
        "first commit ¥50k → 20.0%, last commit ¥40k → 25.0%"
        in say("/target", "history <@U3>", user="U1").text
    )
    past = say("/deal", "forecast last month", user="U1").text
    assert "Forecast accuracy · November 2026" in past
    assert "<@U2> · first commit ¥80k → *90.0%* · last commit ¥72k → *100.0%* · won ¥72k" in past
    assert "<@U3> · first commit ¥50k → *20.0%* · last commit ¥40k → *25.0%* · won ¥10k" in past
    # The team: ¥130k first and ¥112k last against ¥82k won.
    assert "first commit ¥130k → *63.1%* · last commit ¥112k → *73.2%* · won ¥82k" in past
    # The weekly report after November closed shows the same.
    tick(local(date(2026, 12, 7), 9, 0))
    report = next(c for c in slack.calls("chat.postMessage") if "Weekly report" in str(c.params))
    assert "Forecast accuracy · November 2026" in str(report.params["blocks"])
    assert "→ *63.1%*" in str(report.params["blocks"])


@pytest.mark.usefixtures("december")
def test_categories_on_deals(say: Say, sessions: sessionmaker[Session]) -> None:
    shown = say("/deal", "show #3", user="U2").text
    assert "Forecast: Commit (chosen for this deal)" in shown
    assert "forecast: by stage → Commit" in shown
    assert "Forecast: Best case (by stage)" in say("/deal", "#4", user="U2").text
    back = say("/deal", "#3 forecast auto", user="U2").text
    assert "forecast: Commit → by stage" in back
    assert "forecast back to Commit" in say("/deal", "undo", user="U2").text
    refused = say("/deal", "#4 forecast maybe", user="U2").text
    assert "“maybe” is not a forecast category" in refused
    assert "is closed" in say("/deal", "#2 forecast commit", user="U2").text
    assert "belongs to someone else" in say("/deal", "#4 forecast commit", user="U3").text
    with sessions() as session:
        found = {
            number: chosen for number, chosen in session.execute(select(Deal.number, Deal.forecast))
        }
    assert found[3] == "commit" and found[4] is None and found[2] is None
    assert found[8] == "commit"


@pytest.mark.usefixtures("december")
def test_managers_map_stages_to_categories(
    say: Say, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    at(clock, local(date(2026, 12, 4)))
    listed = say("/salesbot", "forecast", user="U2").text
    assert "Negotiation → *Best case* (default)" in listed
    assert "Proposal → *Pipeline* (default)" in listed
    assert "Only managers" in say("/salesbot", "forecast proposal commit", user="U2").text
    done = say("/salesbot", "forecast proposal best case", user="U1").text
    assert "Deals in Proposal are now *Best case*" in done
    assert "Proposal → *Best case* (set by a manager)" in done
    # Delta (bob, proposal ¥50k) is best case now: 40 + 30 + 20 + 50.
    bob = next(line for line in board_of(sessions, clock).lines if line.rep.slack_user_id == "U2")
    assert bob.best_case == Decimal(140000)
    assert "closes a deal" in say("/salesbot", "forecast won commit", user="U1").text
    say("/salesbot", "预测 方案 自动", user="U1")
    bob = next(line for line in board_of(sessions, clock).lines if line.rep.slack_user_id == "U2")
    assert bob.best_case == Decimal(BOB["best"])
    # A negotiation deal put in omitted by the stage drops out of commit's neighbours too.
    say("/salesbot", "forecast negotiation omitted", user="U1")
    bob = next(line for line in board_of(sessions, clock).lines if line.rep.slack_user_id == "U2")
    # Beta stays commit (chosen for the deal); Gamma is omitted; weighted: Beta 30k × 75% +
    # Delta 50k × 50%.
    assert (bob.commit, bob.best_case, bob.weighted) == (
        Decimal(70000),
        Decimal(70000),
        Decimal("47500.00"),
    )
    assert "forecast" in say("/salesbot", "help", user="U2").text


@pytest.mark.usefixtures("december")
def test_the_export_appends_the_forecast_column(say: Say, slack: DevSlack) -> None:
    say("/deal", "export", user="U1")
    upload = slack.wait_for("files.completeUploadExternal")[0]
    assert upload is not None
    content = next(iter(slack.uploads().values())).decode()
    header, *rows = content.splitlines()
    assert header.endswith(",closed_at,next_step,next_step_date,forecast")
    by_id = {row.split(",")[0]: row for row in rows}
    assert by_id["3"].endswith(",commit") and by_id["4"].endswith(",")
