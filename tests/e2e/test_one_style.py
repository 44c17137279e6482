"""One style for money and one for dates (issue 16), through signed HTTP, in both languages.

Money: compact (three significant digits in the largest unit: ¥12k, ¥8.82k; ¥1.2万, ¥8,820)
wherever amounts sit side by side, exact (¥12,000, never ¥12,000.00) where one amount is the
point. Dates: Dec 20 this year, Jan 15, 2027 another (12月20日, 2027年1月15日), the weekday
before (Fri Dec 25) or after (12月25日周五).

Today is Monday 30 November 2026 in Shanghai; bob (U2) adds three deals:
#1 Acme ¥12,000 proposal (50%) closing Dec 20, #2 Beta ¥8,823.53 lead (10%) closing
Jan 15 2027, #3 华为 ¥12,000 lead. Lead holds ¥20,823.53 (weighted ¥2,082.35), proposal ¥12,000
(weighted ¥6,000): ¥32,823.53 open, ¥8,082.35 weighted.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")

MONEY = re.compile(r"[¥$€£][\d,.]+(?:[kMBT]|万亿|万|亿)?")


@pytest.fixture
def deals(say: Say, team: None) -> None:
    for text in (
        "add Acme 12k proposal close Dec 20",
        "add Beta 8823.53 close 2027-01-15",
        "add 华为 1.2万",
    ):
        assert ":warning:" not in say("/deal", text).text


def amounts(text: str) -> list[str]:
    return MONEY.findall(text)


@pytest.mark.usefixtures("deals")
def test_money_and_dates_in_english(say: Say) -> None:
    listed = say("/deal", "list").text
    assert "`#1` *Acme* · ¥12k · Proposal · closes Dec 20" in listed
    assert "`#2` *Beta* · ¥8.82k · Lead · closes Jan 15, 2027" in listed
    assert "`#3` *华为* · ¥12k · Lead" in listed
    pipeline = say("/deal", "pipeline").text
    assert "*Lead* (10%): 2 deals, ¥20.8k → ¥2.08k" in pipeline
    assert "*Proposal* (50%): 1 deal, ¥12k → ¥6k" in pipeline
    assert "¥32.8k open, *¥8.08k weighted*" in pipeline
    shown = say("/deal", "show #1").text
    assert "Amount: ¥12,000\n" in shown
    assert "Close date: Dec 20\n" in shown
    assert "Nov 30 09:30 · Bob Rep · created the deal" in shown
    beta = say("/deal", "show #2").text
    assert "Amount: ¥8,823.53\n" in beta and "Close date: Jan 15, 2027\n" in beta
    changed = say("/deal", "#1 amount 15k close 2026-11-02").text
    assert "amount: 12,000 → 15,000" in changed
    assert "close date: Dec 20 → Nov 2" in changed
    assert "The close date Nov 2 is in the past." in changed
    everything = "\n".join([listed, pipeline, shown, beta, changed])
    assert "2026" not in everything  # this year's days carry no year
    assert not [a for a in amounts(everything) if a.endswith(".00")], amounts(everything)


@pytest.mark.usefixtures("deals")
def test_money_and_dates_in_chinese(say: Say) -> None:
    say("/salesbot", "language zh")
    listed = say("/deal", "list").text
    assert "`#1` *Acme* · ¥1.2万 · 方案 · 预计 12月20日 成交" in listed, listed
    assert "`#2` *Beta* · ¥8,820 · 线索 · 预计 2027年1月15日 成交" in listed
    pipeline = say("/deal", "pipeline").text
    assert "¥2.08万 → ¥2,080" in pipeline, pipeline
    assert "¥1.2万 → ¥6,000" in pipeline
    assert "¥3.28万" in pipeline and "¥8,080" in pipeline
    shown = say("/deal", "show #1").text
    assert "¥12,000\n" in shown and "12,000.00" not in shown, shown
    assert "12月20日\n" in shown
    assert "11月30日 09:30 · Bob Rep" in shown
    changed = say("/deal", "#1 close 2026-11-02").text
    assert "预计成交日期 11月2日 已经过去。" in changed, changed
    everything = "\n".join([listed, pipeline, shown, changed])
    assert "2026" not in everything
    assert "8,823.53" not in listed + pipeline  # exact only where one deal is the point


@pytest.mark.parametrize(
    ("language", "added", "listed", "next_year", "refused"),
    [
        (
            "en",
            "Fri Dec 25 is a team holiday (Christmas).",
            "• Fri Dec 25 — Christmas",
            "• Fri Jan 1, 2027",
            "Dec 24 is not a team holiday.",
        ),
        (
            "zh",
            "12月25日周五 是团队假期（Christmas）。",
            "• 12月25日周五 — Christmas",
            "• 2027年1月1日周五",
            "12月24日 不是团队假期。",
        ),
    ],
)
def test_days_with_their_weekday(
    say: Say, language: str, added: str, listed: str, next_year: str, refused: str
) -> None:
    say("/salesbot", f"language {language}", user="U1")
    assert added in say("/standup", "holiday 2026-12-25 Christmas", user="U1").text
    say("/standup", "holiday 2027-01-01", user="U1")
    holidays = say("/standup", "holidays", user="U1").text
    assert listed in holidays and next_year in holidays, holidays
    assert "2026" not in holidays
    reply = say("/standup", "holiday remove 2026-12-24", user="U1").text
    assert reply.startswith(":warning:") and refused in reply, reply
