"""/standup: check in, configure the team's stand-up, holidays, away and pause; DM replies."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import standup_command as cmd
from bot.domain.text import escape_mrkdwn
from bot.runtime import runtime_of
from bot.services import checkins, standup_settings
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.unit_of_work import (
    answer,
    answer_later,
    as_caller,
    form_or_tell,
    in_caller_language,
    submit,
)
from bot.views import standup as views
from bot.views.common import Message, ephemeral, refusal


def register(app: App) -> None:
    """Listen for /standup, the Check in button, the two modals and DM replies."""
    app.command("/standup")(on_standup)
    app.action(views.CHECK_IN_ACTION)(on_check_in_button)
    app.view(views.CHECK_IN_CALLBACK)(on_check_in_submitted)
    app.view(views.CONFIG_CALLBACK)(on_config_submitted)
    app.event({"type": "message", "channel_type": "im"})(on_direct_message)


def on_standup(ack: Ack, command: dict[str, Any], client: WebClient, context: Any) -> None:
    """Answer /standup: the check-in modal, the settings modal, or a setting by text."""
    runtime = runtime_of(context)
    team_id, user_id = command["team_id"], command["user_id"]
    channel_id = command.get("channel_id", "")
    text = command.get("text", "")
    parsed = cmd.parse_standup_command(text)
    if isinstance(parsed, cmd.StandupParseError | cmd.Help):
        # Parsed again in the caller's language, so the refusal is worded in it.
        with in_caller_language(runtime, team_id, user_id):
            again = cmd.parse_standup_command(text)
            if isinstance(again, cmd.StandupParseError):
                ack(**refusal(escape_mrkdwn(again.message), again.usage))
            else:
                ack(**views.standup_help())
        return
    if isinstance(parsed, cmd.CheckIn) and parsed.text:
        text_check_in = parsed.text

        def check_in(session: Session, actor: Actor) -> Message:
            done = standup_settings.check_in_with(session, actor, text_check_in)
            return views.checked_in_by_command(done)

        ack(**answer(runtime, team_id, user_id, check_in, channel_id=channel_id))
        return
    if isinstance(parsed, cmd.CheckIn | cmd.Config):
        try:
            view = as_caller(
                runtime, team_id, user_id, lambda s, a: modal_for(s, a, parsed, channel_id)
            )
        except Refused as refused:
            ack(**refusal(refused.message, refused.usage))
            return
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return

    def work(session: Session, actor: Actor) -> Message:
        done = standup_settings.apply(session, actor, parsed, channel_id)
        return views.setting_reply(done)

    ack(**answer(runtime, team_id, user_id, work))


def modal_for(
    session: Session, actor: Actor, parsed: cmd.CheckIn | cmd.Config, channel_id: str
) -> dict[str, Any]:
    """The check-in modal, or (managers) the settings modal of the channel's team."""
    if isinstance(parsed, cmd.Config):
        return views.config_modal(standup_settings.settings_form(session, actor, channel_id))
    return check_in_view(session, actor)


def check_in_view(session: Session, actor: Actor) -> dict[str, Any]:
    """The team's questions and the member's open deals."""
    return views.check_in_modal(standup_settings.check_in_form(session, actor))


def on_check_in_button(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the check-in modal from the morning DM."""
    ack()
    runtime = runtime_of(context)
    view = form_or_tell(runtime, body["team"]["id"], body["user"]["id"], check_in_view)
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def on_check_in_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any
) -> None:
    """Record the check-in (once, however often it is submitted) and move the chosen deals."""
    values = views.submitted(view)
    errors = submit(
        runtime_of(context),
        body["team"]["id"],
        body["user"]["id"],
        lambda s, a: standup_settings.check_in_by_form(s, a, values),
        refused_field="q0",
        home_changed=True,
    )
    if errors is not None:
        ack(response_action="errors", errors=errors)
        return
    ack()


def on_config_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    """Save the settings modal, or show what is wrong on each field."""
    values = views.submitted(view)
    team_ref = int(view.get("private_metadata") or 0)
    errors = submit(
        runtime_of(context),
        body["team"]["id"],
        body["user"]["id"],
        lambda s, a: standup_settings.save_form(s, a, team_ref, values),
        refused_field="time",
    )
    if errors is not None:
        ack(response_action="errors", errors=errors)
        return
    ack()


def on_direct_message(event: dict[str, Any], context: Any) -> None:
    """A plain text reply to the morning prompt counts as the check-in."""
    if event.get("bot_id") or event.get("subtype") or not event.get("user"):
        return
    text = str(event.get("text") or "").strip()
    if not text:
        return
    team_id = str(context.get("team_id") or event.get("team") or "")
    runtime = runtime_of(context)
    user_id = event["user"]
    channel = str(event["channel"])

    def hint(_session: Session, _actor: Actor) -> Message:
        return ephemeral(views.dm_hint())

    if not as_caller(runtime, team_id, user_id, checkins.has_prompt_today, read_only=True):
        answer_later(runtime, team_id, user_id, hint, channel_id=channel, ephemeral=False)
        return

    def work(session: Session, actor: Actor) -> Message:
        reply = views.checked_in_reply(standup_settings.check_in_by_text(session, actor, text))
        return ephemeral(reply if reply is not None else views.dm_hint())

    answer_later(
        runtime, team_id, user_id, work, channel_id=channel, ephemeral=False, home_changed=True
    )
