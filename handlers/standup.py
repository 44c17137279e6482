"""/standup: check in, configure the team's stand-up, holidays, away and pause; DM replies."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import payloads
from bot.domain import standup_command as cmd
from bot.domain.payloads import Seal
from bot.domain.text import escape_mrkdwn
from bot.runtime import runtime_of
from bot.services import checkins, standup_settings
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.slack.after_ack import acks_first, after_ack
from bot.slack.refusals import refuse_form, refuse_press
from bot.unit_of_work import (
    answer,
    answer_later,
    as_caller,
    form_or_tell,
    in_caller_language,
    submit,
)
from bot.views import standup as views
from bot.views.common import Message, ephemeral, expired_check_in_button, expired_form, refusal


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
                runtime,
                team_id,
                user_id,
                lambda s, a: modal_for(s, a, parsed, channel_id, runtime.seal),
            )
        except Refused as refused:
            ack(**refusal(refused.message, refused.usage))
            return
        ack()
        after_ack(
            context, command, lambda: client.views_open(trigger_id=command["trigger_id"], view=view)
        )
        return

    def work(session: Session, actor: Actor) -> Message:
        done = standup_settings.apply(session, actor, parsed, channel_id)
        return views.setting_reply(done)

    ack(**answer(runtime, team_id, user_id, work))


def modal_for(
    session: Session, actor: Actor, parsed: cmd.CheckIn | cmd.Config, channel_id: str, seal: Seal
) -> dict[str, Any]:
    """The check-in modal, or (managers) the settings modal of the channel's team."""
    if isinstance(parsed, cmd.Config):
        form = standup_settings.settings_form(session, actor, channel_id)
        metadata = payloads.team_metadata(
            seal,
            views.CONFIG_CALLBACK,
            actor.workspace_id,
            actor.member.slack_user_id,
            form.team_id,
        )
        return views.config_modal(form, metadata)
    return check_in_view(session, actor, seal)


def check_in_view(session: Session, actor: Actor, seal: Seal) -> dict[str, Any]:
    """The team's questions and the member's open deals (the day they are for, sealed)."""
    form = standup_settings.check_in_form(session, actor)
    metadata = payloads.day_metadata(
        seal,
        views.CHECK_IN_CALLBACK,
        actor.workspace_id,
        actor.member.slack_user_id,
        form.day,
        tuple(key for key, _alias in form.counters),
    )
    return views.check_in_modal(form, metadata)


@acks_first
def on_check_in_button(body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the check-in modal from the morning DM."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        payloads.prompt_ref(pressed.value)
        if pressed.trigger_id is None:
            raise payloads.Invalid("trigger_id")
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_check_in_button)
        return
    view = form_or_tell(
        runtime,
        pressed.workspace_id,
        pressed.user_id,
        lambda session, actor: check_in_view(session, actor, runtime.seal),
    )
    if view is not None:
        client.views_open(trigger_id=pressed.trigger_id, view=view)


def on_check_in_submitted(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Record the check-in (once, however often it is submitted) and move the chosen deals."""
    runtime = runtime_of(context)
    try:
        submitted = payloads.submission(body, payloads.CHECK_IN_FORM)
        payloads.day_of(runtime.seal, submitted)
        counters = payloads.counter_kinds(runtime.seal, submitted)
        values = dict(payloads.check_in_values(submitted))
    except payloads.Invalid as invalid:
        refused = refuse_form(runtime, body, invalid, "q0", lambda: expired_form("/standup"))
        ack(response_action="errors", errors=refused)
        return
    errors = submit(
        runtime,
        submitted.workspace_id,
        submitted.user_id,
        lambda s, a: standup_settings.check_in_by_form(s, a, values, counters),
        refused_field="q0",
        home_changed=True,
    )
    if errors is not None:
        ack(response_action="errors", errors=errors)
        return
    ack()


def on_config_submitted(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Save the settings modal, or show what is wrong on each field."""
    runtime = runtime_of(context)
    try:
        submitted = payloads.submission(body, payloads.CONFIG_FORM)
        team_ref = payloads.team_of(runtime.seal, submitted)
    except payloads.Invalid as invalid:
        refused = refuse_form(
            runtime, body, invalid, "time", lambda: expired_form("/standup config")
        )
        ack(response_action="errors", errors=refused)
        return
    values = dict(submitted.values)
    errors = submit(
        runtime,
        submitted.workspace_id,
        submitted.user_id,
        lambda s, a: standup_settings.save_form(s, a, team_ref, values),
        refused_field="time",
    )
    if errors is not None:
        ack(response_action="errors", errors=errors)
        return
    ack()


@acks_first
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
