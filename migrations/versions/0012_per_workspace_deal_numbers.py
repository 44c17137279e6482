"""per-workspace deal numbers: each workspace numbers its deals from 1

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_counter",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_deal_counter_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_deal_counter")),
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # What a team has written down (`#12`) keeps meaning the same deal: an existing deal's
    # number is its id, and each workspace goes on from its largest.
    op.execute("UPDATE deal SET number = id")
    op.execute(
        "INSERT INTO deal_counter (workspace_id, last_number) "
        "SELECT workspace_id, MAX(number) FROM deal GROUP BY workspace_id"
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_deal_workspace_id_number"), ["workspace_id", "number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_deal_workspace_id_number"), type_="unique")
        batch_op.drop_column("number")
    op.drop_table("deal_counter")
