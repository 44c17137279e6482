"""The answer to an interaction whose values do not decode (bot.domain.payloads): the friendly
"expired or not valid" refusal, one INFO line naming the reason, and nothing written.

Never an exception: a value that does not read is something sent to us, not something broken.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from bot.domain import payloads
from bot.runtime import Runtime
from bot.unit_of_work import in_caller_language, tell
from bot.views.common import Message

log = logging.getLogger(__name__)


def refuse_press(
    runtime: Runtime,
    body: Mapping[str, Any],
    invalid: payloads.Invalid,
    message: Callable[[], Message],
    respond: Callable[..., Any] | None = None,
) -> None:
    """Answer a button whose value does not decode: on its response_url when it has one (a
    message's button), else in the member's DM (App Home has no other place to say it)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    action_id = first.get("action_id") if isinstance(first, dict) else None
    log.info("interaction.refused reason=%s action_id=%r", invalid.reason, str(action_id)[:64])
    ids = payloads.caller(body)
    if ids is None:
        return
    with in_caller_language(runtime, *ids):
        reply = message()
    if respond is not None and payloads.reply_url(body) is not None:
        respond(**reply)
    else:
        tell(runtime, *ids, reply)


def refuse_form(
    runtime: Runtime,
    body: Mapping[str, Any],
    invalid: payloads.Invalid,
    field: str,
    message: Callable[[], str],
) -> dict[str, str]:
    """The errors to keep a form open with when its metadata or fields do not decode: the
    refusal, shown on `field`."""
    view = body.get("view")
    callback_id = view.get("callback_id") if isinstance(view, dict) else None
    log.info("interaction.refused reason=%s callback_id=%r", invalid.reason, str(callback_id)[:64])
    ids = payloads.caller(body)
    if ids is None:
        return {field: message()}
    with in_caller_language(runtime, *ids):
        return {field: message()}
