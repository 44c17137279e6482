"""The outbox's CRM deliveries: a record a webhook named, fetched and applied (`crm.pull`),
and a deal changed in Slack, written to its CRM (`crm.push`).

Each is a row written in the transaction that owed it, so a CRM that is down loses nothing:
the row waits and is retried with backoff (after a 429's Retry-After), and a revoked token
pauses the connection (its managers told once) with the writes kept until it is connected
again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from bot.crm.base import (
    Connector,
    CrmError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
    Write,
)
from bot.crm.secrets import Unreadable
from bot.db import reading
from bot.domain.crm import Snapshot, money_of, pending_push, remote_stage_for
from bot.runtime import Runtime
from bot.services import crm_connections, crm_outbox, crm_sync
from bot.services.crm_outbox import PULL, PUSH
from bot.services.deals import stage_list
from bot.slack.sender import UNKNOWN, Delivered
from bot.sync.credentials import connector_of
from bot.sync.pull import Resolver, apply_records, connection
from bot.unit_of_work import unit
from models import CrmConnection, CrmDealState, CrmOwner, CrmRecord, CrmStage, Deal, OutboxMessage

log = logging.getLogger(__name__)

# While a connection is paused, its writes wait this long between looks.
PAUSED_WAIT = timedelta(minutes=5)
# A deal's later write waits this long (seconds) for its earlier one to be made.
EARLIER_WAIT = 5.0
# A create whose answer was lost is looked for among records created since a little before.
CREATE_LOOKBACK = timedelta(minutes=5)


def deliver(runtime: Runtime, message: OutboxMessage) -> Delivered:
    """The sender's hook for rows of a `crm.` method."""
    if message.method == PULL:
        return _pull(runtime, message)
    if message.method == PUSH:
        return _push(runtime, message)
    return Delivered("failed", f"unknown CRM method {message.method}")


def _failure(runtime: Runtime, connection_id: int, error: CrmError) -> Delivered:
    """A CRM error as the row's outcome; a refused token pauses the connection."""
    now = runtime.clock.now()
    if isinstance(error, Unauthorized):
        with unit(runtime, now=now) as session:
            if crm_connections.pause(session, connection_id, error=error.code, now=now):
                log.warning("crm.paused connection=%s error=%s", connection_id, error.code)
        return Delivered("wait", error.code, PAUSED_WAIT.total_seconds())
    with unit(runtime, now=now) as session:
        crm_connections.note_error(session, connection_id, error=error.code, now=now)
    if isinstance(error, RateLimited):
        return Delivered("retry", error.code, error.retry_after or 10.0)
    if isinstance(error, OutcomeUnknown):
        return Delivered("retry", f"{UNKNOWN}: {error.code}")
    if isinstance(error, Unavailable):
        return Delivered("retry", error.code)
    return Delivered("failed", f"{error.code}: {error.detail[:300]}")


def _pull(runtime: Runtime, message: OutboxMessage) -> Delivered:
    connection_id = int(message.payload["connection_id"])
    record_id = str(message.payload["record_id"])
    link = connection(runtime, connection_id)
    if link is None or link.status != crm_connections.ACTIVE or link.credentials is None:
        # Paused or disconnected: the poll after it is connected again catches up.
        return Delivered("sent", result={"skipped": "not active"})
    try:
        connector = connector_of(runtime, link.crm, link.credentials)
        resolver = Resolver(runtime, link, connector)
        records = connector.fetch([record_id], resolver.field_keys())
        apply_records(runtime, link, resolver, records, now=runtime.clock.now())
    except CrmError as error:
        return _failure(runtime, connection_id, error)
    except Unreadable:
        return Delivered("wait", "credentials unreadable", PAUSED_WAIT.total_seconds())
    return Delivered("sent", result={"records": len(records)})


@dataclass(frozen=True)
class _Push:
    """What a write needs, read before the CRM is called."""

    connection: CrmConnection
    deal: Deal
    record_id: str | None
    synced: Snapshot
    pipeline_id: str | None
    local: Snapshot
    owners: dict[str, str]
    stages: list[tuple[str, str, str | None]]
    positions: dict[str, int]
    links: crm_sync.Links


def _read_push(runtime: Runtime, deal_id: int, team_id: int) -> _Push | None:
    with reading(runtime.sessions) as session:
        row = session.scalars(
            select(CrmConnection).where(CrmConnection.team_id == team_id)
        ).one_or_none()
        deal = session.get(Deal, deal_id)
        if row is None or deal is None:
            return None
        # Only a link to the connected CRM is its record: one from an import of another CRM
        # (a Salesforce export) names a record this CRM does not have.
        link = session.scalars(
            select(CrmRecord).where(CrmRecord.deal_id == deal_id, CrmRecord.crm == row.crm)
        ).one_or_none()
        state = (
            session.scalars(
                select(CrmDealState).where(CrmDealState.crm_record_id == link.id)
            ).one_or_none()
            if link is not None
            else None
        )
        synced = dict(state.synced) if state is not None else {}
        synced.pop("_stage_id", None)
        owners = {
            user: remote
            for remote, user in session.execute(
                select(CrmOwner.remote_id, CrmOwner.slack_user_id).where(
                    CrmOwner.connection_id == row.id, CrmOwner.slack_user_id.is_not(None)
                )
            )
            if user is not None
        }
        stages = [
            (remote, pipeline, key)
            for remote, pipeline, key in session.execute(
                select(CrmStage.remote_id, CrmStage.pipeline_id, CrmStage.stage_key)
                .where(CrmStage.connection_id == row.id)
                .order_by(CrmStage.position)
            )
        ]
        pipeline = synced.pop("_pipeline", None)
        links = crm_connections.field_links(session, row)
        return _Push(
            connection=row,
            deal=deal,
            record_id=link.record_id if link is not None else None,
            synced={k: v for k, v in synced.items() if not k.startswith("_")},
            pipeline_id=pipeline,
            local=crm_sync.local_snapshot(session, deal, row.crm, links),
            owners=owners,
            stages=stages,
            positions={s.key: s.position for s in stage_list(session, deal.workspace_id)},
            links=links,
        )


def _push(runtime: Runtime, message: OutboxMessage) -> Delivered:
    deal_id = int(message.payload["deal_id"])
    with reading(runtime.sessions) as session:
        if crm_outbox.earlier_push_owed(session, message.id, deal_id):
            return Delivered("wait", "an earlier write of this deal is owed", EARLIER_WAIT)
    read = _read_push(runtime, deal_id, int(message.payload["team_id"]))
    if read is None or read.connection.status == crm_connections.DISCONNECTED:
        return Delivered("sent", result={"skipped": "not connected"})
    if read.connection.status != crm_connections.ACTIVE or read.connection.credentials is None:
        # Paused: kept until a manager connects again.
        return Delivered("wait", "paused", PAUSED_WAIT.total_seconds())
    if read.deal.deleted_at is not None and read.record_id is None:
        return Delivered("sent", result={"skipped": "deal removed"})
    if read.record_id is not None:
        # The record as the CRM has it now, merged first: a field changed there later than
        # here is taken, not overwritten (the later change wins, whichever side it was on).
        try:
            caught_up = _catch_up(runtime, read)
        except CrmError as error:
            return _failure(runtime, read.connection.id, error)
        except Unreadable:
            return Delivered("wait", "credentials unreadable", PAUSED_WAIT.total_seconds())
        if caught_up is None:
            return Delivered("sent", result={"skipped": "record gone"})
        read = caught_up
    if read.connection.credentials is None:
        return Delivered("sent", result={"skipped": "not connected"})
    creating = read.record_id is None
    changes = read.local if creating else pending_push(read.synced, read.local)
    write, written = _write_of(read, changes, creating)
    if write.is_empty():
        return Delivered("sent", result={"nothing": True})
    try:
        connector = connector_of(runtime, read.connection.crm, read.connection.credentials)
        record_id = _write(connector, read, write, message)
    except Rejected as error:
        _note_write_refused(runtime, read, error)
        return _failure(runtime, read.connection.id, error)
    except CrmError as error:
        return _failure(runtime, read.connection.id, error)
    except Unreadable:
        return Delivered("wait", "credentials unreadable", PAUSED_WAIT.total_seconds())
    now = runtime.clock.now()
    with unit(runtime, now=now) as session:
        linked = crm_sync.pushed(
            session,
            deal_id=read.deal.id,
            crm=read.connection.crm,
            record_id=record_id,
            values=written,
            pipeline_id=write.pipeline_id or read.pipeline_id,
            now=now,
        )
        crm_connections.clear_problem(session, read.connection.id, f"push:{read.deal.id}")
    log.info(
        "crm.pushed deal=%s record=%s fields=%s created=%s",
        read.deal.id,
        record_id,
        ",".join(sorted(written)),
        creating,
    )
    return Delivered("sent", result={"record_id": record_id, "linked": linked})


def _catch_up(runtime: Runtime, read: _Push) -> _Push | None:
    """Apply the record as the CRM has it now; the write to make then (None: the record is
    gone from the CRM, or the deal from its connection)."""
    assert read.record_id is not None and read.connection.credentials is not None
    connector = connector_of(runtime, read.connection.crm, read.connection.credentials)
    link = connection(runtime, read.connection.id)
    if link is None:
        return None
    resolver = Resolver(runtime, link, connector)
    records = connector.fetch([read.record_id], resolver.field_keys())
    if not records:
        return None
    apply_records(runtime, link, resolver, records, now=runtime.clock.now(), push_owed=False)
    return _read_push(runtime, read.deal.id, read.connection.team_id)


def _write(connector: Connector, read: _Push, write: Write, message: OutboxMessage) -> str:
    """Update the record, or create it; a create whose answer was lost is looked for first."""
    if read.record_id is None and (message.last_error or "").startswith(UNKNOWN):
        found = connector.find_created(write, message.created_at - CREATE_LOOKBACK)
        if found is not None:
            return connector.write(found, write)
    return connector.write(read.record_id, write)


def _write_of(read: _Push, changes: Snapshot, creating: bool) -> tuple[Write, Snapshot]:
    """The CRM's terms for what changed, and the fields that will then agree."""
    written: Snapshot = {}
    name = changes.get("customer") or None
    if name is not None:
        written["customer"] = name
    money = money_of(changes.get("amount"))
    if money is not None:
        written["amount"] = changes["amount"]
    stage_id = pipeline_id = None
    stage = changes.get("stage")
    found = (
        remote_stage_for(stage, read.stages, read.pipeline_id, read.positions) if stage else None
    )
    if stage and found is not None:
        stage_id = found[0]
        if creating or found[1] != read.pipeline_id:
            pipeline_id = found[1]
        written["stage"] = stage
        # What the CRM will say back: its own stage, whatever ours it maps to.
        written["_stage_id"] = stage_id
    day = changes.get("close_date")
    if day:
        written["close_date"] = day
    owner = changes.get("owner")
    owner_id = read.owners.get(owner) if owner else None
    if owner and owner_id is not None:
        written["owner"] = owner
    next_step = forecast = None
    if "next_step" in changes:
        next_step = changes["next_step"] or ""
        written["next_step"] = changes["next_step"]
    if "forecast" in changes:
        forecast = changes["forecast"] or ""
        written["forecast"] = changes["forecast"]
    custom: dict[str, str | int] = {}
    for key, (_field, theirs) in read.links.items():
        if key not in changes or (creating and changes[key] is None):
            continue
        raw = theirs.raw_of(changes[key])
        if raw is not None:
            # A choice the CRM's field has no option for is not written (it stays owed).
            custom[theirs.key] = raw
            written[key] = changes[key]
    if creating:
        # Nothing to take away from a record that does not exist yet.
        next_step, forecast = next_step or None, forecast or None
    write = Write(
        name=name,
        amount=money[0] if money is not None else None,
        stage_id=stage_id,
        pipeline_id=pipeline_id,
        close_date=date.fromisoformat(day) if day else None,
        owner_id=owner_id,
        next_step=next_step,
        forecast=forecast,
        custom=custom,
    )
    return write, written


def _note_write_refused(runtime: Runtime, read: _Push, error: CrmError) -> None:
    now = runtime.clock.now()
    with unit(runtime, now=now) as session:
        crm_connections.note_problem(
            session,
            read.connection.id,
            f"push:{read.deal.id}",
            {
                "code": "write_refused",
                "crm": read.connection.crm,
                "number": read.deal.number,
                "reason": error.detail[:300],
            },
            now=now,
        )
