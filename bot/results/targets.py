"""What target services and /target commands hand to views: progress, boards, history,
splits, reward rules and the rewards ledger.

Reward names are carried as a manager typed them; the view escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.periods import Period
from bot.domain.progress import Progress
from bot.domain.text import Wording
from bot.results.facts import Person, TargetFacts, TeamFacts
from bot.results.forecast import CallAccuracy


@dataclass(frozen=True)
class TargetProgress:
    """A target and how far along it is."""

    target: TargetFacts
    period: Period
    progress: Progress


@dataclass(frozen=True)
class MemberLine:
    """One member of a team, with their target progress (None: no target)."""

    member: Person
    achieved: Decimal
    target: TargetProgress | None


@dataclass(frozen=True)
class TeamBoard:
    """Every member's progress on one metric and period, and the team's total."""

    team: TeamFacts
    metric: str
    period: Period
    lines: list[MemberLine]
    team_target: TargetProgress | None
    total: Decimal


@dataclass(frozen=True)
class Conversion:
    """A target converted when its team changed currency: from what amount in which
    currency, at how much of the new currency per unit of the old."""

    old_amount: Decimal
    old_currency: str
    new_currency: str
    rate: Decimal


@dataclass(frozen=True)
class PastTarget:
    """A finished period: target against achieved, and any currency conversions of it."""

    target: TargetFacts
    period: Period
    achieved: Decimal
    conversions: tuple[Conversion, ...] = ()
    # A revenue target's period the member called a commit for: first and last against won.
    forecast: CallAccuracy | None = None


@dataclass(frozen=True)
class SplitProposal:
    """Per-member targets that add up to the team target."""

    team_target: TargetFacts
    method: str
    shares: list[tuple[Person, Decimal]]


@dataclass(frozen=True)
class RuleFacts:
    """A team's reward tier: a percent of target, or a stand-up streak in days."""

    id: int
    scope: str
    threshold: Decimal
    name: str
    bonus: Decimal | None


@dataclass(frozen=True)
class GrantFacts:
    """A reward given, and when it was taken back (None: it stands). The bonus is in the
    currency it was granted in; `owed` is what it counts for in the team's currency now."""

    name: str
    bonus: Decimal | None
    granted_at: datetime
    reversed_at: datetime | None = None
    currency: str | None = None
    owed: Decimal | None = None


@dataclass(frozen=True)
class LedgerLine:
    """One reward granted (member None: to the team)."""

    grant: GrantFacts
    member: Person | None


@dataclass(frozen=True)
class MyTargets:
    """The caller's active targets."""

    member: Person
    team: TeamFacts
    items: list[TargetProgress]


@dataclass(frozen=True)
class TeamBoards:
    """One board per metric and period the team has targets for."""

    boards: list[TeamBoard]


@dataclass(frozen=True)
class TargetSet:
    """A target was set or replaced."""

    target: TargetFacts
    old: Decimal | None
    member: Person | None
    team: TeamFacts
    period: Period
    # Rewards the new amount took back, by name.
    taken_back: tuple[str, ...] = ()


@dataclass(frozen=True)
class Histories:
    """A member's finished periods."""

    member: Person
    team: TeamFacts
    items: list[PastTarget]


@dataclass(frozen=True)
class Rules:
    """The team's reward tiers."""

    team: TeamFacts
    rules: list[RuleFacts]


@dataclass(frozen=True)
class Said:
    """A plain confirmation, worded by the service (its values escaped by the view)."""

    text: Wording


@dataclass(frozen=True)
class Ledger:
    """Rewards granted in a period."""

    team: TeamFacts
    period: Period
    lines: list[LedgerLine]


@dataclass(frozen=True)
class Split:
    """A split proposal waiting for the manager's Confirm."""

    team: TeamFacts
    proposal: SplitProposal


@dataclass(frozen=True)
class LeaderboardResult:
    """A ranked board, shown to the caller or the channel."""

    board: TeamBoard
    public: bool
    # A public board is posted for everyone: in the workspace's language, not the caller's.
    language: str | None = None


Result = (
    MyTargets
    | TeamBoards
    | TargetSet
    | Histories
    | Rules
    | Said
    | Ledger
    | Split
    | LeaderboardResult
)
