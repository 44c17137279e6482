"""The stand-up job: prompts, day messages, reminders and closes owed at an instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.runtime import Runtime
from bot.services.standups import close_days, prompt_team, send_reminders, teams_to_prompt
from bot.unit_of_work import unit
from models import SalesTeam


@dataclass
class Counts:
    """What one pass of the stand-up job did."""

    prompts: int = 0
    reminders: int = 0
    closed: int = 0


def run_standups(runtime: Runtime, now: datetime) -> int:
    """Everything stand-ups owe at `now`: prompts, day messages, reminders, closes.

    One unit of work per team: a team's prompts and day message commit together, and no lock
    is held across a whole workspace's morning (2,000 prompts take seconds to build, and on
    SQLite a transaction holds the one write lock that the web workers need too)."""
    counts = Counts()
    with unit(runtime, read_only=True, now=now) as session:
        team_ids = teams_to_prompt(session)
    for team_id in team_ids:
        with unit(runtime, now=now) as session:
            team = session.get(SalesTeam, team_id)
            if team is not None:
                counts.prompts += prompt_team(session, team, now)
    with unit(runtime, now=now) as session:
        counts.reminders += send_reminders(session, now)
        counts.closed += close_days(session, now)
    return counts.prompts + counts.reminders + counts.closed
