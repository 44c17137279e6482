from datetime import date

import pytest

from bot.domain.dates import DateError, parse_close_date, parse_date

THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Absolute dates
        ("2026-12-15", date(2026, 12, 15)),
        ("2026/12/15", date(2026, 12, 15)),
        ("2026.12.15", date(2026, 12, 15)),
        ("12/15/2026", date(2026, 12, 15)),
        ("12/15/27", date(2027, 12, 15)),
        ("Dec 15 2026", date(2026, 12, 15)),
        ("December 15, 2027", date(2027, 12, 15)),
        ("15 December 2026", date(2026, 12, 15)),
        ("2026年12月15日", date(2026, 12, 15)),
        ("2027年1月5号", date(2027, 1, 5)),
        # Year-less dates: this year, next year or last year, whichever is within ~6 months
        ("12/15", date(2026, 12, 15)),
        ("12.15", date(2026, 12, 15)),
        ("12-15", date(2026, 12, 15)),
        ("Dec 15", date(2026, 12, 15)),
        ("dec. 15th", date(2026, 12, 15)),
        ("15 Dec", date(2026, 12, 15)),
        ("15th of december", date(2026, 12, 15)),
        ("december 15", date(2026, 12, 15)),
        ("Sept 1", date(2026, 9, 1)),
        ("12月15日", date(2026, 12, 15)),
        ("12月15号", date(2026, 12, 15)),
        ("12月15", date(2026, 12, 15)),
        ("十二月十五日", date(2026, 12, 15)),
        ("5/1", date(2027, 5, 1)),  # May 2026 is ~7 months ago
        ("6/1", date(2026, 6, 1)),  # under 6 months ago: stays in the past
        ("11/1", date(2026, 11, 1)),
        # Relative days and weeks (dateparser)
        ("today", date(2026, 11, 26)),
        ("tomorrow", date(2026, 11, 27)),
        ("yesterday", date(2026, 11, 25)),
        ("in 3 days", date(2026, 11, 29)),
        ("3 days", date(2026, 11, 29)),
        ("in 2 weeks", date(2026, 12, 10)),
        ("2 weeks", date(2026, 12, 10)),
        ("in two weeks", date(2026, 12, 10)),
        ("3 weeks from today", date(2026, 12, 17)),
        ("next week", date(2026, 12, 3)),
        ("in 2 months", date(2027, 1, 26)),
        ("明天", date(2026, 11, 27)),
        ("后天", date(2026, 11, 28)),
        ("3天后", date(2026, 11, 29)),
        ("两周后", date(2026, 12, 10)),
        ("一星期后", date(2026, 12, 3)),
        ("十天后", date(2026, 12, 6)),
        ("3个月后", date(2027, 2, 26)),
        # Weekdays (on Thursday 2026-11-26; weeks run Monday to Sunday)
        ("friday", date(2026, 11, 27)),
        ("Fri", date(2026, 11, 27)),
        ("thursday", date(2026, 11, 26)),  # today counts
        ("wednesday", date(2026, 12, 2)),
        ("this friday", date(2026, 11, 27)),
        ("this monday", date(2026, 11, 23)),
        ("next friday", date(2026, 12, 4)),
        ("next monday", date(2026, 11, 30)),
        ("last friday", date(2026, 11, 20)),
        ("by friday", date(2026, 11, 27)),
        ("周五", date(2026, 11, 27)),
        ("星期五", date(2026, 11, 27)),
        ("本周五", date(2026, 11, 27)),
        ("这周五", date(2026, 11, 27)),
        ("这个星期五", date(2026, 11, 27)),
        ("下周五", date(2026, 12, 4)),
        ("下星期五", date(2026, 12, 4)),
        ("下个礼拜一", date(2026, 11, 30)),
        ("上周五", date(2026, 11, 20)),
        ("周日", date(2026, 11, 29)),
        ("星期天", date(2026, 11, 29)),
        # Ends of periods (calendar quarters)
        ("eom", date(2026, 11, 30)),
        ("EOM", date(2026, 11, 30)),
        ("end of month", date(2026, 11, 30)),
        ("end of the month", date(2026, 11, 30)),
        ("eoq", date(2026, 12, 31)),
        ("end of quarter", date(2026, 12, 31)),
        ("end of next quarter", date(2027, 3, 31)),
        ("eoy", date(2026, 12, 31)),
        ("year end", date(2026, 12, 31)),
        ("月底", date(2026, 11, 30)),
        ("月末", date(2026, 11, 30)),
        ("下个月底", date(2026, 12, 31)),
        ("季度末", date(2026, 12, 31)),
        ("年底", date(2026, 12, 31)),
        ("明年底", date(2027, 12, 31)),
        # Full-width input
        ("１２／１５", date(2026, 12, 15)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, today=THURSDAY) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        # On a Friday "friday" is today; "next friday" is a week later.
        (date(2026, 11, 27), "friday", date(2026, 11, 27)),
        (date(2026, 11, 27), "next friday", date(2026, 12, 4)),
        (date(2026, 11, 27), "下周五", date(2026, 12, 4)),
        # On a Sunday, "this friday" is two days ago (the caller warns about the past).
        (date(2026, 11, 29), "this friday", date(2026, 11, 27)),
        (date(2026, 11, 29), "next friday", date(2026, 12, 4)),
        # Year-less dates near the turn of the year.
        (date(2027, 1, 5), "12/20", date(2026, 12, 20)),
        (date(2026, 12, 20), "1/5", date(2027, 1, 5)),
        (date(2026, 6, 1), "12/1", date(2026, 12, 1)),
        (date(2027, 11, 1), "2/29", date(2028, 2, 29)),
        # Quarter and month ends.
        (date(2026, 2, 3), "eom", date(2026, 2, 28)),
        (date(2028, 2, 3), "eom", date(2028, 2, 29)),
        (date(2026, 2, 3), "eoq", date(2026, 3, 31)),
        (date(2026, 4, 1), "eoq", date(2026, 6, 30)),
        (date(2026, 9, 30), "eoq", date(2026, 9, 30)),
        (date(2026, 12, 15), "end of next month", date(2027, 1, 31)),
    ],
)
def test_parse_date_relative_to_today(today: date, text: str, expected: date) -> None:
    assert parse_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Please give a date."),
        ("abc", "“abc” isn't a date I understand. Try 2026-12-15, Dec 15, 12/15"),
        ("mid december", "isn't a date I understand"),
        ("15", "I can't tell which date “15” is."),
        ("2026", "I can't tell which date"),
        ("-1", "I can't tell which date"),
        ("12:30", "I can't tell which date"),
        ("15/12", "I read “15/12” as month/day, and there is no month 15. Try Dec 15 or 12/15."),
        ("13/13", "no month 13"),
        ("2026-13-01", "no month 13"),
        ("2/30", "February has no day 30"),
        ("Feb 30", "February has no day 30"),
        ("2026-02-29", "February 2026 has no day 29"),
        ("2/29", "no February 29 near today"),
        ("Dec", "“Dec” doesn't name a day."),
        ("next month", "doesn't name a day"),
        ("december 2026", "doesn't name a day"),
        ("2026年12月", "doesn't name a day"),
        ("1999-12-31", "Dates must be in 2000–2100."),
        ("2101-01-01", "Dates must be in 2000–2100."),
        ("Dec 15 1999", "Dates must be in 2000–2100."),
        ("in 100 years", "Dates must be in 2000–2100."),
        ("x" * 100, "too long to be a date"),
    ],
)
def test_parse_date_refuses(text: str, fragment: str) -> None:
    with pytest.raises(DateError) as error:
        parse_date(text, today=THURSDAY)
    assert fragment in str(error.value)


def test_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)


MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Chinese numerals before a unit, years digit by digit
        ("二〇二六年十二月十五日", date(2026, 12, 15)),
        ("二零二七年一月五号", date(2027, 1, 5)),
        ("十二月三十一日", date(2026, 12, 31)),
        # The week after next, the week before last
        ("下下周一", date(2026, 12, 14)),
        ("下下周五", date(2026, 12, 18)),
        ("下下个星期三", date(2026, 12, 16)),
        ("上上周五", date(2026, 11, 20)),
        # A day of a given month, or the next such day
        ("下个月15号", date(2026, 12, 15)),
        ("下月15号", date(2026, 12, 15)),
        ("下个月十五号", date(2026, 12, 15)),
        ("下下个月1号", date(2027, 1, 1)),
        ("本月30号", date(2026, 11, 30)),
        ("15th of next month", date(2026, 12, 15)),
        ("next month on the 15th", date(2026, 12, 15)),
        ("15号", date(2026, 12, 15)),
        ("30号", date(2026, 11, 30)),  # today counts
        ("31号", date(2026, 12, 31)),  # November has no 31st
        ("15th", date(2026, 12, 15)),
        ("the 1st", date(2026, 12, 1)),
        # The last day of a named month
        ("12月底", date(2026, 12, 31)),
        ("1月底", date(2027, 1, 31)),
        ("2月底", date(2027, 2, 28)),
        ("2028年2月底", date(2028, 2, 29)),
        ("end of dec", date(2026, 12, 31)),
        ("end of january 2027", date(2027, 1, 31)),
        # Unchanged: a weekday stays a weekday
        ("周一", date(2026, 11, 30)),
        ("下周一", date(2026, 12, 7)),
    ],
)
def test_parse_date_reads_what_people_type(text: str, expected: date) -> None:
    assert parse_date(text, today=MONDAY) == expected
    assert parse_close_date(text, today=MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A month, quarter or year as a deadline: its last day
        ("next month", date(2026, 12, 31)),
        ("下个月", date(2026, 12, 31)),
        ("下月", date(2026, 12, 31)),
        ("下下个月", date(2027, 1, 31)),
        ("this month", date(2026, 11, 30)),
        ("本月", date(2026, 11, 30)),
        ("这个月", date(2026, 11, 30)),
        ("last month", date(2026, 10, 31)),
        ("next quarter", date(2027, 3, 31)),
        ("下季度", date(2027, 3, 31)),
        ("本季度", date(2026, 12, 31)),
        ("next year", date(2027, 12, 31)),
        ("明年", date(2027, 12, 31)),
        ("今年", date(2026, 12, 31)),
        ("by next month", date(2026, 12, 31)),
        # A month with its year
        ("Jan 2027", date(2027, 1, 31)),
        ("January, 2027", date(2027, 1, 31)),
        ("feb 2028", date(2028, 2, 29)),
        ("2027年1月", date(2027, 1, 31)),
        ("二〇二七年二月", date(2027, 2, 28)),
        ("2027-01", date(2027, 1, 31)),
        ("2027/1", date(2027, 1, 31)),
        # A month without a year: the nearest, as for Dec 15
        ("Dec", date(2026, 12, 31)),
        ("12月", date(2026, 12, 31)),
        ("十二月", date(2026, 12, 31)),
        ("一月", date(2027, 1, 31)),
        ("12月份", date(2026, 12, 31)),
        # What parse_date reads is read the same
        ("Dec 15", date(2026, 12, 15)),
        ("月底", date(2026, 11, 30)),
        ("季度末", date(2026, 12, 31)),
        ("年底", date(2026, 12, 31)),
        ("in 2 weeks", date(2026, 12, 14)),
    ],
)
def test_parse_close_date_takes_a_period_as_its_last_day(text: str, expected: date) -> None:
    assert parse_close_date(text, today=MONDAY) == expected


@pytest.mark.parametrize("text", ["next month", "下个月", "Jan 2027", "2027年1月", "Dec", "明年"])
def test_other_dates_still_need_a_day(text: str) -> None:
    # A day off or "away until" must name a day: only a close date is a deadline.
    with pytest.raises(DateError, match=r"doesn't name a day|isn't a date|can't tell"):
        parse_date(text, today=MONDAY)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("32号", "no month has a day 32"),
        ("本月31号", "November has no day 31"),
        ("2027年13月", "no month 13"),
        ("Jan 2101", "Dates must be in 2000–2100."),
        ("1999年12月", "Dates must be in 2000–2100."),
        ("next decade", "doesn't name a day"),
        ("下个世纪", "isn't a date I understand"),
    ],
)
def test_parse_close_date_refuses(text: str, fragment: str) -> None:
    with pytest.raises(DateError) as error:
        parse_close_date(text, today=MONDAY)
    assert fragment in str(error.value)
