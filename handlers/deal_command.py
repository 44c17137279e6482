"""/deal: record and move deals, from the command line and the New deal modal."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import deal_command as cmd
from bot.domain.target_command import TargetParseError, parse_leaderboard_args
from bot.domain.text import escape_mrkdwn
from bot.i18n import _
from bot.runtime import runtime_of
from bot.services import deal_commands, deals
from bot.services.actor import Actor
from bot.services.errors import FormErrors, Refused
from bot.services.events import first_delivery
from bot.views import deal_modal
from bot.views import deals as views
from bot.views import help as help_views
from bot.views.common import Message, ephemeral, refusal
from handlers import export as export_handlers
from handlers import report as report_handlers
from handlers import target_command as target_handlers
from handlers.common import as_caller, in_caller_language, local_zone, refresh_home

READ_ONLY = (cmd.List, cmd.Show, cmd.Pipeline)
LEADERBOARD_WORDS = frozenset({"leaderboard", "排行榜", "排名"})


def register(app: App) -> None:
    """Listen for /deal, its modal and its buttons."""
    app.command("/deal")(on_deal)
    app.view(deal_modal.NEW_DEAL_CALLBACK)(on_new_deal_submitted)
    app.action(views.LIST_PAGE_ACTION)(on_list_page)


def on_deal(ack: Ack, command: dict[str, Any], client: WebClient, context: Any) -> None:
    """Answer /deal: the reply is computed and sent in the acknowledgement itself."""
    with in_caller_language(runtime_of(context), command["team_id"], command["user_id"]):
        answer_deal(ack, command, client, context)


def answer_deal(ack: Ack, command: dict[str, Any], client: WebClient, context: Any) -> None:
    """Parse /deal and answer it (in the language already chosen for the caller)."""
    text = command.get("text", "")
    verb, _space, rest = text.strip().partition(" ")
    if verb.casefold() in report_handlers.REPORT_WORDS:
        report_handlers.on_report(ack, command, client, context, rest)
        return
    if verb.casefold() in export_handlers.EXPORT_WORDS:
        export_handlers.on_export(ack, command, client, context, rest)
        return
    if verb.casefold() in LEADERBOARD_WORDS:
        board = parse_leaderboard_args(rest)
        if isinstance(board, TargetParseError):
            ack(**refusal(escape_mrkdwn(board.message), board.usage))
        else:
            ack(
                **target_handlers.run(
                    context,
                    command["team_id"],
                    command["user_id"],
                    board,
                    channel_id=command.get("channel_id"),
                )
            )
        return
    parsed = cmd.parse_deal_command(text)
    if isinstance(parsed, cmd.ParseError):
        ack(**refusal(escape_mrkdwn(parsed.message), parsed.usage))
        return
    if isinstance(parsed, cmd.Help):
        ack(**help_views.deal_help(parsed.topic))
        return
    if isinstance(parsed, cmd.NewModal):
        ack()
        open_new_deal_modal(client, context, command)
        return
    ack(
        **run_command(
            context,
            command["team_id"],
            command["user_id"],
            parsed,
            text,
            channel_id=command.get("channel_id"),
        )
    )
    if not isinstance(parsed, READ_ONLY):
        # After the ack: the member's home shows the change wherever it was made.
        refresh_home(runtime_of(context), command["team_id"], command["user_id"])


def run_command(
    context: Any,
    team_id: str,
    user_id: str,
    parsed: cmd.DealCommand,
    text: str,
    offset: int = 0,
    *,
    channel_id: str | None = None,
) -> Message:
    """Carry out a parsed command as the caller and render the reply (or the refusal)."""

    def work(session: Session, actor: Actor) -> Message:
        result = deal_commands.execute(session, actor, parsed)
        labels = {s.key: s.label for s in deals.stage_list(session, actor.workspace_id)}
        zone = local_zone(actor.member.timezone)
        if isinstance(result, deal_commands.Listed):
            return views.listed(result, command_text=text, offset=offset)
        return views.render(result, labels=labels, zone=zone, command_text=text)

    try:
        return as_caller(
            runtime_of(context),
            team_id,
            user_id,
            work,
            channel_id=channel_id,
            read_only=isinstance(parsed, READ_ONLY),
        )
    except Refused as refused:
        return refusal(refused.message, refused.usage)


def open_new_deal_modal(client: WebClient, context: Any, command: dict[str, Any]) -> None:
    """Open the New deal form with the workspace's stages and the caller's currency."""

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        stages = deals.stage_list(session, actor.workspace_id)
        currency = deal_commands.default_currency(actor)
        return deal_modal.new_deal_modal(stages, currency, command.get("channel_id", ""))

    view = as_caller(runtime_of(context), command["team_id"], command["user_id"], form)
    client.views_open(trigger_id=command["trigger_id"], view=view)


def on_new_deal_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: Any
) -> None:
    """Save the modal's deal, or keep the modal open with an error on each invalid field."""
    values = deal_modal.submitted_values(view)

    def save(session: Session, actor: Actor) -> dict[str, str] | Message | None:
        fields = deal_commands.fields_from_form(session, actor, values)
        if isinstance(fields, dict):
            # Raising rolls back anything this request wrote (such as a first-contact member).
            raise FormErrors(fields)
        # A double-clicked (or retried) submit of one form saves one deal: the form's view id
        # is recorded with the deal, in the same transaction.
        key = f"view:{view.get('id')}"
        if view.get("id") and not first_delivery(
            session, event_id=key, workspace_id=actor.workspace_id, now=actor.now
        ):
            return None
        result = deal_commands.add_from_form(session, actor, fields)
        labels = {s.key: s.label for s in deals.stage_list(session, actor.workspace_id)}
        return views.changed(result, labels)

    user_id = body["user"]["id"]
    try:
        message = as_caller(runtime_of(context), body["team"]["id"], user_id, save)
    except FormErrors as errors:
        ack(response_action="errors", errors=errors.fields)
        return
    ack()
    if message is None:
        return
    channel = view.get("private_metadata") or user_id
    client.chat_postEphemeral(
        channel=channel, user=user_id, text=message["text"], blocks=message.get("blocks")
    )
    refresh_home(runtime_of(context), body["team"]["id"], user_id)


def on_list_page(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Show the next page of a deal list in place of the current one."""
    ack()
    action = body["actions"][0]
    try:
        state = json.loads(action["value"])
        text, offset = str(state["text"]), int(state["offset"])
        parsed = cmd.parse_deal_command(text)
    except (ValueError, KeyError, TypeError):
        parsed = None
    if not isinstance(parsed, cmd.List):
        with in_caller_language(runtime_of(context), body["team"]["id"], body["user"]["id"]):
            respond(**ephemeral(_("That button has expired; run `/deal list` again.")))
        return
    message = run_command(context, body["team"]["id"], body["user"]["id"], parsed, text, offset)
    respond(replace_original=True, **message)
