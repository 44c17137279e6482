"""Weekly report charts: plain inputs in, PNG bytes out, drawn by matplotlib's Agg backend.

Importing this package registers the bundled Noto Sans CJK SC subset with matplotlib's
font manager, so CJK names render on a machine with no system fonts.
"""

from __future__ import annotations

from bot.charts.canvas import png_size
from bot.charts.data import FunnelStep, MemberBar, MovementStep, StageBar, WeekPoint
from bot.charts.empty import empty_chart
from bot.charts.funnel import funnel_chart
from bot.charts.member_progress import member_progress_chart
from bot.charts.movement import movement_chart
from bot.charts.pipeline import pipeline_chart
from bot.charts.style import displayable
from bot.charts.weekly_won import weekly_won_chart

__all__ = [
    "FunnelStep",
    "MemberBar",
    "MovementStep",
    "StageBar",
    "WeekPoint",
    "displayable",
    "empty_chart",
    "funnel_chart",
    "member_progress_chart",
    "movement_chart",
    "pipeline_chart",
    "png_size",
    "weekly_won_chart",
]
