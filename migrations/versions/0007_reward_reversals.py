"""reward reversals: a grant can be taken back; at most one live grant per tier

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("reversed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("reward_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_key", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("reversed_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("reversed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reward_grant_reversed_by_id_member"), "member", ["reversed_by_id"], ["id"]
        )
        batch_op.drop_constraint("uq_reward_grant_subject_key_scope_tier", type_="unique")
        batch_op.create_index(batch_op.f("ix_reward_grant_post_key"), ["post_key"], unique=False)
        batch_op.create_index(
            "uq_reward_grant_live",
            ["subject_key", "scope", "tier"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def downgrade() -> None:
    with op.batch_alter_table("reward_grant", schema=None) as batch_op:
        batch_op.drop_index("uq_reward_grant_live")
        batch_op.drop_index(batch_op.f("ix_reward_grant_post_key"))
        batch_op.create_unique_constraint(
            "uq_reward_grant_subject_key_scope_tier", ["subject_key", "scope", "tier"]
        )
        batch_op.drop_constraint(
            batch_op.f("fk_reward_grant_reversed_by_id_member"), type_="foreignkey"
        )
        batch_op.drop_column("reversed_by_id")
        batch_op.drop_column("reversed_at")
        batch_op.drop_column("post_key")
