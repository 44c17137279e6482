"""Slack listeners, one module per surface; register() wires them all into a bolt app."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    activity,
    admin,
    contest,
    crm,
    deal_command,
    home,
    imports,
    lifecycle,
    report,
    standup,
    target_command,
)


def register(app: App) -> None:
    """Attach every surface's listeners to the app."""
    for surface in (
        deal_command,
        target_command,
        # Before standup: a file shared in the DM is an import, not a check-in.
        imports,
        activity,
        contest,
        standup,
        report,
        admin,
        crm,
        home,
        lifecycle,
    ):
        surface.register(app)
