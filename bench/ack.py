"""1. Ack latency: `/deal add` and `/deal list` through `salesbot serve`, beside a bare bolt app.

Both servers run under gunicorn (gthread, WEB_CONCURRENCY=2, 8 threads) as subprocesses;
signed slash commands arrive over real HTTP from 1, 10 and 50 closed-loop clients on kept-alive
connections. The latency is from sending the request to having read the whole answer, i.e.
the ack Slack waits for (3 s at most). Each Salesbot level is measured right after the same
level against the bare app, so both see the same machine.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from bench.common import (
    INFO,
    SIGNING_SECRET,
    SKIPPED,
    Backend,
    Options,
    Row,
    create_database,
    drop_database,
    log,
    ms,
    percentile,
    postgres_url,
    ratio,
    salesbot_migrate,
    times,
    verdict,
)
from bench.load import Load, LoadResult, pool, run
from bench.servers import (
    CHANNEL,
    Server,
    directory,
    launch_bare,
    launch_salesbot,
    reps,
    serving,
    set_up_team,
)
from bench.servers import settle as wait_until_quiet
from bot.dev.standin import DevSlack

WORKERS = 2
CONCURRENCY = (1, 10, 50)
COMMANDS = {
    "list": ("list",),
    "add": ("add Cust{n} {k}k proposal",),
}
RATIO_GOAL = 1.5
P99_CEILING = 1.0  # seconds; Slack gives up after 3 s


def _load(
    server: Server,
    texts: tuple[str, ...],
    users: list[str],
    *,
    clients: int,
    seconds: float = 0.0,
    warmup: float = 0.0,
    requests: int = 0,
    expect: str = "",
) -> Load:
    return Load(
        port=server.port,
        secret=SIGNING_SECRET,
        command="/deal",
        texts=texts,
        users=tuple(users),
        clients=clients,
        seconds=seconds,
        warmup=warmup,
        requests=requests,
        channel=CHANNEL,
        expect=expect,
    )


def _figure(result: LoadResult) -> str:
    lat = result.latencies
    text = (
        f"p50 {ms(percentile(lat, 50))} · p99 {ms(percentile(lat, 99))} · "
        f"max {ms(max(lat) if lat else math.nan)} · {result.per_second:.0f} req/s"
    )
    if result.errors:
        text += f" · {_errors(result.errors)} ({result.first_error[:60]})"
    return text


def _errors(count: int) -> str:
    return f"{count} error" if count == 1 else f"{count} errors"


def _goal(clients: int, bot: LoadResult, bare: LoadResult) -> tuple[str, str]:
    p99 = percentile(bot.latencies, 99)
    factor = ratio(p99, percentile(bare.latencies, 99))
    if bot.errors:
        return "no errors", verdict(False, _errors(bot.errors))
    if clients == 10:
        return f"p99 ≤ {RATIO_GOAL}× bare", verdict(
            factor <= RATIO_GOAL, f"{factor / RATIO_GOAL:.1f}× over the goal"
        )
    if clients == 50:
        return f"p99 < {P99_CEILING:.0f} s (Slack: 3 s)", verdict(
            p99 < P99_CEILING, f"{p99 / P99_CEILING:.1f}× over"
        )
    return INFO, INFO


def run_benchmark(options: Options) -> list[Row]:
    """Every level on SQLite and PostgreSQL, beside the bare app."""
    seconds = options.seconds(6.0, 0.5)
    warmup = options.seconds(1.0, 0.15)
    users = reps(max(CONCURRENCY))
    targets: list[tuple[str, Backend | None]] = [
        ("sqlite", Backend("sqlite", f"sqlite:///{options.workdir / 'ack.db'}")),
        (
            "postgresql",
            Backend("postgresql", postgres_url(options, "ack")) if options.postgres else None,
        ),
    ]
    present = [backend for _, backend in targets if backend is not None]
    for database in present:
        create_database(database.url)
    rows: list[Row] = []
    try:
        salesbot_migrate(*(database.url for database in present))
        with DevSlack() as dev, pool() as executor:
            directory(dev, users)
            bare = launch_bare(dev.api_url, workers=WORKERS)
            bots = {b.name: launch_salesbot(b.url, dev.api_url, workers=WORKERS) for b in present}
            with serving(bare, *bots.values()):
                for name, target in targets:
                    if target is None:
                        rows += [
                            Row(
                                "ack latency",
                                f"{name} /deal {command} ×{c}",
                                SKIPPED,
                                verdict=SKIPPED,
                            )
                            for command in COMMANDS
                            for c in CONCURRENCY
                        ]
                        continue
                    bot = bots[name]
                    log(f"ack[{name}]: salesbot serve on :{bot.port}, bare app on :{bare.port}")
                    set_up_team(dev, bot)
                    # Every rep records some deals first: /deal list has something to list,
                    # and both servers are warm before anything is timed.
                    per_rep = options.size(10, 1)
                    warm = _load(
                        bot,
                        COMMANDS["add"],
                        users,
                        clients=len(users),
                        requests=per_rep * len(users),
                    )
                    executor.submit(run, warm).result()
                    wait_until_quiet(dev)
                    rows += _levels(executor, dev, bot, bare, users, name, seconds, warmup)
    finally:
        for database in present:
            drop_database(database.url)
    return rows


def _levels(
    executor: ProcessPoolExecutor,
    dev: DevSlack,
    bot: Server,
    bare: Server,
    users: list[str],
    name: str,
    seconds: float,
    warmup: float,
) -> list[Row]:
    rows = []
    for command, texts in COMMANDS.items():
        for clients in CONCURRENCY:
            bare_load = _load(bare, texts, users, clients=clients, seconds=seconds, warmup=warmup)
            bare_result = executor.submit(run, bare_load).result()
            expect = "Added" if command == "add" else "open deals"
            bot_load = replace(bare_load, port=bot.port, expect=expect)
            bot_result = executor.submit(run, bot_load).result()
            wait_until_quiet(dev)
            goal, outcome = _goal(clients, bot_result, bare_result)
            p99_ratio = ratio(
                percentile(bot_result.latencies, 99), percentile(bare_result.latencies, 99)
            )
            rows.append(
                Row(
                    "ack latency",
                    f"{name} /deal {command} ×{clients}",
                    _figure(bot_result),
                    _figure(bare_result),
                    times(p99_ratio) + " p99",
                    goal,
                    outcome,
                )
            )
            log(f"ack[{name}] /deal {command} ×{clients}: {rows[-1].figure}")
    return rows
