"""Fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL), the local Slack
stand-in, a frozen clock, and Salesbot served over real HTTP."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.clock import FrozenClock
from bot.config import Settings, load_settings, normalise_database_url
from bot.db import make_engine, make_session_factory
from bot.dev.driver import SlackDriver, http_transport
from bot.dev.standin import DevSlack
from bot.migrate import upgrade
from bot.services.memo import forget_kept
from bot.slack.app import Salesbot, create_app

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-0123456789"
# Monday 30 November 2026, 09:30 in Shanghai.
START = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head through Alembic, as `salesbot migrate` does."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        url = normalise_database_url(given)
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def shared_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def empty_database(engine: Engine) -> None:
    """Delete every row (identities restart on PostgreSQL), and what this process kept of
    the rows (workspaces' settings versions start again)."""
    forget_kept()
    tables = [table.name for table in reversed(models.Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def engine(shared_engine: Engine) -> Engine:
    """The test database, emptied before each test."""
    empty_database(shared_engine)
    return shared_engine


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A real session on the test database."""
    with sessions() as session:
        yield session


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def slack() -> Iterator[DevSlack]:
    """The local Slack stand-in, with a small workspace in its directory."""
    with DevSlack() as dev:
        dev.add_user("U1", "alice", real_name="Alice Admin", tz="Asia/Shanghai", is_admin=True)
        dev.add_user("U2", "bob", real_name="Bob Rep", tz="Asia/Shanghai")
        dev.add_user("U3", "lilei", real_name="李雷", tz="Asia/Shanghai")
        dev.add_user("UBOT", "salesbot", is_bot=True)
        dev.add_channel("C1", "sales", ["U1", "U2", "U3", "UBOT"])
        yield dev


@pytest.fixture
def settings(database_url: str, slack: DevSlack) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
    )


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[Salesbot]:
    salesbot = create_app(settings, clock=clock, engine=engine)
    yield salesbot
    # Work a listener does after its ack must finish before the next test empties the tables.
    salesbot.listeners.shutdown(wait=True)
    salesbot.runtime.sender.stop()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server_url(app: Salesbot) -> Iterator[str]:
    """Salesbot's WSGI app on a real loopback HTTP server."""
    server = make_server(
        "127.0.0.1", 0, app.wsgi(), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def driver(server_url: str) -> SlackDriver:
    """Slack's side: signed posts to /slack/events."""
    return SlackDriver(http_transport(f"{server_url}/slack/events"), SIGNING_SECRET)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
