"""Scheduled work: run everything due at an instant, each piece at most once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.db import transaction
from bot.runtime import Runtime
from bot.services.once import claim

log = logging.getLogger(__name__)

# A job does what is due at `now` in transactions of its own and returns how many things it
# did. Jobs guard each item with their own unique keys (team, member, local date), so a job may
# be run for overlapping instants by several processes without doing anything twice.
Job = Callable[[Runtime, datetime], int]


@dataclass
class RunReport:
    """What one run-due call did."""

    instant: datetime
    claimed: bool
    done: dict[str, int] = field(default_factory=dict)


def run_key(instant: datetime) -> str:
    """The key of the run for the minute containing `instant`."""
    return "run-due:" + instant.replace(second=0, microsecond=0).isoformat()


def run_due(runtime: Runtime, *, now: datetime, jobs: Sequence[tuple[str, Job]]) -> RunReport:
    """Run every job for the minute of `now`, once however many callers race for it."""
    with transaction(runtime.sessions) as session:
        claimed = claim(session, run_key(now), now=now)
    report = RunReport(instant=now, claimed=claimed)
    if not claimed:
        log.info("run_due.skipped already ran for %s", run_key(now))
        return report
    for name, job in jobs:
        report.done[name] = job(runtime, now)
    return report
