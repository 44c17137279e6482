"""Money on a chart: one compact form, three significant digits, in both languages."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bot.charts import MemberBar, StageBar
from bot.charts.member_progress import build_member_progress
from bot.charts.money import chart_amount
from bot.charts.pipeline import build_pipeline
from tests.charts.helpers import drawn, role_strings


@pytest.mark.parametrize(
    ("amount", "en", "zh"),
    [
        ("1020000", "¥1.02M", "¥102万"),
        ("662300", "¥662k", "¥66.2万"),
        ("97300", "¥97.3k", "¥9.73万"),
        ("12000", "¥12k", "¥1.2万"),
        ("1205000", "¥1.21M", "¥121万"),  # half-up
        ("999950", "¥1M", "¥100万"),  # rounds up into the next unit, not "1,000k"
        ("999.5", "¥1k", "¥1,000"),
        ("8824", "¥8.82k", "¥8,820"),
        ("0", "¥0", "¥0"),
        ("1", "¥1", "¥1"),
        ("0.5", "¥0.5", "¥0.5"),
        ("0.004", "¥0", "¥0"),  # never finer than a cent
        ("123456789", "¥123M", "¥1.23亿"),
        ("1000000000000", "¥1T", "¥1万亿"),
        ("-45000", "-¥45k", "-¥4.5万"),
    ],
)
def test_three_significant_digits(amount: str, en: str, zh: str) -> None:
    assert chart_amount(Decimal(amount), "CNY") == en
    assert chart_amount(Decimal(amount), "CNY", "zh") == zh


@pytest.mark.parametrize(
    ("currency", "shown"), [("USD", "$1.02M"), ("JPY", "JP¥1.02M"), ("CHF", "CHF 1.02M")]
)
def test_the_currency_is_written_as_in_messages(currency: str, shown: str) -> None:
    assert chart_amount(Decimal(1_020_000), currency) == shown


_COMPACT = re.compile(r"¥\d{1,3}(\.\d{1,2})?[kMBT]?")


def test_one_chart_has_one_money_form() -> None:
    """The demo's pipeline of 23 Nov showed ¥1M beside ¥761.3k; now every amount has three
    significant digits, whatever its unit."""
    stages = [
        StageBar("Lead", 20, Decimal(973_000), Decimal(97_300)),
        StageBar("Negotiation", 20, Decimal(1_015_000), Decimal(761_250)),
    ]
    values = role_strings(drawn(build_pipeline(stages, title="P", currency="CNY")), "value")
    assert values == ["¥973k · weighted ¥97.3k", "¥1.02M · weighted ¥761k"]
    members = [MemberBar("Ann", Decimal(661_300), Decimal(1_024_000))]
    figure = drawn(build_member_progress(members, title="P", currency="CNY"))
    (shown,) = role_strings(figure, "value")
    assert shown == "64.6%  ¥661k / ¥1.02M"
    amounts = re.findall(r"¥[\d.,]+[kMBT]?", " ".join([*values, shown]))
    assert all(_COMPACT.fullmatch(a) for a in amounts), amounts
    assert all(len(a.strip("¥kMBT").replace(".", "")) <= 3 for a in amounts), amounts
