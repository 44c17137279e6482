"""Salesbot's benchmarks: `python -m bench [--quick]` or `salesbot bench [--quick]`.

Six benchmarks, one table on stdout (progress goes to stderr):

* ``ack``: ack latency of `/deal add` and `/deal list` through `salesbot serve`, beside a
  bare bolt app served the same way (the baseline), closed loop and open loop;
* ``cpu``: CPU per command in one process (seven commands, signed requests through the serve
  WSGI app, the sender's pass counted apart), beside the bare app's ack, with statement
  counts and a sampling profile of each;
* ``fanout``: the morning stand-up prompts of 2,000 members, without and with Slack's rate
  limits emulated by the stand-in;
* ``charts``: milliseconds per chart and per weekly report, and memory over many renders;
* ``queries``: the leaderboard, `/target team`, the weekly report's numbers and `/deal list`
  with a million deals;
* ``memory``: a `salesbot serve` worker's memory after many commands.

``--quick`` runs every benchmark at small sizes in a few minutes, so they cannot rot.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import platform
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.common import Options, Row, log, postgres_available, table

# name -> module with run_benchmark(options) -> list[Row]; run in this order.
BENCHMARKS = ("ack", "cpu", "fanout", "charts", "queries", "memory")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
FAILED = "FAILED"


def build_parser() -> argparse.ArgumentParser:
    """The command line of `python -m bench`."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run Salesbot's benchmarks and print one table."
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: every benchmark in a few minutes"
    )
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help=f"comma-separated benchmarks to run (default: all of {', '.join(BENCHMARKS)})",
    )
    parser.add_argument(
        "--no-postgres", action="store_true", help="skip the PostgreSQL cases (SQLite only)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="the PostgreSQL server to create (and drop) salesbot_bench_* databases on; a "
        "database named in the URL is ignored "
        f"(default: $BENCH_POSTGRES_URL or {DEFAULT_POSTGRES})",
    )
    return parser


def selected(only: str | None) -> list[str]:
    """The benchmarks asked for, in the standard order."""
    if not only:
        return list(BENCHMARKS)
    names = {name.strip() for name in only.split(",") if name.strip()}
    unknown = names - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    return [name for name in BENCHMARKS if name in names]


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks; print the table; 1 if a benchmark failed to run."""
    args = build_parser().parse_args(argv)
    names = selected(args.only)
    # A run stopped with SIGTERM (a timeout, `kill`) unwinds as Ctrl-C does: the servers it
    # started are stopped and its databases dropped, instead of left running.
    signal.signal(signal.SIGTERM, _stop)
    # Salesbot logs every message it sends at INFO: thousands of lines here, and time spent.
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="salesbot-bench-") as workdir:
        options = Options(
            quick=args.quick,
            postgres=not args.no_postgres,
            postgres_url=args.postgres_url,
            workdir=Path(workdir),
        )
        if options.postgres and (why := postgres_available(options)):
            log(f"PostgreSQL cases skipped: {why}")
            options.postgres = False
        log(
            f"{'quick' if args.quick else 'full'} run of {', '.join(names)} on "
            f"{platform.node()} (Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"load average {_load()})"
        )
        rows: list[Row] = []
        failed = False
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            run: Callable[[Options], list[Row]] = module.run_benchmark
            log(f"{name}: starting")
            try:
                rows += run(options)
            except Exception as error:
                traceback.print_exc(file=sys.stderr)
                reason = f"{type(error).__name__}: {error}"[:120]
                rows.append(Row(name, "did not complete", reason, verdict=FAILED))
                failed = True
            log(f"{name}: done (load average {_load()})")
    print(table(rows))
    return 1 if failed else 0


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)
