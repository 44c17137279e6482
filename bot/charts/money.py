"""Money on a chart: one compact form, three significant digits (¥1.02M, ¥662k, ¥97.3k).

Messages round short amounts to one decimal of their unit (bot.domain.amounts), which puts
¥1M beside ¥662.3k on one chart: one digit of precision beside four. A chart rounds every
amount to the same three significant digits instead, half-up, so bars read alike.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bot.charts.style import is_zh
from bot.domain.amounts import format_amount

__all__ = ["SIGNIFICANT_DIGITS", "chart_amount"]

SIGNIFICANT_DIGITS = 3
_CENT_EXPONENT = -2
_EN_UNITS = (
    (Decimal(10) ** 12, "T"),
    (Decimal(10) ** 9, "B"),
    (Decimal(10) ** 6, "M"),
    (Decimal(10) ** 3, "k"),
)
_ZH_UNITS = ((Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))


def _significant(value: Decimal) -> Decimal:
    """Round a non-negative value half-up to three significant digits, never below a cent."""
    if value == 0:
        return Decimal(0)
    exponent = max(value.adjusted() - (SIGNIFICANT_DIGITS - 1), _CENT_EXPONENT)
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def _number(value: Decimal, units: tuple[tuple[Decimal, str], ...]) -> str:
    """Return a non-negative amount in its largest unit: 1020000 -> "1.02M"."""
    # Rounded first, so 999,950 becomes 1.00M rather than "1,000k".
    rounded = _significant(value)
    for size, suffix in units:
        if rounded >= size:
            return f"{(rounded / size).normalize():,f}{suffix}"
    return f"{rounded.normalize():,f}"


def _symbol(currency: str, lang: str) -> str:
    """Return the currency's prefix exactly as messages write it ("¥", "JP¥", "CHF ")."""
    # format_amount writes zero as the prefix then "0": the chart keeps one currency style
    # with the bot's messages without a second symbol table.
    return format_amount(Decimal(0), currency, lang=lang).removesuffix("0")


def chart_amount(amount: Decimal, currency: str, lang: str = "en") -> str:
    """Format money for a chart label: "¥1.02M", "$8.82k", "¥66.2万", "¥8,820"."""
    units = _ZH_UNITS if is_zh(lang) else _EN_UNITS
    sign = "-" if amount < 0 else ""
    return f"{sign}{_symbol(currency, lang)}{_number(abs(amount), units)}"
