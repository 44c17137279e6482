"""crm watch channel: until when the CRM sends its changes to the webhook Salesbot registered
with it (Zoho CRM's watch API)

Revision ID: 0021
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0021'
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('crm_connection', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('watch_expires_at', models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('crm_connection', schema=None) as batch_op:
        batch_op.drop_column('watch_expires_at')
