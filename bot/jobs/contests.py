"""The contest job: each minute, every contest's start posts, standings edit, result and
corrections, one unit of work per contest (each guarded by its own unique keys)."""

from __future__ import annotations

from datetime import datetime

from bot.db import reading
from bot.runtime import Runtime
from bot.services import contests
from bot.unit_of_work import unit


def run_contests(runtime: Runtime, now: datetime) -> int:
    """Advance each contest at `now`; how many posts and edits they owed."""
    with reading(runtime.sessions) as session:
        due = contests.due(session, now)
    owed = 0
    for contest_id in due:
        with unit(runtime, now=now) as session:
            owed += contests.advance(session, contest_id, now)
    return owed
