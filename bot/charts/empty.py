"""A friendly card shown instead of a chart when there is nothing to plot."""

from __future__ import annotations

from matplotlib.figure import Figure

from bot.charts.canvas import (
    CONTENT_PT,
    MARGIN_PT,
    TITLE_BAND_PT,
    add_title,
    fit,
    new_figure,
    to_png,
)
from bot.charts.style import CARD, GREY, font, label, line_height

__all__ = ["build_empty", "empty_chart"]

_MESSAGE_PT = 12.0
_MESSAGE_COLUMNS = 60
# The grey card's padding around the message, in points.
_PAD_PT = 12.0
_CARD_PT = line_height(_MESSAGE_PT) + 2 * _PAD_PT + 4.0


def build_empty(message: str, *, title: str) -> Figure:
    """Build the "nothing yet" card as a Figure."""
    figure = new_figure(MARGIN_PT + TITLE_BAND_PT + _CARD_PT + MARGIN_PT)
    add_title(figure, title)
    height = float(figure.get_figheight()) * 72
    shown = fit(figure, label(message, _MESSAGE_COLUMNS), _MESSAGE_PT, CONTENT_PT - 2 * _PAD_PT)
    figure.text(
        0.5,
        1 - (MARGIN_PT + TITLE_BAND_PT + _CARD_PT / 2) / height,
        shown,
        ha="center",
        va="center",
        color=GREY,
        fontproperties=font(_MESSAGE_PT),
        parse_math=False,
        gid="message",
        bbox={
            "boxstyle": f"round,pad={_PAD_PT / _MESSAGE_PT}",
            "facecolor": CARD,
            "edgecolor": "none",
        },
    )
    return figure


def empty_chart(message: str, *, title: str) -> bytes:
    """Render a friendly "no deals yet" card as PNG bytes."""
    return to_png(build_empty(message, title=title))
