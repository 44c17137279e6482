"""Sample inputs and Figure inspection helpers for the chart tests."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from bot.charts import MemberBar, StageBar, WeekPoint

CJK_NAMES = "李雷 王芳 さくら 김민수"

MEMBERS = [
    MemberBar("李雷", Decimal("12000"), Decimal("14000")),
    MemberBar("王芳", Decimal("30000"), Decimal("20000")),
    MemberBar("Zed", Decimal("3000"), None),
    MemberBar("さくら", Decimal("500"), Decimal("10000")),
    MemberBar("Amy", Decimal("9000"), None),
    MemberBar("김민수", Decimal("0"), Decimal("8000")),
]

WEEKS = [
    WeekPoint(date(2026, 9, 7) + timedelta(weeks=i), Decimal(v))
    for i, v in enumerate(
        [1, 2, 45000, 8000, 0, 23000, 1205000, 30000, 15000, 0, 99000, 41000, 27500, 6000]
    )
]

STAGES = [
    StageBar("Lead", 12, Decimal("340000"), Decimal("34000")),
    StageBar("Qualified", 8, Decimal("210000"), Decimal("63000")),
    StageBar("Proposal", 4, Decimal("120000"), Decimal("48000")),
    StageBar("Negotiation", 2, Decimal("80000"), Decimal("56000")),
]


@contextmanager
def no_warnings() -> Iterator[None]:
    """Turn every warning (e.g. matplotlib's "Glyph ... missing") into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def drawn(figure: Figure) -> Figure:
    """Draw the figure (warnings are errors) so tick labels exist, and return it."""
    with no_warnings():
        figure.canvas.draw()
    return figure


def texts(figure: Figure) -> list[Text]:
    """Return every visible, non-empty text artist of a drawn figure."""
    found = figure.findobj(lambda artist: isinstance(artist, Text))
    return [t for t in found if isinstance(t, Text) and t.get_visible() and t.get_text()]


def strings(figure: Figure) -> list[str]:
    """Return the strings of every visible text artist of a drawn figure."""
    return [t.get_text() for t in texts(figure)]


def by_role(figure: Figure, role: str) -> list[Text]:
    """Return the texts a chart drew in one role ("title", "name", "value", "caption",
    "message"), top to bottom, of a drawn figure."""
    found = [t for t in texts(figure) if t.get_gid() == role]
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return sorted(found, key=lambda t: -t.get_window_extent(renderer).y1)


def role_strings(figure: Figure, role: str) -> list[str]:
    """Return the strings of a drawn figure's texts in one role, top to bottom."""
    return [t.get_text() for t in by_role(figure, role)]


def text_with(figure: Figure, string: str) -> Text:
    """Return the one text artist showing exactly ``string``."""
    matches = [t for t in texts(figure) if t.get_text() == string]
    assert len(matches) == 1, f"{string!r} not found once in {strings(figure)}"
    return matches[0]


def font_files(text: Text) -> list[str]:
    """Return the font files matplotlib resolves for a text's family list."""
    families = text.get_fontproperties().get_family()
    return [findfont(FontProperties(family=f), fallback_to_default=False) for f in families]


def charmap(path: str) -> set[int]:
    """Return the code points a font file maps to glyphs."""
    return set(FT2Font(path).get_charmap())
