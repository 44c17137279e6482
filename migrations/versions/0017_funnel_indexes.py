"""funnel indexes: each deal's stage changes, and the imported deals

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGE = sa.text("field = 'stage'")
IMPORT = sa.text("action = 'import'")


def upgrade() -> None:
    with op.batch_alter_table("deal_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deal_event_stage",
            ["deal_id", "id"],
            unique=False,
            postgresql_include=["at", "action", "undone_by", "old_value", "new_value"],
            postgresql_where=STAGE,
            sqlite_where=STAGE,
        )
        batch_op.create_index(
            "ix_deal_event_import",
            ["deal_id"],
            unique=False,
            postgresql_where=IMPORT,
            sqlite_where=IMPORT,
        )


def downgrade() -> None:
    with op.batch_alter_table("deal_event", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_event_import")
        batch_op.drop_index("ix_deal_event_stage")
