"""What `/deal insights` hands to views: the funnel of a period beside the one before it, and
the same numbers split into segments (`by owner`, `by industry`: any of the team's deal
fields)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain.funnel import Outcomes
from bot.domain.periods import Period
from bot.results.facts import TeamFacts


@dataclass(frozen=True)
class StageStep:
    """One step of the funnel: an open stage, or Won last. `reached`: closed deals that were
    in this stage or went past it; `converted`: the percent of those that reached the next
    step (None on Won); `median_days`: the median time a deal spent in the stage (None on Won,
    or when no deal's time there is known)."""

    label: str
    reached: int
    converted: Decimal | None
    median_days: Decimal | None = None
    won: bool = False


@dataclass(frozen=True)
class LostReason:
    """Deals lost for one reason (reasons differing only in case or spacing are one, shown
    as typed most often; "" when none was given), and their value in the team currency."""

    reason: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Funnel:
    """A period's closed deals: outcomes, steps and lost reasons ranked."""

    period: Period
    outcomes: Outcomes
    steps: tuple[StageStep, ...]
    lost_reasons: tuple[LostReason, ...]


@dataclass(frozen=True)
class Insights:
    """`/deal insights`: the period asked for and the one just before it, for the team or one
    member of it (`subject_user_id`)."""

    team: TeamFacts
    subject_user_id: str | None
    current: Funnel
    previous: Funnel


@dataclass(frozen=True)
class Segment:
    """One value of a dimension: `user_id` when the segments are people (by owner), else
    `value` as stored (None: deals with no value). `outcomes`: the period's; `previous`: the
    period before's (None when it was not asked for; nothing closed: zero deals)."""

    value: str | None
    user_id: str | None
    outcomes: Outcomes
    previous: Outcomes | None = None


@dataclass(frozen=True)
class Segments:
    """`/deal insights by <dimension>`: a period's closed deals per segment (each one that
    closed a deal in it or in the period before), the one with the most revenue won first."""

    team: TeamFacts
    subject_user_id: str | None
    dimension: str
    period: Period
    segments: tuple[Segment, ...]
    previous_period: Period | None = None


@dataclass(frozen=True)
class SegmentExtremes:
    """The weekly report's best and worst segment of one deal field over `period`, by win
    rate (by count; ties: more revenue won is better): of the values with enough closed
    deals, never deals without a value."""

    field: str
    period: Period
    best: Segment
    worst: Segment
