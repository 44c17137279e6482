"""/log: activities (calls, meetings, demos…), from the command line and App Home's Log form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import activities as rules
from bot.domain import payloads
from bot.runtime import runtime_of
from bot.services import activities
from bot.services.actor import Actor
from bot.slack.after_ack import acks_first
from bot.slack.refusals import refuse_form, refuse_press
from bot.unit_of_work import answer_command, answer_later, form_or_tell, in_caller_language
from bot.views import activities as views
from bot.views import home as home_views
from bot.views.common import Message, expired_form, expired_home_button


def register(app: App) -> None:
    """Listen for /log, App Home's Log button and its form."""
    app.command("/log")(on_log)
    app.action(home_views.LOG)(on_log_button)
    app.view(views.LOG_CALLBACK)(on_log_submitted)


def on_log(ack: Ack, command: dict[str, Any], context: Any) -> None:
    """Answer /log in the acknowledgement: one transaction logs it and settles targets."""
    runtime = runtime_of(context)
    text = command.get("text", "")
    # Help needs no team's kinds: the default words tell it apart from a log.
    if isinstance(rules.parse_log(text, {}), rules.LogHelp):
        with in_caller_language(runtime, command["team_id"], command["user_id"]):
            ack(**views.log_help())
        return

    def work(session: Session, actor: Actor) -> Message:
        return views.render(activities.log_command(session, actor, text))

    ack(**answer_command(runtime, command, work))


@acks_first
def on_log_button(body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the Log form for a deal of App Home."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        number = payloads.deal_ref(pressed.value)
        if pressed.trigger_id is None:
            raise payloads.Invalid("trigger_id")
        trigger_id = pressed.trigger_id
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_home_button)
        return
    workspace_id, user_id = pressed.workspace_id, pressed.user_id

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        deal, kinds = activities.log_form(session, actor, number)
        metadata = payloads.deal_metadata(
            runtime.seal, views.LOG_CALLBACK, workspace_id, user_id, deal.number
        )
        return views.log_modal(kinds, metadata=metadata, customer=deal.customer, number=number)

    view = form_or_tell(runtime, workspace_id, user_id, form)
    if view is not None:
        client.views_open(trigger_id=trigger_id, view=view)


def on_log_submitted(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Log what the form says; the confirmation (or refusal) goes to the member's DM."""
    runtime = runtime_of(context)
    try:
        submitted, number, count = payloads.log_submission(body, runtime.seal)
    except payloads.Invalid as invalid:
        refused = refuse_form(runtime, body, invalid, "kind", lambda: expired_form("/log"))
        ack(response_action="errors", errors=refused)
        return
    ack()
    values = submitted.values
    key = f"form:{submitted.view_id}" if submitted.view_id else None

    def save(session: Session, actor: Actor) -> Message:
        logged = activities.log_on_deal(
            session,
            actor,
            number,
            kind=values["kind"],
            count=count,
            note=values["note"],
            form_key=key,
        )
        return views.render(logged)

    answer_later(
        runtime,
        submitted.workspace_id,
        submitted.user_id,
        save,
        channel_id=submitted.user_id,
        ephemeral=False,
    )
