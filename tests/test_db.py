"""Transactions that promise to only read are held to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import ReadOnlyViolation, reading, transaction
from models import Workspace

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


def test_a_read_only_transaction_reads(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        session.add(Workspace(id="T1", name="", fiscal_year_start_month=1, created_at=NOW))
    with transaction(sessions, read_only=True) as session:
        assert session.scalars(select(Workspace.id)).all() == ["T1"]
    with reading(sessions) as session:
        assert session.get(Workspace, "T1") is not None


def test_a_read_only_transaction_cannot_add(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ReadOnlyViolation), transaction(sessions, read_only=True) as session:
        session.add(Workspace(id="T1", name="", fiscal_year_start_month=1, created_at=NOW))
        session.flush()
    with sessions() as session:
        assert session.scalars(select(Workspace)).all() == []


def test_a_read_only_transaction_cannot_change_or_delete(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        session.add(Workspace(id="T1", name="", fiscal_year_start_month=1, created_at=NOW))
    with pytest.raises(ReadOnlyViolation), reading(sessions) as session:
        workspace = session.get(Workspace, "T1")
        assert workspace is not None
        workspace.name = "changed"
        session.flush()
    with pytest.raises(ReadOnlyViolation), transaction(sessions, read_only=True) as session:
        session.execute(delete(Workspace))
    with sessions() as session:
        assert session.scalars(select(Workspace.name)).all() == [""]
