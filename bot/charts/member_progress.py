"""Each member's progress to target: one row per member, the bar on a percent-of-target
scale across the whole width, the 100% target marked on every bar."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.charts.canvas import to_png
from bot.charts.data import MemberBar
from bot.charts.empty import build_empty
from bot.charts.money import chart_amount
from bot.charts.rows import BAR_PT, Row, Stack, stacked
from bot.charts.style import BLACK, CARD, GREEN, NAME_COLUMNS, SKY_BLUE, label, word
from bot.domain.progress import percent_label, percent_of

__all__ = ["MAX_MEMBERS", "build_member_progress", "member_progress_chart"]

MAX_MEMBERS = 40
# Bars stop at 200%: one member at 900% would otherwise squash everyone else's bar.
_CAP = Decimal(200)
_TARGET = 100.0


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
    """Return a member's numbers: percent and amounts, or the amount alone."""
    achieved = chart_amount(row.achieved, currency, lang)
    percent = _percent(row)
    if percent is None or row.target is None:
        return f"{achieved} · {word('no_target', lang)}"
    # The percent /target, App Home and the channel show: 100.0% only once the target is hit.
    shown = percent_label(percent)
    return f"{shown}  {achieved} / {chart_amount(row.target, currency, lang)}"


def _bar_width(row: MemberBar) -> float:
    """Return the drawn bar length in percent: clipped to 0–200, 0 without a target."""
    percent = _percent(row)
    if percent is None:
        return 0.0
    return float(min(max(percent, Decimal(0)), _CAP))


def _draw_bars(stack: Stack, rows: Sequence[MemberBar]) -> None:
    """Draw each bar over a light track from 0 to the scale's end, the target marked on it."""
    axes = stack.axes
    for index, row in enumerate(rows):
        if _percent(row) is None:
            # Nothing to measure against: the row's text says so, and no empty track lies.
            continue
        centre = stack.bar_centre(index)
        width = _bar_width(row)
        axes.barh(centre, stack.end, height=BAR_PT, color=CARD)
        axes.barh(centre, width, height=BAR_PT, color=GREEN if width >= _TARGET else SKY_BLUE)
        # Only as tall as the bar: the member's name and numbers above stay clear.
        top = stack.bar_top(index)
        mark = Line2D(
            [_TARGET, _TARGET],
            [top, top + BAR_PT],
            color=BLACK,
            linestyle=(0, (2.5, 1.5)),
            linewidth=1.6,
            gid="target",
        )
        axes.add_line(mark)


def build_member_progress(
    rows: Sequence[MemberBar], *, title: str, currency: str, lang: str = "en"
) -> Figure:
    """Build the member progress chart as a Figure."""
    if not rows:
        return build_empty(word("no_data", lang), title=title)
    ordered = _ordered(rows)
    shown, hidden = ordered[:MAX_MEMBERS], len(ordered) - MAX_MEMBERS
    lines = [
        Row(
            label(row.name, NAME_COLUMNS),
            _bar_text(row, currency, lang),
            muted=_percent(row) is None,
        )
        for row in shown
    ]
    if hidden > 0:
        # An extra, bar-less row at the bottom says who is left out.
        lines.append(Row(word("more", lang, n=hidden), "", muted=True))
    end = max(_TARGET, *(_bar_width(row) for row in shown))
    stack = stacked(lines, title=title, end=end)
    _draw_bars(stack, shown)
    if any(_percent(row) is not None for row in shown):
        stack.caption(_TARGET, word("target", lang))
    return stack.figure


def member_progress_chart(
    rows: Sequence[MemberBar], *, title: str, currency: str, lang: str = "en"
) -> bytes:
    """Render each member's progress to target as PNG bytes."""
    return to_png(build_member_progress(rows, title=title, currency=currency, lang=lang))
