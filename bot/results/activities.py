"""What the activity services hand to views: an activity logged or taken back, a team's kinds
and points, and the scorecard of a period.

Kind names and notes are carried as typed; the view escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.domain.periods import Period
from bot.results.facts import Person, TeamFacts


@dataclass(frozen=True)
class KindShown:
    """A kind of activity: its name, its second name and its points."""

    key: str
    alias: str | None
    points: int


@dataclass(frozen=True)
class DealNamed:
    """The deal an activity was logged on."""

    number: int
    customer: str


@dataclass(frozen=True)
class Logged:
    """Activities logged: how many of what, their points, on which deal, and the member's
    count of that kind and points today (this one included)."""

    kind: KindShown
    count: int
    points: int
    deal: DealNamed | None
    note: str
    today_count: int
    today_points: int


@dataclass(frozen=True)
class Unlogged:
    """An activity taken back, and the rewards that took back with it (by name)."""

    kind: KindShown
    count: int
    deal: DealNamed | None
    rewards: tuple[str, ...]


@dataclass(frozen=True)
class KindsListed:
    """A team's activity kinds and their points; what a change did, if any."""

    team_name: str
    kinds: tuple[KindShown, ...]
    # What a manager changed ("": nothing, only listed).
    changed: Literal["added", "removed", "points", ""] = ""
    # The kind added or removed.
    kind: str | None = None
    # A word the added kind took from another kind: (the word, the kind that had it).
    took: tuple[str, str] | None = None


@dataclass(frozen=True)
class ScoreLine:
    """One member's activities in a period: each kind's count, and their points."""

    member: Person
    counts: tuple[tuple[str, int], ...]
    points: int


@dataclass(frozen=True)
class Scorecard:
    """Every member's activities in a period, most points first."""

    team: TeamFacts
    period: Period
    kinds: tuple[KindShown, ...]
    lines: tuple[ScoreLine, ...]

    def count(self, member_id: int, kind: str) -> int:
        """How many of `kind` the member logged (0: none)."""
        for line in self.lines:
            if line.member.id == member_id:
                return dict(line.counts).get(kind, 0)
        return 0

    def points_of(self, member_id: int) -> Decimal:
        """The member's points (0: none)."""
        return next(
            (Decimal(line.points) for line in self.lines if line.member.id == member_id),
            Decimal(0),
        )


Result = Logged | Unlogged | KindsListed
