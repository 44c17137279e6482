"""The layout the member and pipeline charts share: one row per line, its name on the left
and its numbers on the right, with the bar underneath across the whole width.

Text sits above its bar and never beside it, so a line drawn through the bars (the 100%
target) crosses no text, and the bars get the full width of a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.charts.canvas import (
    CONTENT_PT,
    MARGIN_PT,
    TITLE_BAND_PT,
    add_axes,
    add_title,
    caption_shift,
    fit,
    new_figure,
    text_width,
)
from bot.charts.style import BLACK, GREY, LABEL_PT, SMALL_PT, WIDTH_PT, font, line_height

__all__ = ["BAR_PT", "CAPTION_BAND_PT", "Row", "Stack", "stacked"]

# From the top of a row: its line of text, a gap, the bar, the gap before the next row.
_TEXT_GAP_PT = 2.5
BAR_PT = 9.0
_ROW_GAP_PT = 7.0
_ROW_PT = line_height(LABEL_PT) + _TEXT_GAP_PT + BAR_PT + _ROW_GAP_PT
# Between a row's name and its numbers, at the least.
_NAME_GAP_PT = 10.0
_MIN_NAME_PT = 60.0
# Under the last row: a caption or legend line.
CAPTION_BAND_PT = 3.0 + line_height(SMALL_PT)


@dataclass(frozen=True)
class Row:
    """One row's texts: ``name`` (cut to fit) then ``suffix`` (kept whole), and ``value``."""

    name: str
    value: str
    suffix: str = ""
    muted: bool = False


@dataclass(frozen=True)
class Stack:
    """A drawn frame of rows: bars go on ``axes``, whose y unit is one point from the top
    of the first row and whose x runs from 0 to ``end``."""

    figure: Figure
    axes: Axes
    count: int
    end: float
    rows_top: float

    def bar_top(self, index: int) -> float:
        """Return the y of the top of a row's bar."""
        return index * _ROW_PT + line_height(LABEL_PT) + _TEXT_GAP_PT

    def bar_centre(self, index: int) -> float:
        """Return the y of the middle of a row's bar."""
        return self.bar_top(index) + BAR_PT / 2

    def caption(self, x: float, text: str) -> Text:
        """Write a caption under the rows, centred under x (in bar units) where it fits."""
        centre = MARGIN_PT + CONTENT_PT * x / self.end
        centre += caption_shift(self.figure, text, SMALL_PT, centre)
        figure_height = float(self.figure.get_figheight()) * 72
        return self.figure.text(
            centre / WIDTH_PT,
            1 - self.caption_top / figure_height,
            text,
            ha="center",
            va="top",
            color=BLACK,
            fontproperties=font(SMALL_PT),
            parse_math=False,
            gid="caption",
        )

    @property
    def caption_top(self) -> float:
        """Return the top of the caption line, in points from the figure's top."""
        return self.rows_top + self.count * _ROW_PT


def _write_row(stack: Stack, index: int, row: Row) -> None:
    """Write a row's name at the left and its value at the right, just above its bar."""
    figure, axes = stack.figure, stack.axes
    # Numbers are only ever cut when absurd (a 10^16 percent): the name keeps some room.
    value = fit(figure, row.value, LABEL_PT, CONTENT_PT - _MIN_NAME_PT) if row.value else ""
    value_width = text_width(figure, value, LABEL_PT) if value else 0.0
    room = CONTENT_PT - (value_width + _NAME_GAP_PT if value else 0.0)
    name = fit(figure, row.name, LABEL_PT, room - text_width(figure, row.suffix, LABEL_PT))
    baseline = stack.bar_top(index) - _TEXT_GAP_PT
    colour = GREY if row.muted else BLACK
    where = axes.get_yaxis_transform()
    for x, text, align, gid in (
        (0.0, name + row.suffix, "left", "name"),
        (1.0, value, "right", "value"),
    ):
        if text:
            axes.text(
                x,
                baseline,
                text,
                transform=where,
                ha=align,
                va="bottom",
                color=colour,
                fontproperties=font(LABEL_PT),
                parse_math=False,
                gid=gid,
            )


def stacked(rows: Sequence[Row], *, title: str, end: float) -> Stack:
    """Draw the title and each row's texts on a figure as tall as the rows need, with room
    for a caption line under them; the caller draws bars from 0 to ``end``."""
    rows_top = MARGIN_PT + TITLE_BAND_PT
    height = len(rows) * _ROW_PT
    figure = new_figure(rows_top + height + CAPTION_BAND_PT + MARGIN_PT)
    add_title(figure, title)
    axes = add_axes(figure, left=MARGIN_PT, top=rows_top, width=CONTENT_PT, height=height)
    axes.set_xlim(0, end)
    axes.set_ylim(height, 0)
    stack = Stack(figure, axes, len(rows), end, rows_top)
    for index, row in enumerate(rows):
        _write_row(stack, index, row)
    return stack
