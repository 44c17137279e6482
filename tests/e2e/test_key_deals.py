"""Deals that stall (issue 17): `/salesbot keydeal` sets a team's key-deal size and quiet days;
each open deal of that size with no change for that many days is told to the team's managers by
DM, once per quiet spell, however many clocks run; a change ends the spell.

The team: #sales, alice (U1, a Slack admin, so a manager), bob (U2), 李雷 (U3), made a manager
below; 1 USD = 7.1 CNY. Bob's deals, added on Monday 30 November 2026 at 09:30 in Shanghai
(01:30 UTC): #1 Acme ¥150,000 proposal closing Dec 20, #2 Beta ¥50,000, #3 Gamma $10,000
(worth ¥71,000), #4 Delta ¥100,000. At a size of 100k, Acme and Delta (exactly the size) are
key deals; at 60k, Gamma is one by its value, and Beta is not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.jobs.due import run_scheduled
from bot.jobs.key_deals import run_key_deals
from bot.slack.app import Salesbot
from models import KeyDealAlert, SalesTeam
from tests.conftest import START
from tests.e2e.conftest import Say
from tests.e2e.test_currency import confirm_button, press

pytestmark = pytest.mark.usefixtures("team")

DAY = timedelta(days=1)


def key_deal_dms(slack: DevSlack) -> list[tuple[str, str]]:
    """(manager, text) of every key-deal DM Slack received, in order."""
    return [
        (str(c.params["channel"]), str(c.params["text"]))
        for c in slack.calls("chat.postMessage")
        if str(c.params.get("text", "")).startswith(":zzz:")
    ]


def alerts(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(KeyDealAlert.id))) or 0


def team_row(sessions: sessionmaker[Session]) -> SalesTeam:
    with sessions() as session:
        return session.scalars(select(SalesTeam)).one()


@pytest.fixture
def deals(say: Say, team: None) -> None:
    assert ":warning:" not in say("/salesbot", "fx USD 7.1", user="U1").text
    for text in (
        "add Acme 150k proposal close Dec 20",
        "add Beta 50k",
        "add Gamma $10k",
        "add Delta 100k",
    ):
        assert ":warning:" not in say("/deal", text, user="U2").text
    assert ":warning:" not in say("/salesbot", "managers add <@U3>", user="U1").text


def run_at(app: Salesbot, at: datetime) -> None:
    """What `salesbot clock` does at `at`, delivered (the sender sends what is owed by then)."""
    clock = app.runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.set(at)
    run_scheduled(app.runtime, now=at)
    app.runtime.sender.deliver_due()


def test_the_setting_in_english_and_chinese(say: Say, sessions: sessionmaker[Session]) -> None:
    assert "Key-deal alerts are off" in say("/salesbot", "keydeal", user="U2").text
    reply = say("/salesbot", "keydeal 100k", user="U1").text
    assert (
        "Key deals of sales: open deals of ¥100,000 or more with no change for 14 days are "
        "told to the managers by DM" in reply
    ), reply
    assert "for 10 days" in say("/salesbot", "keydeal days 10", user="U1").text
    assert "¥100,000 or more with no change for 10 days" in say("/salesbot", "keydeal").text
    assert (team_row(sessions).key_deal_amount, team_row(sessions).key_deal_days) == (
        Decimal("100000"),
        10,
    )
    # A size is money in the team currency: a switch converts it, so it needs a rate.
    assert "give the rate" in say("/salesbot", "currency EUR", user="U1").text
    assert "Key-deal alerts are off" in say("/salesbot", "keydeal off", user="U1").text
    assert team_row(sessions).key_deal_amount is None
    say("/salesbot", "language zh", user="U1")
    reply = say("/salesbot", "关键商机 10万", user="U1").text
    assert "¥100,000 及以上" in reply and "10 天" in reply, reply
    assert "7 天" in say("/salesbot", "关键商机 天数 7", user="U1").text
    assert team_row(sessions).key_deal_days == 7
    assert "关键商机提醒已关闭" in say("/salesbot", "关键商机 关闭", user="U1").text


@pytest.mark.parametrize(
    ("text", "user", "words"),
    [
        ("keydeal 100k", "U2", "Only managers"),
        ("keydeal lots", "U1", "“lots” is not an amount"),
        ("keydeal 0", "U1", "more than zero"),
        ("keydeal $10k", "U1", "in the team currency, CNY"),
        ("keydeal days", "U1", "Give one number of days after `days`"),
        ("keydeal days soon", "U1", "`soon` is not a number of days"),
        ("keydeal days 0", "U1", "between 1 and 365, not 0"),
        ("keydeal off now", "U1", "`off` takes nothing after it"),
    ],
)
def test_bad_settings_are_refused_and_write_nothing(
    say: Say, sessions: sessionmaker[Session], text: str, user: str, words: str
) -> None:
    reply = say("/salesbot", text, user=user).text
    assert reply.startswith(":warning:") and words in reply, reply
    assert "`/salesbot keydeal 100k`" in reply or user == "U2"
    assert (team_row(sessions).key_deal_amount, team_row(sessions).key_deal_days) == (None, 14)


@pytest.mark.usefixtures("deals")
def test_each_quiet_spell_is_told_once_to_each_manager(
    say: Say, app: Salesbot, slack: DevSlack, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "keydeal 100k", user="U1")
    say("/salesbot", "keydeal days 10", user="U1")
    say("/deal", "won Delta", user="U2")  # closed: no longer watched
    run_at(app, START + 10 * DAY - timedelta(minutes=1))  # 9 days 23:59 quiet
    assert key_deal_dms(slack) == []
    run_at(app, START + 10 * DAY)
    told = (
        ":zzz: Key deal `#1` *Acme* · ¥150k · Proposal · <@U2> has had no change for 10 days "
        "(since Nov 30). It closes Dec 20."
    )
    assert key_deal_dms(slack) == [("U1", told), ("U3", told)]
    for later in (START + 10 * DAY + timedelta(hours=1), START + 12 * DAY):
        run_at(app, later)
    assert len(key_deal_dms(slack)) == 2, "a spell is told once"
    # A change ends the spell; the next one is told when it has lasted ten days.
    clock.set(START + 13 * DAY)
    assert ":warning:" not in say("/deal", "#1 note sent the contract", user="U2").text
    run_at(app, START + 22 * DAY + timedelta(hours=23, minutes=59))  # 9 days 23:59 again
    assert len(key_deal_dms(slack)) == 2
    run_at(app, START + 23 * DAY)
    again = (
        ":zzz: Key deal `#1` *Acme* · ¥150k · Proposal · <@U2> has had no change for 10 days "
        "(since Dec 13). It closes Dec 20."
    )
    assert key_deal_dms(slack)[2:] == [("U1", again), ("U3", again)]
    assert alerts(sessions) == 2


@pytest.mark.usefixtures("deals")
def test_a_foreign_deal_counts_by_its_value_and_the_morning_waits(
    say: Say, app: Salesbot, slack: DevSlack
) -> None:
    say("/deal", "won Acme", user="U2")
    say("/deal", "won Delta", user="U2")
    say("/salesbot", "keydeal 60k", user="U1")
    say("/salesbot", "language zh", user="U3")
    # Quiet for 14 days since Dec 14 09:30; nobody ran the clock then. At 08:59 the next
    # morning in Shanghai it waits: told at 09:00, not in the night.
    dawn = datetime(2026, 12, 15, 0, 59, tzinfo=UTC)
    run_at(app, dawn)
    assert key_deal_dms(slack) == []
    run_at(app, dawn + timedelta(minutes=1))
    assert key_deal_dms(slack) == [
        (
            "U1",
            ":zzz: Key deal `#3` *Gamma* · $10k ≈ ¥71k · Lead · <@U2> has had no change for "
            "14 days (since Nov 30). It has no close date.",
        ),
        (
            "U3",
            ":zzz: 关键商机 `#3` *Gamma* · $1万 ≈ ¥7.1万 · 线索 · <@U2> 已经 14 天没有任何变化"
            "（自 11月30日 起）。还没有预计成交日期。",
        ),
    ]


@pytest.mark.usefixtures("deals")
def test_clocks_racing_tell_a_spell_once(
    say: Say, app: Salesbot, slack: DevSlack, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    """Four clocks (different instants, so different run keys) find the same quiet deal at
    once: on PostgreSQL they block on the unique (deal, quiet since) and one tells it."""
    say("/salesbot", "keydeal 100k", user="U1")
    base = START + 14 * DAY
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    counts: list[int] = []

    def run(offset: int) -> None:
        try:
            barrier.wait()
            counts.append(run_key_deals(app.runtime, base + timedelta(seconds=offset)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in (0, 20, 60, 3600)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    clock.set(base + timedelta(hours=2))  # what is owed by then is sent
    # Acme and Delta (still open here), each told by exactly one of the four.
    assert sorted(counts) == [0, 0, 0, 2]
    app.runtime.sender.deliver_due()
    dms = key_deal_dms(slack)
    assert sorted((to, text.split(" · ")[0]) for to, text in dms) == [
        ("U1", ":zzz: Key deal `#1` *Acme*"),
        ("U1", ":zzz: Key deal `#4` *Delta*"),
        ("U3", ":zzz: Key deal `#1` *Acme*"),
        ("U3", ":zzz: Key deal `#4` *Delta*"),
    ]
    assert alerts(sessions) == 2


@pytest.mark.usefixtures("deals")
def test_two_clock_processes_a_minute_apart(
    say: Say, database_url: str, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "keydeal 120k", user="U1")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_API_URL=slack.api_url,
        LOG_LEVEL="WARNING",
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "run-due", "--now", instant],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for instant in ("2026-12-14T10:00:00+08:00", "2026-12-14T10:01:00+08:00")
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sorted(to for to, _text in key_deal_dms(slack)) == ["U1", "U3"]
    assert alerts(sessions) == 1


@pytest.mark.usefixtures("deals")
def test_a_currency_switch_converts_the_size(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "keydeal 100k", user="U1")
    reply = say("/salesbot", "currency EUR 0.128", user="U1")
    assert "*Key deals* (`/salesbot keydeal`): ¥100,000 → €12,800" in reply.text, reply.text
    button: dict[str, Any] = confirm_button(reply)
    press(driver, slack, button)
    slack.wait_for("response_url", lambda c: "now reports in EUR" in str(c.params))
    assert team_row(sessions).key_deal_amount == Decimal("12800")
    assert "€12,800 or more" in say("/salesbot", "keydeal").text
