"""Next steps as typed (bot.domain.next_steps) and in the /deal grammar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deal_command import (
    USAGE,
    CustomerName,
    DealNumber,
    List,
    ParseError,
    Update,
    parse_deal_command,
)
from bot.domain.next_steps import (
    NEXT_STEP_MAX,
    NO_NEXT_STEP,
    NextStep,
    NextStepError,
    is_overdue,
    no_stand_up,
    parse_next_step,
    reminder_due,
)

MONDAY = date(2026, 11, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ('"send the proposal" friday', NextStep("send the proposal", date(2026, 12, 4))),
        ("“send the proposal” friday", NextStep("send the proposal", date(2026, 12, 4))),
        ("send the proposal friday", NextStep("send the proposal", date(2026, 12, 4))),
        ("send the proposal next friday", NextStep("send the proposal", date(2026, 12, 11))),
        ("proposal by friday", NextStep("proposal", date(2026, 12, 4))),
        ("call them in 2 weeks", NextStep("call them", date(2026, 12, 14))),
        ("call on the 15th of next month", NextStep("call", date(2026, 12, 15))),
        ("demo 2026-12-15", NextStep("demo", date(2026, 12, 15))),
        ("demo today", NextStep("demo", MONDAY)),
        ("wrap up eom", NextStep("wrap up", date(2026, 11, 30))),
        # A close date's rule: a month named alone is its last day.
        ("sign next month", NextStep("sign", date(2026, 12, 31))),
        ('"friday call" monday', NextStep("friday call", MONDAY)),
        ('"send  the\tproposal " friday', NextStep("send the proposal", date(2026, 12, 4))),
        ('"发报价" 周五', NextStep("发报价", date(2026, 12, 4))),
        ("「发报价」 下周五", NextStep("发报价", date(2026, 12, 11))),
        ("发报价 12月15日", NextStep("发报价", date(2026, 12, 15))),
        ("约 客户 明天", NextStep("约 客户", date(2026, 12, 1))),
        ("done", NO_NEXT_STEP),
        ("Clear", NO_NEXT_STEP),
        ("none", NO_NEXT_STEP),
        ("完成", NO_NEXT_STEP),
        ("清除", NO_NEXT_STEP),
        ("取消", NO_NEXT_STEP),
    ],
)
def test_steps_as_typed(typed: str, expected: NextStep) -> None:
    assert parse_next_step(typed, today=MONDAY) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "What is the next step, and when is it due?"),
        ('"send the proposal"', "When is “send the proposal” due? Put the date after it"),
        ("send the proposal", "When is “send the proposal” due? Put the date last"),
        ("friday", "What is the next step on friday? Write it before the date."),
        ("next friday", "What is the next step on next friday?"),
        ('"send" someday', "“someday” isn't a date I understand."),
        ('"send" 15/12', "no month 15"),
        ('"send friday', 'The quote " is never closed.'),
        ('"" friday', "What is the next step, and when is it due?"),
        ('"done" friday', None),
        ('"' + "x" * (NEXT_STEP_MAX + 1) + '" friday', "The next step is too long: 200"),
    ],
)
def test_what_is_refused(typed: str, message: str | None) -> None:
    if message is None:
        # A quoted "done" is a step called done, not the word that clears it.
        assert parse_next_step(typed, today=MONDAY) == NextStep("done", date(2026, 12, 4))
        return
    with pytest.raises(NextStepError) as refused:
        parse_next_step(typed, today=MONDAY)
    assert message in str(refused.value)


def test_a_step_of_the_longest_length_is_kept() -> None:
    step = parse_next_step('"' + "x" * NEXT_STEP_MAX + '" friday', today=MONDAY)
    assert step.text == "x" * NEXT_STEP_MAX


def test_overdue_is_after_its_day() -> None:
    assert not is_overdue(None, MONDAY)
    assert not is_overdue(MONDAY, MONDAY)
    assert is_overdue(MONDAY - timedelta(days=1), MONDAY)


def test_the_reminder_comes_at_stand_up_time_within_the_catch_up_window() -> None:
    at = time(9, 30)
    saturday = date(2026, 12, 5)
    start = datetime(2026, 12, 5, 9, 30, tzinfo=SHANGHAI)
    assert reminder_due(start - timedelta(seconds=1), at, SHANGHAI) is None
    found = reminder_due(start, at, SHANGHAI)
    assert found is not None and (found.local_date, found.due) == (saturday, start)
    assert reminder_due(start + timedelta(hours=2), at, SHANGHAI) is not None
    assert reminder_due(start + timedelta(hours=2, seconds=1), at, SHANGHAI) is None


def test_a_late_evening_stand_up_time_is_caught_up_after_midnight() -> None:
    late = reminder_due(datetime(2026, 12, 6, 0, 30, tzinfo=SHANGHAI), time(23, 30), SHANGHAI)
    assert late is not None and late.local_date == date(2026, 12, 5)


def test_the_reminder_follows_the_zone_across_daylight_saving() -> None:
    # New York falls back on Sun 1 Nov 2026: 09:30 is 13:30 UTC before and 14:30 UTC after.
    before = reminder_due(datetime(2026, 10, 31, 13, 30, tzinfo=UTC), time(9, 30), NEW_YORK)
    after = reminder_due(datetime(2026, 11, 1, 14, 30, tzinfo=UTC), time(9, 30), NEW_YORK)
    assert before is not None and before.local_date == date(2026, 10, 31)
    assert after is not None and after.local_date == date(2026, 11, 1)
    assert reminder_due(datetime(2026, 11, 1, 13, 29, tzinfo=UTC), time(9, 30), NEW_YORK) is None


def test_days_without_a_stand_up() -> None:
    weekdays = frozenset(range(5))
    none: frozenset[date] = frozenset()
    assert not no_stand_up(MONDAY, days=weekdays, holidays=none, paused=False)
    assert no_stand_up(date(2026, 12, 5), days=weekdays, holidays=none, paused=False)
    assert no_stand_up(MONDAY, days=weekdays, holidays=frozenset({MONDAY}), paused=False)
    assert no_stand_up(MONDAY, days=weekdays, holidays=none, paused=True)


# --------------------------------------------------------------------------- the grammar


@pytest.mark.parametrize(
    ("typed", "ref", "value"),
    [
        ('#12 next "send the proposal" friday', DealNumber(12), '"send the proposal" friday'),
        ("#12 next send the proposal friday", DealNumber(12), "send the proposal friday"),
        ("#12 next done", DealNumber(12), "done"),
        ("12 NEXT clear", DealNumber(12), "clear"),
        ('Acme next "call" friday', CustomerName("Acme"), '"call" friday'),
        ("Acme next call friday", CustomerName("Acme"), "call friday"),
        ('Big Co next "call" friday', CustomerName("Big Co"), '"call" friday'),
        ("Big Co nextstep call friday", CustomerName("Big Co"), "call friday"),
        ("#12 next: call friday", DealNumber(12), "call friday"),
        ('#12 下一步 "发报价" 周五', DealNumber(12), '"发报价" 周五'),
        ("#12 下一步：发报价 周五", DealNumber(12), "发报价 周五"),
        ("华为 下一步 完成", CustomerName("华为"), "完成"),
    ],
)
def test_the_grammar_reads_next_as_a_field(typed: str, ref: object, value: str) -> None:
    assert parse_deal_command(typed) == Update(ref, (("next", value),))  # type: ignore[arg-type]


def test_next_combines_with_other_fields() -> None:
    parsed = parse_deal_command('#12 stage proposal next "call" friday close eom')
    assert parsed == Update(
        DealNumber(12), (("stage", "proposal"), ("next", '"call" friday'), ("close", "eom"))
    )


@pytest.mark.parametrize(
    ("typed", "changes"),
    [
        # Plain "next" where a date can mean it stays a date, or a name.
        ("#12 close next friday", (("close", "next friday"),)),
        ("#12 close next month", (("close", "next month"),)),
        ("Acme Next stage won", (("stage", "won"),)),
        ("#12 note call them next friday", (("note", "call them next friday"),)),
    ],
)
def test_plain_next_is_a_keyword_only_where_no_date_means_it(
    typed: str, changes: tuple[tuple[str, str], ...]
) -> None:
    parsed = parse_deal_command(typed)
    assert isinstance(parsed, Update) and parsed.changes == changes
    if typed.startswith("Acme"):
        assert parsed.ref == CustomerName("Acme Next")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("#12 next", "“next” needs a value after it."),
        ('#12 next "a" friday next "b" monday', "“next” is given twice."),
        ('#12 next "a friday', "with no closing quote"),
    ],
)
def test_a_wrong_next_clause_is_refused_with_its_usage(typed: str, message: str) -> None:
    parsed = parse_deal_command(typed)
    assert isinstance(parsed, ParseError)
    assert message in parsed.message
    assert parsed.usage == USAGE["next"]


@pytest.mark.parametrize(
    "word", ["nextstep", "missing", "next", "下一步", "没有下一步", "NEXT-STEP"]
)
def test_list_nextstep_and_its_aliases(word: str) -> None:
    assert parse_deal_command(f"list {word}") == List("nextstep", None, None)


@pytest.mark.parametrize("topic", ["next", "下一步", "nextstep"])
def test_help_has_a_next_step_topic(topic: str) -> None:
    parsed = parse_deal_command(f"help {topic}")
    assert getattr(parsed, "topic", None) == "next"
