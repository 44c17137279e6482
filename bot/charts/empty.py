"""A friendly card shown instead of a chart when there is nothing to plot."""

from __future__ import annotations

from matplotlib.figure import Figure

from bot.charts.canvas import new_figure, set_title, to_png
from bot.charts.style import CARD, GREY, font, label

__all__ = ["build_empty", "empty_chart"]

_MESSAGE_PT = 26.0
_MESSAGE_COLUMNS = 60


def build_empty(message: str, *, title: str) -> Figure:
    """Build the "nothing yet" card as a Figure."""
    figure = new_figure(4.0)
    axes = figure.add_subplot()
    axes.set_axis_off()
    set_title(axes, title)
    axes.text(
        0.5,
        0.5,
        label(message, _MESSAGE_COLUMNS),
        ha="center",
        va="center",
        color=GREY,
        fontproperties=font(_MESSAGE_PT),
        parse_math=False,
        bbox={"boxstyle": "round,pad=1.2", "facecolor": CARD, "edgecolor": "none"},
    )
    return figure


def empty_chart(message: str, *, title: str) -> bytes:
    """Render a friendly "no deals yet" card as PNG bytes."""
    return to_png(build_empty(message, title=title))
