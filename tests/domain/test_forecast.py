"""The forecast's rules: category words, stage defaults, what counts in a period, accuracy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.forecast import (
    CategoryError,
    ForecastArgs,
    accuracy,
    counts_in,
    default_category,
    parse_category,
    parse_forecast_args,
    stage_category,
    week_of,
    weighted,
)
from bot.domain.grammar import ParseError
from bot.domain.periods import Period
from bot.domain.stages import DEFAULT_STAGES, Stage


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("commit", "commit"),
        ("Commit", "commit"),
        ("承诺", "commit"),
        ("best case", "best_case"),
        ("Best  Case", "best_case"),
        ("best_case", "best_case"),
        ("最佳", "best_case"),
        ("pipeline", "pipeline"),
        ("管道", "pipeline"),
        ("omitted", "omitted"),
        ("排除", "omitted"),
        ("auto", "auto"),
        ("自动", "auto"),
    ],
)
def test_category_words_in_both_languages(typed: str, category: str) -> None:
    assert parse_category(typed) == category


@pytest.mark.parametrize("typed", ["", "maybe", "commits", "best cases", "承"])
def test_other_words_are_refused_naming_the_choices(typed: str) -> None:
    with pytest.raises(CategoryError, match="commit, best case, pipeline, omitted or auto"):
        parse_category(typed)


def test_negotiation_and_later_open_stages_are_best_case_by_default() -> None:
    stages = [*DEFAULT_STAGES, Stage("contract", "Contract", Decimal("0.9"), "open", 5)]
    found = {s.key: default_category(s, stages) for s in stages if s.kind == "open"}
    assert found == {
        "lead": "pipeline",
        "qualified": "pipeline",
        "proposal": "pipeline",
        "negotiation": "best_case",
        "contract": "best_case",
    }


def test_without_a_negotiation_stage_everything_is_pipeline() -> None:
    stages = [s for s in DEFAULT_STAGES if s.key != "negotiation"]
    assert {default_category(s, stages) for s in stages} == {"pipeline"}


def test_a_managers_choice_wins_over_the_default_and_unknown_values_do_not() -> None:
    proposal = DEFAULT_STAGES[2]
    assert stage_category(proposal, DEFAULT_STAGES, "commit") == "commit"
    assert stage_category(proposal, DEFAULT_STAGES, None) == "pipeline"
    assert stage_category(proposal, DEFAULT_STAGES, "someday") == "pipeline"


DECEMBER = Period("month", date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("close", "counts"),
    [
        (None, True),
        (date(2026, 11, 20), True),  # overdue: it can still close this month
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
    ],
)
def test_an_open_deal_counts_unless_it_closes_after_the_period(
    close: date | None, counts: bool
) -> None:
    assert counts_in(close, DECEMBER, date(2026, 12, 7)) is counts


def test_a_period_not_begun_leaves_out_what_is_due_before_it() -> None:
    today = date(2026, 11, 20)
    assert not counts_in(date(2026, 11, 25), DECEMBER, today)
    assert counts_in(date(2026, 12, 2), DECEMBER, today)
    assert counts_in(None, DECEMBER, today)


def test_a_call_belongs_to_the_week_of_its_monday() -> None:
    assert week_of(date(2026, 12, 7)) == date(2026, 12, 7)
    assert week_of(date(2026, 12, 13)) == date(2026, 12, 7)
    assert week_of(date(2026, 12, 14)) == date(2026, 12, 14)


@pytest.mark.parametrize(
    ("won", "commit", "percent"),
    [
        ("72000", "80000", "90.0"),
        ("72000", "72000", "100.0"),
        ("82000", "130000", "63.1"),  # 63.0769…
        ("82000", "112000", "73.2"),  # 73.2142…
        ("1", "3", "33.3"),
        ("2", "3", "66.7"),
        ("10000", "0", None),
    ],
)
def test_accuracy_is_won_over_commit_half_up_to_a_tenth(
    won: str, commit: str, percent: str | None
) -> None:
    found = accuracy(Decimal(won), Decimal(commit))
    assert found == (None if percent is None else Decimal(percent))


def test_weighted_is_half_up_to_the_cent() -> None:
    assert weighted(Decimal("50000"), Decimal("0.75")) == Decimal("37500.00")
    assert weighted(Decimal("0.05"), Decimal("0.5")) == Decimal("0.03")


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("", ForecastArgs()),
        ("team", ForecastArgs()),
        ("团队", ForecastArgs()),
        ("mine", ForecastArgs(mine=True)),
        ("<@U2|bob>", ForecastArgs(user_id="U2")),
        ("next month <@U2>", ForecastArgs("next month", "U2")),
        ("本季度 团队", ForecastArgs("本季度")),
        ("Q1 2027 mine", ForecastArgs("Q1 2027", mine=True)),
    ],
)
def test_forecast_arguments(text: str, args: ForecastArgs) -> None:
    assert parse_forecast_args(text) == args


@pytest.mark.parametrize("text", ["<@U2> <@U3>", "mine <@U2>", "@bob"])
def test_forecast_arguments_refused(text: str) -> None:
    assert isinstance(parse_forecast_args(text), ParseError)
