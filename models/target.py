"""Targets, their change history, reward rules and the rewards granted against them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ratio

TEAM_SCOPE = "team"


class Target(Base):
    """A SMART target: a metric, a number and a period, for a member or a whole team."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("team_id", "scope", "metric", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    # "team", or "member:<id>": a non-null key so the unique constraint covers team targets.
    scope: Mapped[str] = mapped_column(String(40))
    # revenue, deals, pipeline, points, or act:<kind> (bot.domain.activities).
    metric: Mapped[str] = mapped_column(String(40))
    period_kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date]
    end_date: Mapped[date]
    amount: Mapped[Decimal]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TargetEvent(Base):
    """A target set or replaced, or converted to a new team currency: who, when, from what to
    what."""

    __tablename__ = "target_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    at: Mapped[datetime]
    # "set" (a manager set or replaced it) or "currency" (the team's currency changed).
    kind: Mapped[str] = mapped_column(String(16), default="set", server_default="set")
    old_amount: Mapped[Decimal | None]
    new_amount: Mapped[Decimal]
    # A currency change: from which currency to which, at how much of the new one per unit
    # of the old.
    old_currency: Mapped[str | None] = mapped_column(String(3))
    new_currency: Mapped[str | None] = mapped_column(String(3))
    rate: Mapped[Decimal | None] = mapped_column(Ratio)


class RewardRule(Base):
    """A tier worth celebrating: a percent of target, or a stand-up streak."""

    __tablename__ = "reward_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    # "member", "team" or "streak".
    scope: Mapped[str] = mapped_column(String(8))
    threshold: Mapped[Decimal] = mapped_column(Ratio)
    name: Mapped[str] = mapped_column(String(200))
    bonus: Mapped[Decimal | None]
    created_at: Mapped[datetime]


class RewardGrant(Base):
    """A reward given, and taken back if a later change means it was not earned after all.

    A reversed grant stays (the ledger pays from grants and reversals); crossing the tier
    again adds a new grant. The partial unique index keeps at most one live grant per
    (subject, scope, tier), whatever concurrent workers do: it is what makes an announcement
    exactly-once.
    """

    __tablename__ = "reward_grant"
    __table_args__ = (
        Index(
            "uq_reward_grant_live",
            "subject_key",
            "scope",
            "tier",
            unique=True,
            sqlite_where=text("reversed_at IS NULL"),
            postgresql_where=text("reversed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("reward_rule.id"))
    # What the tier was reached on: "target:<id>", "streak:<team>:<member>", "first-win:<…>".
    subject_key: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(40))
    tier: Mapped[Decimal] = mapped_column(Ratio)
    name: Mapped[str] = mapped_column(String(200))
    bonus: Mapped[Decimal | None]
    # The team currency the bonus was granted in: a later currency switch does not make a
    # ¥2k bonus read €2k.
    currency: Mapped[str | None] = mapped_column(String(3))
    achieved: Mapped[Decimal | None]
    granted_at: Mapped[datetime]
    # The outbox key of the channel post that announced it: a reversal corrects that post.
    post_key: Mapped[str | None] = mapped_column(String(120), index=True)
    reversed_at: Mapped[datetime | None]
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
