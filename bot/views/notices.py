"""Each notice rendered into the Slack calls it owes (method, payload, dedupe key)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bot.domain.progress import tier_name
from bot.domain.text import escape_mrkdwn
from bot.i18n import _, current, date_in, day, money, ngettext, use_language
from bot.results.calls import DM_OF, RENDER, Call
from bot.results.notices import (
    ChartsDue,
    DealAssigned,
    ExportReady,
    FirstWinOfMonth,
    ReportPosted,
    Said,
    TierReached,
    WinAnnounced,
)
from bot.views import report as report_views
from bot.views.common import context_block, section
from bot.views.metrics import goal_text
from bot.views.roster_notices import ROSTER_RENDERERS
from bot.views.standup_notices import STANDUP_RENDERERS


def win_announced(notice: WinAnnounced) -> list[Call]:
    """Who won which customer for how much, and where that leaves their targets."""
    amount = money(notice.amount, notice.currency)
    text = ":trophy: " + _("{person} won *{customer}* for *{amount}* (deal #{id}).").format(
        person=f"<@{notice.owner_user_id}>",
        customer=escape_mrkdwn(notice.customer),
        amount=amount,
        id=notice.deal_id,
    )
    blocks: list[dict[str, Any]] = [section(text)]
    lines = [
        (
            _("{bar} {percent} of the team's {goal}")
            if standing.team_target
            else _("{bar} {percent} of their {goal}")
        ).format(
            bar=standing.progress.bar(),
            percent=f"{standing.progress.percent}%",
            goal=goal_text(standing.metric, standing.period.label(current())),
        )
        for standing in notice.standings
        if standing.metric in ("revenue", "deals")
    ]
    if lines:
        blocks.append(context_block("\n".join(lines)))
    payload = {
        "channel": notice.channel_id,
        # The fallback text is read as markup too: escape the user-typed parts.
        "text": _("{name} won {customer} for {amount}").format(
            name=escape_mrkdwn(notice.owner_name),
            customer=escape_mrkdwn(notice.customer),
            amount=amount,
        ),
        "blocks": blocks,
        "unfurl_links": False,
    }
    return [Call("chat.postMessage", payload)]


def tier_reached(notice: TierReached) -> list[Call]:
    """A reward tier's celebration: headline, reward, running total."""
    in_money = notice.metric != "deals"

    def amount(value: Decimal) -> str:
        return money(value, notice.currency) if in_money else f"{value:.0f}"

    who = (
        f"<@{notice.member_user_id}>"
        if notice.member_user_id
        else _("Team {team}").format(team=escape_mrkdwn(notice.team_name))
    )
    tier = notice.tier
    goal = goal_text(notice.metric, notice.period.label(current()))
    headline = _("{who} reached *{percent}%* of the {goal}!").format(
        who=who, percent=f"{tier.percent:.0f}", goal=goal
    )
    name = tier_name(tier.name)
    reward = f":gift: *{escape_mrkdwn(name)}*"
    if tier.bonus:
        reward += " · " + _("bonus {amount}").format(amount=money(tier.bonus, notice.currency))
    running = _("Running total: {achieved} of {target} ({percent}%)").format(
        achieved=amount(notice.progress.achieved),
        target=amount(notice.progress.target),
        percent=notice.progress.percent,
    )
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"🎉 {name}"[:150]}},
        section(headline),
        section(reward),
        context_block(running),
    ]
    payload = {
        "channel": notice.channel_id,
        "text": f"{escape_mrkdwn(name)}: {who} {tier.percent:.0f}%",
        "blocks": blocks,
    }
    return [Call("chat.postMessage", payload)]


def first_win_of_month(notice: FirstWinOfMonth) -> list[Call]:
    """A member's first win of the month, cheered in the team channel."""
    text = ":sparkles: " + _(
        "First win of {month} for {person}: *{customer}*, {amount}. Keep them coming!"
    ).format(
        month=date_in(notice.month, en="MMMM", zh="M月"),
        person=f"<@{notice.owner_user_id}>",
        customer=escape_mrkdwn(notice.customer),
        amount=money(notice.amount, notice.currency),
    )
    payload = {"channel": notice.channel_id, "text": text, "blocks": [section(text)]}
    return [Call("chat.postMessage", payload)]


def report_posted(notice: ReportPosted) -> list[Call]:
    """A report's numbers in a team channel."""
    if notice.weekly:
        message = report_views.channel_report(
            notice.report, title=report_views.weekly_title(notice.report)
        )
    else:
        message = report_views.shared(notice.report, user_id=notice.subject_user_id)
    payload = {"channel": notice.channel_id, **message}
    return [Call("chat.postMessage", payload, notice.dedupe_key)]


CHARTS = "report-charts"


def charts_due(notice: ChartsDue) -> list[Call]:
    """The charts' upload, drawn by the sender's CHARTS renderer when it is sent."""
    where = {"channel": notice.channel_id} if notice.channel_id else {DM_OF: notice.dm_user_id}
    payload = {
        RENDER: CHARTS,
        **where,
        "team_id": notice.team_id,
        "kind": notice.kind,
        "subject": notice.subject_user_id,
        "week_start": notice.week_start.isoformat() if notice.week_start else None,
        "at": notice.at.isoformat(),
        "lang": notice.language,
    }
    return [Call("files.upload_v2", payload, notice.dedupe_key)]


def export_ready(notice: ExportReady) -> list[Call]:
    """A CSV export uploaded to the caller's DM."""
    today = day(notice.day, with_year=True)
    title = (
        _("Deals of #{team}, {date}").format(team=notice.team_name, date=today)
        if notice.team_name
        else _("Your deals, {date}").format(date=today)
    )
    payload = {
        DM_OF: notice.user_id,
        "initial_comment": ngettext(
            "{title}: {count} deal.", "{title}: {count} deals.", notice.count
        ).format(title=title, count=notice.count),
        "file_uploads": [
            {"filename": notice.filename, "title": title, "content_hex": notice.content.hex()}
        ],
    }
    return [Call("files.upload_v2", payload)]


def deal_assigned(notice: DealAssigned) -> list[Call]:
    """A DM to the deal's new owner, or to its previous one."""
    deal = f"`#{notice.deal_id}` *{escape_mrkdwn(notice.customer)}* "
    deal += f"({money(notice.amount, notice.currency)})"
    if notice.received:
        text = ":inbox_tray: " + _("{person} gave you deal {deal}.").format(
            person=f"<@{notice.by_user_id}>", deal=deal
        )
    else:
        text = ":outbox_tray: " + _("{person} gave your deal {deal} to {owner}.").format(
            person=f"<@{notice.by_user_id}>", deal=deal, owner=f"<@{notice.to_user_id}>"
        )
    payload = {"channel": notice.user_id, "text": text, "blocks": [section(text)]}
    return [Call("chat.postMessage", payload)]


Renderer = Callable[[Any], list[Call]]
RENDERERS: dict[type[Said], Renderer] = {
    WinAnnounced: win_announced,
    TierReached: tier_reached,
    FirstWinOfMonth: first_win_of_month,
    ReportPosted: report_posted,
    ChartsDue: charts_due,
    ExportReady: export_ready,
    DealAssigned: deal_assigned,
    **STANDUP_RENDERERS,
    **ROSTER_RENDERERS,
}


def render(notice: Said) -> list[Call]:
    """The calls `notice` owes, worded in its language."""
    renderer = RENDERERS.get(type(notice))
    if renderer is None:
        raise LookupError(f"no view renders {type(notice).__name__}")
    with use_language(notice.language):
        return renderer(notice)
