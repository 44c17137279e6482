"""/deal export: the caller's deals (a manager's: the team's) as a CSV file in their DM."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.i18n import N_, _, day, ngettext
from bot.runtime import Runtime, runtime_of
from bot.services import outbox
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.services.export import DEAL_COLUMNS, caller_deal_rows, export_team, write_csv
from bot.views.common import ephemeral, refusal
from handlers.common import as_caller

log = logging.getLogger(__name__)
EXPORT_WORDS = frozenset({"export", "导出"})
USAGE = N_("`/deal export`: all your deals (a manager's: the team's) as a CSV file in your DM.")


def register(app: App) -> None:
    """Nothing to listen for: `/deal export` arrives through /deal."""


@dataclass(frozen=True)
class Export:
    """A CSV file of deals, ready to upload."""

    workspace_id: str
    count: int
    title: str
    filename: str
    content: bytes


def build(runtime: Runtime, team_id: str, user_id: str, channel_id: str | None) -> Export:
    """The caller's deals as a CSV file; refused when there are none."""

    def work(session: Session, actor: Actor) -> Export:
        rows = caller_deal_rows(session, actor)
        team = export_team(actor)
        if not rows:
            raise Refused(
                _("The team has no deals to export yet. Add one with `/deal add Acme 12k`.")
                if team
                else _("You have no deals to export yet. Add one with `/deal add Acme 12k`.")
            )
        out = io.StringIO()
        write_csv(out, DEAL_COLUMNS, rows)
        today = day(actor.today, with_year=True)
        title = (
            _("Deals of #{team}, {date}").format(team=team.name, date=today)
            if team
            else _("Your deals, {date}").format(date=today)
        )
        return Export(
            workspace_id=actor.workspace_id,
            count=len(rows),
            title=title,
            filename=f"deals-{actor.today.isoformat()}.csv",
            # The byte order mark makes Excel read the file as UTF-8, so 华为 stays 华为.
            content=out.getvalue().encode("utf-8-sig"),
        )

    return as_caller(runtime, team_id, user_id, work, channel_id=channel_id)


def on_export(
    ack: Ack, command: dict[str, Any], client: WebClient, context: Any, text: str
) -> None:
    """Answer `/deal export` at once, then owe Slack the file's upload to the caller's DM."""
    if text.strip():
        ack(**refusal(_("`/deal export` takes no options."), _(USAGE)))
        return
    runtime = runtime_of(context)
    user_id = command["user_id"]
    try:
        export = build(runtime, command["team_id"], user_id, command.get("channel_id"))
    except Refused as refused:
        ack(**refusal(refused.message, refused.usage))
        return
    ack(
        **ephemeral(
            ngettext(
                "Your export of {count} deal is on its way to your DM.",
                "Your export of {count} deals is on its way to your DM.",
                export.count,
            ).format(count=export.count)
        )
    )
    # After the ack: Slack must not wait on conversations.open.
    try:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
    except (SlackApiError, SlackClientError, KeyError, TypeError) as error:
        log.warning("export.dm_failed user=%s error=%s", user_id, error)
        return
    # The caller's DM: in their language (this runs inside it).
    owe_upload(runtime, export, channel=str(dm))


def owe_upload(runtime: Runtime, export: Export, *, channel: str) -> None:
    """Owe Slack the file's upload; the sender delivers it after commit, with retries."""
    payload = {
        "channel": channel,
        "initial_comment": ngettext(
            "{title}: {count} deal.", "{title}: {count} deals.", export.count
        ).format(title=export.title, count=export.count),
        "file_uploads": [
            {
                "filename": export.filename,
                "title": export.title,
                "content_hex": export.content.hex(),
            }
        ],
    }
    with transaction(runtime.sessions) as session:
        outbox.enqueue(
            session,
            workspace_id=export.workspace_id,
            method="files.upload_v2",
            payload=payload,
            now=runtime.clock.now(),
        )
    runtime.sender.kick()
