"""Open pipeline per stage: one row per stage, the full amount with the weighted amount
drawn inside it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.charts.canvas import MARGIN_PT, to_png
from bot.charts.data import StageBar
from bot.charts.empty import build_empty
from bot.charts.money import chart_amount
from bot.charts.rows import BAR_PT, Row, Stack, stacked
from bot.charts.style import BLUE, NAME_COLUMNS, SKY_BLUE, SMALL_PT, WIDTH_PT, font, label, word

__all__ = ["build_pipeline", "pipeline_chart"]


def _row(stage: StageBar, currency: str, lang: str) -> Row:
    """Return a stage's texts: "Proposal (4)" and "¥1.02M · weighted ¥761k"."""
    amount = chart_amount(stage.amount, currency, lang)
    weighted = chart_amount(stage.weighted, currency, lang)
    return Row(
        label(stage.label, NAME_COLUMNS),
        f"{amount} · {word('weighted_short', lang)} {weighted}",
        suffix=f" ({stage.count})",
    )


def _draw_bars(stack: Stack, stages: Sequence[StageBar]) -> None:
    """Draw each stage's amount bar with its narrower weighted bar inside."""
    for index, stage in enumerate(stages):
        centre = stack.bar_centre(index)
        stack.axes.barh(centre, float(max(stage.amount, Decimal(0))), height=BAR_PT, color=SKY_BLUE)
        weighted = float(max(stage.weighted, Decimal(0)))
        stack.axes.barh(centre, weighted, height=BAR_PT / 2, color=BLUE)


def _add_legend(stack: Stack, lang: str) -> None:
    """Explain the two bar colours on the line under the bars, where no value is."""
    figure = stack.figure
    height = float(figure.get_figheight()) * 72
    figure.legend(
        handles=[
            Patch(color=SKY_BLUE, label=word("amount", lang)),
            Patch(color=BLUE, label=word("weighted", lang)),
        ],
        loc="upper left",
        bbox_to_anchor=(MARGIN_PT / WIDTH_PT, 1 - stack.caption_top / height),
        ncols=2,
        frameon=False,
        borderpad=0,
        borderaxespad=0,
        handlelength=1.4,
        handleheight=0.9,
        handletextpad=0.5,
        columnspacing=1.6,
        prop=font(SMALL_PT),
    )


def build_pipeline(
    stages: Sequence[StageBar], *, title: str, currency: str, lang: str = "en"
) -> Figure:
    """Build the pipeline-by-stage chart as a Figure."""
    if not stages:
        return build_empty(word("no_data", lang), title=title)
    longest = max(max(stage.amount, stage.weighted) for stage in stages)
    # An empty pipeline still gets a scale, with no bars on it.
    end = float(longest) if longest > 0 else 1.0
    stack = stacked([_row(stage, currency, lang) for stage in stages], title=title, end=end)
    _draw_bars(stack, stages)
    _add_legend(stack, lang)
    return stack.figure


def pipeline_chart(
    stages: Sequence[StageBar], *, title: str, currency: str, lang: str = "en"
) -> bytes:
    """Render the open pipeline per stage (amount and weighted amount) as PNG bytes."""
    return to_png(build_pipeline(stages, title=title, currency=currency, lang=lang))
