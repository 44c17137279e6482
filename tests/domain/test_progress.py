from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.periods import Period
from bot.domain.progress import (
    DEFAULT_TIERS,
    Entry,
    Progress,
    Tier,
    percent_of,
    progress,
    rank,
    split_equal,
    split_weighted,
    tiers_reached,
)

D = date
N = Decimal
DECEMBER = Period("month", D(2026, 12, 1), D(2026, 12, 31))


def test_progress_mid_december() -> None:
    # December 2026 starts on a Tuesday: 4 + 5 + 5 + 5 + 4 = 23 working days.
    # On Wednesday the 16th, Dec 1–15 are gone (4 + 5 + 2 = 11 days) and 12 are left
    # (Wed 16 – Fri 18, 21–25, Mon 28 – Thu 31).
    result = progress(N(100000), N(62000), DECEMBER, D(2026, 12, 16))
    assert result == Progress(
        target=N(100000),
        achieved=N(62000),
        percent=N("62.0"),
        remaining=N("38000.00"),
        working_days_total=23,
        working_days_left=12,
        # 100000 × 11 / 23 = 47826.0869… → 47826.09
        expected=N("47826.09"),
        on_track=True,
        # 12 days = 2.4 weeks; 38000 / 2.4 = 15833.333… rounded up to the cent.
        weekly_needed=N("15833.34"),
    )
    assert result.bar() == "▓▓▓▓▓▓░░░░"


def test_progress_with_a_holiday() -> None:
    # Christmas off: 22 days in total, 11 left, 11 gone → expected exactly half.
    result = progress(N(100000), N(40000), DECEMBER, D(2026, 12, 16), frozenset({D(2026, 12, 25)}))
    assert (result.working_days_total, result.working_days_left) == (22, 11)
    assert result.expected == N("50000.00")
    assert not result.on_track
    # 11 days = 2.2 weeks; 60000 / 2.2 = 27272.7272… → 27272.73
    assert result.weekly_needed == N("27272.73")


@pytest.mark.parametrize(
    ("today", "left", "expected", "weekly"),
    [
        # Before it starts: nothing expected yet, the whole period ahead (4.6 weeks).
        (D(2026, 11, 20), 23, N("0.00"), N("21739.14")),
        # On the first day nothing is expected yet.
        (D(2026, 12, 1), 23, N("0.00"), N("21739.14")),
        # A Saturday: Dec 1–18 gone (14 days), Mon 21 – Thu 31 left (9).
        # 100000 × 14 / 23 = 60869.565… ; 100000 / 1.8 = 55555.555…
        (D(2026, 12, 19), 9, N("60869.57"), N("55555.56")),
        # The last week (4 days left): the whole remainder is needed this week.
        (D(2026, 12, 28), 4, N("82608.70"), N("100000.00")),
        (D(2026, 12, 31), 1, N("95652.17"), N("100000.00")),
        # After the end: all of it expected, all of the remainder still needed.
        (D(2027, 1, 4), 0, N("100000.00"), N("100000.00")),
    ],
)
def test_progress_through_the_period(
    today: date, left: int, expected: Decimal, weekly: Decimal
) -> None:
    result = progress(N(100000), N(0), DECEMBER, today)
    assert result.working_days_left == left
    assert result.expected == expected
    assert result.weekly_needed == weekly
    assert result.on_track == (expected == 0)


def test_target_exceeded() -> None:
    result = progress(N(100000), N(150000), DECEMBER, D(2026, 12, 16))
    assert result.percent == N("150.0")
    assert result.remaining == N("0.00")
    assert result.weekly_needed == N("0.00")
    assert result.on_track
    assert result.bar() == "▓▓▓▓▓▓▓▓▓▓+"


def test_period_without_working_days() -> None:
    weekend = Period("range", D(2026, 12, 19), D(2026, 12, 20))
    during = progress(N(10), N(3), weekend, D(2026, 12, 19))
    assert (during.working_days_total, during.working_days_left) == (0, 0)
    assert during.expected == N("0.00")
    assert during.weekly_needed == N("7.00")
    after = progress(N(10), N(3), weekend, D(2026, 12, 21))
    assert after.expected == N("10.00")
    assert not after.on_track


def test_deal_counts_work_too() -> None:
    result = progress(N(10), N(4), DECEMBER, D(2026, 12, 16))
    assert result.percent == N("40.0")
    assert result.expected == N("4.78")  # 10 × 11 / 23
    assert not result.on_track


@pytest.mark.parametrize(
    ("achieved", "target", "percent"),
    [
        (N(1), N(3), N("33.3")),
        (N(2), N(3), N("66.7")),
        (N(1005), N(2000), N("50.3")),  # 50.25 rounds half up
        (N("999.49"), N(1000), N("99.9")),
        (N("999.5"), N(1000), N("100.0")),  # 99.95 rounds half up
        (N(0), N(1), N("0.0")),
        (N(5), N("0.01"), N("50000.0")),
    ],
)
def test_percent_of(achieved: Decimal, target: Decimal, percent: Decimal) -> None:
    assert percent_of(achieved, target) == percent
    assert str(percent_of(achieved, target)) == str(percent)


@pytest.mark.parametrize("target", [N(0), N(-100)])
def test_target_must_be_positive(target: Decimal) -> None:
    with pytest.raises(ValueError, match="more than zero"):
        progress(target, N(0), DECEMBER, D(2026, 12, 16))


# --- bar ------------------------------------------------------------------------------


def with_percent(percent: str) -> Progress:
    return Progress(N(100), N(percent), N(percent), N(0), 0, 0, N(0), True, N(0))


@pytest.mark.parametrize(
    ("percent", "width", "bar"),
    [
        ("0", 10, "░░░░░░░░░░"),
        ("-5", 10, "░░░░░░░░░░"),
        ("9.9", 10, "░░░░░░░░░░"),
        ("10", 10, "▓░░░░░░░░░"),
        ("62", 10, "▓▓▓▓▓▓░░░░"),
        ("99.9", 10, "▓▓▓▓▓▓▓▓▓░"),  # never full before the target is hit
        ("100", 10, "▓▓▓▓▓▓▓▓▓▓"),
        ("100.1", 10, "▓▓▓▓▓▓▓▓▓▓+"),
        ("150", 10, "▓▓▓▓▓▓▓▓▓▓+"),
        ("200", 10, "▓▓▓▓▓▓▓▓▓▓+"),
        ("200.1", 10, "▓▓▓▓▓▓▓▓▓▓++"),
        ("300", 10, "▓▓▓▓▓▓▓▓▓▓++"),
        ("1000", 10, "▓▓▓▓▓▓▓▓▓▓+++"),
        ("50", 5, "▓▓░░░"),
        ("60", 5, "▓▓▓░░"),
        ("50", 1, "░"),
        ("100", 1, "▓"),
    ],
)
def test_bar(percent: str, width: int, bar: str) -> None:
    assert with_percent(percent).bar(width) == bar


def test_bar_needs_a_cell() -> None:
    with pytest.raises(ValueError, match="at least one cell"):
        with_percent("50").bar(0)


# --- tiers ----------------------------------------------------------------------------


def test_default_tiers() -> None:
    expected = (
        Tier(N(50), "Halfway there", None),
        Tier(N(100), "Target hit", None),
        Tier(N(150), "Overachiever", None),
    )
    assert expected == DEFAULT_TIERS


@pytest.mark.parametrize(
    ("percent", "names"),
    [
        ("0", []),
        ("49.9", []),
        ("50", ["Halfway there"]),
        ("99.9", ["Halfway there"]),
        ("100", ["Halfway there", "Target hit"]),
        ("150.0", ["Halfway there", "Target hit", "Overachiever"]),
        ("400", ["Halfway there", "Target hit", "Overachiever"]),
    ],
)
def test_tiers_reached(percent: str, names: list[str]) -> None:
    assert [t.name for t in tiers_reached(N(percent), DEFAULT_TIERS)] == names


def test_tiers_reached_sorts_custom_tiers() -> None:
    gold = Tier(N(120), "Gold", N(2000))
    silver = Tier(N("80.5"), "Silver", None)
    bronze = Tier(N(60), "Bronze", N(500))
    assert tiers_reached(N(121), [gold, silver, bronze]) == [bronze, silver, gold]
    assert tiers_reached(N(80), [gold, silver, bronze]) == [bronze]
    assert tiers_reached(N(80), []) == []


# --- splits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "members", "unit", "expected"),
    [
        (N(100), ["a", "b", "c"], N("0.01"), ["33.34", "33.33", "33.33"]),
        (N("0.02"), ["a", "b", "c"], N("0.01"), ["0.01", "0.01", "0.00"]),
        (N(500000), ["a", "b"], N("0.01"), ["250000.00", "250000.00"]),
        (N(10), ["a", "b", "c"], N(1), ["4", "3", "3"]),
        (N(0), ["a", "b"], N("0.01"), ["0.00", "0.00"]),
        (N(0), [], N("0.01"), []),
    ],
)
def test_split_equal(
    total: Decimal, members: list[str], unit: Decimal, expected: list[str]
) -> None:
    result = split_equal(total, members, unit=unit)
    assert list(result) == members
    assert [str(v) for v in result.values()] == expected
    assert sum(result.values(), N(0)) == total


def test_split_equal_takes_any_key_type() -> None:
    assert split_equal(N(1), [7, 8]) == {7: N("0.50"), 8: N("0.50")}


@pytest.mark.parametrize(
    ("total", "members", "message"),
    [
        (N(100), [], "nobody to split"),
        (N(100), ["a", "a"], "only once"),
        (N(-1), ["a"], "zero or more"),
        (N("0.005"), ["a"], "not a whole number"),
        (N("NaN"), ["a"], "zero or more"),
    ],
)
def test_split_equal_refuses(total: Decimal, members: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_equal(total, members)


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (N(1000), {"a": N(1), "b": N(3)}, ["250.00", "750.00"]),
        (N(100), {"a": N(1), "b": N(1), "c": N(1)}, ["33.34", "33.33", "33.33"]),
        # Shares 66.666…, 33.333…: the larger remainder (.666…) gets the spare cent.
        (N(100), {"a": N(2), "b": N(1)}, ["66.67", "33.33"]),
        (N(100), {"a": N(1), "b": N(2)}, ["33.33", "66.67"]),
        (N(500000), {"a": N(60000), "b": N(0), "c": N(40000)}, ["300000.00", "0.00", "200000.00"]),
        # Nobody sold anything last time: fall back to equal.
        (N(100), {"a": N(0), "b": N(0), "c": N(0)}, ["33.34", "33.33", "33.33"]),
        (N(0), {"a": N(5)}, ["0.00"]),
    ],
)
def test_split_weighted(total: Decimal, weights: dict[str, Decimal], expected: list[str]) -> None:
    result = split_weighted(total, weights)
    assert list(result) == list(weights)
    assert [str(v) for v in result.values()] == expected


def test_split_weighted_in_whole_deals() -> None:
    result = split_weighted(N(10), {"a": N(5), "b": N(3), "c": N(2)}, unit=N(1))
    assert result == {"a": N(5), "b": N(3), "c": N(2)}


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"a": N(-1), "b": N(2)}, "zero or more"),
        ({"a": N("NaN")}, "zero or more"),
        ({"a": N("Infinity")}, "zero or more"),
        ({}, "nobody to split"),
    ],
)
def test_split_weighted_refuses(weights: dict[str, Decimal], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_weighted(N(100), weights)


_CENTS = st.integers(0, 10**14).map(lambda c: N(c) / 100)
_WEIGHTS = st.dictionaries(
    st.integers(0, 50),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
)


@given(_CENTS, _WEIGHTS)
def test_split_weighted_adds_up_exactly(total: Decimal, weights: dict[int, Decimal]) -> None:
    result = split_weighted(total, weights)
    assert sum(result.values(), N(0)) == total
    assert all(v >= 0 for v in result.values())
    assert all(v == v.quantize(N("0.01")) for v in result.values())
    weight_sum = sum(weights.values(), N(0))
    if weight_sum:
        # Nobody is more than a cent away from their exact share.
        for key, weight in weights.items():
            assert abs(result[key] - total * weight / weight_sum) < N("0.01")


@given(_CENTS, st.lists(st.text(max_size=3), unique=True, min_size=1, max_size=20))
def test_split_equal_adds_up_exactly(total: Decimal, members: list[str]) -> None:
    result = split_equal(total, members)
    assert sum(result.values(), N(0)) == total
    shares = sorted(result.values())
    assert shares[-1] - shares[0] <= N("0.01")


# --- rank -----------------------------------------------------------------------------


def test_rank() -> None:
    entries = [
        Entry("no-target-small", N(100), None),
        Entry("half", N(50000), N(100000)),
        Entry("over", N(30000), N(20000)),
        Entry("no-target-big", N(90000), None),
        Entry("half-bigger", N(75000), N(150000)),
        Entry("zero-target", N(500), N(0)),
        Entry("nothing", N(0), N(10000)),
    ]
    assert [e.key for e in rank(entries)] == [
        "over",  # 150%
        "half-bigger",  # 50%, more achieved
        "half",  # 50%
        "nothing",  # 0%
        "no-target-big",
        "zero-target",  # a zero target counts as none
        "no-target-small",
    ]


def test_rank_ties_on_shown_percent_go_by_amount() -> None:
    # 62.04% and 62.01% both show as 62.0%: the larger amount ranks first.
    a = Entry("a", N(6204), N(10000))
    b = Entry("b", N(62010), N(100000))
    assert rank([a, b]) == [b, a]


def test_rank_is_stable_for_full_ties() -> None:
    entries = [Entry(k, N(10), N(20)) for k in "abc"] + [Entry(k, N(5), None) for k in "xyz"]
    assert [e.key for e in rank(entries)] == list("abcxyz")
    assert rank([]) == []
