"""`salesbot export deals|events|targets|rewards` and `salesbot import deals`, run as a user
would: through `main([...])` against the test database."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.cli import main
from bot.domain.amounts import Money
from bot.services import deals
from bot.services.actor import Actor
from bot.services.directory import ensure_member, ensure_workspace, setup_team
from bot.services.export import DEAL_COLUMNS, EVENT_COLUMNS, TARGET_COLUMNS
from models import Deal, DealEvent, Member, Target, Workspace
from tests.conftest import empty_database

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)

# Export-shaped rows, odd on purpose: every script, quotes and commas, 万 and k, several
# currencies, every kind of stage, empty close dates. `expect` is how each row exports.
ODD_ROWS: list[tuple[dict[str, str], dict[str, str]]] = [
    (
        {
            "id": "501",
            "team_id": "T1",
            "customer": "华为技术有限公司",
            "amount": "5万",
            "stage": "谈判",
            "owner_id": "U2",
            "close_date": "2026-12-15",
            "created_at": "2026-11-02T03:04:05+00:00",
            "updated_at": "2026-11-20T10:00:00+00:00",
        },
        {"amount": "50000.00", "currency": "CNY", "stage": "negotiation"},
    ),
    (
        {
            "id": "502",
            "team_id": "T1",
            "customer": "株式会社トヨタ自動車",
            "amount": "JPY 1,200,000",
            "stage": "won",
            "owner_id": "U2",
            "created_at": "2026-10-01T00:00:00+00:00",
            "updated_at": "2026-11-25T06:00:00+00:00",
            "closed_at": "2026-11-25T06:00:00+00:00",
        },
        {"amount": "1200000.00", "currency": "JPY", "stage": "won"},
    ),
    (
        {
            "id": "503",
            "team_id": "T1",
            "customer": "شركة الاتصالات السعودية",
            "amount": "12k",
            "currency": "USD",
            "stage": "lost",
            "owner_id": "U3",
            "close_date": "2026-11-10",
            "created_at": "2026-09-15T08:30:00+00:00",
            "updated_at": "2026-11-09T12:00:00+00:00",
            "closed_at": "2026-11-09T12:00:00+00:00",
        },
        {"amount": "12000.00", "currency": "USD", "stage": "lost"},
    ),
    (
        {
            "id": "504",
            "team_id": "T1",
            "customer": 'חברת אלפא בע"מ',
            "amount": "€3k",
            "stage": "proposal",
            "owner_id": "U3",
            "created_at": "2026-11-01T00:00:00+00:00",
            "updated_at": "2026-11-01T00:00:00+00:00",
        },
        {"amount": "3000.00", "currency": "EUR", "stage": "proposal"},
    ),
    (
        {
            "id": "505",
            "team_id": "T1",
            "customer": 'Smith, Jones & "Partners", Ltd.',
            "amount": "1.5M",
            "currency": "gbp",
            "stage": "Qualified",
            "owner_id": "U2",
            "created_at": "2026-11-03T09:15:30.123456+00:00",
            "updated_at": "2026-11-04T09:15:30+00:00",
        },
        {"amount": "1500000.00", "currency": "GBP", "stage": "qualified"},
    ),
    (
        {
            "id": "506",
            "team_id": "T1",
            "customer": "삼성전자 (Samsung)",
            "amount": "2.5万",
            "currency": "CNY",
            "stage": "成交",
            "owner_id": "U3",
            "close_date": "2026-11-28",
            "created_at": "2026-11-05T00:00:00+00:00",
            "updated_at": "2026-11-28T04:00:00+00:00",
            "closed_at": "2026-11-28T04:00:00+00:00",
        },
        {"amount": "25000.00", "currency": "CNY", "stage": "won"},
    ),
    (
        {
            "id": "507",
            "team_id": "T2",
            "customer": "Ünïcödé GmbH 🚀",
            "amount": "$12,000.50",
            "stage": "lead",
            "owner_id": "W9",
            "created_at": "2026-11-29T23:59:59+00:00",
            "updated_at": "2026-11-29T23:59:59+00:00",
        },
        {"amount": "12000.50", "currency": "USD", "stage": "lead"},
    ),
]


def _full(cells: dict[str, str], expect: dict[str, str]) -> dict[str, str]:
    """The row as it should export (without its id, which the database gives anew)."""
    row = {column: cells.get(column, "") for column in DEAL_COLUMNS if column != "id"}
    return {**row, **expect}


def _write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = DEAL_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _export(capsys: pytest.CaptureFixture[str], what: str) -> list[dict[str, str]]:
    code, out, _ = _run(capsys, "export", what, "--format", "csv")
    assert code == 0
    return list(csv.DictReader(io.StringIO(out)))


def _without_id(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "id"} for row in rows]


def _count(sessions: sessionmaker[Session], model: type[models.Base]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def cli_db(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """An empty test database that `salesbot` commands use."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return engine


# --------------------------------------------------------------------------- round trip


def test_odd_rows_import_and_round_trip(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "odd.csv", [cells for cells, _ in ODD_ROWS])

    code, out, err = _run(capsys, "import", "deals", str(source))

    assert (code, out, err) == (0, "imported 7 deals\n", "")
    first = _export(capsys, "deals")
    assert _without_id(first) == [_full(cells, expect) for cells, expect in ODD_ROWS]
    assert {row["id"] for row in first}.isdisjoint({cells["id"] for cells, _ in ODD_ROWS})

    # Export, import into an empty database, export again: the same rows but for the ids.
    exported = _write(tmp_path / "exported.csv", first)
    empty_database(cli_db)
    assert _run(capsys, "import", "deals", str(exported))[0] == 0
    assert _without_id(_export(capsys, "deals")) == _without_id(first)


def test_import_keeps_timestamps_and_puts_deals_in_their_owners_team(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    team_id = _team_with_members(sessions, "U2")
    source = _write(tmp_path / "d.csv", [ODD_ROWS[0][0], ODD_ROWS[1][0] | {"owner_id": "U8"}])

    assert _run(capsys, "import", "deals", str(source))[0] == 0

    with sessions() as session:
        imported = list(session.scalars(select(Deal).order_by(Deal.id)))
        owners = [session.get(Member, d.owner_id) for d in imported]
    assert [d.team_id for d in imported] == [team_id, None]
    assert [o.slack_user_id for o in owners if o] == ["U2", "U8"]
    assert imported[0].created_at == datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)
    assert imported[1].closed_at == datetime(2026, 11, 25, 6, tzinfo=UTC)
    assert (imported[1].amount, imported[1].currency) == (Decimal("1200000.00"), "JPY")


def test_each_imported_deal_gets_an_import_event_by_its_owner(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "d.csv", [cells for cells, _ in ODD_ROWS[:3]])
    assert _run(capsys, "import", "deals", str(source))[0] == 0

    events = _export(capsys, "events")

    assert [(e["action"], e["field"], e["actor_id"], e["old_value"]) for e in events] == [
        ("import", "deal", "U2", ""),
        ("import", "deal", "U2", ""),
        ("import", "deal", "U3", ""),
    ]
    deal_ids = [row["id"] for row in _export(capsys, "deals")]
    assert [e["deal_id"] for e in events] == [e["new_value"] for e in events] == deal_ids


def test_imports_and_exports_number_deals_per_workspace(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # T2's row first, then T1's six; the file's ids (501-507) are ignored.
    rows = [ODD_ROWS[-1][0]] + [cells for cells, _ in ODD_ROWS[:-1]]
    source = _write(tmp_path / "d.csv", rows)
    assert _run(capsys, "import", "deals", str(source))[0] == 0
    # Imported again: new numbers, after each workspace's last.
    assert _run(capsys, "import", "deals", str(source))[0] == 0
    with sessions.begin() as session:
        fields = deals.DealFields(customer="Acme", amount=Money(Decimal("1000"), "CNY"))
        deals.add_deal(session, _actor(session, "U2"), fields)

    exported = _export(capsys, "deals")
    events = _export(capsys, "events")

    once = [("T2", 1), *(("T1", n) for n in range(1, 7))]
    again = [("T2", 2), *(("T1", n) for n in range(7, 13))]
    assert [(r["team_id"], int(r["id"])) for r in exported] == [*once, *again, ("T1", 13)]
    # The history names each deal by the same number.
    assert [(e["team_id"], e["deal_id"]) for e in events] == [
        (r["team_id"], r["id"]) for r in exported
    ]
    assert [e["new_value"] for e in events] == [r["id"] for r in exported]


def test_missing_timestamps_default_sensibly(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    won = {"team_id": "T1", "amount": "8k", "owner_id": "U2", "stage": "won"}
    rows = [
        {"team_id": "T1", "customer": "Acme", "amount": "12k", "owner_id": "U2"},
        won | {"customer": "Beta", "close_date": "2025-11-20"},
        won | {"customer": "Gamma", "close_date": "2025-11-20", "created_at": "2025-11-20T10:00Z"},
    ]
    columns = ("team_id", "customer", "amount", "owner_id", "stage", "close_date", "created_at")
    source = _write(tmp_path / "d.csv", rows, columns)
    before = datetime.now(UTC)

    assert _run(capsys, "import", "deals", str(source))[:2] == (0, "imported 3 deals\n")

    with sessions() as session:
        acme, beta, gamma = session.scalars(select(Deal).order_by(Deal.id))
    assert acme.stage == "lead" and acme.closed_at is None and acme.currency == "CNY"
    assert acme.created_at >= before and acme.updated_at == acme.created_at
    # Won without closed_at: it closed on its close date, and was not created after that.
    midnight = datetime(2025, 11, 20, tzinfo=UTC)
    assert (beta.closed_at, beta.created_at, beta.updated_at) == (midnight, midnight, midnight)
    # ...but not before it was created either.
    created = datetime(2025, 11, 20, 10, tzinfo=UTC)
    assert (gamma.closed_at, gamma.created_at, gamma.updated_at) == (created, created, created)


# --------------------------------------------------------------------------- refusals

BAD_ROWS: list[dict[str, str]] = [
    {"team_id": "T1", "customer": "Fine Co", "amount": "12k", "owner_id": "U2"},
    {"team_id": "T1", "customer": "Acme", "amount": "lots", "owner_id": "U2"},
    {"team_id": "T9", "customer": "Beta", "amount": "5k", "owner_id": "bob", "stage": "maybe"},
    {"team_id": "T1", "customer": "Gamma", "amount": "5k", "owner_id": "U2", "close_date": "15/12"},
    {"team_id": "T1", "customer": "Delta", "amount": "$5k", "currency": "EUR", "owner_id": "U2"},
    {
        "team_id": "T1",
        "customer": "Eps",
        "amount": "0",
        "stage": "won",
        "owner_id": "U2",
        "close_date": "2026-11-20",
    },
    {"team_id": "T1", "customer": "  ", "amount": "1k", "owner_id": "U2"},
    {"team_id": "", "customer": "Zeta", "amount": "1k", "owner_id": "U2", "currency": "XYZ"},
    {
        "team_id": "T1",
        "customer": "Eta",
        "amount": "1k",
        "owner_id": "U2",
        "closed_at": "2026-11-01",
    },
    {"team_id": "T1", "customer": "Theta", "amount": "1k", "owner_id": "U2", "stage": "lost"},
]
EXPECTED_PROBLEMS = [
    "row 3, amount: “lots” is not an amount.",
    "row 4, owner_id: “bob” is not a Slack user id, like U0123ABCD",
    "row 4, stage: “maybe” is not a stage. Use one of: lead, qualified, proposal, negotiation,",
    "row 5, close_date: “15/12” is not an ISO date such as 2026-12-15",
    "row 6, amount: “$5k” is in USD but the currency column says EUR",
    "row 7, amount: a won deal needs an amount above zero",
    "row 8, customer: empty; every deal needs a customer name",
    "row 9, team_id: empty; give the Slack workspace id, like T0123ABCD",
    "row 9, currency: “XYZ” is not a currency code such as CNY, USD or EUR",
    "row 10, closed_at: lead is an open stage, so closed_at must be empty",
    "row 11, closed_at: a lost deal needs closed_at (when it closed) or a close_date",
]


def _assert_problems(err: str, expected: list[str]) -> None:
    lines = err.splitlines()
    assert len(lines) == len(expected) + 1, err
    for line, start in zip(lines, expected, strict=False):
        assert line.startswith(start), (line, start)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
def test_any_refused_row_reports_every_problem_and_writes_nothing(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    dry_run: bool,
) -> None:
    source = _write(tmp_path / "bad.csv", BAD_ROWS)

    code, out, err = _run(capsys, "import", "deals", str(source), *(["--dry-run"] * dry_run))

    assert (code, out) == (1, "")
    _assert_problems(err, EXPECTED_PROBLEMS)
    verdict = "dry run: nothing was written" if dry_run else "nothing was imported"
    assert err.splitlines()[-1] == f"9 of 10 rows refused; {verdict}"
    for model in (Deal, DealEvent, Member, Workspace):
        assert _count(sessions, model) == 0, model


def test_a_clean_dry_run_says_what_it_would_do_and_writes_nothing(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = _write(tmp_path / "odd.csv", [cells for cells, _ in ODD_ROWS])

    code, out, err = _run(capsys, "import", "deals", str(source), "--dry-run")

    assert (code, out, err) == (0, "dry run: would import 7 deals; nothing was written\n", "")
    for model in (Deal, DealEvent, Member, Workspace):
        assert _count(sessions, model) == 0, model


def test_the_header_needs_the_required_columns(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "h.csv"
    source.write_text("Customer, Owner_ID,amount,amount\nAcme,U2,1k,2k\n", encoding="utf-8")

    code, _, err = _run(capsys, "import", "deals", str(source))

    assert code == 1
    assert err.splitlines() == [
        "row 1, team_id: missing column",
        "row 1, amount: column appears twice",
        "1 of 1 rows refused; nothing was imported",
    ]


def test_a_currency_the_owners_team_has_no_rate_for_is_refused(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _team_with_members(sessions, "U2")
    source = _write(
        tmp_path / "d.csv",
        [
            {"team_id": "T1", "customer": "Acme", "amount": "$5k", "owner_id": "U2"},
            {"team_id": "T1", "customer": "Beta", "amount": "€5k", "owner_id": "U2"},
        ],
    )

    code, _, err = _run(capsys, "import", "deals", str(source))

    assert code == 1
    assert err.splitlines()[0] == (
        "row 2, amount: sales reports in CNY and has no exchange rate for USD; "
        "add one first with `/salesbot fx USD 7.8`"
    )
    assert err.splitlines()[1].startswith("row 3, amount: sales reports in CNY")
    assert _count(sessions, Deal) == 0


def test_extra_cells_and_blank_lines(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "x.csv"
    source.write_text(
        "\ufeffteam_id,customer,amount,owner_id\nT1,Acme,1k,U2,,\n\nT1,Beta,2k,U2,oops\n",
        encoding="utf-8",
    )

    code, _, err = _run(capsys, "import", "deals", str(source))

    assert code == 1
    assert err.splitlines()[0] == "row 4: 5 cells but the header has 4 columns"


def test_an_unreadable_file_is_a_usage_error(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "import", "deals", str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in err

    latin = tmp_path / "latin.csv"
    latin.write_bytes("team_id,customer,amount,owner_id\nT1,Café,1k,U2\n".encode("latin-1"))
    code, _, err = _run(capsys, "import", "deals", str(latin))
    assert code == 2 and "cannot read" in err


def test_an_empty_export_imports_nothing(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "empty.csv", [])
    assert _run(capsys, "import", "deals", str(source))[:2] == (0, "imported 0 deals\n")


# --------------------------------------------------------------------------- exports


def _team_with_members(sessions: sessionmaker[Session], *user_ids: str) -> int:
    """#sales (C1) in workspace T1, with these members; returns the team's id."""
    with sessions.begin() as session:
        ensure_workspace(session, "T1", now=NOW)
        team, _ = setup_team(
            session,
            workspace_id="T1",
            channel_id="C1",
            channel_name="sales",
            timezone="Asia/Shanghai",
            now=NOW,
        )
        for user_id in user_ids:
            ensure_member(session, "T1", user_id, now=NOW).team_id = team.id
        return team.id


def _actor(session: Session, user_id: str) -> Actor:
    member = ensure_member(session, "T1", user_id, now=NOW)
    team = session.get(models.SalesTeam, member.team_id) if member.team_id else None
    return Actor(member=member, team=team, now=NOW, today=NOW.date())


def test_export_events_names_people_and_channels_by_slack_id(
    cli_db: Engine, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    _team_with_members(sessions, "U1", "U2", "U3")
    with sessions.begin() as session:
        _actor(session, "U1").member.is_manager = True
        bob = _actor(session, "U2")
        fields = deals.DealFields(customer="华为", amount=Money(Decimal("50000"), "CNY"))
        deal = deals.add_deal(session, bob, fields).deal
        manager = _actor(session, "U1")
        lilei = ensure_member(session, "T1", "U3", now=NOW)
        deals.assign(session, manager, deal, lilei)

    events = _export(capsys, "events")

    assert list(events[0]) == list(EVENT_COLUMNS)
    assert [
        (e["team_id"], e["deal_id"], e["actor_id"], e["action"], e["field"]) for e in events
    ] == [("T1", "1", "U2", "create", "deal"), ("T1", "1", "U1", "update", "owner_id")]
    assert (events[1]["old_value"], events[1]["new_value"]) == ("U2", "U3")
    assert events[0]["at"] == "2026-11-30T01:30:00+00:00"
    assert (events[0]["old_value"], events[0]["new_value"]) == ("", "1")


def test_export_targets_csv_and_json(
    cli_db: Engine, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    team_id = _team_with_members(sessions, "U1", "U2")
    with sessions.begin() as session:
        bob = ensure_member(session, "T1", "U2", now=NOW)
        alice = ensure_member(session, "T1", "U1", now=NOW)
        for member, scope, amount in (
            (None, "team", "500000"),
            (bob, f"member:{bob.id}", "50000.5"),
        ):
            session.add(
                Target(
                    workspace_id="T1",
                    team_id=team_id,
                    member_id=member.id if member else None,
                    scope=scope,
                    metric="revenue",
                    period_kind="month",
                    start_date=date(2026, 12, 1),
                    end_date=date(2026, 12, 31),
                    amount=Decimal(amount),
                    set_by_id=alice.id,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )

    rows = _export(capsys, "targets")
    code, out, _ = _run(capsys, "export", "targets", "--format", "json")

    assert list(rows[0]) == list(TARGET_COLUMNS)
    common = {
        "team_id": "T1",
        "sales_team": "C1",
        "metric": "revenue",
        "period_kind": "month",
        "start_date": "2026-12-01",
        "end_date": "2026-12-31",
        "set_by": "U1",
        "updated_at": "2026-11-30T01:30:00+00:00",
    }
    assert rows == [
        {"id": "1", "scope": "team", "amount": "500000.00", **common},
        {"id": "2", "scope": "U2", "amount": "50000.50", **common},
    ]
    assert code == 0 and json.loads(out) == rows


def test_export_deals_leaves_out_undone_deals(
    cli_db: Engine, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    _team_with_members(sessions, "U2")
    with sessions.begin() as session:
        bob = _actor(session, "U2")
        for name in ("Acme", "Beta"):
            fields = deals.DealFields(customer=name, amount=Money(Decimal("1000"), "CNY"))
            deals.add_deal(session, bob, fields)
        deals.undo_last(session, bob)

    assert [row["customer"] for row in _export(capsys, "deals")] == ["Acme"]


# --------------------------------------------------------------------------- next steps

# The deal columns before next steps, in their positions (DESIGN.md's contract).
COLUMNS_BEFORE_NEXT_STEPS = [
    "id",
    "team_id",
    "customer",
    "amount",
    "currency",
    "stage",
    "owner_id",
    "close_date",
    "created_at",
    "updated_at",
    "closed_at",
]


def test_next_steps_are_the_last_columns_and_round_trip(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert list(DEAL_COLUMNS) == [
        *COLUMNS_BEFORE_NEXT_STEPS,
        "next_step",
        "next_step_date",
        "forecast",
    ]
    base = {"team_id": "T1", "amount": "12k", "owner_id": "U2"}
    rows = [
        base | {"customer": "Acme", "next_step": "Send it", "next_step_date": "2026-12-04"},
        base | {"customer": "华为", "next_step": "发报价, 带合同", "next_step_date": "2026-12-07"},
        base | {"customer": "Beta"},
    ]
    source = _write(tmp_path / "steps.csv", rows)

    assert _run(capsys, "import", "deals", str(source))[:2] == (0, "imported 3 deals\n")

    exported = _export(capsys, "deals")
    assert [(r["customer"], r["next_step"], r["next_step_date"]) for r in exported] == [
        ("Acme", "Send it", "2026-12-04"),
        ("华为", "发报价, 带合同", "2026-12-07"),
        ("Beta", "", ""),
    ]
    empty_database(cli_db)
    assert _run(capsys, "import", "deals", str(_write(tmp_path / "again.csv", exported)))[0] == 0
    assert _without_id(_export(capsys, "deals")) == _without_id(exported)


def test_a_file_from_before_next_steps_still_imports(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = tuple(COLUMNS_BEFORE_NEXT_STEPS)
    source = _write(tmp_path / "old.csv", [cells for cells, _ in ODD_ROWS], old)
    assert "next_step" not in source.read_text(encoding="utf-8")

    assert _run(capsys, "import", "deals", str(source))[:2] == (0, "imported 7 deals\n")

    with sessions() as session:
        steps = {(d.next_step, d.next_step_date) for d in session.scalars(select(Deal))}
    assert steps == {("", None)}


def test_a_next_step_needs_its_date_and_the_date_its_step(
    cli_db: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = {"team_id": "T1", "amount": "1k", "owner_id": "U2", "customer": "Acme"}
    rows = [
        base | {"next_step": "Call", "next_step_date": "2026-12-04"},
        base | {"next_step": "Call"},
        base | {"next_step_date": "2026-12-04"},
        base | {"next_step": "Call", "next_step_date": "Friday"},
        base | {"next_step": "x" * 201, "next_step_date": "2026-12-04"},
    ]
    source = _write(tmp_path / "bad.csv", rows)

    code, out, err = _run(capsys, "import", "deals", str(source))

    assert (code, out) == (1, "")
    _assert_problems(
        err,
        [
            "row 3, next_step_date: empty; a next step needs its date",
            "row 4, next_step: empty; a next step date needs its step",
            "row 5, next_step_date: “Friday” is not an ISO date such as 2026-12-15",
            "row 6, next_step: too long: 200 characters at most",
        ],
    )
    assert _count(sessions, Deal) == 0


def test_the_forecast_column_imports_a_deals_own_category(
    cli_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 501 negotiation, chosen commit; 507 lead, 最佳 as people type it; 502 won: a closed deal
    # has no category, whatever the file says.
    chosen = {"501": "commit", "507": "最佳", "502": "pipeline"}
    rows = [cells | {"forecast": chosen.get(cells["id"], "")} for cells, _ in ODD_ROWS]
    assert _run(capsys, "import", "deals", str(_write(tmp_path / "f.csv", rows)))[0] == 0
    exported = {row["customer"]: row["forecast"] for row in _export(capsys, "deals")}
    assert exported["华为技术有限公司"] == "commit"
    assert exported["Ünïcödé GmbH 🚀"] == "best_case"
    assert exported["株式会社トヨタ自動車"] == ""
    assert sum(1 for value in exported.values() if value) == 2
    bad = [ODD_ROWS[0][0] | {"forecast": "maybe"}]
    code, _out, err = _run(capsys, "import", "deals", str(_write(tmp_path / "b.csv", bad)))
    assert code == 1 and "forecast" in err and "is not a forecast category" in err
