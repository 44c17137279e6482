"""The benchmarks still run: `python -m bench --quick` on a few of them, table printed.

Nothing here is timed: the figures depend on the machine. This only keeps the benchmark code
(servers under test, seeding, the stand-in, EXPLAIN parsing, the in-process harness, the
profiler, the open loop) from rotting as the bot changes. Without TEST_DATABASE_URL: the ack,
fan-out and query benchmarks on SQLite. With it: the fan-out and query benchmarks on SQLite
and on that PostgreSQL server, in databases of their own (salesbot_bench_<pid>_*, dropped
afterwards). `bench cpu` (small, on SQLite, and on PostgreSQL with TEST_DATABASE_URL) and one
open-loop level are run through their functions, so what each command did can be checked.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench import ack, cpu
from bench.common import HEADER, Options, postgres_url, salesbot_migrate
from bench.load import pool
from bench.servers import directory, launch_bare, launch_salesbot, reps, serving, set_up_team
from bot.dev.standin import DevSlack

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def bench_args() -> list[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        return ["--quick", "--only", "ack,fanout,queries", "--no-postgres"]
    parts = urlsplit(given)
    server = f"postgresql://{parts.netloc}"
    return ["--quick", "--only", "fanout,queries", "--postgres-url", server]


def test_quick_benchmarks_run_and_print_the_table() -> None:
    args = bench_args()
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert tuple(cell.strip() for cell in lines[0].strip("|").split("|")) == HEADER, done.stdout
    rows = [line for line in lines[2:] if line.startswith("|")]
    benchmarks = {row.split("|")[1].strip() for row in rows}
    expected = {"stand-up fan-out", "queries"}
    if "ack" in args[args.index("--only") + 1]:
        expected.add("ack latency")
    assert expected <= benchmarks, done.stdout
    assert not any("FAILED" in row for row in rows), done.stdout
    # Every case has a figure (skipped PostgreSQL cases say so).
    assert all(row.split("|")[3].strip() for row in rows), done.stdout


def _options(tmp_path: Path) -> Options:
    given = os.environ.get("TEST_DATABASE_URL")
    server = f"postgresql://{urlsplit(given).netloc}" if given else ""
    return Options(quick=True, postgres=bool(given), postgres_url=server, workdir=tmp_path)


def test_cpu_per_command_answers_every_command_and_does_it(tmp_path: Path) -> None:
    """`bench cpu`'s harness, small: every command answered 200 with what it should say, and
    what the commands should have done is in the database and at the stand-in."""
    options = _options(tmp_path)
    backends = [("sqlite", f"sqlite:///{tmp_path / 'cpu.db'}")]
    if options.postgres:
        backends.append(("postgresql", postgres_url(options, "cpu")))
    for name, url in backends:
        measured = cpu.measure(url, name, options, timed=4, profiled=2, warm=2)
        assert set(measured.costs) == {c.name for c in cpu.COMMANDS}
        for command, cost in measured.costs.items():
            assert cost.errors == [], (name, command, cost.errors)
            assert cost.answered == len(cost.request) == 4, (name, command)
            assert all(request > 0 for request in cost.request), (name, command)
            assert all(statements > 0 for statements, _ in cost.statements), (name, command)
        assert measured.bare.answered == 4 and not measured.bare.errors
        # Four reps added, won (crossing the 100 % tier: a grant and a post), checked in,
        # opened their App Home, and added again with it open (so it was redrawn).
        assert (
            measured.effects
            == measured.expected
            == {
                "deals added": 4,
                "deals won": 4,
                "100 % tiers granted": 4,
                "first wins granted": 4,
                "check-ins recorded": 4,
                "tier posts in the channel": 4,
                "App Homes published": 4,
                "App Homes redrawn after an add": 4,
            }
        )
        assert set(measured.profiles) == set(measured.costs)
        assert all(not cost.errors for cost in measured.profiled.values())
        rows = cpu.rows_for(measured)
        assert not any("FAILED" in row.verdict for row in rows)


def test_open_loop_answers_every_command_and_records_every_add(tmp_path: Path) -> None:
    """The open loop at a low rate against `salesbot serve` and the bare app: every request
    answered 200 with what it should say, every add in the database."""
    url = f"sqlite:///{tmp_path / 'open.db'}"
    salesbot_migrate(url)
    users = reps(5)
    with DevSlack() as dev, pool() as executor:
        directory(dev, users)
        bare = launch_bare(dev.api_url, workers=1)
        polled = launch_bare(dev.api_url, workers=1, polled=True)
        bot = launch_salesbot(url, dev.api_url, workers=1)
        with serving(bare, polled, bot):
            set_up_team(dev, bot)
            level = ack.open_level(
                executor,
                dev,
                bot,
                bare,
                users,
                url,
                rate=10,
                seconds=2.0,
                warmup=0.5,
                polled=polled,
            )
    assert level.bare.errors == 0 and level.bot.errors == 0, level.bot.first_error
    assert len(level.bot.latencies) == level.bot.due == 20
    assert len(level.bare.latencies) == level.bare.due == 20
    # bolt's default mode, beside it: every ack answered too.
    assert level.polled is not None and level.polled.errors == 0
    assert len(level.polled.latencies) == level.polled.due == 20
    # Every kind of command in the mix was sent and answered as it should be.
    assert set(level.bot.answered) == set(range(len(ack.MIX)))
    # 25 requests (2.5 s at 10 a second): numbers 1, 5, 8, 11, 15, 18 and 21 are adds.
    assert level.adds_sent == 7
    assert level.adds_recorded == level.adds_sent


def test_a_run_stopped_with_sigterm_stops_the_servers_it_started() -> None:
    bench = subprocess.Popen(
        [sys.executable, "-m", "bench", "--quick", "--only", "ack", "--no-postgres"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert bench.stderr is not None
        ports: list[int] = []
        for line in bench.stderr:
            if found := re.search(r"salesbot serve on :(\d+), bare app on :(\d+)", line):
                ports = [int(found[1]), int(found[2])]
                break
        assert ports, "the run never said where its servers listen"
        bench.send_signal(signal.SIGTERM)
        # Read to the end: the run logs as it stops, and must not block on a full pipe.
        bench.communicate(timeout=60)
        assert bench.returncode == 128 + signal.SIGTERM
    finally:
        if bench.poll() is None:
            bench.kill()
    for port in ports:
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
