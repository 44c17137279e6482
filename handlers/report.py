"""/deal report: numbers now (ephemeral), charts in the caller's DM, and a Share button."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from bot.domain.report_command import ReportArgs
from bot.runtime import runtime_of
from bot.services import reports
from bot.services.actor import Actor
from bot.unit_of_work import answer, in_caller_language
from bot.views import report as views
from bot.views.common import Message, expired_report_button


def register(app: App) -> None:
    """Listen for the Share to channel button (the command arrives through /deal)."""
    app.action(views.SHARE_ACTION)(on_share)


def on_share(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Post the report, with its charts, to the team channel (once per report message)."""
    ack()
    runtime = runtime_of(context)
    try:
        state = json.loads(body["actions"][0]["value"])
        args = ReportArgs(state["k"], state.get("u"))
    except (ValueError, KeyError, TypeError):
        with in_caller_language(runtime, body["team"]["id"], body["user"]["id"]):
            respond(**expired_report_button())
        return
    source = (body.get("container") or {}).get("message_ts") or body["actions"][0].get("action_ts")

    def work(session: Session, actor: Actor) -> Message:
        shared = reports.share_report(
            session, actor, kind=args.kind, user_id=args.user_id, source=str(source)
        )
        return views.share_answer(fresh=shared.fresh)

    channel = (body.get("channel") or {}).get("id")
    respond(**answer(runtime, body["team"]["id"], body["user"]["id"], work, channel_id=channel))
