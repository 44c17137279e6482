"""Stand-up notices rendered into the Slack calls they owe: the morning DM, the reminder, the
team channel's day message and its thread, streak rewards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.text import escape_mrkdwn
from bot.i18n import _, money
from bot.results.calls import THREAD_OF, UPDATE_OF, Call
from bot.results.notices import (
    BlockerAdded,
    BlockerRaised,
    CheckInPosted,
    DayOpened,
    DayUpdated,
    PromptDue,
    ReminderDue,
    Said,
    StreakReached,
)
from bot.views.common import section
from bot.views.standup import (
    blocker_added_post,
    blocker_dm,
    check_in_post,
    prompt_message,
    reminder_message,
    summary_message,
)


def day_key(day_id: int) -> str:
    """The outbox key of a day's channel message (thread replies and updates refer to it)."""
    return f"standup-day:{day_id}"


def prompt_due(notice: PromptDue) -> list[Call]:
    """The morning DM, once per prompt."""
    payload = {"channel": notice.member_user_id, **prompt_message(notice.facts)}
    return [Call("chat.postMessage", payload, f"standup-prompt:{notice.facts.prompt_id}")]


def reminder_due(notice: ReminderDue) -> list[Call]:
    """The one nudge, once per prompt."""
    payload = {"channel": notice.member_user_id, **reminder_message(notice.prompt_id)}
    return [Call("chat.postMessage", payload, f"standup-reminder:{notice.prompt_id}")]


def day_opened(notice: DayOpened) -> list[Call]:
    """The day message, posted once; replies and updates name it by its key."""
    payload = {"channel": notice.channel_id, **summary_message(notice.summary)}
    return [Call("chat.postMessage", payload, day_key(notice.day_id))]


def day_updated(notice: DayUpdated) -> list[Call]:
    """The day message as it is now."""
    payload = {
        UPDATE_OF: day_key(notice.day_id),
        "channel": notice.channel_id,
        **summary_message(notice.summary),
    }
    return [Call("chat.update", payload)]


def check_in_posted(notice: CheckInPosted) -> list[Call]:
    """A check-in, in the day message's thread."""
    post = check_in_post(
        notice.user_id,
        notice.answers,
        notice.moved,
        notice.blocker,
        notice.managers,
        late=notice.late,
    )
    payload = {THREAD_OF: day_key(notice.day_id), "channel": notice.channel_id, **post}
    return [Call("chat.postMessage", payload)]


def blocker_added(notice: BlockerAdded) -> list[Call]:
    """A blocker raised by checking in again, in the day message's thread, once."""
    post = blocker_added_post(notice.user_id, notice.blocker, notice.managers)
    payload = {THREAD_OF: day_key(notice.day_id), "channel": notice.channel_id, **post}
    return [Call("chat.postMessage", payload, f"standup-blocker-thread:{notice.blocker_id}")]


def blocker_raised(notice: BlockerRaised) -> list[Call]:
    """A DM to one manager about a blocker, once per blocker and manager."""
    message = blocker_dm(
        notice.member_user_id, notice.channel_id, notice.local_date, notice.blocker
    )
    payload = {"channel": notice.manager_user_id, **message}
    key = f"standup-blocker:{notice.blocker_id}:{notice.manager_user_id}"
    return [Call("chat.postMessage", payload, key)]


def streak_reached(notice: StreakReached) -> list[Call]:
    """A streak reward, celebrated in the team channel."""
    text = ":fire: " + _("{person} checked in {days} working days in a row: *{name}*").format(
        person=f"<@{notice.member_user_id}>", days=notice.days, name=escape_mrkdwn(notice.name)
    )
    if notice.bonus:
        text += " · " + _("bonus {amount}").format(amount=money(notice.bonus, notice.currency))
    payload = {"channel": notice.channel_id, "text": text, "blocks": [section(text)]}
    return [Call("chat.postMessage", payload, notice.post_key)]


STANDUP_RENDERERS: dict[type[Said], Callable[[Any], list[Call]]] = {
    PromptDue: prompt_due,
    ReminderDue: reminder_due,
    DayOpened: day_opened,
    DayUpdated: day_updated,
    CheckInPosted: check_in_posted,
    BlockerAdded: blocker_added,
    BlockerRaised: blocker_raised,
    StreakReached: streak_reached,
}
