"""Target periods: weeks, months, (fiscal) quarters and explicit ranges.

Rules worth knowing (all tested):

* Dates are inclusive at both ends. Weeks run Monday to Sunday.
* Quarters are calendar quarters when ``fiscal_start_month`` is 1; otherwise Q1 starts
  in that month (4: Apr–Jun is Q1). A fiscal year is named after the calendar year it
  ends in (the usual convention, e.g. the US government's): with a start month of 4,
  Apr 2026 – Mar 2027 is FY2027. So labels read ``Q4 2026`` (calendar) or ``FY2027 Q1``
  (fiscal), and ``parse_period("Q1 2027")`` reads the year the same way.
* A Period does not store the fiscal start month, so ``label`` takes it as an argument;
  a week, month or quarter whose dates are not exactly such a period under that start
  month (say, stored under an older setting) is labelled as a plain range.
* ``parse_period``: a month or quarter without a year is the nearest one, looking
  forward first: up to 6 months (2 quarters) ahead, else up to 5 months (1 quarter)
  back. So in December ``june`` means next June but ``july`` means last July.
* Explicit ranges (``2026-12-01..2026-12-31``, also ``Dec 1 - Dec 31``, ``~``, ``to``,
  ``至``/``到``) read each end with ``parse_date`` and may be 1 to 400 days long.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.dates import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_NAMES,
    MONTH_WORD,
    MONTHS,
    DateError,
    month_end,
    month_index,
    parse_date,
)
from bot.domain.text import typed_phrase
from bot.i18n import N_, _

__all__ = [
    "MAX_RANGE_DAYS",
    "Period",
    "PeriodError",
    "PeriodKind",
    "RecurringKind",
    "parse_period",
    "period_of",
    "previous",
    "utc_bounds",
    "working_days",
    "working_days_left",
]

PeriodKind = Literal["week", "month", "quarter", "range"]
RecurringKind = Literal["week", "month", "quarter"]

MAX_RANGE_DAYS = 400
_EXAMPLES = N_(
    "Try week, month, quarter, next month, last quarter, december, dec 2026, 2026-12, "
    "Q1, Q1 2027, 2026-12-01..2026-12-31, 本周, 本月, 本季度, 下月, 下季度 or 上月."
)

_EN_OFFSETS = {"": 0, "this": 0, "current": 0, "next": 1, "last": -1, "previous": -1, "prev": -1}
_ZH_OFFSETS = {"本": 0, "这": 0, "这个": 0, "当": 0, "下": 1, "下个": 1, "上": -1, "上个": -1}
_UNITS: dict[str, RecurringKind] = {
    "week": "week",
    "month": "month",
    "quarter": "quarter",
    "qtr": "quarter",
    "周": "week",
    "星期": "week",
    "礼拜": "week",
    "月": "month",
    "季": "quarter",
    "季度": "quarter",
}
_ZH_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}
_RANGE_SEPARATORS = (
    re.compile(r"(.+?)\s*(?:\.{2,}|–|—|~|至|到)\s*(.+)"),
    re.compile(r"(.+?)\s+(?:-|to|until|till)\s+(.+)"),
)


class PeriodError(ValueError):
    """A typed period was refused; the message is ready to show in Slack."""


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends inclusive."""

    kind: PeriodKind
    start: date
    end: date

    def label(self, lang: str = "en", *, fiscal_start_month: int = 1) -> str:
        """Name the period for people: ``Q4 2026``, ``December 2026``, ``11月30日当周``…"""
        zh = lang.casefold().startswith("zh")
        if (
            self.kind == "range"
            or period_of(self.kind, self.start, fiscal_start_month=fiscal_start_month) != self
        ):
            return _range_label(self.start, self.end, zh)
        if self.kind == "week":
            return _week_label(self.start, zh)
        if self.kind == "month":
            return _month_label(self.start, zh)
        return _quarter_label(self.start, fiscal_start_month, zh)

    def contains(self, day: date) -> bool:
        """Tell whether the day falls within the period."""
        return self.start <= day <= self.end


def period_of(kind: RecurringKind, day: date, *, fiscal_start_month: int = 1) -> Period:
    """The week, month or quarter that contains ``day``."""
    _check_fiscal_start(fiscal_start_month)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if kind == "month":
        return Period("month", day.replace(day=1), month_end(month_index(day)))
    if kind == "quarter":
        first = month_index(day) - (day.month - fiscal_start_month) % 3
        return Period("quarter", _first_day(first), month_end(first + 2))
    raise ValueError(f"period_of() needs week, month or quarter, not {kind!r}")


def previous(period: Period, *, fiscal_start_month: int = 1) -> Period:
    """The period just before: the previous week/month/quarter, or a range as long."""
    before = period.start - timedelta(days=1)
    if period.kind == "range":
        return Period("range", before - (period.end - period.start), before)
    return period_of(period.kind, before, fiscal_start_month=fiscal_start_month)


def parse_period(text: str, *, today: date, fiscal_start_month: int = 1) -> Period:
    """Parse a typed period relative to ``today`` (the user's local date)."""
    _check_fiscal_start(fiscal_start_month)
    shown = typed_phrase(
        text,
        PeriodError,
        empty=N_("Please give a period. {examples}"),
        too_long=N_("“{text}…” is too long to be a period. {examples}"),
        examples=_EXAMPLES,
    )
    word = unicodedata.normalize("NFKC", shown).casefold()
    for rule in _RULES:
        found = rule(word, today, fiscal_start_month, shown)
        if found is not None:
            return found
    raise PeriodError(
        _("I don't understand the period “{text}”. {examples}").format(
            text=shown, examples=_(_EXAMPLES)
        )
    )


def working_days(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    """Count Monday–Friday days from start to end, both included, minus holidays."""
    if end < start:
        return 0
    weeks, extra = divmod((end - start).days + 1, 7)
    # Whole weeks hold five working days each; only the leftover days need a look.
    count = weeks * 5 + sum(1 for i in range(extra) if (start.weekday() + i) % 7 < 5)
    return count - sum(1 for day in holidays if start <= day <= end and day.weekday() < 5)


def working_days_left(period: Period, today: date, holidays: frozenset[date] = frozenset()) -> int:
    """Working days from today (included) to the end; the whole period before it starts."""
    return working_days(max(today, period.start), period.end, holidays)


def utc_bounds(period: Period, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as a half-open UTC interval [first local midnight, midnight after end)."""
    return _local_midnight(period.start, zone), _local_midnight(
        period.end + timedelta(days=1), zone
    )


# --- helpers --------------------------------------------------------------------------


def _check_fiscal_start(month: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"fiscal_start_month must be 1–12, not {month}")


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # fold=0 reads a midnight skipped by a DST jump with the offset from before the jump,
    # which lands on the first instant that day really has (e.g. 01:00 in Santiago).
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _first_day(index: int) -> date:
    """The first day of the month with that month_index."""
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


def _md(day: date) -> str:
    return f"{MONTH_NAMES[day.month - 1][:3]} {day.day}"


def _range_label(start: date, end: date, zh: bool) -> str:
    if zh:
        if start.year == end.year:
            return f"{start.month}月{start.day}日–{end.month}月{end.day}日"
        return f"{start.year}年{start.month}月{start.day}日–{end.year}年{end.month}月{end.day}日"
    if start.year == end.year:
        return f"{_md(start)} – {_md(end)}, {end.year}"
    return f"{_md(start)}, {start.year} – {_md(end)}, {end.year}"


def _week_label(monday: date, zh: bool) -> str:
    return f"{monday.month}月{monday.day}日当周" if zh else f"Week of {_md(monday)}"


def _month_label(first: date, zh: bool) -> str:
    return (
        f"{first.year}年{first.month}月" if zh else f"{MONTH_NAMES[first.month - 1]} {first.year}"
    )


def _quarter_label(start: date, fiscal_start_month: int, zh: bool) -> str:
    number = (start.month - fiscal_start_month) % 12 // 3 + 1
    if fiscal_start_month == 1:
        return f"{start.year}年第{number}季度" if zh else f"Q{number} {start.year}"
    year = _fiscal_year(start, fiscal_start_month)
    return f"{year}财年第{number}季度" if zh else f"FY{year} Q{number}"


def _fiscal_year(day: date, fiscal_start_month: int) -> int:
    # Named after the calendar year the fiscal year ends in.
    return day.year + (1 if fiscal_start_month > 1 and day.month >= fiscal_start_month else 0)


def _shifted(kind: RecurringKind, today: date, offset: int, fiscal_start_month: int) -> Period:
    """The period ``offset`` steps (-1, 0 or 1) from the one containing today."""
    current = period_of(kind, today, fiscal_start_month=fiscal_start_month)
    if offset < 0:
        return previous(current, fiscal_start_month=fiscal_start_month)
    if offset > 0:
        after = current.end + timedelta(days=1)
        return period_of(kind, after, fiscal_start_month=fiscal_start_month)
    return current


def _check_year(year: int, shown: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("“{text}” is too far off. Years must be in {first}–{last}.").format(
                text=shown, first=MIN_YEAR, last=MAX_YEAR
            )
        )


# --- rules ----------------------------------------------------------------------------

_Rule = Callable[[str, date, int, str], Period | None]


def _range(word: str, today: date, fiscal_start_month: int, shown: str) -> Period | None:
    match = next((m for p in _RANGE_SEPARATORS if (m := p.fullmatch(word))), None)
    if match is None:
        return None
    try:
        start, end = (parse_date(match[i], today=today) for i in (1, 2))
    except DateError as error:
        raise PeriodError(
            _("In the range “{text}”: {error}").format(text=shown, error=error)
        ) from error
    if end < start:
        raise PeriodError(_("The range “{text}” ends before it starts.").format(text=shown))
    days = (end - start).days + 1
    if days > MAX_RANGE_DAYS:
        raise PeriodError(
            _("The range “{text}” is {days} days long; the most is {most} days.").format(
                text=shown, days=days, most=MAX_RANGE_DAYS
            )
        )
    return Period("range", start, end)


def _relative(word: str, today: date, fiscal_start_month: int, shown: str) -> Period | None:
    match = re.fullmatch(
        r"(?:(this|current|next|last|previous|prev)\s+)?(week|month|quarter|qtr)", word
    )
    offsets = _EN_OFFSETS
    if match is None:
        match = re.fullmatch(r"(本|这个?|当|下个?|上个?)\s*(周|星期|礼拜|月|季度?)", word)
        offsets = _ZH_OFFSETS
    if match is None:
        return None
    return _shifted(_UNITS[match[2]], today, offsets[match[1] or ""], fiscal_start_month)


def _month(word: str, today: date, fiscal_start_month: int, shown: str) -> Period | None:
    found = _month_year(word)
    if found is None:
        return None
    month, year = found
    if not 1 <= month <= 12:
        raise PeriodError(
            _("“{text}” has no month {month}. {examples}").format(
                text=shown, month=month, examples=_(_EXAMPLES)
            )
        )
    if year is None:
        ahead = (month - today.month) % 12
        # Look forward first: targets are mostly set for what's coming.
        index = month_index(today) + (ahead if ahead <= 6 else ahead - 12)
    else:
        _check_year(year, shown)
        index = year * 12 + month - 1
    return Period("month", _first_day(index), month_end(index))


def _month_year(word: str) -> tuple[int, int | None] | None:
    """Read (month, year or None) from ``dec``, ``dec 2026``, ``2026-12``, ``2026年12月``…"""
    match = re.fullmatch(rf"({MONTH_WORD})\.?(?:,?\s*(\d{{4}}))?", word)
    if match is not None:
        return MONTHS[match[1]], int(match[2]) if match[2] else None
    match = re.fullmatch(rf"(\d{{4}})\s+({MONTH_WORD})", word)
    if match is not None:
        return MONTHS[match[2]], int(match[1])
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", word) or re.fullmatch(
        r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月份?", word
    )
    if match is not None:
        return int(match[2]), int(match[1]) if match[1] else None
    match = re.fullmatch(r"(\d{1,2})/(\d{4})", word)
    if match is not None:
        return int(match[1]), int(match[2])
    return None


def _quarter(word: str, today: date, fiscal_start_month: int, shown: str) -> Period | None:
    found = _quarter_year(word)
    if found is None:
        return None
    number, year = found
    if not 1 <= number <= 4:
        raise PeriodError(
            _("“{text}”: there are only four quarters, Q1 to Q4. {examples}").format(
                text=shown, examples=_(_EXAMPLES)
            )
        )
    current = period_of("quarter", today, fiscal_start_month=fiscal_start_month)
    if year is None:
        today_number = (current.start.month - fiscal_start_month) % 12 // 3 + 1
        ahead = (number - today_number) % 4
        step = ahead if ahead <= 2 else ahead - 4
        first = month_index(current.start) + 3 * step
    else:
        _check_year(year, shown)
        # The fiscal year is named after the year it ends in, so it starts a year earlier.
        starts_in = year - (1 if fiscal_start_month > 1 else 0)
        first = starts_in * 12 + fiscal_start_month - 1 + 3 * (number - 1)
    return Period("quarter", _first_day(first), month_end(first + 2))


def _quarter_year(word: str) -> tuple[int, int | None] | None:
    """Read (quarter number, year or None) from ``q1``, ``q1 2027``, ``fy2027 q1``…"""
    match = re.fullmatch(r"q(\d)(?:\s*(?:fy)?\s*(\d{4}))?", word)
    if match is not None:
        return int(match[1]), int(match[2]) if match[2] else None
    match = re.fullmatch(r"(?:fy)?\s*(\d{4})\s*-?\s*q(\d)", word)
    if match is not None:
        return int(match[2]), int(match[1])
    match = re.fullmatch(r"(?:(\d{4})\s*(?:财年|年)\s*)?第?\s*([1-4一二三四])\s*季度?", word)
    if match is not None:
        number = _ZH_QUARTERS.get(match[2]) or int(match[2])
        return number, int(match[1]) if match[1] else None
    return None


_RULES: tuple[_Rule, ...] = (_range, _relative, _month, _quarter)
