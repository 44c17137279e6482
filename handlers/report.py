"""/deal report: numbers now (ephemeral), charts in the caller's DM, and a Share button."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond
from sqlalchemy.orm import Session

from bot.domain import payloads
from bot.runtime import runtime_of
from bot.services import reports
from bot.services.actor import Actor
from bot.slack.after_ack import acks_first
from bot.slack.refusals import refuse_press
from bot.unit_of_work import answer
from bot.views import report as views
from bot.views.common import Message, expired_report_button


def register(app: App) -> None:
    """Listen for the Share to channel button (the command arrives through /deal)."""
    app.action(views.SHARE_ACTION)(on_share)


@acks_first
def on_share(body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Post the report, with its charts, to the team channel (once per report message)."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        args = payloads.report_share(pressed.value)
        # Shared once per report message: without one, there is nothing to share once.
        if pressed.message_ts is None or pressed.response_url is None:
            raise payloads.Invalid("no_message")
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_report_button, respond)
        return
    source = pressed.message_ts

    def work(session: Session, actor: Actor) -> Message:
        shared = reports.share_report(
            session, actor, kind=args.kind, user_id=args.user_id, source=source
        )
        return views.share_answer(fresh=shared.fresh)

    respond(
        **answer(
            runtime, pressed.workspace_id, pressed.user_id, work, channel_id=pressed.channel_id
        )
    )
