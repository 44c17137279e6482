"""The key-deal job: managers told of big open deals that have gone quiet."""

from __future__ import annotations

from datetime import datetime

from bot.db import reading
from bot.runtime import Runtime
from bot.services.key_deals import teams_with_key_deals, tell_quiet_deals
from bot.unit_of_work import unit
from models import SalesTeam


def run_key_deals(runtime: Runtime, now: datetime) -> int:
    """Tell each team's managers of its key deals quiet at `now`, one unit of work per team
    (each spell is claimed by its unique key in the transaction that owes its DMs)."""
    with reading(runtime.sessions) as session:
        team_ids = teams_with_key_deals(session)
    told = 0
    for team_id in team_ids:
        with unit(runtime, now=now) as session:
            team = session.get(SalesTeam, team_id)
            if team is not None:
                told += tell_quiet_deals(session, team, now)
    return told
