"""Draw a report's three charts (slow: only ever called off the request path)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import charts
from bot.i18n import _, current, use_language
from bot.services.reports import Report


@dataclass(frozen=True)
class Chart:
    """A rendered PNG and its file name."""

    filename: str
    title: str
    png: bytes


def render_report(report: Report, *, lang: str | None = None) -> list[Chart]:
    """Member progress, won per week against the pace, and the pipeline by stage, in `lang`
    (default: the current language)."""
    lang = lang or current()
    currency = report.team.currency
    period = report.period.label(lang)
    bars = [
        charts.MemberBar(
            line.member.name or line.member.slack_user_id,
            line.target.progress.achieved if line.target else line.achieved,
            line.target.progress.target if line.target else None,
        )
        for line in report.board.lines
    ]
    weeks = [charts.WeekPoint(start, won) for start, won in report.weekly_won]
    stages = [charts.StageBar(s.label, s.count, s.amount, s.weighted) for s in report.pipeline]
    with use_language(lang):
        titles = (
            _("Progress to {period} targets").format(period=period),
            _("Won per week, last 12 weeks"),
            _("Open pipeline by stage"),
        )
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
    ]


def upload_payload(charts_: list[Chart], *, channel: str, comment: str) -> dict[str, object]:
    """An outbox payload for files_upload_v2 with every chart in one message."""
    return {
        "channel": channel,
        "initial_comment": comment,
        "file_uploads": [
            {"filename": c.filename, "title": c.title, "content_hex": c.png.hex()} for c in charts_
        ],
    }
