"""CRM sync in Slack: the connect form's submission and the Disconnect button."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from bot.domain import payloads
from bot.runtime import runtime_of
from bot.services import crm_connections
from bot.services.actor import Actor
from bot.slack.after_ack import acks_first, after_ack
from bot.slack.refusals import refuse_form, refuse_press
from bot.sync.connect import connect_from_slack
from bot.unit_of_work import answer, in_caller_language
from bot.views import crm as views
from bot.views.common import Message

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Listen for the connect form and the Disconnect button."""
    app.view(views.CONNECT_CALLBACK)(on_connect_submitted)
    app.action(views.DISCONNECT_ACTION)(on_disconnect)


def on_connect_submitted(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Check the form, close it, then connect (the CRM is asked after the ack) and tell the
    manager in their DM. The credentials are never logged nor shown again."""
    runtime = runtime_of(context)
    try:
        submitted = payloads.submission(body, payloads.CRM_FORM)
        form = payloads.crm_form(runtime.seal, submitted)
    except payloads.Invalid as invalid:
        errors = refuse_form(runtime, body, invalid, "token", lambda: views.expired_form())
        ack(response_action="errors", errors=errors)
        return
    missing = [field for field, value in form.credentials.items() if not value]
    if missing:
        with in_caller_language(runtime, submitted.workspace_id, submitted.user_id):
            ack(
                response_action="errors",
                errors={field: views.form_field_missing() for field in missing},
            )
        return
    ack()
    after_ack(
        context,
        body,
        lambda: connect_from_slack(
            runtime,
            submitted.workspace_id,
            submitted.user_id,
            team_id=form.team_id,
            crm=form.crm,
            credentials=form.credentials,
        ),
    )


@acks_first
def on_disconnect(body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Stop the team's sync; its deals stay."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        team_id = payloads.team_ref(pressed.value)
        if pressed.response_url is None:
            raise payloads.Invalid("response_url")
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, views.expired_button, respond)
        return

    def work(session: Session, actor: Actor) -> Message:
        team = crm_connections.team_by_id(session, actor, team_id)
        return views.render(crm_connections.disconnect(session, actor, team))

    message = answer(runtime, pressed.workspace_id, pressed.user_id, work)
    respond(replace_original=True, **message)
