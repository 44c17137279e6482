"""The scheduled work that `salesbot clock` and `salesbot run-due` perform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.services.schedule import Job, RunReport, run_due

# Stand-ups and weekly reports add their jobs here; each guards its items with unique keys.
DUE_JOBS: list[tuple[str, Job]] = []


def run_scheduled(factory: sessionmaker[Session], *, now: datetime) -> RunReport:
    """Everything due at `now`, once."""
    return run_due(factory, now=now, jobs=DUE_JOBS)
