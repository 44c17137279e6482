"""CRM records into Salesbot: resolve what the transaction will need from the CRM and Slack
first (the owner's Slack user, stages the connection has not seen), then apply each record in
a unit of work of its own, whose notices (a win's announcement) become outbox rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.crm.base import Connector
from bot.db import reading, transaction
from bot.domain.crm import RemoteDeal
from bot.runtime import Runtime
from bot.services import crm_connections, crm_sync
from bot.services.errors import Refused
from bot.sync.owners import match_owners
from bot.unit_of_work import unit
from models import CrmConnection, CrmOwner, CrmStage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connection:
    """What a pull needs of a connection, read outside the transaction that applies."""

    id: int
    workspace_id: str
    crm: str
    status: str
    credentials: str | None
    account_id: str | None
    cursor: str | None
    watch_expires_at: datetime | None = None


def connection(runtime: Runtime, connection_id: int) -> Connection | None:
    """A connection as it is now."""
    with reading(runtime.sessions) as session:
        row = session.get(CrmConnection, connection_id)
        if row is None:
            return None
        return Connection(
            row.id,
            row.workspace_id,
            row.crm,
            row.status,
            row.credentials,
            row.account_id,
            row.cursor,
            row.watch_expires_at,
        )


class Resolver:
    """Owners and stages of one connection, known or asked of the CRM and Slack once per pass."""

    def __init__(self, runtime: Runtime, link: Connection, connector: Connector) -> None:
        self._runtime = runtime
        self._link = link
        self._connector = connector
        self._owners_refreshed = False
        self._stages_refreshed = False
        self._field_keys: list[str] | None = None
        with reading(runtime.sessions) as session:
            self._owners = {
                row.remote_id: row.slack_user_id
                for row in session.scalars(
                    select(CrmOwner).where(CrmOwner.connection_id == link.id)
                )
            }
            self._stages = set(
                session.scalars(select(CrmStage.remote_id).where(CrmStage.connection_id == link.id))
            )

    def owner(self, remote_id: str | None) -> str | None:
        """The Slack user of a CRM owner (the CRM's owners and Slack asked again, once, for
        an owner not seen before)."""
        if remote_id is None:
            return None
        if remote_id not in self._owners and not self._owners_refreshed:
            self._owners_refreshed = True
            matched = match_owners(self._runtime, self._link.workspace_id, self._connector.owners())
            with transaction(self._runtime.sessions) as session:
                row = session.get(CrmConnection, self._link.id)
                if row is not None:
                    crm_connections.store_owners(
                        session, row, matched, now=self._runtime.clock.now()
                    )
            self._owners.update({owner.remote_id: user for owner, user in matched})
        return self._owners.get(remote_id)

    def field_keys(self, *, refresh: bool = False) -> list[str]:
        """The keys of the CRM's deal fields the team's fields sync with: the CRM's fields
        read (and stored) when `refresh` asks or they never were, else as stored."""
        if self._field_keys is not None and not refresh:
            return self._field_keys
        with reading(self._runtime.sessions) as session:
            row = session.get(CrmConnection, self._link.id)
            known = row is not None and row.deal_fields is not None
        if refresh or not known:
            fields = self._connector.deal_fields()
            with transaction(self._runtime.sessions) as session:
                crm_connections.store_fields(session, self._link.id, fields)
        with reading(self._runtime.sessions) as session:
            row = session.get(CrmConnection, self._link.id)
            links = crm_connections.field_links(session, row) if row is not None else {}
            self._field_keys = sorted({theirs.key for _field, theirs in links.values()})
        return self._field_keys

    def stage_known(self, remote_id: str | None) -> bool:
        """Whether the connection knows this CRM stage (the CRM's stages read again, once, for
        one it does not)."""
        if remote_id is None or remote_id in self._stages:
            return True
        if not self._stages_refreshed:
            self._stages_refreshed = True
            stages = self._connector.stages()
            with transaction(self._runtime.sessions) as session:
                crm_connections.store_stages(session, self._link.id, stages)
            self._stages |= {stage.remote_id for stage in stages}
        return remote_id in self._stages


def apply_records(
    runtime: Runtime,
    link: Connection,
    resolver: Resolver,
    records: Iterable[RemoteDeal],
    *,
    now: datetime,
    quiet: bool = False,
    push_owed: bool = True,
) -> int:
    """Apply each record in a unit of work of its own; how many changed a deal."""
    changed = 0
    for remote in records:
        resolver.stage_known(remote.stage_id)
        owner = resolver.owner(remote.owner_id)
        try:
            with unit(runtime, now=now) as session:
                applied = crm_sync.apply(
                    session,
                    link.id,
                    remote,
                    owner_user_id=owner,
                    now=now,
                    quiet=quiet,
                    push_owed=push_owed,
                )
        except crm_sync.UnknownChoice as unknown:
            log.info("crm.record_choice_unknown connection=%s record=%s", link.id, remote.record_id)
            with unit(runtime, now=now) as session:
                crm_sync.note_unknown_choice(session, link.id, remote.record_id, unknown, now=now)
            continue
        except Refused as refused:
            log.info("crm.record_refused connection=%s record=%s", link.id, remote.record_id)
            with unit(runtime, now=now) as session:
                crm_sync.note_refused(session, link.id, remote.record_id, refused.plain, now=now)
            continue
        if applied.outcome in ("created", "changed", "quiet"):
            changed += 1
            log.info(
                "crm.applied connection=%s record=%s outcome=%s fields=%s",
                link.id,
                remote.record_id,
                applied.outcome,
                ",".join(applied.taken),
            )
    return changed
