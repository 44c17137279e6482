"""Open pipeline per stage: the full amount with the weighted amount drawn inside it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.charts.canvas import amount_axis, new_figure, set_title, style_axes, to_png
from bot.charts.data import StageBar
from bot.charts.empty import build_empty
from bot.charts.style import (
    BLACK,
    BLUE,
    NAME_COLUMNS,
    SKY_BLUE,
    SMALL_PT,
    font,
    label,
    word,
)
from bot.domain.amounts import format_amount

__all__ = ["build_pipeline", "pipeline_chart"]

# Room right of the longest bar for its "amount · weighted" label.
_LABEL_ROOM = 1.6


def _stage_name(stage: StageBar) -> str:
    """Return the y label: the stage name with its deal count, "Proposal (4)"."""
    return f"{label(stage.label, NAME_COLUMNS)} ({stage.count})"


def _bar_text(stage: StageBar, currency: str, lang: str) -> str:
    """Return the label at a bar's end: the amount, then the weighted amount."""
    amount = format_amount(stage.amount, currency, lang=lang)
    weighted = format_amount(stage.weighted, currency, lang=lang)
    return f"{amount} · {word('weighted_short', lang)} {weighted}"


def _draw_bars(axes: Axes, stages: Sequence[StageBar], currency: str, lang: str) -> None:
    """Draw the amount bars, the narrower weighted bars inside them, and their labels."""
    rows = range(len(stages))
    amounts = [float(max(stage.amount, Decimal(0))) for stage in stages]
    weighted = [float(max(stage.weighted, Decimal(0))) for stage in stages]
    axes.barh(rows, amounts, height=0.7, color=SKY_BLUE, label=word("amount", lang))
    axes.barh(rows, weighted, height=0.34, color=BLUE, label=word("weighted", lang))
    for row, stage in enumerate(stages):
        axes.annotate(
            _bar_text(stage, currency, lang),
            xy=(max(amounts[row], weighted[row]), row),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            color=BLACK,
            fontproperties=font(SMALL_PT),
            parse_math=False,
        )


def _set_axes(axes: Axes, stages: Sequence[StageBar], currency: str, lang: str) -> None:
    """Put stages top to bottom on the y axis and short amounts on the x axis."""
    names = [_stage_name(stage) for stage in stages]
    axes.set_yticks(range(len(stages)), labels=names, parse_math=False)
    axes.set_ylim(len(stages) - 0.5, -0.5)
    longest = max(max(stage.amount, stage.weighted) for stage in stages)
    amount_axis(axes.xaxis, currency, lang)
    if longest <= 0:
        # An empty pipeline: a lone "0" reads better than ticks at cents.
        axes.set_xlim(0, 1)
        axes.set_xticks([0.0])
        return
    axes.set_xlim(0, float(longest) * _LABEL_ROOM)


def _add_legend(axes: Axes) -> None:
    """Explain the two bar colours in the empty lower-right corner."""
    axes.legend(loc="lower right", frameon=False, prop=font(SMALL_PT))


def _height(rows: int) -> float:
    """Return the figure height in inches: grows with the number of stages."""
    return max(4.5, 2.4 + 0.75 * rows)


def build_pipeline(
    stages: Sequence[StageBar], *, title: str, currency: str, lang: str = "en"
) -> Figure:
    """Build the pipeline-by-stage chart as a Figure."""
    if not stages:
        return build_empty(word("no_data", lang), title=title)
    figure = new_figure(_height(len(stages)))
    axes = figure.add_subplot()
    style_axes(axes, grid_axis="x")
    _draw_bars(axes, stages, currency, lang)
    _set_axes(axes, stages, currency, lang)
    _add_legend(axes)
    set_title(axes, title)
    return figure


def pipeline_chart(
    stages: Sequence[StageBar], *, title: str, currency: str, lang: str = "en"
) -> bytes:
    """Render the open pipeline per stage (amount and weighted amount) as PNG bytes."""
    return to_png(build_pipeline(stages, title=title, currency=currency, lang=lang))
