"""reward grant currency: a bonus keeps the currency it was granted in

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reward_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    # Until now every bonus was in its team's currency, and no team has switched since.
    op.execute(
        "UPDATE reward_grant SET currency = "
        "(SELECT currency FROM sales_team WHERE sales_team.id = reward_grant.team_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("reward_grant", schema=None) as batch_op:
        batch_op.drop_column("currency")
