"""Funnel maths and the `/deal insights` grammar."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.funnel import (
    Closed,
    Movement,
    Span,
    conversions,
    days,
    median,
    movement,
    outcomes_of,
    rate,
    reached_counts,
)
from bot.domain.grammar import ParseError
from bot.domain.insights_command import InsightsArgs, parse_insights_args


def test_rates_round_half_up_to_a_tenth_and_nothing_has_no_rate() -> None:
    assert rate(1, 3) == Decimal("33.3")
    assert rate(2, 3) == Decimal("66.7")
    assert rate(1, 8) == Decimal("12.5")
    assert rate(0, 0) is None


def test_days_and_medians() -> None:
    assert days(86_400 * 10) == Decimal("10.0")
    assert days(4 * 3_600) == Decimal("0.2")  # 0.1667 days
    assert days(None) is None
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 10]) == 3
    assert median([]) is None


def test_outcomes_of_deals() -> None:
    deals = [
        Closed(True, Decimal(10_000), 10 * 86_400),
        Closed(True, Decimal(30_000), 7 * 86_400),
        Closed(False, Decimal(40_000)),
    ]
    o = outcomes_of(deals)
    assert (o.won, o.lost, o.closed) == (2, 1, 3)
    assert (o.win_rate, o.amount_win_rate) == (Decimal("66.7"), Decimal("50.0"))
    assert o.average_won == Decimal("20000.00")
    assert (o.average_cycle_days, o.median_cycle_days) == (Decimal("8.5"), Decimal("8.5"))
    empty = outcomes_of([])
    assert (empty.win_rate, empty.average_won, empty.average_cycle_days) == (None, None, None)


def test_reached_counts_every_deal_at_the_first_step_and_every_win_at_all() -> None:
    # Furthest step per deal: two won (index 4 of 5), one at Proposal (2), one with no open
    # stage in its history (None: counts at the first).
    assert reached_counts({4: 2, 2: 1, None: 1}, 5) == [4, 3, 3, 2, 2]
    assert conversions([4, 3, 3, 2, 2]) == [
        Decimal("75.0"),
        Decimal("100.0"),
        Decimal("66.7"),
        Decimal("100.0"),
        None,
    ]
    assert conversions([0, 0]) == [None, None]


@given(st.dictionaries(st.integers(0, 4), st.integers(1, 50), min_size=1))
def test_conversions_multiply_to_the_win_rate(furthest: dict[int, int]) -> None:
    reached = reached_counts(dict(furthest), 5)
    product = Decimal(1)
    for index in range(4):
        product *= Decimal(reached[index + 1]) / Decimal(reached[index]) if reached[index] else 0
    assert abs(product - Decimal(reached[-1]) / Decimal(reached[0])) < Decimal("1e-20")


def _span(start: int | None, end: int | None, closed: str | None = None) -> Span:
    return Span(
        open_at_start=start is not None,
        start_value=Decimal(start or 0),
        open_at_end=end is not None and closed is None,
        end_value=Decimal(end or 0),
        closed_as=closed,  # type: ignore[arg-type]
    )


def test_movement_of_each_kind_of_deal() -> None:
    moved = movement(
        [
            _span(100, 120),  # raised
            _span(50, 40),  # lowered
            _span(None, 30),  # new
            _span(80, 90, "won"),  # raised, then won at 90
            _span(20, 20, "lost"),  # lost
            _span(None, 5, "won"),  # created and won in the span
            _span(10, None),  # left the team's pipeline otherwise
        ]
    )
    assert moved == Movement(
        start=Decimal(260),
        new=Decimal(35),
        increased=Decimal(30),
        decreased=Decimal(20),
        lost=Decimal(20),
        won=Decimal(95),
        end=Decimal(190),
    )
    assert moved.end == 120 + 40 + 30


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 10**6)),
            st.integers(0, 10**6),
            st.sampled_from([None, "won", "lost", "open"]),
        ),
        max_size=40,
    )
)
def test_movement_always_adds_up_to_what_is_open_at_the_end(
    deals: list[tuple[int | None, int, str | None]],
) -> None:
    spans = [
        _span(start, None if how is None else value, how if how in ("won", "lost") else None)
        for start, value, how in deals
    ]
    moved = movement(spans)
    assert moved.end == sum((s.end_value for s in spans if s.open_at_end), Decimal(0))
    assert min(moved.new, moved.increased, moved.decreased, moved.lost, moved.won) >= 0


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("", InsightsArgs()),
        ("quarter", InsightsArgs("quarter")),
        ("last month", InsightsArgs("last month")),
        ("quarterly team", InsightsArgs("quarter")),
        ("季度", InsightsArgs("quarter")),
        ("<@U2|bob> Q1 2027", InsightsArgs("Q1 2027", "U2")),
        ("by owner", InsightsArgs(by="owner")),
        ("last month BY Owner", InsightsArgs("last month", by="owner")),
        ("本季度 按负责人", InsightsArgs("quarter", by="负责人")),
        ("按 负责人 上月", InsightsArgs("上月", by="负责人")),
        ("by industry", InsightsArgs(by="industry")),
        ("2026-10-01..2026-12-31 团队", InsightsArgs("2026-10-01..2026-12-31")),
    ],
)
def test_insights_words(text: str, args: InsightsArgs) -> None:
    assert parse_insights_args(text) == args


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("by", "Split by what"),
        ("by owner by rep", "one thing at a time"),
        ("<@U2> <@U3>", "one person"),
        ('"quarter', "closing quote"),
        ("x" * 61, "don't understand"),
    ],
)
def test_insights_refusals(text: str, said: str) -> None:
    refused = parse_insights_args(text)
    assert isinstance(refused, ParseError) and said in refused.message
    assert "/deal insights" in refused.usage
