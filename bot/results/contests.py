"""What the contest services hand to views: replies to `/contest`, the notices a contest owes
its channels (start, standings, result, correction), and a member's contests for App Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.results.notices import Said


@dataclass(frozen=True)
class ContestFacts:
    """A contest as results name it; `state`: upcoming, running, ended (result announced),
    ending (over, result not yet announced) or cancelled."""

    id: int
    name: str
    metric: str
    kind: str
    start: date
    end: date
    prize: str | None
    # The currency money is shown in (the contest's team's; a team contest's teams share it).
    currency: str
    state: str
    # The channels of the teams taking part, in the order they were named.
    channel_ids: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """One place: a member (`user_id`) or a whole team (`channel_id`, a team contest)."""

    place: int
    name: str
    value: Decimal
    # Percent of the team's target, when a team contest ranks by it.
    percent: Decimal | None
    user_id: str | None
    channel_id: str | None


@dataclass(frozen=True)
class Standings:
    contest: ContestFacts
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ContestCreated:
    contest: ContestFacts
    # It started at once (its start is today or earlier): the start is posted now.
    started: bool


@dataclass(frozen=True)
class ContestsListed:
    contests: tuple[ContestFacts, ...]


@dataclass(frozen=True)
class ContestShown:
    standings: Standings


@dataclass(frozen=True)
class ContestEnded:
    """`/contest end`: brought forward to end today (`cancelled`: it had not started)."""

    contest: ContestFacts
    cancelled: bool
    zone: str


ContestResult = ContestCreated | ContestsListed | ContestShown | ContestEnded


@dataclass(frozen=True)
class HomeContest:
    """A contest the member takes part in, on their App Home: their place (or their team's)."""

    name: str
    metric: str
    kind: str
    end: date
    state: str
    place: int | None
    of: int
    value: Decimal
    currency: str


# --- notices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContestStarted(Said):
    """The start, posted once in a taking-part channel, and its standings message."""

    channel_id: str
    post_key: str
    standings_key: str
    standings: Standings


@dataclass(frozen=True)
class StandingsChanged(Said):
    """The channel's standings message, edited to show the standings now (`key`: once per
    minute slot)."""

    channel_id: str
    standings_key: str
    key: str
    standings: Standings


@dataclass(frozen=True)
class ContestFinished(Said):
    """The result, posted once in a taking-part channel: winner, podium, prize, ties."""

    channel_id: str
    post_key: str
    standings: Standings


@dataclass(frozen=True)
class ContestCorrected(Said):
    """A correction changed a result already announced: the result post is edited, and one
    reply in its thread says what changed."""

    channel_id: str
    post_key: str
    correction_key: str
    standings: Standings
    before: tuple[Line, ...]
