"""The weekly report job: claim each due team's report in a short transaction of its own; the
charts are drawn later by the sender, outside any transaction."""

from __future__ import annotations

from datetime import datetime

from bot.db import reading
from bot.runtime import Runtime
from bot.services.reports import post_weekly_report, reports_due
from bot.unit_of_work import unit


def post_weekly_reports(runtime: Runtime, now: datetime) -> int:
    """Post each due team's report and charts to its channel, once per team per week."""
    with reading(runtime.sessions) as session:
        due = reports_due(session, now)
    posted = 0
    for team_id, week in due:
        with unit(runtime, now=now) as session:
            posted += post_weekly_report(session, team_id, week, now=now)
    return posted
