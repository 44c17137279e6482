"""A CRM export's amounts: commas only as thousands separators; a decimal comma is refused,
never misread."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.crm_exports.values import BadValue, amount_of


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("12000", "12000"),
        ("12,000", "12000"),
        ("1,234,567.89", "1234567.89"),
        ("$12,000.50", "12000.50"),
        ("CNY 58,000", "58000"),
        ("-1,000", "-1000"),
        ("12.5", "12.5"),
        (33000.5, "33000.5"),
    ],
)
def test_amounts_with_thousands_separators(cell: str | float, value: str) -> None:
    assert amount_of(cell) == Decimal(value)


@pytest.mark.parametrize("cell", ["1.234,56", "12,5", "1,23", "1234,567", "12,000,00", ",500"])
def test_a_comma_that_is_no_thousands_separator_is_refused(cell: str) -> None:
    with pytest.raises(BadValue, match="comma") as refused:
        amount_of(cell)
    assert cell in str(refused.value)
