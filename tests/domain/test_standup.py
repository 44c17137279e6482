import contextlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.standup import (
    CATCH_UP,
    DEFAULT_DAYS,
    DEFAULT_QUESTIONS,
    DEFAULT_TIME,
    Due,
    Schedule,
    StandupError,
    close_at,
    due_at,
    due_now,
    format_days,
    is_working_day,
    missed_by_clock,
    parse_clock,
    parse_days,
    reminder_at,
    streak,
    streak_start,
)
from bot.i18n import use_language

D = date
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NO_HOLIDAYS: frozenset[date] = frozenset()
WEEKDAYS = DEFAULT_DAYS
EVERY_DAY = frozenset(range(7))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def schedule(at: time = DEFAULT_TIME, days: frozenset[int] = WEEKDAYS) -> Schedule:
    return Schedule(at=at, days=days, reminder_minutes=60, close_minutes=180)


def test_defaults() -> None:
    assert DEFAULT_QUESTIONS == (
        "What did you move forward since the last check-in?",
        "What will you advance or close today?",
        "Anything blocking you?",
    )
    assert (
        time(9, 30),
        frozenset({0, 1, 2, 3, 4}),
        timedelta(hours=2),
    ) == (DEFAULT_TIME, DEFAULT_DAYS, CATCH_UP)


# --- Schedule -------------------------------------------------------------------------


def test_schedule_accepts_a_sensible_schedule() -> None:
    made = Schedule(at=time(9, 30), days=frozenset({0, 6}), reminder_minutes=1, close_minutes=720)
    assert made.days == frozenset({0, 6})


@pytest.mark.parametrize(
    ("at", "days", "reminder", "close", "message"),
    [
        (time(9), frozenset(), 60, 180, "at least one day"),
        (time(9), frozenset({7}), 60, 180, "at least one day"),
        (time(9), frozenset({-1, 0}), 60, 180, "at least one day"),
        (time(9), WEEKDAYS, 0, 180, "reminder must come 1 to 720"),
        (time(9), WEEKDAYS, 60, 721, "close must come 1 to 720"),
        (time(9), WEEKDAYS, 60, 60, "before the close"),
        (time(9), WEEKDAYS, 120, 60, "before the close"),
        (time(9, tzinfo=UTC), WEEKDAYS, 60, 180, "local wall time"),
    ],
)
def test_schedule_refusals(
    at: time, days: frozenset[int], reminder: int, close: int, message: str
) -> None:
    with pytest.raises(StandupError, match=message):
        Schedule(at=at, days=days, reminder_minutes=reminder, close_minutes=close)


def test_standup_error_is_a_value_error() -> None:
    assert issubclass(StandupError, ValueError)


# --- is_working_day -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "days", "holidays", "expected"),
    [
        (D(2026, 12, 14), WEEKDAYS, NO_HOLIDAYS, True),  # Monday
        (D(2026, 12, 19), WEEKDAYS, NO_HOLIDAYS, False),  # Saturday
        (D(2026, 12, 25), WEEKDAYS, frozenset({D(2026, 12, 25)}), False),  # holiday
        (D(2026, 12, 20), frozenset({6, 0, 1, 2, 3}), NO_HOLIDAYS, True),  # Sunday, sun-thu
        (D(2026, 12, 18), frozenset({6, 0, 1, 2, 3}), NO_HOLIDAYS, False),  # Friday, sun-thu
    ],
)
def test_is_working_day(
    day: date, days: frozenset[int], holidays: frozenset[date], expected: bool
) -> None:
    assert is_working_day(day, days, holidays) is expected


# --- due_at ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected"),
    [
        # New York: spring forward on Sunday 8 March 2026, fall back on Sunday 1 November.
        (D(2026, 3, 6), time(9, 30), NEW_YORK, utc(2026, 3, 6, 14, 30)),  # Friday, EST
        (D(2026, 3, 9), time(9, 30), NEW_YORK, utc(2026, 3, 9, 13, 30)),  # Monday, EDT
        (D(2026, 10, 30), time(9, 30), NEW_YORK, utc(2026, 10, 30, 13, 30)),  # Friday, EDT
        (D(2026, 11, 2), time(9, 30), NEW_YORK, utc(2026, 11, 2, 14, 30)),  # Monday, EST
        # London: spring forward on 29 March 2026, fall back on 25 October.
        (D(2026, 3, 27), time(9, 30), LONDON, utc(2026, 3, 27, 9, 30)),  # GMT
        (D(2026, 3, 30), time(9, 30), LONDON, utc(2026, 3, 30, 8, 30)),  # BST
        (D(2026, 10, 23), time(9, 30), LONDON, utc(2026, 10, 23, 8, 30)),  # BST
        (D(2026, 10, 26), time(9, 30), LONDON, utc(2026, 10, 26, 9, 30)),  # GMT
        (D(2026, 7, 1), time(9, 30), SHANGHAI, utc(2026, 7, 1, 1, 30)),
        (D(2026, 7, 1), time(0, 0), SHANGHAI, utc(2026, 6, 30, 16, 0)),
        # Skipped by spring forward: the first instant after the gap (03:00 EDT).
        (D(2026, 3, 8), time(2, 30), NEW_YORK, utc(2026, 3, 8, 7, 0)),
        (D(2026, 3, 8), time(2, 0), NEW_YORK, utc(2026, 3, 8, 7, 0)),
        (D(2026, 3, 8), time(2, 59), NEW_YORK, utc(2026, 3, 8, 7, 0)),
        (D(2026, 3, 8), time(1, 59), NEW_YORK, utc(2026, 3, 8, 6, 59)),
        (D(2026, 3, 8), time(3, 0), NEW_YORK, utc(2026, 3, 8, 7, 0)),
        (D(2026, 3, 29), time(1, 30), LONDON, utc(2026, 3, 29, 1, 0)),  # 02:00 BST
        # Happens twice on fall back: the first time (still daylight time).
        (D(2026, 11, 1), time(1, 30), NEW_YORK, utc(2026, 11, 1, 5, 30)),
        (D(2026, 10, 25), time(1, 30), LONDON, utc(2026, 10, 25, 0, 30)),
        (D(2026, 11, 1), time(1, 30, fold=1), NEW_YORK, utc(2026, 11, 1, 5, 30)),
        # Samoa skipped all of 30 December 2011: the day's stand-up is at the next midnight.
        (D(2011, 12, 30), time(9, 30), ZoneInfo("Pacific/Apia"), utc(2011, 12, 30, 10, 0)),
    ],
)
def test_due_at(day: date, at: time, zone: ZoneInfo, expected: datetime) -> None:
    found = due_at(day, at, zone)
    assert found == expected
    assert found.tzinfo is UTC


_ZONES = st.sampled_from(
    [NEW_YORK, LONDON, SHANGHAI, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("America/Santiago")]
)


@settings(max_examples=300, deadline=None)
# Stand-up times are whole minutes (settings store HH:MM), which is what due_at is given.
@given(
    st.dates(D(2000, 1, 1), D(2040, 12, 31)),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    _ZONES,
)
def test_due_at_is_the_wall_time_or_just_after_the_gap(day: date, at: time, zone: ZoneInfo) -> None:
    found = due_at(day, at, zone)
    wall = datetime.combine(day, at)
    local = found.astimezone(zone).replace(tzinfo=None)
    if local != wall:
        # Only a skipped wall time may move, and only to the first instant after it.
        assert local > wall
        before = (found - timedelta(microseconds=1)).astimezone(zone).replace(tzinfo=None)
        assert before < wall


# --- due_now / missed_by_clock --------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 9 March 2026, the first weekday after spring forward: 09:30 EDT = 13:30 UTC.
        (utc(2026, 3, 9, 13, 29, 59), None),
        (utc(2026, 3, 9, 13, 30), Due(D(2026, 3, 9), utc(2026, 3, 9, 13, 30))),
        (utc(2026, 3, 9, 15, 29), Due(D(2026, 3, 9), utc(2026, 3, 9, 13, 30))),
        (utc(2026, 3, 9, 15, 30), Due(D(2026, 3, 9), utc(2026, 3, 9, 13, 30))),
        (utc(2026, 3, 9, 15, 31), None),
        # The Friday before, still on standard time: 14:30 UTC.
        (utc(2026, 3, 6, 13, 30), None),
        (utc(2026, 3, 6, 14, 30), Due(D(2026, 3, 6), utc(2026, 3, 6, 14, 30))),
        # Monday 2 November 2026, the first weekday after fall back: 14:30 UTC again.
        (utc(2026, 11, 2, 13, 30), None),
        (utc(2026, 11, 2, 14, 30), Due(D(2026, 11, 2), utc(2026, 11, 2, 14, 30))),
        (utc(2026, 11, 2, 16, 29), Due(D(2026, 11, 2), utc(2026, 11, 2, 14, 30))),
        (utc(2026, 11, 2, 16, 31), None),
        # Saturday and Sunday: nothing.
        (utc(2026, 3, 7, 14, 30), None),
        (utc(2026, 3, 8, 13, 30), None),
        # A now in another zone is the same instant.
        (
            datetime(2026, 3, 9, 21, 45, tzinfo=SHANGHAI),
            Due(D(2026, 3, 9), utc(2026, 3, 9, 13, 30)),
        ),
    ],
)
def test_due_now_new_york(now: datetime, expected: Due | None) -> None:
    assert due_now(now, schedule(), NEW_YORK, NO_HOLIDAYS) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 27, 9, 30), Due(D(2026, 3, 27), utc(2026, 3, 27, 9, 30))),  # GMT
        (utc(2026, 3, 30, 8, 29), None),
        (utc(2026, 3, 30, 8, 30), Due(D(2026, 3, 30), utc(2026, 3, 30, 8, 30))),  # BST
        (utc(2026, 3, 30, 10, 29), Due(D(2026, 3, 30), utc(2026, 3, 30, 8, 30))),
        (utc(2026, 3, 30, 10, 31), None),
        (utc(2026, 10, 26, 8, 30), None),
        (utc(2026, 10, 26, 9, 30), Due(D(2026, 10, 26), utc(2026, 10, 26, 9, 30))),  # GMT
    ],
)
def test_due_now_london(now: datetime, expected: Due | None) -> None:
    assert due_now(now, schedule(), LONDON, NO_HOLIDAYS) == expected


def test_due_now_skips_holidays() -> None:
    holidays = frozenset({D(2026, 3, 9)})
    assert due_now(utc(2026, 3, 9, 13, 30), schedule(), NEW_YORK, holidays) is None
    assert missed_by_clock(utc(2026, 3, 9, 16, 0), schedule(), NEW_YORK, holidays) is None


def test_due_now_catches_up_just_after_local_midnight() -> None:
    late = schedule(at=time(23, 30), days=EVERY_DAY)
    # 23:30 EDT on 10 March is 03:30 UTC on the 11th; 00:30 local is already the 11th.
    expected = Due(D(2026, 3, 10), utc(2026, 3, 11, 3, 30))
    assert due_now(utc(2026, 3, 11, 4, 30), late, NEW_YORK, NO_HOLIDAYS) == expected
    assert due_now(utc(2026, 3, 11, 5, 31), late, NEW_YORK, NO_HOLIDAYS) is None
    assert missed_by_clock(utc(2026, 3, 11, 5, 31), late, NEW_YORK, NO_HOLIDAYS) == expected


def test_due_now_when_the_time_is_skipped_by_spring_forward() -> None:
    early = schedule(at=time(2, 30), days=EVERY_DAY)
    expected = Due(D(2026, 3, 8), utc(2026, 3, 8, 7, 0))
    assert due_now(utc(2026, 3, 8, 6, 59), early, NEW_YORK, NO_HOLIDAYS) is None
    assert due_now(utc(2026, 3, 8, 7, 0), early, NEW_YORK, NO_HOLIDAYS) == expected


def test_due_now_on_the_ambiguous_fall_back_time_is_the_first() -> None:
    early = schedule(at=time(1, 30), days=EVERY_DAY)
    expected = Due(D(2026, 11, 1), utc(2026, 11, 1, 5, 30))
    assert due_now(utc(2026, 11, 1, 5, 30), early, NEW_YORK, NO_HOLIDAYS) == expected
    # The second 01:30 (EST) is an hour later and still the same stand-up.
    assert due_now(utc(2026, 11, 1, 6, 30), early, NEW_YORK, NO_HOLIDAYS) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 9 March: starts 13:30 UTC; due until 15:30 inclusive.
        (utc(2026, 3, 9, 12, 0), None),  # before; Friday's is more than 26 hours ago
        (utc(2026, 3, 9, 14, 0), None),  # due, not missed
        (utc(2026, 3, 9, 15, 30), None),  # the last due moment
        (utc(2026, 3, 9, 15, 31), Due(D(2026, 3, 9), utc(2026, 3, 9, 13, 30))),
        # Tuesday before its own start: Monday's was missed 22.5 hours ago.
        (utc(2026, 3, 10, 12, 0), Due(D(2026, 3, 9), utc(2026, 3, 9, 13, 30))),
        # Tuesday just past its window: Tuesday's is the latest missed.
        (utc(2026, 3, 10, 15, 31), Due(D(2026, 3, 10), utc(2026, 3, 10, 13, 30))),
    ],
)
def test_missed_by_clock(now: datetime, expected: Due | None) -> None:
    assert missed_by_clock(now, schedule(), NEW_YORK, NO_HOLIDAYS) == expected


def test_missed_by_clock_looks_back_26_hours() -> None:
    mondays = schedule(days=frozenset({0}))
    monday = Due(D(2026, 3, 9), utc(2026, 3, 9, 13, 30))
    assert missed_by_clock(utc(2026, 3, 10, 15, 30), mondays, NEW_YORK, NO_HOLIDAYS) == monday
    late = utc(2026, 3, 10, 15, 30, 1)
    assert missed_by_clock(late, mondays, NEW_YORK, NO_HOLIDAYS) is None


def test_missed_by_clock_sees_two_local_days_back() -> None:
    late = schedule(at=time(23, 30), days=frozenset({1}))  # Tuesdays only
    tuesday = Due(D(2026, 3, 10), utc(2026, 3, 11, 3, 30))
    # 00:10 local on Thursday 12 March is 24h40m after the Tuesday stand-up.
    now = datetime(2026, 3, 12, 0, 10, tzinfo=NEW_YORK)
    assert missed_by_clock(now, late, NEW_YORK, NO_HOLIDAYS) == tuesday


def test_due_and_missed_never_both_report_the_same_stand_up() -> None:
    start = utc(2026, 3, 9, 13, 0)
    for minutes in range(0, 26 * 60, 7):
        now = start + timedelta(minutes=minutes)
        due = due_now(now, schedule(), NEW_YORK, NO_HOLIDAYS)
        missed = missed_by_clock(now, schedule(), NEW_YORK, NO_HOLIDAYS)
        assert due is None or missed is None or due.local_date != missed.local_date


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_now(datetime(2026, 3, 9, 13, 30), schedule(), NEW_YORK, NO_HOLIDAYS)
    with pytest.raises(ValueError, match="aware"):
        missed_by_clock(datetime(2026, 3, 9), schedule(), NEW_YORK, NO_HOLIDAYS)


# --- reminder_at / close_at -----------------------------------------------------------


def test_reminder_and_close() -> None:
    start = utc(2026, 3, 9, 13, 30)
    made = Schedule(at=time(9, 30), days=WEEKDAYS, reminder_minutes=45, close_minutes=200)
    assert reminder_at(start, made) == utc(2026, 3, 9, 14, 15)
    assert close_at(start, made) == utc(2026, 3, 9, 16, 50)


def test_reminder_counts_elapsed_time_across_a_dst_change() -> None:
    start = due_at(D(2026, 11, 1), time(0, 30), NEW_YORK)
    made = Schedule(at=time(0, 30), days=EVERY_DAY, reminder_minutes=120, close_minutes=180)
    assert reminder_at(start, made) - start == timedelta(hours=2)
    # 00:30 EDT plus two hours is 01:30 EST: the wall clock only moved one hour.
    assert reminder_at(start, made).astimezone(NEW_YORK).hour == 1


def test_reminder_refuses_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        reminder_at(datetime(2026, 3, 9, 13, 30), schedule())
    with pytest.raises(ValueError, match="aware"):
        close_at(datetime(2026, 3, 9, 13, 30), schedule())


# --- streaks --------------------------------------------------------------------------

# December 2026: Monday 14, Friday 18, Saturday 19, Monday 21, Friday 25, Monday 28.
WEEK_1 = [D(2026, 12, d) for d in range(14, 19)]
WEEK_2 = [D(2026, 12, d) for d in range(21, 26)]
CHRISTMAS = frozenset({D(2026, 12, 25)})


@pytest.mark.parametrize(
    ("checked", "today", "holidays", "away", "count", "start"),
    [
        ([], D(2026, 12, 16), NO_HOLIDAYS, [], 0, None),
        (WEEK_1, D(2026, 12, 18), NO_HOLIDAYS, [], 5, D(2026, 12, 14)),
        # The weekend neither breaks nor extends the run.
        ([*WEEK_1, D(2026, 12, 21)], D(2026, 12, 21), NO_HOLIDAYS, [], 6, D(2026, 12, 14)),
        (WEEK_1, D(2026, 12, 19), NO_HOLIDAYS, [], 5, D(2026, 12, 14)),  # Saturday
        (WEEK_1, D(2026, 12, 20), NO_HOLIDAYS, [], 5, D(2026, 12, 14)),  # Sunday
        ([*WEEK_1, D(2026, 12, 19)], D(2026, 12, 19), NO_HOLIDAYS, [], 5, D(2026, 12, 14)),
        # Today not checked in yet: the run ends at the previous working day.
        (WEEK_1, D(2026, 12, 21), NO_HOLIDAYS, [], 5, D(2026, 12, 14)),
        # Monday missed, so on Tuesday the run is broken.
        (WEEK_1, D(2026, 12, 22), NO_HOLIDAYS, [], 0, None),
        # A gap in the middle: only the days after it count.
        ([D(2026, 12, 14), *WEEK_1[2:]], D(2026, 12, 18), NO_HOLIDAYS, [], 3, D(2026, 12, 16)),
        # Christmas is a holiday: Thursday to Monday is unbroken.
        (
            [*WEEK_2[:4], D(2026, 12, 28)],
            D(2026, 12, 28),
            CHRISTMAS,
            [],
            5,
            D(2026, 12, 21),
        ),
        ([*WEEK_2[:4]], D(2026, 12, 28), NO_HOLIDAYS, [], 0, None),
        # Checking in on a holiday does not extend the run.
        (WEEK_2, D(2026, 12, 25), CHRISTMAS, [], 4, D(2026, 12, 21)),
        # Away days are skipped like holidays.
        (
            [D(2026, 12, 14), D(2026, 12, 15), D(2026, 12, 18)],
            D(2026, 12, 18),
            NO_HOLIDAYS,
            [D(2026, 12, 16), D(2026, 12, 17)],
            3,
            D(2026, 12, 14),
        ),
        # Away today and not checked in: the run stands.
        (WEEK_1, D(2026, 12, 21), NO_HOLIDAYS, [D(2026, 12, 21)], 5, D(2026, 12, 14)),
        # Away across a whole week.
        (
            [*WEEK_1, D(2026, 12, 28)],
            D(2026, 12, 28),
            CHRISTMAS,
            WEEK_2,
            6,
            D(2026, 12, 14),
        ),
    ],
)
def test_streak(
    checked: list[date],
    today: date,
    holidays: frozenset[date],
    away: list[date],
    count: int,
    start: date | None,
) -> None:
    kwargs = {"today": today, "days": WEEKDAYS, "holidays": holidays, "away": away}
    assert streak(checked, **kwargs) == count  # type: ignore[arg-type]
    assert streak_start(checked, **kwargs) == start  # type: ignore[arg-type]


def test_streak_with_a_sunday_to_thursday_week() -> None:
    sun_thu = frozenset({6, 0, 1, 2, 3})
    # Sunday 13 to Thursday 17 December, then Sunday 20.
    checked = [*(D(2026, 12, d) for d in range(13, 18)), D(2026, 12, 20)]
    assert streak(checked, today=D(2026, 12, 20), days=sun_thu, holidays=NO_HOLIDAYS) == 6
    start = streak_start(checked, today=D(2026, 12, 20), days=sun_thu, holidays=NO_HOLIDAYS)
    assert start == D(2026, 12, 13)


def test_streak_without_away_argument_defaults_to_none() -> None:
    assert streak(set(WEEK_1), today=D(2026, 12, 18), days=WEEKDAYS, holidays=NO_HOLIDAYS) == 5


def test_streak_looks_back_at_most_366_days() -> None:
    today = D(2026, 12, 31)
    every_day = [today - timedelta(days=n) for n in range(800)]
    assert streak(every_day, today=today, days=EVERY_DAY, holidays=NO_HOLIDAYS) == 366
    start = streak_start(every_day, today=today, days=EVERY_DAY, holidays=NO_HOLIDAYS)
    assert start == today - timedelta(days=365)


def test_streak_with_no_scheduled_days_stays_zero() -> None:
    assert streak(WEEK_1, today=D(2026, 12, 18), days=frozenset(), holidays=NO_HOLIDAYS) == 0


# --- parse_days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("MON-FRI", {0, 1, 2, 3, 4}),
        ("Mon – Fri", {0, 1, 2, 3, 4}),
        ("mon to fri", {0, 1, 2, 3, 4}),
        ("monday through friday", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("mon, wed, fri", {0, 2, 4}),
        ("mon wed fri", {0, 2, 4}),
        ("mon-thu,sat", {0, 1, 2, 3, 5}),
        ("tuesdays and thursdays", {1, 3}),
        ("Tue & Thu", {1, 3}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("Weekdays, Sat", {0, 1, 2, 3, 4, 5}),
        ("weekends", {5, 6}),
        ("everyday", set(range(7))),
        ("every day", set(range(7))),
        ("Daily", set(range(7))),
        ("Monday", {0}),
        ("wednesday", {2}),
        ("thurs", {3}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("mon-mon", {0}),
        ("mon-sun", set(range(7))),
        ("mon,mon", {0}),
        ("周一至周五", {0, 1, 2, 3, 4}),
        ("周一到周五", {0, 1, 2, 3, 4}),
        ("周一至五", {0, 1, 2, 3, 4}),
        ("周一,周三", {0, 2}),
        ("周一，周三", {0, 2}),
        ("周一、周三、周五", {0, 2, 4}),
        ("周一、三、五", {0, 2, 4}),
        ("周一周三", {0, 2}),
        ("星期一至星期四", {0, 1, 2, 3}),
        ("周日至周四", {6, 0, 1, 2, 3}),
        ("周六,周天", {5, 6}),
        ("礼拜一", {0}),
        ("工作日", {0, 1, 2, 3, 4}),
        ("每天", set(range(7))),
        ("周末", {5, 6}),
    ],
)
def test_parse_days(text: str, expected: set[int]) -> None:
    assert parse_days(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please give the days"),
        ("   ", "Please give the days"),
        (",", "Please give the days"),
        ("funday", "I don't know the day “funday”"),
        ("mon-", "I don't know the day"),
        ("mon-tue-wed", "I don't know the day"),
        ("weekdays-sun", "I don't know the day"),
        ("1-5", "not numbers"),
        ("0,1,2", "not numbers"),
        ("mon" * 30, "too long"),
    ],
)
def test_parse_days_refusals(text: str, message: str) -> None:
    with pytest.raises(StandupError, match=message):
        parse_days(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_days_only_raises_standup_error(text: str) -> None:
    try:
        days = parse_days(text)
    except StandupError:
        return
    assert days and days <= frozenset(range(7))


# --- format_days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ({0, 1, 2, 3, 4}, "Mon–Fri"),
        ({0, 2, 4}, "Mon, Wed, Fri"),
        (set(range(7)), "every day"),
        ({0, 1, 2, 3, 5}, "Mon–Thu, Sat"),
        ({6, 0, 1, 2, 3}, "Sun–Thu"),
        ({5, 6}, "Sat, Sun"),
        ({0, 1}, "Mon, Tue"),
        ({3}, "Thu"),
        ({6, 0, 1, 3}, "Sun–Tue, Thu"),
        ({5, 6, 0}, "Sat–Mon"),
        ({0, 1, 2, 3, 4, 5}, "Mon–Sat"),
        (set(), "no days"),
    ],
)
def test_format_days(days: set[int], expected: str) -> None:
    assert format_days(frozenset(days)) == expected


@given(st.frozensets(st.integers(0, 6), min_size=1))
def test_format_days_reads_back(days: frozenset[int]) -> None:
    assert parse_days(format_days(days)) == days


# --- parse_clock ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:30", time(9, 30)),
        ("9:30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("9：30", time(9, 30)),  # full-width colon
        ("930", time(9, 30)),
        ("0930", time(9, 30)),
        ("2100", time(21, 0)),
        ("0000", time(0, 0)),
        ("21:00", time(21, 0)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("9h30", time(9, 30)),
        ("9am", time(9, 0)),
        ("9AM", time(9, 0)),
        ("9 am", time(9, 0)),
        ("9 a.m.", time(9, 0)),
        ("9:30pm", time(21, 30)),
        ("9:30 PM", time(21, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15am", time(0, 15)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("上午9点", time(9, 0)),
        ("9点", time(9, 0)),
        ("9点半", time(9, 30)),
        ("9点15分", time(9, 15)),
        ("9点05", time(9, 5)),
        ("下午3点半", time(15, 30)),
        ("下午 3:30", time(15, 30)),
        ("晚上9点", time(21, 0)),
        ("中午12点", time(12, 0)),
        ("中午1点", time(13, 0)),
        ("凌晨12点", time(0, 0)),
        ("早上8:45", time(8, 45)),
    ],
)
def test_parse_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please give a time"),
        ("9", "needs minutes or am/pm"),
        ("21", "needs minutes or am/pm"),
        ("24:00", "isn't a time of day"),
        ("9:60", "isn't a time of day"),
        ("2400", "isn't a time of day"),
        ("960", "isn't a time of day"),
        ("13pm", "the hour goes from 1 to 12"),
        ("0am", "the hour goes from 1 to 12"),
        ("9:5", "I don't understand"),
        ("12345", "I don't understand"),
        ("soon", "I don't understand"),
        ("9:30:00", "I don't understand"),
        ("-9:30", "I don't understand"),
        ("9" * 70, "too long"),
    ],
)
def test_parse_clock_refusals(text: str, message: str) -> None:
    with pytest.raises(StandupError, match=message):
        parse_clock(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_parse_clock_only_raises_standup_error(text: str) -> None:
    with contextlib.suppress(StandupError):
        parse_clock(text)


@given(st.times())
def test_parse_clock_reads_back_hh_mm(at: time) -> None:
    assert parse_clock(at.strftime("%H:%M")) == at.replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ({0, 1, 2, 3, 4}, "周一至周五"),
        ({0, 2, 4}, "周一、周三、周五"),
        (set(range(7)), "每天"),
        ({6, 0, 1, 3}, "周日至周二、周四"),
    ],
)
def test_format_days_in_chinese(days: set[int], expected: str) -> None:
    with use_language("zh"):
        assert format_days(frozenset(days)) == expected


@given(st.frozensets(st.integers(0, 6), min_size=1))
def test_format_days_in_chinese_reads_back(days: frozenset[int]) -> None:
    # The settings form shows the days in the member's language and reads them back.
    with use_language("zh"):
        assert parse_days(format_days(days)) == days
