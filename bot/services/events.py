"""Events API deliveries handled once, by event id (Slack retries what it thinks was lost)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.once import insert_once
from models import ProcessedEvent


def first_delivery(session: Session, *, event_id: str, workspace_id: str, now: datetime) -> bool:
    """Record the event; False when it was seen before (a retry)."""
    values = {"event_id": event_id, "workspace_id": workspace_id, "received_at": now}
    return insert_once(session, ProcessedEvent, values, ["event_id"])
