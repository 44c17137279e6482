"""The weekly report job: numbers from the services, charts drawn here on the clock process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.report_charts import render_report, upload_payload
from bot.services import outbox
from bot.services.reports import due_reports, weekly_report
from bot.views.report import channel_report


def post_weekly_reports(session: Session, now: datetime) -> int:
    """Post each due team's report and charts to its channel, once per team per week."""
    posted = 0
    for team, week in due_reports(session, now):
        report = weekly_report(session, team, week=week, now=now)
        title = f"Weekly report · {week.label()}"
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
                    render_report(report), channel=team.channel_id, comment=f"Charts · {title}"
                ),
                now=now,
                dedupe_key=f"{key}:charts",
            )
        posted += 1
    return posted
