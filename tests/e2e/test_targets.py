"""/target and rewards end to end; the exactly-once guarantee under real concurrency."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.services.export import reward_rows
from models import RewardGrant, Target, TargetEvent
from tests.e2e.conftest import Say, race

pytestmark = pytest.mark.usefixtures("team")


def grants(sessions: sessionmaker[Session]) -> list[tuple[str, str, Decimal]]:
    with sessions() as session:
        rows = session.execute(
            select(RewardGrant.subject_key, RewardGrant.scope, RewardGrant.tier).order_by(
                RewardGrant.id
            )
        )
        return [(key, scope, tier.normalize()) for key, scope, tier in rows]


def tier_posts(slack: DevSlack, name: str) -> int:
    return sum(1 for c in slack.calls("chat.postMessage") if f"🎉 {name}" in str(c.params))


def test_set_target_is_for_managers_and_replacing_is_recorded(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    assert "Only managers" in say("/target", "set <@U2|bob> 50k", user="U2").text
    reply = say("/target", "set <@U2|bob> 50k", user="U1")
    assert "November 2026 revenue target is now *¥50k*" in reply.text
    reply = say("/target", "set <@U2|bob> 60k", user="U1")
    assert "(was ¥50k)" in reply.text
    with sessions() as session:
        assert session.scalar(select(func.count(Target.id))) == 1
        events = session.execute(select(TargetEvent.old_amount, TargetEvent.new_amount)).all()
    assert [(o, n) for o, n in events] == [
        (None, Decimal("50000")),
        (Decimal("50000"), Decimal("60000")),
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        # A unit written as its own word, and Chinese numerals, as /deal reads them.
        ("set <@U2|bob> 50 k", "50000"),
        ("set <@U2|bob> 1.5 M", "1500000"),
        ("set <@U2|bob> 5 万 本月", "50000"),
        ("set <@U2|bob> RMB 5 万", "50000"),
        ("set <@U2|bob> 三点五万", "35000"),
        ("set <@U2|bob> 一亿二", "120000000"),
    ],
)
def test_target_amounts_are_read_as_deal_amounts(
    say: Say, sessions: sessionmaker[Session], text: str, amount: str
) -> None:
    reply = say("/target", text, user="U1")
    assert ":warning:" not in reply.text, reply.text
    with sessions() as session:
        stored = session.execute(select(Target.amount, Target.metric)).all()
    assert [(a, m) for a, m in stored] == [(Decimal(amount), "revenue")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("set <@U2|bob> -5k", "negative"),
        ("set <@U2|bob> 0", "more than zero"),
        ("set <@U2|bob> 50k fortnight", "period"),
        ("set <@U2|bob> 50k 2026-12-31..2026-12-01", "before it starts"),
        ("set <@U2|bob> 50k USD", "team currency"),
        ("set <@U2|bob> 2.5 deals", "number of deals"),
        ("set 50k", "whose"),
        ("set <@U9|zoe> 50k", "not in"),
        ("frobnicate", "/target"),
    ],
)
def test_bad_target_input_is_refused_and_nothing_written(
    say: Say, sessions: sessionmaker[Session], slack: DevSlack, text: str, words: str
) -> None:
    slack.add_user("U9", "zoe")  # a person of the workspace, not of the team
    reply = say("/target", text, user="U1")
    assert ":warning:" in reply.text and words.casefold() in reply.text.casefold(), reply.text
    with sessions() as session:
        assert session.scalar(select(func.count(Target.id))) == 0


def test_progress_pace_and_team(say: Say) -> None:
    say("/target", "set <@U2|bob> 100k month", user="U1")
    say("/target", "set team 300k", user="U1")
    say("/deal", "add Acme 62k won")
    mine = say("/target", "").text
    # Monday 30 Nov is the month's last working day: 20 of 21 working days have passed.
    assert "¥62k of ¥100k · *62.0%*" in mine
    assert "1 working day left" in mine
    assert "behind: should be at ¥95.2k by today" in mine
    assert "¥38k a week needed" in mine
    team = say("/target", "team").text
    assert team.index("<@U2>") < team.index("<@U3>")
    assert "¥62k of ¥300k" in team


def test_custom_rules_and_the_ledger(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    assert "Only managers" in say("/target", "reward add 120% Rocket", user="U2").text
    assert "Added reward #1" in say("/target", "reward add 120% Rocket bonus 2k", user="U1").text
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/deal", "add Acme 130k won")
    slack.wait_for("chat.postMessage", lambda c: "Rocket" in str(c.params))
    ledger = say("/target", "rewards", user="U1").text
    assert "Rocket" in ledger and "bonus ¥2k" in ledger
    assert "Bonuses to pay: ¥2,000" in ledger
    with sessions() as session:
        exported = [r for r in reward_rows(session) if r["reward"] == "Rocket"]
    assert [(r["member_id"], r["tier"], r["bonus"]) for r in exported] == [("U2", "120", "2000.00")]
    assert "Removed reward #1" in say("/target", "reward remove 1", user="U1").text


def test_leaderboard_ranks_by_percent_then_amount(say: Say) -> None:
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/target", "set <@U3|lilei> 20k", user="U1")
    say("/deal", "add Acme 50k won")
    say("/deal", "add Beta 15k won", user="U3")
    say("/deal", "add Gamma 5k won", user="U1")
    board = say("/deal", "leaderboard month").text
    assert board.index("<@U3>") < board.index("<@U2>") < board.index("<@U1>")
    assert "75.0%" in board and "50.0%" in board and "no target" in board
    public = say("/deal", "leaderboard public")
    assert public.json["response_type"] == "in_channel"


def test_split_and_confirm(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/target", "set team 90k", user="U1")
    reply = say("/target", "split team", user="U1")
    button = next(b for b in reply.json["blocks"] if b["type"] == "actions")["elements"][0]
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "response_url": slack.response_url("split"),
        "actions": [{"action_id": button["action_id"], "value": button["value"]}],
    }
    assert driver.interaction(payload).status == 200
    slack.wait_for("response_url", lambda c: "member targets" in str(c.params))
    with sessions() as session:
        amounts = session.scalars(select(Target.amount).where(Target.scope != "team")).all()
    assert sum(amounts) == Decimal("90000") and len(amounts) == 3


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_wins_grant_each_tier_exactly_once(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], round_: int
) -> None:
    """Two reps win at the same moment through several worker threads: the team crosses 100%
    only through the sum of both wins, and each tier is granted and announced exactly once."""
    say("/target", "set team 100k", user="U1")
    say("/target", "set <@U2|bob> 50k", user="U1")
    say("/deal", "add Acme 60k", user="U2")
    say("/deal", "add Beta 60k", user="U3")
    replies = race(
        [
            lambda: say("/deal", "won #1", user="U2"),
            lambda: say("/deal", "won #2", user="U3"),
            lambda: say("/deal", "won #1", user="U2"),  # a double submit
            lambda: say("/deal", "won #2", user="U3"),
        ]
    )
    assert all(r.status == 200 for r in replies)
    assert sum("Won `#" in r.text for r in replies) == 2
    expected = [
        ("target:1", "team", Decimal(50)),
        ("target:1", "team", Decimal(100)),
        ("target:2", "member", Decimal(50)),
        ("target:2", "member", Decimal(100)),
    ]
    assert sorted(g for g in grants(sessions) if g[1] != "first-win") == expected
    slack.wait_for("chat.postMessage", lambda c: "Target hit" in str(c.params), count=2)
    wins = [c for c in slack.calls("chat.postMessage") if ":trophy:" in str(c.params)]
    assert len(wins) == 2
    bobs = next(str(c.params) for c in wins if "<@U2>" in str(c.params))
    assert "*Target hit*" in bobs and "Also reached: *Halfway there*" in bobs
    # The team's tiers: one post each, as each win crossed one.
    assert tier_posts(slack, "Target hit") == 1
    assert tier_posts(slack, "Halfway there") == 1


def test_history_shows_past_periods(say: Say, clock: FrozenClock) -> None:
    now = clock.now()
    clock.set(datetime(2026, 10, 15, 3, 0, tzinfo=UTC))
    say("/deal", "add Acme 30k won")
    clock.set(now)
    assert "October 2026" in say("/target", "set <@U2|bob> 50k october", user="U1").text
    history = say("/target", "history <@U2|bob>", user="U1").text
    assert ":x: October 2026 revenue: ¥30k of ¥50k (60.0%)" in history
    assert "no finished target periods" in say("/target", "history", user="U3").text


def test_team_reward_rule_replaces_the_team_defaults(say: Say, slack: DevSlack) -> None:
    say("/target", "reward add team 80% Team dinner bonus 1k", user="U1")
    say("/target", "set team 100k", user="U1")
    say("/deal", "add Acme 85k won")
    slack.wait_for("chat.postMessage", lambda c: "Team dinner" in str(c.params))
    text = str([c.params for c in slack.calls("chat.postMessage")])
    assert "Team sales reached *80%*" in text
    assert "Halfway there" not in text, "the team's own tiers replace the defaults"
