"""A Slack workspace, its members and their sales teams."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ratio


class Workspace(Base):
    """A Slack workspace (Slack team id) that installed Salesbot."""

    __tablename__ = "workspace"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(8))
    fiscal_year_start_month: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    # Counted up by the database on every change to the workspace's stages, deal fields,
    # exchange rates and holidays (triggers, migration 0028): a process's copy of them is good
    # while this is unchanged (bot.services.memo.kept).
    settings_version: Mapped[int] = mapped_column(default=0, server_default="0")


class SalesTeam(Base):
    """A sales team, bound to the Slack channel it was set up in."""

    __tablename__ = "sales_team"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    stale_days: Mapped[int] = mapped_column(default=14)
    # Key deals (`/salesbot keydeal`): an open deal worth at least this much in the team
    # currency, with no change for key_deal_days, is told to the managers (None: off).
    key_deal_amount: Mapped[Decimal | None]
    key_deal_days: Mapped[int] = mapped_column(default=14, server_default="14")
    members_refreshed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # The CRM the team's deals sync with while connected ("hubspot"), kept on the team so a
    # change knows whether it owes the CRM a write without a query of its own.
    crm: Mapped[str | None] = mapped_column(String(20))


class Member(Base):
    """A Slack user of a workspace, as Salesbot knows them."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("sales_team.id"), index=True)
    # A team a manager took this member out of: the daily refresh does not bring them back.
    removed_from_team_id: Mapped[int | None] = mapped_column(ForeignKey("sales_team.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    # Slack workspace admins and owners are managers without being named.
    is_slack_admin: Mapped[bool] = mapped_column(default=False)
    is_manager: Mapped[bool] = mapped_column(default=False)
    is_bot: Mapped[bool] = mapped_column(default=False)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    away_until: Mapped[date | None]
    profile_refreshed_at: Mapped[datetime | None]
    # When the member last opened their App Home or pressed one of its buttons: a change made
    # elsewhere redraws the Home only while they may be looking at it (bot.services.home).
    home_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def can_manage(self) -> bool:
        """Managers and Slack admins may change any deal and set targets."""
        return self.is_manager or self.is_slack_admin


class FxRate(Base):
    """How many units of the team currency one unit of another currency is worth."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("team_id", "currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Ratio)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    updated_at: Mapped[datetime]
