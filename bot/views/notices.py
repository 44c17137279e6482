"""Each notice rendered into the Slack calls it owes (method, payload, dedupe key)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bot.domain.activities import is_count_metric, kind_of_metric
from bot.domain.progress import Tier, tier_name
from bot.domain.text import escape_mrkdwn
from bot.i18n import _, current, date_in, day, money, ngettext, use_language
from bot.results.calls import DM_OF, RENDER, THREAD_OF, UPDATE_OF, Call
from bot.results.notices import (
    Because,
    ChartsDue,
    DealAssigned,
    ExportReady,
    PostCorrected,
    ReportPosted,
    Said,
    TierReached,
    WinAnnounced,
    WonFacts,
)
from bot.views import report as report_views
from bot.views.activities import counted
from bot.views.common import as_entered, context_block, section
from bot.views.contests import CONTEST_RENDERERS
from bot.views.crm import CRM_RENDERERS
from bot.views.key_deal_notices import KEY_DEAL_RENDERERS
from bot.views.metrics import goal_text, metric_name
from bot.views.next_steps import NEXT_STEP_RENDERERS
from bot.views.roster_notices import ROSTER_RENDERERS
from bot.views.standup_notices import STANDUP_RENDERERS


def win_announced(notice: WinAnnounced) -> list[Call]:
    """One post for a win: who won what, where it leaves their targets, the highest tier it
    crossed (the others in a line) and whether it is their first win of the month."""
    amount = money(notice.amount, notice.currency)
    blocks: list[dict[str, Any]] = [section(":trophy: " + _win_line(notice))]
    if notice.tiers:
        blocks.append(section(_tiers_text(notice.tiers, notice.team_currency)))
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
    if notice.first_win_of is not None:
        lines.append(
            ":sparkles: "
            + _("Their first win of {month}. Keep them coming!").format(
                month=date_in(notice.first_win_of, en="MMMM", zh="M月")
            )
        )
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
    return [Call("chat.postMessage", payload, notice.post_key)]


def _win_line(won: WinAnnounced | WonFacts) -> str:
    owner = won.owner_user_id
    return _("{person} won *{customer}* for *{amount}* (deal #{id}).").format(
        person=f"<@{owner}>",
        customer=escape_mrkdwn(won.customer),
        amount=as_entered(won.amount, won.currency, won.value),
        id=won.deal_number,
    )


def _reward_text(name: str, bonus: Decimal | None, currency: str) -> str:
    text = f"*{escape_mrkdwn(tier_name(name))}*"
    if bonus:
        text += " · " + _("bonus {amount}").format(amount=money(bonus, currency))
    return text


def _tiers_text(tiers: tuple[Tier, ...], currency: str) -> str:
    """The highest tier crossed with its reward; the lower ones crossed with it in a line."""
    highest, *lower = tiers
    text = f":gift: {_reward_text(highest.name, highest.bonus, currency)}"
    if lower:
        text += "\n" + _("Also reached: {tiers}").format(
            tiers=", ".join(_reward_text(t.name, t.bonus, currency) for t in lower)
        )
    return text


def tier_reached(notice: TierReached) -> list[Call]:
    """Tiers crossed without a win post to carry them: the highest celebrated, the rest listed."""
    in_money = not is_count_metric(notice.metric)

    def amount(value: Decimal) -> str:
        return money(value, notice.currency) if in_money else f"{value:.0f}"

    who = _who(notice.member_user_id, notice.team_name)
    highest = notice.tiers[0]
    goal = goal_text(notice.metric, notice.period.label(current()))
    headline = _("{who} reached *{percent}%* of the {goal}!").format(
        who=who, percent=f"{highest.percent:.0f}", goal=goal
    )
    name = tier_name(highest.name)
    running = _("Running total: {achieved} of {target} ({percent}%)").format(
        achieved=amount(notice.progress.achieved),
        target=amount(notice.progress.target),
        percent=notice.progress.percent,
    )
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"🎉 {name}"[:150]}},
        section(headline),
        section(_tiers_text(notice.tiers, notice.currency)),
        context_block(running),
    ]
    payload = {
        "channel": notice.channel_id,
        "text": f"{escape_mrkdwn(name)}: {who} {highest.percent:.0f}%",
        "blocks": blocks,
    }
    return [Call("chat.postMessage", payload, notice.post_key)]


def _who(member_user_id: str | None, team_name: str) -> str:
    if member_user_id:
        return f"<@{member_user_id}>"
    return _("Team {team}").format(team=escape_mrkdwn(team_name))


def post_corrected(notice: PostCorrected) -> list[Call]:
    """The post edited to show what was taken back, and one reply in its thread saying why."""
    lines = []
    if notice.won is not None:
        line = _win_line(notice.won)
        lines.append(f"~{line}~ " + _("_(undone)_") if notice.won.taken_back else line)
    else:
        lines.append(
            _("{who}'s rewards:").format(who=_who(notice.member_user_id, notice.team_name))
        )
    for reward in notice.rewards:
        text = _reward_text(reward.name, reward.bonus, notice.currency)
        lines.append(
            f":gift: ~{text}~ " + _("_(taken back)_") if reward.taken_back else f":gift: {text}"
        )
    why = because_text(notice.because)
    edited = {
        UPDATE_OF: notice.post_key,
        "channel": notice.channel_id,
        "text": lines[0],
        "blocks": [section("\n".join(lines)), context_block(":leftwards_arrow_with_hook: " + why)],
    }
    reply = {THREAD_OF: notice.post_key, "channel": notice.channel_id, "text": why}
    return [
        Call("chat.update", edited, f"{notice.correction_key}:update"),
        Call("chat.postMessage", reply, f"{notice.correction_key}:reply"),
    ]


def because_text(because: Because) -> str:
    """Why something was taken back: "Undone by @ravi: deal #12 is back in Proposal"."""
    who = f"<@{because.actor_user_id}>"
    deal = _("deal #{id}").format(id=because.deal_number)
    stage = escape_mrkdwn(because.stage_label or "")
    amount = (
        money(because.amount, because.currency)
        if because.amount is not None and because.currency
        else ""
    )
    if because.kind == "target":
        metric = because.metric or "revenue"
        target = amount if not is_count_metric(metric) else f"{because.amount or 0:.0f}"
        return _("Changed by {who}: the {metric} target is {amount} now.").format(
            who=who, metric=escape_mrkdwn(metric_name(metric)), amount=target
        )
    if because.kind == "activity":
        kind = kind_of_metric(because.metric or "") or ""
        logged = escape_mrkdwn(counted(int(because.amount or 0), kind))
        if because.undo:
            return _("Undone by {who}: {what} taken back.").format(who=who, what=logged)
        return _("Changed by {who}: {what}.").format(who=who, what=logged)
    what = {
        "removed": _("{deal} was removed").format(deal=deal),
        "stage": _("{deal} is in {stage} now").format(deal=deal, stage=stage),
        "owner": _("{deal} belongs to {owner} now").format(
            deal=deal, owner=f"<@{because.owner_user_id}>"
        ),
        "amount": _("{deal} is {amount} now").format(deal=deal, amount=amount),
        "date": _("{deal} was won on another day").format(deal=deal),
    }[because.kind]
    if because.undo:
        if because.kind == "stage":
            what = _("{deal} is back in {stage}").format(deal=deal, stage=stage)
        return _("Undone by {who}: {what}.").format(who=who, what=what)
    return _("Changed by {who}: {what}.").format(who=who, what=what)


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
    today = day(notice.day)

    def title(team: str | None) -> str:
        if team is None:
            return _("Your deals, {date}").format(date=today)
        return _("Deals of #{team}, {date}").format(team=team, date=today)

    team = notice.team_name or None
    payload = {
        DM_OF: notice.user_id,
        "initial_comment": ngettext(
            "{title}: {count} deal.", "{title}: {count} deals.", notice.count
        ).format(title=title(None if team is None else escape_mrkdwn(team)), count=notice.count),
        "file_uploads": [
            {
                "filename": notice.filename,
                # The file's title is plain text: the team's name as it is.
                "title": title(team),
                "content_hex": notice.content.hex(),
            }
        ],
    }
    return [Call("files.upload_v2", payload)]


def deal_assigned(notice: DealAssigned) -> list[Call]:
    """A DM to the deal's new owner, or to its previous one."""
    deal = f"`#{notice.deal_number}` *{escape_mrkdwn(notice.customer)}* "
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
    PostCorrected: post_corrected,
    ReportPosted: report_posted,
    ChartsDue: charts_due,
    ExportReady: export_ready,
    DealAssigned: deal_assigned,
    **STANDUP_RENDERERS,
    **ROSTER_RENDERERS,
    **CRM_RENDERERS,
    **KEY_DEAL_RENDERERS,
    **NEXT_STEP_RENDERERS,
    **CONTEST_RENDERERS,
}


def render(notice: Said) -> list[Call]:
    """The calls `notice` owes, worded in its language."""
    renderer = RENDERERS.get(type(notice))
    if renderer is None:
        raise LookupError(f"no view renders {type(notice).__name__}")
    with use_language(notice.language):
        return renderer(notice)
