"""Post signed requests to Salesbot exactly as Slack does: used by the tests, console and demo."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest

from bot.dev.standin import event_body, interaction_body, sign_request, slash_command_body


@dataclass(frozen=True)
class Reply:
    """Salesbot's HTTP answer to one request."""

    status: int
    body: str

    @property
    def json(self) -> dict[str, Any]:
        """The body as JSON ({} when empty)."""
        if not self.body:
            return {}
        value = json.loads(self.body)
        assert isinstance(value, dict)
        return value

    @property
    def text(self) -> str:
        """The reply's text, with its blocks flattened."""
        from bot.dev.standin import blocks_to_text

        data = self.json
        blocks = data.get("blocks")
        return blocks_to_text(blocks) if blocks else str(data.get("text", ""))


Transport = Callable[[str, dict[str, str]], Reply]


def http_transport(events_url: str) -> Transport:
    """Send over real HTTP to a running server's /slack/events."""

    def send(body: str, headers: dict[str, str]) -> Reply:
        request = urllib.request.Request(  # noqa: S310
            events_url, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    return send


def bolt_transport(app: App) -> Transport:
    """Hand the signed request straight to a bolt app in this process (the console)."""

    def send(body: str, headers: dict[str, str]) -> Reply:
        response = app.dispatch(
            BoltRequest(body=body, headers={k.lower(): [v] for k, v in headers.items()})
        )
        return Reply(response.status, response.body)

    return send


def _trigger_id() -> str:
    return f"{time.time_ns()}.{secrets.token_hex(6)}"


class SlackDriver:
    """Plays Slack's side of the conversation: signed slash commands, interactions and events."""

    def __init__(self, transport: Transport, signing_secret: str, *, team_id: str = "T1") -> None:
        self.transport = transport
        self.signing_secret = signing_secret
        self.team_id = team_id

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timestamp: int | None = None,
    ) -> Reply:
        """POST a raw body, signed unless told otherwise."""
        all_headers = {"Content-Type": content_type}
        if signed:
            all_headers.update(
                sign_request(self.signing_secret, body, timestamp or int(time.time()))
            )
        all_headers.update(headers or {})
        return self.transport(body, all_headers)

    def command(
        self,
        command: str,
        text: str,
        *,
        user: str,
        channel: str = "C1",
        response_url: str = "",
        trigger_id: str | None = None,
    ) -> Reply:
        """A slash command, as Slack posts it (each with a trigger id of its own, so two
        identical commands are two requests, not a replay)."""
        body = slash_command_body(
            command,
            text,
            user_id=user,
            team_id=self.team_id,
            channel_id=channel,
            response_url=response_url,
            trigger_id=trigger_id or _trigger_id(),
        )
        return self.post(body, "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> Reply:
        """A block action or view submission (with a trigger id of its own, as Slack's)."""
        payload = {"trigger_id": _trigger_id(), **payload}
        return self.post(interaction_body(payload), "application/x-www-form-urlencoded")

    def event(
        self, event: dict[str, Any], *, event_id: str, headers: dict[str, str] | None = None
    ) -> Reply:
        """An Events API callback."""
        body = event_body(event, team_id=self.team_id, event_id=event_id)
        return self.post(body, "application/json", headers=headers)
