"""What the funnel and the pipeline waterfall say and where their bars are."""

from __future__ import annotations

import warnings
from decimal import Decimal

from matplotlib.colors import same_color
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.charts import FunnelStep, MovementStep, funnel_chart, movement_chart, png_size
from bot.charts.funnel import build_funnel
from bot.charts.movement import build_movement
from bot.charts.style import CARD
from tests.charts.helpers import drawn, role_strings, strings

STEPS = [
    FunnelStep("Lead", 10, None),
    FunnelStep("Qualified", 8, Decimal("80.0")),
    FunnelStep("Proposal", 8, Decimal("100.0")),
    FunnelStep("Negotiation", 6, Decimal("75.0")),
    FunnelStep("Won", 5, Decimal("83.3"), won=True),
]
MOVED = [
    MovementStep("Open at the start", Decimal(177_000), "total"),
    MovementStep("New", Decimal(30_000), "up"),
    MovementStep("Increased", Decimal(21_000), "up"),
    MovementStep("Decreased", Decimal(10_000), "down"),
    MovementStep("Lost", Decimal(28_000), "down"),
    MovementStep("Won", Decimal(5_000), "won"),
    MovementStep("Open at the end", Decimal(185_000), "total"),
]


def _coloured(figure: Figure) -> list[Rectangle]:
    """The bars drawn, top to bottom, without the grey tracks under them."""
    found = [
        p
        for p in figure.axes[0].patches
        if isinstance(p, Rectangle)
        and p.get_width() > 0
        and not same_color(p.get_facecolor(), CARD)
    ]
    return sorted(found, key=lambda p: p.get_y())


def _bars(figure: Figure) -> list[tuple[float, float]]:
    """Each bar's (left, right) on the amount scale, top to bottom."""
    found = _coloured(figure)
    return [(round(p.get_x(), 2), round(p.get_x() + p.get_width(), 2)) for p in found]


def test_the_funnel_names_each_step_with_its_count_and_share_of_the_row_above() -> None:
    figure = drawn(build_funnel(STEPS, title="Stage conversion"))
    assert role_strings(figure, "name") == [
        "Lead (10)",
        "Qualified (8)",
        "Proposal (8)",
        "Negotiation (6)",
        "Won (5)",
    ]
    assert role_strings(figure, "value") == ["100%", "80.0%", "100.0%", "75.0%", "83.3%"]
    assert "Percent of the row above that got this far" in strings(figure)


def test_funnel_bars_are_as_long_as_the_deals_that_reached_each_step() -> None:
    figure = drawn(build_funnel(STEPS, title="F"))
    assert [p.get_width() for p in _coloured(figure)] == [10.0, 8.0, 8.0, 6.0, 5.0]


def test_a_funnel_with_nothing_closed_says_so() -> None:
    figure = drawn(build_funnel([FunnelStep("Lead", 0, None)], title="F", lang="zh"))
    assert "还没有赢单或输单" in strings(figure)


def test_the_waterfall_signs_each_step_and_floats_it_from_the_running_total() -> None:
    figure = drawn(build_movement(MOVED, title="Pipeline movement", currency="CNY"))
    assert role_strings(figure, "value") == [
        "¥177k",
        "+¥30k",
        "+¥21k",
        "\u2212¥10k",
        "\u2212¥28k",
        "\u2212¥5k",
        "¥185k",
    ]
    # The steps stay within the top quarter: the scale starts at 177k − (228k − 177k) / 4 =
    # 164.25k, rounded down to two digits, and says so.
    assert _bars(figure) == [
        (160_000, 177_000),
        (177_000, 207_000),
        (207_000, 228_000),
        (218_000, 228_000),
        (190_000, 218_000),
        (185_000, 190_000),
        (160_000, 185_000),
    ]
    assert figure.axes[0].get_xlim() == (160_000.0, 228_000.0)
    assert role_strings(figure, "caption") == ["Bars start at ¥160k"]


def test_a_waterfall_that_moves_a_lot_starts_at_zero() -> None:
    steps = [
        MovementStep("Open at the start", Decimal(1_000), "total"),
        MovementStep("New", Decimal(9_000), "up"),
        MovementStep("Won", Decimal(4_000), "won"),
        MovementStep("Open at the end", Decimal(6_000), "total"),
    ]
    figure = drawn(build_movement(steps, title="M", currency="USD", lang="zh"))
    assert _bars(figure) == [(0, 1_000), (1_000, 10_000), (6_000, 10_000), (0, 6_000)]
    assert role_strings(figure, "caption") == []


def test_a_step_of_nothing_draws_no_bar_and_both_render_as_wide_pngs() -> None:
    quiet = [MovementStep("Open", Decimal(0), "total"), MovementStep("New", Decimal(0), "up")]
    figure = drawn(build_movement(quiet, title="M", currency="USD"))
    assert _bars(figure) == []
    assert role_strings(figure, "value") == ["$0", "+$0"]
    for png in (
        funnel_chart(STEPS, title="F", lang="zh"),
        movement_chart(MOVED, title="M", currency="CNY", lang="zh"),
    ):
        assert png_size(png)[0] == 1200


def test_a_week_without_movement_is_drawn_from_zero_without_a_warning() -> None:
    # A round total that nothing moved: a scale "from a round amount below the lowest total"
    # would run from the total to itself (matplotlib: singular transformation).
    for total in (Decimal(180_000), Decimal(185_000)):
        quiet = [
            MovementStep("Open at the start", total, "total"),
            MovementStep("New", Decimal(0), "up"),
            MovementStep("Increased", Decimal(0), "up"),
            MovementStep("Decreased", Decimal(0), "down"),
            MovementStep("Lost", Decimal(0), "down"),
            MovementStep("Won", Decimal(0), "won"),
            MovementStep("Open at the end", total, "total"),
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            figure = drawn(build_movement(quiet, title="M", currency="CNY"))
        assert figure.axes[0].get_xlim() == (0.0, float(total))
        assert _bars(figure) == [(0, float(total)), (0, float(total))]
        assert role_strings(figure, "caption") == []
