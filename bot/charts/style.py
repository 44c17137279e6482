"""Fonts, colours, sizes and text helpers shared by the weekly charts."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font

__all__ = [
    "CJK_FAMILY",
    "CJK_FONT_FILE",
    "FAMILIES",
    "displayable",
    "font",
    "is_zh",
    "label",
    "line_height",
    "phone_size",
    "shorten",
    "word",
]

CJK_FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
CJK_FAMILY = "Noto Sans CJK SC"
# DejaVu Sans ships inside matplotlib, so Latin text needs no system font; matplotlib
# (>= 3.6) falls back glyph by glyph to the next family for CJK characters.
FAMILIES = ("DejaVu Sans", CJK_FAMILY)

# Okabe–Ito palette: stays distinguishable with the common colour-vision deficiencies.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
# Neutral greys for secondary text and gridlines; they carry no meaning of their own.
GREY = "#555555"
GRID = "#DDDDDD"
CARD = "#F2F2F2"

# Slack shows a 1,200 px image about 360 pt wide on a phone. The figure is drawn at that
# size, 5 in (360 pt) at 240 dpi = 1,200 px, so a size in points is the size a phone shows:
# a label's size on the phone is size_pt * PHONE_WIDTH_PT / (width_px / dpi * 72)
# (phone_size below), which is size_pt itself here.
PHONE_WIDTH_PT = 360.0
WIDTH_PX = 1200
DPI = 240
WIDTH_IN = WIDTH_PX / DPI
WIDTH_PT = WIDTH_IN * 72
# No text smaller than this on the phone; the charts' own sizes stay above it.
MIN_PHONE_PT = 9.0
TITLE_PT = 13.0
LABEL_PT = 10.5
SMALL_PT = 9.5
# A line of text takes this many times its size in height (DejaVu's and Noto's ink
# is about 1.2 em from descender to accent).
LINE_SPACING = 1.3
# Widths in columns (a CJK character counts two) before text is cut with "…"; text is
# also cut to the width it has on the chart (canvas.fit).
TITLE_COLUMNS = 60
NAME_COLUMNS = 24


def phone_size(size_pt: float, figure_width_in: float) -> float:
    """Return how large text of ``size_pt`` looks once Slack shrinks the image to a phone."""
    return size_pt * PHONE_WIDTH_PT / (figure_width_in * 72)


def line_height(size_pt: float) -> float:
    """Return the height, in points, that one line of text of this size is given."""
    return size_pt * LINE_SPACING


_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs"})

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "no_data": "No data yet",
        "more": "+{n} more",
        "no_target": "no target",
        "target": "Target (100%)",
        "pace": "Pace {amount}",
        "amount": "Amount",
        "weighted": "Weighted",
        "weighted_short": "weighted",
        "no_closed": "No deal won or lost yet",
        "funnel_caption": "Percent of the row above that got this far",
        "scale_from": "Bars start at {amount}",
    },
    "zh": {
        "no_data": "暂无数据",
        "more": "另有 {n} 人",
        "no_target": "未设目标",
        "target": "目标 (100%)",
        "pace": "每周所需 {amount}",
        "amount": "金额",
        "weighted": "加权金额",
        "weighted_short": "加权",
        "no_closed": "还没有赢单或输单",
        "funnel_caption": "百分比：上一行中走到这一步的比例",
        "scale_from": "横轴从 {amount} 起",
    },
}


def _register_cjk_font() -> None:
    """Make the bundled CJK font known to matplotlib's font manager, once per process."""
    manager = font_manager.fontManager
    path = str(CJK_FONT_FILE)
    if all(entry.fname != path for entry in manager.ttflist):
        manager.addfont(path)


_register_cjk_font()


def font(size: float = LABEL_PT) -> FontProperties:
    """Return font properties for chart text: DejaVu Sans, then the CJK font."""
    # A fresh object each time: FontProperties is mutable and artists keep a reference.
    return FontProperties(family=list(FAMILIES), size=size)


@cache
def _covered() -> frozenset[int]:
    """Return the code points at least one of the chart fonts can draw."""
    codes: set[int] = set()
    for family in FAMILIES:
        # The files matplotlib will really use, so the check matches what gets drawn.
        path = font_manager.findfont(FontProperties(family=family), fallback_to_default=False)
        codes.update(FT2Font(path).get_charmap())
    return frozenset(codes)


def _keep(char: str) -> str:
    """Return the character as drawn: a space for whitespace, '' when it cannot be drawn."""
    if char.isspace():
        return " "
    point = ord(char)
    if 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF:
        # Variation selectors only choose emoji or text style; alone they draw nothing.
        return ""
    if unicodedata.category(char) in _DROPPED_CATEGORIES or point not in _covered():
        return ""
    return char


def displayable(text: str) -> str:
    """Return the text without characters the chart fonts cannot draw (emoji, controls)."""
    kept = "".join(_keep(char) for char in unicodedata.normalize("NFC", text))
    return " ".join(kept.split())


def _columns(char: str) -> int:
    """Return how many columns a character takes: CJK characters are twice as wide."""
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def shorten(text: str, limit: int) -> str:
    """Cut the text to ``limit`` columns (CJK counts double), ending in "…" when cut."""
    if sum(_columns(char) for char in text) <= limit:
        return text
    kept: list[str] = []
    used = 1  # the ellipsis
    for char in text:
        used += _columns(char)
        if used > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def label(text: str, limit: int) -> str:
    """Return user text ready for a chart: drawable, at most ``limit`` columns, never empty."""
    # A name made only of emoji would otherwise leave an unlabelled bar.
    return shorten(displayable(text), limit) or "?"


def is_zh(lang: str) -> bool:
    """Tell whether the chart language is Chinese (any zh variant)."""
    return lang.casefold().startswith("zh")


def word(key: str, lang: str, **values: object) -> str:
    """Return one of the charts' own words in the chart language."""
    return _WORDS["zh" if is_zh(lang) else "en"][key].format(**values)
