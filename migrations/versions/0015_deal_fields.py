"""deal fields: a team's own fields on its deals (industry, region, source) and their values

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("alias", sa.String(length=24), nullable=True),
        sa.Column(
            "choices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["member.id"], name=op.f("fk_deal_field_created_by_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sales_team.id"], name=op.f("fk_deal_field_team_id_sales_team")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_deal_field_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_field")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_deal_field_team_id_name")),
    )
    with op.batch_alter_table("deal_field", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_field_workspace_id"), ["workspace_id"])
    op.create_table(
        "deal_field_value",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deal.id"], name=op.f("fk_deal_field_value_deal_id_deal")
        ),
        sa.ForeignKeyConstraint(
            ["field_id"], ["deal_field.id"], name=op.f("fk_deal_field_value_field_id_deal_field")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_deal_field_value_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("deal_id", "field_id", name=op.f("pk_deal_field_value")),
    )
    with op.batch_alter_table("deal_field_value", schema=None) as batch_op:
        batch_op.create_index("ix_deal_field_value_field", ["field_id", "value"])


def downgrade() -> None:
    with op.batch_alter_table("deal_field_value", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_field_value_field")
    op.drop_table("deal_field_value")
    with op.batch_alter_table("deal_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_field_workspace_id"))
    op.drop_table("deal_field")
