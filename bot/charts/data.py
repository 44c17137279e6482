"""Plain inputs for the weekly charts: what to draw, already computed by the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["MemberBar", "StageBar", "WeekPoint"]


@dataclass(frozen=True)
class MemberBar:
    """One member's amount won against their target (None when no target is set)."""

    name: str
    achieved: Decimal
    target: Decimal | None


@dataclass(frozen=True)
class WeekPoint:
    """The amount won in the week starting on ``week_start``."""

    week_start: date
    won: Decimal


@dataclass(frozen=True)
class StageBar:
    """One pipeline stage: how many open deals, their amount and their weighted amount."""

    label: str
    count: int
    amount: Decimal
    weighted: Decimal
