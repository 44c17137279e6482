"""Activities reps log (calls, meetings, demos…) and the kinds and points a team uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ActivityKind(Base):
    """A kind of activity a team logs, with its points for the scorecard.

    A team without rows uses the default kinds (bot.domain.activities.DEFAULT_KINDS); a
    manager's first change writes them down. A removed kind keeps its row (`removed_at`), so
    a team that removed every kind does not get the defaults back.
    """

    __tablename__ = "activity_kind"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    # The name, folded (bot.domain.activities.fold_kind): what targets and activities name.
    key: Mapped[str] = mapped_column(String(24))
    # A second name (拜访), folded.
    alias: Mapped[str | None] = mapped_column(String(24))
    points: Mapped[int]
    position: Mapped[int]
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class Activity(Base):
    """Activities of one kind a member logged at one moment, maybe on a deal.

    Taking one back sets `undone_at` (the row stays, as a reversed grant does); the points
    are those of the kind when it was logged, so a later change of points does not rewrite
    what was scored.
    """

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_team_at", "team_id", "at"),
        Index("ix_activity_member_at", "member_id", "at"),
        # A form's submission (its view id and kind): a double submit logs once.
        UniqueConstraint("form_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(String(24))
    count: Mapped[int]
    # count × the kind's points when it was logged.
    points: Mapped[int]
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    # "command" (/log), "home" (App Home's Log form) or "standup" (the check-in).
    source: Mapped[str] = mapped_column(String(12))
    form_key: Mapped[str | None] = mapped_column(String(120))
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
