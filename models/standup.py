"""Stand-up settings, holidays, and each day's prompts and check-ins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonValue


class StandupSettings(Base):
    """When and how a team checks in, and when its weekly report is posted."""

    __tablename__ = "standup_settings"

    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    local_time: Mapped[str] = mapped_column(String(5), default="09:30")
    # Weekday numbers, Monday = 0, as a comma list: "0,1,2,3,4".
    days: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    # True: each member at local_time in their own Slack time zone.
    per_member_tz: Mapped[bool] = mapped_column(default=False)
    questions: Mapped[list[str]] = mapped_column(JsonValue)
    reminder_minutes: Mapped[int] = mapped_column(default=60)
    close_minutes: Mapped[int] = mapped_column(default=180)
    paused: Mapped[bool] = mapped_column(default=False)
    report_weekday: Mapped[int] = mapped_column(default=0)
    report_time: Mapped[str] = mapped_column(String(5), default="09:00")


class Holiday(Base):
    """A day the team does not stand up."""

    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(200), default="")


class StandupDay(Base):
    """A team's stand-up on one local date: the channel summary message."""

    __tablename__ = "standup_day"
    __table_args__ = (UniqueConstraint("team_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    local_date: Mapped[date]
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class StandupPrompt(Base):
    """One member's prompt on one local date; unique so it is sent at most once."""

    __tablename__ = "standup_prompt"
    __table_args__ = (UniqueConstraint("team_id", "member_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    local_date: Mapped[date]
    due_at: Mapped[datetime]
    # "sent"; "skipped" (the clock was down too long); "self" (checked in without a prompt).
    status: Mapped[str] = mapped_column(String(8), default="sent", server_default="sent")
    sent_at: Mapped[datetime | None]
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    reminded_at: Mapped[datetime | None]


class StandupResponse(Base):
    """A check-in: the answers to one prompt."""

    __tablename__ = "standup_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("standup_prompt.id"), unique=True)
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue)
    blocker: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime]
    thread_ts: Mapped[str | None] = mapped_column(String(32))


class StandupBlocker(Base):
    """A blocker raised in a check-in; unique per prompt and wording, so the team's managers
    are told of each blocker once, however often the check-in is submitted."""

    __tablename__ = "standup_blocker"
    __table_args__ = (UniqueConstraint("prompt_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    prompt_id: Mapped[int] = mapped_column(ForeignKey("standup_prompt.id"))
    # SHA-256 of the blocker with case, width and spacing folded: "Legal" and " legal " are one.
    digest: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]
