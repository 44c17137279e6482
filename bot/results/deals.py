"""What /deal commands hand to views: a change, a list, one deal with its history, a pipeline.

Customer names, titles and notes are carried as typed; the view escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.amounts import Money
from bot.domain.stages import Stage
from bot.domain.text import Wording
from bot.results.facts import DealFacts, Person
from bot.results.forecast import DealForecast


@dataclass(frozen=True)
class FieldChange:
    """One field of a deal changed, as its history records it (values encoded as stored)."""

    action: str
    field: str
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class TakenBack:
    """What a change took back: the deal's win, and rewards by name (reversed in the ledger)."""

    win: bool
    rewards: tuple[str, ...]


@dataclass(frozen=True)
class ChangeFacts:
    """What one change did: the deal after it, its field changes, what it took back, and what
    to warn about."""

    deal: DealFacts
    events: tuple[FieldChange, ...]
    warnings: tuple[Wording, ...]
    taken_back: TakenBack = TakenBack(win=False, rewards=())


@dataclass(frozen=True)
class DealRow:
    """A deal as a list shows it; `value`: its amount in the team currency when it was
    entered in another one; `step_overdue`: its next step's day has passed."""

    deal: DealFacts
    owner: Person
    stage: Stage
    days_idle: int
    value: Money | None = None
    step_overdue: bool = False


@dataclass(frozen=True)
class HistoryLine:
    """One event as `/deal show` tells it (an owner as a Slack user id)."""

    at: datetime
    actor: Person
    action: str
    field: str
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class ForeignPart:
    """What a stage holds in another currency: as entered, and its value in the team currency
    (None: no rate, so it counts for nothing)."""

    entered: Money
    value: Decimal | None


@dataclass(frozen=True)
class StageTotal:
    """One line of the pipeline, in the team currency (`currency`)."""

    stage: Stage
    currency: str
    count: int
    total: Decimal
    weighted: Decimal
    foreign: tuple[ForeignPart, ...] = ()


@dataclass(frozen=True)
class Changed:
    """A deal was added or changed; `people` maps member ids in its events to Slack user ids;
    `value`: the deal's amount in the team currency when it was entered in another one."""

    verb: str
    outcome: ChangeFacts
    stage: Stage
    owner: Person
    people: dict[str, str]
    value: Money | None = None


@dataclass(frozen=True)
class Listed:
    """Open deals for a list: the caller's own, one member's (`person`), the team's, one
    stage's (`stage_label`), those idle for `stale_days`, or those with no next step or an
    overdue one (`nextstep`)."""

    scope: str
    rows: list[DealRow]
    person: str | None = None
    stage_label: str | None = None
    stale_days: int | None = None

    @property
    def with_owner(self) -> bool:
        """Whose deal each is goes without saying in the caller's own list."""
        return self.scope != "mine"


@dataclass(frozen=True)
class Shown:
    """A deal with its history; `value`: its amount in the team currency when it was entered
    in another one; `step_overdue`: its next step's day has passed."""

    deal: DealFacts
    owner: Person
    stage: Stage
    history: list[HistoryLine]
    value: Money | None = None
    step_overdue: bool = False
    # An open deal's forecast category (None: closed).
    forecast: DealForecast | None = None


@dataclass(frozen=True)
class PipelineView:
    """A pipeline summary, every amount in `currency` (the team's)."""

    title: Wording
    rows: list[StageTotal]
    currency: str = "CNY"


Result = Changed | Listed | Shown | PipelineView
