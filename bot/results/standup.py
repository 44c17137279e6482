"""What the stand-up services find and do, for the views to word: the morning briefing, the day
message's summary, a check-in's deal moves, the settings and their changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.domain.amounts import Money
from bot.domain.periods import Period
from bot.domain.progress import Progress
from bot.results.forecast import ForecastAsk

# How many deals the check-in form offers to move.
MAX_MOVES = 5


@dataclass(frozen=True)
class DealLine:
    """A deal as the briefing lists it; `value`: its amount in the team currency when it was
    entered in another one; `number`: the deal's in its workspace."""

    number: int
    customer: str
    amount: Decimal
    currency: str
    close_date: date | None
    idle_days: int
    value: Money | None = None


@dataclass(frozen=True)
class StepLine:
    """A deal's next step as the morning prompt or a reminder lists it (`number`: the deal's
    in its workspace); `overdue`: its day passed before the day it is listed on."""

    number: int
    customer: str
    step: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class Pace:
    """Where a member stands against their revenue target this period."""

    period: Period
    progress: Progress
    currency: str


@dataclass(frozen=True)
class PromptFacts:
    """What the morning DM says."""

    prompt_id: int
    name: str
    local_date: date
    pace: Pace | None
    stale: tuple[DealLine, ...]
    due_this_week: tuple[DealLine, ...]
    # Next steps overdue (oldest first), then those due today; how many there are in all.
    next_steps: tuple[StepLine, ...] = ()
    next_steps_total: int = 0
    # On the team's report day: the weekly forecast call's question.
    forecast: ForecastAsk | None = None


@dataclass(frozen=True)
class SummaryEntry:
    """One member on the day message."""

    user_id: str
    name: str
    # "in", "late" (after the day closed), "waiting", "away" or "missed".
    status: str
    streak: int
    blocker: bool


@dataclass(frozen=True)
class DaySummary:
    """The team's stand-up on one day."""

    local_date: date
    entries: tuple[SummaryEntry, ...]
    closed: bool


@dataclass(frozen=True)
class StageName:
    """A stage as stored: a default stage's label is translated when shown."""

    key: str
    label: str


@dataclass(frozen=True)
class MovedDeal:
    """A deal moved in a check-in (`number`: the deal's in its workspace): its stage and
    amount before and after (None: unchanged), and the next step it was given (None: none)."""

    number: int
    customer: str
    currency: str
    stage: tuple[StageName, StageName] | None = None
    amount: tuple[Decimal, Decimal] | None = None
    next_step: tuple[str, date] | None = None


@dataclass(frozen=True)
class CheckedIn:
    """What a check-in did."""

    day: date
    new: bool
    moved: tuple[MovedDeal, ...]
    streak: int
    # The blocker it raised ("" for none).
    blocker: str = ""


# How many activity kinds the check-in counts (bot.domain.payloads.COUNTERS).
MAX_COUNTERS = 5


@dataclass(frozen=True)
class CheckInForm:
    """What the check-in modal offers: the team's questions and the member's open deals."""

    questions: tuple[str, ...]
    # (deal number, customer) and (key, label), as the modal lists them.
    deals: tuple[tuple[int, str], ...]
    stages: tuple[tuple[str, str], ...]
    day: date
    # On the team's report day, until the rep has called: their commit, pre-filled.
    forecast: ForecastAsk | None = None
    # The team's first activity kinds, counted in the form: (key, alias).
    counters: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class StandupSchedule:
    """A team's stand-up settings, as people are told them."""

    local_time: str
    days: frozenset[int]
    # None: each member's own time zone.
    timezone: str | None
    reminder_minutes: int
    close_minutes: int
    paused: bool


@dataclass(frozen=True)
class SettingsForm:
    """The settings modal, filled in with the team's settings."""

    team_id: int
    local_time: str
    days: frozenset[int]
    timezone: str
    per_member: bool
    questions: tuple[str, ...]
    reminder_minutes: int
    close_minutes: int


@dataclass(frozen=True)
class SettingsChanged:
    """A manager changed a setting: the settings now."""

    schedule: StandupSchedule


@dataclass(frozen=True)
class QuestionsShown:
    """The team's stand-up questions (a default one is translated when shown)."""

    questions: tuple[str, ...]


@dataclass(frozen=True)
class HolidayEntry:
    """One team holiday; the name may be empty."""

    day: date
    name: str


@dataclass(frozen=True)
class HolidaysListed:
    """The team's upcoming holidays."""

    holidays: tuple[HolidayEntry, ...]


@dataclass(frozen=True)
class HolidayAdded:
    """A day became (or stays, renamed) a team holiday."""

    holiday: HolidayEntry


@dataclass(frozen=True)
class HolidayRemoved:
    """A holiday is a working day again."""

    day: date


@dataclass(frozen=True)
class AwaySet:
    """The member gets no prompts through `until`."""

    until: date


@dataclass(frozen=True)
class BackFromAway:
    """The member gets prompts again."""


SettingDone = (
    SettingsChanged
    | QuestionsShown
    | HolidaysListed
    | HolidayAdded
    | HolidayRemoved
    | AwaySet
    | BackFromAway
)
