"""/deal: record and move deals."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.views import help as help_views


def register(app: App) -> None:
    """Listen for /deal."""
    app.command("/deal")(on_deal)


def on_deal(ack: Ack, command: dict[str, Any]) -> None:
    """Answer /deal."""
    ack(**help_views.deal_help())
