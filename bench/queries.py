"""4. Queries at scale: a million deals, 2,000 members in 200 teams, SQLite and PostgreSQL.

Timed through the services, as the handlers call them (sessions, ORM and all):

* leaderboard: `targets.board` for one team, this month's revenue (`/deal leaderboard`);
* `/target team`: `target_commands.team_boards` (a board per active target period);
* the weekly report's numbers: `reports.weekly_report`, no charts; and what only its charts
  read, the stage conversion of 12 weeks and the week's pipeline movement
  (`insights.stage_steps`, `insights.pipeline_movement`, read when the charts are drawn);
* `/deal list`: `deals.list_open` for a member, and for a team;
* `/deal insights`: `insights.insights_on_demand` for a team's quarter (beside the quarter
  before), one member's month, and the team's quarter by owner;
* `/deal forecast`: `forecast.board` for one team, its current target period.

Each figure is the median of several runs, each on another team (so not one team's pages
stay hot). The baseline is the same query on a database with 20,000 deals (quick: 2,000), the
same people and teams: a ratio near 1 means the query grows with what it returns, not with
the table. Every statement a query runs on `deal` is EXPLAINed; the table names the deal
indexes the plans use and flags any full scan of `deal`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from bench.common import (
    NOW,
    SKIPPED,
    ZONE,
    Options,
    Row,
    create_database,
    drop_database,
    log,
    median,
    ms,
    postgres_url,
    ratio,
    times,
    verdict,
)
from bench.seed import Org, seed_deals, seed_events, seed_org
from bot.db import make_engine, make_session_factory
from bot.domain.insights_command import InsightsArgs
from bot.domain.periods import period_of
from bot.migrate import upgrade
from bot.services import deals, forecast, insights, reports, target_commands, targets
from bot.services.actor import Actor
from models import Member, SalesTeam

TEAMS, PER_TEAM = 200, 10
GOAL_MS = 50.0
Query = Callable[[Session, SalesTeam, Member], object]


def _today() -> Any:
    return NOW.astimezone(ZoneInfo(ZONE)).date()


def _actor(team: SalesTeam, member: Member) -> Actor:
    return Actor(member=member, team=team, now=NOW, today=_today())


def leaderboard(session: Session, team: SalesTeam, member: Member) -> object:
    """`/deal leaderboard`: this month's revenue board."""
    today = _today()
    return targets.board(
        session, team, metric="revenue", period=period_of("month", today), today=today
    )


def target_team(session: Session, team: SalesTeam, member: Member) -> object:
    """`/target team`: a board for each active target period (month and quarter here)."""
    return target_commands.team_boards(session, _actor(team, member), team)


def weekly_numbers(session: Session, team: SalesTeam, member: Member) -> object:
    """The weekly report's numbers for last week (what the clock computes before drawing)."""
    week = period_of("week", _today() - timedelta(days=7))
    return reports.weekly_report(session, team, week=week, now=NOW)


def report_chart_data(session: Session, team: SalesTeam, member: Member) -> object:
    """What the weekly report's funnel and waterfall charts read for last week."""
    week = period_of("week", _today() - timedelta(days=7))
    return (
        insights.stage_steps(session, team, insights.funnel_window(week)),
        insights.pipeline_movement(session, team, week, now=NOW),
    )


def list_mine(session: Session, team: SalesTeam, member: Member) -> object:
    """`/deal list`: the caller's open deals."""
    return deals.list_open(session, _actor(team, member), owner=member)


def list_team(session: Session, team: SalesTeam, member: Member) -> object:
    """`/deal list team`: the team's open deals."""
    return deals.list_open(session, _actor(team, member), team=team)


def insights_quarter(session: Session, team: SalesTeam, member: Member) -> object:
    """`/deal insights quarter`: the team's quarter beside the one before."""
    args = InsightsArgs(period_text="quarter")
    return insights.insights_on_demand(session, _actor(team, member), args)


def insights_member(session: Session, team: SalesTeam, member: Member) -> object:
    """`/deal insights @member`: one member's month beside the one before."""
    args = InsightsArgs(user_id=member.slack_user_id)
    return insights.insights_on_demand(session, _actor(team, member), args)


def insights_by_owner(session: Session, team: SalesTeam, member: Member) -> object:
    """`/deal insights quarter by owner`: the team's quarter per owner."""
    args = InsightsArgs(period_text="quarter", by="owner")
    return insights.insights_on_demand(session, _actor(team, member), args)


def forecast_team(session: Session, team: SalesTeam, member: Member) -> object:
    """`/deal forecast`: each rep's target, won, commit, best case and weighted pipeline."""
    period = forecast.forecast_period(session, team, _today())
    return forecast.board(session, team, period=period, now=NOW)


QUERIES: dict[str, Query] = {
    "leaderboard (targets.board)": leaderboard,
    "/target team (team_boards)": target_team,
    "weekly report numbers (weekly_report)": weekly_numbers,
    "weekly report funnel and movement (stage_steps, pipeline_movement)": report_chart_data,
    "/deal list, member (list_open)": list_mine,
    "/deal list team (list_open)": list_team,
    "/deal insights quarter (insights_on_demand)": insights_quarter,
    "/deal insights @member, month (insights_on_demand)": insights_member,
    "/deal insights quarter by owner (insights_on_demand)": insights_by_owner,
    "/deal forecast (forecast.board)": forecast_team,
}


@dataclass
class Measured:
    """Median time of each query, and the deal indexes its statements use."""

    deals: int
    seconds: dict[str, float]
    database: dict[str, float]
    statements: dict[str, int]
    indexes: dict[str, list[str]]
    scans: dict[str, list[str]]


def run_benchmark(options: Options) -> list[Row]:
    """Every query on SQLite and PostgreSQL, big and small."""
    big, small = options.size(1_000_000, 20_000), options.size(20_000, 2_000)
    runs = options.size(9, 3)
    rows: list[Row] = []
    for name in ("sqlite", "postgresql"):
        if name == "postgresql" and not options.postgres:
            rows += [
                Row("queries", f"{name} {query}", SKIPPED, verdict=SKIPPED) for query in QUERIES
            ]
            continue
        measured = []
        for count in (small, big):
            label = f"queries_{count}"
            url = (
                f"sqlite:///{options.workdir / (label + '.db')}"
                if name == "sqlite"
                else postgres_url(options, label)
            )
            try:
                measured.append(_measure(url, count, runs=runs, explain=count == big))
            finally:
                drop_database(url)
            log(f"queries[{name}, {count:,} deals]: " + _summary(measured[-1]))
        rows += _rows(name, measured[0], measured[1], runs)
    return rows


def _summary(measured: Measured) -> str:
    return ", ".join(f"{q.split(' (')[0]} {ms(s)}" for q, s in measured.seconds.items())


def _measure(url: str, count: int, *, runs: int, explain: bool) -> Measured:
    create_database(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        org = seed_org(engine, teams=TEAMS, per_team=PER_TEAM, prompt_days=28)
        seed_deals(engine, org, count)
        seed_events(engine)
        log(
            f"queries: seeded {count:,} deals on {engine.dialect.name} in "
            f"{time.perf_counter() - started:.1f} s"
        )
        return _time_queries(engine, org, count, runs=runs, explain=explain)
    finally:
        engine.dispose()


def _time_queries(engine: Engine, org: Org, count: int, *, runs: int, explain: bool) -> Measured:
    sessions = make_session_factory(engine)
    seconds: dict[str, float] = {}
    database: dict[str, float] = {}
    statements: dict[str, int] = {}
    indexes: dict[str, list[str]] = {}
    scans: dict[str, list[str]] = {}
    for name, query in QUERIES.items():
        samples, in_database = [], []
        for run in range(runs + 1):
            # A different team each run (37 is coprime with 200): no team stays hot.
            team_index = (run * 37 + 11) % len(org.team_ids)
            with sessions() as session:
                team = session.get(SalesTeam, org.team_ids[team_index])
                member = session.get(Member, org.members_of(team_index)[1])
                assert team is not None and member is not None
                with _recording(engine) as recorded:
                    started = time.perf_counter()
                    query(session, team, member)
                    took = time.perf_counter() - started
            if run == 0:  # the first run warms the ORM's statement cache; not counted
                statements[name] = len(recorded.statements)
                if explain:
                    indexes[name], scans[name] = _explain(engine, recorded.statements)
                continue
            samples.append(took)
            in_database.append(recorded.seconds)
        seconds[name] = median(samples)
        database[name] = median(in_database)
    return Measured(count, seconds, database, statements, indexes, scans)


@dataclass
class Recorded:
    """The statements executed inside a block, with their parameters, and the seconds the
    driver spent executing them."""

    statements: list[tuple[str, Any]]
    seconds: float = 0.0


@contextmanager
def _recording(engine: Engine) -> Iterator[Recorded]:
    """Record the statements executed inside the block and time them."""
    recorded = Recorded([])
    started: list[float] = []

    def before(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        recorded.statements.append((statement, parameters))
        started.append(time.perf_counter())

    def after(*_: object) -> None:
        recorded.seconds += time.perf_counter() - started.pop()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield recorded
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _explain(engine: Engine, recorded: list[tuple[str, Any]]) -> tuple[list[str], list[str]]:
    """Deal indexes used by the statements that read `deal`, and any full scans of it."""
    used: list[str] = []
    scans: list[str] = []
    with engine.connect() as connection:
        for statement, parameters in recorded:
            reads = statement.lstrip().upper().startswith(("SELECT", "WITH"))
            if "FROM deal" not in statement or not reads:
                continue
            if engine.dialect.name == "postgresql":
                plan = connection.exec_driver_sql(
                    "EXPLAIN (FORMAT JSON) " + statement, parameters
                ).scalar()
                found, full = _pg_plan(plan if isinstance(plan, list) else json.loads(str(plan)))
            else:
                details = [
                    str(row[3])
                    for row in connection.exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )
                ]
                found, full = _sqlite_plan(details)
            used += found
            scans += full
    return sorted(set(used)), sorted(set(scans))


def _pg_plan(plan: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    used, scans = [], []
    stack = [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        index = node.get("Index Name")
        if isinstance(index, str) and index.startswith(("ix_deal", "pk_deal")):
            used.append(index)
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") == "deal":
            scans.append("Seq Scan on deal")
        stack.extend(node.get("Plans", []))
    return used, scans


def _sqlite_plan(details: list[str]) -> tuple[list[str], list[str]]:
    used, scans = [], []
    for detail in details:
        words = detail.split()
        if len(words) < 2 or words[1] != "deal":
            continue
        if "INDEX" in words:
            used.append(words[words.index("INDEX") + 1])
        elif "PRIMARY" in words:
            used.append("pk_deal")
        if words[0] == "SCAN":
            scans.append(detail)
    return used, scans


def _rows(name: str, small: Measured, big: Measured, runs: int) -> list[Row]:
    rows = []
    for query in QUERIES:
        took, base = big.seconds[query], small.seconds[query]
        factor = ratio(took, base)
        indexes = ", ".join(big.indexes.get(query, [])) or "no deal index"
        scans = big.scans.get(query, [])
        in_database = ms(big.database[query])
        figure = (
            f"{ms(took)} ({in_database} in the database) · {big.statements[query]} statements · "
            f"{indexes}"
        )
        if scans:
            figure += " · FULL SCAN: " + "; ".join(scans)
        goal, outcome = "—", "—"
        if name == "postgresql":
            goal = f"< {GOAL_MS:.0f} ms"
            outcome = verdict(took * 1000 < GOAL_MS, f"{took * 1000 / GOAL_MS:.1f}× over")
        rows.append(
            Row(
                "queries",
                f"{name} {query}, {big.deals:,} deals (median of {runs})",
                figure,
                f"{ms(base)} with {small.deals:,} deals",
                times(factor),
                goal,
                outcome,
            )
        )
    return rows
