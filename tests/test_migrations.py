"""Migrations over rows that exist: a database filled at one revision, then upgraded to head.

Each test gets its own empty database (a SQLite file, or on PostgreSQL a schema of its own in
the test database), so the shared one stays at head.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.db import make_engine, make_session_factory, transaction
from bot.migrate import check, upgrade
from bot.services.deals import allocate_numbers

NOW = "2026-11-30 01:30:00"
# (id, workspace, owner): two workspaces' deals interleaved, as one global sequence made them.
DEALS = ((1, "T1", 1), (2, "T2", 2), (3, "T1", 1), (4, "T1", 1), (5, "T2", 2))
SCHEMA = "migration_test"


@pytest.fixture
def fresh_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database, with nothing migrated yet."""
    if make_url(database_url).get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('migration') / 'fresh.db'}"
        return
    admin = make_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
        admin.dispose()


def _fill_at_0011(engine: Engine) -> None:
    """Two workspaces whose deals interleave (global ids 1-5), each with its history, and a
    third workspace with no deal yet."""
    rows = {
        "workspace": [
            {"id": w, "name": "", "fiscal_year_start_month": 1, "created_at": NOW}
            for w in ("T1", "T2", "T3")
        ],
        "member": [
            {
                "id": n,
                "workspace_id": w,
                "slack_user_id": "U1",
                "name": "rep",
                "timezone": "UTC",
                "is_slack_admin": False,
                "is_manager": False,
                "is_bot": False,
                "is_deleted": False,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for n, w in ((1, "T1"), (2, "T2"), (3, "T3"))
        ],
        "deal": [
            {
                "id": deal_id,
                "workspace_id": w,
                "owner_id": owner,
                "customer": f"Customer {deal_id}",
                "title": "",
                "amount": 1000,
                "currency": "CNY",
                "stage": "lead",
                "note": "",
                "lost_reason": "",
                "created_by_id": owner,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for deal_id, w, owner in DEALS
        ],
        "deal_event": [
            {
                "workspace_id": w,
                "deal_id": deal_id,
                "actor_id": owner,
                "at": NOW,
                "change_id": f"c{deal_id}",
                "action": "create",
                "field": "deal",
                "new_value": str(deal_id),
            }
            for deal_id, w, owner in DEALS
        ],
    }
    with engine.begin() as connection:
        for table, values in rows.items():
            columns = ", ".join(values[0])
            params = ", ".join(f":{c}" for c in values[0])
            connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)


def test_existing_deals_keep_their_numbers_and_each_workspace_counts_on(fresh_url: str) -> None:
    upgrade(fresh_url, "0011")
    engine = make_engine(fresh_url)
    try:
        _fill_at_0011(engine)

        upgrade(fresh_url)

        with engine.connect() as connection:
            numbers = connection.execute(
                text("SELECT id, workspace_id, number FROM deal ORDER BY id")
            ).all()
            counters = connection.execute(
                text("SELECT workspace_id, last_number FROM deal_counter ORDER BY workspace_id")
            ).all()
            events = connection.execute(text("SELECT count(*) FROM deal_event")).scalar_one()
        assert [tuple(r) for r in numbers] == [
            (1, "T1", 1),
            (2, "T2", 2),
            (3, "T1", 3),
            (4, "T1", 4),
            (5, "T2", 5),
        ]
        # Each workspace goes on from its own largest; one with no deal starts at #1.
        assert [tuple(r) for r in counters] == [("T1", 4), ("T2", 5)]
        assert events == 5
        sessions = make_session_factory(engine)
        with transaction(sessions) as session:
            assert list(allocate_numbers(session, "T1")) == [5]
            assert list(allocate_numbers(session, "T2", 2)) == [6, 7]
            assert list(allocate_numbers(session, "T3")) == [1]
        # The models and the migrated schema agree (alembic check).
        check(fresh_url)
        # Uniqueness is the database's: a second T1 #3 is refused.
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO deal (workspace_id, number, owner_id, customer, title, amount,"
                    " currency, stage, note, lost_reason, created_by_id, created_at, updated_at)"
                    " VALUES ('T1', 3, 1, 'Again', '', 1, 'CNY', 'lead', '', '', 1, :now, :now)"
                ),
                {"now": NOW},
            )
    finally:
        engine.dispose()


def test_deals_from_before_next_steps_have_none_and_the_step_table_is_unique(
    fresh_url: str,
) -> None:
    upgrade(fresh_url, "0011")
    engine = make_engine(fresh_url)
    try:
        _fill_at_0011(engine)
        upgrade(fresh_url, "0012")

        upgrade(fresh_url)

        with engine.connect() as connection:
            steps = connection.execute(
                text("SELECT next_step, next_step_date FROM deal ORDER BY id")
            ).all()
        assert [tuple(r) for r in steps] == [("", None)] * len(DEALS)
        check(fresh_url)
        row = {"now": NOW, "day": "2026-12-05"}
        insert = text(
            "INSERT INTO next_step_reminder (workspace_id, team_id, member_id, deal_id,"
            " local_date, step, sent_at) VALUES ('T1', 1, 1, 1, :day, 'call', :now)"
        )
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO sales_team (id, workspace_id, channel_id, name, currency,"
                    " timezone, stale_days, created_at) VALUES"
                    " (1, 'T1', 'C1', 'sales', 'CNY', 'UTC', 14, :now)"
                ),
                row,
            )
            connection.execute(insert, row)
        # Once per deal and day is the database's: a second reminder is refused.
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert, row)
    finally:
        engine.dispose()


def test_zoho_links_imported_with_the_export_prefix_get_the_apis_record_id(
    fresh_url: str,
) -> None:
    upgrade(fresh_url, "0011")
    engine = make_engine(fresh_url)
    try:
        _fill_at_0011(engine)
        upgrade(fresh_url, "0026")
        links = [
            (1, "T1", "zoho", "zcrm_5725767000000441001"),
            (3, "T1", "zoho", "zcrm_42"),
            (4, "T1", "zoho", "42"),  # already linked under the bare id: left alone
            (2, "T2", "hubspot", "zcrm_7"),  # another CRM's id is not Zoho's
        ]
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO crm_record (deal_id, workspace_id, crm, record_id, linked_at)"
                    " VALUES (:deal, :workspace, :crm, :record, :now)"
                ),
                [
                    {"deal": d, "workspace": w, "crm": c, "record": r, "now": NOW}
                    for d, w, c, r in links
                ],
            )

        upgrade(fresh_url)

        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT deal_id, record_id FROM crm_record ORDER BY deal_id")
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, "5725767000000441001"),
            (2, "zcrm_7"),
            (3, "zcrm_42"),
            (4, "42"),
        ]
        check(fresh_url)
    finally:
        engine.dispose()
