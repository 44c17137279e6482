"""Close dates typed by people: ``Dec 15``, ``12/15``, ``next friday``, ``eoq``, ``下周五``…

Explicit rules run first, in a fixed order, for forms where dateparser is wrong or
missing; everything else (``tomorrow``, ``in 2 weeks``, ``明天``, ``3天后``…) goes to
dateparser. Rules, as tested:

* Year-less dates (``12/15``, ``Dec 15``, ``12月15日``) fall in the current year, unless
  that is more than 183 days in the past (then next year) or more than 183 days in the
  future (then last year). The caller warns about past dates.
* Numbers with a slash, dot or dash are always month/day (``12/15``, ``12.15``);
  ``15/12`` is refused rather than silently read as day/month. ``12/15/26`` is
  month/day/year. A bare number (``15``) is refused.
* Chinese numerals before a unit are digits (``十二月十五日``, ``二〇二六年``), nowhere
  else, so ``周一`` stays a weekday.
* Weeks run Monday to Sunday. ``friday``/``周五``: the next Friday, today included.
  ``this friday``/``本周五``/``这周五``: Friday of this week (may be past).
  ``next friday``/``下周五``: Friday of next week. ``last friday``/``上周五``: of last week.
  ``下下周五``: of the week after next; ``上上周五``: of the week before last.
* ``eom``/``月底``, ``eoq``/``季度末`` (calendar quarters), ``eoy``/``年底``: the last day;
  so are ``12月底``, ``2027年1月底`` and ``end of dec``.
* A day of the month alone (``15号``, ``15th``): the next one, today included.
  ``下个月15号``, ``本月15号``, ``15th of next month``: that day of that month.
* Relative months and years need a count (``in 2 months``, ``3个月后``); a bare month
  (``Dec``) or ``next month`` is refused because it names no day. A close date
  (``parse_close_date``) takes them as a deadline: the period's last day. ``next month``/
  ``下个月``, ``this quarter``/``本季度``, ``明年``, ``Jan 2027``/``2027年1月``/``2027-01``, and a
  year-less ``Dec``/``12月`` (the nearest one, as for ``Dec 15``).
* Years outside 2000–2100 are refused.

Cost: importing dateparser takes ~0.1 s and its first parse ~0.2 s (it loads language
data once per process); later parses take about a millisecond. A parser object cannot
be shared because its relative base (today) is fixed at construction, but building
one costs well under a millisecond, so one is built per call.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from dateparser.date import DateDataParser

from bot.domain.text import typed_phrase
from bot.i18n import N_, _, current

__all__ = ["DateError", "parse_close_date", "parse_date"]

MIN_YEAR = 2000
MAX_YEAR = 2100
_HALF_YEAR = 183
_EXAMPLES = N_("Try 2026-12-15, Dec 15, 12/15, next friday, in 2 weeks, eom or 12月15日.")

# English month names, shared with periods. Spelled out rather than taken from
# calendar.month_name, which follows the locale.
MONTH_NAMES = (
    *("January", "February", "March", "April", "May", "June", "July", "August"),
    *("September", "October", "November", "December"),
)
# Typed spelling (full, three letters, "sept") -> month number.
MONTHS = {
    spelling: number
    for number, name in enumerate(MONTH_NAMES, start=1)
    for spelling in (name.lower(), name[:3].lower())
}
MONTHS["sept"] = 9
# A regex alternation of the spellings, longest first.
MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))

_WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# Which week a weekday word points at: None = the next one, today included.
_WEEK_OFFSETS: dict[str, int | None] = {
    "": None, "coming": None, "this": 0, "next": 1, "last": -1,
    "本": 0, "这": 0, "这个": 0, "下": 1, "下个": 1, "上": -1, "上个": -1,
    "下下": 2, "下下个": 2, "上上": -2, "上上个": -2,
}  # fmt: skip
# Which month, quarter or year a word points at, counted from the current one.
_PERIOD_OFFSETS = {
    "this": 0, "current": 0, "next": 1, "last": -1,
    "本": 0, "这": 0, "这个": 0, "当": 0, "今": 0,
    "下": 1, "下个": 1, "明": 1, "下下": 2, "下下个": 2, "上": -1, "上个": -1, "去": -1,
}  # fmt: skip
_ZH_PERIOD_WORD = "下下个|下下|下个|上个|这个|下|上|本|这|当|今|明|去"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"

_ZH_DIGITS = dict(zip("一二三四五六七八九", range(1, 10), strict=True)) | {"两": 2}
# A year in Chinese digits, read digit by digit: 二〇二六年, 二零二六年.
_ZH_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
_ZH_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
# Chinese numerals only when a unit follows, so 周一 (Monday) stays a weekday.
_ZH_NUMBER = re.compile(r"([一二两三四五六七八九十]{1,3})(?=[天日号周星个月年])")

_NUMERIC_ONLY = re.compile(r"[\d\s.,/:+\-]+")
# "in 2 months" and "3个月后" count; "2026年12月" (a year and a month) does not.
_COUNTED_PERIOD = re.compile(
    r"(?:\d+|\ba|\ban|\bone|\btwo|\bthree|\bfour|\bfive|\bsix)\s+(?:months?|years?)\b"
    r"|\d+\s*个月|\d+\s*年(?:以?后|之后)"
)

_SETTINGS: dict[str, Any] = {
    "PREFER_DATES_FROM": "future",
    "RETURN_AS_TIMEZONE_AWARE": False,
    # No "timestamp" parser: a stray number must not become a 1970s date.
    "PARSERS": ["relative-time", "absolute-time"],
}
_LANGUAGES = ["en", "zh"]


class DateError(ValueError):
    """A typed date was refused; the message is ready to show in Slack."""


def parse_date(text: str, *, today: date) -> date:
    """Parse a typed date relative to ``today`` (the user's local date)."""
    return _parse(text, today, _RULES)


def parse_close_date(text: str, *, today: date) -> date:
    """Parse a deal's close date: as parse_date, and a month, quarter or year (``next
    month``, ``Jan 2027``, ``2027年1月``, ``明年``) means its last day."""
    return _parse(text, today, _CLOSE_RULES)


def _parse(text: str, today: date, rules: tuple[_Rule, ...]) -> date:
    shown = typed_phrase(
        text,
        DateError,
        empty=N_("Please give a date. {examples}"),
        too_long=N_("“{text}…” is too long to be a date. {examples}"),
        examples=_EXAMPLES,
    )
    word = _normalise(shown)
    for rule in rules:
        found = rule(word, today, shown)
        if found is not None:
            return _in_range(found, shown)
    return _in_range(_with_dateparser(word, today, shown), shown)


def _normalise(text: str) -> str:
    word = unicodedata.normalize("NFKC", text).casefold()
    word = re.sub(r"^(on|by)\s+", "", word)
    # dateparser reads "3 weeks from today" as three weeks ago; "from now" works.
    word = re.sub(r"\bfrom today$", "from now", word)
    word = _ZH_YEAR.sub(lambda m: m[0].translate(_ZH_YEAR_DIGITS), word)
    word = _ZH_NUMBER.sub(_zh_number, word)
    # dateparser knows "2周后" but not "2星期后" / "2个星期后".
    return re.sub(r"(\d+)\s*个?星期", r"\1周", word)


def _zh_number(match: re.Match[str]) -> str:
    """Turn 一 … 九十九 (written before a unit) into digits; leave nonsense alone."""
    numeral = match[0]
    if "十" not in numeral:
        return str(_ZH_DIGITS[numeral]) if len(numeral) == 1 else numeral
    tens, _ten, ones = numeral.partition("十")
    tens_value = _ZH_DIGITS.get(tens, 1 if not tens else -1)
    ones_value = _ZH_DIGITS.get(ones, 0 if not ones else -1)
    return str(tens_value * 10 + ones_value) if min(tens_value, ones_value) >= 0 else numeral


_Rule = Callable[[str, date, str], date | None]


def _full_date(word: str, today: date, shown: str) -> date | None:
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", word) or re.fullmatch(
        r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?", word
    )
    if match is None:
        return None
    return _make_date(int(match[1]), int(match[2]), int(match[3]), shown)


def _us_date(word: str, today: date, shown: str) -> date | None:
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", word)
    if match is None:
        return None
    year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
    return _make_date(year, int(match[1]), int(match[2]), shown)


def _numeric_month_day(word: str, today: date, shown: str) -> date | None:
    match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})", word) or re.fullmatch(
        r"(\d{1,2})月(\d{1,2})[日号]?", word
    )
    if match is None:
        return None
    month, day = int(match[1]), int(match[2])
    if month > 12 >= day:
        swapped = (
            f"{day}月{month}日" if current() == "zh" else f"{MONTH_NAMES[day - 1][:3]} {month}"
        )
        raise DateError(
            _(
                "I read “{text}” as month/day, and there is no month {month}. "
                "Try {swapped} or {day}/{month}."
            ).format(text=shown, month=month, swapped=swapped, day=day)
        )
    return _nearest(month, day, today, shown)


def _named_month_day(word: str, today: date, shown: str) -> date | None:
    day = r"(\d{1,2})(?:st|nd|rd|th)?"
    month = rf"({MONTH_WORD})\.?"
    year = r"(?:,?\s+(\d{4}))?"
    match = re.fullmatch(rf"{month}\s+{day}{year}", word)
    if match is not None:
        month_number, day_number, year_text = MONTHS[match[1]], int(match[2]), match[3]
    else:
        match = re.fullmatch(rf"{day}\s+(?:of\s+)?{month}{year}", word)
        if match is None:
            return None
        month_number, day_number, year_text = MONTHS[match[2]], int(match[1]), match[3]
    if year_text:
        return _make_date(int(year_text), month_number, day_number, shown)
    return _nearest(month_number, day_number, today, shown)


def _period_end(word: str, today: date, shown: str) -> date | None:
    match = re.fullmatch(r"eo([mqy])", word) or re.fullmatch(
        r"end of (?:the |this )?(month|quarter|year)|(month|quarter|year)[ -]end", word
    )
    if match is not None:
        unit = next(g for g in match.groups() if g)[0]
        return _end_of(unit, today, 0)
    match = re.fullmatch(r"end of next (month|quarter|year)", word)
    if match is not None:
        return _end_of(match[1][0], today, 1)
    return _zh_period_end(word, today)


def _zh_period_end(word: str, today: date) -> date | None:
    match = re.fullmatch(r"(本|这个?|今|下个?|明)?(月|季度?|年)[底末]", word)
    if match is None:
        return None
    offset = 1 if (match[1] or "")[:1] in ("下", "明") else 0
    unit = {"月": "m", "季": "q", "季度": "q", "年": "y"}[match[2]]
    return _end_of(unit, today, offset)


def _named_month_end(word: str, today: date, shown: str) -> date | None:
    """The last day of a named month: 12月底, 2027年1月底, end of dec, end of january 2027."""
    match = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月[底末]", word)
    if match is not None:
        year, month = match[1], int(match[2])
    else:
        match = re.fullmatch(rf"end of ({MONTH_WORD})\.?(?:,?\s+(\d{{4}}))?", word)
        if match is None:
            return None
        year, month = match[2], MONTHS[match[1]]
    return _month_end_of(int(year) if year else None, month, today, shown)


def _day_of_month(word: str, today: date, shown: str) -> date | None:
    """A day in a given month (下个月15号, 15th of next month) or the next such day (15号)."""
    match = re.fullmatch(rf"({_ZH_PERIOD_WORD})个?月(\d{{1,2}})[日号]?", word)
    if match is None:
        match = re.fullmatch(rf"(?:the\s+)?{_ORDINAL}\s+(?:of\s+)?(this|next)\s+month", word)
        if match is not None:
            return _in_month(today, _PERIOD_OFFSETS[match[2]], int(match[1]), shown)
        match = re.fullmatch(rf"(this|next)\s+month\s+(?:on\s+)?(?:the\s+)?{_ORDINAL}", word)
    if match is not None:
        return _in_month(today, _PERIOD_OFFSETS[match[1]], int(match[2]), shown)
    match = re.fullmatch(r"(\d{1,2})[日号]", word) or re.fullmatch(
        r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)", word
    )
    if match is None:
        return None
    return _next_day_numbered(int(match[1]), today, shown)


def _in_month(today: date, offset: int, day: int, shown: str) -> date:
    year, month = divmod(month_index(today) + offset, 12)
    return _make_date(year, month + 1, day, shown)


def _next_day_numbered(day: int, today: date, shown: str) -> date:
    if not 1 <= day <= 31:
        raise DateError(_("“{text}”: no month has a day {day}.").format(text=shown, day=day))
    index = month_index(today)
    # Today counts; a month without that day (the 31st in November) is skipped.
    while True:
        year, month = divmod(index, 12)
        if day <= calendar.monthrange(year, month + 1)[1]:
            found = date(year, month + 1, day)
            if found >= today:
                return found
        index += 1


def _period_as_deadline(word: str, today: date, shown: str) -> date | None:
    """A month, quarter or year named as a whole, for a close date: its last day."""
    match = re.fullmatch(r"(this|current|next|last)\s+(month|quarter|year)", word)
    if match is None:
        match = re.fullmatch(rf"({_ZH_PERIOD_WORD})(?:个)?(月|季度|季|年)", word)
    if match is None:
        return None
    unit = {"month": "m", "quarter": "q", "year": "y", "月": "m", "季": "q", "季度": "q"}.get(
        match[2], "y"
    )
    return _end_of(unit, today, _PERIOD_OFFSETS[match[1]])


def _month_as_deadline(word: str, today: date, shown: str) -> date | None:
    """A month named alone, for a close date: Jan 2027, 2027年1月, 2027-01, Dec, 12月."""
    month_name = rf"({MONTH_WORD})\.?"
    match = re.fullmatch(rf"{month_name}(?:,?\s+(\d{{4}}))?", word)
    if match is not None:
        year, month = match[2], MONTHS[match[1]]
    else:
        match = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(?:份)?", word) or re.fullmatch(
            r"(\d{4})[-/.](\d{1,2})", word
        )
        if match is None:
            return None
        year, month = match[1], int(match[2])
    return _month_end_of(int(year) if year else None, month, today, shown)


def _month_end_of(year: int | None, month: int, today: date, shown: str) -> date:
    """The last day of a month; without a year, of the nearest such month."""
    _check_month_day(month, 1, shown)
    if year is None:
        for candidate in (today.year, today.year + 1, today.year - 1):
            found = month_end(candidate * 12 + month - 1)
            if abs((found - today).days) <= _HALF_YEAR:
                return found
        raise AssertionError("one of three consecutive years is within half a year")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _out_of_range(shown)
    return month_end(year * 12 + month - 1)


def _weekday(word: str, today: date, shown: str) -> date | None:
    names = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    match = re.fullmatch(rf"(?:(this|next|last|coming)\s+)?({names})", word)
    if match is not None:
        return _on_weekday(today, _WEEKDAYS[match[2]], _WEEK_OFFSETS[match[1] or ""])
    match = re.fullmatch(
        r"(本|这个?|下下个?|下个?|上上个?|上个?)?(?:周|星期|礼拜)([一二三四五六日天])", word
    )
    if match is not None:
        return _on_weekday(today, _ZH_WEEKDAYS[match[2]], _WEEK_OFFSETS[match[1] or ""])
    return None


def _refuse_bare_numbers(word: str, today: date, shown: str) -> date | None:
    # Whatever is left that is only digits and punctuation is ambiguous or a typo;
    # dateparser would turn "12.15" into a time and "15" into a past day.
    if _NUMERIC_ONLY.fullmatch(word):
        raise DateError(
            _("I can't tell which date “{text}” is. {examples}").format(
                text=shown, examples=_(_EXAMPLES)
            )
        )
    return None


_RULES: tuple[_Rule, ...] = (
    _full_date,
    _us_date,
    _numeric_month_day,
    _named_month_day,
    _period_end,
    _named_month_end,
    _day_of_month,
    _weekday,
    _refuse_bare_numbers,
)
# Before the bare-number refusal: 2027-01 is a month here.
_CLOSE_RULES: tuple[_Rule, ...] = (_period_as_deadline, _month_as_deadline, *_RULES)


def _with_dateparser(word: str, today: date, shown: str) -> date:
    settings = {**_SETTINGS, "RELATIVE_BASE": datetime.combine(today, time())}
    data = DateDataParser(languages=_LANGUAGES, settings=settings).get_date_data(word)
    if data.date_obj is None:
        raise DateError(
            _("“{text}” isn't a date I understand. {examples}").format(
                text=shown, examples=_(_EXAMPLES)
            )
        )
    if data.period in ("month", "year") and not _COUNTED_PERIOD.search(word):
        raise DateError(
            _("“{text}” doesn't name a day. Try eom, Dec 15 or in 2 months.").format(text=shown)
        )
    return data.date_obj.date()


def _make_date(year: int, month: int, day: int, shown: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _out_of_range(shown)
    _check_month_day(month, day, shown)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateError(
            _("“{text}”: {month} has no day {day}.").format(
                text=shown, month=_month_name(month, year), day=day
            )
        )
    return date(year, month, day)


def _nearest(month: int, day: int, today: date, shown: str) -> date:
    """Place a year-less date within about six months either side of today."""
    _check_month_day(month, day, shown)
    # This year first; next year before last year when both fit (only at the edges).
    for year in (today.year, today.year + 1, today.year - 1):
        if day <= calendar.monthrange(year, month)[1]:
            found = date(year, month, day)
            if abs((found - today).days) <= _HALF_YEAR:
                return found
    # Only February 29 gets here: no leap year is close enough.
    raise DateError(
        _("“{text}”: there is no February 29 near today. Please add the year.").format(text=shown)
    )


def _check_month_day(month: int, day: int, shown: str) -> None:
    if not 1 <= month <= 12:
        raise DateError(
            _("“{text}” has no month {month}. {examples}").format(
                text=shown, month=month, examples=_(_EXAMPLES)
            )
        )
    # 2000 is a leap year, so February 29 passes here and is checked per year later.
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise DateError(
            _("“{text}”: {month} has no day {day}.").format(
                text=shown, month=_month_name(month), day=day
            )
        )


def _month_name(month: int, year: int | None = None) -> str:
    """`February 2026` or `2026年2月`, for messages."""
    if current() == "zh":
        return f"{year}年{month}月" if year else f"{month}月"
    name = MONTH_NAMES[month - 1]
    return f"{name} {year}" if year else name


def month_index(day: date) -> int:
    """Months counted from year 0, so month arithmetic is plain integer arithmetic."""
    return day.year * 12 + day.month - 1


def month_end(index: int) -> date:
    """The last day of the month with that month_index."""
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def _end_of(unit: str, today: date, offset: int) -> date:
    months = {"m": 1, "q": 3, "y": 12}[unit]
    # Index of the period (month, quarter or year) counted from year 0.
    period = month_index(today) // months + offset
    return month_end((period + 1) * months - 1)


def _on_weekday(today: date, weekday: int, week_offset: int | None) -> date:
    if week_offset is None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=week_offset, days=weekday)


def _in_range(found: date, shown: str) -> date:
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise _out_of_range(shown)
    return found


def _out_of_range(shown: str) -> DateError:
    return DateError(
        _("“{text}” is too far off. Dates must be in {first}–{last}.").format(
            text=shown, first=MIN_YEAR, last=MAX_YEAR
        )
    )
