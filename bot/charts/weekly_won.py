"""Amount won per week over the last twelve weeks, against the weekly pace needed: one row
per week, oldest at the top, its date on the left and its amount on the right."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.charts.canvas import (
    CONTENT_PT,
    MARGIN_PT,
    TITLE_BAND_PT,
    add_axes,
    add_title,
    caption_shift,
    new_figure,
    text_width,
    to_png,
)
from bot.charts.data import WeekPoint
from bot.charts.empty import build_empty
from bot.charts.money import chart_amount
from bot.charts.style import (
    BLACK,
    BLUE,
    LABEL_PT,
    SMALL_PT,
    VERMILLION,
    WIDTH_PT,
    font,
    line_height,
    word,
)
from bot.i18n import day

__all__ = ["MAX_WEEKS", "build_weekly_won", "week_label", "weekly_won_chart"]

MAX_WEEKS = 12
_ROW_PT = 21.0
_BAR_PT = 12.0
# Between the dates, the bars and the amounts.
_GAP_PT = 7.0
_CAPTION_BAND_PT = 3.0 + line_height(SMALL_PT)


def week_label(monday: date, lang: str) -> str:
    """Return a week's label as messages write a day: "Nov 30", or "11月30日" in Chinese (no
    year: twelve weeks back are never ambiguous, and the rows have no room for it)."""
    return day(monday, with_year=False, lang=lang)


def _recent(weeks: Sequence[WeekPoint]) -> list[WeekPoint]:
    """Return the last twelve weeks, oldest first."""
    return sorted(weeks, key=lambda week: week.week_start)[-MAX_WEEKS:]


def _side_text(axes: Axes, x: float, y: float, dx: float, text: str, gid: str) -> None:
    """Write a row's date (left of the bars) or amount (right of them), beside its bar."""
    axes.annotate(
        text,
        xy=(x, y),
        xycoords=("axes fraction", "data"),
        xytext=(dx, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        color=BLACK,
        fontproperties=font(LABEL_PT),
        parse_math=False,
        gid=gid,
    )


def _draw_pace(
    figure: Figure, axes: Axes, pace: Decimal, text: str, box: tuple[float, float, float, float]
) -> None:
    """Draw the weekly pace as a dashed line through the bars, captioned under them."""
    left, top, width, height = box
    axes.axvline(float(pace), color=VERMILLION, linestyle="--", linewidth=1.5, gid="pace")
    x = left + width * float(pace) / axes.get_xlim()[1]
    x += caption_shift(figure, text, SMALL_PT, x)
    figure.text(
        x / WIDTH_PT,
        1 - (top + height + 3.0) / (float(figure.get_figheight()) * 72),
        text,
        ha="center",
        va="top",
        color=VERMILLION,
        fontproperties=font(SMALL_PT),
        parse_math=False,
        gid="caption",
    )


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
    dates = [week_label(week.week_start, lang) for week in recent]
    amounts = [chart_amount(week.won, currency, lang) for week in recent]
    top = MARGIN_PT + TITLE_BAND_PT
    height = len(recent) * _ROW_PT
    figure = new_figure(top + height + (_CAPTION_BAND_PT if pace else 0.0) + MARGIN_PT)
    add_title(figure, title)
    dates_width = max(text_width(figure, text, LABEL_PT) for text in dates) + _GAP_PT
    amounts_width = max(text_width(figure, text, LABEL_PT) for text in amounts) + _GAP_PT
    box = (MARGIN_PT + dates_width, top, CONTENT_PT - dates_width - amounts_width, height)
    axes = add_axes(figure, left=box[0], top=top, width=box[2], height=height)
    largest = max([week.won for week in recent] + [pace or Decimal(0)])
    axes.set_xlim(0, float(largest) if largest > 0 else 1.0)
    axes.set_ylim(height, 0)
    for index, week in enumerate(recent):
        centre = (index + 0.5) * _ROW_PT
        axes.barh(centre, float(max(week.won, Decimal(0))), height=_BAR_PT, color=BLUE)
        _side_text(axes, 0.0, centre, -_GAP_PT, dates[index], "name")
        _side_text(axes, 1.0, centre, amounts_width, amounts[index], "value")
    if pace is not None:
        caption = word("pace", lang, amount=chart_amount(pace, currency, lang))
        _draw_pace(figure, axes, pace, caption, box)
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
