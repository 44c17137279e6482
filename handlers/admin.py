"""/salesbot: set up a sales team in a channel, manage members, managers, stages, settings."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.domain import admin_command as cmd
from bot.i18n import _
from bot.results.admin import Result
from bot.runtime import Runtime, runtime_of
from bot.services import admin
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.services.language import set_language
from bot.slack.directory import channel_name, channel_profiles
from bot.views import admin as views
from bot.views.common import Message, refusal
from handlers.common import as_caller, in_caller_language

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Listen for /salesbot."""
    app.command("/salesbot")(on_salesbot)


def on_salesbot(ack: Ack, command: dict[str, Any], respond: Respond, context: Any) -> None:
    """Answer /salesbot; setup acks at once and reports when the channel's members are in."""
    runtime = runtime_of(context)
    with in_caller_language(runtime, command["team_id"], command["user_id"]):
        answer_salesbot(ack, command, respond, runtime)


def answer_salesbot(ack: Ack, command: dict[str, Any], respond: Respond, runtime: Runtime) -> None:
    """Parse /salesbot and answer it (in the language already chosen for the caller)."""
    parsed = cmd.parse_admin_command(command.get("text", ""))
    if isinstance(parsed, cmd.AdminError):
        ack(**views.parse_error(parsed))
        return
    if isinstance(parsed, cmd.Help):
        ack(**views.usage())
        return
    if isinstance(parsed, cmd.Setup):
        try:
            as_caller(
                runtime,
                command["team_id"],
                command["user_id"],
                lambda _s, actor: admin.require_manager(actor),
            )
        except Refused as refused:
            ack(**refusal(refused.message))
            return
        ack(**views.setting_up())
        respond(**set_up(runtime, command, parsed))
        return
    ack(**run(runtime, command, parsed))


def run(runtime: Runtime, command: dict[str, Any], parsed: cmd.AdminCommand) -> Message:
    """Carry out a quick /salesbot command and render the answer."""
    channel_id = command.get("channel_id", "")

    def work(session: Session, actor: Actor) -> Result:
        match parsed:
            case cmd.TeamChange(action="list"):
                return admin.list_team(session, admin.team_here(session, actor, channel_id))
            case cmd.TeamChange(action="add", user_id=str(user_id)):
                team = admin.team_here(session, actor, channel_id)
                return admin.add_to_team(session, actor, team, user_id)
            case cmd.TeamChange(action="remove", user_id=str(user_id)):
                team = admin.team_here(session, actor, channel_id)
                return admin.remove_from_team(session, actor, team, user_id)
            case cmd.ManagerChange(action="list"):
                return admin.list_managers(session, actor)
            case cmd.ManagerChange(action=action, user_id=str(user_id)):
                return admin.set_manager(session, actor, user_id, manager=action == "add")
            case cmd.Stages(action="list"):
                return admin.list_stages(session, actor)
            case cmd.Stages(action="add", stage=str(key), probability=probability):
                assert probability is not None
                return admin.add_stage(session, actor, key, probability)
            case cmd.Stages(action="set", stage=str(stage), probability=probability):
                assert probability is not None
                return admin.set_stage_probability(session, actor, stage, probability)
            case cmd.Stages(action="rename", stage=str(stage), label=str(label)):
                return admin.rename_stage(session, actor, stage, label)
            case cmd.Currency(code=code):
                return admin.set_currency(actor, admin.team_here(session, actor, channel_id), code)
            case cmd.Fx(currency=str(currency), rate=rate) if rate is not None:
                team = admin.team_here(session, actor, channel_id)
                return admin.set_fx(session, actor, team, currency, rate)
            case cmd.Fx():
                return admin.list_fx(session, admin.team_here(session, actor, channel_id))
            case cmd.Language(language=language, workspace=workspace):
                return set_language(session, actor, language, workspace=workspace)
            case cmd.StaleDays(days=days):
                team = admin.team_here(session, actor, channel_id)
                return admin.set_stale_days(actor, team, days)
        raise Refused(_("That is not a /salesbot command."), "\n".join(cmd.USAGE.values()))

    try:
        return as_caller(
            runtime, command["team_id"], command["user_id"], lambda s, a: views.render(work(s, a))
        )
    except Refused as refused:
        return refusal(refused.message, refused.usage)


def set_up(runtime: Runtime, command: dict[str, Any], parsed: cmd.Setup) -> Message:
    """Bind the channel to a team and bring in its human members."""
    workspace_id, channel_id = command["team_id"], command["channel_id"]
    try:
        profiles = channel_profiles(runtime, workspace_id, channel_id)
        name = channel_name(runtime.lookup_client_for(workspace_id), channel_id)
    except (SlackApiError, SlackClientError) as error:
        log.warning("setup.members_failed channel=%s error=%s", channel_id, error)
        return views.channel_unreadable()

    def work(session: Session, actor: Actor) -> Message:
        result = admin.set_up(
            session,
            actor,
            channel_id=channel_id,
            channel_name=name,
            profiles=profiles,
            currency=parsed.currency,
        )
        return views.render(result)

    try:
        return as_caller(runtime, workspace_id, command["user_id"], work)
    except Refused as refused:
        return refusal(refused.message, refused.usage)
