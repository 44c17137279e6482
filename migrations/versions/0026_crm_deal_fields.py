"""crm deal fields: the CRM's deal fields as last read, so a team's own deal fields sync with
the CRM field of the same name

Revision ID: 0026
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crm_connection", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
                "deal_fields",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            ))


def downgrade() -> None:
    with op.batch_alter_table("crm_connection", schema=None) as batch_op:
        batch_op.drop_column("deal_fields")
