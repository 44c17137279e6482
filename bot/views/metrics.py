"""How metrics and goals are named to people."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.activities import MONEY_METRICS, kind_of_metric
from bot.domain.text import Plain, escape_mrkdwn
from bot.i18n import N_, _, money
from bot.views.activities import kind_name

_METRIC_NAMES = {
    "revenue": N_("revenue"),
    "deals": N_("deals won"),
    "pipeline": N_("new pipeline"),
    "points": N_("activity points"),
}
_GOALS = {
    "revenue": N_("{period} revenue target"),
    "deals": N_("{period} deals won target"),
    "pipeline": N_("{period} new pipeline target"),
    "points": N_("{period} activity points target"),
}


def metric_name(metric: str) -> Plain:
    """`revenue`, `deals won`, `new pipeline`, `calls`, in the current language (raw: a
    team's own kind is named as a manager typed it)."""
    kind = kind_of_metric(metric)
    if kind is not None:
        return kind_name(kind)
    return _(_METRIC_NAMES[metric]) if metric in _METRIC_NAMES else metric


def goal_text(metric: str, period: str) -> str:
    """`December 2026 revenue target`, `week of Nov 30 calls target`, in the current language
    (mrkdwn: a team's own kind is escaped)."""
    kind = kind_of_metric(metric)
    if kind is not None:
        return _("{period} {kind} target").format(
            period=period, kind=escape_mrkdwn(kind_name(kind))
        )
    if metric not in _GOALS:
        return f"{period} {escape_mrkdwn(metric)}"
    return _(_GOALS[metric]).format(period=period)


def metric_amount(value: Decimal, metric: str, currency: str) -> str:
    """A metric's figure: money for revenue and pipeline, a plain count for anything else
    (`3`, `2.5`), as standings, the wallboard and targets show it."""
    if metric in MONEY_METRICS:
        return money(value, currency)
    return f"{value.normalize():f}" if value != value.to_integral_value() else f"{value:.0f}"
