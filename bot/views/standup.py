"""Block Kit for stand-ups: the morning DM, the check-in modal, the day message, thread posts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.domain.next_steps import NEXT_STEP_MAX
from bot.domain.progress import percent_number
from bot.domain.stages import shown_label
from bot.domain.standup import format_days, question_text
from bot.domain.standup_command import USAGE
from bot.domain.text import cut_plain, escape_mrkdwn, escape_mrkdwn_within
from bot.i18n import N_, _, current, day, money, ngettext
from bot.results.standup import (
    MAX_MOVES,
    AwaySet,
    BackFromAway,
    CheckedIn,
    CheckInForm,
    DaySummary,
    DealLine,
    HolidayAdded,
    HolidayRemoved,
    HolidaysListed,
    MovedDeal,
    Pace,
    PromptFacts,
    QuestionsShown,
    SettingDone,
    SettingsChanged,
    SettingsForm,
    StandupSchedule,
)
from bot.views import forecast as forecast_views
from bot.views.activities import kind_name
from bot.views.common import Message, as_entered, context_block, ephemeral, section
from bot.views.next_steps import STEP_LIMIT, prompt_blocks

CHECK_IN_ACTION = "standup_check_in"
CHECK_IN_CALLBACK = "standup_check_in"
CONFIG_CALLBACK = "standup_config"
# A blocker's thread post calls this many managers by name; each of them gets a DM too.
MENTIONED_MANAGERS = 5
# How much of a section (3000 characters) an answer or a blocker may take once escaped, leaving
# room for the question, or the words and mentions around a blocker.
QUESTION_LIMIT = 600
ANSWER_LIMIT = 2300
BLOCKER_LIMIT = 2500
STATUS_ICONS = {
    "in": ":white_check_mark:",
    "waiting": ":hourglass_flowing_sand:",
    "away": ":palm_tree:",
    "missed": ":x:",
    "late": ":alarm_clock:",
}


def day_label(value: date) -> str:
    """`Mon Nov 30` (`11月30日周一`), as every day with its weekday is written."""
    return day(value, weekday=True)


def check_in_button(prompt_id: int) -> dict[str, Any]:
    """The button that opens the check-in modal."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "style": "primary",
                "action_id": CHECK_IN_ACTION,
                "text": {"type": "plain_text", "text": _("Check in")},
                "value": str(prompt_id),
            }
        ],
    }


def _deal_lines(lines: Sequence[DealLine], *, with_idle: bool) -> str:
    out = []
    for line in lines:
        extra = (
            _("{days}d without an update").format(days=line.idle_days)
            if with_idle
            else (
                _("closes {date}").format(date=day(line.close_date, weekday=True))
                if line.close_date
                else ""
            )
        )
        amount = as_entered(line.amount, line.currency, line.value)
        out.append(f"• `#{line.number}` *{escape_mrkdwn(line.customer)}* {amount} · {extra}")
    return "\n".join(out)


def pace_line(pace: Pace) -> str:
    """`December: ¥62k of ¥100k, 62.0%, 9 working days left, ¥19k a week needed`."""
    p = pace.progress

    def amount(value: Decimal) -> str:
        return money(value, pace.currency)

    values = {
        "period": pace.period.label(current()),
        "achieved": amount(p.achieved),
        "target": amount(p.target),
        "percent": percent_number(p.percent),
        "days": p.working_days_left,
        "weekly": amount(p.weekly_needed),
    }
    if p.remaining <= 0:
        return _("{period}: {achieved} of {target}, {percent}%").format(**values)
    return ngettext(
        "{period}: {achieved} of {target}, {percent}%, {days} working day left, "
        "{weekly} a week needed",
        "{period}: {achieved} of {target}, {percent}%, {days} working days left, "
        "{weekly} a week needed",
        p.working_days_left,
    ).format(**values)


def prompt_message(facts: PromptFacts) -> Message:
    """The morning DM: greeting, next steps due, pace, stale deals, deals due this week,
    Check in."""
    first = escape_mrkdwn(facts.name.split(" ")[0]) if facts.name else _("there")
    blocks: list[dict[str, Any]] = [
        section(":sunny: " + _("Good morning, {name}! Time for stand-up.").format(name=first))
    ]
    if facts.next_steps:
        blocks += prompt_blocks(facts.next_steps, facts.next_steps_total)
    if facts.pace:
        blocks.append(section(f":dart: {pace_line(facts.pace)}"))
    if facts.stale:
        blocks.append(
            section(
                _("*Needs a nudge* (no update for a week)")
                + "\n"
                + _deal_lines(facts.stale, with_idle=True)
            )
        )
    if facts.due_this_week:
        blocks.append(
            section(
                _("*Due to close this week*")
                + "\n"
                + _deal_lines(facts.due_this_week, with_idle=False)
            )
        )
    if facts.forecast:
        blocks.append(section(forecast_views.ask_text(facts.forecast)))
    blocks.append(check_in_button(facts.prompt_id))
    blocks.append(context_block(_("Or just reply here with your update.")))
    text = _("Stand-up · {day}: time to check in").format(day=day_label(facts.local_date))
    return {"text": text, "blocks": blocks}


def reminder_message(prompt_id: int) -> Message:
    """The one nudge for those who have not checked in."""
    text = ":wave: " + _("Friendly nudge: the team's stand-up is still waiting for your check-in.")
    return {"text": text, "blocks": [section(text), check_in_button(prompt_id)]}


def summary_message(summary: DaySummary) -> Message:
    """The day message in the team channel.

    A check-in after the close is shown as late, and its member stays among those who
    missed: the message never turns "Missed: …" into "Everyone checked in"."""
    present = sum(e.status == "in" for e in summary.entries)
    late = sum(e.status == "late" for e in summary.entries)
    expected = sum(e.status != "away" for e in summary.entries)
    title = _("Stand-up · {day} · {present} of {expected} checked in").format(
        day=day_label(summary.local_date), present=present, expected=expected
    )
    if late:
        title += " · " + _("{count} late").format(count=late)
    lines = []
    for entry in summary.entries:
        fire = f" :fire:{entry.streak}" if entry.streak >= 2 else ""
        blocker = " :rotating_light: " + _("blocker") if entry.blocker else ""
        when = " " + _("_checked in late_") if entry.status == "late" else ""
        icon = STATUS_ICONS.get(entry.status, "")
        lines.append(f"{icon} <@{entry.user_id}>{when}{fire}{blocker}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        section("\n".join(lines) or _("Nobody in the team yet.")),
    ]
    missed = [e for e in summary.entries if e.status in ("missed", "late")]
    if summary.closed:
        note = (
            _("Closed. Missed: {people}").format(
                people=", ".join(f"<@{e.user_id}>" for e in missed)
            )
            if missed
            else _("Closed. Everyone checked in") + " :tada:"
        )
        blocks.append(context_block(note))
    else:
        blocks.append(context_block(_("Check-ins arrive in this thread.")))
    return {"text": title, "blocks": blocks}


def change_text(moved: MovedDeal) -> str:
    """`Qualified → Proposal, ¥12k → ¥15k`, or `no change`."""
    changes = []
    if moved.stage is not None:
        before, after = moved.stage
        changes.append(
            f"{escape_mrkdwn(shown_label(before.key, before.label))} → "
            + escape_mrkdwn(shown_label(after.key, after.label))
        )
    if moved.amount is not None:
        before_amount, after_amount = moved.amount
        changes.append(
            f"{money(before_amount, moved.currency)} → {money(after_amount, moved.currency)}"
        )
    if moved.next_step is not None:
        step, due = moved.next_step
        changes.append(
            _("next: {step} ({date})").format(
                step=escape_mrkdwn_within(step, STEP_LIMIT), date=day(due, weekday=True)
            )
        )
    return ", ".join(changes) or _("no change")


def check_in_post(
    user_id: str,
    answers: Sequence[tuple[str, str]],
    moved: Sequence[MovedDeal],
    blocker: str,
    managers: Sequence[str],
    *,
    late: bool = False,
) -> Message:
    """A check-in, posted in the day message's thread."""
    heading = _("*{person} checked in late*") if late else _("*{person} checked in*")
    blocks: list[dict[str, Any]] = [section(heading.format(person=f"<@{user_id}>"))]
    for question, answer in answers:
        if answer:
            # Escaping can make text several times longer: both are kept within a section.
            asked = escape_mrkdwn_within(question_text(question), QUESTION_LIMIT)
            shown = escape_mrkdwn_within(answer, ANSWER_LIMIT)
            blocks.append(section(f"*{asked}*\n{shown}"))
    if moved:
        blocks.append(
            section(
                _("*Deals moved*")
                + "\n"
                + "\n".join(
                    f"• `#{m.number}` *{escape_mrkdwn(m.customer)}*: {change_text(m)}"
                    for m in moved
                )
            )
        )
    if blocker:
        blocks.append(section(blocker_line(blocker, managers)))
    text = _("Check-in from {person}").format(person=f"<@{user_id}>")
    return {"text": text, "blocks": blocks[:50]}


def blocker_line(blocker: str, managers: Sequence[str]) -> str:
    """`:rotating_light: *Blocker:* … @manager …`: the blocker, with the managers called."""
    who = " ".join(f"<@{m}>" for m in managers[:MENTIONED_MANAGERS])
    return (
        ":rotating_light: "
        + _("*Blocker:* {blocker}").format(blocker=escape_mrkdwn_within(blocker, BLOCKER_LIMIT))
        + f" {who}"
    ).strip()


def blocker_added_post(user_id: str, blocker: str, managers: Sequence[str]) -> Message:
    """A blocker raised by checking in again, posted in the day message's thread."""
    heading = _("*{person} added a blocker*").format(person=f"<@{user_id}>")
    text = _("Blocker from {person}").format(person=f"<@{user_id}>")
    return {"text": text, "blocks": [section(heading), section(blocker_line(blocker, managers))]}


def blocker_dm(user_id: str, channel_id: str, local_date: date, blocker: str) -> Message:
    """What a manager is told in a DM when a check-in raises a blocker."""
    text = ":rotating_light: " + _(
        "{person} is blocked (stand-up of {day} in {channel}): {blocker}"
    ).format(
        person=f"<@{user_id}>",
        day=day_label(local_date),
        channel=f"<#{channel_id}>",
        blocker=f"*{escape_mrkdwn_within(blocker, BLOCKER_LIMIT)}*",
    )
    hint = _("Their check-in is in the day message's thread in {channel}.").format(
        channel=f"<#{channel_id}>"
    )
    return {"text": text, "blocks": [section(text), context_block(hint)]}


def _input(
    block_id: str,
    label: str,
    *,
    optional: bool,
    multiline: bool = False,
    initial: str | None = None,
    placeholder: str | None = None,
    max_length: int = 2000,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label[:2000]},
        "element": element,
    }


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def check_in_modal(form: CheckInForm, metadata: str) -> dict[str, Any]:
    """The check-in: the team's questions, and up to five of the member's deals to move
    (metadata: the day it is for, sealed)."""
    questions, deals, stages = form.questions, form.deals, form.stages
    blocks: list[dict[str, Any]] = [
        _input(f"q{i}", question_text(question), optional=i > 0, multiline=True)
        for i, question in enumerate(questions)
    ]
    if deals:
        blocks.append({"type": "divider"})
        blocks.append(section(_("*Move deals* (optional): a new stage, amount or next step")))
        deal_options = [
            _option(f"#{number} {customer}", str(number)) for number, customer in deals[:100]
        ]
        stage_options = [_option(label, key) for key, label in stages]
        for n in range(min(MAX_MOVES, len(deals))):
            blocks.append(
                {
                    "type": "input",
                    "block_id": f"move{n}_deal",
                    "optional": True,
                    "label": {
                        "type": "plain_text",
                        "text": _("Deal {number}").format(number=n + 1),
                    },
                    "element": {
                        "type": "static_select",
                        "action_id": "value",
                        "options": deal_options,
                    },
                }
            )
            blocks.append(
                {
                    "type": "input",
                    "block_id": f"move{n}_stage",
                    "optional": True,
                    "label": {"type": "plain_text", "text": _("New stage")},
                    "element": {
                        "type": "static_select",
                        "action_id": "value",
                        "options": stage_options,
                    },
                }
            )
            blocks.append(
                _input(f"move{n}_amount", _("New amount"), optional=True, placeholder="12k, 5万")
            )
            blocks.append(
                _input(
                    f"move{n}_next",
                    _("Next step"),
                    optional=True,
                    placeholder=_("Send the proposal"),
                    max_length=NEXT_STEP_MAX,
                )
            )
            blocks.append(
                {
                    "type": "input",
                    "block_id": f"move{n}_next_date",
                    "optional": True,
                    "label": {"type": "plain_text", "text": _("Next step date")},
                    "element": {"type": "datepicker", "action_id": "value"},
                }
            )
    if form.counters:
        blocks.append({"type": "divider"})
        blocks.append(section(_("*Activities today* (optional): how many of each")))
        for n, (key, alias) in enumerate(form.counters):
            blocks.append(
                {
                    "type": "input",
                    "block_id": f"act{n}",
                    "optional": True,
                    "label": {
                        "type": "plain_text",
                        "text": cut_plain(kind_name(key, 2, alias).capitalize(), 2000),
                    },
                    "element": {
                        "type": "number_input",
                        "action_id": "value",
                        "is_decimal_allowed": False,
                        "min_value": "0",
                        "max_value": "100",
                    },
                }
            )
    if form.forecast is not None:
        blocks += forecast_views.ask_inputs(form.forecast)
    return {
        "type": "modal",
        "callback_id": CHECK_IN_CALLBACK,
        "title": {"type": "plain_text", "text": _("Stand-up check-in")},
        "submit": {"type": "plain_text", "text": _("Check in")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "private_metadata": metadata,
        "blocks": blocks,
    }


def config_modal(form: SettingsForm, metadata: str) -> dict[str, Any]:
    """The team's stand-up settings as a form (metadata: the team, sealed)."""
    at, days = form.local_time, format_days(form.days)
    zone, per_member = form.timezone, form.per_member
    questions = [question_text(q) for q in form.questions]
    reminder, close = form.reminder_minutes, form.close_minutes
    return {
        "type": "modal",
        "callback_id": CONFIG_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": _("Stand-up settings")},
        "submit": {"type": "plain_text", "text": _("Save")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [
            _input("time", _("Time (HH:MM)"), optional=False, initial=at),
            _input("days", _("Days"), optional=False, initial=days, placeholder="mon-fri"),
            _input(
                "tz",
                _("Time zone (or 'member')"),
                optional=False,
                initial="member" if per_member else zone,
            ),
            _input(
                "questions",
                _("Questions, one per line"),
                optional=False,
                multiline=True,
                initial="\n".join(questions),
            ),
            _input(
                "reminder", _("Reminder after (minutes)"), optional=False, initial=str(reminder)
            ),
            _input(
                "close", _("Summary closes after (minutes)"), optional=False, initial=str(close)
            ),
        ],
    }


def describe(schedule: StandupSchedule) -> str:
    """The settings in one sentence."""
    zone = _("each member's own time zone") if schedule.timezone is None else schedule.timezone
    text = _(
        "Stand-up at {time} ({zone}), {days}; reminder after {reminder} min, summary closes "
        "after {close} min."
    ).format(
        time=schedule.local_time,
        zone=zone,
        days=format_days(schedule.days),
        reminder=schedule.reminder_minutes,
        close=schedule.close_minutes,
    )
    return text + " " + _("*Paused.*") if schedule.paused else text


def setting_text(done: SettingDone) -> str:
    """What a /standup setting did, or shows, in a line or a list."""
    match done:
        case SettingsChanged(schedule=schedule):
            return ":white_check_mark: " + describe(schedule)
        case QuestionsShown(questions=questions):
            return (
                _("*Stand-up questions*")
                + "\n"
                + "\n".join(
                    f"{n}. {escape_mrkdwn(question_text(q))}" for n, q in enumerate(questions, 1)
                )
            )
        case HolidaysListed(holidays=holidays):
            lines = [
                f"• {day(h.day, weekday=True)}" + (f" — {escape_mrkdwn(h.name)}" if h.name else "")
                for h in holidays
            ]
            return (
                _("*Team holidays*")
                + "\n"
                + (
                    "\n".join(lines)
                    or _("None coming up. Add one with `/standup holiday 2026-12-25 Christmas`.")
                )
            )
        case HolidayAdded(holiday=holiday):
            shown = day(holiday.day, weekday=True)
            if holiday.name:
                return ":calendar: " + _("{date} is a team holiday ({name}).").format(
                    date=shown, name=escape_mrkdwn(holiday.name)
                )
            return ":calendar: " + _("{date} is a team holiday.").format(date=shown)
        case HolidayRemoved(day=when):
            return _("{date} is a working day again.").format(date=day(when, weekday=True))
        case AwaySet(until=until):
            return ":palm_tree: " + _("Enjoy! No stand-up prompts for you through {date}.").format(
                date=day(until, weekday=True)
            )
        case BackFromAway():
            return _("Welcome back! You'll get stand-up prompts again.")


def setting_reply(done: SettingDone) -> Message:
    """The caller's answer to a /standup setting."""
    text = setting_text(done)
    return ephemeral(text, [section(text)])


def standup_help() -> Message:
    """Usage of /standup."""
    lines = "\n".join(f"• {usage}" for usage in USAGE.values())
    return ephemeral(_("How to use /standup"), [section(_("*Daily stand-ups*")), section(lines)])


def checked_in_reply(checked: CheckedIn | None) -> str | None:
    """The answer to a DM reply that checked the member in (None: it was not a check-in)."""
    if checked is None or not checked.new:
        return None
    return ":white_check_mark: " + _("Thanks, you're checked in!")


def checked_in_by_command(checked: CheckedIn) -> Message:
    """The answer to `/standup <text>`."""
    if not checked.new:
        return ephemeral(_("You had checked in today already; your first check-in stands."))
    text = ":white_check_mark: " + _("Thanks, you're checked in!")
    if checked.blocker:
        text += " " + _("Your blocker goes to the team's managers.")
    return ephemeral(text)


DM_HINT = N_(
    "I read stand-up check-ins here after the morning prompt. For everything else: "
    "`/deal help`, `/target help`, `/standup help`."
)


def dm_hint() -> str:
    """What a DM that is not a check-in is told."""
    return _(DM_HINT)
