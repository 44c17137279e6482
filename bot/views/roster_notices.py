"""Roster notices rendered into the Slack calls they owe: managers told of a member Slack
deactivated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.text import escape_mrkdwn
from bot.i18n import _
from bot.results.calls import Call
from bot.results.notices import MemberDeactivated, Said
from bot.views.common import section


def member_deactivated(notice: MemberDeactivated) -> list[Call]:
    """A DM to one manager, once per removal."""
    text = ":wave: " + _(
        "{person} ({name}) was deactivated in Slack, so I took them out of {team}: no more "
        "stand-ups for them, and they no longer count as missing. Their deals stay theirs; "
        "give them to someone with `/deal assign`."
    ).format(
        person=f"<@{notice.member_user_id}>",
        name=escape_mrkdwn(notice.member_name),
        team=f"<#{notice.channel_id}>",
    )
    payload = {"channel": notice.manager_user_id, "text": text, "blocks": [section(text)]}
    key = f"roster-deactivated:{notice.removal}:{notice.manager_user_id}"
    return [Call("chat.postMessage", payload, key)]


ROSTER_RENDERERS: dict[type[Said], Callable[[Any], list[Call]]] = {
    MemberDeactivated: member_deactivated,
}
