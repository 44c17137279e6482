"""Look-ups remembered for one transaction: asked once, never stale after a change."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.services.directory import ensure_workspace, stages_of
from bot.services.memo import remembered
from bot.services.metrics import won_stage_keys
from bot.services.targets import holidays
from models import DealEvent, Holiday, SalesTeam, StageDef

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


def counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_asked_once_per_transaction(sessions: sessionmaker[Session]) -> None:
    calls, compute = counter()
    with sessions() as session, session.begin():
        assert remembered(session, "k", compute) == 1  # type: ignore[arg-type]
        assert remembered(session, "k", compute) == 1  # type: ignore[arg-type]
        assert remembered(session, "other", compute) == 2  # type: ignore[arg-type]
    with sessions() as session, session.begin():
        # A new transaction may see other transactions' changes: asked again.
        assert remembered(session, "k", compute) == 3  # type: ignore[arg-type]
    assert len(calls) == 3


def _team(session: Session) -> SalesTeam:
    ensure_workspace(session, "T1", now=NOW)
    team = SalesTeam(
        workspace_id="T1",
        channel_id="C1",
        name="sales",
        currency="CNY",
        timezone="UTC",
        created_at=NOW,
    )
    session.add(team)
    session.flush()
    return team


def test_a_stage_added_in_the_transaction_is_seen(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        _team(session)
        before = won_stage_keys(session, "T1")
        session.add(
            StageDef(
                workspace_id="T1",
                key="signed",
                label="Signed",
                probability=1,
                kind="won",
                position=9,
            )
        )
        assert sorted(won_stage_keys(session, "T1")) == sorted([*before, "signed"])
        assert "signed" in [s.key for s in stages_of(session, "T1")]


def test_a_bulk_delete_of_a_watched_table_forgets(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        team = _team(session)
        session.add(Holiday(workspace_id="T1", team_id=team.id, day=date(2026, 12, 25), name="x"))
        assert holidays(session, team) == {date(2026, 12, 25)}
        session.execute(delete(Holiday).where(Holiday.team_id == team.id))
        assert holidays(session, team) == frozenset()


def test_writes_elsewhere_and_flushes_keep_the_answers(sessions: sessionmaker[Session]) -> None:
    calls, compute = counter()
    with sessions() as session, session.begin():
        _team(session)
        remembered(session, "k", compute)  # type: ignore[arg-type]
        session.execute(delete(DealEvent))
        session.flush()
        remembered(session, "k", compute)  # type: ignore[arg-type]
    assert len(calls) == 1
