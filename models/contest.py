"""Contests (`/contest`): a time-boxed ranking of a team's reps, or of whole teams, on one
metric; the teams taking part, each with its channel's posts; the result, announced once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonValue


class Contest(Base):
    """A contest: `kind` "reps" ranks the members of `team_id`, "teams" ranks its teams."""

    __tablename__ = "contest"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    # The team it was made in (a rep contest's only team).
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    name: Mapped[str] = mapped_column(String(80))
    # The name folded (case, width), as `/contest show <name>` finds it.
    name_key: Mapped[str] = mapped_column(String(80))
    # revenue, deals, pipeline, points or act:<kind> (bot.services.metrics).
    metric: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    # Both inclusive, read in each taking-part team's own time zone.
    start_date: Mapped[date]
    end_date: Mapped[date]
    prize: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime]
    # `/contest end`: the end was brought forward (to that day) at this moment.
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    ended_at: Mapped[datetime | None]
    # Called off before it started: nothing is announced.
    cancelled: Mapped[bool] = mapped_column(default=False)


class ContestTeam(Base):
    """A team taking part: its channel gets the start post and one standings message."""

    __tablename__ = "contest_team"
    __table_args__ = (UniqueConstraint("contest_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"), index=True)
    # When the start was posted (None: not yet).
    started_at: Mapped[datetime | None]
    # The standings the channel's message shows now, so an unchanged minute owes nothing.
    shown: Mapped[list[Any] | None] = mapped_column(JsonValue)
    shown_at: Mapped[datetime | None]


class ContestResult(Base):
    """The final result: its row is the once-only key of the announcement; `standings` is what
    the result posts show now, `revision` how many corrections they had."""

    __tablename__ = "contest_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), unique=True)
    announced_at: Mapped[datetime]
    standings: Mapped[list[Any]] = mapped_column(JsonValue)
    revision: Mapped[int] = mapped_column(default=0)
    corrected_at: Mapped[datetime | None]
