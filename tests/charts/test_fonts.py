"""CJK names render with a font that has their glyphs; emoji never become boxes."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from matplotlib import font_manager

from bot.charts import (
    MemberBar,
    StageBar,
    displayable,
    empty_chart,
    member_progress_chart,
    pipeline_chart,
    weekly_won_chart,
)
from bot.charts.member_progress import build_member_progress
from bot.charts.pipeline import build_pipeline
from bot.charts.style import CJK_FAMILY, CJK_FONT_FILE, FAMILIES
from tests.charts.helpers import (
    CJK_NAMES,
    MEMBERS,
    WEEKS,
    by_role,
    charmap,
    drawn,
    font_files,
    no_warnings,
    role_strings,
)

REPO = Path(__file__).resolve().parents[2]


def _cjk_chars(text: str) -> set[int]:
    """Return the code points of a text that are not ASCII."""
    return {ord(char) for char in text if not char.isascii()}


def test_bundled_font_ships_with_its_licence() -> None:
    assert CJK_FONT_FILE.is_file()
    licence = (CJK_FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL Open Font License" in licence
    assert "Adobe" in licence


def test_bundled_font_is_registered_under_its_family() -> None:
    registered = {entry.fname: entry.name for entry in font_manager.fontManager.ttflist}
    assert registered[str(CJK_FONT_FILE)] == CJK_FAMILY
    assert FAMILIES == ("DejaVu Sans", CJK_FAMILY)


def _decoded(codec: str, leads: range, trails: list[int]) -> set[int]:
    """Return every character a double-byte legacy codec can encode in the given rows."""
    found: set[int] = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            found.update(ord(char) for char in text)
    return found


@pytest.mark.parametrize(
    ("charset", "codes"),
    [
        ("GB 2312 hanzi", _decoded("gb2312", range(0xB0, 0xF8), list(range(0xA1, 0xFF)))),
        (
            "Big5 hanzi",
            _decoded("big5", range(0xA4, 0xFA), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
        ),
        ("JIS X 0208 kanji", _decoded("euc_jp", range(0xB0, 0xF5), list(range(0xA1, 0xFF)))),
        ("CJK unified ideographs", set(range(0x4E00, 0x9FF0))),
        ("hiragana and katakana", {*range(0x3041, 0x3097), *range(0x30A1, 0x30FB)}),
        ("hangul syllables", set(range(0xAC00, 0xD7A4))),
    ],
)
def test_bundled_font_covers_names(charset: str, codes: set[int]) -> None:
    missing = codes - charmap(str(CJK_FONT_FILE))
    assert not missing, f"{charset}: {len(missing)} missing, e.g. {sorted(missing)[:5]}"


def test_cjk_member_names_use_a_font_with_their_glyphs() -> None:
    rows = [MemberBar(CJK_NAMES, Decimal(5000), Decimal(10000)), *MEMBERS]
    figure = drawn(build_member_progress(rows, title=CJK_NAMES, currency="CNY", lang="zh"))
    (name_label,) = [t for t in by_role(figure, "name") if t.get_text() == CJK_NAMES]
    (title,) = by_role(figure, "title")
    for name_text in (name_label, title):
        assert name_text.get_text() == CJK_NAMES
        assert name_text.get_fontproperties().get_family() == list(FAMILIES)
        files = font_files(name_text)
        covered = set().union(*(charmap(path) for path in files))
        assert {ord(char) for char in CJK_NAMES} <= covered
        # The CJK fallback alone has every CJK glyph: none is left to a box.
        assert _cjk_chars(CJK_NAMES) <= charmap(files[1])


def test_cjk_render_raises_no_missing_glyph_warning() -> None:
    rows = [MemberBar(name, Decimal(100), Decimal(200)) for name in CJK_NAMES.split()]
    stages = [StageBar(name, 1, Decimal(10), Decimal(5)) for name in CJK_NAMES.split()]
    with no_warnings():
        member_progress_chart(rows, title=CJK_NAMES, currency="CNY", lang="zh")
        weekly_won_chart(WEEKS, weekly_pace=Decimal(1), title=CJK_NAMES, currency="KRW")
        pipeline_chart(stages, title=CJK_NAMES, currency="JPY", lang="zh")
        empty_chart(CJK_NAMES, title=CJK_NAMES)


def test_emoji_are_dropped_without_warning() -> None:
    rows = [MemberBar("Bob 🚀", Decimal(100), Decimal(200)), MemberBar("👨‍💻", Decimal(1), None)]
    stages = [StageBar("Won 🎉", 1, Decimal(10), Decimal(5))]
    with no_warnings():
        figure = drawn(build_member_progress(rows, title="Team 🔥 progress", currency="USD"))
        pipeline = drawn(build_pipeline(stages, title="🚀", currency="USD"))
        weekly_won_chart(WEEKS, weekly_pace=None, title="Won ✨", currency="USD")
        empty_chart("No deals yet 🙈", title="🙈")
    assert role_strings(figure, "name") == ["Bob", "?"]
    assert role_strings(figure, "title") == ["Team progress"]
    assert role_strings(pipeline, "name") == ["Won (1)"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Bob 🚀", "Bob"),
        ("👨‍💻 Ann", "Ann"),
        ("🚀🚀", ""),
        ("❤️ Li", "❤ Li"),
        ("Line\nbreak\tand  spaces ", "Line break and spaces"),
        ("Jose\u0301", "José"),
        (CJK_NAMES, CJK_NAMES),
        ("𠮷野家", "𠮷野家"),
        ("Zoë Ångström-Øster", "Zoë Ångström-Øster"),
    ],
)
def test_displayable(text: str, shown: str) -> None:
    assert displayable(text) == shown


def test_fresh_process_renders_cjk_without_pyplot(tmp_path: Path) -> None:
    """A new process with an empty matplotlib cache, as on a fresh install."""
    script = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "from decimal import Decimal\n"
        "from bot.charts import MemberBar, member_progress_chart, png_size\n"
        f"row = MemberBar({CJK_NAMES!r}, Decimal(1), Decimal(2))\n"
        "data = member_progress_chart([row], title='Progress', currency='CNY')\n"
        "assert png_size(data)[0] == 1200\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, check=True, timeout=120)
