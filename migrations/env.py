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
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
