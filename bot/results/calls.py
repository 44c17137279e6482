"""The shape of a Slack call owed through the outbox, shared by views (which build payloads)
and the outbox (which stores and resolves them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Payload keys naming another message by its dedupe key: post in its thread, or update it.
THREAD_OF = "thread_of"
UPDATE_OF = "update_of"
# Payload key naming a renderer: the payload is built when the message is sent, from what is
# committed then, so one send can stand for many changes (an App Home after five quick adds),
# and slow work (charts) happens in the sender, never on the request path.
RENDER = "render"
# A dedupe key with this prefix holds only while the message waits to be sent: owing another
# with the same key meanwhile does nothing (a rendered payload will show that change too).
WHILE_PENDING = "pending:"
# Payload key naming a member: the call goes to their DM with the bot, opened when it is sent.
DM_OF = "dm_of"


@dataclass(frozen=True)
class Call:
    """One Slack Web API call owed: an outbox row."""

    method: str
    payload: dict[str, Any]
    dedupe_key: str | None = None
