"""A CRM export a manager shares in the bot's DM: taken once per file, previewed by the
sender (a dry run, bot/sync/exports.py), then imported once when Import is pressed, however
often it is pressed: each step is a change of the `deal_import` row's status, made where it
is still the one before (a unique key and a guarded update, never a flag in memory)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain.crm_exports.note import Note
from bot.i18n import _
from bot.results.calls import RENDER
from bot.results.crm_import import PREVIEW, RUN, ImportClaim, ImportShared
from bot.services import outbox
from bot.services.actor import Actor, require_manager
from bot.services.directory import team_for_channel
from bot.services.errors import Refused
from bot.services.once import insert_once
from models import DealImport, SalesTeam

PENDING, READY, REFUSED, IMPORTING, IMPORTED, FAILED = (
    "pending",
    "ready",
    "refused",
    "importing",
    "imported",
    "failed",
)


def file_shared(
    session: Session, actor: Actor, *, file_id: str, channel_id: str, note: Note
) -> ImportShared:
    """Take a shared export for its team (the one the note names, else the manager's own) and
    owe its preview."""
    require_manager(actor)
    team = _team(session, actor, note)
    values: dict[str, Any] = {
        "workspace_id": actor.workspace_id,
        "team_id": team.id,
        "requested_by_id": actor.member.id,
        "file_id": file_id,
        "channel_id": channel_id,
        "options": {
            "crm": note.crm,
            "default_owner": note.default_owner,
            "stages": list(note.stages),
        },
        "status": PENDING,
        "created": 0,
        "updated": 0,
        "created_at": actor.now,
    }
    new = insert_once(session, DealImport, values, ["workspace_id", "file_id"])
    row = session.scalars(
        select(DealImport).where(
            DealImport.workspace_id == actor.workspace_id, DealImport.file_id == file_id
        )
    ).one()
    if new:
        _owe(session, row, PREVIEW, now=actor.now)
    return ImportShared(row.id, team.name, new)


def _team(session: Session, actor: Actor, note: Note) -> SalesTeam:
    if note.team_channel is not None:
        team = team_for_channel(session, actor.workspace_id, note.team_channel)
        if team is None:
            raise Refused(_("<#{channel}> is no sales team's channel."), channel=note.team_channel)
        return team
    if actor.team is None:
        raise Refused(
            _(
                "Which team is this export for? Share it again with the team's channel in the "
                "message, e.g. `#sales`."
            )
        )
    return actor.team


def claim(session: Session, actor: Actor, import_id: int) -> ImportClaim:
    """Import pressed: the import is owed once (the first press), the others are told."""
    require_manager(actor)
    row = session.get(DealImport, import_id)
    if row is None or row.workspace_id != actor.workspace_id:
        return ImportClaim("not_ready")
    taken = session.execute(
        update(DealImport)
        .where(DealImport.id == import_id, DealImport.status == READY)
        .values(status=IMPORTING)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        _owe(session, row, RUN, now=actor.now)
        return ImportClaim("claimed")
    session.refresh(row)
    if row.status == IMPORTED:
        return ImportClaim("imported", row.created, row.updated)
    return ImportClaim("underway" if row.status == IMPORTING else "not_ready")


def locked(session: Session, import_id: int, workspace_id: str) -> DealImport:
    """The import's row, locked for the renderer that moves it on."""
    row = session.scalars(
        select(DealImport)
        .where(DealImport.id == import_id, DealImport.workspace_id == workspace_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise LookupError(f"no import {import_id} in {workspace_id}")
    return row


def _owe(session: Session, row: DealImport, render: str, *, now: datetime) -> None:
    outbox.enqueue(
        session,
        workspace_id=row.workspace_id,
        method="chat.postMessage",
        payload={RENDER: render, "import_id": row.id, "channel": row.channel_id},
        dedupe_key=f"{render}:{row.id}",
        now=now,
    )
