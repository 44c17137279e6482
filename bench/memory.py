"""5. Memory: the resident memory of one `salesbot serve` worker over many commands.

`salesbot serve` with WEB_CONCURRENCY=1 (one gthread worker, 8 threads), on PostgreSQL (the
production database; SQLite in quick runs and when PostgreSQL is skipped). After
`/salesbot setup`, 8 clients (one per thread) send a mix of commands (30% `/deal add`,
40% `/deal list`, 15% `/deal pipeline`, 15% `/deal leaderboard`); the worker's RSS
(/proc/<pid>/statm, the pid read from the gunicorn master's children) is read after 100
commands, halfway and after 10,000 (quick: 1,000), each time once the worker's outbox has been
delivered and it has gone quiet. The leak check compares the end with the halfway point.
"""

from __future__ import annotations

from bench.common import (
    SIGNING_SECRET,
    Options,
    Row,
    create_database,
    drop_database,
    log,
    mib,
    postgres_url,
    ratio,
    rss_of,
    salesbot_migrate,
    times,
    verdict,
)
from bench.load import Load, pool, run
from bench.servers import CHANNEL, directory, reps, salesbot_serve, set_up_team, settle
from bot.dev.standin import DevSlack

# No leak: the second half of the commands adds under 5% to the worker's memory.
LEAK_GOAL = 1.05
FIRST = 100
CLIENTS = 8  # one per gthread thread
MIX = (  # 30% add, 40% list, 15% pipeline, 15% leaderboard, interleaved
    "add Mem{n} {k}k proposal",
    "list",
    "pipeline",
    "list",
    "leaderboard",
    "add Mem{n} {k}k lead",
    "list",
    "pipeline",
    "list",
    "add Mem{n} {k}k",
    "leaderboard",
    "list",
    "add Mem{n} {k}k negotiation",
    "pipeline",
    "list",
    "leaderboard",
    "add Mem{n} {k}k qualified",
    "list",
    "add Mem{n} {k}k",
    "list",
)


def run_benchmark(options: Options) -> list[Row]:
    """RSS of the only worker after FIRST commands and after many more."""
    total = options.size(10_000, 1_000)
    # Quick runs keep to SQLite: a little faster per command, and they only guard against rot.
    if options.postgres and not options.quick:
        name, url = "postgresql", postgres_url(options, "memory")
    else:
        name, url = "sqlite", f"sqlite:///{options.workdir / 'memory.db'}"
    users = reps(CLIENTS)
    create_database(url)
    salesbot_migrate(url)
    try:
        with (
            DevSlack() as dev,
            pool() as executor,
            salesbot_serve(url, dev.api_url, workers=1) as bot,
        ):
            directory(dev, users)
            set_up_team(dev, bot)
            (worker,) = bot.workers()

            failures: list[str] = []

            def send(requests: int) -> None:
                load = Load(
                    port=bot.port,
                    secret=SIGNING_SECRET,
                    command="/deal",
                    texts=MIX,
                    users=tuple(users),
                    clients=len(users),
                    requests=requests,
                    channel=CHANNEL,
                )
                result = executor.submit(run, load).result()
                failures.extend([result.first_error] * result.errors)
                settle(dev)

            send(FIRST)
            early = rss_of(worker)
            log(f"memory[{name}]: worker {worker} at {mib(early)} after {FIRST} commands")
            halfway_at = (FIRST + total) // 2
            send(halfway_at - FIRST)
            halfway = rss_of(worker)
            send(total - halfway_at)
            late = rss_of(worker)
            log(f"memory[{name}]: worker {worker} at {mib(late)} after {total} commands")
            if bot.workers() != [worker]:
                raise RuntimeError("the gunicorn worker was replaced during the run")
    finally:
        drop_database(url)
    growth, leak = ratio(late, early), ratio(late, halfway)
    per_thousand = (late - halfway) / (total - halfway_at) * 1000
    figure = (
        f"{mib(late)} after {total:,} ({mib(halfway)} after {halfway_at:,}; second half "
        f"{per_thousand / 1024:+.0f} KiB per 1,000 commands)"
    )
    if failures:
        # bolt answers 404 "unhandled request" when a listener has not acked within 3 s.
        figure += f" · {len(failures)} commands failed ({failures[0][:50]})"
    return [
        Row(
            "memory",
            f"{name} serve worker RSS after {total:,} commands vs {FIRST} (WEB_CONCURRENCY=1)",
            figure,
            f"{mib(early)} after {FIRST}",
            times(growth),
            f"no leak: ≤ {LEAK_GOAL:.2f}× from {halfway_at:,} to {total:,}",
            verdict(leak <= LEAK_GOAL, f"{leak:.2f}× in the second half"),
        )
    ]
