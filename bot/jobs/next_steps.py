"""The next-step job: a DM of the steps due on a day without stand-up, at stand-up time."""

from __future__ import annotations

from datetime import datetime

from bot.runtime import Runtime
from bot.services.next_steps import remind_team, teams_to_remind
from bot.unit_of_work import unit
from models import SalesTeam


def run_next_steps(runtime: Runtime, now: datetime) -> int:
    """The next steps owed at `now`, one unit of work per team (as the stand-up job does)."""
    with unit(runtime, read_only=True, now=now) as session:
        team_ids = teams_to_remind(session, now)
    told = 0
    for team_id in team_ids:
        with unit(runtime, now=now) as session:
            team = session.get(SalesTeam, team_id)
            if team is not None:
                told += remind_team(session, team, now)
    return told
