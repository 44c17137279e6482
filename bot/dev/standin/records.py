"""What DevSlack remembers: recorded calls, the directory it serves, and its defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_TEAM_ID = "T1"
DEFAULT_TEAM_NAME = "Salesbot Dev"
DEFAULT_TEAM_DOMAIN = "salesbot-dev"
DEFAULT_BOT_USER_ID = "U0BOT"
DEFAULT_BOT_ID = "B0BOT"
DEFAULT_APP_ID = "A0SALESBOT"
DEFAULT_SCOPES = "chat:write,commands,users:read,channels:read,groups:read,im:write,files:write"


@dataclass(frozen=True)
class Call:
    """One request the bot made: Web API method (or ``"response_url"``), decoded params, token.

    ``faulted`` marks calls answered by an injected fault or the rate limiter; ``response`` is
    the JSON body DevSlack answered with (handy for ``ts`` or view ids in tests).
    """

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    faulted: bool = False
    response: dict[str, Any] = field(default_factory=dict)


class SlackError(Exception):
    """Raised by method handlers to answer ``{"ok": false, "error": ...}``.

    ``reason`` says why, as Slack's ``errors`` and ``response_metadata.messages`` do.
    """

    def __init__(self, error: str, reason: str = "") -> None:
        super().__init__(f"{error}: {reason}" if reason else error)
        self.error = error
        self.reason = reason

    def body(self) -> dict[str, Any]:
        """The answer's JSON, shaped like Slack's."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.reason:
            body["errors"] = [self.reason]
            body["response_metadata"] = {"messages": [f"[ERROR] {self.reason}"]}
        return body


@dataclass(frozen=True)
class User:
    """A workspace member, as users.info and users.list describe them."""

    user_id: str
    name: str
    real_name: str
    tz: str
    is_admin: bool
    is_owner: bool
    is_bot: bool
    deleted: bool
    locale: str
    team_id: str
    email: str


@dataclass
class Channel:
    """A channel and its members, for conversations.info and conversations.members."""

    name: str
    members: list[str]


@dataclass
class File:
    """An upload announced by files.getUploadURLExternal; ``data`` once its bytes arrive."""

    filename: str
    length: int
    data: bytes | None = None
    # Who shared it (files the bot uploads have nobody).
    user: str = ""


@dataclass(frozen=True)
class ResponseContext:
    """Who a response_url belongs to, so the transcript can say where the reply showed up."""

    tag: str
    user_id: str | None
    channel_id: str | None
