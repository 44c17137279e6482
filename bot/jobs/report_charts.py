"""Draw a report's five charts (slow: only ever called off the request path)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot import charts
from bot.db import reading
from bot.i18n import _, current, use_language
from bot.results.calls import DM_OF
from bot.results.reports import Report
from bot.runtime import Runtime
from bot.services.directory import find_member
from bot.services.reports import report_of_team, week_covered, weekly_report
from bot.views import report as views
from models import SalesTeam


@dataclass(frozen=True)
class Chart:
    """A rendered PNG and its file name."""

    filename: str
    title: str
    png: bytes


def render_report(report: Report, *, lang: str | None = None) -> list[Chart]:
    """Member progress, won per week against the pace, the pipeline by stage, the stage
    conversion and how the pipeline moved, in `lang` (default: the current language)."""
    lang = lang or current()
    currency = report.team.currency
    period = report.period.label(lang)
    bars = member_bars(report)
    weeks = [charts.WeekPoint(start, won) for start, won in report.weekly_won]
    stages = [charts.StageBar(s.label, s.count, s.amount, s.weighted) for s in report.pipeline]
    with use_language(lang):
        titles = (
            _("Progress to {period} targets").format(period=period),
            _("Won per week, last 12 weeks"),
            _("Open pipeline by stage"),
            _("Stage conversion, deals closed in the last 12 weeks"),
            _("Pipeline movement · {period}").format(period=report.week.label(lang)),
        )
        moved = movement_steps(report)
    prefix = f"report-{report.week.start.isoformat()}"
    return [
        Chart(
            f"{prefix}-progress.png",
            titles[0],
            charts.member_progress_chart(bars, title=titles[0], currency=currency, lang=lang),
        ),
        Chart(
            f"{prefix}-won-per-week.png",
            titles[1],
            charts.weekly_won_chart(
                weeks, weekly_pace=report.weekly_pace, title=titles[1], currency=currency, lang=lang
            ),
        ),
        Chart(
            f"{prefix}-pipeline.png",
            titles[2],
            charts.pipeline_chart(stages, title=titles[2], currency=currency, lang=lang),
        ),
        Chart(
            f"{prefix}-funnel.png",
            titles[3],
            charts.funnel_chart(funnel_steps(report), title=titles[3], lang=lang),
        ),
        Chart(
            f"{prefix}-movement.png",
            titles[4],
            charts.movement_chart(moved, title=titles[4], currency=currency, lang=lang),
        ),
    ]


def funnel_steps(report: Report) -> list[charts.FunnelStep]:
    """Each step with the percent of the step above that reached it."""
    steps = report.funnel
    return [
        charts.FunnelStep(
            step.label, step.reached, steps[index - 1].converted if index else None, step.won
        )
        for index, step in enumerate(steps)
    ]


def movement_steps(report: Report) -> list[charts.MovementStep]:
    """The waterfall's rows in the current language: open at the start, what came in and
    went out, open at the end."""
    moved = report.movement
    if moved is None:
        return []
    return [
        charts.MovementStep(_("Open at the start"), moved.start, "total"),
        charts.MovementStep(_("New"), moved.new, "up"),
        charts.MovementStep(_("Increased"), moved.increased, "up"),
        charts.MovementStep(_("Decreased"), moved.decreased, "down"),
        charts.MovementStep(_("Lost"), moved.lost, "down"),
        charts.MovementStep(_("Won"), moved.won, "won"),
        charts.MovementStep(_("Open at the end"), moved.end, "total"),
    ]


def member_bars(report: Report) -> list[charts.MemberBar]:
    """Each member's bar: what their target progress says (the chart labels its percent as
    every other place does)."""
    return [
        charts.MemberBar(
            line.member.name or line.member.slack_user_id,
            line.target.progress.achieved if line.target else line.achieved,
            line.target.progress.target if line.target else None,
        )
        for line in report.board.lines
    ]


def upload_payload(charts_: list[Chart], *, comment: str) -> dict[str, Any]:
    """files_upload_v2's arguments (but the channel) for every chart in one message."""
    return {
        "initial_comment": comment,
        "file_uploads": [
            {"filename": c.filename, "title": c.title, "content_hex": c.png.hex()} for c in charts_
        ],
    }


def render_charts(runtime: Runtime, workspace_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """The files_upload_v2 payload of a report's charts, drawn now from what is committed (the
    sender's renderer for CHARTS: slow work, never on the request path)."""
    lang = str(args["lang"])
    at = datetime.fromisoformat(str(args["at"]))
    subject = args.get("subject")
    weekly = args["kind"] == "weekly"
    with reading(runtime.sessions) as session, use_language(lang):
        team = session.get(SalesTeam, int(args["team_id"]))
        if team is None or team.workspace_id != workspace_id:
            raise LookupError(f"no team {args['team_id']} in {workspace_id}")
        if weekly:
            week = week_covered(date.fromisoformat(str(args["week_start"])))
            report = weekly_report(session, team, week=week, now=at, charts=True)
        else:
            owner = find_member(session, workspace_id, str(subject)) if subject else None
            report = report_of_team(
                session, team, kind=str(args["kind"]), owner=owner, now=at, charts=True
            )
        comment = views.charts_comment(report, weekly=weekly, for_member=subject is not None)
    where = {key: args[key] for key in ("channel", DM_OF) if args.get(key)}
    return {**where, **upload_payload(render_report(report, lang=lang), comment=comment)}
