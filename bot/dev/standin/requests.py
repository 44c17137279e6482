"""What Slack sends the bot: signed slash command, interaction and Events API request bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from bot.dev.standin.records import (
    DEFAULT_APP_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_DOMAIN,
    DEFAULT_TEAM_ID,
)


def sign_request(signing_secret: str, body: str, timestamp: int) -> dict[str, str]:
    """Headers Slack sends with every request: v0 HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def slash_command_body(
    command: str,
    text: str,
    *,
    user_id: str,
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str = "C1",
    response_url: str,
    trigger_id: str = "1337.42.devslack",
    user_name: str = "dev-user",
    channel_name: str | None = None,
    api_app_id: str = DEFAULT_APP_ID,
) -> str:
    """The urlencoded form Slack POSTs for a slash command."""
    if channel_name is None:
        channel_name = "directmessage" if channel_id.startswith("D") else "general"
    return urlencode(
        {
            "token": "devslack-verification-token",  # deprecated by Slack, still sent
            "team_id": team_id,
            "team_domain": DEFAULT_TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interaction_body(payload: Mapping[str, Any]) -> str:
    """The form Slack POSTs for interactivity: a single ``payload`` field holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def event_body(
    event: Mapping[str, Any],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    event_id: str | None = None,
    api_app_id: str = DEFAULT_APP_ID,
    bot_user_id: str = DEFAULT_BOT_USER_ID,
    event_time: int | None = None,
) -> str:
    """The JSON ``event_callback`` envelope of the Events API (fresh event_id by default)."""
    envelope = {
        "token": "devslack-verification-token",
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-devslack-{team_id}",
    }
    return json.dumps(envelope)
