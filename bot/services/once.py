"""Insert-if-absent against a unique key: the database decides who goes first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from models import ScheduledRun


def insert_once(
    session: Session, model: type[DeclarativeBase], values: dict[str, Any], keys: list[str]
) -> bool:
    """Insert a row unless one with the same unique `keys` exists; True if this call inserted it.

    Concurrent callers on PostgreSQL block on the unique index until the first commits, then
    see the conflict: exactly one of them gets True, however many processes race.
    """
    return insert_unique(session, model, values, keys) is not None


def insert_unique(
    session: Session,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    keys: list[str],
    *,
    where: ColumnElement[bool] | None = None,
) -> Any:
    """As `insert_once`, returning the new row's primary key (None: it existed); `where` names
    a partial unique index's condition (the database must be told which index decides)."""
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=keys, index_where=where)
        # rowcount is not reliable here (psycopg reports -1); a returned row is.
        .returning(*table.primary_key.columns)
    )
    row = session.execute(statement).first()
    return None if row is None else row[0]


def claim(session: Session, key: str, *, now: datetime) -> bool:
    """Record that the work named `key` is being done; False if someone already did."""
    return insert_once(session, ScheduledRun, {"run_key": key, "ran_at": now}, ["run_key"])
