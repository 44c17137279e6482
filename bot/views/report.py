"""Block Kit for the weekly report and reports on demand."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.domain.amounts import Money
from bot.domain.progress import percent_label
from bot.domain.text import Mrkdwn, Plain, escape_mrkdwn
from bot.i18n import _, current, money, ngettext
from bot.results.insights import Segment
from bot.results.reports import DealFact, Report
from bot.views import forecast as forecast_views
from bot.views.common import Message, as_entered, context_block, ephemeral, section
from bot.views.targets import progress_block

SHARE_ACTION = "report_share"
# Members named in the next-step line (each a mention); the rest are counted.
TOP_GAPS = 20


def _money(report: Report, amount: Decimal) -> str:
    return money(amount, report.team.currency)


def _deal(report: Report, fact: DealFact) -> str:
    # A deal entered in another currency: as entered, then its value (`$5k ≈ ¥35.5k`).
    amount = (
        as_entered(fact.entered.amount, fact.entered.currency, Money(fact.amount, fact.currency))
        if fact.entered is not None
        else _money(report, fact.amount)
    )
    return f"`#{fact.number}` *{escape_mrkdwn(fact.customer)}* {amount} <@{fact.owner_user_id}>"


def report_blocks(report: Report, *, title: Plain) -> list[dict[str, Any]]:
    """The report's numbers: won, pace, coverage, biggest deal, deals won, movers, stale,
    stand-up participation."""
    if report.empty:
        return [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            section(
                ":seedling: "
                + _(
                    "No deals yet, so nothing to chart. Record the first one with "
                    "`/deal add Acme 12k` and next week's report will have the numbers."
                )
            ),
        ]
    won = ngettext(
        "*Won · {week}:* {amount} ({count} deal)",
        "*Won · {week}:* {amount} ({count} deals)",
        report.won_week_count,
    ).format(
        week=report.week.label(current()),
        amount=_money(report, report.won_week),
        count=report.won_week_count,
    )
    lines = [won]
    if report.team_target is not None:
        lines.append(progress_block(report.team_target, report.team.currency))
    else:
        lines.append(
            _(
                "*{period} so far:* {amount} · no team target yet (`/target set team 500k month`)"
            ).format(
                period=report.period.label(current()), amount=_money(report, report.period_won)
            )
        )
    if report.coverage is not None:
        lines.append(
            _(
                "*Pipeline coverage:* {coverage}× ({amount} weighted open pipeline against what "
                "is left to win)"
            ).format(coverage=report.coverage, amount=_money(report, report.open_weighted))
        )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        section("\n".join(lines)),
    ]
    if report.biggest is not None:
        blocks.append(
            section(
                ":gem: " + _("*Biggest deal:* {deal}").format(deal=_deal(report, report.biggest))
            )
        )
    if report.won_deals:
        listed = "\n".join(f"• {_deal(report, f)}" for f in report.won_deals[:10])
        more = (
            "\n" + _("…and {count} more").format(count=len(report.won_deals) - 10)
            if len(report.won_deals) > 10
            else ""
        )
        blocks.append(section(_("*Deals won*") + f"\n{listed}{more}"))
    if report.movers:
        movers = " · ".join(f"<@{m.user_id}> {_money(report, m.won)}" for m in report.movers)
        blocks.append(section(":rocket: " + _("*Top movers:* {movers}").format(movers=movers)))
    if report.stale:
        stale = "\n".join(
            f"• {_deal(report, f)} · " + _("{days}d idle").format(days=f.idle_days)
            for f in report.stale
        )
        blocks.append(
            section(
                ":hourglass: "
                + ngettext(
                    "*Needs attention* (no update for {days} day)",
                    "*Needs attention* (no update for {days} days)",
                    report.team.stale_days,
                ).format(days=report.team.stale_days)
                + f"\n{stale}"
            )
        )
    if report.segments:
        blocks.append(section(":dart: " + segments_text(report)))
    if report.next_steps:
        blocks.append(section(":footprints: " + step_gaps_text(report)))
    if report.forecast is not None and report.forecast.lines:
        blocks += forecast_views.forecast_blocks(report.forecast)
    if report.accuracy is not None:
        blocks += forecast_views.accuracy_blocks(report.accuracy, report.team.currency)
    p = report.participation
    if p.prompted:
        rate = p.checked_in * 100 // p.prompted
        blocks.append(
            context_block(
                _("Stand-up participation: {done} of {prompted} check-ins ({rate}%)").format(
                    done=p.checked_in, prompted=p.prompted, rate=rate
                )
            )
        )
    return blocks


def step_gaps_text(report: Report) -> Mrkdwn:
    """`*To plan a next step for:* @bob 3 (1 overdue) · @lilei 1`: per rep, their open deals
    with no next step or an overdue one."""
    shown = report.next_steps[:TOP_GAPS]
    parts = []
    for gaps in shown:
        part = f"<@{gaps.user_id}> {gaps.total}"
        if gaps.overdue:
            part += " " + _("({count} overdue)").format(count=gaps.overdue)
        parts.append(part)
    more = len(report.next_steps) - len(shown)
    text = _("*Without a next step, or overdue:* {people}").format(people=" · ".join(parts))
    if more:
        text += " " + _("…and {count} more").format(count=more)
    return text + "\n" + _("See them with `/deal list nextstep`.")


def segments_text(report: Report) -> Mrkdwn:
    """`*Best and worst segments* (deals won or lost Sep 7 – Nov 29, by win rate)`, then per
    deal field: `• *industry*: best *retail* 75.0% (3 of 4, ¥120k won) · worst …`."""
    if not report.segments:
        return ""
    span = report.segments[0].period.label(current())
    lines = [
        _("*Best and worst segments* (deals won or lost {span}, by win rate)").format(span=span)
    ]
    for extremes in report.segments:
        lines.append(
            "• "
            + _("*{field}*: best {best} · worst {worst}").format(
                field=escape_mrkdwn(extremes.field),
                best=_segment(report, extremes.best),
                worst=_segment(report, extremes.worst),
            )
        )
    lines.append(
        _("More with `/deal insights by {field}`.").format(
            field=escape_mrkdwn(report.segments[0].field)
        )
    )
    return "\n".join(lines)


def _segment(report: Report, segment: Segment) -> Mrkdwn:
    o = segment.outcomes
    return _("{value} {percent} ({won} of {closed}, {amount} won)").format(
        value=f"*{escape_mrkdwn(segment.value or '')}*",
        percent=percent_label(o.win_rate) if o.win_rate is not None else "—",
        won=o.won,
        closed=o.closed,
        amount=_money(report, o.won_amount),
    )


def share_button(value: dict[str, Any]) -> dict[str, Any]:
    """The button that posts an on-demand report to the team channel."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": SHARE_ACTION,
                "text": {"type": "plain_text", "text": _("Share to channel")},
                "value": json.dumps(value, separators=(",", ":")),
            }
        ],
    }


def channel_report(report: Report, *, title: Plain) -> Message:
    """The weekly report as a channel message."""
    return {"text": escape_mrkdwn(title), "blocks": report_blocks(report, title=title)}


def report_title(report: Report, *, for_member: bool) -> Plain:
    """`Report · Week of Nov 30 · East` (without the team when it is about one member), for
    the report's header."""
    return _title(report, for_member=for_member, team=report.board.team.name)


def _title(report: Report, *, for_member: bool, team: str) -> str:
    period = report.week.label(current())
    if not for_member:
        return _("Report · {period} · {team}").format(period=period, team=team)
    return _("Report · {period}").format(period=period)


def weekly_title(report: Report) -> Plain:
    """`Weekly report · Week of Nov 23`."""
    return _("Weekly report · {week}").format(week=report.week.label(current()))


def on_demand(report: Report, *, kind: str, user_id: str | None) -> Message:
    """`/deal report`: the numbers, for the caller only, with a Share button."""
    message = shared(report, user_id=user_id)
    message["blocks"].append(share_button({"k": kind, "u": user_id}))
    return {"response_type": "ephemeral", **message}


def shared(report: Report, *, user_id: str | None) -> Message:
    """An on-demand report's numbers, for the team or one member (`user_id`)."""
    title = report_title(report, for_member=user_id is not None)
    blocks = report_blocks(report, title=title)
    if user_id is not None:
        blocks.insert(1, context_block(_("For {person}").format(person=f"<@{user_id}>")))
    return {"text": escape_mrkdwn(title), "blocks": blocks}


def charts_comment(report: Report, *, weekly: bool, for_member: bool) -> Mrkdwn:
    """The comment the charts are posted with."""
    if weekly:
        return _("Charts · {title}").format(title=escape_mrkdwn(weekly_title(report)))
    return _title(report, for_member=for_member, team=escape_mrkdwn(report.board.team.name))


def share_answer(*, fresh: bool) -> Message:
    """What the member who pressed Share hears."""
    if fresh:
        return ephemeral(":white_check_mark: " + _("Shared to the team channel."))
    return ephemeral(_("Already shared."))
