"""A CRM export shared in the bot's DM: the dry run's preview, then its Import button."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.domain import payloads
from bot.domain.crm_exports.note import parse_note
from bot.runtime import runtime_of
from bot.services import deal_imports
from bot.services.actor import Actor
from bot.slack.after_ack import acks_first
from bot.slack.refusals import refuse_press
from bot.unit_of_work import answer_later
from bot.views import crm_import as views
from bot.views.common import Message, expired_list_button


def register(app: App) -> None:
    """Listen for files shared in the DM and for the Import button."""
    app.event({"type": "message", "channel_type": "im", "subtype": "file_share"})(on_file_shared)
    app.action(views.IMPORT_ACTION)(on_import_pressed)


@acks_first
def on_file_shared(event: dict[str, Any], context: Any) -> None:
    """Take the file for a preview; the download and the dry run are the sender's work."""
    files = event.get("files")
    first = files[0] if isinstance(files, list) and files else None
    user_id, channel_id = event.get("user"), event.get("channel")
    workspace_id = context.get("team_id") or event.get("team")
    if not isinstance(first, dict) or not isinstance(user_id, str) or event.get("bot_id"):
        return
    file_id = str(first.get("id") or "")
    if not file_id or not isinstance(channel_id, str) or not isinstance(workspace_id, str):
        return
    note = parse_note(str(event.get("text") or ""))

    def work(session: Session, actor: Actor) -> Message | None:
        # The preview itself is the answer (owed in this transaction, drawn by the sender): a
        # "reading…" reply would be sent after it, the outbox sending in order.
        deal_imports.file_shared(session, actor, file_id=file_id, channel_id=channel_id, note=note)
        return None

    answer_later(
        runtime_of(context), workspace_id, user_id, work, channel_id=channel_id, ephemeral=False
    )


@acks_first
def on_import_pressed(body: dict[str, Any], context: Any) -> None:
    """Owe the import once; a second press is told it was done."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        import_id = payloads.import_ref(pressed.value)
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_list_button)
        return

    def work(session: Session, actor: Actor) -> Message | None:
        claimed = deal_imports.claim(session, actor, import_id)
        if claimed.state == "imported":
            return views.already_imported(claimed.created, claimed.updated)
        if claimed.state == "claimed":
            # The outcome, owed in this transaction, is the answer: an "importing…" reply
            # would be sent after it, the outbox sending in order.
            return None
        return views.not_importable(claimed.state)

    # The button is in the bot's DM: the answer goes there, never to a channel a forged
    # payload names.
    answer_later(
        runtime,
        pressed.workspace_id,
        pressed.user_id,
        work,
        channel_id=pressed.user_id,
        ephemeral=False,
    )
