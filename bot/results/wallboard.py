"""What the wallboard services hand to views: the link handed out or revoked, and the state of
a team's board for the office TV.

Names and customers are carried as people typed them; the board's template escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.periods import Period
from bot.results.facts import Person, TeamFacts
from bot.results.targets import TeamBoard


@dataclass(frozen=True)
class LinkIssued:
    """A new board link (shown once: only its digest is kept); `replaced`: an older link of
    the team stopped working."""

    team: TeamFacts
    url: str
    replaced: bool


@dataclass(frozen=True)
class LinkRevoked:
    """The team's board link was revoked (`had_link` False: there was none to revoke)."""

    team: TeamFacts
    had_link: bool


@dataclass(frozen=True)
class StandingLine:
    """One place in a contest: a member, or a whole team (a team contest)."""

    name: str
    value: Decimal
    # Percent of their target when the contest ranks by it (None: ranked by the value).
    percent: Decimal | None = None
    # The board's own team, in a team contest: shown highlighted.
    ours: bool = False


@dataclass(frozen=True)
class ContestStanding:
    """A running contest's standings, best first (ties share a place: equal values)."""

    name: str
    metric: str
    ends_at: datetime
    lines: tuple[StandingLine, ...]
    prize: str = ""


@dataclass(frozen=True)
class BoardExtras:
    """What the board shows beyond revenue, deals, wins and the stand-up: the running
    contests' standings. Filled by bot.services.wallboard.extras."""

    contests: tuple[ContestStanding, ...] = ()


@dataclass(frozen=True)
class BoardWin:
    """A deal won this week: its amount as entered, and its value in the team currency
    (None: no exchange rate for its currency)."""

    owner: Person
    customer: str
    amount: Decimal
    currency: str
    value: Decimal | None
    closed_at: datetime
    today: bool


@dataclass(frozen=True)
class WinsTotal:
    """How many deals were won in a span, and their value in the team currency (a deal in a
    currency without an exchange rate counts, and adds nothing)."""

    count: int
    value: Decimal


@dataclass(frozen=True)
class Participation:
    """Today's stand-up: how many checked in, of how many were asked (0: no stand-up yet)."""

    checked_in: int
    asked: int


@dataclass(frozen=True)
class BoardState:
    """Everything a team's wallboard shows at `now`, in the workspace's `language`."""

    team: TeamFacts
    language: str
    now: datetime
    period: Period
    # When the period ends (its last day's midnight in the team's zone), for the time left.
    ends_at: datetime
    # Ranked by percent of revenue target; `deals` has the same people for their deal count.
    revenue: TeamBoard
    deals: TeamBoard
    # The ticker: the week's latest wins (at most TICKER_WINS); the totals count them all.
    wins: tuple[BoardWin, ...]
    wins_today: WinsTotal
    wins_week: WinsTotal
    standup: Participation
    extras: BoardExtras
