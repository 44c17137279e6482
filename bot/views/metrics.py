"""How metrics and goals are named to people."""

from __future__ import annotations

from bot.i18n import N_, _

_METRIC_NAMES = {
    "revenue": N_("revenue"),
    "deals": N_("deals won"),
    "pipeline": N_("new pipeline"),
}
_GOALS = {
    "revenue": N_("{period} revenue target"),
    "deals": N_("{period} deals won target"),
    "pipeline": N_("{period} new pipeline target"),
}


def metric_name(metric: str) -> str:
    """`revenue`, `deals won`, `new pipeline`, in the current language."""
    return _(_METRIC_NAMES[metric]) if metric in _METRIC_NAMES else metric


def goal_text(metric: str, period: str) -> str:
    """`December 2026 revenue target`, in the current language."""
    if metric not in _GOALS:
        return f"{period} {metric}"
    return _(_GOALS[metric]).format(period=period)
