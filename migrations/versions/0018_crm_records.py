"""crm records: a deal's record in a CRM, so re-imports and sync update instead of duplicating

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("crm", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("linked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_crm_record_deal_id_deal")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_crm_record_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_record")),
        sa.UniqueConstraint("deal_id", name=op.f("uq_crm_record_deal_id")),
        sa.UniqueConstraint(
            "workspace_id",
            "crm",
            "record_id",
            name=op.f("uq_crm_record_workspace_id_crm_record_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("crm_record")
