"""zoho record ids: links made by importing a Zoho export before the import read its ids as
the API names them (`zcrm_5725767000000441001` is record `5725767000000441001`) are renamed, so
connecting Zoho live finds those deals instead of adding them again

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A record already linked under its bare id keeps that link; the prefixed one is left as
    # it is rather than break the unique (workspace, crm, record id).
    op.execute(
        sa.text(
            "UPDATE crm_record SET record_id = substr(record_id, 6)"
            " WHERE crm = 'zoho' AND record_id LIKE 'zcrm\\_%' ESCAPE '\\'"
            " AND NOT EXISTS (SELECT 1 FROM crm_record AS other"
            " WHERE other.workspace_id = crm_record.workspace_id AND other.crm = 'zoho'"
            " AND other.record_id = substr(crm_record.record_id, 6))"
        )
    )


def downgrade() -> None:
    # Nothing to undo: both spellings name the same Zoho record, and the import reads the bare
    # one at every revision from here on.
    pass
