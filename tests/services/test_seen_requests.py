"""Signatures seen: a replay is refused while its window lasts, and old ones are cleared."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.services.events import first_sight, forget_seen
from models import SeenRequest

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_signature_is_seen_once_and_forgotten_after_its_window(session: Session) -> None:
    assert first_sight(session, signature="v0=aa", now=NOW - timedelta(minutes=20))
    assert first_sight(session, signature="v0=bb", now=NOW)
    assert not first_sight(session, signature="v0=bb", now=NOW + timedelta(seconds=1))
    assert forget_seen(session, before=NOW - timedelta(minutes=10)) == 1
    session.commit()
    assert session.scalars(select(SeenRequest.signature)).all() == ["v0=bb"]


def test_racing_replays_on_bare_connections_leave_one_first_sight(engine: Engine) -> None:
    # The guard records signatures on a bare connection, each request its own: four copies of
    # one signed request arriving together must let exactly one through.
    racers = 4
    start = threading.Barrier(racers)

    def sight() -> bool:
        start.wait()
        with engine.begin() as connection:
            return first_sight(connection, signature="v0=cc", now=NOW)

    with ThreadPoolExecutor(racers) as pool:
        firsts = list(pool.map(lambda _: sight(), range(racers)))
    assert sorted(firsts) == [False, False, False, True]
    with engine.connect() as connection:
        seen = connection.scalars(select(SeenRequest.signature)).all()
    assert seen == ["v0=cc"]
