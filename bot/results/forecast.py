"""What the forecast services hand to views: the weekly call asked for in the stand-up, the
forecast per rep and in total, the accuracy of a finished period, and the stage mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.domain.forecast import Category
from bot.domain.periods import Period
from bot.domain.stages import Stage
from bot.results.facts import Person, TeamFacts


@dataclass(frozen=True)
class ForecastAsk:
    """The report day's question in the stand-up: the rep's commit for `period`, suggested as
    won so far + their open commit deals (in the team currency)."""

    period: Period
    won: Decimal
    commit_deals: Decimal
    currency: str

    @property
    def suggested(self) -> Decimal:
        """What the commit is pre-filled with."""
        return self.won + self.commit_deals


@dataclass(frozen=True)
class ForecastLine:
    """One rep's forecast for the period (`rep` None: the team's total), in the team
    currency. `commit` is this week's call when `called`, else won + open commit deals;
    `best_case` is won + commit + best-case deals; `gap` is target − commit (None without a
    target); `last_week` the commit called the week before (None: no call)."""

    rep: Person | None
    target: Decimal | None
    won: Decimal
    commit: Decimal
    called: bool
    best_case: Decimal
    weighted: Decimal
    gap: Decimal | None
    last_week: Decimal | None


@dataclass(frozen=True)
class CallAccuracy:
    """A rep's (or the team's: `rep` None) first and last commit for a finished period
    against what was won; accuracy is won ÷ commit, a percent (None: a commit of zero)."""

    rep: Person | None
    first: Decimal
    last: Decimal
    won: Decimal
    first_accuracy: Decimal | None
    last_accuracy: Decimal | None
    calls: int


@dataclass(frozen=True)
class AccuracyBoard:
    """How well the team called a finished period: each rep who called, and the team (the
    sums over those reps)."""

    period: Period
    lines: tuple[CallAccuracy, ...]
    total: CallAccuracy | None


@dataclass(frozen=True)
class ForecastBoard:
    """The forecast for a period as of `week_start`'s week: each rep and the total (None when
    it is about one rep); `accuracy` when the period has ended."""

    team: TeamFacts
    period: Period
    week_start: date
    currency: str
    lines: tuple[ForecastLine, ...]
    total: ForecastLine | None
    accuracy: AccuracyBoard | None = None


@dataclass(frozen=True)
class StageForecast:
    """A stage's forecast category (`chosen`: a manager set it; else the default)."""

    stage: Stage
    category: Category
    chosen: bool


@dataclass(frozen=True)
class ForecastMapping:
    """Which category each open stage's deals are in (`/salesbot forecast`)."""

    stages: tuple[StageForecast, ...]


@dataclass(frozen=True)
class ForecastMapped:
    """A manager changed the category of a stage's deals (`/salesbot forecast …`)."""

    changed: StageForecast
    mapping: ForecastMapping


@dataclass(frozen=True)
class DealForecast:
    """An open deal's category, and whether its owner chose it (else it follows the stage)."""

    category: Category
    chosen: bool
