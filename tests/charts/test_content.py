"""What the charts say: order, short-form amounts, truncation, dates, counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.charts import MemberBar, StageBar, WeekPoint
from bot.charts.empty import build_empty
from bot.charts.member_progress import MAX_MEMBERS, build_member_progress
from bot.charts.pipeline import build_pipeline
from bot.charts.style import NAME_COLUMNS, shorten
from bot.charts.weekly_won import build_weekly_won, week_label
from tests.charts.helpers import (
    MEMBERS,
    STAGES,
    WEEKS,
    drawn,
    role_strings,
    strings,
    text_with,
    texts,
)

LONG_NAME = "Alexandria Ocasio-Cortez-Williamson"
LONG_CJK_NAME = "欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜"


def _members(lang: str = "en") -> list[str]:
    figure = drawn(build_member_progress(MEMBERS, title="Progress", currency="CNY", lang=lang))
    return strings(figure)


def test_members_sorted_by_percent_then_untargeted_by_amount() -> None:
    figure = drawn(build_member_progress(MEMBERS, title="Progress", currency="CNY"))
    assert role_strings(figure, "name") == ["王芳", "李雷", "さくら", "김민수", "Amy", "Zed"]


def test_member_bars_labelled_with_percent_and_short_amounts() -> None:
    shown = _members()
    assert "150.0%  ¥30k / ¥20k" in shown
    assert "85.7%  ¥12k / ¥14k" in shown
    assert "0.0%  ¥0 / ¥8k" in shown
    assert "¥9k · no target" in shown
    assert "Target (100%)" in shown


def test_member_bars_in_chinese_use_wan() -> None:
    shown = _members("zh")
    assert "85.7%  ¥1.2万 / ¥1.4万" in shown
    assert "¥9,000 · 未设目标" in shown
    assert "目标 (100%)" in shown


@pytest.mark.parametrize(
    ("achieved", "label"),
    [("9994", "99.9%  $9.99k / $10k"), ("9995", "100.0%  $10k / $10k"), ("4949", "49.5%  $4.95k")],
)
def test_percent_is_rounded_as_everywhere_else(achieved: str, label: str) -> None:
    """The label shows the percent /target shows and tiers are decided on (half-up to 0.1)."""
    rows = [MemberBar("Ann", Decimal(achieved), Decimal("10000"))]
    shown = strings(drawn(build_member_progress(rows, title="T", currency="USD")))
    assert any(text.startswith(label) for text in shown), shown


def test_members_beyond_forty_become_a_more_row() -> None:
    rows = [MemberBar(f"Rep {i:02}", Decimal(i * 100), Decimal(10000)) for i in range(45)]
    figure = drawn(build_member_progress(rows, title="Progress", currency="USD"))
    names = role_strings(figure, "name")
    assert len(names) == MAX_MEMBERS + 1
    assert names[0] == "Rep 44"
    assert names[-1] == "+5 more"
    zh = drawn(build_member_progress(rows, title="进度", currency="USD", lang="zh"))
    assert role_strings(zh, "name")[-1] == "另有 5 人"


@pytest.mark.parametrize("name", [LONG_NAME, LONG_CJK_NAME])
def test_long_names_are_cut_with_an_ellipsis(name: str) -> None:
    rows = [MemberBar(name, Decimal(1), Decimal(2))]
    figure = drawn(build_member_progress(rows, title="Progress", currency="USD"))
    (shown,) = role_strings(figure, "name")
    assert shown.endswith("…")
    assert name.startswith(shown[:-1])
    assert shown == shorten(name, NAME_COLUMNS)


def test_shorten_counts_cjk_double() -> None:
    assert shorten("abcdef", 6) == "abcdef"
    assert shorten("abcdefg", 6) == "abcde…"
    assert shorten("李雷王芳", 8) == "李雷王芳"
    assert shorten("李雷王芳", 7) == "李雷王…"


def test_titles_and_names_with_dollars_are_not_mathtext() -> None:
    rows = [MemberBar("Ke$ha $$", Decimal(1), Decimal(2))]
    figure = drawn(build_member_progress(rows, title="Won $1 of $2", currency="USD"))
    assert text_with(figure, "Won $1 of $2").get_parse_math() is False
    assert role_strings(figure, "name") == ["Ke$ha $$"]
    assert all(not t.get_parse_math() for t in texts(figure) if t.get_text().count("$") > 1)


def test_week_labels() -> None:
    assert week_label(date(2026, 11, 30), "en") == "Nov 30"
    assert week_label(date(2026, 11, 30), "zh") == "11月30日"
    assert week_label(date(2027, 1, 4), "zh-Hans") == "1月4日"


def test_weekly_chart_shows_the_last_twelve_weeks_in_order() -> None:
    shuffled = list(reversed(WEEKS))
    figure = drawn(
        build_weekly_won(shuffled, weekly_pace=Decimal(35000), title="Won", currency="USD")
    )
    expected = [week_label(week.week_start, "en") for week in WEEKS[-12:]]
    assert role_strings(figure, "name") == expected


def test_weekly_chart_labels_amounts_and_pace_in_short_form() -> None:
    figure = drawn(build_weekly_won(WEEKS, weekly_pace=Decimal(35000), title="Won", currency="USD"))
    # The last twelve of fourteen weeks, oldest first, each to three significant digits.
    assert role_strings(figure, "value") == [
        *("$45k", "$8k", "$0", "$23k", "$1.21M", "$30k"),
        *("$15k", "$0", "$99k", "$41k", "$27.5k", "$6k"),
    ]
    assert role_strings(figure, "caption") == ["Pace $35k"]


def test_weekly_chart_in_chinese() -> None:
    figure = drawn(
        build_weekly_won(WEEKS, weekly_pace=Decimal(35000), title="赢单", currency="CNY", lang="zh")
    )
    assert role_strings(figure, "name")[-1] == week_label(WEEKS[-1].week_start, "zh")
    assert "每周所需 ¥3.5万" in strings(figure)
    assert "¥121万" in strings(figure)


@pytest.mark.parametrize("pace", [None, Decimal(0)])
def test_weekly_chart_without_pace_has_no_pace_line(pace: Decimal | None) -> None:
    figure = drawn(build_weekly_won(WEEKS, weekly_pace=pace, title="Won", currency="USD"))
    assert not [s for s in strings(figure) if s.startswith("Pace")]
    assert not figure.axes[0].get_lines()
    assert role_strings(figure, "caption") == []


def test_weekly_chart_single_week() -> None:
    week = WeekPoint(date(2026, 11, 30), Decimal(0))
    figure = drawn(build_weekly_won([week], weekly_pace=None, title="Won", currency="USD"))
    assert role_strings(figure, "name") == ["Nov 30"]
    assert role_strings(figure, "value") == ["$0"]


def test_pipeline_labels_count_amount_and_weighted() -> None:
    figure = drawn(build_pipeline(STAGES, title="Pipeline", currency="USD"))
    assert role_strings(figure, "name") == [
        "Lead (12)",
        "Qualified (8)",
        "Proposal (4)",
        "Negotiation (2)",
    ]
    label = text_with(figure, "$120k · weighted $48k")
    assert label.get_parse_math() is False
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["Amount", "Weighted"]


def test_pipeline_in_chinese() -> None:
    figure = drawn(build_pipeline(STAGES, title="漏斗", currency="CNY", lang="zh"))
    assert "¥12万 · 加权 ¥4.8万" in strings(figure)


def test_pipeline_with_nothing_open() -> None:
    stages = [StageBar("Lead", 0, Decimal(0), Decimal(0))]
    figure = drawn(build_pipeline(stages, title="Pipeline", currency="USD"))
    assert role_strings(figure, "value") == ["$0 · weighted $0"]


@pytest.mark.parametrize(("lang", "message"), [("en", "No data yet"), ("zh", "暂无数据")])
def test_no_rows_give_the_empty_card(lang: str, message: str) -> None:
    builds = [
        build_member_progress([], title="T", currency="USD", lang=lang),
        build_weekly_won([], weekly_pace=Decimal(1), title="T", currency="USD", lang=lang),
        build_pipeline([], title="T", currency="USD", lang=lang),
    ]
    for figure in builds:
        assert message in strings(drawn(figure))


def test_empty_card_shows_message_and_title() -> None:
    figure = drawn(build_empty("No deals yet — log one with /deal", title="Weekly report"))
    assert {"No deals yet — log one with /deal", "Weekly report"} <= set(strings(figure))
    assert figure.axes == []
