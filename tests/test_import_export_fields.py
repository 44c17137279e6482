"""Deal fields in `salesbot export deals` and `salesbot import deals` (issue 17): one column
per field, named by the field, after every fixed column; importing checks values as `/deal`
does, and refuses a value under a column that names no field of the row's team."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import admin_command as cmd
from bot.domain.deal_fields import Choice
from bot.services import segments
from bot.services.actor import Actor
from bot.services.directory import ensure_member, ensure_workspace, setup_team
from bot.services.export import DEAL_COLUMNS
from models import Deal, DealField, DealFieldValue
from tests.test_import_export import _export, _run, _write, cli_db

__all__ = ["cli_db"]

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
COLUMNS = (*DEAL_COLUMNS, "industry", "region")


@pytest.fixture
def fields(cli_db: Engine, sessions: sessionmaker[Session]) -> None:
    """#sales of T1 (bob, U2, in it) with industry (retail/零售, finance) and region; #west of
    T1 (wang, U4) with no field."""
    with sessions() as session, session.begin():
        ensure_workspace(session, "T1", now=NOW)
        for channel, user in (("C1", "U2"), ("C2", "U4")):
            team, _new = setup_team(
                session,
                workspace_id="T1",
                channel_id=channel,
                channel_name=channel.lower(),
                timezone="UTC",
                now=NOW,
            )
            member = ensure_member(session, "T1", user, now=NOW)
            member.team_id, member.is_manager = team.id, True
            if channel == "C1":
                actor = Actor(member=member, team=team, now=NOW, today=NOW.date())
                industry = (Choice("retail", "零售"), Choice("finance"))
                for spec in (
                    cmd.Fields("add", "industry", "行业", industry),
                    cmd.Fields("add", "region"),
                ):
                    segments.add_field(session, actor, team, spec)


def _values(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        query = (
            select(Deal.customer, DealField.name, DealFieldValue.value)
            .join(DealFieldValue, DealFieldValue.deal_id == Deal.id)
            .join(DealField, DealField.id == DealFieldValue.field_id)
            .order_by(Deal.id, DealField.position)
        )
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


ROW = {"team_id": "T1", "amount": "12k", "owner_id": "U2", "stage": "lead"}


@pytest.mark.usefixtures("fields")
def test_field_columns_import_and_export_at_the_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sessions: sessionmaker[Session]
) -> None:
    rows = [
        ROW | {"customer": "Acme", "industry": "retail", "region": "华东"},
        ROW | {"customer": "华为", "industry": "零售"},
        ROW | {"customer": "Beta", "industry": "Finance", "region": ""},
        ROW | {"customer": "Wang", "owner_id": "U4"},
    ]
    source = _write(tmp_path / "d.csv", rows, COLUMNS)

    code, out, err = _run(capsys, "import", "deals", str(source))

    assert (code, out, err) == (0, "imported 4 deals\n", "")
    assert _values(sessions) == [
        ("Acme", "industry", "retail"),
        ("Acme", "region", "华东"),
        ("华为", "industry", "retail"),
        ("Beta", "industry", "finance"),
    ]
    exported = _export(capsys, "deals")
    assert tuple(exported[0]) == COLUMNS
    assert [(r["customer"], r["industry"], r["region"]) for r in exported] == [
        ("Acme", "retail", "华东"),
        ("华为", "retail", ""),
        ("Beta", "finance", ""),
        ("Wang", "", ""),
    ]


@pytest.mark.usefixtures("fields")
def test_a_value_no_field_takes_is_refused_and_nothing_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sessions: sessionmaker[Session]
) -> None:
    rows = [
        ROW | {"customer": "Acme", "industry": "retial"},
        ROW | {"customer": "Wang", "owner_id": "U4", "region": "West"},
        ROW | {"customer": "Gamma", "source": "web"},
        ROW | {"customer": "Fine", "industry": "retail"},
    ]
    source = _write(tmp_path / "d.csv", rows, (*COLUMNS, "source"))

    code, _out, err = _run(capsys, "import", "deals", str(source))

    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("row 2, industry: `retial` is not one of the choices of `industry`")
    assert "Did you mean `retail`?" in lines[0]
    assert lines[1].startswith(
        "row 3, region: not a column of the deals export, nor a deal field of c2"
    )
    assert lines[2].startswith("row 4, source: not a column of the deals export")
    assert lines[-1] == "3 of 4 rows refused; nothing was imported"
    with sessions() as session:
        assert session.scalars(select(Deal)).all() == []
