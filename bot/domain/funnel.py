"""Funnel maths: win rates, sales cycles, stage-to-stage conversion and pipeline movement.

Rules worth knowing (all tested):

* The deals counted are those **closed** (won or lost) in the period: each has finished its
  journey, so a rate is not diluted by deals still under way.
* A rate is part / whole × 100, rounded half-up to 0.1 (``bot.domain.progress.percent_of``,
  the percent every place shows); no deals, no rate (None).
* A cycle is the time from a deal's creation to its win, in days (seconds / 86,400, rounded
  half-up to 0.1); the median of an even count is the mean of the middle two.
* Conversion: a deal *reached* a stage if it was ever in it or in a later one (a deal moved
  from Lead straight to Proposal passed Qualified), and every closed deal reached the first
  stage; a won deal reached every stage. Stage i converts reached(i + 1) / reached(i), the
  last open stage converting into Won, so the conversions multiply to the win rate by count.
* Pipeline movement over a span: per deal, its value when the span starts and when it ends
  (open deals only), then start + new + increased − decreased − lost − won = end exactly, deal
  by deal (``movement``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bot.domain.progress import percent_of

__all__ = [
    "SECONDS_PER_DAY",
    "Closed",
    "Movement",
    "Outcomes",
    "Span",
    "conversions",
    "days",
    "median",
    "movement",
    "outcomes",
    "outcomes_of",
    "rate",
    "reached_counts",
]

SECONDS_PER_DAY = 86_400
_TENTH = Decimal("0.1")


def rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """Part of whole in percent, rounded half-up to 0.1; None when the whole is nothing."""
    if whole <= 0:
        return None
    return percent_of(Decimal(part), Decimal(whole))


def days(seconds: Decimal | float | int | None) -> Decimal | None:
    """A duration in seconds as days, rounded half-up to 0.1."""
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / SECONDS_PER_DAY).quantize(_TENTH, rounding=ROUND_HALF_UP)


def median(values: Iterable[Decimal | int]) -> Decimal | None:
    """The middle value (the mean of the middle two for an even count); None for none."""
    ordered = sorted(Decimal(value) for value in values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Closed:
    """One deal closed in the period: won or lost, its value in the team currency, and (won)
    how long it took from creation, in seconds."""

    won: bool
    value: Decimal
    cycle_seconds: int = 0


@dataclass(frozen=True)
class Outcomes:
    """What the deals closed in a period came to; rates in percent, cycles in days."""

    won: int
    lost: int
    won_amount: Decimal
    lost_amount: Decimal
    win_rate: Decimal | None
    amount_win_rate: Decimal | None
    average_won: Decimal | None
    average_cycle_days: Decimal | None
    median_cycle_days: Decimal | None

    @property
    def closed(self) -> int:
        """Deals won or lost."""
        return self.won + self.lost


def outcomes(
    *,
    won: int,
    lost: int,
    won_amount: Decimal,
    lost_amount: Decimal,
    cycle_seconds_total: Decimal | int | None,
    median_cycle_seconds: Decimal | float | int | None,
) -> Outcomes:
    """The rates, average won deal and cycles of these totals (the database's sums)."""
    average_won = (won_amount / won).quantize(Decimal("0.01"), ROUND_HALF_UP) if won else None
    average_cycle = days(Decimal(cycle_seconds_total or 0) / won) if won else None
    return Outcomes(
        won=won,
        lost=lost,
        won_amount=won_amount,
        lost_amount=lost_amount,
        win_rate=rate(won, won + lost),
        amount_win_rate=rate(won_amount, won_amount + lost_amount),
        average_won=average_won,
        average_cycle_days=average_cycle,
        median_cycle_days=days(median_cycle_seconds) if won else None,
    )


def outcomes_of(deals: Sequence[Closed]) -> Outcomes:
    """The same numbers from the deals themselves (a segment's)."""
    won = [deal for deal in deals if deal.won]
    lost = [deal for deal in deals if not deal.won]
    return outcomes(
        won=len(won),
        lost=len(lost),
        won_amount=sum((deal.value for deal in won), Decimal(0)),
        lost_amount=sum((deal.value for deal in lost), Decimal(0)),
        cycle_seconds_total=sum(deal.cycle_seconds for deal in won),
        median_cycle_seconds=median(deal.cycle_seconds for deal in won),
    )


def reached_counts(furthest: dict[int | None, int], steps: int) -> list[int]:
    """How many deals reached each of `steps` steps (open stages in order, then Won), from
    how many deals went furthest to each step index (None: no open stage in their history,
    which counts as the first)."""
    reached = [0] * steps
    for index, count in furthest.items():
        last = min(max(index or 0, 0), steps - 1)
        for step in range(last + 1):
            reached[step] += count
    return reached


def conversions(reached: Sequence[int]) -> list[Decimal | None]:
    """Each step's conversion into the next (None for the last step, or when none reached)."""
    return [
        rate(reached[index + 1], reached[index]) if index + 1 < len(reached) else None
        for index in range(len(reached))
    ]


@dataclass(frozen=True)
class Span:
    """One deal over a span of time: whether it was in the open pipeline at the start and at
    the end, its value (team currency) at each, and, if it was closed during the span, how."""

    open_at_start: bool
    start_value: Decimal
    open_at_end: bool
    end_value: Decimal
    closed_as: Literal["won", "lost"] | None = None


@dataclass(frozen=True)
class Movement:
    """How the open pipeline moved over a span: start + new + increased − decreased − lost −
    won = end (every amount here is positive; the chart draws the signs)."""

    start: Decimal
    new: Decimal
    increased: Decimal
    decreased: Decimal
    lost: Decimal
    won: Decimal
    end: Decimal


def movement(spans: Iterable[Span]) -> Movement:
    """Add up each deal's move, so the steps always sum from start to end.

    A deal open throughout moved by its change in value. One that entered the pipeline (new,
    or reopened) adds its value at the end. One that was closed in the span first moves to its
    closing value, then leaves as won or lost; one created and closed inside the span enters
    and leaves. One that left otherwise (moved to another team) is a decrease.
    """
    start = new = up = down = lost = won = Decimal(0)

    def change(before: Decimal, after: Decimal) -> None:
        nonlocal up, down
        if after > before:
            up += after - before
        else:
            down += before - after

    def leave(value: Decimal, how: str) -> None:
        nonlocal won, lost
        if how == "won":
            won += value
        else:
            lost += value

    for span in spans:
        if span.open_at_start:
            start += span.start_value
            if span.open_at_end:
                change(span.start_value, span.end_value)
            elif span.closed_as is not None:
                change(span.start_value, span.end_value)
                leave(span.end_value, span.closed_as)
            else:
                down += span.start_value
        elif span.open_at_end:
            new += span.end_value
        elif span.closed_as is not None:
            new += span.end_value
            leave(span.end_value, span.closed_as)
    end = start + new + up - down - lost - won
    return Movement(start, new, up, down, lost, won, end)
