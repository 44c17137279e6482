"""/deal report: numbers now (ephemeral), charts in the caller's DM, and a Share button."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.domain.report_command import ReportArgs, ReportError, parse_report_args
from bot.domain.text import escape_mrkdwn
from bot.i18n import _, current, use_language
from bot.jobs.report_charts import render_report, upload_payload
from bot.runtime import Runtime, runtime_of
from bot.services import outbox, reports
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.services.language import workspace_language
from bot.services.reports import Report
from bot.views import report as views
from bot.views.common import Message, ephemeral, refusal
from handlers.common import as_caller, in_caller_language

log = logging.getLogger(__name__)
REPORT_WORDS = frozenset({"report", "报告", "报表"})


def register(app: App) -> None:
    """Listen for the Share to channel button (the command arrives through /deal)."""
    app.action(views.SHARE_ACTION)(on_share)


def title_of(report: Report, args: ReportArgs) -> str:
    """`Report · Week of Nov 30` (with the member when it is about one)."""
    period = report.week.label(current())
    if args.user_id is None:
        return _("Report · {period} · {team}").format(period=period, team=report.board.team.name)
    return _("Report · {period}").format(period=period)


def build(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    args: ReportArgs,
    channel_id: str | None,
    *,
    for_channel: bool = False,
) -> tuple[Message, Report]:
    """The report's numbers as an ephemeral message, and the report for the charts; for the
    team channel, in the workspace's language."""

    def work(session: Session, actor: Actor) -> tuple[Message, Report]:
        if for_channel:
            with use_language(workspace_language(session, actor.workspace_id)):
                return numbers(session, actor)
        return numbers(session, actor)

    def numbers(session: Session, actor: Actor) -> tuple[Message, Report]:
        report = reports.report_for(session, actor, kind=args.kind, user_id=args.user_id)
        title = title_of(report, args)
        blocks = views.report_blocks(report, title=title)
        if args.user_id is not None:
            blocks.insert(
                1,
                {
                    "type": "context",
                    "elements": [
                        {
                            "type": "mrkdwn",
                            "text": _("For {person}").format(person=f"<@{args.user_id}>"),
                        }
                    ],
                },
            )
        blocks.append(views.share_button({"k": args.kind, "u": args.user_id}))
        return ephemeral(title, blocks), report

    return as_caller(runtime, team_id, user_id, work, channel_id=channel_id)


def on_report(
    ack: Ack, command: dict[str, Any], client: WebClient, context: Any, text: str
) -> None:
    """Answer `/deal report …`: numbers in the ack, then the charts in the caller's DM."""
    args = parse_report_args(text)
    if isinstance(args, ReportError):
        ack(**refusal(escape_mrkdwn(args.message), args.usage))
        return
    runtime = runtime_of(context)
    try:
        message, report = build(
            runtime, command["team_id"], command["user_id"], args, command.get("channel_id")
        )
    except Refused as refused:
        ack(**refusal(refused.message, refused.usage))
        return
    ack(**message)
    if report.empty:
        return
    # After the ack: drawing takes a moment, and Slack must not wait for it.
    try:
        dm = client.conversations_open(users=command["user_id"])["channel"]["id"]
    except (SlackApiError, SlackClientError, KeyError, TypeError) as error:
        log.warning("report.dm_failed user=%s error=%s", command["user_id"], error)
        return
    # The caller's DM: in their language (this runs inside it).
    owe_charts(runtime, report, channel=str(dm), comment=message["text"], key=None, lang=current())


def owe_charts(
    runtime: Runtime, report: Report, *, channel: str, comment: str, key: str | None, lang: str
) -> None:
    """Draw the charts (titles and labels in `lang`) and owe Slack their upload."""
    payload = upload_payload(render_report(report, lang=lang), channel=channel, comment=comment)
    with transaction(runtime.sessions) as session:
        outbox.enqueue(
            session,
            workspace_id=report.team.workspace_id,
            method="files.upload_v2",
            payload=payload,
            now=runtime.clock.now(),
            dedupe_key=key,
        )
    runtime.sender.kick()


def on_share(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Post the report, with its charts, to the team channel (once per report message)."""
    ack()
    runtime = runtime_of(context)
    with in_caller_language(runtime, body["team"]["id"], body["user"]["id"]):
        share(body, respond, runtime)


def share(body: dict[str, Any], respond: Respond, runtime: Runtime) -> None:
    """Post the report in the workspace's language; tell the caller in theirs."""
    try:
        state = json.loads(body["actions"][0]["value"])
        args = ReportArgs(state["k"], state.get("u"))
    except (ValueError, KeyError, TypeError):
        respond(**refusal(_("That button has expired; run `/deal report` again.")))
        return
    try:
        channel = (body.get("channel") or {}).get("id")
        message, report = build(
            runtime, body["team"]["id"], body["user"]["id"], args, channel, for_channel=True
        )
    except Refused as refused:
        respond(**refusal(refused.message, refused.usage))
        return
    source = (body.get("container") or {}).get("message_ts") or body["actions"][0].get("action_ts")
    key = f"report-share:{report.team.id}:{body['user']['id']}:{source}"
    blocks = [b for b in message.get("blocks", []) if b.get("type") != "actions"]
    with transaction(runtime.sessions) as session:
        fresh = outbox.enqueue(
            session,
            workspace_id=report.team.workspace_id,
            method="chat.postMessage",
            payload={"channel": report.team.channel_id, "text": message["text"], "blocks": blocks},
            now=runtime.clock.now(),
            dedupe_key=key,
        )
    if fresh and not report.empty:
        with runtime.sessions() as session:
            channel_language = workspace_language(session, report.team.workspace_id)
        owe_charts(
            runtime,
            report,
            channel=report.team.channel_id,
            comment=message["text"],
            key=f"{key}:charts",
            lang=channel_language,
        )
    runtime.sender.kick()
    respond(
        **ephemeral(
            ":white_check_mark: " + _("Shared to the team channel.")
            if fresh
            else _("Already shared.")
        )
    )
