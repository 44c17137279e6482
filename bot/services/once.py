"""Insert-if-absent against a unique key: the database decides who goes first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from models import ScheduledRun

# A session, or a bare connection where a unit of work's ORM machinery buys nothing (the replay
# guard in front of bolt).
Database = Session | Connection


def insert_once(
    session: Database, model: type[DeclarativeBase], values: dict[str, Any], keys: list[str]
) -> bool:
    """Insert a row unless one with the same unique `keys` exists; True if this call inserted it.

    Concurrent callers on PostgreSQL block on the unique index until the first commits, then
    see the conflict: exactly one of them gets True, however many processes race.
    """
    return insert_unique(session, model, values, keys) is not None


def insert_unique(
    session: Database,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    keys: list[str],
    *,
    where: ColumnElement[bool] | None = None,
) -> Any:
    """As `insert_once`, returning the new row's primary key (None: it existed); `where` names
    a partial unique index's condition (the database must be told which index decides)."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    dialect = bind.dialect.name
    statement = _insert_statement(model, tuple(keys), where, dialect)
    row = session.execute(statement, values).first()
    return None if row is None else row[0]


# Built once per (table, keys, index condition, dialect) and given the values as parameters:
# several run on every request (the replay guard, the outbox), and building an insert costs
# more than compiling it does once SQLAlchemy has cached the compiled form. The conditions of
# one (table, keys, dialect) are told apart by structure, so a condition built anew on each
# call finds the statement built for an equal one instead of adding another.
_STATEMENTS: dict[
    tuple[str, tuple[str, ...], str], list[tuple[ColumnElement[bool] | None, Insert]]
] = {}


def _insert_statement(
    model: type[DeclarativeBase],
    keys: tuple[str, ...],
    where: ColumnElement[bool] | None,
    dialect: str,
) -> Insert:
    table = model.__table__
    assert isinstance(table, Table)
    built = _STATEMENTS.setdefault((table.name, keys, dialect), [])
    for condition, statement in built:
        if condition is where or (
            condition is not None and where is not None and condition.compare(where)
        ):
            return statement
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=list(keys), index_where=where)
        # rowcount is not reliable here (psycopg reports -1); a returned row is.
        .returning(*table.primary_key.columns)
    )
    built.append((where, statement))
    return statement


def claim(session: Session, key: str, *, now: datetime) -> bool:
    """Record that the work named `key` is being done; False if someone already did."""
    return insert_once(session, ScheduledRun, {"run_key": key, "ran_at": now}, ["run_key"])
