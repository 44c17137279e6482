"""/salesbot (arrives in a later release; for now it says so)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.views import help as help_views


def register(app: App) -> None:
    """Listen for /salesbot."""
    app.command("/salesbot")(on_command)


def on_command(ack: Ack, command: dict[str, Any]) -> None:
    """Answer /salesbot with what is coming."""
    ack(**help_views.coming_soon("/salesbot"))
