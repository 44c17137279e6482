"""The outbox: Slack calls owed because of a change, written in the change's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from bot.results.calls import RENDER as RENDER
from bot.results.calls import THREAD_OF as THREAD_OF
from bot.results.calls import UPDATE_OF as UPDATE_OF
from bot.results.calls import WHILE_PENDING as WHILE_PENDING
from bot.services.once import insert_once
from models import OutboxMessage

LEASE = timedelta(minutes=2)
# A message that refers to another (a thread reply, an update) waits this long for it to be sent.
WAIT_FOR_REFERENCE = timedelta(seconds=2)
# A dedupe key with WHILE_PENDING's prefix holds only while the message waits: the sender
# releases it when it takes the message, so a change committed after that owes one of its own.
MAX_BACKOFF = timedelta(minutes=30)
FIRST_BACKOFF_SECONDS = 5
_OWES = "salesbot.owes_slack"


def enqueue(
    session: Session,
    *,
    workspace_id: str,
    method: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
) -> bool:
    """Owe Slack one call; with a dedupe key, a second enqueue of the same key does nothing."""
    # Read after commit by whoever wakes the sender: nothing owed, no sender pass.
    session.info[_OWES] = True
    values = {
        "workspace_id": workspace_id,
        "method": method,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    if dedupe_key is None:
        session.add(OutboxMessage(**values))
        return True
    return insert_once(session, OutboxMessage, values, ["dedupe_key"])


def owes_slack(session: Session) -> bool:
    """True when this session enqueued a message (the sender has something to do)."""
    return bool(session.info.get(_OWES))


# The sender runs these for every message it sends: built once, their values bound.
_DUE = (
    select(OutboxMessage)
    .where(
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= bindparam("now"),
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < bindparam("now")),
    )
    .order_by(OutboxMessage.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("message_id"))
    .values(
        status="sent",
        sent_at=bindparam("sent_at"),
        result=bindparam("result", type_=OutboxMessage.__table__.c.result.type),
        lease_until=None,
        last_error=None,
    )
    # Run in a transaction of its own: no mapped message in the session to bring up to date.
    .execution_options(synchronize_session=False)
)


def claim_due(session: Session, *, now: datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to this sender; others skip them until the lease ends."""
    rows = list(session.scalars(_DUE, {"now": now, "limit": limit}))
    for row in rows:
        row.lease_until = now + LEASE
        if row.dedupe_key is not None and row.dedupe_key.startswith(WHILE_PENDING):
            row.dedupe_key = None
    return rows


def owe_rendered(
    session: Session,
    *,
    workspace_id: str,
    method: str,
    render: str,
    args: dict[str, Any],
    coalesce_key: str,
    now: datetime,
) -> bool:
    """Owe a call whose payload `render` builds at send time; while one with the same
    coalesce key waits to be sent, owing another does nothing (it will show this change too)."""
    return enqueue(
        session,
        workspace_id=workspace_id,
        method=method,
        payload={RENDER: render, **args},
        now=now,
        dedupe_key=f"{WHILE_PENDING}{render}:{coalesce_key}",
    )


def mark_sent(session: Session, message_id: int, *, now: datetime, result: dict[str, Any]) -> None:
    """Record that Slack accepted the message: it is never sent again."""
    session.execute(_SENT, {"message_id": message_id, "sent_at": now, "result": result})


def mark_failed(
    session: Session,
    message_id: int,
    *,
    now: datetime,
    error: str,
    permanent: bool,
    retry_after: timedelta | None = None,
) -> None:
    """Schedule another attempt with exponential backoff (or after `retry_after`, when the
    other side said when: a 429's Retry-After), or give up on a permanent error."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    message.attempts += 1
    message.last_error = error[:2000]
    message.lease_until = None
    if permanent:
        message.status = "failed"
        return
    wait = backoff(message.attempts)
    message.next_attempt_at = now + (max(retry_after, wait) if retry_after is not None else wait)


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, … capped at 30 minutes."""
    seconds = FIRST_BACKOFF_SECONDS * 2 ** min(attempts - 1, 20)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def pending_count(session: Session) -> int:
    """How many messages are still owed."""
    rows = session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending"))
    return len(list(rows))


class NotYet(Exception):
    """The message this one refers to has not been sent yet."""


def refers(payload: dict[str, Any]) -> bool:
    """Whether the payload names another message (a thread or an update) to resolve first."""
    return THREAD_OF in payload or UPDATE_OF in payload


def resolve(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload to send, with `thread_of` / `update_of` turned into Slack's channel and ts.

    Raises NotYet while the referred message is still pending; a reference to a message that
    was given up on is dropped (the reply is posted unthreaded, an update has nothing to do).
    """
    resolved = dict(payload)
    for key, ts_field in ((THREAD_OF, "thread_ts"), (UPDATE_OF, "ts")):
        dedupe_key = resolved.pop(key, None)
        if dedupe_key is None:
            continue
        target = session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).one_or_none()
        if target is None or target.status == "pending":
            raise NotYet(dedupe_key)
        if target.status == "sent" and target.result and "ts" in target.result:
            resolved[ts_field] = target.result["ts"]
            resolved["channel"] = target.result.get("channel", resolved.get("channel"))
    return resolved


def defer(
    session: Session, message_id: int, *, now: datetime, wait: timedelta | None = None
) -> None:
    """Try again shortly (or after `wait`), without counting an attempt: it is waiting, not
    failing."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(lease_until=None, next_attempt_at=now + (wait or WAIT_FOR_REFERENCE))
    )


def exists(session: Session, dedupe_key: str) -> bool:
    """True when a message with this key was owed (sent, pending or given up on)."""
    found = session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    return found is not None
