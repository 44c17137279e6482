"""What a member's App Home shows, for the view to draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.results.contests import HomeContest
from bot.results.deals import DealRow
from bot.results.facts import Person
from bot.results.reports import DealFact
from bot.results.targets import TargetProgress, TeamBoard


@dataclass(frozen=True)
class Blocker:
    """A blocker someone raised in today's check-in."""

    user_id: str
    text: str


@dataclass(frozen=True)
class Unreachable:
    """A person Slack refused a message to for good (the reason is Slack's error code)."""

    user_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ManagerView:
    """What only managers see."""

    team_target: TargetProgress | None
    board: TeamBoard
    blockers: list[Blocker]
    stale: list[DealFact]
    unreachable: tuple[Unreachable, ...] = ()


@dataclass(frozen=True)
class Home:
    """Everything on one member's App Home."""

    member: Person
    team_name: str | None
    currency: str
    targets: list[TargetProgress]
    deals: list[DealRow]
    page: int
    more_deals: bool
    # By deal number: the label of the next open stage, for the advance button.
    next_stage: dict[int, str]
    checked_in: bool | None
    top: TeamBoard | None
    manager: ManagerView | None
    # The contests the member (or their team) takes part in, with their place.
    contests: tuple[HomeContest, ...] = ()
