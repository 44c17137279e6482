"""Engine and session factory; SQLite tuned so web workers and the clock can share one file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
_READ_ONLY = "salesbot_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL mode, a busy timeout and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **kwargs)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we issue BEGIN
    # ourselves (see _begin_immediate), so switch its autocommit handling off.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads then writes can fail with "database is locked" without
    # waiting on the busy timeout; taking the write lock up front makes writers queue instead.
    # A reader (see `reading`) never writes: in WAL mode it needs no lock and waits for none.
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    read_only: the work promises not to write (a write raises ReadOnlyViolation); on SQLite it
    then begins without the write lock, so readers never queue behind writers."""
    with factory() as session, session.begin():
        if read_only:
            _promise_read_only(session)
        yield session


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that only reads: on SQLite it does not queue behind writers for the lock."""
    with factory() as session:
        _promise_read_only(session)
        yield session


class ReadOnlyViolation(RuntimeError):
    """Work that promised to only read tried to write."""


def _promise_read_only(session: Session) -> None:
    session.info[_READ_ONLY] = True
    options: dict[str, Any] = {_READ_ONLY: True}
    if session.get_bind().dialect.name == "postgresql":
        # Under READ COMMITTED every statement reads its own snapshot whether or not a
        # transaction is open, so work that only reads loses nothing without one, and saves
        # the BEGIN and COMMIT round trips.
        options["isolation_level"] = "AUTOCOMMIT"
    session.connection(execution_options=options)


@event.listens_for(Session, "before_flush")
def _no_flush_when_reading(session: Session, _flush: Any, _instances: Any) -> None:
    if session.info.get(_READ_ONLY) and (
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    ):
        raise ReadOnlyViolation("a read-only transaction tried to write")


@event.listens_for(Session, "do_orm_execute")
def _no_dml_when_reading(state: ORMExecuteState) -> None:
    if state.session.info.get(_READ_ONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise ReadOnlyViolation("a read-only transaction tried to write")


def database_answers(engine: Engine) -> bool:
    """True when a trivial query succeeds (for /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
