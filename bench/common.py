"""What every benchmark shares: options, the result table, statistics, processes and memory."""

from __future__ import annotations

import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
# Made-up credentials: the servers under test only ever talk to the local Slack stand-in.
SIGNING_SECRET = "bench-signing-secret-0123456789"  # noqa: S105
BOT_TOKEN = "xoxb-bench-token-0123456789"  # noqa: S105
# Tuesday 15 December 2026, 09:30 in Shanghai: a stand-up morning, not a weekly-report one.
NOW = datetime(2026, 12, 15, 1, 30, tzinfo=UTC)
ZONE = "Asia/Shanghai"
WORKSPACE = "T1"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

MET = "met"
NOT_MET = "NOT met"
INFO = "—"
SKIPPED = "skipped"


@dataclass(frozen=True)
class Row:
    """One line of the result table."""

    benchmark: str
    case: str
    figure: str
    baseline: str = INFO
    ratio: str = INFO
    goal: str = INFO
    verdict: str = INFO


@dataclass
class Options:
    """How this run was asked for."""

    quick: bool
    postgres: bool
    postgres_url: str
    workdir: Path
    # Names this run's PostgreSQL databases apart from those of any other run.
    run: str = field(default_factory=lambda: str(os.getpid()))

    def size(self, full: int, quick: int) -> int:
        """The full-run size, or the quick one."""
        return quick if self.quick else full

    def seconds(self, full: float, quick: float) -> float:
        """The full-run duration, or the quick one."""
        return quick if self.quick else full


HEADER = ("benchmark", "case", "figure", "baseline", "ratio", "goal", "verdict")


def table(rows: Sequence[Row]) -> str:
    """The rows as one Markdown table, columns padded so it also reads well in a terminal."""
    cells = [HEADER] + [
        (r.benchmark, r.case, r.figure, r.baseline, r.ratio, r.goal, r.verdict) for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER))]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(c) for c in cells[1:])])


_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    print(f"[bench {time.monotonic() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (p99 of 100 values is the 99th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The median, NaN for no values."""
    return statistics.median(values) if values else math.nan


def ms(seconds: float) -> str:
    """Seconds as milliseconds with sensible precision."""
    value = seconds * 1000
    if math.isnan(value):
        return "n/a"
    if value < 10:
        return f"{value:.2f} ms"
    if value < 100:
        return f"{value:.1f} ms"
    return f"{value:.0f} ms"


def ratio(value: float, base: float) -> float:
    """value / base, NaN when there is no base."""
    return value / base if base > 0 and not math.isnan(base) else math.nan


def times(value: float) -> str:
    """A ratio as `1.23×`."""
    return "n/a" if math.isnan(value) else f"{value:.2f}×"


def mib(size: int) -> str:
    """Bytes as MiB."""
    return f"{size / 2**20:.1f} MiB"


def verdict(ok: bool, shortfall: str = "") -> str:
    """`met`, or `NOT met` with by how much."""
    return MET if ok else f"{NOT_MET} ({shortfall})" if shortfall else NOT_MET


# --------------------------------------------------------------------------- memory


def rss_of(pid: int | None = None) -> int:
    """Resident set size in bytes, from /proc/<pid>/statm (this process by default)."""
    path = Path("/proc/self/statm") if pid is None else Path(f"/proc/{pid}/statm")
    resident = int(path.read_text().split()[1])
    return resident * PAGE_SIZE


def children_of(pid: int) -> list[int]:
    """A process's child pids, from /proc/<pid>/task/*/children."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**values: str) -> dict[str, str]:
    """The environment for a Salesbot child process: no stray Slack settings, repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env.update(values)
    return env


def run_checked(args: Sequence[str], env: dict[str, str] | None = None) -> str:
    """Run a short command to completion; its output, or an error with what it said."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and PostgreSQL's tools
        list(args), env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def salesbot_migrate(*database_urls: str) -> None:
    """`salesbot migrate` in child processes (one per database, in parallel), as an operator
    would run it."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "migrate"],
            env=child_env(DATABASE_URL=url, LOG_LEVEL="WARNING"),
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for url in database_urls
    ]
    for proc in procs:
        _, errors = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"salesbot migrate failed ({proc.returncode}): {errors[-2000:]!r}")


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until GET /healthz answers 200 (or fail if the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{base_url} never became healthy")


def stop(*procs: subprocess.Popen[bytes]) -> None:
    """Stop servers we started, all at once (gunicorn shuts its workers down on SIGTERM)."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --------------------------------------------------------------------------- databases


@dataclass(frozen=True)
class Backend:
    """A database to benchmark on: its name in the table and its SQLAlchemy URL."""

    name: str
    url: str


def postgres_url(options: Options, label: str) -> str:
    """The SQLAlchemy URL of this run's `label` database: salesbot_bench_<run>_<label>, so
    runs going on at the same time never share (or drop) each other's databases."""
    database = f"salesbot_bench_{options.run}_{label}"
    # Only the server is taken from the configured URL; a database named in it is ignored.
    return f"postgresql+psycopg://{urlsplit(options.postgres_url).netloc}/{database}"


def _pg_args(url: str) -> tuple[list[str], str]:
    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    if not database.startswith("salesbot_bench"):
        raise ValueError(f"refusing to touch {database}: benchmarks only use salesbot_bench*")
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres"]
    return args, database


def clone_database(source: str, target: str) -> None:
    """A copy of a seeded database (nobody may be connected to it): SQLite copies the file,
    PostgreSQL creates the copy from it as a template."""
    create_database(target)
    if source.startswith("sqlite"):
        origin, copy = source.removeprefix("sqlite:///"), target.removeprefix("sqlite:///")
        for suffix in ("", "-wal"):
            if Path(origin + suffix).exists():
                shutil.copyfile(origin + suffix, copy + suffix)
        return
    args, database = _pg_args(target)
    _, template = _pg_args(source)
    run_checked(["dropdb", *args, "--if-exists", database])
    run_checked(["createdb", *args, "--template", template, database])


def create_database(url: str) -> None:
    """A fresh, empty salesbot_bench* database (dropped first if a previous run left it)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    args, database = _pg_args(url)
    run_checked(["dropdb", *args, "--if-exists", database])
    run_checked(["createdb", *args, database])


def drop_database(url: str) -> None:
    """Remove a benchmark database we created."""
    if url.startswith("sqlite"):
        create_database(url)
        return
    args, database = _pg_args(url)
    run_checked(["dropdb", *args, "--if-exists", database])


def postgres_available(options: Options) -> str | None:
    """None when PostgreSQL can be used, else why not."""
    for tool in ("createdb", "dropdb"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    parts = urlsplit(options.postgres_url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            pass
    except OSError as error:
        return f"no PostgreSQL at {parts.hostname}:{parts.port or 5432} ({error})"
    return None


@contextmanager
def timer() -> Iterator[list[float]]:
    """`with timer() as t: ...` then t[0] is the elapsed seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)
