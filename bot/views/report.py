"""Block Kit for the weekly report and reports on demand."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.domain.amounts import format_amount
from bot.domain.text import escape_mrkdwn
from bot.services.reports import DealFact, Report
from bot.views.common import Message, context_block, section
from bot.views.targets import progress_block

SHARE_ACTION = "report_share"


def _money(report: Report, amount: Decimal) -> str:
    return format_amount(amount, report.team.currency)


def _deal(report: Report, fact: DealFact) -> str:
    return (
        f"`#{fact.id}` *{escape_mrkdwn(fact.customer)}* {_money(report, fact.amount)} "
        f"<@{fact.owner_user_id}>"
    )


def report_blocks(report: Report, *, title: str) -> list[dict[str, Any]]:
    """The report's numbers: won, pace, coverage, biggest deal, deals won, movers, stale,
    stand-up participation."""
    if report.empty:
        return [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            section(
                ":seedling: No deals yet, so nothing to chart. Record the first one with "
                "`/deal add Acme 12k` and next week's report will have the numbers."
            ),
        ]
    won = (
        f"*Won · {report.week.label()}:* {_money(report, report.won_week)} "
        f"({report.won_week_count} deals)"
    )
    lines = [won]
    if report.team_target is not None:
        lines.append(progress_block(report.team_target, report.team.currency))
    else:
        lines.append(
            f"*{report.period.label()} so far:* {_money(report, report.period_won)} · no team "
            "target yet (`/target set team 500k month`)"
        )
    if report.coverage is not None:
        lines.append(
            f"*Pipeline coverage:* {report.coverage}× ({_money(report, report.open_weighted)} "
            "weighted open pipeline against what is left to win)"
        )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        section("\n".join(lines)),
    ]
    if report.biggest is not None:
        blocks.append(section(f":gem: *Biggest deal:* {_deal(report, report.biggest)}"))
    if report.won_deals:
        listed = "\n".join(f"• {_deal(report, f)}" for f in report.won_deals[:10])
        more = f"\n…and {len(report.won_deals) - 10} more" if len(report.won_deals) > 10 else ""
        blocks.append(section(f"*Deals won*\n{listed}{more}"))
    if report.movers:
        movers = " · ".join(f"<@{m.user_id}> {_money(report, m.won)}" for m in report.movers)
        blocks.append(section(f":rocket: *Top movers:* {movers}"))
    if report.stale:
        stale = "\n".join(f"• {_deal(report, f)} · {f.idle_days}d idle" for f in report.stale)
        blocks.append(
            section(
                f":hourglass: *Needs attention* (no update for "
                f"{report.team.stale_days} days)\n{stale}"
            )
        )
    p = report.participation
    if p.prompted:
        rate = p.checked_in * 100 // p.prompted
        blocks.append(
            context_block(
                f"Stand-up participation: {p.checked_in} of {p.prompted} check-ins ({rate}%)"
            )
        )
    return blocks


def share_button(value: dict[str, Any]) -> dict[str, Any]:
    """The button that posts an on-demand report to the team channel."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": SHARE_ACTION,
                "text": {"type": "plain_text", "text": "Share to channel"},
                "value": json.dumps(value, separators=(",", ":")),
            }
        ],
    }


def channel_report(report: Report, *, title: str) -> Message:
    """The weekly report as a channel message."""
    return {"text": title, "blocks": report_blocks(report, title=title)}
