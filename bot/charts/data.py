"""Plain inputs for the weekly charts: what to draw, already computed by the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = ["FunnelStep", "MemberBar", "MovementStep", "StageBar", "WeekPoint"]


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


@dataclass(frozen=True)
class FunnelStep:
    """One step of the funnel: how many closed deals reached it, the percent of the step
    above that did (None on the first step), and whether it is the won step."""

    label: str
    reached: int
    from_above: Decimal | None
    won: bool = False


@dataclass(frozen=True)
class MovementStep:
    """One bar of the pipeline's waterfall: a total (from zero), or an amount it moved by
    (positive; `up` adds it, `down` and `won` take it away)."""

    label: str
    amount: Decimal
    kind: Literal["total", "up", "down", "won"]
