"""Every chart is a PNG at least 1200 px wide, whatever the data."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from bot.charts import (
    MemberBar,
    StageBar,
    empty_chart,
    member_progress_chart,
    pipeline_chart,
    png_size,
    weekly_won_chart,
)
from bot.charts.empty import build_empty
from tests.charts.helpers import MEMBERS, STAGES, WEEKS, no_warnings

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

CHARTS: dict[str, Callable[[], bytes]] = {
    "members": lambda: member_progress_chart(MEMBERS, title="Progress", currency="CNY"),
    "members zh": lambda: member_progress_chart(MEMBERS, title="进度", currency="CNY", lang="zh"),
    "members none": lambda: member_progress_chart([], title="Progress", currency="CNY"),
    "members one": lambda: member_progress_chart(MEMBERS[:1], title="Progress", currency="CNY"),
    "members zero": lambda: member_progress_chart(
        [MemberBar("Ann", Decimal(0), Decimal(0)), MemberBar("Bo", Decimal(0), None)],
        title="Progress",
        currency="CNY",
    ),
    "weeks": lambda: weekly_won_chart(
        WEEKS, weekly_pace=Decimal(35000), title="Won", currency="USD"
    ),
    "weeks zh": lambda: weekly_won_chart(
        WEEKS, weekly_pace=Decimal(35000), title="赢单", currency="CNY", lang="zh"
    ),
    "weeks none": lambda: weekly_won_chart([], weekly_pace=None, title="Won", currency="USD"),
    "weeks one": lambda: weekly_won_chart(WEEKS[:1], weekly_pace=None, title="Won", currency="USD"),
    "weeks zero": lambda: weekly_won_chart(
        [WEEKS[4]], weekly_pace=Decimal(0), title="Won", currency="USD"
    ),
    "pipeline": lambda: pipeline_chart(STAGES, title="Pipeline", currency="USD"),
    "pipeline none": lambda: pipeline_chart([], title="Pipeline", currency="USD"),
    "pipeline one": lambda: pipeline_chart(STAGES[:1], title="Pipeline", currency="USD"),
    "pipeline zero": lambda: pipeline_chart(
        [StageBar("Lead", 0, Decimal(0), Decimal(0))], title="Pipeline", currency="USD"
    ),
    "empty": lambda: empty_chart("No deals yet", title="Weekly report"),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_chart_is_a_wide_png(name: str) -> None:
    with no_warnings():
        data = CHARTS[name]()
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = png_size(data)
    assert width >= 1200
    # A one-row chart is a short banner; nothing is cut.
    assert height >= 200


def test_png_size_reads_ihdr() -> None:
    figure = build_empty("Nothing yet", title="Report")
    size = (1200, round(figure.get_figheight() * figure.dpi))
    assert png_size(empty_chart("Nothing yet", title="Report")) == size


@pytest.mark.parametrize("data", [b"", b"GIF89a" + bytes(30), PNG_SIGNATURE + bytes(20)])
def test_png_size_refuses_other_data(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(data)


def test_member_chart_grows_with_members() -> None:
    few = member_progress_chart(MEMBERS[:2], title="Progress", currency="CNY")
    many = member_progress_chart(MEMBERS * 5, title="Progress", currency="CNY")
    assert png_size(many)[1] > png_size(few)[1]
    assert png_size(many)[0] == png_size(few)[0] == 1200
