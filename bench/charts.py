"""3. Charts: milliseconds per chart, per weekly report, and memory over many renders.

* each of the five charts on a typical team's data (10 members, CJK names among them, 12
  weeks, 4 open stages, a funnel of 5 steps, a waterfall of 7): median of 20 renders after
  one warm-up render;
* the weekly report of 50 teams, as the clock posts it: `weekly_report` then `render_report`,
  on a seeded SQLite database (10 members per team, 40 deals each over the last 120 days);
* resident memory (RSS from /proc/self/statm) after 500 renders against after 10, in a fresh
  process (`python -m bench.charts --memory 10 500`) so nothing else moves its memory. The
  first hundred renders fill matplotlib's caches, so the leak check compares the end with the
  halfway point: a leak keeps growing there, a warm cache does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench.common import (
    INFO,
    NOW,
    ZONE,
    Options,
    Row,
    child_env,
    create_database,
    drop_database,
    log,
    median,
    mib,
    ms,
    ratio,
    rss_of,
    run_checked,
    times,
    verdict,
)
from bot import charts
from bot.charts import FunnelStep, MemberBar, MovementStep, StageBar, WeekPoint

# No leak: after the caches have warmed up, the second half of the renders adds under 5%.
LEAK_GOAL = 1.05
WARM_RENDERS = 200
CURRENCY = "CNY"


def _inputs() -> tuple[list[MemberBar], list[WeekPoint], list[StageBar]]:
    names = [
        "李雷",
        "王芳",
        "Amy Chen",
        "Bob Smith",
        "さくら",
        "김민수",
        "Zed",
        "陈静",
        "Omar",
        "Lin",
    ]
    members = [
        MemberBar(name, Decimal(15_000 * (i + 1)), Decimal(100_000) if i % 4 else None)
        for i, name in enumerate(names)
    ]
    monday = date(2026, 9, 21)
    weeks = [
        WeekPoint(monday + timedelta(weeks=i), Decimal((i * 37_000) % 160_000)) for i in range(12)
    ]
    stages = [
        StageBar("Lead", 24, Decimal(640_000), Decimal(64_000)),
        StageBar("Qualified", 14, Decimal(410_000), Decimal(102_500)),
        StageBar("Proposal", 8, Decimal(260_000), Decimal(130_000)),
        StageBar("Negotiation", 3, Decimal(150_000), Decimal(112_500)),
    ]
    return members, weeks, stages


FUNNEL = [
    FunnelStep("Lead", 40, None),
    FunnelStep("Qualified", 31, Decimal("77.5")),
    FunnelStep("Proposal", 25, Decimal("80.6")),
    FunnelStep("Negotiation", 18, Decimal("72.0")),
    FunnelStep("Won", 12, Decimal("66.7"), won=True),
]
MOVEMENT = [
    MovementStep("Open at the start", Decimal(1_460_000), "total"),
    MovementStep("New", Decimal(310_000), "up"),
    MovementStep("Increased", Decimal(45_000), "up"),
    MovementStep("Decreased", Decimal(30_000), "down"),
    MovementStep("Lost", Decimal(120_000), "down"),
    MovementStep("Won", Decimal(205_000), "won"),
    MovementStep("Open at the end", Decimal(1_460_000), "total"),
]


def renderers() -> dict[str, Callable[[], bytes]]:
    """The five weekly charts, each a no-argument call that returns PNG bytes."""
    members, weeks, stages = _inputs()
    return {
        "member progress": lambda: charts.member_progress_chart(
            members,
            title="Progress to December 2026 targets",
            currency=CURRENCY,
        ),
        "won per week": lambda: charts.weekly_won_chart(
            weeks,
            weekly_pace=Decimal(80_000),
            title="Won per week, last 12 weeks",
            currency=CURRENCY,
        ),
        "pipeline by stage": lambda: charts.pipeline_chart(
            stages,
            title="Open pipeline by stage",
            currency=CURRENCY,
        ),
        "stage conversion": lambda: charts.funnel_chart(
            FUNNEL, title="Stage conversion, deals closed in the last 12 weeks"
        ),
        "pipeline movement": lambda: charts.movement_chart(
            MOVEMENT, title="Pipeline movement · Week of Dec 7", currency=CURRENCY
        ),
    }


def run_benchmark(options: Options) -> list[Row]:
    """Per chart, per weekly report, and memory."""
    rows = _per_chart(options.size(20, 3))
    rows += _reports(options, teams=options.size(50, 3))
    rows += _memory(first=10, last=options.size(500, 20))
    return rows


def _per_chart(runs: int) -> list[Row]:
    rows = []
    for name, render in renderers().items():
        render()  # fonts, caches
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            png = render()
            samples.append(time.perf_counter() - started)
        rows.append(
            Row(
                "charts",
                f"{name} chart (median of {runs})",
                f"{ms(median(samples))} per chart · {len(png) // 1024} KiB PNG",
            )
        )
        log(f"charts: {rows[-1].case}: {rows[-1].figure}")
    return rows


def _reports(options: Options, *, teams: int) -> list[Row]:
    from bench.seed import seed_deals, seed_org
    from bot.db import make_engine, make_session_factory
    from bot.domain.periods import period_of
    from bot.jobs.report_charts import render_report
    from bot.migrate import upgrade
    from bot.services.reports import weekly_report
    from models import SalesTeam

    url = f"sqlite:///{options.workdir / 'charts.db'}"
    create_database(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        org = seed_org(engine, teams=teams, per_team=10, prompt_days=14)
        seed_deals(engine, org, teams * 10 * 40, history_days=120)
        today = NOW.astimezone(ZoneInfo(ZONE)).date()
        week = period_of("week", today - timedelta(days=7))
        sessions = make_session_factory(engine)
        numbers: list[float] = []
        drawing: list[float] = []
        charts_made = 0
        with sessions() as session:
            for team_id in org.team_ids:
                team = session.get(SalesTeam, team_id)
                assert team is not None
                started = time.perf_counter()
                report = weekly_report(session, team, week=week, now=NOW, charts=True)
                counted = time.perf_counter()
                charts_made += len(render_report(report))
                numbers.append(counted - started)
                drawing.append(time.perf_counter() - counted)
    finally:
        engine.dispose()
        drop_database(url)
    total = sum(numbers) + sum(drawing)
    per_report = [n + d for n, d in zip(numbers, drawing, strict=True)]
    row = Row(
        "charts",
        f"weekly reports of {teams} teams (weekly_report + render_report)",
        f"{total:.1f} s in all · {ms(median(per_report))} per report "
        f"(numbers {ms(median(numbers))} + {charts_made // teams} charts {ms(median(drawing))})",
    )
    log(f"charts: {row.case}: {row.figure}")
    return [row]


def _memory(*, first: int, last: int) -> list[Row]:
    output = run_checked(
        [sys.executable, "-m", "bench.charts", "--memory", str(first), str(last)],
        env=child_env(),
    )
    measured = json.loads(output.strip().splitlines()[-1])
    early, late = int(measured["early"]), int(measured["late"])
    halfway, halfway_at = int(measured["halfway"]), int(measured["halfway_at"])
    growth = ratio(late, early)
    leak = ratio(late, halfway)
    row = Row(
        "charts",
        f"RSS after {last} renders vs after {first} (fresh process)",
        f"{mib(late)} after {last} ({mib(halfway)} after {halfway_at})",
        f"{mib(early)} after {first}",
        times(growth),
        f"no leak: ≤ {LEAK_GOAL:.2f}× from {halfway_at} to {last}",
        # Fewer renders than this end inside the cache warm-up: nothing to judge.
        verdict(leak <= LEAK_GOAL, f"{leak:.2f}× in the second half")
        if last >= WARM_RENDERS
        else f"{INFO} (too few renders to judge)",
    )
    log(f"charts: {row.case}: {row.figure} ({row.ratio})")
    return [row]


def memory_probe(first: int, last: int) -> dict[str, int]:
    """Render the three charts in turn; RSS after `first` renders, halfway, and after `last`."""
    calls = list(renderers().values())
    halfway = (first + last) // 2
    measured: dict[str, int] = {}
    for n in range(1, last + 1):
        calls[n % len(calls)]()
        if n == first:
            measured["early"] = rss_of()
        if n == halfway:
            measured["halfway"] = rss_of()
    measured["late"] = rss_of()
    measured["halfway_at"] = halfway
    return measured


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.charts --memory FIRST LAST`: print the memory probe as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.charts")
    parser.add_argument("--memory", nargs=2, type=int, metavar=("FIRST", "LAST"), required=True)
    args = parser.parse_args(argv)
    print(json.dumps(memory_probe(*args.memory)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
