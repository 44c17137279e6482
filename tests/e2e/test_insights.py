"""`/deal insights`: win rates, cycles, conversion, time in stage, lost reasons, segments and
the pipeline's movement, against a fixture built by hand through signed HTTP (and one CSV
import), every number worked out below from the fixture's dates and amounts."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.clock import FrozenClock
from bot.domain.funnel import Movement
from bot.domain.periods import Period
from bot.services.export import DEAL_COLUMNS
from bot.services.insights import (
    field_dimension,
    funnel_of,
    funnels,
    owner_dimension,
    pipeline_movement,
    segments,
)
from bot.services.reports import weekly_report
from bot.services.segments import team_fields
from models import Deal, DealEvent, DealFieldValue, Member, OutboxMessage, SalesTeam
from tests.e2e.conftest import Say

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period("month", date(2026, 11, 1), date(2026, 11, 30))
OCTOBER = Period("month", date(2026, 10, 1), date(2026, 10, 31))
WEEK = Period("week", date(2026, 11, 23), date(2026, 11, 29))
DAY = 86_400
HOUR = 3_600


def at(clock: FrozenClock, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
    clock.set(datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC))


def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """Two deals from a CRM: one won in November after 50 days, one open in Proposal."""
    rows = [
        {
            "team_id": "T1",
            "customer": "Imported Won",
            "amount": "50k",
            "stage": "won",
            "owner_id": "U3",
            "created_at": "2026-10-01T02:00:00+00:00",
            "closed_at": "2026-11-20T02:00:00+00:00",
        },
        {
            "team_id": "T1",
            "customer": "Imported Open",
            "amount": "20k",
            "stage": "proposal",
            "owner_id": "U2",
            "created_at": "2026-10-20T02:00:00+00:00",
        },
    ]
    path = tmp_path / "crm.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=DEAL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in DEAL_COLUMNS} for row in rows)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", "deals", str(path)]) == 0


@pytest.fixture
def history(
    say: Say,
    team: None,
    clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    """The fixture every number below is worked out from (bob is U2, 李雷 U3; 10:00 in
    Shanghai unless said)."""
    imported(tmp_path, monkeypatch, database_url)
    at(clock, 10, 1)
    say("/salesbot", "fx USD 7", user="U1")
    # October: Old (lead 5 days, won), OldLost (lead 2 days, lost).
    at(clock, 10, 10)
    say("/deal", "add Old 10k lead", user="U2")
    at(clock, 10, 12)
    say("/deal", "add OldLost 10k lead", user="U3")
    at(clock, 10, 14)
    say("/deal", "lost OldLost budget cut", user="U3")
    at(clock, 10, 15)
    say("/deal", "won Old", user="U2")
    # November.
    at(clock, 11, 2)
    say("/deal", "add Acme 10k lead", user="U2")  # lead 2d, qualified 5d, proposal 3d, won
    say("/deal", "add Delta 40k lead", user="U3")  # lead 4d, lost
    at(clock, 11, 3)
    say("/deal", "add Beta 20k qualified", user="U2")  # qualified 2d, negotiation 5d, won 30k
    at(clock, 11, 4)
    say("/deal", "Acme stage qualified", user="U2")
    at(clock, 11, 5)
    say("/deal", "Beta stage negotiation", user="U2")
    at(clock, 11, 6)
    say("/deal", "add Gamma $2k proposal", user="U3")  # ¥14k, proposal 10d, won
    say("/deal", "lost Delta went with a competitor", user="U3")
    at(clock, 11, 9)
    say("/deal", "Acme stage proposal", user="U2")
    at(clock, 11, 10)
    say("/deal", "won Beta 30k", user="U2")
    say("/deal", "add Eps 15k qualified", user="U2")  # qualified 1d, proposal 9d, lost
    at(clock, 11, 11)
    say("/deal", "Eps stage proposal", user="U2")
    at(clock, 11, 12)
    say("/deal", "won Acme", user="U2")
    say("/deal", "add Zeta 5k lead", user="U2")  # lead 1d, lost
    at(clock, 11, 13)
    say("/deal", 'lost Zeta "Went with a competitor"', user="U2")
    at(clock, 11, 15)
    say("/deal", "add Oops 3k won", user="U2")  # undone: never counts
    say("/deal", "undo", user="U2")
    at(clock, 11, 16)
    say("/deal", "won Gamma", user="U3")
    say("/deal", "add Steady 50k qualified", user="U3")  # open: lowered to 40k on Nov 25
    at(clock, 11, 18)
    say("/deal", "add Eta 8k proposal", user="U3")  # proposal 7d (its win was undone), lost
    at(clock, 11, 18, 10, 1)
    say("/deal", "won Eta", user="U3")
    at(clock, 11, 18, 10, 2)
    say("/deal", "undo", user="U3")
    at(clock, 11, 20)
    say("/deal", "lost Eps budget cut", user="U2")
    say("/deal", 'add "Open Co" 99k lead', user="U2")  # open: raised to 120k on Nov 24
    # The week of Nov 23.
    at(clock, 11, 23)
    say("/deal", '"Imported Open" stage negotiation', user="U2")  # negotiation 3d, lost
    at(clock, 11, 24)
    say("/deal", '"Open Co" amount 120k', user="U2")
    say("/deal", "add Fresh 30k lead", user="U3")  # new this week, lowered to 25k
    at(clock, 11, 25)
    say("/deal", "lost Eta no budget", user="U3")
    say("/deal", "Steady amount 40k", user="U3")
    at(clock, 11, 26)
    say("/deal", 'lost "Imported Open" budget cut', user="U2")
    say("/deal", "Fresh amount 25k", user="U3")
    at(clock, 11, 27)
    say("/deal", "add Quick 5k lead", user="U2")  # lead 4 hours, won
    at(clock, 11, 27, 14)
    say("/deal", "won Quick", user="U2")
    at(clock, 11, 30, 9, 30)


def _team(session: Session) -> SalesTeam:
    team = session.get(SalesTeam, 1)
    assert team is not None
    return team


@pytest.mark.usefixtures("history")
def test_november_against_the_hand_worked_numbers(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        result = funnel_of(session, _team(session), NOVEMBER)
    o = result.outcomes
    # Won: Acme 10k, Beta 30k, Gamma $2k × 7, Imported Won 50k, Quick 5k. Lost: Delta 40k,
    # Eps 15k, Zeta 5k, Eta 8k, Imported Open 20k. Oops was undone; Old and OldLost are October's.
    assert (o.won, o.lost) == (5, 5)
    assert (o.won_amount, o.lost_amount) == (Decimal("109000.00"), Decimal("88000.00"))
    assert o.win_rate == Decimal("50.0")
    assert o.amount_win_rate == Decimal("55.3")  # 109 / 197 = 55.33%
    assert o.average_won == Decimal("21800.00")
    # Cycles: 10, 7, 10 and 50 days, and 4 hours: (10 + 7 + 10 + 50) days + 4 h, over 5.
    total = (10 + 7 + 10 + 50) * DAY + 4 * HOUR
    assert o.average_cycle_days == Decimal("15.4") == round(Decimal(total) / 5 / DAY, 1)
    assert o.median_cycle_days == Decimal("10.0")

    # Furthest stage: every win reached all; Delta and Zeta Lead; Eps and Eta Proposal (Eta's
    # undone win does not count); Imported Open Negotiation.
    steps = [(s.label, s.reached, s.converted, s.median_days) for s in result.steps]
    assert steps == [
        # Lead: Acme 2 days, Delta 4, Zeta 1, Quick 4 hours: (1 + 2) / 2.
        ("Lead", 10, Decimal("80.0"), Decimal("1.5")),
        # Qualified: Acme 5, Beta 2, Eps 1 (Eps and Imported Open passed it).
        ("Qualified", 8, Decimal("100.0"), Decimal("2.0")),
        # Proposal: Acme 3, Gamma 10, Eps 9, Eta 7; Imported Open's time there began before
        # its import, so it is not known: (7 + 9) / 2.
        ("Proposal", 8, Decimal("75.0"), Decimal("8.0")),
        # Negotiation: Beta 5, Imported Open 3.
        ("Negotiation", 6, Decimal("83.3"), Decimal("4.0")),
        ("Won", 5, None, None),
    ]
    # The conversions multiply to the win rate by count: 8/10 × 8/8 × 6/8 × 5/6 = 5/10.
    assert Decimal(5) / 10 == Decimal(8) / 10 * Decimal(8) / 8 * Decimal(6) / 8 * Decimal(5) / 6

    reasons = [(r.reason, r.count, r.amount) for r in result.lost_reasons]
    assert reasons == [
        ("Went with a competitor", 2, Decimal("45000.00")),  # Delta and Zeta, one spelling
        ("budget cut", 2, Decimal("35000.00")),  # Eps 15k and Imported Open 20k
        ("no budget", 1, Decimal("8000.00")),
    ]


@pytest.mark.usefixtures("history")
def test_october_is_the_period_before(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        result = funnel_of(session, _team(session), OCTOBER)
        # Both months in one pass, as /deal insights asks, are each month on its own.
        both = funnels(session, _team(session), [OCTOBER, NOVEMBER])
        assert both == [result, funnel_of(session, _team(session), NOVEMBER)]
    o = result.outcomes
    assert (o.won, o.lost, o.win_rate, o.amount_win_rate) == (
        1,
        1,
        Decimal("50.0"),
        Decimal("50.0"),
    )
    assert (o.average_cycle_days, o.median_cycle_days) == (Decimal("5.0"), Decimal("5.0"))
    assert [(s.reached, s.converted) for s in result.steps] == [
        (2, Decimal("50.0")),
        (1, Decimal("100.0")),
        (1, Decimal("100.0")),
        (1, Decimal("100.0")),
        (1, None),
    ]
    assert result.steps[0].median_days == Decimal("3.5")  # Old 5 days, OldLost 2
    assert [(r.reason, r.count) for r in result.lost_reasons] == [("budget cut", 1)]


@pytest.mark.usefixtures("history")
def test_a_win_taken_back_then_lost_did_not_reach_won(
    say: Say, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    for day, command in enumerate(
        ["add Flip 10k proposal", "won Flip", "reopen Flip", "lost Flip no budget"], start=1
    ):
        at(clock, 12, day)
        say("/deal", command, user="U2")
    with sessions() as session:
        december = funnel_of(
            session, _team(session), Period("month", date(2026, 12, 1), date(2026, 12, 31))
        )
    assert [(s.reached, s.median_days) for s in december.steps] == [
        (1, None),
        (1, None),
        # In Proposal from Dec 1 to its win on Dec 2, and again from its reopening on Dec 3 to
        # its loss on Dec 4: two days in all.
        (1, Decimal("2.0")),
        (0, None),
        (0, None),
    ]
    assert (december.outcomes.won, december.outcomes.lost) == (0, 1)


@pytest.mark.usefixtures("history")
def test_one_member_and_by_owner(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        team = _team(session)
        bob = session.query(Member).filter_by(slack_user_id="U2").one()
        mine = funnel_of(session, team, NOVEMBER, owner=bob)
        split = segments(session, team, NOVEMBER, dimension=owner_dimension(session, team))
    # Bob won Acme 10k, Beta 30k, Quick 5k; lost Eps 15k, Zeta 5k, Imported Open 20k.
    assert (mine.outcomes.won, mine.outcomes.lost) == (3, 3)
    assert mine.outcomes.amount_win_rate == Decimal("52.9")  # 45 / 85
    rows = [
        (
            s.user_id,
            s.outcomes.won_amount,
            s.outcomes.win_rate,
            s.outcomes.average_won,
            s.outcomes.average_cycle_days,
        )
        for s in split
    ]
    assert rows == [
        # 李雷: Gamma ¥14k (10 days) and Imported Won 50k (50 days); lost Delta and Eta.
        ("U3", Decimal("64000.00"), Decimal("50.0"), Decimal("32000.00"), Decimal("30.0")),
        # Bob: (10 days + 7 days + 4 hours) / 3 = 5.72 days.
        ("U2", Decimal("45000.00"), Decimal("50.0"), Decimal("15000.00"), Decimal("5.7")),
    ]


# Deal fields on the history's deals, given by the reps after the fact (Nov 30, 9:30).
INDUSTRIES = {
    "retail": ["Acme", "Beta", "Delta", "Zeta", "Old"],
    "finance": ["Gamma", "Eps", "Eta", "OldLost"],
    "manufacturing": ["Imported Won"],
}  # Quick and Imported Open have none.
OWNERS = {"Acme": "U2", "Beta": "U2", "Zeta": "U2", "Old": "U2", "Eps": "U2"}


@pytest.fixture
def industries(history: None, say: Say, sessions: sessionmaker[Session]) -> None:
    """Industry (fixed choices, Chinese 行业) on the closed deals; region (free text) on a few,
    too few to compare."""
    added = say(
        "/salesbot", "fields add industry/行业 retail/零售,finance/金融,manufacturing", user="U1"
    )
    assert "Added the deal field *industry*" in added.text
    assert "Added" in say("/salesbot", "fields add region/地区", user="U1").text
    with sessions() as session:
        number = dict(session.execute(select(Deal.customer, Deal.number)).all())
    for industry, customers in INDUSTRIES.items():
        for customer in customers:
            owner = OWNERS.get(customer, "U3")
            reply = say("/deal", f"#{number[customer]} industry {industry}", user=owner)
            assert f"industry: — → {industry}" in reply.text, (customer, reply.text)
    for customer, owner in (("Acme", "U2"), ("Beta", "U2"), ("Delta", "U3"), ("Gamma", "U3")):
        region = "West" if customer == "Gamma" else "East"
        reply = say("/deal", f"#{number[customer]} region {region}", user=owner)
        assert f"region: — → {region}" in reply.text


def _by_industry(session: Session) -> list[tuple[object, ...]]:
    team = _team(session)
    field = next(f for f in team_fields(session, "T1", team.id) if f.name == "industry")
    split = segments(session, team, NOVEMBER, previous=OCTOBER, dimension=field_dimension(field))
    return [
        (
            s.value,
            s.outcomes.won,
            s.outcomes.closed,
            s.outcomes.won_amount,
            s.outcomes.win_rate,
            s.outcomes.amount_win_rate,
            s.outcomes.average_won,
            s.outcomes.average_cycle_days,
            s.outcomes.median_cycle_days,
            None if s.previous is None else (s.previous.won, s.previous.closed),
        )
        for s in split
    ]


@pytest.mark.usefixtures("industries")
def test_by_industry_against_the_hand_worked_numbers(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        rows = _by_industry(session)
    assert rows == [
        # Imported Won 50k in 50 days.
        ("manufacturing", 1, 1, Decimal("50000.00"), Decimal("100.0"), Decimal("100.0"),
         Decimal("50000.00"), Decimal("50.0"), Decimal("50.0"), (0, 0)),
        # Won Acme 10k (10 days) and Beta 30k (7 days); lost Delta 40k and Zeta 5k: 40 / 85.
        # October: Old won.
        ("retail", 2, 4, Decimal("40000.00"), Decimal("50.0"), Decimal("47.1"),
         Decimal("20000.00"), Decimal("8.5"), Decimal("8.5"), (1, 1)),
        # Won Gamma ¥14k (10 days); lost Eps 15k and Eta 8k: 14 / 37. October: OldLost lost.
        ("finance", 1, 3, Decimal("14000.00"), Decimal("33.3"), Decimal("37.8"),
         Decimal("14000.00"), Decimal("10.0"), Decimal("10.0"), (0, 1)),
        # No industry: Quick 5k won in 4 hours, Imported Open 20k lost: 5 / 25.
        (None, 1, 2, Decimal("5000.00"), Decimal("50.0"), Decimal("20.0"),
         Decimal("5000.00"), Decimal("0.2"), Decimal("0.2"), (0, 0)),
    ]  # fmt: skip
    # The segments add up to the month's funnel.
    with sessions() as session:
        whole = funnel_of(session, _team(session), NOVEMBER).outcomes
    assert sum(row[1] for row in rows) == whole.won  # type: ignore[misc]
    assert sum(row[2] for row in rows) == whole.closed  # type: ignore[misc]
    assert sum(row[3] for row in rows) == whole.won_amount  # type: ignore[misc]


@pytest.mark.usefixtures("industries")
def test_by_industry_through_slack_in_both_languages(say: Say) -> None:
    text = say("/deal", "insights by industry", user="U2").text
    assert "Insights by industry · November 2026" in text
    order = [text.index(w) for w in ("*manufacturing*", "*retail*", "*finance*", "_(none)_")]
    assert order == sorted(order)
    assert (
        "*retail* · ¥40k won · win rate 50.0% (2 of 4), 47.1% of the amount · average ¥20k "
        "· cycle 8.5 days" in text
    )
    assert "_October 2026: ¥10k won · win rate 100.0% (1 of 1)" in text
    assert "*manufacturing* · ¥50k won" in text and "_October 2026: nothing closed_" in text
    assert "_(none)_ · ¥5k won · win rate 50.0% (1 of 2), 20.0% of the amount" in text

    say("/salesbot", "language zh", user="U3")
    zh = say("/deal", "分析 按行业", user="U3").text
    assert "按行业分析 · 2026年11月" in zh
    assert "*retail* · 赢单 ¥4万" in zh and "_（无）_" in zh
    assert zh == say("/deal", "分析 本月 按 行业", user="U3").text
    last = say("/deal", "insights last month by industry", user="U2").text
    assert "October 2026" in last and "*retail* · ¥10k won" in last


@pytest.mark.usefixtures("industries")
def test_a_field_that_is_not_one_is_refused_with_a_guess_and_the_form(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    before = _counts(sessions)
    reply = say("/deal", "insights by indstry", user="U2")
    assert reply.json["response_type"] == "ephemeral"
    assert "I can't split deals by “indstry”" in reply.text
    assert "`owner` or one of your team's deal fields: industry, region." in reply.text
    assert "Did you mean `by industry`?" in reply.text
    assert "/deal insights [period] [@person|team] [by owner|field]" in str(reply.json)
    say("/salesbot", "language zh", user="U3")
    zh = say("/deal", "分析 按行叶", user="U3").text
    assert "行叶" in zh and "industry, region" in zh and "`按行业`" in zh
    assert _counts(sessions) == before


def test_without_fields_the_refusal_says_how_to_add_one(say: Say, team: None) -> None:
    reply = say("/deal", "insights by industry", user="U2")
    assert "your team has no deal fields yet" in reply.text
    assert "`/salesbot fields add industry retail,finance`" in reply.text


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    with sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Deal, DealEvent, DealFieldValue, OutboxMessage)
        )


@pytest.mark.usefixtures("industries")
def test_the_report_names_the_best_and_worst_industry(sessions: sessionmaker[Session]) -> None:
    report_at = datetime(2026, 11, 30, 9, tzinfo=SHANGHAI)
    with sessions() as session:
        report = weekly_report(session, _team(session), week=WEEK, now=report_at)
    # Over the twelve weeks to Nov 29 (October's deals too): retail won Acme, Beta and Old,
    # lost Delta and Zeta (3 of 5, 50k); finance won Gamma, lost Eps, Eta and OldLost (1 of 4,
    # 14k); manufacturing closed one deal, too few. Region: East 3 deals, West 1: too few.
    assert [
        (e.field, e.best.value, e.best.outcomes.win_rate, e.worst.value, e.worst.outcomes.win_rate)
        for e in report.segments
    ] == [("industry", "retail", Decimal("60.0"), "finance", Decimal("25.0"))]
    assert (report.segments[0].best.outcomes.won_amount) == Decimal("50000.00")


@pytest.mark.usefixtures("history")
def test_the_pipeline_moved_over_the_week(sessions: sessionmaker[Session]) -> None:
    report_at = datetime(2026, 11, 30, 9, tzinfo=SHANGHAI)
    with sessions() as session:
        team = _team(session)
        moved = pipeline_movement(session, team, WEEK, now=report_at)
        report = weekly_report(session, team, week=WEEK, now=report_at, charts=True)
        numbers = weekly_report(session, team, week=WEEK, now=report_at)
    # Open on Nov 23: Eta 8k, Imported Open 20k, Open Co 99k, Steady 50k. New: Fresh (25k by
    # the end) and Quick 5k; Open Co +21k; Steady −10k; lost Eta and Imported Open; won Quick.
    assert moved == Movement(
        start=Decimal("177000.00"),
        new=Decimal("30000.00"),
        increased=Decimal("21000.00"),
        decreased=Decimal("10000.00"),
        lost=Decimal("28000.00"),
        won=Decimal("5000.00"),
        end=Decimal("185000.00"),
    )
    # What is open at the end is the report's pipeline, and what left as won its week's wins.
    assert moved.end == sum(line.amount for line in report.pipeline)
    assert moved.won == report.won_week
    assert report.movement == moved
    # The numbers alone (a /deal report's reply) read nothing only the charts draw.
    assert (numbers.movement, numbers.funnel) == (None, ())
    assert [(s.label, s.reached) for s in report.funnel] == [
        ("Lead", 12),
        ("Qualified", 9),
        ("Proposal", 9),
        ("Negotiation", 7),
        ("Won", 6),
    ]


@pytest.mark.usefixtures("history")
def test_insights_through_slack(say: Say) -> None:
    reply = say("/deal", "insights", user="U2")
    text = reply.text
    assert "Insights · November 2026" in text
    assert "50.0% (5 of 10 deals), 55.3% of the amount" in text
    assert "October 2026: 50.0% (1 of 2 deals), 50.0% of the amount" in text
    assert "average 15.4 days, median 10.0 days" in text
    assert "Proposal → Negotiation: 75.0% (6 of 8) · median 8.0 days in Proposal" in text
    assert "1. Went with a competitor: 2 deals, ¥45k" in text

    owners = say("/deal", "insights by owner", user="U2").text
    assert owners.index("<@U3>") < owners.index("<@U2>")
    assert (
        "¥64k won · win rate 50.0% (2 of 4), 57.1% of the amount · average ¥32k · cycle 30.0 days"
        in owners
    )
    # 李雷 won 64k of 112k closed (Delta 40k, Eta 8k lost). October beside it: 李雷 lost
    # OldLost, bob won Old in 5 days.
    assert "_October 2026: ¥0 won · win rate 0.0% (0 of 1), 0.0% of the amount" in owners
    assert "_October 2026: ¥10k won · win rate 100.0% (1 of 1)" in owners

    mine = say("/deal", "insights <@U2|bob>", user="U3").text
    assert "For <@U2>" in mine and "50.0% (3 of 6 deals), 52.9% of the amount" in mine

    before = say("/deal", "insights last month", user="U2").text
    assert "Insights · October 2026" in before and "September 2026" in before


@pytest.mark.usefixtures("history")
def test_insights_in_chinese(say: Say) -> None:
    say("/salesbot", "language zh", user="U3")
    text = say("/deal", "分析 本月 按负责人", user="U3").text
    assert "<@U3>" in text and "50.0%" in text
    text = say("/deal", "分析", user="U3").text
    assert "2026年11月" in text and "50.0%" in text


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("insights fortnight", "fortnight"),
        ("insights by colour", "colour"),
        ("insights by", "Split by what"),
        ("insights <@U2> <@U3>", "Name one person"),
    ],
)
def test_bad_insights_name_the_problem(say: Say, team: None, typed: str, said: str) -> None:
    reply = say("/deal", typed, user="U2")
    assert said in reply.text and "/deal insights" in str(reply.json)


def test_a_team_with_nothing_closed(say: Say, team: None) -> None:
    reply = say("/deal", "insights quarter", user="U2")
    assert "nothing to measure yet" in reply.text
