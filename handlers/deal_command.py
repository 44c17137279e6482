"""/deal: record and move deals, from the command line and the New deal modal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import deal_command as cmd
from bot.domain import payloads
from bot.domain.forecast import parse_forecast_args
from bot.domain.grammar import ParseError
from bot.domain.insights_command import parse_insights_args
from bot.domain.report_command import ReportError, parse_report_args
from bot.domain.target_command import TargetParseError, parse_leaderboard_args
from bot.domain.text import escape_mrkdwn
from bot.domain.zones import local_zone
from bot.i18n import use_language
from bot.results.deals import Listed
from bot.runtime import Runtime, runtime_of
from bot.services import (
    deal_commands,
    deals,
    forecast,
    insights,
    reports,
    segments,
    target_commands,
)
from bot.services.actor import Actor
from bot.services.errors import FormErrors, Unconfirmed
from bot.services.export import export_for_caller
from bot.services.guards import Confirmed
from bot.slack.after_ack import acks_first, after_ack
from bot.slack.refusals import refuse_form, refuse_press
from bot.unit_of_work import (
    Unwritten,
    answer,
    answer_command,
    answer_later,
    as_caller,
    caller_activity_words,
    caller_field_words,
    in_caller_language,
)
from bot.views import deal_modal
from bot.views import deals as views
from bot.views import export as export_views
from bot.views import forecast as forecast_views
from bot.views import guards as guard_views
from bot.views import help as help_views
from bot.views import insights as insight_views
from bot.views import report as report_views
from bot.views import targets as target_views
from bot.views.common import Message, expired_form, expired_list_button, refusal

READ_ONLY = (cmd.List, cmd.Show, cmd.Pipeline)
# The commands a guard may ask about, so the ones a question's button may carry.
GUARDED = (cmd.Add, cmd.Update, cmd.Won)
LEADERBOARD_WORDS = frozenset(w for w, v in cmd.ROUTED_VERBS.items() if v == "leaderboard")
REPORT_WORDS = frozenset(w for w, v in cmd.ROUTED_VERBS.items() if v == "report")
EXPORT_WORDS = frozenset(w for w, v in cmd.ROUTED_VERBS.items() if v == "export")
INSIGHTS_WORDS = frozenset(w for w, v in cmd.ROUTED_VERBS.items() if v == "insights")
FORECAST_WORDS = frozenset(w for w, v in cmd.ROUTED_VERBS.items() if v == "forecast")


def register(app: App) -> None:
    """Listen for /deal, its modal and its buttons."""
    app.command("/deal")(on_deal)
    app.view(deal_modal.NEW_DEAL_CALLBACK)(on_new_deal_submitted)
    app.action(views.LIST_PAGE_ACTION)(on_list_page)
    for action in guard_views.ACTIONS:
        app.action(action)(on_guard_button)


def on_deal(ack: Ack, command: dict[str, Any], client: WebClient, context: Any) -> None:
    """Answer /deal: the reply is computed and sent in the acknowledgement itself."""
    text = command.get("text", "")
    verb, _space, rest = text.strip().partition(" ")
    runtime = runtime_of(context)
    if verb.casefold() in REPORT_WORDS:
        ack(**report_reply(runtime, command, rest))
        return
    if verb.casefold() in EXPORT_WORDS:
        ack(**export_reply(runtime, command, rest))
        return
    if verb.casefold() in LEADERBOARD_WORDS:
        ack(**leaderboard_reply(runtime, command, rest))
        return
    if verb.casefold() in INSIGHTS_WORDS:
        ack(**insights_reply(runtime, command, rest))
        return
    if verb.casefold() in FORECAST_WORDS:
        ack(**forecast_reply(runtime, command, rest))
        return
    # Parsed here only to know what kind of command it is; parsed again below, in the caller's
    # language, so a refusal is worded in it (parsing is pure and cheap: one transaction).
    kind = cmd.parse_deal_command(text)
    if isinstance(kind, cmd.NewModal):
        ack()
        after_ack(context, command, lambda: open_new_deal_modal(client, context, command))
        return
    if isinstance(kind, cmd.Help):
        with in_caller_language(runtime, command["team_id"], command["user_id"]):
            ack(**said(cmd.parse_deal_command(text)))
        return
    if isinstance(kind, cmd.ParseError):
        # It may be a command once the team's deal fields are known (`/deal #12 industry
        # finance`); else its refusal, worded in the caller's language.
        language, words = caller_field_words(
            runtime, command["team_id"], command["user_id"], command.get("channel_id")
        )
        with use_language(language):
            again = cmd.parse_deal_command(text, words)
            if isinstance(again, cmd.ParseError | cmd.Help):
                ack(**said(again))
                return
        kind = again
    ack(
        **run_command(
            context,
            command["team_id"],
            command["user_id"],
            kind,
            text,
            channel_id=command.get("channel_id"),
        )
    )


def said(parsed: cmd.ParseError | cmd.Help | cmd.DealCommand | cmd.NewModal) -> Message:
    """The reply to a command that changes nothing: its refusal or its help."""
    if isinstance(parsed, cmd.ParseError):
        return refusal(escape_mrkdwn(parsed.message), parsed.usage)
    assert isinstance(parsed, cmd.Help), parsed
    return help_views.deal_help(parsed.topic)


def refused_in_caller_language(
    runtime: Runtime,
    command: dict[str, Any],
    parse: Callable[[str], object],
    text: str,
) -> Message:
    """The refusal of `text`, parsed again in the caller's language so it is worded in it (the
    first parse, before the caller is known, spoke the default)."""
    with in_caller_language(runtime, command["team_id"], command["user_id"]):
        again = parse(text)
        assert isinstance(again, ParseError), again
        return refusal(escape_mrkdwn(again.message), again.usage)


def leaderboard_reply(runtime: Runtime, command: dict[str, Any], text: str) -> Message:
    """`/deal leaderboard …`: the team's ranking, as `/target leaderboard` shows it."""
    board = parse_leaderboard_args(text)
    if isinstance(board, TargetParseError):
        # It may name one of the team's activity kinds (`/deal leaderboard week calls`); else
        # its refusal, worded in the caller's language.
        language, words = caller_activity_words(
            runtime, command["team_id"], command["user_id"], command.get("channel_id")
        )
        with use_language(language):
            board = parse_leaderboard_args(text, words)
            if isinstance(board, TargetParseError):
                return refusal(escape_mrkdwn(board.message), board.usage)
    parsed = board

    def work(session: Session, actor: Actor) -> Message:
        return target_views.render(target_commands.execute(session, actor, parsed))

    return answer_command(runtime, command, work, read_only=True)


def report_reply(runtime: Runtime, command: dict[str, Any], text: str) -> Message:
    """`/deal report …`: the numbers in the reply; the charts are owed to the caller's DM."""
    args = parse_report_args(text)
    if isinstance(args, ReportError):
        return refused_in_caller_language(runtime, command, parse_report_args, text)

    def work(session: Session, actor: Actor) -> Message:
        report = reports.report_on_demand(session, actor, kind=args.kind, user_id=args.user_id)
        return report_views.on_demand(report, kind=args.kind, user_id=args.user_id)

    return answer(
        runtime, command["team_id"], command["user_id"], work, channel_id=command.get("channel_id")
    )


def insights_reply(runtime: Runtime, command: dict[str, Any], text: str) -> Message:
    """`/deal insights …`: the funnel of a period beside the one before, or its segments."""
    args = parse_insights_args(text)
    if isinstance(args, ParseError):
        return refused_in_caller_language(runtime, command, parse_insights_args, text)
    parsed = args

    def work(session: Session, actor: Actor) -> Message:
        return insight_views.render(insights.insights_on_demand(session, actor, parsed))

    return answer_command(runtime, command, work, read_only=True)


def forecast_reply(runtime: Runtime, command: dict[str, Any], text: str) -> Message:
    """`/deal forecast [period] [@person|team|mine]`: target, won, commit, best case, weighted
    pipeline and gap per rep and in total, with last week's commit."""
    args = parse_forecast_args(text)
    if isinstance(args, ParseError):
        return refused_in_caller_language(runtime, command, parse_forecast_args, text)
    parsed = args

    def work(session: Session, actor: Actor) -> Message:
        board = forecast.forecast_for(
            session,
            actor,
            period_text=parsed.period_text,
            user_id=parsed.user_id,
            mine=parsed.mine,
        )
        return forecast_views.forecast_reply(board)

    return answer_command(runtime, command, work, read_only=True)


def export_reply(runtime: Runtime, command: dict[str, Any], text: str) -> Message:
    """`/deal export`: answered at once; the file's upload to the caller's DM is owed."""
    if text.strip():
        with in_caller_language(runtime, command["team_id"], command["user_id"]):
            return export_views.takes_no_options()

    def work(session: Session, actor: Actor) -> Message:
        return export_views.on_its_way(export_for_caller(session, actor))

    return answer(
        runtime, command["team_id"], command["user_id"], work, channel_id=command.get("channel_id")
    )


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
    read_only = isinstance(parsed, READ_ONLY)
    runtime = runtime_of(context)

    def work(session: Session, actor: Actor) -> Message:
        # Read again with the team's deal fields, in this transaction (`industry:retail`):
        # without any, it reads as it did.
        command = parsed
        if cmd.names_fields(parsed) and segments.field_words(session, actor):
            command = deal_commands.parse(session, actor, text)
        try:
            result = deal_commands.execute(session, actor, command)
        except Unconfirmed as asked:
            raise Unwritten(ask(runtime, actor, asked, {"x": text})) from None
        if isinstance(result, Listed):
            return views.listed(result, command_text=text, offset=offset)
        labels = {s.key: s.label for s in deals.stage_list(session, actor.workspace_id)}
        zone = local_zone(actor.member.timezone)
        return views.render(result, labels=labels, zone=zone, command_text=text)

    return answer(
        runtime,
        team_id,
        user_id,
        work,
        channel_id=channel_id,
        read_only=read_only,
        # The member's home shows the change wherever it was made.
        home_changed=not read_only,
        # A deal is given only to a person of this workspace.
        naming=parsed.user_id if isinstance(parsed, cmd.Assign) else None,
    )


def ask(runtime: Runtime, actor: Actor, asked: Unconfirmed, source: dict[str, Any]) -> Message:
    """A guard's question, its buttons carrying what was typed and a proof of their key."""
    proof = payloads.guard_proof(
        runtime.seal, actor.workspace_id, actor.member.slack_user_id, asked.question.key
    )
    return guard_views.question(asked.question, source, proof)


def open_new_deal_modal(client: WebClient, context: Any, command: dict[str, Any]) -> None:
    """Open the New deal form with the workspace's stages and the caller's currency."""
    runtime = runtime_of(context)
    workspace_id, user_id = command["team_id"], command["user_id"]

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        stages = deals.stage_list(session, actor.workspace_id)
        currency = deal_commands.default_currency(actor)
        fields = segments.team_fields(
            session, actor.workspace_id, actor.team.id if actor.team else None
        )
        # Where the confirmation goes, and which deal fields the form shows.
        metadata = payloads.new_deal_metadata(
            runtime.seal,
            deal_modal.NEW_DEAL_CALLBACK,
            workspace_id,
            user_id,
            command.get("channel_id") or user_id,
            tuple(field.id for field in fields),
        )
        return deal_modal.new_deal_modal(stages, currency, metadata, fields)

    view = as_caller(runtime, workspace_id, user_id, form)
    client.views_open(trigger_id=command["trigger_id"], view=view)


def on_new_deal_submitted(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Save the modal's deal, or keep the modal open with an error on each invalid field."""
    runtime = runtime_of(context)
    try:
        submitted = payloads.deal_submission(body, runtime.seal)
        # The confirmation goes where the form was opened: the channel, or the DM from App Home.
        channel = payloads.new_deal_destination(runtime.seal, submitted)
    except payloads.Invalid as invalid:
        refused = refuse_form(runtime, body, invalid, "customer", lambda: expired_form("/deal new"))
        ack(response_action="errors", errors=refused)
        return
    values = dict(submitted.values)

    def save(session: Session, actor: Actor) -> Message | None:
        try:
            result = deal_commands.add_from_form(session, actor, values, form_id=submitted.view_id)
        except Unconfirmed as asked:
            # The form closes; the question is owed where its confirmation would have gone.
            form = {name: value for name, value in values.items() if value}
            raise Unwritten(ask(runtime, actor, asked, {"f": form})) from None
        if result is None:
            return None
        labels = {s.key: s.label for s in deals.stage_list(session, actor.workspace_id)}
        return views.changed(result, labels)

    try:
        answer_later(
            runtime,
            submitted.workspace_id,
            submitted.user_id,
            save,
            channel_id=channel,
            home_changed=True,
        )
    except FormErrors as errors:
        ack(response_action="errors", errors=errors.fields)
        return
    ack()


@acks_first
def on_list_page(body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Show the next page of a deal list in place of the current one."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        page = payloads.list_page(pressed.value)
        parsed = _with_fields(runtime, pressed, cmd.parse_deal_command(page.text), page.text)
        if not isinstance(parsed, cmd.List):
            raise payloads.Invalid("not_a_list")
        if pressed.response_url is None:
            raise payloads.Invalid("response_url")
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_list_button, respond)
        return
    message = run_command(
        context, pressed.workspace_id, pressed.user_id, parsed, page.text, page.offset
    )
    respond(replace_original=True, **message)


def _with_fields(
    runtime: Runtime,
    pressed: payloads.Press,
    parsed: cmd.DealCommand | cmd.ParseError,
    text: str,
) -> cmd.DealCommand | cmd.ParseError:
    """A command a button carries, read again with the presser's team's deal fields when it
    reads as none without them (`list 行业 零售`)."""
    if not isinstance(parsed, cmd.ParseError):
        return parsed
    _language, words = caller_field_words(
        runtime, pressed.workspace_id, pressed.user_id, pressed.channel_id
    )
    return cmd.parse_deal_command(text, words) if words else parsed


@acks_first
def on_guard_button(body: dict[str, Any], respond: Respond, context: Any) -> None:
    """A button of a guard's question: carry out what was typed (checked again), update the
    open deal instead, or cancel; whichever is pressed first is the answer."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        cancelling = pressed.action_id == guard_views.CANCEL_ACTION
        said = payloads.guard_answer(runtime.seal, pressed, cancelling=cancelling)
        parsed = (
            _with_fields(runtime, pressed, cmd.parse_deal_command(said.typed), said.typed)
            if said.typed is not None
            else None
        )
        if not (cancelling or isinstance(parsed, GUARDED) or said.form is not None):
            raise payloads.Invalid("typed")
        if pressed.response_url is None:
            raise payloads.Invalid("response_url")
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, guard_views.expired, respond)
        return
    confirmed = Confirmed(said.key, said.another, said.amount, said.instead_of)

    def work(session: Session, actor: Actor) -> Message:
        if cancelling:
            fresh = deal_commands.cancel(session, actor, confirmed.key)
            return guard_views.cancelled() if fresh else guard_views.already_answered()
        try:
            if isinstance(parsed, GUARDED):
                typed = said.typed or ""
                # Read again with the team's deal fields, in this transaction.
                command = deal_commands.parse(session, actor, typed)
                if not isinstance(command, GUARDED):
                    return guard_views.expired()
                result = deal_commands.confirm(session, actor, command, confirmed)
            else:
                assert said.form is not None
                result = deal_commands.confirm_form(session, actor, dict(said.form), confirmed)
        except Unconfirmed as asked:
            # Something changed since the question: ask again about what is new.
            raise Unwritten(ask(runtime, actor, asked, said.carried())) from None
        if result is None:
            return guard_views.already_answered()
        labels = {s.key: s.label for s in deals.stage_list(session, actor.workspace_id)}
        zone = local_zone(actor.member.timezone)
        return views.render(result, labels=labels, zone=zone, command_text=said.typed or "")

    message = answer(
        runtime,
        pressed.workspace_id,
        pressed.user_id,
        work,
        channel_id=pressed.channel_id,
        home_changed=not cancelling,
    )
    respond(**{"replace_original": True, **message})
