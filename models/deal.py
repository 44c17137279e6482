"""Deals, the stages they move through, and the history of every change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ratio


class StageDef(Base):
    """A pipeline stage of a workspace, with its win probability."""

    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    probability: Mapped[Decimal] = mapped_column(Ratio)
    # "open", "won" or "lost": what closing in this stage means.
    kind: Mapped[str] = mapped_column(String(8), default="open")
    position: Mapped[int]
    # The forecast category its open deals are in (bot.domain.forecast); None: the default.
    forecast: Mapped[str | None] = mapped_column(String(16))


class Deal(Base):
    """A sales opportunity owned by one member."""

    __tablename__ = "deal"
    __table_args__ = (
        Index("ix_deal_owner_open", "workspace_id", "owner_id", "closed_at", "close_date"),
        Index("ix_deal_team_open", "workspace_id", "team_id", "closed_at", "close_date"),
        Index("ix_deal_team_won", "team_id", "stage", "closed_at"),
        # What people see and type (`#12`): numbered from 1 in each workspace, never reused.
        UniqueConstraint("workspace_id", "number"),
    )

    # Internal only (foreign keys, outbox keys): it counts every workspace's deals.
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    # Allocated from the workspace's DealCounter in the deal's own transaction.
    number: Mapped[int]
    team_id: Mapped[int | None] = mapped_column(ForeignKey("sales_team.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    customer: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    stage: Mapped[str] = mapped_column(String(40))
    close_date: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # What happens next and by when ("" and None: no next step); set and cleared together.
    next_step: Mapped[str] = mapped_column(String(200), default="", server_default="")
    next_step_date: Mapped[date | None]
    lost_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Set when the deal is won or lost, cleared when it is reopened.
    closed_at: Mapped[datetime | None]
    # Set when the command that created the deal is undone; the history stays.
    deleted_at: Mapped[datetime | None]
    # The forecast category its owner chose (bot.domain.forecast); None: its stage's.
    forecast: Mapped[str | None] = mapped_column(String(16))


class DealCounter(Base):
    """The last deal number a workspace handed out (bot.services.deals.allocate_numbers)."""

    __tablename__ = "deal_counter"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), primary_key=True)
    last_number: Mapped[int]


class DealEvent(Base):
    """One field of one deal changed by one member: the history and the undo log."""

    __tablename__ = "deal_event"
    __table_args__ = (
        Index("ix_deal_event_deal", "deal_id", "id"),
        Index("ix_deal_event_actor", "workspace_id", "actor_id", "at"),
        # The funnel (bot.services.insights) walks each closed deal's stage changes: on
        # PostgreSQL this index holds all it reads, so the walk never touches the table.
        Index(
            "ix_deal_event_stage",
            "deal_id",
            "id",
            postgresql_include=["at", "action", "undone_by", "old_value", "new_value"],
            postgresql_where=text("field = 'stage'"),
            sqlite_where=text("field = 'stage'"),
        ),
        # Which deals were imported (their time before the import is not known): a few rows.
        Index(
            "ix_deal_event_import",
            "deal_id",
            postgresql_where=text("action = 'import'"),
            sqlite_where=text("action = 'import'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    at: Mapped[datetime]
    # Events written by one command share a change id, so undo reverts them together.
    change_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # The change id of the undo that reverted this event, if any.
    undone_by: Mapped[str | None] = mapped_column(String(36))
    # The CRM a change came from ("hubspot"): shown as "via HubSpot", never written back to it
    # and not the member's own to undo. None: made in Salesbot.
    source: Mapped[str | None] = mapped_column(String(20))


class KeyDealAlert(Base):
    """A key deal's quiet spell, told to its team's managers once: the spell is the time of the
    deal's last change (`quiet_since`); a later change starts another, told again."""

    __tablename__ = "key_deal_alert"
    __table_args__ = (UniqueConstraint("deal_id", "quiet_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"))
    quiet_since: Mapped[datetime]
    reported_at: Mapped[datetime]


class NextStepReminder(Base):
    """A next step due on a day its owner has no stand-up, told to them in a DM; unique per
    deal and local date, so however many clocks run, each step is told once that day."""

    __tablename__ = "next_step_reminder"
    __table_args__ = (UniqueConstraint("deal_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"))
    local_date: Mapped[date]
    # The step as it was told (it may change later that day).
    step: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime]
