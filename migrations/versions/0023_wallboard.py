"""wallboard: each team's one read-only board link, kept as the SHA-256 of its token

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallboard_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["member.id"], name=op.f("fk_wallboard_link_created_by_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sales_team.id"], name=op.f("fk_wallboard_link_team_id_sales_team")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_wallboard_link_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallboard_link")),
        sa.UniqueConstraint("team_id", name=op.f("uq_wallboard_link_team_id")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_wallboard_link_token_digest")),
    )
    with op.batch_alter_table("wallboard_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallboard_link_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wallboard_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallboard_link_workspace_id"))
    op.drop_table("wallboard_link")
