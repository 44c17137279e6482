"""Scheduled-run keys and the outbox of messages owed to Slack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonValue


class ScheduledRun(Base):
    """A piece of scheduled work done once: the unique key is the guarantee."""

    __tablename__ = "scheduled_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_key: Mapped[str] = mapped_column(String(200), unique=True)
    ran_at: Mapped[datetime]


class OutboxMessage(Base):
    """A Slack call owed because of a committed change, sent (and retried) after commit."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    # A Web API method ("chat.postMessage", "files.upload_v2", ...).
    method: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    # Optional: a message that must exist once at most (a second insert fails).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # "pending", "sent" or "failed" (gave up: a permanent Slack error).
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    # While a sender holds a row, others leave it alone until the lease ends.
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    """An Events API event handled once: Slack's retries of it are acknowledged and skipped."""

    __tablename__ = "processed_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]


class SeenRequest(Base):
    """A signed request already executed: the same signature again is a replay, refused.

    Kept only for the signature's five-minute window (older ones are refused as stale anyway).
    """

    __tablename__ = "seen_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "v0=" and 64 hex digits.
    signature: Mapped[str] = mapped_column(String(80), unique=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)
