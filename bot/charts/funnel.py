"""Stage conversion: one row per stage, then Won, each bar as long as the number of closed
deals that reached it, labelled with the percent of the row above that got there."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from bot.charts.canvas import to_png
from bot.charts.data import FunnelStep
from bot.charts.empty import build_empty
from bot.charts.rows import BAR_PT, Row, Stack, stacked
from bot.charts.style import BLUE, CARD, GREEN, NAME_COLUMNS, label, word
from bot.domain.progress import percent_label

__all__ = ["build_funnel", "funnel_chart"]


def _row(step: FunnelStep, first: bool) -> Row:
    """Return a step's texts: "Qualified (9)" and "75.0%" (of the row above)."""
    if first:
        value = "100%"
    elif step.from_above is None:
        value = "—"
    else:
        value = percent_label(step.from_above)
    return Row(label(step.label, NAME_COLUMNS), value, suffix=f" ({step.reached:,})")


def _draw_bars(stack: Stack, steps: Sequence[FunnelStep]) -> None:
    """Draw each step's bar over a light track as long as the first step's."""
    for index, step in enumerate(steps):
        centre = stack.bar_centre(index)
        stack.axes.barh(centre, stack.end, height=BAR_PT, color=CARD)
        if step.reached > 0:
            colour = GREEN if step.won else BLUE
            stack.axes.barh(centre, float(step.reached), height=BAR_PT, color=colour)


def build_funnel(steps: Sequence[FunnelStep], *, title: str, lang: str = "en") -> Figure:
    """Build the stage conversion chart as a Figure."""
    if not steps or max(step.reached for step in steps) <= 0:
        return build_empty(word("no_closed", lang), title=title)
    end = float(max(step.reached for step in steps))
    rows = [_row(step, index == 0) for index, step in enumerate(steps)]
    stack = stacked(rows, title=title, end=end)
    _draw_bars(stack, steps)
    stack.caption(end / 2, word("funnel_caption", lang))
    return stack.figure


def funnel_chart(steps: Sequence[FunnelStep], *, title: str, lang: str = "en") -> bytes:
    """Render the stage conversion of the closed deals as PNG bytes."""
    return to_png(build_funnel(steps, title=title, lang=lang))
