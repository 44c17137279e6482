"""Figures drawn off-screen by Agg, laid out in points, and the PNG bytes they produce.

The charts place every text themselves, in points from the figure's top-left corner,
rather than leaving it to a layout engine: a phone-sized figure has no room to spare, and
text is cut to the width it is given (``fit``), measured with the renderer that draws it.
"""

from __future__ import annotations

import io
import math
import struct

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.charts.style import (
    BLACK,
    DPI,
    TITLE_COLUMNS,
    TITLE_PT,
    WIDTH_IN,
    WIDTH_PT,
    font,
    label,
    line_height,
)

__all__ = [
    "CONTENT_PT",
    "MARGIN_PT",
    "TITLE_BAND_PT",
    "add_axes",
    "add_title",
    "caption_shift",
    "fit",
    "new_figure",
    "png_size",
    "text_width",
    "to_png",
]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ELLIPSIS = "…"
# Space kept clear around the image's edge, and the width left for text and bars.
MARGIN_PT = 10.0
CONTENT_PT = WIDTH_PT - 2 * MARGIN_PT
# The title's line and the gap under it, above whatever the chart draws.
TITLE_BAND_PT = line_height(TITLE_PT) + 8.0
# Saved without the "Software" entry, so the bytes depend on the drawing alone.
_METADATA: dict[str, str | None] = {"Software": None}


def new_figure(height_pt: float) -> Figure:
    """Create a detached 1200 px wide figure of at least ``height_pt`` points."""
    # Whole pixels, so the points given to add_axes are the points drawn.
    height_px = math.ceil(height_pt / 72 * DPI)
    # A bare Figure with its own canvas: nothing global keeps it alive after use.
    figure = Figure(figsize=(WIDTH_IN, height_px / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _height_pt(figure: Figure) -> float:
    return float(figure.get_figheight()) * 72


def add_axes(figure: Figure, *, left: float, top: float, width: float, height: float) -> Axes:
    """Add bare axes at a box given in points from the figure's top-left corner."""
    figure_height = _height_pt(figure)
    box = (
        left / WIDTH_PT,
        1 - (top + height) / figure_height,
        width / WIDTH_PT,
        height / figure_height,
    )
    axes = figure.add_axes(box)
    axes.set_axis_off()
    return axes


def text_width(figure: Figure, text: str, size: float) -> float:
    """Return the width in points the text takes when drawn in the chart font."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width, _height, _descent = renderer.get_text_width_height_descent(
        text, font(size), ismath=False
    )
    return float(width) * 72 / figure.dpi


def fit(figure: Figure, text: str, size: float, width: float) -> str:
    """Cut the text with "…" until it fits in ``width`` points."""
    if text_width(figure, text, size) <= width:
        return text
    # The longest prefix that fits with its ellipsis: widths grow with every character.
    low, high = 0, len(text) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(figure, text[:middle].rstrip() + _ELLIPSIS, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + _ELLIPSIS


def add_title(figure: Figure, title: str) -> Text:
    """Put the caller's title at the top left, like a Slack heading, cut to the width."""
    shown = fit(figure, label(title, TITLE_COLUMNS), TITLE_PT, CONTENT_PT)
    return figure.text(
        MARGIN_PT / WIDTH_PT,
        1 - MARGIN_PT / _height_pt(figure),
        shown,
        ha="left",
        va="top",
        color=BLACK,
        fontproperties=font(TITLE_PT),
        parse_math=False,
        gid="title",
    )


def caption_shift(figure: Figure, text: str, size: float, x: float) -> float:
    """Return how far (points) to move a caption centred at figure x (points) so that it
    stays inside the margins."""
    half = text_width(figure, text, size) / 2
    low, high = MARGIN_PT + half, WIDTH_PT - MARGIN_PT - half
    return min(max(x, low), high) - x


def to_png(figure: Figure) -> bytes:
    """Render the figure to PNG bytes: the same figure always gives the same bytes."""
    with io.BytesIO() as buffer:
        figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata=_METADATA)
        return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) in pixels read from a PNG's IHDR chunk."""
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
