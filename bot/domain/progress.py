"""Progress against a target, reward tiers, splitting a team target, and ranking.

Rules worth knowing (all tested):

* Percent is achieved / target × 100, rounded half-up to 0.1 (``percent_of``), and that
  one number is what every place shows, always with its one decimal (``percent_label``:
  ``49.0%``): ``/target``, the leaderboard, App Home, the win announcement, the tier post,
  the stand-up pace, ``/target history`` and the chart labels. The tiers, the ranking and
  the bar are decided on the same rounded number, so a target shown at 100.0% is a target
  hit, and 99.9% is not. Money follows the rule in ``bot.domain.amounts``. Money
  (``expected``, ``remaining``, splits) is in cents; ``weekly_needed`` rounds cents *up*, so
  meeting it every week is always enough.
* ``expected`` is where a rep should be by the start of today: target × working days
  already gone / working days in the period. On the first working day it is 0; after the
  end it is the whole target. A period with no working days at all expects 0 until it
  is over, then the whole target.
* ``weekly_needed`` is remaining / weeks left, where weeks left is working days left / 5
  but never less than one week: in the last week (or after the end) the whole remainder
  is needed "this week", rather than a weekly rate bigger than what is left.
* ``bar()`` fills one cell per 1/width of the target, rounding down, so a full bar
  always means the target is hit: 62% → ``▓▓▓▓▓▓░░░░``. Over 100% the bar stays full and
  gains one ``+`` per started extra 100% (at most three): 150% → ``▓▓▓▓▓▓▓▓▓▓+``,
  250% → ``▓▓▓▓▓▓▓▓▓▓++``.
* Splits take ``unit`` (default a cent; pass 1 for deal counts) and always add up
  exactly to the total; leftover units go to the members listed first (equal) or to
  the largest remainders, ties to the earlier member (weighted).
* ``rank`` compares the displayed percent (0.1 precision), so two reps both shown at
  62.0% are ordered by amount achieved, as people would expect.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction
from typing import Generic, TypeVar

from bot.domain.periods import Period, working_days, working_days_left
from bot.i18n import N_, _

__all__ = [
    "DEFAULT_TIERS",
    "Entry",
    "Progress",
    "Tier",
    "percent_label",
    "percent_number",
    "percent_of",
    "progress",
    "rank",
    "split_equal",
    "split_weighted",
    "tier_name",
    "tiers_reached",
]

K = TypeVar("K", bound=Hashable)

_HUNDRED = Decimal(100)
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")
_DAYS_PER_WEEK = 5
_MAX_PLUSES = 3
_FULL_CELL = "▓"
_EMPTY_CELL = "░"
_OVER_MARK = "+"


@dataclass(frozen=True)
class Progress:
    """Where someone stands against a target on a given day."""

    target: Decimal
    achieved: Decimal
    percent: Decimal
    remaining: Decimal
    working_days_total: int
    working_days_left: int
    expected: Decimal
    on_track: bool
    weekly_needed: Decimal

    def bar(self, width: int = 10) -> str:
        """A text progress bar for Slack: ``▓▓▓▓▓▓░░░░``, ``▓▓▓▓▓▓▓▓▓▓+`` over 100%."""
        if width < 1:
            raise ValueError("a progress bar needs at least one cell")
        cells = (self.percent * width / _HUNDRED).to_integral_value(rounding=ROUND_FLOOR)
        filled = max(0, min(width, int(cells)))
        return (
            _FULL_CELL * filled
            + _EMPTY_CELL * (width - filled)
            + _OVER_MARK * _pluses(self.percent)
        )


@dataclass(frozen=True)
class Tier:
    """A reward tier: reached at ``percent`` of target, with an optional bonus."""

    percent: Decimal
    name: str
    bonus: Decimal | None


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(Decimal(50), N_("Halfway there"), None),
    Tier(Decimal(100), N_("Target hit"), None),
    Tier(Decimal(150), N_("Overachiever"), None),
)
FIRST_WIN = N_("First win of the month")
# Reward names Salesbot chose (stored in English with each grant): shown translated.
_OWN_NAMES = frozenset({*(t.name for t in DEFAULT_TIERS), FIRST_WIN})


def tier_name(name: str) -> str:
    """A reward's name in the current language: Salesbot's own names are translated, names a
    manager chose are shown as written."""
    return _(name) if name in _OWN_NAMES else name


@dataclass(frozen=True)
class Entry(Generic[K]):
    """One leaderboard line: who, how much, and their target if they have one."""

    key: K
    achieved: Decimal
    target: Decimal | None


def percent_of(achieved: Decimal, target: Decimal) -> Decimal:
    """Achieved as a percent of a positive target, rounded half-up to 0.1."""
    if target <= 0:
        raise ValueError("a target must be more than zero")
    return (achieved * _HUNDRED / target).quantize(_TENTH, rounding=ROUND_HALF_UP)


def percent_number(percent: Decimal) -> str:
    """A percent's number as every place shows it: one decimal, rounded half-up (``49.0``)."""
    return f"{percent.quantize(_TENTH, rounding=ROUND_HALF_UP):f}"


def percent_label(percent: Decimal) -> str:
    """A percent as every place shows it: ``49.0%``."""
    return f"{percent_number(percent)}%"


def progress(
    target: Decimal,
    achieved: Decimal,
    period: Period,
    today: date,
    holidays: frozenset[date] = frozenset(),
) -> Progress:
    """Work out progress against a target in a period, as of today."""
    percent = percent_of(achieved, target)
    remaining = max(target - achieved, Decimal(0)).quantize(_CENT, rounding=ROUND_HALF_UP)
    total = working_days(period.start, period.end, holidays)
    left = working_days_left(period, today, holidays)
    expected = _expected(target, total - left, total, today > period.end)
    return Progress(
        target=target,
        achieved=achieved,
        percent=percent,
        remaining=remaining,
        working_days_total=total,
        working_days_left=left,
        expected=expected,
        on_track=achieved >= expected,
        weekly_needed=_weekly_needed(remaining, left),
    )


def tiers_reached(percent: Decimal, tiers: Sequence[Tier]) -> list[Tier]:
    """Every tier at or below the percent, lowest first."""
    return sorted((t for t in tiers if t.percent <= percent), key=lambda t: t.percent)


def split_equal(total: Decimal, members: Sequence[K], *, unit: Decimal = _CENT) -> dict[K, Decimal]:
    """Split a total evenly; leftover units go to the first members, so it adds up."""
    units = _units(total, unit)
    if len(set(members)) != len(members):
        raise ValueError("each member may appear only once")
    if not members:
        if units:
            raise ValueError("there is nobody to split the total between")
        return {}
    base, extra = divmod(units, len(members))
    return {key: (base + (i < extra)) * unit for i, key in enumerate(members)}


def split_weighted(
    total: Decimal, weights: Mapping[K, Decimal], *, unit: Decimal = _CENT
) -> dict[K, Decimal]:
    """Split a total in proportion to weights (e.g. last period's results)."""
    units = _units(total, unit)
    if not all(w.is_finite() and w >= 0 for w in weights.values()):
        raise ValueError("weights must be zero or more")
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum == 0:
        # Nobody sold anything last time: nothing to go by, so split evenly.
        return split_equal(total, list(weights), unit=unit)
    # Fractions keep the shares exact, so floors and remainders are never off by one.
    shares = {k: Fraction(units) * Fraction(w) / Fraction(weight_sum) for k, w in weights.items()}
    counts = {k: math.floor(s) for k, s in shares.items()}
    by_remainder = sorted(shares, key=lambda k: shares[k] - counts[k], reverse=True)
    for key in by_remainder[: units - sum(counts.values())]:
        counts[key] += 1
    return {key: count * unit for key, count in counts.items()}


def rank(entries: Sequence[Entry[K]]) -> list[Entry[K]]:
    """Order a leaderboard: by percent of target, then those without a target by amount."""
    with_target = [e for e in entries if _has_target(e)]
    without = [e for e in entries if not _has_target(e)]
    with_target.sort(key=lambda e: (_percent(e), e.achieved), reverse=True)
    without.sort(key=lambda e: e.achieved, reverse=True)
    return with_target + without


# --- helpers --------------------------------------------------------------------------


def _expected(target: Decimal, elapsed: int, total: int, over: bool) -> Decimal:
    if total == 0:
        return (target if over else Decimal(0)).quantize(_CENT, rounding=ROUND_HALF_UP)
    return (target * elapsed / total).quantize(_CENT, rounding=ROUND_HALF_UP)


def _weekly_needed(remaining: Decimal, days_left: int) -> Decimal:
    weeks = max(Decimal(days_left) / _DAYS_PER_WEEK, Decimal(1))
    return (remaining / weeks).quantize(_CENT, rounding=ROUND_UP)


def _pluses(percent: Decimal) -> int:
    if percent <= _HUNDRED:
        return 0
    started = ((percent - _HUNDRED) / _HUNDRED).to_integral_value(rounding=ROUND_UP)
    return min(_MAX_PLUSES, int(started))


def _units(total: Decimal, unit: Decimal) -> int:
    """The total as a whole number of units; refuse negatives and fractions of a unit."""
    if not unit.is_finite() or unit <= 0:
        raise ValueError("the unit must be more than zero")
    if not total.is_finite() or total < 0:
        raise ValueError("the total must be zero or more")
    units, rest = divmod(total, unit)
    if rest:
        raise ValueError(f"{total} is not a whole number of {unit}")
    return int(units)


def _has_target(entry: Entry[K]) -> bool:
    return entry.target is not None and entry.target > 0


def _percent(entry: Entry[K]) -> Decimal:
    assert entry.target is not None
    return percent_of(entry.achieved, entry.target)
