"""Look-ups remembered for one transaction, and settings kept by the process between
transactions: asked once, never stale after a change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.services.directory import ensure_member, ensure_workspace, stages_of
from bot.services.memo import remembered
from bot.services.metrics import fx_rates, won_stage_keys
from bot.services.segments import team_fields
from bot.services.targets import holidays
from models import DealEvent, Holiday, SalesTeam, StageDef, Workspace
from tests.services.test_statement_counts import counting

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


# --------------------------------------------------------------------------- kept by the process


def _labels(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session, session.begin():
        return {stage.key: stage.label for stage in stages_of(session, "T1")}


def test_stages_are_read_once_while_no_one_changes_them(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        _team(session)
    with counting(engine) as statements:
        first = _labels(sessions)
        again = _labels(sessions)
    assert again == first
    assert len([s for s in statements if "FROM stage" in s]) == 1


def test_a_stage_changed_outside_this_process_is_seen_by_the_next_transaction(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        _team(session)
    assert _labels(sessions)["proposal"] == "Proposal"
    # Another process, or a hand-typed statement: no ORM, no session events. The database's
    # trigger still counts the change, and the copy this process kept no longer matches.
    with engine.begin() as connection:
        connection.execute(text("UPDATE stage SET label = 'Pitch' WHERE key = 'proposal'"))
    assert _labels(sessions)["proposal"] == "Pitch"
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM stage WHERE key = 'qualified'"))
    assert "qualified" not in _labels(sessions)


def test_a_change_rolled_back_is_never_kept(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        _team(session)
    assert _labels(sessions)["lead"] == "Lead"
    with sessions() as session:
        session.begin()
        # Read first, as a command does: the version is known before the change is made.
        assert {s.key: s.label for s in stages_of(session, "T1")}["lead"] == "Lead"
        row = session.scalars(select(StageDef).where(StageDef.key == "lead")).one()
        row.label = "Prospect"
        # The transaction sees its own change...
        assert {s.key: s.label for s in stages_of(session, "T1")}["lead"] == "Prospect"
        session.rollback()
    # ...and no other transaction ever does.
    assert _labels(sessions)["lead"] == "Lead"


def test_a_session_reused_after_a_change_reads_the_new_version(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        with session.begin():
            _team(session)
            # The workspace, mapped and kept in the session past this transaction.
            workspace = session.get(Workspace, "T1")
            assert workspace is not None
        assert {s.key for s in stages_of(session, "T1")} >= {"won"}
        session.commit()
        with engine.begin() as connection:
            connection.execute(text("UPDATE stage SET label = 'Signed' WHERE key = 'won'"))
        with session.begin():
            assert {s.key: s.label for s in stages_of(session, "T1")}["won"] == "Signed"


def test_deal_fields_added_elsewhere_are_seen_next_transaction(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        team_id = _team(session).id
        manager = ensure_member(session, "T1", "U1", now=NOW).id
    with sessions() as session, session.begin():
        assert team_fields(session, "T1", team_id) == ()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO deal_field (workspace_id, team_id, name, choices, position,"
                " created_by_id, created_at) VALUES ('T1', :team, 'region', '[]', 1, :by, :now)"
            ),
            {"team": team_id, "by": manager, "now": NOW},
        )
    with sessions() as session, session.begin():
        assert [f.name for f in team_fields(session, "T1", team_id)] == ["region"]


def test_rates_and_holidays_changed_elsewhere_are_seen_next_transaction(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        team = _team(session)
    with sessions() as session, session.begin():
        team = session.get(SalesTeam, team.id)
        assert team is not None
        assert fx_rates(session, team) == {"CNY": 1}
        assert holidays(session, team) == frozenset()
    with engine.begin() as connection:
        values = {"team": team.id, "now": NOW, "day": date(2026, 12, 25)}
        connection.execute(
            text(
                "INSERT INTO fx_rate (workspace_id, team_id, currency, rate, updated_at)"
                " VALUES ('T1', :team, 'USD', 7.1, :now)"
            ),
            values,
        )
        connection.execute(
            text(
                "INSERT INTO holiday (workspace_id, team_id, day, name)"
                " VALUES ('T1', :team, :day, 'Christmas')"
            ),
            values,
        )
    with sessions() as session, session.begin():
        team = session.get(SalesTeam, team.id)
        assert team is not None
        assert fx_rates(session, team) == {"CNY": 1, "USD": Decimal("7.1")}
        assert holidays(session, team) == {date(2026, 12, 25)}
