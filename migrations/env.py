"""Alembic environment: the URL comes from Salesbot's settings, the schema from its models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import models
from bot.config import load_settings
from bot.db import make_engine
from bot.slack.oauth import INSTALLATION_METADATA

config = context.config
# The models, plus the tables slack-sdk's installation and OAuth state stores use.
target_metadata = [models.Base.metadata, INSTALLATION_METADATA]


def _url() -> str:
    # The CLI passes the URL it was given; `alembic` run by hand falls back to DATABASE_URL.
    given = config.attributes.get("database_url")
    return str(given) if given else load_settings().database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout without a connection."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys(conn, on=False)
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _require_foreign_keys_hold(conn)
            if sqlite:
                _sqlite_foreign_keys(conn, on=True)
    finally:
        engine.dispose()


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    # A batch migration on SQLite copies a table, drops it and renames the copy; with foreign
    # keys enforced, dropping a table other rows refer to fails. SQLite ignores this pragma
    # inside a transaction, so it is set on the driver's connection before ours begins.
    connection.connection.driver_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if on else 'OFF'}"
    )


def _require_foreign_keys_hold(connection: Connection) -> None:
    # Checked before commit, so a migration that broke a reference rolls back whole.
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration broke foreign keys: {broken[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
