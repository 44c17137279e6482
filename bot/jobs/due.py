"""The scheduled work that `salesbot clock` and `salesbot run-due` perform."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import or_, select

from bot.db import transaction
from bot.jobs.schedule import Job, RunReport, run_due
from bot.jobs.standups import run_standups
from bot.jobs.weekly import post_weekly_reports
from bot.runtime import Runtime
from bot.services.directory import sync_team_members
from bot.slack.directory import channel_profiles
from models import SalesTeam

log = logging.getLogger(__name__)

# Each job guards its items with unique keys, so overlapping runs never do anything twice.
DUE_JOBS: list[tuple[str, Job]] = [
    ("standups", run_standups),
    ("weekly-reports", post_weekly_reports),
]
TEAM_REFRESH_EVERY = timedelta(days=1)


def run_scheduled(runtime: Runtime, *, now: datetime) -> RunReport:
    """Everything due at `now`, once; then refresh team memberships that are a day old."""
    report = run_due(runtime, now=now, jobs=DUE_JOBS)
    if report.claimed:
        report.done["team-refresh"] = refresh_teams(runtime, now=now)
    return report


def refresh_teams(runtime: Runtime, *, now: datetime) -> int:
    """Bring each team's members in line with its channel, once a day (idempotent)."""
    with runtime.sessions() as session:
        teams = list(
            session.scalars(
                select(SalesTeam).where(
                    or_(
                        SalesTeam.members_refreshed_at.is_(None),
                        SalesTeam.members_refreshed_at <= now - TEAM_REFRESH_EVERY,
                    )
                )
            )
        )
    refreshed = 0
    for team in teams:
        try:
            profiles = channel_profiles(runtime, team.workspace_id, team.channel_id)
        except (SlackApiError, SlackClientError) as error:
            log.warning("team_refresh.failed team=%s error=%s", team.id, type(error).__name__)
            continue
        with transaction(runtime.sessions) as session:
            current = session.get(SalesTeam, team.id)
            if current is not None:
                sync_team_members(session, current, profiles, now=now)
                refreshed += 1
    return refreshed
