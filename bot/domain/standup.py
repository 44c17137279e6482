"""When stand-ups happen: schedules, due times across time zones, streaks, days and clocks.

Rules worth knowing (all tested):

* A Schedule's ``at`` is a naive local wall time; each team or member applies its own
  ZoneInfo. Weekdays are numbered Monday = 0 … Sunday = 6.
* ``due_at`` turns a local date and time into an aware UTC instant. A time skipped by a
  spring-forward jump becomes the first instant after the gap (02:30 on a New York
  spring-forward day is 03:00 EDT); a time that happens twice on a fall-back day is
  its first occurrence (fold=0).
* A stand-up is due from its start until ``CATCH_UP`` later, both ends included, so a
  scheduler that was down briefly still sends it. ``due_now`` also looks at the local
  day before, so a 23:30 stand-up is caught up at 00:30. Once the window has passed,
  ``missed_by_clock`` reports it for up to 26 hours after its start; it cannot know
  whether the stand-up ran, so the caller checks its own records and logs once.
* Reminder and close times are measured in elapsed minutes from the start.
* Streaks count scheduled days: working days that are not holidays or away days. Other
  days neither break nor extend a run, even if someone checked in on them. A run ends
  today, or at the last scheduled day before today while today has no check-in yet.
  Only the 366 days ending today are looked at, so a run is at most 366 long.
* ``parse_days`` takes names and ranges (``mon-fri``, ``sun-thu`` wraps), lists
  (``mon,wed,fri``), ``weekdays``, ``weekends``, ``every day``/``daily`` and Chinese
  (``周一至周五``, ``周一、三、五``, ``工作日``, ``每天``). Numbers are refused: 1 is Monday
  to some people and Sunday to others.
* ``parse_clock`` takes ``09:30``, ``9:30``, ``9.30``, ``0930``/``930`` (24-hour),
  ``9am``, ``9:30 pm``, ``noon``, ``上午9点``, ``下午3点半``. A bare ``9`` is refused: it
  could be 9am or 9pm.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.text import typed_phrase
from bot.i18n import N_, _, current

__all__ = [
    "CATCH_UP",
    "DEFAULT_DAYS",
    "DEFAULT_QUESTIONS",
    "DEFAULT_TIME",
    "MAX_MINUTES",
    "Due",
    "Schedule",
    "StandupError",
    "close_at",
    "due_at",
    "due_now",
    "format_days",
    "is_working_day",
    "missed_by_clock",
    "parse_clock",
    "parse_days",
    "question_text",
    "reminder_at",
    "streak",
    "streak_start",
]

# Stored in English with a team's settings; shown translated (question_text).
DEFAULT_QUESTIONS = (
    N_("What did you move forward since the last check-in?"),
    N_("What will you advance or close today?"),
    N_("Anything blocking you?"),
)
DEFAULT_TIME = time(9, 30)
DEFAULT_DAYS = frozenset({0, 1, 2, 3, 4})
CATCH_UP = timedelta(hours=2)
MAX_MINUTES = 720

# Long enough that yesterday's stand-up is still reported when the clock comes back
# the next morning, short enough that each stand-up is reported for about one day.
_MISSED_WINDOW = timedelta(hours=26)
# Today plus 365 days back: a run never needs more than a year of check-ins.
_STREAK_WINDOW_DAYS = 366
_DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Chinese day names read back by parse_days, so the settings form round-trips.
_ZH_DAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_NO_DAYS = N_("Please give the days. {examples}")
_DAYS_EXAMPLES = N_("Try mon-fri, mon,wed,fri, sun-thu, weekdays, every day or 周一至周五.")
_CLOCK_EXAMPLES = N_("Try 09:30, 9:30am, 2pm, 21:00 or 上午9点半.")


class StandupError(ValueError):
    """A stand-up setting was refused; the message is ready to show in Slack."""


@dataclass(frozen=True)
class Schedule:
    """When a team stands up: local time, weekdays, and minutes to the reminder and close."""

    at: time
    days: frozenset[int]
    reminder_minutes: int
    close_minutes: int

    def __post_init__(self) -> None:
        """Refuse a schedule that could never run sensibly."""
        if self.at.tzinfo is not None:
            raise StandupError(_("The stand-up time must be a local wall time, without a zone."))
        if not self.days or not self.days <= frozenset(range(7)):
            raise StandupError(_("Pick at least one day of the week for the stand-up."))
        limits = (
            (N_("The reminder must come 1 to {most} minutes after the start, not {minutes}."),
             self.reminder_minutes),
            (N_("The close must come 1 to {most} minutes after the start, not {minutes}."),
             self.close_minutes),
        )  # fmt: skip
        for message, minutes in limits:
            if not 1 <= minutes <= MAX_MINUTES:
                raise StandupError(_(message).format(most=MAX_MINUTES, minutes=minutes))
        if self.reminder_minutes >= self.close_minutes:
            raise StandupError(
                _("The reminder ({reminder} min) must come before the close ({close} min).").format(
                    reminder=self.reminder_minutes, close=self.close_minutes
                )
            )


@dataclass(frozen=True)
class Due:
    """A stand-up on a local date and the UTC instant it starts."""

    local_date: date
    due: datetime


def is_working_day(day: date, days: frozenset[int], holidays: frozenset[date]) -> bool:
    """Tell whether the team stands up on this local date."""
    return day.weekday() in days and day not in holidays


def due_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of local ``at`` on ``day``; see the module notes for DST gaps."""
    # fold=0 picks the first of two fall-back occurrences, whatever fold ``at`` carries.
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # The wall time was skipped: fold=1 lands before the gap and fold=0 after it.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _gap_end(before, first, wall, zone)


def due_now(
    now: datetime, schedule: Schedule, zone: ZoneInfo, holidays: frozenset[date]
) -> Due | None:
    """The stand-up that started at most CATCH_UP before ``now``, if any."""
    for due in _recent(now, schedule, zone, holidays, days_back=1):
        if due.due <= now <= due.due + CATCH_UP:
            return due
    return None


def missed_by_clock(
    now: datetime, schedule: Schedule, zone: ZoneInfo, holidays: frozenset[date]
) -> Due | None:
    """The latest stand-up of the last 26 hours whose catch-up window has passed."""
    for due in _recent(now, schedule, zone, holidays, days_back=2):
        if CATCH_UP < now - due.due <= _MISSED_WINDOW:
            return due
    return None


def reminder_at(due: datetime, schedule: Schedule) -> datetime:
    """When to nudge members who have not checked in."""
    return _aware(due) + timedelta(minutes=schedule.reminder_minutes)


def close_at(due: datetime, schedule: Schedule) -> datetime:
    """When the stand-up closes and the summary is final."""
    return _aware(due) + timedelta(minutes=schedule.close_minutes)


def streak(
    checked_in: Collection[date],
    *,
    today: date,
    days: frozenset[int],
    holidays: frozenset[date],
    away: Collection[date] = (),
) -> int:
    """Consecutive scheduled days checked in, ending today or the scheduled day before."""
    return len(_current_run(checked_in, today, days, holidays, away))


def streak_start(
    checked_in: Collection[date],
    *,
    today: date,
    days: frozenset[int],
    holidays: frozenset[date],
    away: Collection[date] = (),
) -> date | None:
    """The first day of the current run, or None when there is no run."""
    run = _current_run(checked_in, today, days, holidays, away)
    return run[-1] if run else None


def blocker_digest(text: str) -> str:
    """The key of a blocker: case, character width and spacing folded, so the same blocker
    typed again ("Waiting on legal", "waiting  on LEGAL") is the same blocker."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def parse_days(text: str) -> frozenset[int]:
    """Parse typed weekdays such as ``mon-fri``, ``mon,wed,fri`` or ``周一至周五``."""
    shown = typed_phrase(
        text,
        StandupError,
        empty=_NO_DAYS,
        too_long=N_("“{text}…” is too long to be days. {examples}"),
        examples=_DAYS_EXAMPLES,
    )
    found: set[int] = set()
    for piece in _day_pieces(unicodedata.normalize("NFKC", shown).casefold()):
        found |= _day_piece(piece)
    if not found:
        raise StandupError(_(_NO_DAYS).format(examples=_(_DAYS_EXAMPLES)))
    return frozenset(found)


def parse_clock(text: str) -> time:
    """Parse a typed time of day such as ``09:30``, ``9:30pm`` or ``上午9点半``."""
    shown = typed_phrase(
        text,
        StandupError,
        empty=N_("Please give a time. {examples}"),
        too_long=N_("“{text}…” is too long to be a time. {examples}"),
        examples=_CLOCK_EXAMPLES,
    )
    word = unicodedata.normalize("NFKC", shown).casefold()
    for rule in _CLOCK_RULES:
        found = rule(word, shown)
        if found is not None:
            return found
    raise StandupError(
        _("I don't understand the time “{text}”. {examples}").format(
            text=shown, examples=_(_CLOCK_EXAMPLES)
        )
    )


def format_days(days: frozenset[int]) -> str:
    """Name the days for people: ``Mon–Fri``, ``Mon, Wed, Fri``, ``Sun–Thu``, ``every day``
    (in Chinese ``周一至周五``, ``周一、周三、周五``); parse_days reads it back."""
    if days >= frozenset(range(7)):
        return _("every day")
    if not days:
        return _("no days")
    separator = "、" if current() == "zh" else ", "
    return separator.join(_run_label(start, length) for start, length in _day_runs(days))


def question_text(question: str) -> str:
    """A stand-up question in the current language: Salesbot's default questions are
    translated, a team's own are shown as written."""
    return _(question) if question in DEFAULT_QUESTIONS else question


# --- due times ------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Expected an aware datetime, got {moment!r}")
    return moment


def _gap_end(before: datetime, after: datetime, wall: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant whose local wall time is at or past ``wall``."""
    low, high = 0, int((after - before).total_seconds())
    # tzdata transitions fall on whole seconds, so a search over seconds is exact.
    while low < high:
        middle = (low + high) // 2
        moment = before + timedelta(seconds=middle)
        if moment.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle + 1
    return before + timedelta(seconds=low)


def _recent(
    now: datetime,
    schedule: Schedule,
    zone: ZoneInfo,
    holidays: frozenset[date],
    *,
    days_back: int,
) -> Iterator[Due]:
    """Stand-ups on the local date of ``now`` and ``days_back`` days before, latest first."""
    today = _aware(now).astimezone(zone).date()
    for back in range(days_back + 1):
        day = today - timedelta(days=back)
        if is_working_day(day, schedule.days, holidays):
            yield Due(day, due_at(day, schedule.at, zone))


# --- streaks --------------------------------------------------------------------------


def _current_run(
    checked_in: Collection[date],
    today: date,
    days: frozenset[int],
    holidays: frozenset[date],
    away: Collection[date],
) -> list[date]:
    """The checked-in scheduled days of the current run, latest first."""
    done, skipped = set(checked_in), set(away)
    earliest = today - timedelta(days=_STREAK_WINDOW_DAYS - 1)
    # Today not checked in yet does not break the run: it may still happen.
    day = today if today in done else today - timedelta(days=1)
    run: list[date] = []
    while day >= earliest:
        if is_working_day(day, days, holidays) and day not in skipped:
            if day not in done:
                break
            run.append(day)
        day -= timedelta(days=1)
    return run


# --- days -----------------------------------------------------------------------------

_EN_DAYS = (
    ("monday", "mon", "mo"),
    ("tuesday", "tue", "tues", "tu"),
    ("wednesday", "wed", "weds", "we"),
    ("thursday", "thu", "thur", "thurs", "th"),
    ("friday", "fri", "fr"),
    ("saturday", "sat", "sa"),
    ("sunday", "sun", "su"),
)
_ZH_NUMERALS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_NAMES: dict[str, int] = {
    **{name: number for number, names in enumerate(_EN_DAYS) for name in names},
    **{names[0] + "s": number for number, names in enumerate(_EN_DAYS)},
    **{
        prefix + numeral: number
        for numeral, number in _ZH_NUMERALS.items()
        for prefix in ("", "周", "星期", "礼拜")
    },
}
_WEEKDAYS = frozenset(range(5))
_GROUPS: dict[str, frozenset[int]] = {
    **dict.fromkeys(("weekdays", "weekday", "workdays", "workday", "工作日"), _WEEKDAYS),
    **dict.fromkeys(("weekends", "weekend", "周末"), frozenset({5, 6})),
    **dict.fromkeys(
        ("everyday", "daily", "all", "每天", "每日", "天天", "全周"), frozenset(range(7))
    ),
}
_RANGE_MARKS = (
    re.compile(r"\s*(?:[-–—~]|至|到)\s*"),
    re.compile(r"\s+(?:to|through|thru|till|until)\s+"),
)
# A Chinese day name may follow another with no separator: 周一周三.
_ZH_DAY_START = re.compile(r"(?<=[^\s,\-])(?=周|星期|礼拜)")
_DAY_SEPARATORS = re.compile(r"[,、;/&+\s]+|\band\b|和|及")


def _day_pieces(word: str) -> list[str]:
    word = re.sub(r"\bevery\s+day\b", "everyday", word)
    for mark in _RANGE_MARKS:
        word = mark.sub("-", word)
    word = _ZH_DAY_START.sub(",", word)
    return [piece for piece in _DAY_SEPARATORS.split(word) if piece]


def _day_piece(piece: str) -> frozenset[int]:
    if piece in _GROUPS:
        return _GROUPS[piece]
    if piece in _DAY_NAMES:
        return frozenset({_DAY_NAMES[piece]})
    ends = piece.split("-")
    if len(ends) == 2 and all(end in _DAY_NAMES for end in ends):
        first, last = (_DAY_NAMES[end] for end in ends)
        # Ranges may wrap past Sunday: sun-thu is Sunday to Thursday.
        return frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
    if any(ch.isdigit() for ch in piece):
        raise StandupError(
            _(
                "Write days as names, not numbers (“{text}”): is 1 Monday or Sunday? {examples}"
            ).format(text=piece, examples=_(_DAYS_EXAMPLES))
        )
    raise StandupError(
        _("I don't know the day “{text}”. {examples}").format(
            text=piece, examples=_(_DAYS_EXAMPLES)
        )
    )


def _day_runs(days: frozenset[int]) -> list[tuple[int, int]]:
    """Runs of consecutive days as (start, length), a run over Sunday–Monday first."""
    starts = [d for d in range(7) if d in days and (d - 1) % 7 not in days]
    runs = []
    for start in starts:
        length = 1
        while (start + length) % 7 in days:
            length += 1
        runs.append((start, length))
    # A run that wraps past Sunday reads best first: Sun–Tue, Thu.
    return sorted(runs, key=lambda run: run[0] - 7 if run[0] + run[1] > 7 else run[0])


def _run_label(start: int, length: int) -> str:
    zh = current() == "zh"
    labels = _ZH_DAY_LABELS if zh else _DAY_LABELS
    if length >= 3:
        return f"{labels[start]}{'至' if zh else '–'}{labels[(start + length - 1) % 7]}"
    return ("、" if zh else ", ").join(labels[(start + i) % 7] for i in range(length))


# --- clock ----------------------------------------------------------------------------

_ClockRule = Callable[[str, str], time | None]
_AM_PM = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*([ap])\.?\s*m\.?")
_TWENTY_FOUR = re.compile(r"([0-9]{1,2})[:.h]([0-9]{2})|([0-9]{1,2})([0-9]{2})")
_ZH_CLOCK = re.compile(
    r"(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|今晚)?\s*([0-9]{1,2})\s*"
    r"(?:[:.]\s*([0-9]{2})|[点點](?:钟|鐘)?\s*(?:(半)|([0-9]{1,2})\s*分?)?)"
)
_ZH_AFTERNOON = frozenset({"下午", "傍晚", "晚上", "今晚"})
_NAMED_TIMES = {"noon": time(12), "midday": time(12), "中午": time(12), "midnight": time(0)}


def _named_clock(word: str, shown: str) -> time | None:
    return _NAMED_TIMES.get(word)


def _am_pm_clock(word: str, shown: str) -> time | None:
    match = _AM_PM.fullmatch(word)
    if match is None:
        return None
    hour = int(match[1])
    if not 1 <= hour <= 12:
        raise StandupError(
            _("“{text}”: with am or pm the hour goes from 1 to 12.").format(text=shown)
        )
    # 12am is midnight and 12pm is noon.
    hour = hour % 12 + (12 if match[3] == "p" else 0)
    return _make_time(hour, int(match[2] or 0), shown)


def _twenty_four_clock(word: str, shown: str) -> time | None:
    match = _TWENTY_FOUR.fullmatch(word)
    if match is None:
        return None
    hour, minute = (match[1], match[2]) if match[1] else (match[3], match[4])
    return _make_time(int(hour), int(minute), shown)


def _zh_clock(word: str, shown: str) -> time | None:
    match = _ZH_CLOCK.fullmatch(word)
    if match is None:
        return None
    part, hour = match[1], int(match[2])
    minute = 30 if match[4] else int(match[3] or match[5] or 0)
    if (part in _ZH_AFTERNOON and hour < 12) or (part == "中午" and hour < 11):
        hour += 12
    elif part in ("凌晨", "晚上") and hour == 12:
        hour = 0
    return _make_time(hour, minute, shown)


def _bare_number(word: str, shown: str) -> time | None:
    if re.fullmatch(r"[0-9]{1,2}", word):
        raise StandupError(
            _("“{text}” needs minutes or am/pm, e.g. 9:00, 9am or 21:00.").format(text=shown)
        )
    return None


def _make_time(hour: int, minute: int, shown: str) -> time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise StandupError(
            _("“{text}” isn't a time of day: hours go 0–23 and minutes 0–59.").format(text=shown)
        )
    return time(hour, minute)


_CLOCK_RULES: tuple[_ClockRule, ...] = (
    _named_clock,
    _am_pm_clock,
    _twenty_four_clock,
    _zh_clock,
    _bare_number,
)
