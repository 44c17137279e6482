"""Next steps as the morning prompt lists them, and the DM of those due on a day without
stand-up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.domain.text import Mrkdwn, escape_mrkdwn_within
from bot.i18n import _, day
from bot.results.calls import Call
from bot.results.notices import NextStepsDue, Said
from bot.results.standup import StepLine
from bot.views.common import Message, context_block
from bot.views.deals import pack_lines

# How much of a line a step (up to 200 characters) and a customer may take once escaped.
STEP_LIMIT = 400
CUSTOMER_LIMIT = 250
# The most steps one DM lists.
DM_STEPS = 20


def step_lines(steps: Sequence[StepLine]) -> list[Mrkdwn]:
    """`• :warning: #3 *Acme*: send the proposal · overdue since Thu Nov 26`, one per step."""
    lines = []
    for step in steps:
        what = escape_mrkdwn_within(step.step, STEP_LIMIT)
        customer = escape_mrkdwn_within(step.customer, CUSTOMER_LIMIT)
        head = f"`#{step.number}` *{customer}*: {what}"
        if step.overdue:
            when = _("overdue since {date}").format(date=day(step.due, weekday=True))
            lines.append(f"• :warning: {head} · {when}")
        else:
            lines.append(f"• :arrow_right: {head} · " + _("today"))
    return lines


def prompt_blocks(steps: Sequence[StepLine], total: int) -> list[dict[str, Any]]:
    """The morning prompt's next steps: overdue first, then today's."""
    lines = [_("*Next steps due* (overdue first)"), *step_lines(steps)]
    if total > len(steps):
        lines.append(_("…and {count} more: `/deal list nextstep`").format(count=total - len(steps)))
    return pack_lines(lines)


def done_hint(number: int) -> str:
    """How to mark a step done or move it."""
    return _(
        'Done? `/deal #{id} next done`. Moved? `/deal #{id} next "send the proposal" monday`.'
    ).format(id=number)


def next_steps_dm(notice: NextStepsDue) -> Message:
    """The DM of the next steps due on a day without stand-up."""
    title = ":calendar: " + _("Next steps due today, {day}").format(
        day=day(notice.local_date, weekday=True)
    )
    blocks = pack_lines([f"*{title}*", *step_lines(notice.steps[:DM_STEPS])])
    if notice.steps:
        blocks.append(context_block(done_hint(notice.steps[0].number)))
    return {"text": title, "blocks": blocks}


def next_steps_due(notice: NextStepsDue) -> list[Call]:
    """The DM, once (its key is the first of its steps' reminders)."""
    payload = {"channel": notice.member_user_id, **next_steps_dm(notice)}
    return [Call("chat.postMessage", payload, notice.key)]


NEXT_STEP_RENDERERS: dict[type[Said], Callable[[Any], list[Call]]] = {
    NextStepsDue: next_steps_due,
}
