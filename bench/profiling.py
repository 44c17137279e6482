"""Where a command's CPU goes: a sampling profile of this process, summarised as top frames.

py-spy (a sampling profiler, `pip install py-spy`, in the dev extras) is attached to this very
process while the profiled requests run: it samples every thread (bolt's listener threads as
well as the one dispatching) and leaves idle threads out, so the samples are where CPU was
spent; samples of a thread caught in a known wait (WAITING) are left out too. Without py-spy
(or when it cannot attach), cProfile profiles the dispatching thread and every listener call
instead, timed by each thread's CPU clock (deterministic, so its times include its own
overhead; the shares are what to read). Either way the profiled
requests are not the timed ones.

The summary: the share of samples by where the innermost frame is (SQL statements executing
in the driver and the database, SQLAlchemy, bolt, slack_sdk, Salesbot's own code, the standard
library, other packages), the share spent in the outbox sender's pass, the top frames by self
time, and Salesbot's own frames by inclusive time.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT

RATE = 250  # samples a second
# A raw py-spy frame is "function (path)": with --nolineno, --full-filenames.
SQL = "SQL in driver+DB"
SENDER_FRAME = "OutboxSender.deliver_due"
# Frames in which the driver is running a statement (sqlite3 and psycopg are C underneath
# these Python frames), and psycopg's own Python code.
_DRIVER_CALLS = {"do_execute", "do_executemany", "do_execute_no_params", "do_commit", "do_rollback"}
_DRIVER_PACKAGES = ("psycopg", "psycopg_binary", "psycopg_pool", "sqlite3")
_SALESBOT = ("bot", "handlers", "models")
# Innermost frames of a thread that is waiting, not working: py-spy's idle detection reads
# the thread's state, and on a loaded machine a thread just woken (runnable, not yet running)
# is sampled where it waits. bolt's request thread polls for the ack in a sleep loop; the
# listener pool's idle threads wait on their queue; the sender waits for Slack's answer.
WAITING = {
    ("_worker", "concurrent/futures/thread.py"),
    ("ThreadListenerRunner.run", "slack_bolt/listener/thread_runner.py"),
    ("Condition.wait", "threading.py"),
    ("Condition.wait_for", "threading.py"),
    ("Event.wait", "threading.py"),
    ("Thread._wait_for_tstate_lock", "threading.py"),
    ("SocketIO.readinto", "socket.py"),
    ("create_connection", "socket.py"),
    # psycopg waiting for PostgreSQL's answer: the server's CPU, not this process's.
    ("Connection.wait", "psycopg/connection.py"),
    # This module waiting for py-spy to attach.
    ("Profiler._py_spy", "bench/profiling.py"),
}


def waiting(frame: str) -> bool:
    """Whether a raw py-spy frame is one of the waits above."""
    name, path = _split(frame)
    return any(name == n and path.endswith(p) for n, p in WAITING)


@dataclass
class Profile:
    """Samples: each distinct stack (outermost first) and how often it was seen."""

    tool: str
    stacks: Counter[tuple[str, ...]] = field(default_factory=Counter)
    # Samples left out because the thread was waiting (see WAITING).
    waits: int = 0
    # cProfile only: (function, path) -> (self, inclusive) seconds.
    timings: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        if self.timings:
            return sum(own for own, _ in self.timings.values())
        return float(sum(self.stacks.values()))


def _split(frame: str) -> tuple[str, str]:
    name, _, rest = frame.partition(" (")
    return name, rest.rstrip(")")


def where(name: str, path: str) -> str:
    """The category of a frame: the package its file belongs to, or SQL in the driver."""
    base = name.rsplit(".", 1)[-1]
    if path.endswith("sqlalchemy/engine/default.py") and base in _DRIVER_CALLS:
        return SQL
    if path == "~":  # cProfile's built-in functions
        if "sqlite3" in name or "psycopg" in name:
            return SQL
        return "socket I/O" if "socket" in name or "select" in name else "builtins"
    parts = Path(path).parts
    if "site-packages" in parts:
        package = parts[parts.index("site-packages") + 1].split(".")[0]
        if package in _DRIVER_PACKAGES:
            return SQL
        return {"slack_bolt": "bolt", "sqlalchemy": "SQLAlchemy"}.get(package, package)
    try:
        inside = Path(path).resolve().relative_to(REPO_ROOT).parts
    except ValueError:
        inside = ()
    if inside and inside[0] in _SALESBOT:
        return "Salesbot"
    if inside and inside[0] == "bench":
        return "bench harness"
    if "python3" in path or "lib/python" in path:
        return "stdlib"
    return "other"


def _short(name: str, path: str) -> str:
    parts = Path(path).parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
    else:
        try:
            rest = Path(path).resolve().relative_to(REPO_ROOT).parts
        except ValueError:
            rest = parts[-1:]
    module = "/".join(rest).removesuffix(".py")
    return f"{module}:{name}"


def _is_salesbot(path: str) -> bool:
    try:
        inside = Path(path).resolve().relative_to(REPO_ROOT).parts
    except ValueError:
        return False
    return bool(inside) and inside[0] in _SALESBOT


def summary(profile: Profile, top: int = 5) -> str:
    """One line: categories, the sender's share, top self frames, top Salesbot frames."""
    total = profile.total
    if total <= 0:
        return f"{profile.tool}: no samples"
    own: Counter[tuple[str, str]] = Counter()
    inclusive: Counter[tuple[str, str]] = Counter()
    sender = 0.0
    if profile.timings:
        for key, (tt, ct) in profile.timings.items():
            own[key] += tt  # type: ignore[assignment]
            inclusive[key] += ct  # type: ignore[assignment]
        sender = sum(ct for (n, _), (_, ct) in profile.timings.items() if n == SENDER_FRAME)
        count = f"{total:.2f} s profiled"
    else:
        for stack, n in profile.stacks.items():
            frames = [_split(f) for f in stack]
            own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
            if any(name == SENDER_FRAME for name, _ in frames):
                sender += n
        count = f"{int(total)} samples ({profile.waits} more waiting, left out)"
    categories: Counter[str] = Counter()
    for (name, path), value in own.items():
        categories[where(name, path)] += value
    cats = ", ".join(f"{c} {v / total:.0%}" for c, v in categories.most_common(7))
    selfs = ", ".join(
        f"{_short(n, p)} {v / total:.0%}" for (n, p), v in own.most_common(top) if v / total >= 0.01
    )
    ours = [
        (key, value)
        for key, value in inclusive.most_common()
        if _is_salesbot(key[1]) and value / total < 0.995
    ][:top]
    salesbot = ", ".join(f"{_short(n, p)} {v / total:.0%}" for (n, p), v in ours)
    return (
        f"{profile.tool}, {count} · by innermost frame: {cats} · outbox sender {sender / total:.0%}"
        f" · top self: {selfs} · Salesbot inclusive: {salesbot}"
    )


def py_spy_binary() -> str | None:
    """py-spy next to this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    if beside.exists():
        return str(beside)
    return shutil.which("py-spy")


class Profiler:
    """Profiles blocks of this process with py-spy when it can, else with cProfile."""

    def __init__(self, workdir: Path, wrap_listeners: Callable[[Any], None]) -> None:
        self.workdir = workdir
        self.binary = py_spy_binary()
        self.why_not = "" if self.binary else "py-spy not installed"
        # Called with a wrapper for listener calls (cProfile) or None (py-spy, or done).
        self._wrap_listeners = wrap_listeners

    @contextmanager
    def profiling(self, label: str) -> Iterator[Profile]:
        """Profile the block; the Profile is filled in when it ends."""
        if self.binary and not self.why_not:
            profile = Profile(f"py-spy {RATE} Hz")
            with self._py_spy(label, profile):
                yield profile
            if profile.stacks:
                return
            # Fall through to cProfile next time: py-spy attached but saw nothing.
            self.why_not = "py-spy recorded no samples"
            return
        profile = Profile(f"cProfile ({self.why_not})")
        with self._cprofile(profile):
            yield profile

    @contextmanager
    def _py_spy(self, label: str, profile: Profile) -> Iterator[None]:
        out = self.workdir / f"py-spy-{label.replace('/', '').replace(' ', '-')}.txt"
        err = self.workdir / "py-spy.err"
        args = [
            str(self.binary),
            "record",
            "--pid",
            str(os.getpid()),
            "--rate",
            str(RATE),
            "--format",
            "raw",
            "--output",
            str(out),
            "--full-filenames",
            "--nolineno",
        ]
        with err.open("w") as errors:
            spy = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603
        # It says nothing when attached; a second is ample (the benchmark's threads are idle
        # meanwhile, and py-spy leaves idle threads out).
        time.sleep(1.0)
        if spy.poll() is not None:
            self.why_not = f"py-spy could not attach: {err.read_text()[-200:].strip()}"
            yield
            return
        try:
            yield
        finally:
            spy.send_signal(signal.SIGINT)
            try:
                spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()
        if out.exists():
            for line in out.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if not (stack and count.isdigit()):
                    continue
                frames = tuple(stack.split(";"))
                if waiting(frames[-1]):
                    profile.waits += int(count)
                else:
                    profile.stacks[frames] += int(count)

    @contextmanager
    def _cprofile(self, profile: Profile) -> Iterator[None]:
        profiles: list[cProfile.Profile] = []

        def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
            def profiled(*args: Any, **kwargs: Any) -> Any:
                listener = cProfile.Profile(time.thread_time)
                profiles.append(listener)
                return listener.runcall(fn, *args, **kwargs)

            return profiled

        # CPU time of the thread profiled (a wall clock would count bolt's ack polling sleep).
        main = cProfile.Profile(time.thread_time)
        profiles.append(main)
        self._wrap_listeners(wrap)
        main.enable()
        try:
            yield
        finally:
            main.disable()
            self._wrap_listeners(None)
        stats = pstats.Stats(profiles[0])
        for extra in profiles[1:]:
            stats.add(extra)
        raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
        for (path, _line, name), (_cc, _nc, tt, ct, _callers) in raw.items():
            key = (_qualified(name), path)
            before = profile.timings.get(key, (0.0, 0.0))
            profile.timings[key] = (before[0] + tt, before[1] + ct)


def _qualified(name: str) -> str:
    # cProfile names functions without their class; py-spy's names carry it. The sender's
    # pass is found by name, so give it its class here.
    return SENDER_FRAME if name == "deliver_due" else name
