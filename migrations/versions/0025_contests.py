"""contests: a contest, the teams taking part (their start post and standings message), and
its result, announced once

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("prize", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["member.id"], name=op.f("fk_contest_created_by_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["member.id"], name=op.f("fk_contest_ended_by_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sales_team.id"], name=op.f("fk_contest_team_id_sales_team")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_contest_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest")),
        sa.UniqueConstraint(
            "workspace_id", "name_key", name=op.f("uq_contest_workspace_id_name_key")
        ),
    )
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contest_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "contest_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("announced_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("standings", models.base.JsonValue, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("corrected_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contest.id"], name=op.f("fk_contest_result_contest_id_contest")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_contest_result_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest_result")),
        sa.UniqueConstraint("contest_id", name=op.f("uq_contest_result_contest_id")),
    )
    with op.batch_alter_table("contest_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contest_result_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "contest_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shown", models.base.JsonValue, nullable=True),
        sa.Column("shown_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contest.id"], name=op.f("fk_contest_team_contest_id_contest")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sales_team.id"], name=op.f("fk_contest_team_team_id_sales_team")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_contest_team_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest_team")),
        sa.UniqueConstraint(
            "contest_id", "team_id", name=op.f("uq_contest_team_contest_id_team_id")
        ),
    )
    with op.batch_alter_table("contest_team", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contest_team_contest_id"), ["contest_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contest_team_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contest_team_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contest_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contest_team_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_contest_team_team_id"))
        batch_op.drop_index(batch_op.f("ix_contest_team_contest_id"))

    op.drop_table("contest_team")
    with op.batch_alter_table("contest_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contest_result_workspace_id"))

    op.drop_table("contest_result")
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contest_workspace_id"))

    op.drop_table("contest")
