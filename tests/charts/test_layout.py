"""Charts a phone can read: checked from matplotlib's own layout of each drawn figure.

Every chart is drawn with awkward data (long and CJK names, tiny and huge values, 1 and 30
rows, both languages), then the boxes matplotlib computes for what it draws
(``Text.get_window_extent`` with the figure's renderer) must show that:

* no two texts overlap, and no text is covered by a bar, the target or pace line, or the
  legend;
* no text is clipped by the figure's edge;
* every text is at least 9 pt on a phone. Slack shows a 1,200 px image about 360 pt wide
  there, so text of ``s`` pt in a figure ``w`` inches wide looks
  ``s * 360 / (w * 72)`` pt (``bot.charts.style.phone_size``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase

from bot.charts import FunnelStep, MemberBar, MovementStep, StageBar, WeekPoint
from bot.charts.empty import build_empty
from bot.charts.funnel import build_funnel
from bot.charts.member_progress import build_member_progress
from bot.charts.movement import build_movement
from bot.charts.pipeline import build_pipeline
from bot.charts.style import MIN_PHONE_PT, WIDTH_PX, phone_size
from bot.charts.weekly_won import build_weekly_won
from tests.charts.helpers import by_role, drawn, texts

LONG = "Alexandria Ocasio-Cortez-Williamson of Much Longer Name Industries"
LONG_CJK = "欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜"
CJK = ["李雷", "王芳", "さくら", "김민수", "韩梅梅", "欧阳娜娜"]
LONG_TITLE = "Progress to November 2026 targets of the Asia-Pacific enterprise team, all regions"
LONG_CJK_TITLE = "亚太区企业客户销售团队二〇二六年十一月目标完成进度（全部区域）"
TINY = Decimal("0.01")
HUGE = Decimal("987654321098.76")
# Messages pass 10^12 per deal; a team total can be far larger.
ABSURD = Decimal("98765432109876543.21")


def _thirty_members() -> list[MemberBar]:
    """Thirty members with every kind of name and amount, some without a target."""
    names = [LONG, LONG_CJK, *CJK, "Bob 🚀", "Zoë Ångström-Øster", "Ke$ha $$", "A"]
    amounts = [TINY, Decimal(1), Decimal(999), Decimal(150_000), HUGE, Decimal(0)]
    members = []
    for index in range(30):
        name = f"{names[index % len(names)]} {index}"
        target = None if index % 7 == 3 else amounts[(index + 2) % len(amounts)] or Decimal(1)
        members.append(MemberBar(name, amounts[index % len(amounts)], target))
    return members


def _weeks(values: list[Decimal]) -> list[WeekPoint]:
    return [WeekPoint(date(2026, 9, 7) + timedelta(weeks=i), v) for i, v in enumerate(values)]


TWELVE = _weeks([TINY, Decimal(2), HUGE, Decimal(0), Decimal(45_000), *[Decimal(9_999)] * 7])
STAGES = [
    StageBar(LONG, 30, HUGE, HUGE * Decimal("0.75")),
    StageBar(LONG_CJK, 1, TINY, TINY),
    StageBar("Lead", 1234, Decimal(640_000), Decimal(64_000)),
    StageBar("谈判", 0, Decimal(0), Decimal(0)),
]
# The demo's pipeline of 23 Nov: the longest bar last, where a legend in the lower right
# corner used to cover its value.
DEMO_STAGES = [
    StageBar("Lead", 20, Decimal(973_000), Decimal(97_300)),
    StageBar("Qualified", 16, Decimal(488_000), Decimal(122_000)),
    StageBar("Proposal", 24, Decimal(794_000), Decimal(397_000)),
    StageBar("Negotiation", 20, Decimal(1_015_000), Decimal(761_250)),
]
THIRTY_STAGES = [
    StageBar(f"{[*CJK, LONG, 'Stage'][i % 8]} {i}", i, Decimal(10) ** (i % 13), Decimal(i))
    for i in range(30)
]

FUNNEL = [
    FunnelStep("Lead", 1234, None),
    FunnelStep(LONG, 1000, Decimal("81.0")),
    FunnelStep(LONG_CJK, 1, Decimal("0.1")),
    FunnelStep("谈判", 0, Decimal("0.0")),
    FunnelStep("Won", 0, None, won=True),
]
THIRTY_STEPS = [
    FunnelStep(f"{[*CJK, LONG, 'Stage'][i % 8]} {i}", 30 - i, Decimal(100 - i) if i else None)
    for i in range(30)
]


def _moved(start: Decimal, new: Decimal, up: Decimal, down: Decimal, lost: Decimal, won: Decimal):
    """The seven rows of a waterfall, its end what the steps add up to."""
    end = start + new + up - down - lost - won
    return [
        MovementStep("Open at the start", start, "total"),
        MovementStep("New", new, "up"),
        MovementStep("Increased", up, "up"),
        MovementStep("Decreased", down, "down"),
        MovementStep("Lost", lost, "down"),
        MovementStep("Won", won, "won"),
        MovementStep("Open at the end", end, "total"),
    ]


CHARTS: dict[str, Callable[[], Figure]] = {
    "members one": lambda: build_member_progress(
        [MemberBar("Ann", Decimal(1), Decimal(2))], title="Progress", currency="CNY"
    ),
    "members one huge": lambda: build_member_progress(
        [MemberBar(LONG, HUGE, TINY)], title=LONG_TITLE, currency="CHF"
    ),
    "members absurd": lambda: build_member_progress(
        [MemberBar(LONG_CJK, ABSURD, TINY), MemberBar("Lin", TINY, ABSURD)],
        title=LONG_CJK_TITLE,
        currency="JPY",
        lang="zh",
    ),
    "members six": lambda: build_member_progress(
        [MemberBar(n, Decimal(30_000 * i), Decimal(150_000)) for i, n in enumerate(CJK)],
        title="Progress to November 2026 targets",
        currency="CNY",
    ),
    "members thirty": lambda: build_member_progress(
        _thirty_members(), title=LONG_TITLE, currency="CNY"
    ),
    "members thirty zh": lambda: build_member_progress(
        _thirty_members(), title=LONG_CJK_TITLE, currency="CNY", lang="zh"
    ),
    "members forty-five": lambda: build_member_progress(
        _thirty_members() + _thirty_members()[:15], title="Progress", currency="USD"
    ),
    "members without targets": lambda: build_member_progress(
        [MemberBar(LONG, HUGE, None), MemberBar("王芳", TINY, None)], title="T", currency="CNY"
    ),
    "weeks one": lambda: build_weekly_won(
        _weeks([Decimal(0)]), weekly_pace=None, title="Won", currency="USD"
    ),
    "weeks twelve": lambda: build_weekly_won(
        TWELVE, weekly_pace=Decimal(35_000), title=LONG_TITLE, currency="CNY"
    ),
    "weeks twelve zh": lambda: build_weekly_won(
        TWELVE, weekly_pace=Decimal(35_000), title=LONG_CJK_TITLE, currency="CNY", lang="zh"
    ),
    "weeks pace tiny": lambda: build_weekly_won(
        TWELVE, weekly_pace=TINY, title="Won", currency="EUR"
    ),
    "weeks pace above all": lambda: build_weekly_won(
        TWELVE, weekly_pace=HUGE * 3, title="赢单", currency="CNY", lang="zh"
    ),
    "weeks absurd": lambda: build_weekly_won(
        _weeks([ABSURD, TINY]), weekly_pace=ABSURD, title="Won", currency="CHF"
    ),
    "pipeline one": lambda: build_pipeline(
        STAGES[2:3], title="Open pipeline by stage", currency="CNY"
    ),
    "pipeline demo": lambda: build_pipeline(
        DEMO_STAGES, title="Open pipeline by stage", currency="CNY"
    ),
    "pipeline awkward": lambda: build_pipeline(STAGES, title=LONG_TITLE, currency="CHF"),
    "pipeline awkward zh": lambda: build_pipeline(
        STAGES, title=LONG_CJK_TITLE, currency="CNY", lang="zh"
    ),
    "pipeline thirty": lambda: build_pipeline(THIRTY_STAGES, title="Pipeline", currency="USD"),
    "pipeline nothing open": lambda: build_pipeline(
        [StageBar("Lead", 0, Decimal(0), Decimal(0))], title="Pipeline", currency="USD"
    ),
    "funnel demo": lambda: build_funnel(
        [
            FunnelStep("Lead", 40, None),
            FunnelStep("Qualified", 31, Decimal("77.5")),
            FunnelStep("Proposal", 25, Decimal("80.6")),
            FunnelStep("Negotiation", 18, Decimal("72.0")),
            FunnelStep("Won", 12, Decimal("66.7"), won=True),
        ],
        title="Stage conversion, deals closed in the last 12 weeks",
    ),
    "funnel awkward": lambda: build_funnel(FUNNEL, title=LONG_TITLE),
    "funnel awkward zh": lambda: build_funnel(FUNNEL, title=LONG_CJK_TITLE, lang="zh"),
    "funnel one": lambda: build_funnel([FunnelStep("Won", 1, None, won=True)], title="F"),
    "funnel thirty": lambda: build_funnel(THIRTY_STEPS, title="Funnel"),
    "funnel nothing closed": lambda: build_funnel(
        [FunnelStep("Lead", 0, None), FunnelStep("Won", 0, None, won=True)], title="Funnel"
    ),
    "movement demo": lambda: build_movement(
        _moved(*(Decimal(v) for v in (2_600_000, 480_000, 95_000, 60_000, 310_000, 420_000))),
        title="Pipeline movement · Week of Nov 23",
        currency="CNY",
    ),
    "movement awkward": lambda: build_movement(
        _moved(HUGE, TINY, Decimal(0), TINY, HUGE / 2, Decimal(1)),
        title=LONG_TITLE,
        currency="CHF",
    ),
    "movement absurd zh": lambda: build_movement(
        _moved(ABSURD, ABSURD, TINY, ABSURD, TINY, ABSURD),
        title=LONG_CJK_TITLE,
        currency="JPY",
        lang="zh",
    ),
    "movement from nothing": lambda: build_movement(
        _moved(*(Decimal(0),) * 6), title="Pipeline movement", currency="USD"
    ),
    "movement all new and won": lambda: build_movement(
        _moved(Decimal(0), Decimal(5000), Decimal(0), Decimal(0), Decimal(0), Decimal(5000)),
        title="Pipeline movement",
        currency="EUR",
    ),
    "empty": lambda: build_empty("No data yet", title="Weekly report"),
    "empty long": lambda: build_empty(LONG * 2, title=LONG_CJK_TITLE),
}


@cache
def _drawn(name: str) -> Figure:
    return drawn(CHARTS[name]())


def _box(figure: Figure, artist: Artist) -> Bbox:
    """Return an artist's box in pixels, as the renderer lays it out."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box = artist.get_window_extent(renderer)
    if isinstance(artist, Line2D):
        # A line's extent is its path alone; it covers half its width either side.
        box = box.padded(artist.get_linewidth() * figure.dpi / 72 / 2)
    return box


def _overlap(first: BboxBase, second: BboxBase) -> bool:
    """Tell whether two boxes share more than a hair (half a pixel) in both directions."""
    width = float(min(first.x1, second.x1) - max(first.x0, second.x0))
    height = float(min(first.y1, second.y1) - max(first.y0, second.y0))
    return width > 0.5 and height > 0.5


def _inside(box: BboxBase, edge: BboxBase) -> bool:
    """Tell whether a box lies wholly within another."""
    corners = (box.x0 - edge.x0, box.y0 - edge.y0, edge.x1 - box.x1, edge.y1 - box.y1)
    return all(float(gap) >= 0 for gap in corners)


def _drawn_texts(figure: Figure) -> Iterator[tuple[Text, Bbox]]:
    for text in texts(figure):
        yield text, _box(figure, text)


def _shapes(figure: Figure) -> Iterator[tuple[str, Artist]]:
    """Everything drawn that is not text: bars, the target and pace lines, legends."""
    for axes in figure.axes:
        for patch in axes.patches:
            if isinstance(patch, Rectangle) and patch.get_width() > 0:
                yield "bar", patch
        for line in axes.get_lines():
            yield str(line.get_gid()), line
    for legend in _legends(figure):
        yield "legend", legend


def _legends(figure: Figure) -> list[Legend]:
    """Return the figure's legends and its axes' legends."""
    found = [axes.get_legend() for axes in figure.axes]
    return [*figure.legends, *(legend for legend in found if legend is not None)]


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_text_overlaps_another(name: str) -> None:
    figure = _drawn(name)
    boxes = list(_drawn_texts(figure))
    assert len(boxes) >= 2
    for index, (text, box) in enumerate(boxes):
        for other, other_box in boxes[index + 1 :]:
            assert not _overlap(box, other_box), f"{text.get_text()!r} over {other.get_text()!r}"


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_bar_line_or_legend_covers_a_text(name: str) -> None:
    figure = _drawn(name)
    legend_texts = {id(t) for legend in _legends(figure) for t in legend.get_texts()}
    for text, box in _drawn_texts(figure):
        for kind, shape in _shapes(figure):
            if kind == "legend" and id(text) in legend_texts:
                continue
            assert not _overlap(box, _box(figure, shape)), f"{kind} covers {text.get_text()!r}"


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_text_is_clipped_by_the_figure(name: str) -> None:
    figure = _drawn(name)
    edge = figure.bbox
    assert edge.width == WIDTH_PX
    for text, box in _drawn_texts(figure):
        assert _inside(box, edge), f"{text.get_text()!r} at {box} leaves the figure"
        # The empty card's grey box is part of its text.
        patch = text.get_bbox_patch()
        if patch is not None:
            assert _inside(_box(figure, patch), edge), f"{text.get_text()!r}'s box is cut"


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_text_is_at_least_9pt_on_a_phone(name: str) -> None:
    figure = _drawn(name)
    width = float(figure.get_figwidth())
    for text in texts(figure):
        size = phone_size(float(text.get_fontsize()), width)
        assert size >= MIN_PHONE_PT, f"{text.get_text()!r} is {size:.1f} pt on a phone"


def test_phone_size_formula() -> None:
    """360 pt of phone for the image's width: a 12 in figure shrinks text to 5/12."""
    assert phone_size(9.0, 5.0) == 9.0
    assert phone_size(14.0, 12.0) == pytest.approx(5.83, abs=0.01)
    assert phone_size(21.6, 12.0) == pytest.approx(9.0)


@pytest.mark.parametrize("name", ["members six", "members thirty", "members one huge"])
def test_progress_bars_use_the_whole_width_and_the_target_is_below_them(name: str) -> None:
    """The longest bar ends at the right margin (no empty right 40%), and "Target" sits
    under the last bar, not squeezed under the title."""
    figure = _drawn(name)
    bars = [_box(figure, shape) for kind, shape in _shapes(figure) if kind == "bar"]
    assert max(bar.x1 for bar in bars) >= figure.bbox.x1 - 0.04 * figure.bbox.width
    (caption,) = by_role(figure, "caption")
    assert caption.get_text() == "Target (100%)"
    assert _box(figure, caption).y1 < min(bar.y0 for bar in bars)
    (title,) = by_role(figure, "title")
    names = by_role(figure, "name")
    assert _box(figure, title).y0 > _box(figure, names[0]).y1


def test_the_target_mark_is_on_every_member_with_a_target() -> None:
    figure = _drawn("members thirty")
    marks = [shape for kind, shape in _shapes(figure) if kind == "target"]
    with_target = [m for m in _thirty_members() if m.target is not None]
    assert len(marks) == len(with_target) > 20
