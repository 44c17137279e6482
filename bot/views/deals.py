"""Block Kit for /deal replies: pure functions from service results to Slack messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.amounts import Money, exact_number
from bot.domain.deal_fields import field_of_event
from bot.domain.forecast import category_name, category_of
from bot.domain.progress import tier_name
from bot.domain.slack_ids import is_id
from bot.domain.text import Mrkdwn, escape_mrkdwn, escape_mrkdwn_within
from bot.i18n import N_, _, current, day, moment, money, ngettext
from bot.results.deals import (
    Changed,
    DealRow,
    FieldShown,
    HistoryLine,
    Listed,
    PipelineView,
    Result,
    Shown,
    StageTotal,
    TakenBack,
)
from bot.views.activities import counted
from bot.views.common import Message, as_entered, context_block, ephemeral, section
from bot.views.crm import crm_name

PAGE_SIZE = 25
MAX_BLOCKS = 50
SECTION_LIMIT = 3000
LIST_PAGE_ACTION = "deal_list_page"

# Emoji, then the word (translated when shown).
VERB_TITLES = {
    "add": (":white_check_mark:", N_("Added")),
    "update": (":pencil2:", N_("Updated")),
    "won": (":trophy:", N_("Won")),
    "lost": (":heavy_minus_sign:", N_("Lost")),
    "reopen": (":leftwards_arrow_with_hook:", N_("Reopened")),
    "undo": (":rewind:", N_("Undone, on")),
    "assign": (":busts_in_silhouette:", N_("Assigned")),
}
FIELD_NAMES = {
    "customer": N_("customer"),
    "title": N_("title"),
    "note": N_("note"),
    "stage": N_("stage"),
    "amount": N_("amount"),
    "currency": N_("currency"),
    "close_date": N_("close date"),
    "next_step": N_("next step"),
    "next_step_date": N_("next step date"),
    "owner_id": N_("owner"),
    "team_id": N_("team"),
    "closed_at": N_("closed"),
    "lost_reason": N_("reason"),
    "deleted_at": N_("deleted"),
    "forecast": N_("forecast"),
}


def field_name(field: str) -> Mrkdwn:
    """A deal field as people call it, in the current language (a team's own field by the
    name its manager gave it)."""
    own = field_of_event(field)
    if own is not None:
        return escape_mrkdwn(own)
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else escape_mrkdwn(field)


def field_values(fields: Sequence[FieldShown], limit: int = SECTION_LIMIT // 2) -> Mrkdwn:
    """`industry: retail · region: —`: a deal's values of its team's deal fields, escaped
    and cut to `limit` characters."""
    text = " · ".join(
        _("{field}: {value}").format(field=f.name, value="—" if f.value is None else f.value)
        for f in fields
    )
    return escape_mrkdwn_within(text, limit)


def short_date(value: date | None) -> str:
    """`Dec 15` (`12月15日`), with the year when it is not this year's."""
    if value is None:
        return _("no close date")
    return day(value)


# How much of a line a next step may take once escaped (it may be 200 characters).
STEP_LIMIT = 120


def next_step_text(text: str, due: date | None, *, overdue: bool) -> Mrkdwn:
    """`:arrow_right: send the proposal (Fri Dec 4)`, or `:warning: … (overdue, Thu Nov 26)`."""
    step = escape_mrkdwn_within(text, STEP_LIMIT)
    if due is None:
        # A step taken from a CRM, which has no date for it.
        return ":arrow_right: " + step
    when = day(due, weekday=True)
    if overdue:
        return ":warning: " + _("{step} (overdue, {date})").format(step=step, date=when)
    return ":arrow_right: " + _("{step} ({date})").format(step=step, date=when)


def deal_line(row: DealRow, *, with_owner: bool, with_missing_step: bool = False) -> str:
    """One open deal on one line, its next step at the end (or that it has none, when the
    list is about that)."""
    deal = row.deal
    parts = [
        f"`#{deal.number}` *{escape_mrkdwn(deal.customer)}*",
        as_entered(deal.amount, deal.currency, row.value),
        escape_mrkdwn(row.stage.label),
        _("closes {date}").format(date=short_date(deal.close_date))
        if deal.close_date
        else _("no close date"),
        _("updated today")
        if row.days_idle == 0
        else _("{days}d since update").format(days=row.days_idle),
    ]
    if deal.next_step:
        parts.append(next_step_text(deal.next_step, deal.next_step_date, overdue=row.step_overdue))
    elif with_missing_step:
        parts.append(":grey_question: " + _("_no next step_"))
    if with_owner:
        parts.insert(1, f"<@{row.owner.slack_user_id}>")
    return " · ".join(parts)


def pack_lines(lines: Sequence[Mrkdwn]) -> list[dict[str, Any]]:
    """Sections of whole lines, each within Slack's 3000 characters."""
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > SECTION_LIMIT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line[:SECTION_LIMIT])
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def list_title(result: Listed) -> tuple[str, str]:
    """What the list is, and what it says when it is empty."""
    match result.scope:
        case "user":
            return (
                _("Open deals of {person}").format(person=f"<@{result.person}>"),
                _("They have no open deals."),
            )
        case "team":
            return (
                _("Open deals of the team"),
                _("The team has no open deals. Add one with `/deal add Acme 12k`."),
            )
        case "stage":
            return (
                _("Open deals in {stage}").format(stage=escape_mrkdwn(result.stage_label or "")),
                _("No open deals in {stage}.").format(
                    stage=escape_mrkdwn(result.stage_label or "")
                ),
            )
        case "field":
            segment = result.segment or FieldShown("", None)
            if segment.value is None:
                return (
                    _("Open deals with no {field}").format(field=escape_mrkdwn(segment.name)),
                    _("Every open deal has a {field}.").format(field=escape_mrkdwn(segment.name)),
                )
            shown = field_values([segment])
            return (
                _("Open deals with {segment}").format(segment=shown),
                _("No open deals with {segment}.").format(segment=shown),
            )
        case "stale":
            days = result.stale_days or 0
            return (
                ngettext(
                    "Open deals with no update for {days} day",
                    "Open deals with no update for {days} days",
                    days,
                ).format(days=days),
                _("Nothing stale: every open deal moved recently."),
            )
        case "nextstep":
            return (
                _("Open deals with no next step or an overdue one"),
                _(
                    "Every open deal has a next step that is not overdue. Set one with "
                    '`/deal #12 next "send the proposal" friday`.'
                ),
            )
    return (
        _("Your open deals"),
        _("You have no open deals. Add one with `/deal add Acme 12k proposal`."),
    )


def listed(result: Listed, *, command_text: str, offset: int = 0) -> Message:
    """A page of open deals, with a button to the next page."""
    title, empty_hint = list_title(result)
    total = len(result.rows)
    if total == 0:
        return ephemeral(
            _("{title}: none").format(title=title),
            [section(f"*{title}*\n{empty_hint}")],
        )
    page = result.rows[offset : offset + PAGE_SIZE]
    blocks = [section(f"*{title}* ({total})")]
    blocks += pack_lines(
        [
            deal_line(
                row,
                with_owner=result.with_owner,
                with_missing_step=result.scope == "nextstep",
            )
            for row in page
        ]
    )
    end = offset + len(page)
    if total > PAGE_SIZE:
        blocks.append(
            context_block(
                _("Showing {first}–{last} of {total}").format(
                    first=offset + 1, last=end, total=total
                )
            )
        )
    if end < total:
        value = json.dumps({"text": command_text, "offset": end})
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": LIST_PAGE_ACTION,
                        "text": {"type": "plain_text", "text": _("Next page")},
                        "value": value,
                    }
                ],
            }
        )
    return ephemeral(f"{title} ({total})", blocks)


def _value(
    field: str, raw: str | None, labels: dict[str, str], people: dict[str, str] | None = None
) -> str:
    if field == "forecast":
        chosen = category_of(raw)
        return category_name(chosen) if chosen is not None else _("by stage")
    if raw is None or raw == "":
        return "—"
    if field == "stage":
        return escape_mrkdwn(labels.get(raw, raw))
    if field == "amount":
        # Exact and without a symbol: an event holds no currency, and the deal's may have
        # changed since.
        return exact_number(Decimal(raw), lang=current())
    if field in ("close_date", "next_step_date"):
        return short_date(date.fromisoformat(raw))
    if field in ("closed_at", "deleted_at"):
        return day(datetime.fromisoformat(raw).date())
    if field == "owner_id":
        # A change's owners come as member ids with their Slack ids beside (people); a
        # history's as Slack ids.
        user_id = raw if people is None else people.get(raw)
        return f"<@{user_id}>" if is_id("user", user_id) else escape_mrkdwn(raw)
    return escape_mrkdwn(raw if len(raw) <= 80 else raw[:79] + "…")


def deal_summary(result: Changed) -> str:
    """`#12 *Acme* · ¥12k · Proposal · closes Dec 15 · <@U1>`."""
    deal = result.outcome.deal
    close = (
        " · " + _("closes {date}").format(date=short_date(deal.close_date))
        if deal.close_date
        else ""
    )
    return (
        f"`#{deal.number}` *{escape_mrkdwn(deal.customer)}* · "
        f"{as_entered(deal.amount, deal.currency, result.value)} · "
        f"{escape_mrkdwn(result.stage.label)}{close}"
        f" · <@{result.owner.slack_user_id}>"
    )


def changed(result: Changed, labels: dict[str, str]) -> Message:
    """What a change did, the deal as it is now, what it took back, and how to undo it."""
    if result.verb == "undo":
        lines = [":rewind: " + _("Undone: {what}").format(what=undone(result, labels))]
    else:
        if result.verb in VERB_TITLES:
            emoji, word = VERB_TITLES[result.verb]
            title = f"{emoji} {_(word)}"
        else:
            title = _("Done:")
        lines = [f"{title} {deal_summary(result)}"]
    if result.verb in ("update", "assign", "reopen"):
        changes = [
            _("{field}: {old} → {new}").format(
                field=field_name(e.field),
                old=_value(e.field, e.old_value, labels, result.people),
                new=_value(e.field, e.new_value, labels, result.people),
            )
            for e in result.outcome.events
            if e.field not in ("deal", "currency", "closed_at", "team_id", *_STEP_FIELDS)
        ]
        changes += _step_change(result)
        if not result.outcome.events:
            lines.append(_("Nothing changed: the deal already had those values."))
        elif changes:
            lines.append("\n".join(f"• {c}" for c in changes))
    taken = taken_back_text(result.outcome.taken_back)
    if taken and result.verb != "undo":
        lines.append(":leftwards_arrow_with_hook: " + taken[0].upper() + taken[1:] + ".")
    if result.verb == "won":
        lines.append(_("Congratulations! The team channel will hear about it.") + " :tada:")
    blocks = [section("\n".join(lines))]
    if result.fields:
        blocks.append(section(field_values(result.fields)))
    notes = [f":warning: {w.mrkdwn()}" for w in result.outcome.warnings]
    if result.verb != "undo" and result.outcome.events:
        notes.append(_("Made a mistake? `/deal undo` within 10 minutes."))
    if notes:
        blocks.append(context_block("\n".join(notes)))
    return ephemeral(lines[0], blocks)


# What an undo put back, per field: the value it has again.
_PUT_BACK = {
    "stage": N_("back to {value}"),
    "amount": N_("back to {value}"),
    "owner_id": N_("back with {value}"),
    "close_date": N_("close date back to {value}"),
    "customer": N_("customer back to {value}"),
    "title": N_("title back to {value}"),
    "note": N_("note back to {value}"),
    "lost_reason": N_("reason back to {value}"),
    "forecast": N_("forecast back to {value}"),
}


_STEP_FIELDS = ("next_step", "next_step_date")


def _step_value(step: str | None, due: date | None) -> Mrkdwn:
    """`send the proposal (Fri Dec 4)`, or `—` for none."""
    if not step:
        return "—"
    text = escape_mrkdwn_within(step, STEP_LIMIT)
    return _("{step} ({date})").format(step=text, date=day(due, weekday=True)) if due else text


def _step_change(result: Changed) -> list[str]:
    """A change of the next step as one line, its date beside it: `next step: — → send the
    proposal (Fri Dec 4)` (the history keeps the two fields apart)."""
    events = {e.field: e for e in result.outcome.events if e.field in _STEP_FIELDS}
    if not events:
        return []
    deal = result.outcome.deal
    step, due = events.get("next_step"), events.get("next_step_date")
    old_step = step.old_value if step else deal.next_step
    old_due = (date.fromisoformat(due.old_value) if due.old_value else None) if due else None
    if due is None:
        old_due = deal.next_step_date
    return [
        _("{field}: {old} → {new}").format(
            field=field_name("next_step"),
            old=_step_value(old_step, old_due),
            new=_step_value(deal.next_step, deal.next_step_date),
        )
    ]


def undone(result: Changed, labels: dict[str, str]) -> str:
    """`#12 *Acme*: back to Proposal, ¥12k; the win and *Target hit* were taken back`."""
    deal = result.outcome.deal
    head = f"`#{deal.number}` *{escape_mrkdwn(deal.customer)}*"
    events = result.outcome.events
    if any(e.field == "deleted_at" and e.new_value for e in events):
        parts = [_("removed (it no longer counts anywhere)")]
    else:
        parts = [
            _(_PUT_BACK[e.field]).format(
                value=money(deal.amount, deal.currency)
                if e.field == "amount"
                else _value(e.field, e.new_value, labels, result.people)
            )
            if e.field in _PUT_BACK
            else _("{field} back to {value}").format(
                field=field_name(e.field), value=_value(e.field, e.new_value, labels)
            )
            for e in events
            if (e.field in _PUT_BACK and e.field not in _STEP_FIELDS)
            or field_of_event(e.field) is not None
        ]
        if any(e.field in _STEP_FIELDS for e in events):
            step = _step_value(deal.next_step, deal.next_step_date)
            parts.append(_("next step back to {value}").format(value=step))
        if not any(e.field == "amount" for e in events):
            parts.append(money(deal.amount, deal.currency))
    text = f"{head}: " + ", ".join(parts)
    taken = taken_back_text(result.outcome.taken_back)
    return f"{text}; {taken}" if taken else text


def taken_back_text(taken: TakenBack) -> str:
    """`the win and *Target hit* were taken back`, or "" when nothing was."""
    rewards = ", ".join(f"*{escape_mrkdwn(tier_name(name))}*" for name in taken.rewards)
    if taken.win and rewards:
        return _("the win and {rewards} were taken back").format(rewards=rewards)
    if taken.win:
        return _("the win was taken back")
    if rewards:
        return ngettext(
            "{rewards} was taken back", "{rewards} were taken back", len(taken.rewards)
        ).format(rewards=rewards)
    return ""


def shown(result: Shown, labels: dict[str, str], zone: ZoneInfo) -> Message:
    """A deal and its whole history."""
    deal = result.deal
    status = (
        _("open")
        if deal.closed_at is None
        else _("closed {date}").format(date=day(deal.closed_at.astimezone(zone).date()))
    )
    facts = [
        f"*{escape_mrkdwn(deal.customer)}*"
        + (f" — {escape_mrkdwn(deal.title)}" if deal.title else ""),
        _("Amount: {amount}").format(
            amount=as_entered(deal.amount, deal.currency, result.value, short=False)
        ),
        _("Stage: {stage} ({percent}%) · {status}").format(
            stage=escape_mrkdwn(result.stage.label),
            percent=f"{result.stage.probability * 100:.0f}",
            status=status,
        ),
        _("Close date: {date}").format(date=short_date(deal.close_date)),
        *_next_step_fact(result),
        _("Owner: {person}").format(person=f"<@{result.owner.slack_user_id}>"),
    ]
    if result.forecast is not None:
        how = _("chosen for this deal") if result.forecast.chosen else _("by stage")
        facts.append(
            _("Forecast: {category} ({how})").format(
                category=category_name(result.forecast.category), how=how
            )
        )
    blocks = [section(f"`#{deal.number}`\n" + "\n".join(facts))]
    if result.fields:
        blocks.append(section(field_values(result.fields)))
    # A reason or a note at its longest may fill a section of its own once escaped.
    if deal.lost_reason:
        reason = escape_mrkdwn_within(deal.lost_reason, SECTION_LIMIT - 100)
        blocks.append(section(_("Lost because: {reason}").format(reason=reason)))
    if deal.note:
        note = escape_mrkdwn_within(deal.note, SECTION_LIMIT - 100)
        blocks.append(section(_("Note: {note}").format(note=note)))
    blocks.append({"type": "divider"})
    lines = [history_line(h, labels, zone) for h in result.history]
    shown_lines = newest_that_fit(lines, MAX_BLOCKS - len(blocks) - 2)
    blocks.append(section(_("*History*")))
    hidden = len(lines) - len(shown_lines)
    if hidden:
        blocks.append(
            context_block(
                ngettext(
                    "{count} earlier change not shown", "{count} earlier changes not shown", hidden
                ).format(count=hidden)
            )
        )
    blocks += pack_lines(shown_lines)
    return ephemeral(
        _("Deal #{id} {customer}").format(id=deal.number, customer=escape_mrkdwn(deal.customer)),
        blocks,
    )


def _next_step_fact(result: Shown) -> list[str]:
    """The deal's next step; for an open deal without one, how to set it."""
    deal = result.deal
    if deal.next_step:
        step = next_step_text(deal.next_step, deal.next_step_date, overdue=result.step_overdue)
        return [_("Next step: {step}").format(step=step)]
    if deal.closed_at is not None:
        return []
    return [
        _('Next step: none yet (`/deal #{id} next "send the proposal" friday`)').format(
            id=deal.number
        )
    ]


def newest_that_fit(lines: Sequence[Mrkdwn], max_blocks: int) -> list[str]:
    """The longest tail of `lines` that packs into at most `max_blocks` sections."""
    kept: list[str] = []
    for line in reversed(lines):
        if len(pack_lines([line, *kept])) > max_blocks:
            break
        kept.insert(0, line)
    return kept


def history_line(line: HistoryLine, labels: dict[str, str], zone: ZoneInfo) -> str:
    """`Nov 30 09:30 · alice · stage: Lead → Proposal`."""
    when = moment(line.at.astimezone(zone))
    who = escape_mrkdwn(line.actor.name)
    if line.source is not None:
        who += " " + _("via {crm}").format(crm=crm_name(line.source))
    if line.action == "overridden":
        kept = _("{crm} had {field}: {value}; the later change made in Salesbot was kept").format(
            crm=crm_name(line.source),
            field=field_name(line.field),
            value=_value(line.field, line.new_value, labels),
        )
        return f"{when} · {kept}"
    if line.action == "create":
        return f"{when} · {who} · " + _("created the deal")
    if line.action == "import":
        return f"{when} · {who} · " + _("imported the deal")
    if line.action in ("log", "unlog") and line.field == "activity":
        count, _space, kind = (line.new_value or "").partition(" ")
        what = escape_mrkdwn(counted(int(count) if count.isdigit() else 1, kind))
        if line.action == "unlog":
            return f"{when} · {who} · " + _("took back {what}").format(what=what)
        logged = _("logged {what}").format(what=what)
        if line.old_value:
            logged += ": " + escape_mrkdwn(line.old_value)
        return f"{when} · {who} · {logged}"
    field = field_name(line.field)
    undo = " " + _("(undo)") if line.action == "undo" else ""
    old = _value(line.field, line.old_value, labels)
    new = _value(line.field, line.new_value, labels)
    change = _("{field}: {old} → {new}").format(field=field, old=old, new=new)
    return f"{when} · {who} · {change}{undo}"


def pipeline(result: PipelineView) -> Message:
    """Count, total and weighted forecast per stage, all in the team currency."""
    title = result.title.mrkdwn()
    if not result.rows:
        text = f"*{title}*\n" + _("No open deals yet. Add one with `/deal add Acme 12k`.")
        return ephemeral(_("{title}: empty").format(title=title), [section(text)])
    lines = [_stage_line(row) for row in result.rows]
    total = sum((row.total for row in result.rows), Decimal(0))
    weighted = sum((row.weighted for row in result.rows), Decimal(0))
    forecast = _("{open} open, *{weighted} weighted*").format(
        open=money(total, result.currency), weighted=money(weighted, result.currency)
    )
    blocks = [
        section(f"*{title}*"),
        *pack_lines(lines),
        section(_("Forecast: {forecast}").format(forecast=forecast)),
    ]
    if any(part.value is None for row in result.rows for part in row.foreign):
        blocks.append(
            context_block(
                _(
                    "Amounts in a currency without an exchange rate count for nothing: a "
                    "manager can add one with `/salesbot fx`."
                )
            )
        )
    return ephemeral(title, blocks)


def _stage_line(row: StageTotal) -> str:
    count = ngettext("{count} deal", "{count} deals", row.count).format(count=row.count)
    line = _("*{stage}* ({percent}%): {count}, {total} → {weighted}").format(
        stage=escape_mrkdwn(row.stage.label),
        percent=f"{row.stage.probability * 100:.0f}",
        count=count,
        total=money(row.total, row.currency),
        weighted=money(row.weighted, row.currency),
    )
    if not row.foreign:
        return line
    parts = ", ".join(
        as_entered(
            part.entered.amount,
            part.entered.currency,
            None if part.value is None else Money(part.value, row.currency),
        )
        + ("" if part.value is not None else " " + _("(no rate)"))
        for part in row.foreign
    )
    return line + " " + _("(incl. {parts})").format(parts=parts)


def render(result: Result, *, labels: dict[str, str], zone: ZoneInfo, command_text: str) -> Message:
    """The reply for any /deal result."""
    match result:
        case Changed():
            return changed(result, labels)
        case Listed():
            return listed(result, command_text=command_text)
        case Shown():
            return shown(result, labels, zone)
        case PipelineView():
            return pipeline(result)
