"""A change held back until its caller says yes: the fat-finger guards' question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.amounts import Money
from bot.domain.stages import Stage
from bot.results.facts import DealFacts


@dataclass(frozen=True)
class Duplicate:
    """An open deal of the caller's for the customer they are adding again."""

    deal: DealFacts
    stage: Stage


@dataclass(frozen=True)
class Large:
    """An amount far above what the team has won: `amount` as typed, `in_team` converted to
    the team currency, `largest_won` the team's largest win (None: no win yet)."""

    amount: Money
    in_team: Money
    largest_won: Money | None


@dataclass(frozen=True)
class Question:
    """Nothing was written: the caller is asked first, once for every guard that applies.

    key names the question: whichever of its buttons is pressed first claims it, so it is
    answered once. deal_number is the number of the deal an update or win changes (None for
    an add)."""

    key: str
    verb: Literal["add", "update", "won"]
    customer: str
    deal_number: int | None
    duplicate: Duplicate | None
    large: Large | None
