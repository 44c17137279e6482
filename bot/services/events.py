"""Requests handled once: Events API deliveries by event id (Slack retries what it thinks was
lost), and signed requests by signature (a replay is refused)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.services.once import Database, insert_once
from models import ProcessedEvent, SeenRequest


def first_delivery(session: Session, *, event_id: str, workspace_id: str, now: datetime) -> bool:
    """Record the event; False when it was seen before (a retry)."""
    values = {"event_id": event_id, "workspace_id": workspace_id, "received_at": now}
    return insert_once(session, ProcessedEvent, values, ["event_id"])


def first_sight(session: Database, *, signature: str, now: datetime) -> bool:
    """Record a signed request's signature; False when it was executed before (a replay)."""
    values = {"signature": signature, "seen_at": now}
    return insert_once(session, SeenRequest, values, ["signature"])


def forget_seen(session: Database, *, before: datetime) -> int:
    """Drop signatures older than their window: a request that old is refused as stale."""
    result = session.execute(delete(SeenRequest).where(SeenRequest.seen_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
