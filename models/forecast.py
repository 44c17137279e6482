"""The weekly forecast call: each rep's commit for a period, once a week."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ForecastCall(Base):
    """What a rep committed to win in a period, called in the stand-up of one week.

    Unique per (rep, period, week): a rep calls once a week, however often the check-in is
    submitted or however many workers race; the first call of the week stands."""

    __tablename__ = "forecast_call"
    __table_args__ = (
        UniqueConstraint("member_id", "period_start", "period_end", "week_start"),
        Index("ix_forecast_call_team_period", "team_id", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    period_kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date]
    period_end: Mapped[date]
    # The Monday of the week the call was made in (the team's local date).
    week_start: Mapped[date]
    # The commit called, and what it was pre-filled with (won so far + open commit deals),
    # both in `currency`, the team currency at the time.
    amount: Mapped[Decimal]
    suggested: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    # Why the commit differs from the suggestion ("" when it does not).
    reason: Mapped[str] = mapped_column(Text, default="")
    called_at: Mapped[datetime]
