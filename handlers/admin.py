"""/salesbot: set up a sales team in a channel, manage members, managers, stages, settings."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.domain import admin_command as cmd
from bot.domain import payloads
from bot.runtime import Runtime, runtime_of
from bot.services import admin, admin_commands, crm_connections, currency, wallboard
from bot.services.actor import Actor, require_manager
from bot.services.errors import Refused
from bot.slack.after_ack import acks_first, after_ack
from bot.slack.directory import channel_name, channel_profiles
from bot.slack.refusals import refuse_press
from bot.unit_of_work import answer, as_caller, in_caller_language
from bot.views import admin as views
from bot.views import crm as crm_views
from bot.views import wallboard as wallboard_views
from bot.views.common import Message, refusal

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Listen for /salesbot and the Confirm of a currency switch."""
    app.command("/salesbot")(on_salesbot)
    app.action(views.CURRENCY_CONFIRM_ACTION)(on_currency_confirmed)


def on_salesbot(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: Any
) -> None:
    """Answer /salesbot; setup acks at once and reports when the channel's members are in."""
    runtime = runtime_of(context)
    workspace_id, user_id = command["team_id"], command["user_id"]
    channel_id = command.get("channel_id", "")
    text = command.get("text", "")
    parsed = cmd.parse_admin_command(text)
    if isinstance(parsed, cmd.AdminError | cmd.Help):
        # Parsed again in the caller's language, so the refusal is worded in it.
        with in_caller_language(runtime, workspace_id, user_id):
            ack(**said(cmd.parse_admin_command(text)))
        return
    if isinstance(parsed, cmd.Setup):
        # Only a manager may, and is told so before Slack is asked for the channel's members.
        def may_set_up(_session: object, actor: Actor) -> Message:
            require_manager(actor)
            return views.setting_up()

        try:
            ack(**as_caller(runtime, workspace_id, user_id, may_set_up))
        except Refused as refused:
            ack(**refusal(refused.message, refused.usage))
            return
        # Slack is asked for the channel's members after the ack.
        after_ack(
            context,
            command,
            lambda: respond(**set_up(runtime, workspace_id, user_id, channel_id, parsed)),
        )
        return
    if isinstance(parsed, cmd.Crm):
        crm(ack, client, context, command, parsed)
        return
    if isinstance(parsed, cmd.Wallboard):
        ack(**board_link(runtime, command, parsed))
        return
    # Whoever is added to a team or made a manager must be a person of this workspace.
    adds = isinstance(parsed, cmd.TeamChange | cmd.ManagerChange) and parsed.action == "add"
    named = parsed.user_id if isinstance(parsed, cmd.TeamChange | cmd.ManagerChange) else None
    ack(
        **answer(
            runtime,
            workspace_id,
            user_id,
            lambda session, actor: views.render(
                admin_commands.execute(session, actor, parsed, channel_id=channel_id)
            ),
            naming=named if adds else None,
        )
    )


def crm(
    ack: Ack, client: WebClient, context: Any, command: dict[str, Any], parsed: cmd.Crm
) -> None:
    """`/salesbot crm …`: the connect form opens at once; the rest answers in the ack."""
    runtime = runtime_of(context)
    workspace_id, user_id = command["team_id"], command["user_id"]
    channel_id = command.get("channel_id", "")
    if parsed.action == "connect":
        assert parsed.crm is not None
        kind = parsed.crm

        def form(session: Session, actor: Actor) -> dict[str, Any]:
            require_manager(actor)
            team = admin.team_here(session, actor, channel_id)
            metadata = payloads.crm_metadata(
                runtime.seal, crm_views.CONNECT_CALLBACK, workspace_id, user_id, team.id, kind
            )
            return crm_views.connect_form(kind, metadata)

        try:
            view = as_caller(runtime, workspace_id, user_id, form, channel_id=channel_id)
        except Refused as refused:
            ack(**refusal(refused.message, refused.usage))
            return
        ack()
        after_ack(
            context, command, lambda: client.views_open(trigger_id=command["trigger_id"], view=view)
        )
        return

    def work(session: Session, actor: Actor) -> Message:
        team = admin.team_here(session, actor, channel_id)
        match parsed.action:
            case "disconnect":
                return crm_views.render(crm_connections.disconnect(session, actor, team))
            case "stages" if parsed.mapping is not None:
                remote, local = parsed.mapping
                return crm_views.render(
                    crm_connections.map_stage(session, actor, team, remote, local)
                )
            case "stages":
                return crm_views.render(crm_connections.list_stages(session, actor, team))
        return crm_views.render(crm_connections.state(session, actor, team))

    ack(
        **answer(
            runtime,
            workspace_id,
            user_id,
            work,
            channel_id=channel_id,
            read_only=parsed.action in ("show", "stages") and parsed.mapping is None,
        )
    )


def board_link(runtime: Runtime, command: dict[str, Any], parsed: cmd.Wallboard) -> Message:
    """`/salesbot wallboard [revoke]`: the team's TV link, made of the server's public URL."""
    channel_id = command.get("channel_id", "")

    def work(session: Session, actor: Actor) -> Message:
        team = admin.team_here(session, actor, channel_id)
        if parsed.action == "revoke":
            return wallboard_views.render(wallboard.revoke(session, actor, team))
        public_url = runtime.settings.salesbot_public_url
        return wallboard_views.render(wallboard.issue(session, actor, team, public_url=public_url))

    return answer(runtime, command["team_id"], command["user_id"], work, channel_id=channel_id)


def said(parsed: cmd.AdminCommand | cmd.AdminError | cmd.Help) -> Message:
    """The reply to a /salesbot that changes nothing: its refusal or its usage."""
    if isinstance(parsed, cmd.AdminError):
        return views.parse_error(parsed)
    return views.usage()


def set_up(
    runtime: Runtime, workspace_id: str, user_id: str, channel_id: str, parsed: cmd.Setup
) -> Message:
    """Bind the channel to a team and bring in its human members.

    The channel's members and name are read from Slack first, outside any transaction.
    """
    try:
        profiles = channel_profiles(runtime, workspace_id, channel_id)
        name = channel_name(runtime.lookup_client_for(workspace_id), channel_id)
    except (SlackApiError, SlackClientError) as error:
        log.warning("setup.members_failed channel=%s error=%s", channel_id, error)
        with in_caller_language(runtime, workspace_id, user_id):
            return views.channel_unreadable()
    return answer(
        runtime,
        workspace_id,
        user_id,
        lambda session, actor: views.render(
            admin.set_up(
                session,
                actor,
                channel_id=channel_id,
                channel_name=name,
                profiles=profiles,
                currency=parsed.currency,
            )
        ),
    )


@acks_first
def on_currency_confirmed(body: dict[str, Any], respond: Respond, context: Any) -> None:
    """The manager confirmed a currency switch: convert and switch, once."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        switch = payloads.currency_switch(pressed.value)
        if pressed.response_url is None:
            raise payloads.Invalid("response_url")
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, views.currency_button_expired, respond)
        return
    message = answer(
        runtime,
        pressed.workspace_id,
        pressed.user_id,
        lambda session, actor: views.render(
            currency.confirm(
                session,
                actor,
                team_id=switch.team_id,
                old=switch.old,
                new=switch.new,
                rate=switch.rate,
                key=switch.key,
            )
        ),
        channel_id=pressed.channel_id,
    )
    respond(replace_original=True, **message)
