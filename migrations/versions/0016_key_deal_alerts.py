"""key deals that stall: a team's key-deal size and quiet days, and each quiet spell told once

Revision ID: 0016
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_deal_amount", sa.Numeric(16, 2), nullable=True))
        batch_op.add_column(
            sa.Column("key_deal_days", sa.Integer(), server_default="14", nullable=False)
        )
    op.create_table(
        "key_deal_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("quiet_since", models.base.UTCDateTime(), nullable=False),
        sa.Column("reported_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deal.id"], name=op.f("fk_key_deal_alert_deal_id_deal")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sales_team.id"], name=op.f("fk_key_deal_alert_team_id_sales_team")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_key_deal_alert_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_deal_alert")),
        sa.UniqueConstraint(
            "deal_id", "quiet_since", name=op.f("uq_key_deal_alert_deal_id_quiet_since")
        ),
    )
    with op.batch_alter_table("key_deal_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_deal_alert_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("key_deal_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_deal_alert_team_id"))
    op.drop_table("key_deal_alert")
    with op.batch_alter_table("sales_team", schema=None) as batch_op:
        batch_op.drop_column("key_deal_days")
        batch_op.drop_column("key_deal_amount")
