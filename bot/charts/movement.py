"""How the open pipeline moved: a waterfall, one row per step. The first and last rows are
totals; each row between floats from the running total before it to the one after (up: new
deals and increases; down: decreases, lost and won).

A week moves a big pipeline by a few percent, which bars from zero would draw as slivers: when
the steps stay within the top half of the scale, the scale starts at a round amount below the
lowest running total instead, and a caption under the bars says where. A week in which
nothing moved is drawn from zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from matplotlib.figure import Figure

from bot.charts.canvas import to_png
from bot.charts.data import MovementStep
from bot.charts.empty import build_empty
from bot.charts.money import chart_amount
from bot.charts.rows import BAR_PT, Row, Stack, stacked
from bot.charts.style import BLUE, GREEN, NAME_COLUMNS, SKY_BLUE, VERMILLION, label, word

__all__ = ["build_movement", "movement_chart"]

_MINUS = "\u2212"
_COLOURS = {"total": BLUE, "up": SKY_BLUE, "down": VERMILLION, "won": GREEN}


def _spans(steps: Sequence[MovementStep]) -> list[tuple[Decimal, Decimal]]:
    """Return where each bar starts and ends on the amount scale."""
    running = Decimal(0)
    spans = []
    for step in steps:
        amount = max(step.amount, Decimal(0))
        if step.kind == "total":
            running = amount
            spans.append((Decimal(0), amount))
        elif step.kind == "up":
            spans.append((running, running + amount))
            running += amount
        else:
            # Never below zero, even if the steps given do not add up.
            low = max(running - amount, Decimal(0))
            spans.append((low, running))
            running = low
    return spans


def _value(step: MovementStep, currency: str, lang: str) -> str:
    """Return a step's amount with its sign: "¥1.2M", "+¥300k", "−¥20k"."""
    amount = chart_amount(max(step.amount, Decimal(0)), currency, lang)
    if step.kind == "total":
        return amount
    return ("+" if step.kind == "up" else _MINUS) + amount


def _base(spans: Sequence[tuple[Decimal, Decimal]], steps: Sequence[MovementStep]) -> Decimal:
    """Return where the scale starts: zero, or a round amount under the lowest total."""
    highest = max(high for _low, high in spans)
    lowest = min(
        high if step.kind == "total" else low
        for step, (low, high) in zip(steps, spans, strict=True)
    )
    # Nothing moved: there is no step to magnify, and a scale from below the total would
    # show the pipeline as a sliver (or, for a round total, run from it to itself).
    if lowest <= 0 or highest == lowest or highest - lowest >= highest / 2:
        return Decimal(0)
    below = lowest - (highest - lowest) / 4
    if below <= 0:
        return Decimal(0)
    # Two significant digits, rounded down: a caption that reads as the scale is drawn.
    unit = Decimal(1).scaleb(below.adjusted() - 1)
    return (below / unit).to_integral_value(rounding=ROUND_FLOOR) * unit


def _draw_bars(stack: Stack, steps: Sequence[MovementStep], base: Decimal) -> None:
    for index, (step, (low, high)) in enumerate(zip(steps, _spans(steps), strict=True)):
        low = max(low, base)
        if high > low:
            stack.axes.barh(
                stack.bar_centre(index),
                float(high - low),
                left=float(low),
                height=BAR_PT,
                color=_COLOURS[step.kind],
            )


def build_movement(
    steps: Sequence[MovementStep], *, title: str, currency: str, lang: str = "en"
) -> Figure:
    """Build the pipeline movement waterfall as a Figure."""
    if not steps:
        return build_empty(word("no_data", lang), title=title)
    spans = _spans(steps)
    highest = max(high for _low, high in spans)
    end = float(highest) if highest > 0 else 1.0
    base = _base(spans, steps)
    rows = [Row(label(s.label, NAME_COLUMNS), _value(s, currency, lang)) for s in steps]
    stack = stacked(rows, title=title, end=end)
    stack.axes.set_xlim(float(base), end)
    _draw_bars(stack, steps, base)
    if base > 0:
        stack.caption(end / 2, word("scale_from", lang, amount=chart_amount(base, currency, lang)))
    return stack.figure


def movement_chart(
    steps: Sequence[MovementStep], *, title: str, currency: str, lang: str = "en"
) -> bytes:
    """Render how the open pipeline moved as PNG bytes."""
    return to_png(build_movement(steps, title=title, currency=currency, lang=lang))
