"""The benchmarks still run: `python -m bench --quick` on a few of them, table printed.

Nothing here is timed: the figures depend on the machine. This only keeps the benchmark code
(servers under test, seeding, the stand-in, EXPLAIN parsing) from rotting as the bot changes.
Without TEST_DATABASE_URL: the ack, fan-out and query benchmarks on SQLite. With it: the
fan-out and query benchmarks on SQLite and on that PostgreSQL server, in databases of their own
(salesbot_bench_<pid>_*, dropped afterwards).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.common import HEADER

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
