"""The weekly report job: numbers from the services, charts drawn here on the clock process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import transaction
from bot.domain.periods import Period
from bot.i18n import _, current, use_language
from bot.jobs.report_charts import render_report, upload_payload
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.language import workspace_language
from bot.services.reports import due_reports, weekly_report
from bot.views.report import channel_report
from models import SalesTeam


def post_weekly_reports(runtime: Runtime, now: datetime) -> int:
    """Post each due team's report and charts to its channel, once per team per week."""
    posted = 0
    # The claims and the reports in one transaction: a report is claimed only if it is owed.
    with transaction(runtime.sessions) as session:
        for team, week in due_reports(session, now):
            # The report goes to the team channel: in the workspace's language.
            with use_language(workspace_language(session, team.workspace_id)):
                _post(session, team, week, now)
            posted += 1
    return posted


def _post(session: Session, team: SalesTeam, week: Period, now: datetime) -> None:
    report = weekly_report(session, team, week=week, now=now)
    title = _("Weekly report · {week}").format(week=week.label(current()))
    key = f"weekly-report:{team.id}:{week.start.isoformat()}"
    outbox.enqueue(
        session,
        workspace_id=team.workspace_id,
        method="chat.postMessage",
        payload={"channel": team.channel_id, **channel_report(report, title=title)},
        now=now,
        dedupe_key=key,
    )
    if not report.empty:
        outbox.enqueue(
            session,
            workspace_id=team.workspace_id,
            method="files.upload_v2",
            payload=upload_payload(
                render_report(report),
                channel=team.channel_id,
                comment=_("Charts · {title}").format(title=title),
            ),
            now=now,
            dedupe_key=f"{key}:charts",
        )
