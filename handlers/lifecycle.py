"""The app's own lifecycle: uninstalled from a workspace, or its tokens revoked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.runtime import runtime_of
from bot.slack.after_ack import acks_first

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Listen for app_uninstalled and tokens_revoked."""
    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)


@acks_first
def on_app_uninstalled(context: Any) -> None:
    """Forget every token of the workspace; its pending outbox messages then fail for good."""
    store = runtime_of(context).installations
    log.info("workspace.uninstalled workspace=%s", context.team_id)
    if store is None:
        # Single-workspace mode: the token lives in SLACK_BOT_TOKEN, which Slack just revoked.
        return
    store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)


@acks_first
def on_tokens_revoked(event: dict[str, Any], context: Any) -> None:
    """Forget the revoked tokens: the users' ones, and with the bot's every installation row."""
    store = runtime_of(context).installations
    tokens = event.get("tokens") or {}
    log.info(
        "workspace.tokens_revoked workspace=%s users=%d bot=%s",
        context.team_id,
        len(tokens.get("oauth") or []),
        bool(tokens.get("bot")),
    )
    if store is None:
        return
    where = {"enterprise_id": context.enterprise_id, "team_id": context.team_id}
    for user_id in tokens.get("oauth") or []:
        store.delete_installation(**where, user_id=user_id)
    if tokens.get("bot"):
        store.delete_bot(**where)
        # Installation rows carry the bot token too; keeping them would keep a dead token.
        store.delete_installation(**where)
