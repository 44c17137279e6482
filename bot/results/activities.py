"""What the activity services hand to views: an activity logged or taken back, a team's kinds
and points.

Kind names and notes are carried as typed; the view escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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


Result = Logged | Unlogged | KindsListed
