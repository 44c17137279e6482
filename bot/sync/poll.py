"""The reconciling poll: every five minutes, each active connection reads what changed in its
CRM since its cursor (HubSpot: deals by last modification, paged) and applies it, so a
webhook that never came is caught. The first poll of a connection reads every deal and takes
them quietly (nothing announced); after that a win is announced like `/deal won`.

One poll per connection per five-minute slot, however many clocks run `run-due` (a key in
`scheduled_run`); the cursor moves on once a page is applied, so a poll cut short goes on from
there next time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.crm import registry
from bot.crm.base import Connector, CrmError, RateLimited, Unauthorized
from bot.crm.secrets import Unreadable
from bot.db import reading, transaction
from bot.runtime import Runtime
from bot.services import crm_connections, crm_sync
from bot.services.once import claim
from bot.sync.credentials import connector_of
from bot.sync.pull import Connection, Resolver, apply_records, connection
from bot.unit_of_work import unit
from models import CrmConnection, CrmProblem

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=5)
# A registered webhook (Zoho's watch channel) is registered again once less than this is left.
RENEW_WATCH = timedelta(hours=6)


def slot_of(now: datetime) -> str:
    """The five-minute slot `now` falls in."""
    epoch = int(now.timestamp()) // int(EVERY.total_seconds())
    return str(epoch)


def run_polls(runtime: Runtime, now: datetime) -> int:
    """The run-due job: poll each active connection once in this slot; records applied."""
    with reading(runtime.sessions) as session:
        ids = list(
            session.scalars(
                select(CrmConnection.id)
                .where(CrmConnection.status == crm_connections.ACTIVE)
                .order_by(CrmConnection.id)
            )
        )
    applied = 0
    for connection_id in ids:
        with transaction(runtime.sessions) as session:
            mine = claim(session, f"crm-poll:{connection_id}:{slot_of(now)}", now=now)
        if mine:
            applied += poll(runtime, connection_id, now=now)
    with transaction(runtime.sessions) as session:
        crm_sync.forget_old_events(session, now=now)
    return applied


def poll(runtime: Runtime, connection_id: int, *, now: datetime) -> int:
    """Read and apply what changed since the connection's cursor; records applied."""
    link = connection(runtime, connection_id)
    if link is None or link.status != crm_connections.ACTIVE or link.credentials is None:
        return 0
    quiet = link.cursor is None
    applied = 0
    try:
        connector = connector_of(runtime, link.crm, link.credentials, patient=True)
        resolver = Resolver(runtime, link, connector)
        # The CRM's deal fields, read once a poll: a field added there since syncs from now.
        keys = resolver.field_keys(refresh=True)
        for page in connector.changes_since(link.cursor, keys):
            applied += apply_records(runtime, link, resolver, page.deals, now=now, quiet=quiet)
            _advance(runtime, link, page.cursor, now=now)
        waiting = _records_waiting(runtime, link)
        if waiting:
            records = connector.fetch(waiting, keys)
            applied += apply_records(runtime, link, resolver, records, now=now)
    except Unauthorized as error:
        with unit(runtime, now=now) as session:
            crm_connections.pause(session, connection_id, error=error.code, now=now)
        log.warning("crm.paused connection=%s error=%s", connection_id, error.code)
    except (RateLimited, CrmError) as error:
        with unit(runtime, now=now) as session:
            crm_connections.note_error(session, connection_id, error=error.code, now=now)
        log.warning("crm.poll_failed connection=%s error=%s", connection_id, error.code)
    except Unreadable:
        log.error("crm.poll_failed connection=%s error=credentials_unreadable", connection_id)
    else:
        _advance(runtime, link, None, now=now)
        log.info("crm.polled connection=%s applied=%s quiet=%s", connection_id, applied, quiet)
        _renew_watch(runtime, link, connector, now=now)
    return applied


def _renew_watch(
    runtime: Runtime, link: Connection, connector: Connector, *, now: datetime
) -> None:
    """Register the webhook with a CRM that is asked to send its changes (Zoho's watch
    channel), and again before it expires; without SALESBOT_PUBLIC_URL the poll alone syncs."""
    public = runtime.settings.salesbot_public_url
    if not registry.KINDS[link.crm].subscribes or public is None:
        return
    if link.watch_expires_at is not None and link.watch_expires_at - now > RENEW_WATCH:
        return
    try:
        expires = connector.subscribe(f"{public}/crm/{link.crm}/webhook", now)
    except CrmError as error:
        with unit(runtime, now=now) as session:
            crm_connections.note_error(session, link.id, error=f"watch_{error.code}", now=now)
        log.warning("crm.watch_failed connection=%s error=%s", link.id, error.code)
        return
    with transaction(runtime.sessions) as session:
        row = session.get(CrmConnection, link.id)
        if row is not None:
            row.watch_expires_at = expires
    log.info("crm.watch_registered connection=%s until=%s", link.id, expires)


def _advance(runtime: Runtime, link: Connection, cursor: str | None, *, now: datetime) -> None:
    with transaction(runtime.sessions) as session:
        row = session.get(CrmConnection, link.id)
        if row is None:
            return
        if cursor is not None:
            row.cursor = cursor
        elif row.cursor is None:
            # A poll that found nothing: the next one goes on from now.
            row.cursor = str(int(now.timestamp() * 1000))
        row.last_poll_at = now


def _records_waiting(runtime: Runtime, link: Connection) -> list[str]:
    """Records a refusal left waiting, tried again each poll."""
    with reading(runtime.sessions) as session:
        keys = session.scalars(
            select(CrmProblem.key).where(
                CrmProblem.connection_id == link.id, CrmProblem.key.like("record:%")
            )
        )
        return [key.removeprefix("record:") for key in keys]
