"""What the report services hand to views and the chart job: the weekly report's numbers,
and a report shared to the team channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.domain.amounts import Money
from bot.domain.funnel import Movement
from bot.domain.periods import Period
from bot.results.facts import TeamFacts
from bot.results.forecast import AccuracyBoard, ForecastBoard
from bot.results.insights import SegmentExtremes, StageStep
from bot.results.targets import TargetProgress, TeamBoard


@dataclass(frozen=True)
class DealFact:
    """A deal as the report names it: `amount` in the team currency (`currency`); `entered`,
    the amount as entered when that was another currency; `number`: the deal's in its
    workspace."""

    number: int
    customer: str
    owner_user_id: str
    amount: Decimal
    currency: str
    idle_days: int = 0
    entered: Money | None = None


@dataclass(frozen=True)
class Mover:
    """A member's result in the week."""

    user_id: str
    name: str
    won: Decimal


@dataclass(frozen=True)
class StageLine:
    """The open pipeline in one stage, in the team currency."""

    label: str
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class StepGaps:
    """A member's open deals with no next step (`missing`) or an overdue one (`overdue`)."""

    user_id: str
    name: str
    missing: int
    overdue: int

    @property
    def total(self) -> int:
        """Both together: the deals whose next step needs planning."""
        return self.missing + self.overdue


@dataclass(frozen=True)
class Participation:
    """Stand-up check-ins against prompts in the week."""

    prompted: int
    checked_in: int


@dataclass(frozen=True)
class Report:
    """Everything the weekly report says and draws."""

    team: TeamFacts
    week: Period
    period: Period
    won_week: Decimal
    won_week_count: int
    team_target: TargetProgress | None
    period_won: Decimal
    open_weighted: Decimal
    coverage: Decimal | None
    biggest: DealFact | None
    won_deals: list[DealFact]
    movers: list[Mover]
    stale: list[DealFact]
    participation: Participation
    board: TeamBoard
    weekly_won: list[tuple[date, Decimal]]
    weekly_pace: Decimal | None
    pipeline: list[StageLine]
    # The stage conversion of the deals closed in the twelve weeks ending with `week`.
    funnel: tuple[StageStep, ...] = ()
    # How the open pipeline moved from the start of `week` to its end (or to now).
    movement: Movement | None = None
    # Per member, most first: the open deals to plan a next step for.
    next_steps: tuple[StepGaps, ...] = ()
    # The weekly forecast call for the current period, and how the last one was called.
    forecast: ForecastBoard | None = None
    accuracy: AccuracyBoard | None = None
    # Per deal field of the team, its best and worst value over the funnel's twelve weeks
    # (none: no fields, or too few deals closed to tell).
    segments: tuple[SegmentExtremes, ...] = ()

    @property
    def empty(self) -> bool:
        """No deals at all yet: the report says so instead of drawing empty charts."""
        return not self.pipeline and not self.weekly_won_total and not self.won_deals

    @property
    def weekly_won_total(self) -> Decimal:
        """Won over the whole 12-week history."""
        return sum((won for _, won in self.weekly_won), Decimal(0))


@dataclass(frozen=True)
class Shared:
    """A report shared to the team channel, or found shared already (`fresh` False)."""

    report: Report
    fresh: bool
