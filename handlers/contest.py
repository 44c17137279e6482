"""/contest: contests between a team's reps or between teams (new, list, show, end)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.domain import contest_command as rules
from bot.runtime import runtime_of
from bot.services import contests
from bot.services.actor import Actor
from bot.unit_of_work import answer_command, in_caller_language
from bot.views import contests as views
from bot.views.common import Message


def register(app: App) -> None:
    """Listen for /contest."""
    app.command("/contest")(on_contest)


def on_contest(ack: Ack, command: dict[str, Any], context: Any) -> None:
    """Answer /contest in the acknowledgement: one transaction runs it (and owes its posts)."""
    runtime = runtime_of(context)
    text = command.get("text", "")
    if rules.is_help(text):
        with in_caller_language(runtime, command["team_id"], command["user_id"]):
            ack(**views.contest_help())
        return

    def work(session: Session, actor: Actor) -> Message:
        return views.render(contests.contest_command(session, actor, text))

    ack(**answer_command(runtime, command, work))
