"""settings version: a workspace counts the changes to its stages, deal fields, exchange rates
and holidays, so a process may keep them between requests and know, from the workspace row
every request reads anyway, when its copy is stale

Triggers do the counting, so no write path (a command, an import, a migration, a hand-typed
statement) can change one of them without it.

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("stage", "deal_field", "fx_rate", "holiday")
OPERATIONS = ("insert", "update", "delete")
BUMP = "UPDATE workspace SET settings_version = settings_version + 1 WHERE id = {row}.workspace_id"


def upgrade() -> None:
    op.add_column(
        "workspace",
        sa.Column("settings_version", sa.Integer(), nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION salesbot_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN"
            f" IF TG_OP = 'DELETE' THEN {BUMP.format(row='OLD')};"
            f" ELSE {BUMP.format(row='NEW')}; END IF;"
            # A row moved to another workspace (never done, but cheap to be right about).
            " IF TG_OP = 'UPDATE' AND OLD.workspace_id <> NEW.workspace_id THEN"
            f" {BUMP.format(row='OLD')}; END IF;"
            " RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_settings_changed"
                f" AFTER INSERT OR UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION salesbot_settings_changed()"
            )
        return
    for table in TABLES:
        for operation in OPERATIONS:
            rows = {"insert": ("NEW",), "update": ("NEW", "OLD"), "delete": ("OLD",)}[operation]
            bumps = " ".join(f"{BUMP.format(row=row)};" for row in rows)
            op.execute(
                f"CREATE TRIGGER {table}_{operation}_settings_changed"
                f" AFTER {operation.upper()} ON {table} FOR EACH ROW BEGIN {bumps} END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_settings_changed ON {table}")
        op.execute("DROP FUNCTION salesbot_settings_changed()")
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER {table}_{operation}_settings_changed")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("settings_version")
