"""The scheduled work that `salesbot clock` and `salesbot run-due` perform."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import or_, select

from bot.db import reading
from bot.jobs.contests import run_contests
from bot.jobs.key_deals import run_key_deals
from bot.jobs.next_steps import run_next_steps
from bot.jobs.schedule import Job, RunReport, run_due
from bot.jobs.standups import run_standups
from bot.jobs.weekly import post_weekly_reports
from bot.runtime import Runtime
from bot.services import roster
from bot.slack.directory import channel_profiles, fetch_profile
from bot.sync.poll import run_polls
from bot.unit_of_work import unit
from models import SalesTeam

log = logging.getLogger(__name__)

# Each job guards its items with unique keys, so overlapping runs never do anything twice.
DUE_JOBS: list[tuple[str, Job]] = [
    ("standups", run_standups),
    ("weekly-reports", post_weekly_reports),
    ("key-deals", run_key_deals),
    ("next-steps", run_next_steps),
    ("crm-poll", run_polls),
    ("contests", run_contests),
]
TEAM_REFRESH_EVERY = timedelta(days=1)


def run_scheduled(runtime: Runtime, *, now: datetime) -> RunReport:
    """Everything due at `now`, once; then refresh team memberships that are a day old."""
    report = run_due(runtime, now=now, jobs=DUE_JOBS)
    if report.claimed:
        report.done["team-refresh"] = refresh_teams(runtime, now=now)
    return report


def refresh_teams(runtime: Runtime, *, now: datetime) -> int:
    """Once a day, bring each team's members in line with Slack (idempotent): the channel's
    people join, and members Slack deactivated are taken out, their managers told once.

    Slack is asked first, outside any transaction (as a command naming a person is), about
    the channel and about the team's members who are not in it."""
    with reading(runtime.sessions) as session:
        teams = [
            (team.id, team.workspace_id, team.channel_id, roster.member_ids(session, team))
            for team in session.scalars(
                select(SalesTeam)
                .where(
                    or_(
                        SalesTeam.members_refreshed_at.is_(None),
                        SalesTeam.members_refreshed_at <= now - TEAM_REFRESH_EVERY,
                    )
                )
                .order_by(SalesTeam.id)
            )
        ]
    refreshed = 0
    for team_id, workspace_id, channel_id, members in teams:
        try:
            channel = channel_profiles(runtime, workspace_id, channel_id)
        except (SlackApiError, SlackClientError) as error:
            log.warning("team_refresh.failed team=%s error=%s", team_id, type(error).__name__)
            continue
        in_channel = {profile.user_id for profile in channel}
        # A member Slack cannot be asked about just now stays as they are until the next day.
        others = [
            profile
            for user_id in members
            if user_id not in in_channel
            and (profile := fetch_profile(runtime, workspace_id, user_id)) is not None
        ]
        with unit(runtime, now=now) as session:
            current = session.get(SalesTeam, team_id)
            if current is not None:
                removed = roster.refresh_team(session, current, channel, others=others, now=now)
                if removed:
                    log.info("team_refresh.deactivated team=%s removed=%s", team_id, removed)
                refreshed += 1
    return refreshed
