"""Money on a chart: the compact form every message uses (bot.domain.amounts), so a chart and
the message it comes with write each amount alike (¥1.02M beside ¥761k, ¥66.2万)."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.amounts import format_amount

__all__ = ["chart_amount"]


def chart_amount(amount: Decimal, currency: str, lang: str = "en") -> str:
    """Format money for a chart label: "¥1.02M", "$8.82k", "¥66.2万", "¥8,820"."""
    return format_amount(amount, currency, lang=lang)
