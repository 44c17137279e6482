"""/standup: check in, configure the team's stand-up, holidays, away and pause; DM replies."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import standup_command as cmd
from bot.domain.text import escape_mrkdwn
from bot.i18n import N_, _
from bot.runtime import Runtime, runtime_of
from bot.services import checkins, deals, standup_settings, standups
from bot.services.actor import Actor
from bot.services.errors import FormErrors, Refused
from bot.views import standup as views
from bot.views.common import Message, ephemeral, refusal, section
from handlers.common import as_caller, in_caller_language, refresh_home

DM_HINT = N_(
    "I read stand-up check-ins here after the morning prompt. For everything else: "
    "`/deal help`, `/target help`, `/standup help`."
)


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
    with in_caller_language(runtime, team_id, user_id):
        parsed = cmd.parse_standup_command(command.get("text", ""))
        if isinstance(parsed, cmd.StandupParseError):
            ack(**refusal(escape_mrkdwn(parsed.message), parsed.usage))
            return
        if isinstance(parsed, cmd.Help):
            ack(**standup_help())
            return
    if isinstance(parsed, cmd.CheckIn | cmd.Config):
        try:
            channel_id = command.get("channel_id", "")
            view = as_caller(
                runtime, team_id, user_id, lambda s, a: modal_for(s, a, parsed, channel_id)
            )
        except Refused as refused:
            ack(**refusal(refused.message, refused.usage))
            return
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    ack(**run_setting(runtime, team_id, user_id, parsed, command.get("channel_id", "")))


def standup_help() -> Message:
    """Usage of /standup."""
    lines = "\n".join(f"• {usage}" for usage in cmd.USAGE.values())
    return ephemeral(_("How to use /standup"), [section(_("*Daily stand-ups*")), section(lines)])


def modal_for(
    session: Session, actor: Actor, parsed: cmd.CheckIn | cmd.Config, channel_id: str
) -> dict[str, Any]:
    """The check-in modal, or (managers) the settings modal of the channel's team."""
    if isinstance(parsed, cmd.Config):
        return standup_settings.config_view(session, actor, channel_id)
    return check_in_view(session, actor)


def check_in_view(session: Session, actor: Actor) -> dict[str, Any]:
    """The team's questions and the member's open deals."""
    team = standup_settings.team_of_caller(actor)
    settings = standups.settings_for(session, team)
    own = deals.list_open(session, actor, owner=actor.member, limit=100)
    stages = [(s.key, s.label) for s in deals.stage_list(session, actor.workspace_id)]
    return views.check_in_modal(
        settings.questions,
        [(row.deal.id, row.deal.customer) for row in own],
        stages,
        day=checkins.local_day(session, actor, team),
    )


def run_setting(
    runtime: Runtime, team_id: str, user_id: str, parsed: cmd.StandupCommand, channel_id: str
) -> Message:
    """Change or show a stand-up setting (for the channel's team)."""
    try:
        text = as_caller(
            runtime, team_id, user_id, lambda s, a: standup_settings.apply(s, a, parsed, channel_id)
        )
    except Refused as refused:
        return refusal(refused.message, refused.usage)
    return ephemeral(text, [section(text)])


def on_check_in_button(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the check-in modal from the morning DM."""
    ack()
    runtime = runtime_of(context)
    try:
        view = as_caller(runtime, body["team"]["id"], body["user"]["id"], check_in_view)
    except Refused as refused:
        client.chat_postMessage(channel=body["user"]["id"], text=refused.message)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_check_in_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any
) -> None:
    """Record the check-in (once, however often it is submitted) and move the chosen deals."""
    values = views.submitted(view)

    def work(session: Session, actor: Actor) -> checkins.CheckedIn:
        settings = standups.settings_for(session, standup_settings.team_of_caller(actor))
        answers = [(q, values.get(f"q{i}", "")) for i, q in enumerate(settings.questions)]
        moves = standup_settings.read_moves(session, actor, values)
        return checkins.check_in(session, actor, answers, moves)

    try:
        as_caller(runtime_of(context), body["team"]["id"], body["user"]["id"], work)
    except FormErrors as errors:
        ack(response_action="errors", errors=errors.fields)
        return
    except Refused as refused:
        ack(response_action="errors", errors={"q0": refused.message[:150]})
        return
    ack()
    refresh_home(runtime_of(context), body["team"]["id"], body["user"]["id"])


def on_config_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    """Save the settings modal, or show what is wrong on each field."""
    values = views.submitted(view)
    team_ref = int(view.get("private_metadata") or 0)
    try:
        as_caller(
            runtime_of(context),
            body["team"]["id"],
            body["user"]["id"],
            lambda s, a: standup_settings.save_form(s, a, team_ref, values),
        )
    except FormErrors as errors:
        ack(response_action="errors", errors=errors.fields)
        return
    except Refused as refused:
        ack(response_action="errors", errors={"time": refused.message[:150]})
        return
    ack()


def on_direct_message(event: dict[str, Any], client: WebClient, context: Any) -> None:
    """A plain text reply to the morning prompt counts as the check-in."""
    if event.get("bot_id") or event.get("subtype") or not event.get("user"):
        return
    text = str(event.get("text") or "").strip()
    if not text:
        return

    def work(session: Session, actor: Actor) -> str | None:
        if not checkins.has_prompt_today(session, actor):
            return None
        settings = standups.settings_for(session, standup_settings.team_of_caller(actor))
        answers = checkins.text_answers(settings.questions, text)
        done = checkins.check_in(session, actor, answers, [])
        return ":white_check_mark: " + _("Thanks, you're checked in!") if done.new else None

    team_id = str(context.get("team_id") or event.get("team") or "")
    runtime = runtime_of(context)
    reply = as_caller(runtime, team_id, event["user"], work)
    if reply is None:
        with in_caller_language(runtime, team_id, event["user"]):
            client.chat_postMessage(channel=event["channel"], text=_(DM_HINT))
        return
    client.chat_postMessage(channel=event["channel"], text=reply)
    refresh_home(runtime, team_id, event["user"])
