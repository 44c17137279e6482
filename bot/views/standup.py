"""Block Kit for stand-ups: the morning DM, the check-in modal, the day message, thread posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.standup import question_text
from bot.domain.text import escape_mrkdwn
from bot.i18n import _, date_in, day
from bot.views.common import Message, context_block, section

CHECK_IN_ACTION = "standup_check_in"
CHECK_IN_CALLBACK = "standup_check_in"
CONFIG_CALLBACK = "standup_config"
MAX_MOVES = 5
STATUS_ICONS = {
    "in": ":white_check_mark:",
    "waiting": ":hourglass_flowing_sand:",
    "away": ":palm_tree:",
    "missed": ":x:",
}


@dataclass(frozen=True)
class DealLine:
    """A deal as the briefing lists it."""

    id: int
    customer: str
    amount: str
    close_date: date | None
    idle_days: int


@dataclass(frozen=True)
class PromptFacts:
    """What the morning DM says."""

    prompt_id: int
    name: str
    local_date: date
    pace: str | None
    stale: list[DealLine]
    due_this_week: list[DealLine]


@dataclass(frozen=True)
class SummaryEntry:
    """One member on the day message."""

    user_id: str
    name: str
    status: str
    streak: int
    blocker: bool


@dataclass(frozen=True)
class DaySummary:
    """The team's stand-up on one day."""

    local_date: date
    entries: list[SummaryEntry]
    closed: bool


def day_label(value: date) -> str:
    """`Mon 30 Nov` (`11月30日 周一`)."""
    return date_in(value, en="EEE d MMM", zh="M月d日 EEE")


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
        out.append(f"• `#{line.id}` *{escape_mrkdwn(line.customer)}* {line.amount} · {extra}")
    return "\n".join(out)


def prompt_message(facts: PromptFacts) -> Message:
    """The morning DM: greeting, pace, stale deals, deals due this week, Check in."""
    first = escape_mrkdwn(facts.name.split(" ")[0]) if facts.name else _("there")
    blocks: list[dict[str, Any]] = [
        section(":sunny: " + _("Good morning, {name}! Time for stand-up.").format(name=first))
    ]
    if facts.pace:
        blocks.append(section(f":dart: {facts.pace}"))
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
    blocks.append(check_in_button(facts.prompt_id))
    blocks.append(context_block(_("Or just reply here with your update.")))
    text = _("Stand-up · {day}: time to check in").format(day=day_label(facts.local_date))
    return {"text": text, "blocks": blocks}


def reminder_message(prompt_id: int) -> Message:
    """The one nudge for those who have not checked in."""
    text = ":wave: " + _("Friendly nudge: the team's stand-up is still waiting for your check-in.")
    return {"text": text, "blocks": [section(text), check_in_button(prompt_id)]}


def summary_message(summary: DaySummary) -> Message:
    """The day message in the team channel."""
    present = sum(e.status == "in" for e in summary.entries)
    expected = sum(e.status != "away" for e in summary.entries)
    title = _("Stand-up · {day} · {present} of {expected} checked in").format(
        day=day_label(summary.local_date), present=present, expected=expected
    )
    lines = []
    for entry in summary.entries:
        fire = f" :fire:{entry.streak}" if entry.streak >= 2 else ""
        blocker = " :rotating_light: " + _("blocker") if entry.blocker else ""
        lines.append(f"{STATUS_ICONS.get(entry.status, '')} <@{entry.user_id}>{fire}{blocker}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        section("\n".join(lines) or _("Nobody in the team yet.")),
    ]
    missed = [e for e in summary.entries if e.status == "missed"]
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


@dataclass(frozen=True)
class MovedDeal:
    """A deal moved in a check-in."""

    id: int
    customer: str
    change: str


def check_in_post(
    user_id: str,
    answers: Sequence[tuple[str, str]],
    moved: Sequence[MovedDeal],
    blocker: str,
    managers: Sequence[str],
) -> Message:
    """A check-in, posted in the day message's thread."""
    blocks: list[dict[str, Any]] = [
        section(_("*{person} checked in*").format(person=f"<@{user_id}>"))
    ]
    for question, answer in answers:
        if answer:
            blocks.append(
                section(f"*{escape_mrkdwn(question_text(question))}*\n{escape_mrkdwn(answer)}")
            )
    if moved:
        blocks.append(
            section(
                _("*Deals moved*")
                + "\n"
                + "\n".join(
                    f"• `#{m.id}` *{escape_mrkdwn(m.customer)}*: {escape_mrkdwn(m.change)}"
                    for m in moved
                )
            )
        )
    if blocker:
        who = " ".join(f"<@{m}>" for m in managers[:3])
        blocks.append(
            section(
                (
                    ":rotating_light: "
                    + _("*Blocker:* {blocker}").format(blocker=escape_mrkdwn(blocker))
                    + f" {who}"
                ).strip()
            )
        )
    text = _("Check-in from {person}").format(person=f"<@{user_id}>")
    return {"text": text, "blocks": blocks[:50]}


def _input(
    block_id: str,
    label: str,
    *,
    optional: bool,
    multiline: bool = False,
    initial: str | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": 2000,
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


def check_in_modal(
    questions: Sequence[str],
    deals: Sequence[tuple[int, str]],
    stages: Sequence[tuple[str, str]],
    *,
    day: date,
) -> dict[str, Any]:
    """The check-in: the team's questions, and up to five of the member's deals to move."""
    blocks: list[dict[str, Any]] = [
        _input(f"q{i}", question_text(question), optional=i > 0, multiline=True)
        for i, question in enumerate(questions)
    ]
    if deals:
        blocks.append({"type": "divider"})
        blocks.append(section(_("*Move deals* (optional): a new stage or amount")))
        deal_options = [
            _option(f"#{deal_id} {customer}", str(deal_id)) for deal_id, customer in deals[:100]
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
    return {
        "type": "modal",
        "callback_id": CHECK_IN_CALLBACK,
        "title": {"type": "plain_text", "text": _("Stand-up check-in")},
        "submit": {"type": "plain_text", "text": _("Check in")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "private_metadata": day.isoformat(),
        "blocks": blocks,
    }


def submitted(view: dict[str, Any]) -> dict[str, str]:
    """Every input of a submitted modal by block id ('' when empty)."""
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        element = actions.get("value", {})
        values[block_id] = str(
            element.get("value")
            or (element.get("selected_option") or {}).get("value")
            or element.get("selected_date")
            or ""
        )
    return values


def config_modal(
    *,
    team_id: int,
    at: str,
    days: str,
    zone: str,
    per_member: bool,
    questions: Sequence[str],
    reminder: int,
    close: int,
) -> dict[str, Any]:
    """The team's stand-up settings as a form."""
    return {
        "type": "modal",
        "callback_id": CONFIG_CALLBACK,
        "private_metadata": str(team_id),
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
