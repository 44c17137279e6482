"""Amount won per week over the last twelve weeks, against the weekly pace needed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.charts.canvas import amount_axis, new_figure, set_title, style_axes, to_png
from bot.charts.data import WeekPoint
from bot.charts.empty import build_empty
from bot.charts.style import (
    BLACK,
    BLUE,
    SMALL_PT,
    VERMILLION,
    font,
    is_zh,
    word,
)
from bot.domain.amounts import format_amount

__all__ = ["MAX_WEEKS", "build_weekly_won", "week_label", "weekly_won_chart"]

MAX_WEEKS = 12
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Head room above the tallest bar or the pace line for the amount labels.
_HEAD_ROOM = 1.18
_UPRIGHT_ZH_WEEKS = 8


def week_label(day: date, lang: str) -> str:
    """Return a week's x label: "Nov 30", or "11月30日" in Chinese."""
    # Written out rather than via the locale: strftime depends on the server's locale.
    if is_zh(lang):
        return f"{day.month}月{day.day}日"
    return f"{_MONTHS[day.month - 1]} {day.day}"


def _recent(weeks: Sequence[WeekPoint]) -> list[WeekPoint]:
    """Return the last twelve weeks, oldest first."""
    return sorted(weeks, key=lambda week: week.week_start)[-MAX_WEEKS:]


def _draw_bars(axes: Axes, weeks: Sequence[WeekPoint], currency: str, lang: str) -> None:
    """Draw one bar per week with its amount on top."""
    axes.bar(range(len(weeks)), [float(week.won) for week in weeks], width=0.65, color=BLUE)
    for index, week in enumerate(weeks):
        axes.annotate(
            format_amount(week.won, currency, lang=lang),
            xy=(index, float(max(week.won, Decimal(0)))),
            xytext=(0, 5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            color=BLACK,
            fontproperties=font(SMALL_PT),
            parse_math=False,
            # An amount crossing the pace line stays readable on its white patch.
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
        )


def _draw_pace(axes: Axes, pace: Decimal, currency: str, lang: str) -> None:
    """Draw the weekly pace as a dashed line, labelled in the right margin."""
    axes.axhline(float(pace), color=VERMILLION, linestyle="--", linewidth=2.5)
    # In the margin, so it never covers a bar or a bar's amount.
    axes.text(
        1.01,
        float(pace),
        f"{word('pace', lang)}\n{format_amount(pace, currency, lang=lang)}",
        transform=axes.get_yaxis_transform(),
        ha="left",
        va="center",
        color=VERMILLION,
        fontproperties=font(SMALL_PT),
        parse_math=False,
    )


def _set_week_axis(axes: Axes, weeks: Sequence[WeekPoint], lang: str) -> None:
    """Label each bar with its week's start date."""
    labels = [week_label(week.week_start, lang) for week in weeks]
    # "11月30日" is wider than "Nov 30": twelve of them only fit side by side when tilted.
    tilt = 30 if is_zh(lang) and len(weeks) > _UPRIGHT_ZH_WEEKS else 0
    axes.set_xticks(
        range(len(weeks)),
        labels=labels,
        parse_math=False,
        rotation=tilt,
        ha="right" if tilt else "center",
        rotation_mode="anchor",
    )
    # At least four slots, so one or two weeks do not become giant bars.
    axes.set_xlim(-0.6, max(len(weeks), 4) - 0.4)


def _set_amount_axis(axes: Axes, top: Decimal, currency: str, lang: str) -> None:
    """Label the y axis with short amounts, leaving head room for the bar labels."""
    amount_axis(axes.yaxis, currency, lang)
    if top <= 0:
        # Nothing won at all: a lone "0" reads better than ticks at cents.
        axes.set_ylim(0, 1)
        axes.set_yticks([0.0])
        return
    axes.set_ylim(0, float(top) * _HEAD_ROOM)


def build_weekly_won(
    weeks: Sequence[WeekPoint],
    *,
    weekly_pace: Decimal | None,
    title: str,
    currency: str,
    lang: str = "en",
) -> Figure:
    """Build the won-per-week chart as a Figure."""
    recent = _recent(weeks)
    if not recent:
        return build_empty(word("no_data", lang), title=title)
    pace = weekly_pace if weekly_pace is not None and weekly_pace > 0 else None
    figure = new_figure(6.5)
    axes = figure.add_subplot()
    style_axes(axes, grid_axis="y")
    _draw_bars(axes, recent, currency, lang)
    if pace is not None:
        _draw_pace(axes, pace, currency, lang)
    _set_week_axis(axes, recent, lang)
    _set_amount_axis(
        axes, max([week.won for week in recent] + [pace or Decimal(0)]), currency, lang
    )
    set_title(axes, title)
    return figure


def weekly_won_chart(
    weeks: Sequence[WeekPoint],
    *,
    weekly_pace: Decimal | None,
    title: str,
    currency: str,
    lang: str = "en",
) -> bytes:
    """Render the amount won per week against the weekly pace as PNG bytes."""
    figure = build_weekly_won(
        weeks, weekly_pace=weekly_pace, title=title, currency=currency, lang=lang
    )
    return to_png(figure)
