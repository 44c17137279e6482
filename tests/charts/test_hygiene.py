"""No pyplot, no memory growth over many renders, and fast enough to render inline."""

from __future__ import annotations

import gc
import os
import resource
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from bot.charts import (
    MemberBar,
    empty_chart,
    member_progress_chart,
    pipeline_chart,
    weekly_won_chart,
)
from tests.charts.helpers import CJK_NAMES, STAGES, WEEKS

BOT = Path(__file__).resolve().parents[2] / "bot"
TEAM = [
    MemberBar(f"{CJK_NAMES.split()[i % 4]} {i}", Decimal(i * 700), Decimal(20000))
    for i in range(40)
]

RENDERS: list[Callable[[], bytes]] = [
    lambda: member_progress_chart(TEAM, title="进度 Progress", currency="CNY", lang="zh"),
    lambda: weekly_won_chart(WEEKS, weekly_pace=Decimal(35000), title="Won", currency="USD"),
    lambda: pipeline_chart(STAGES, title="Pipeline", currency="USD"),
    lambda: empty_chart("No deals yet", title="Weekly report"),
]


def test_bot_never_uses_pyplot() -> None:
    offenders = [
        str(path.relative_to(BOT.parent))
        for path in sorted(BOT.rglob("*.py"))
        if "pyplot" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def _rss_mib() -> float:
    """Return the resident set size now (peak size where /proc is missing), in MiB."""
    gc.collect()
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    # ru_maxrss is a peak in KiB (bytes on macOS); either way it stays flat without a leak.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Memory over 500 renders is measured by the benchmarks (bench/charts), not asserted here.
