"""Figures drawn off-screen by Agg, and the PNG bytes they produce."""

from __future__ import annotations

import io
import struct
from decimal import Decimal
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.charts.style import (
    BLACK,
    DPI,
    FAMILIES,
    GREY,
    GRID,
    LABEL_PT,
    TITLE_COLUMNS,
    TITLE_PT,
    WIDTH_IN,
    font,
    label,
)
from bot.domain.amounts import format_amount

__all__ = ["amount_axis", "new_figure", "png_size", "set_title", "style_axes", "to_png"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PAD_IN = 0.25


def new_figure(height: float) -> Figure:
    """Create a detached 1200 px wide figure with its own Agg canvas."""
    # A bare Figure with its own canvas: nothing global keeps it alive after use.
    # Constrained layout keeps the pixel size fixed (unlike bbox_inches="tight") and
    # still makes room for long names; the padding keeps text off the image edge.
    layout = ConstrainedLayoutEngine(w_pad=_PAD_IN, h_pad=_PAD_IN)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def to_png(figure: Figure) -> bytes:
    """Render the figure to PNG bytes."""
    with io.BytesIO() as buffer:
        figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
        return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) in pixels read from a PNG's IHDR chunk."""
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def set_title(axes: Axes, title: str) -> None:
    """Put the caller's title above the plot, left-aligned like a Slack heading."""
    axes.set_title(
        label(title, TITLE_COLUMNS),
        loc="left",
        fontproperties=font(TITLE_PT),
        pad=16,
        parse_math=False,
    )


def style_axes(axes: Axes, grid_axis: Literal["x", "y"]) -> None:
    """Apply the shared look: chart fonts on ticks, light grid, no box."""
    axes.tick_params(labelsize=LABEL_PT, labelfontfamily=list(FAMILIES), colors=BLACK)
    axes.tick_params(length=0)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GREY)
    axes.grid(axis=grid_axis, color=GRID, linewidth=1)
    axes.set_axisbelow(True)


def _to_decimal(value: float) -> Decimal:
    """Turn a tick position into a Decimal without float noise."""
    return Decimal(str(round(value, 2)))


def amount_axis(axis: Axis, currency: str, lang: str) -> None:
    """Label an axis with short-form amounts in the team currency."""
    axis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=3))
    axis.set_major_formatter(
        FuncFormatter(lambda value, _pos: format_amount(_to_decimal(value), currency, lang=lang))
    )
