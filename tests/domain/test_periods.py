import contextlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.periods import (
    MAX_RANGE_DAYS,
    Period,
    PeriodError,
    RecurringKind,
    parse_period,
    period_of,
    previous,
    utc_bounds,
    working_days,
    working_days_left,
)

D = date
# Wednesday 16 December 2026.
TODAY = D(2026, 12, 16)
NEW_YORK = ZoneInfo("America/New_York")


def week(start: date) -> Period:
    return Period("week", start, start + timedelta(days=6))


def month(year: int, number: int, last: int) -> Period:
    return Period("month", D(year, number, 1), D(year, number, last))


def quarter(start: date, end: date) -> Period:
    return Period("quarter", start, end)


def span(start: date, end: date) -> Period:
    return Period("range", start, end)


# --- period_of ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("week", D(2026, 12, 16), week(D(2026, 12, 14))),
        ("week", D(2026, 12, 14), week(D(2026, 12, 14))),  # Monday
        ("week", D(2026, 12, 20), week(D(2026, 12, 14))),  # Sunday
        ("week", D(2027, 1, 1), week(D(2026, 12, 28))),  # across the year end
        ("week", D(2026, 1, 1), week(D(2025, 12, 29))),
        ("month", D(2026, 12, 16), month(2026, 12, 31)),
        ("month", D(2028, 2, 29), month(2028, 2, 29)),
        ("month", D(2027, 2, 1), month(2027, 2, 28)),
        ("quarter", D(2026, 12, 31), quarter(D(2026, 10, 1), D(2026, 12, 31))),
        ("quarter", D(2027, 1, 1), quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("quarter", D(2026, 5, 15), quarter(D(2026, 4, 1), D(2026, 6, 30))),
    ],
)
def test_period_of(kind: RecurringKind, day: date, expected: Period) -> None:
    assert period_of(kind, day) == expected


@pytest.mark.parametrize(
    ("fiscal_start", "day", "start", "end"),
    [
        (1, D(2026, 2, 10), D(2026, 1, 1), D(2026, 3, 31)),
        (4, D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30)),
        (4, D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31)),
        (4, D(2027, 2, 14), D(2027, 1, 1), D(2027, 3, 31)),
        (7, D(2026, 7, 1), D(2026, 7, 1), D(2026, 9, 30)),
        (7, D(2026, 6, 30), D(2026, 4, 1), D(2026, 6, 30)),
        (10, D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
        (10, D(2027, 1, 1), D(2027, 1, 1), D(2027, 3, 31)),
        # February starts: quarters are Feb–Apr, May–Jul, Aug–Oct, Nov–Jan.
        (2, D(2026, 2, 1), D(2026, 2, 1), D(2026, 4, 30)),
        (2, D(2026, 1, 31), D(2025, 11, 1), D(2026, 1, 31)),
        (2, D(2026, 12, 25), D(2026, 11, 1), D(2027, 1, 31)),
        (2, D(2028, 3, 1), D(2028, 2, 1), D(2028, 4, 30)),
        (12, D(2026, 12, 1), D(2026, 12, 1), D(2027, 2, 28)),
    ],
)
def test_fiscal_quarters(fiscal_start: int, day: date, start: date, end: date) -> None:
    assert period_of("quarter", day, fiscal_start_month=fiscal_start) == quarter(start, end)


@pytest.mark.parametrize("bad", [0, 13, -1])
def test_fiscal_start_month_must_be_a_month(bad: int) -> None:
    with pytest.raises(ValueError, match="fiscal_start_month"):
        period_of("quarter", TODAY, fiscal_start_month=bad)
    with pytest.raises(ValueError, match="fiscal_start_month"):
        parse_period("quarter", today=TODAY, fiscal_start_month=bad)


def test_period_of_refuses_range() -> None:
    with pytest.raises(ValueError, match="week, month or quarter"):
        period_of("range", TODAY)  # type: ignore[arg-type]


_KINDS: list[RecurringKind] = ["week", "month", "quarter"]


@given(
    st.sampled_from(_KINDS),
    st.dates(D(2001, 1, 1), D(2099, 12, 31)),
    st.integers(1, 12),
)
def test_period_of_contains_the_day_and_previous_touches_it(
    kind: RecurringKind, day: date, fiscal_start: int
) -> None:
    period = period_of(kind, day, fiscal_start_month=fiscal_start)
    assert period.contains(day)
    before = previous(period, fiscal_start_month=fiscal_start)
    assert before.kind == kind
    assert before.end + timedelta(days=1) == period.start
    assert period_of(kind, before.start, fiscal_start_month=fiscal_start) == before


# --- contains / previous --------------------------------------------------------------


def test_contains_is_inclusive() -> None:
    december = month(2026, 12, 31)
    assert december.contains(D(2026, 12, 1))
    assert december.contains(D(2026, 12, 31))
    assert not december.contains(D(2026, 11, 30))
    assert not december.contains(D(2027, 1, 1))


@pytest.mark.parametrize(
    ("period", "fiscal_start", "expected"),
    [
        (week(D(2027, 1, 4)), 1, week(D(2026, 12, 28))),
        (month(2027, 1, 31), 1, month(2026, 12, 31)),
        (month(2026, 3, 31), 1, month(2026, 2, 28)),
        (quarter(D(2027, 1, 1), D(2027, 3, 31)), 1, quarter(D(2026, 10, 1), D(2026, 12, 31))),
        (quarter(D(2026, 2, 1), D(2026, 4, 30)), 2, quarter(D(2025, 11, 1), D(2026, 1, 31))),
        (span(D(2026, 12, 1), D(2026, 12, 31)), 1, span(D(2026, 10, 31), D(2026, 11, 30))),
        (span(D(2027, 1, 1), D(2027, 1, 1)), 1, span(D(2026, 12, 31), D(2026, 12, 31))),
    ],
)
def test_previous(period: Period, fiscal_start: int, expected: Period) -> None:
    assert previous(period, fiscal_start_month=fiscal_start) == expected


# --- label ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "fiscal_start", "english", "chinese"),
    [
        (week(D(2026, 11, 30)), 1, "Week of Nov 30", "11月30日当周"),
        (month(2026, 12, 31), 1, "December 2026", "2026年12月"),
        (quarter(D(2026, 10, 1), D(2026, 12, 31)), 1, "Q4 2026", "2026年第4季度"),
        # Fiscal years are named after the calendar year they end in.
        (quarter(D(2026, 4, 1), D(2026, 6, 30)), 4, "FY2027 Q1", "2027财年第1季度"),
        (quarter(D(2027, 1, 1), D(2027, 3, 31)), 4, "FY2027 Q4", "2027财年第4季度"),
        (quarter(D(2026, 10, 1), D(2026, 12, 31)), 10, "FY2027 Q1", "2027财年第1季度"),
        (quarter(D(2026, 11, 1), D(2027, 1, 31)), 2, "FY2027 Q4", "2027财年第4季度"),
        (span(D(2026, 12, 1), D(2026, 12, 31)), 1, "Dec 1 – Dec 31, 2026", "12月1日–12月31日"),
        (
            span(D(2026, 12, 28), D(2027, 1, 3)),
            1,
            "Dec 28, 2026 – Jan 3, 2027",
            "2026年12月28日–2027年1月3日",
        ),
        # Not a quarter under this fiscal start (stored under another): shown as dates.
        (
            quarter(D(2026, 4, 1), D(2026, 6, 30)),
            2,
            "Apr 1 – Jun 30, 2026",
            "4月1日–6月30日",
        ),
        (
            Period("week", D(2026, 12, 2), D(2026, 12, 8)),
            1,
            "Dec 2 – Dec 8, 2026",
            "12月2日–12月8日",
        ),
    ],
)
def test_label(period: Period, fiscal_start: int, english: str, chinese: str) -> None:
    assert period.label(fiscal_start_month=fiscal_start) == english
    assert period.label("en", fiscal_start_month=fiscal_start) == english
    assert period.label("zh", fiscal_start_month=fiscal_start) == chinese
    assert period.label("zh-CN", fiscal_start_month=fiscal_start) == chinese


# --- parse_period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("week", week(D(2026, 12, 14))),
        ("This Week", week(D(2026, 12, 14))),
        ("next week", week(D(2026, 12, 21))),
        ("last week", week(D(2026, 12, 7))),
        ("month", month(2026, 12, 31)),
        ("this month", month(2026, 12, 31)),
        ("current month", month(2026, 12, 31)),
        ("NEXT  MONTH", month(2027, 1, 31)),
        ("last month", month(2026, 11, 30)),
        ("previous month", month(2026, 11, 30)),
        ("quarter", quarter(D(2026, 10, 1), D(2026, 12, 31))),
        ("this quarter", quarter(D(2026, 10, 1), D(2026, 12, 31))),
        ("next quarter", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("last quarter", quarter(D(2026, 7, 1), D(2026, 9, 30))),
        ("next qtr", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("本周", week(D(2026, 12, 14))),
        ("这周", week(D(2026, 12, 14))),
        ("下周", week(D(2026, 12, 21))),
        ("上周", week(D(2026, 12, 7))),
        ("本月", month(2026, 12, 31)),
        ("这个月", month(2026, 12, 31)),
        ("下月", month(2027, 1, 31)),
        ("下个月", month(2027, 1, 31)),
        ("上月", month(2026, 11, 30)),
        ("上个月", month(2026, 11, 30)),
        ("本季度", quarter(D(2026, 10, 1), D(2026, 12, 31))),
        ("下季度", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("上个季度", quarter(D(2026, 7, 1), D(2026, 9, 30))),
        # explicit ranges
        ("2026-12-01..2026-12-31", span(D(2026, 12, 1), D(2026, 12, 31))),
        ("2026-12-01 .. 2026-12-31", span(D(2026, 12, 1), D(2026, 12, 31))),
        ("2026-12-01…2026-12-31", span(D(2026, 12, 1), D(2026, 12, 31))),
        ("2026-12-01–2026-12-31", span(D(2026, 12, 1), D(2026, 12, 31))),
        ("Dec 1 - Dec 31", span(D(2026, 12, 1), D(2026, 12, 31))),
        ("dec 1 to jan 15", span(D(2026, 12, 1), D(2027, 1, 15))),
        ("12月1日至12月31日", span(D(2026, 12, 1), D(2026, 12, 31))),
        ("2026-12-16..2026-12-16", span(D(2026, 12, 16), D(2026, 12, 16))),
        ("2026-01-01..2027-02-04", span(D(2026, 1, 1), D(2027, 2, 4))),  # 400 days
        # months
        ("december", month(2026, 12, 31)),
        ("Dec", month(2026, 12, 31)),
        ("dec 2026", month(2026, 12, 31)),
        ("December, 2027", month(2027, 12, 31)),
        ("2026 dec", month(2026, 12, 31)),
        ("2026-12", month(2026, 12, 31)),
        ("2027/02", month(2027, 2, 28)),
        ("12/2026", month(2026, 12, 31)),
        ("12月", month(2026, 12, 31)),
        ("2026年11月", month(2026, 11, 30)),
        ("１月份", month(2027, 1, 31)),
        # Without a year: up to 6 months ahead, else up to 5 back.
        ("jan", month(2027, 1, 31)),
        ("june", month(2027, 6, 30)),
        ("july", month(2026, 7, 31)),
        ("november", month(2026, 11, 30)),
        ("sept", month(2026, 9, 30)),
        # quarters
        ("Q1", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("q2", quarter(D(2027, 4, 1), D(2027, 6, 30))),
        ("q3", quarter(D(2026, 7, 1), D(2026, 9, 30))),
        ("q4", quarter(D(2026, 10, 1), D(2026, 12, 31))),
        ("q1 2027", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("Q3 2026", quarter(D(2026, 7, 1), D(2026, 9, 30))),
        ("2027 Q1", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("2027Q2", quarter(D(2027, 4, 1), D(2027, 6, 30))),
        ("第一季度", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("一季度", quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("2026年第3季度", quarter(D(2026, 7, 1), D(2026, 9, 30))),
    ],
)
def test_parse_period(text: str, expected: Period) -> None:
    assert parse_period(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "fiscal_start", "expected"),
    [
        # TODAY is in Oct–Dec: FY2027 Q3 when the year starts in April.
        ("quarter", 4, quarter(D(2026, 10, 1), D(2026, 12, 31))),
        ("next quarter", 4, quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("q1 2027", 4, quarter(D(2026, 4, 1), D(2026, 6, 30))),
        ("FY2027 Q1", 4, quarter(D(2026, 4, 1), D(2026, 6, 30))),
        ("q4 fy2027", 4, quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("Q1", 4, quarter(D(2027, 4, 1), D(2027, 6, 30))),
        ("Q2", 4, quarter(D(2026, 7, 1), D(2026, 9, 30))),
        ("2027财年第1季度", 4, quarter(D(2026, 4, 1), D(2026, 6, 30))),
        ("quarter", 2, quarter(D(2026, 11, 1), D(2027, 1, 31))),
        ("last quarter", 2, quarter(D(2026, 8, 1), D(2026, 10, 31))),
        ("q1 2027", 2, quarter(D(2026, 2, 1), D(2026, 4, 30))),
        ("q1 2027", 1, quarter(D(2027, 1, 1), D(2027, 3, 31))),
        ("q1 2027", 7, quarter(D(2026, 7, 1), D(2026, 9, 30))),
        ("q1 2027", 10, quarter(D(2026, 10, 1), D(2026, 12, 31))),
        ("本季度", 10, quarter(D(2026, 10, 1), D(2026, 12, 31))),
        # months and weeks don't depend on the fiscal year
        ("month", 4, month(2026, 12, 31)),
    ],
)
def test_parse_fiscal_periods(text: str, fiscal_start: int, expected: Period) -> None:
    assert parse_period(text, today=TODAY, fiscal_start_month=fiscal_start) == expected


@given(st.integers(1, 12), st.dates(D(2001, 1, 1), D(2099, 12, 31)))
def test_label_reads_back(fiscal_start: int, day: date) -> None:
    # What a fiscal label prints, parse_period reads as the same quarter.
    period = period_of("quarter", day, fiscal_start_month=fiscal_start)
    text = period.label(fiscal_start_month=fiscal_start)
    assert parse_period(text, today=day, fiscal_start_month=fiscal_start) == period


def test_next_month_across_the_year_end() -> None:
    assert parse_period("next month", today=D(2026, 12, 31)) == month(2027, 1, 31)
    assert parse_period("last month", today=D(2027, 1, 1)) == month(2026, 12, 31)
    assert parse_period("next week", today=D(2026, 12, 31)) == week(D(2027, 1, 4))
    assert parse_period("next quarter", today=D(2026, 11, 15)) == quarter(
        D(2027, 1, 1), D(2027, 3, 31)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please give a period."),
        ("   ", "Please give a period."),
        ("fortnight", "I don't understand the period “fortnight”."),
        ("next year", "I don't understand the period “next year”."),
        ("2026-12-31..2026-12-01", "“2026-12-31..2026-12-01” ends before it starts."),
        ("2026-01-01..2027-02-05", "is 401 days long; the most is 400 days."),
        ("2026-12-01..soon", "In the range “2026-12-01..soon”:"),
        ("2026-02-30..2026-03-01", "“2026-02-30”: February has no day 30."),
        ("2026-13", "has no month 13"),
        ("13/2026", "has no month 13"),
        ("q5", "there are only four quarters"),
        ("q0 2027", "there are only four quarters"),
        ("dec 1999", "too far off"),
        ("q1 2101", "too far off"),
        ("x" * 61, "is too long to be a period"),
    ],
)
def test_parse_period_errors(text: str, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, today=TODAY)
    assert message in str(caught.value)


def test_unknown_period_lists_the_accepted_forms() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("whenever", today=TODAY)
    for form in ("week", "next month", "december", "2026-12", "Q1 2027", "..", "本月", "下季度"):
        assert form in str(caught.value)


def test_max_range_constant() -> None:
    assert MAX_RANGE_DAYS == 400


_PIECES = st.sampled_from(
    ["next", "last", "this", "month", "week", "q", "Q3", "2026", "-12", "..", " to ", "dec",
     "12", "月", "本", "下", "季度", "第", "年", "fy", " ", "1", "2027-01-05", "~", "至"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=6).map("".join)))
def test_parse_period_raises_only_period_errors(text: str) -> None:
    with contextlib.suppress(PeriodError):
        period = parse_period(text, today=TODAY)
        assert period.start <= period.end
        assert (period.end - period.start).days < MAX_RANGE_DAYS


# --- working days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "holidays", "expected"),
    [
        (D(2026, 12, 16), D(2026, 12, 16), (), 1),  # a Wednesday
        (D(2026, 12, 19), D(2026, 12, 19), (), 0),  # a Saturday
        (D(2026, 12, 19), D(2026, 12, 20), (), 0),  # a weekend
        (D(2026, 12, 18), D(2026, 12, 21), (), 2),  # Friday to Monday
        (D(2026, 12, 14), D(2026, 12, 20), (), 5),
        (D(2026, 12, 17), D(2026, 12, 16), (), 0),  # end before start
        # December 2026 starts on a Tuesday: 4 + 5 + 5 + 5 + 4 (Mon 28 – Thu 31).
        (D(2026, 12, 1), D(2026, 12, 31), (), 23),
        (D(2026, 12, 1), D(2026, 12, 31), (D(2026, 12, 25),), 22),
        (D(2026, 12, 1), D(2026, 12, 31), (D(2026, 12, 26),), 23),  # on a Saturday
        (D(2026, 12, 1), D(2026, 12, 31), (D(2027, 1, 1),), 23),  # outside
        (D(2026, 12, 1), D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31)), 21),
        (D(2026, 1, 1), D(2026, 12, 31), (), 261),
        (D(2028, 1, 1), D(2028, 12, 31), (), 260),  # leap year starting on Saturday
    ],
)
def test_working_days(start: date, end: date, holidays: tuple[date, ...], expected: int) -> None:
    assert working_days(start, end, frozenset(holidays)) == expected


@given(
    st.dates(D(2020, 1, 1), D(2030, 12, 31)),
    st.integers(-3, 60),
    st.frozensets(st.dates(D(2020, 1, 1), D(2030, 12, 31)), max_size=5),
)
def test_working_days_matches_counting_one_by_one(
    start: date, length: int, holidays: frozenset[date]
) -> None:
    end = start + timedelta(days=length)
    days = (start + timedelta(days=i) for i in range(length + 1))
    expected = sum(1 for day in days if day.weekday() < 5 and day not in holidays)
    assert working_days(start, end, holidays) == expected


DECEMBER = month(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "holidays", "expected"),
    [
        (D(2026, 11, 20), (), 23),  # before it starts: all of it
        (D(2026, 12, 1), (), 23),  # first day counts
        (D(2026, 12, 16), (), 12),  # Wed 16 – Thu 31: 3 + 5 + 4
        (D(2026, 12, 16), (D(2026, 12, 25),), 11),
        (D(2026, 12, 19), (), 9),  # a Saturday: Mon 21 – Thu 31
        (D(2026, 12, 31), (), 1),  # last day counts
        (D(2027, 1, 1), (), 0),  # after the end
    ],
)
def test_working_days_left(today: date, holidays: tuple[date, ...], expected: int) -> None:
    assert working_days_left(DECEMBER, today, frozenset(holidays)) == expected


# --- utc_bounds -----------------------------------------------------------------------


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "zone", "start", "end"),
    [
        # DST starts 2026-03-08 at 02:00 in New York: that day is 23 hours long.
        (
            span(D(2026, 3, 8), D(2026, 3, 8)),
            "America/New_York",
            utc(2026, 3, 8, 5),
            utc(2026, 3, 9, 4),
        ),
        # DST ends 2026-11-01 at 02:00: that day is 25 hours long.
        (
            span(D(2026, 11, 1), D(2026, 11, 1)),
            "America/New_York",
            utc(2026, 11, 1, 4),
            utc(2026, 11, 2, 5),
        ),
        (month(2026, 3, 31), "America/New_York", utc(2026, 3, 1, 5), utc(2026, 4, 1, 4)),
        (month(2026, 11, 30), "America/New_York", utc(2026, 11, 1, 4), utc(2026, 12, 1, 5)),
        (week(D(2026, 3, 2)), "America/New_York", utc(2026, 3, 2, 5), utc(2026, 3, 9, 4)),
        (month(2026, 12, 31), "Asia/Shanghai", utc(2026, 11, 30, 16), utc(2026, 12, 31, 16)),
        (month(2026, 12, 31), "UTC", utc(2026, 12, 1), utc(2027, 1, 1)),
        # Santiago skips midnight on 2026-09-06: the day starts at 01:00 local.
        (
            span(D(2026, 9, 6), D(2026, 9, 6)),
            "America/Santiago",
            utc(2026, 9, 6, 4),
            utc(2026, 9, 7, 3),
        ),
    ],
)
def test_utc_bounds(period: Period, zone: str, start: datetime, end: datetime) -> None:
    bounds = utc_bounds(period, ZoneInfo(zone))
    assert bounds == (start, end)
    assert all(b.tzinfo is UTC for b in bounds)


_ZONES = [
    "America/New_York",
    "America/Santiago",
    "Asia/Shanghai",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Apia",
]


@given(
    st.sampled_from(_ZONES),
    st.dates(D(2001, 1, 1), D(2099, 12, 31)),
    st.integers(0, 40),
)
def test_utc_bounds_are_the_first_instants_of_the_days(zone: str, start: date, length: int) -> None:
    info = ZoneInfo(zone)
    period = span(start, start + timedelta(days=length))
    first, after = utc_bounds(period, info)
    tick = timedelta(microseconds=1)
    assert first.astimezone(info).date() == period.start
    assert (first - tick).astimezone(info).date() < period.start
    assert after.astimezone(info).date() == period.end + timedelta(days=1)
    assert (after - tick).astimezone(info).date() == period.end
