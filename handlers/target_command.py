"""/target: targets, progress, history, split and rewards."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from bot.domain import payloads
from bot.domain import target_command as cmd
from bot.domain.text import escape_mrkdwn
from bot.runtime import runtime_of
from bot.services import target_commands
from bot.services.actor import Actor
from bot.slack.after_ack import acks_first
from bot.slack.refusals import refuse_press
from bot.unit_of_work import answer, in_caller_language
from bot.views import help as help_views
from bot.views import targets as views
from bot.views.common import Message, expired_split_button, refusal

# Commands that only read: answered without taking SQLite's write lock (see as_caller).
READ_ONLY = (
    cmd.MyProgress,
    cmd.TeamProgress,
    cmd.History,
    cmd.RewardList,
    cmd.RewardLedger,
    cmd.Leaderboard,
)


def register(app: App) -> None:
    """Listen for /target and its split confirmation button."""
    app.command("/target")(on_target)
    app.action(views.SPLIT_CONFIRM_ACTION)(on_split_confirmed)


def on_target(ack: Ack, command: dict[str, Any], context: Any) -> None:
    """Answer /target in the acknowledgement."""
    text = command.get("text", "")
    parsed = cmd.parse_target_command(text)
    if isinstance(parsed, cmd.TargetParseError | cmd.Help):
        # Parsed again in the caller's language, so the refusal is worded in it.
        with in_caller_language(runtime_of(context), command["team_id"], command["user_id"]):
            ack(**said(cmd.parse_target_command(text)))
        return
    ack(
        **run(
            context,
            command["team_id"],
            command["user_id"],
            parsed,
            channel_id=command.get("channel_id"),
        )
    )


def run(
    context: Any,
    team_id: str,
    user_id: str,
    parsed: cmd.TargetCommand | cmd.Leaderboard,
    *,
    channel_id: str | None = None,
) -> Message:
    """Carry out a /target command (or a leaderboard) as the caller."""

    def work(session: Session, actor: Actor) -> Message:
        return views.render(target_commands.execute(session, actor, parsed))

    return answer(
        runtime_of(context),
        team_id,
        user_id,
        work,
        channel_id=channel_id,
        read_only=isinstance(parsed, READ_ONLY),
        # A target is set only for a person of this workspace.
        naming=parsed.user_id if isinstance(parsed, cmd.SetTarget) else None,
    )


def said(parsed: cmd.TargetCommand | cmd.TargetParseError | cmd.Help) -> Message:
    """The reply to a /target that changes nothing: its refusal or its help."""
    if isinstance(parsed, cmd.TargetParseError):
        return refusal(escape_mrkdwn(parsed.message), parsed.usage)
    assert isinstance(parsed, cmd.Help), parsed
    return help_views.target_help(parsed.topic)


@acks_first
def on_split_confirmed(body: dict[str, Any], respond: Respond, context: Any) -> None:
    """The manager confirmed a proposed split: set the member targets."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        split = payloads.split(pressed.value)
        if pressed.response_url is None:
            raise payloads.Invalid("response_url")
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_split_button, respond)
        return

    def work(session: Session, actor: Actor) -> Message:
        return views.said(
            target_commands.confirm_split(session, actor, split.target_id, dict(split.shares))
        )

    message = answer(
        runtime, pressed.workspace_id, pressed.user_id, work, channel_id=pressed.channel_id
    )
    respond(replace_original=True, **message)
