"""Each member's progress to target: horizontal bars on a percent-of-target scale."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, PercentFormatter

from bot.charts.canvas import new_figure, set_title, style_axes, to_png
from bot.charts.data import MemberBar
from bot.charts.empty import build_empty
from bot.charts.style import (
    BLACK,
    GREEN,
    GREY,
    LABEL_PT,
    NAME_COLUMNS,
    SKY_BLUE,
    SMALL_PT,
    font,
    label,
    word,
)
from bot.domain.amounts import format_amount
from bot.domain.progress import percent_label, percent_of

__all__ = ["MAX_MEMBERS", "build_member_progress", "member_progress_chart"]

MAX_MEMBERS = 40
# Bars stop at 200%: one member at 900% would otherwise squash everyone else's bar.
_CAP = Decimal(200)


def _percent(row: MemberBar) -> Decimal | None:
    """Return achieved as a percent of target, as every other place shows it (rounded
    half-up to 0.1, bot.domain.progress), or None when there is no usable target."""
    if row.target is None or row.target <= 0:
        return None
    return percent_of(row.achieved, row.target)


def _ordered(rows: Sequence[MemberBar]) -> list[MemberBar]:
    """Sort members by percent of target, then members without a target by amount."""
    with_target = [row for row in rows if _percent(row) is not None]
    without = [row for row in rows if _percent(row) is None]
    with_target.sort(key=lambda row: (-(_percent(row) or 0), row.name))
    without.sort(key=lambda row: (-row.achieved, row.name))
    return with_target + without


def _bar_text(row: MemberBar, currency: str, lang: str) -> str:
    """Return the label at a bar's end: percent and amounts, or the amount alone."""
    achieved = format_amount(row.achieved, currency, lang=lang)
    percent = _percent(row)
    if percent is None or row.target is None:
        return f"{achieved} · {word('no_target', lang)}"
    # The percent /target, App Home and the channel show: 100.0% only once the target is hit.
    shown = percent_label(percent)
    return f"{shown}  {achieved} / {format_amount(row.target, currency, lang=lang)}"


def _bar_width(row: MemberBar) -> float:
    """Return the drawn bar length in percent: clipped to 0–200, 0 without a target."""
    percent = _percent(row)
    if percent is None:
        return 0.0
    return float(min(max(percent, Decimal(0)), _CAP))


def _axis_end(widths: Sequence[float]) -> float:
    """Return the highest percent the scale must show (at least the 100% target)."""
    return max(100.0, *widths)


def _draw_bars(axes: Axes, rows: Sequence[MemberBar], currency: str, lang: str) -> None:
    """Draw one bar per member with its label just past the bar's end."""
    widths = [_bar_width(row) for row in rows]
    colours = [GREEN if width >= 100 else SKY_BLUE for width in widths]
    axes.barh(range(len(rows)), widths, height=0.62, color=colours)
    for index, (row, width) in enumerate(zip(rows, widths, strict=True)):
        axes.annotate(
            _bar_text(row, currency, lang),
            xy=(width, index),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            color=BLACK if _percent(row) is not None else GREY,
            fontproperties=font(SMALL_PT),
            parse_math=False,
            # A label crossing the target line stays readable on its white patch.
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
        )


def _draw_target_line(axes: Axes, lang: str) -> None:
    """Mark 100% of target with a labelled dashed line."""
    axes.axvline(100, color=BLACK, linestyle="--", linewidth=1.8)
    axes.text(
        100,
        1.0,
        word("target", lang),
        transform=axes.get_xaxis_transform(),
        ha="center",
        va="bottom",
        fontproperties=font(SMALL_PT),
        parse_math=False,
    )


def _set_percent_axis(axes: Axes, end: float, lang: str) -> None:
    """Scale the x axis in percent, with room on the right for the bar labels."""
    step = 25 if end <= 100 else 50
    axes.set_xlim(0, end * 1.5)
    axes.xaxis.set_major_locator(FixedLocator([float(x) for x in range(0, int(end) + 1, step)]))
    axes.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    axes.set_xlabel(word("percent_axis", lang), fontproperties=font(LABEL_PT), color=GREY)


def _set_names(axes: Axes, names: list[str], *, muted_last: bool) -> None:
    """Put member names on the y axis, first member at the top."""
    ticks = axes.set_yticks(range(len(names)), labels=names, parse_math=False)
    axes.set_ylim(len(names) - 0.5, -0.5)
    if muted_last:
        ticks[-1].label1.set_color(GREY)


def _height(rows: int) -> float:
    """Return the figure height in inches: grows with the number of rows."""
    return max(4.0, 2.2 + 0.5 * rows)


def build_member_progress(
    rows: Sequence[MemberBar], *, title: str, currency: str, lang: str = "en"
) -> Figure:
    """Build the member progress chart as a Figure."""
    if not rows:
        return build_empty(word("no_data", lang), title=title)
    ordered = _ordered(rows)
    shown, hidden = ordered[:MAX_MEMBERS], len(ordered) - MAX_MEMBERS
    names = [label(row.name, NAME_COLUMNS) for row in shown]
    if hidden > 0:
        # An extra, bar-less row at the bottom says who is left out.
        names.append(word("more", lang, n=hidden))
    figure = new_figure(_height(len(names)))
    axes = figure.add_subplot()
    style_axes(axes, grid_axis="x")
    _draw_bars(axes, shown, currency, lang)
    _draw_target_line(axes, lang)
    _set_percent_axis(axes, _axis_end([_bar_width(row) for row in shown]), lang)
    _set_names(axes, names, muted_last=hidden > 0)
    set_title(axes, title)
    return figure


def member_progress_chart(
    rows: Sequence[MemberBar], *, title: str, currency: str, lang: str = "en"
) -> bytes:
    """Render each member's progress to target as PNG bytes."""
    return to_png(build_member_progress(rows, title=title, currency=currency, lang=lang))
