"""Corrections: what a later change takes back is reversed in the ledger, and the channel post
that celebrated it is edited once and answered once in its thread; one post per win."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.standin import DevSlack
from bot.dev.standin.server import Call
from bot.services.export import reward_rows
from models import RewardGrant
from tests.e2e.conftest import Drain, Say, race

pytestmark = pytest.mark.usefixtures("team")


def ledger(sessions: sessionmaker[Session]) -> list[tuple[str, str, bool]]:
    """(subject, name, live) of every grant, oldest first."""
    with sessions() as session:
        rows = session.execute(
            select(RewardGrant.subject_key, RewardGrant.name, RewardGrant.reversed_at).order_by(
                RewardGrant.id
            )
        )
        return [(subject, name, reversed_at is None) for subject, name, reversed_at in rows]


def posts(slack: DevSlack, words: str = "") -> list[Call]:
    """Top-level channel posts (not thread replies) mentioning `words`."""
    return [
        c
        for c in slack.calls("chat.postMessage")
        if c.params.get("channel") == "C1"
        and "thread_ts" not in c.params
        and words in str(c.params)
    ]


def replies(slack: DevSlack) -> list[Call]:
    return [c for c in slack.calls("chat.postMessage") if "thread_ts" in c.params]


def ts_of(call: Call) -> str:
    assert call.response is not None
    return str(call.response["ts"])


def test_a_win_undone_is_reversed_and_its_post_corrected_once(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    say("/target", "reward add 100% Target hit bonus 1k", user="U1")
    say("/target", "set <@U2|bob> 20k", user="U1")
    say("/deal", "add Globex 12k")
    say("/deal", "won Glob")
    drain()
    [win] = posts(slack, ":trophy:")
    assert "first win of November" in str(win.params)
    assert "Target hit" not in str(win.params), "60% crosses no tier of this team's"

    reply = say("/deal", "undo")
    assert reply.text.startswith(":rewind: Undone: `#1` *Globex*: back to Lead, ¥12k")
    assert "the win and *First win of the month* were taken back" in reply.text
    assert "deleted:" not in reply.text and "→" not in reply.text
    drain()
    [update] = slack.calls("chat.update")
    assert update.params["ts"] == ts_of(win) and update.params["channel"] == "C1"
    edited = str(update.params["blocks"])
    assert "~<@U2> won *Globex* for *¥12k* (deal #1).~ _(undone)_" in edited
    assert "~*First win of the month*~ _(taken back)_" in edited
    [why] = replies(slack)
    assert why.params["thread_ts"] == ts_of(win)
    assert why.params["text"] == "Undone by <@U2>: deal #1 is back in Lead."
    assert ledger(sessions) == [("first-win:2:2026-11", "First win of the month", False)]
    assert len(posts(slack)) == 1, "a correction edits and replies; it posts nothing new"


def test_a_managers_win_undone_leaves_nothing_to_pay(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    """The testers' finding: Target hit ¥1k and Super ¥5k stayed in the ledger for a rep at
    52 %, and the team's Overachiever stayed at 57 %."""
    say("/target", "reward add 100% Target hit bonus 1k", user="U1")
    say("/target", "reward add 150% Super bonus 5k", user="U1")
    say("/target", "reward add team 150% Overachiever", user="U1")
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/target", "set team 200k", user="U1")
    say("/deal", "add Initech 52k won")
    say("/deal", "add Globex 100k proposal")
    say("/deal", "add Acme 200k proposal", user="U3")
    say("/deal", "#3 stage won", user="U3")
    drain()
    say("/deal", "#2 stage won", user="U1")
    drain()
    before = say("/target", "rewards", user="U1").text
    assert "Bonuses to pay: ¥6,000" in before
    [bobs_win] = posts(slack, "Globex")
    assert "*Super* · bonus ¥5k" in str(bobs_win.params)
    assert "Also reached: *Target hit* · bonus ¥1k" in str(bobs_win.params)

    reply = say("/deal", "undo", user="U1")
    assert "*Super*, *Target hit*" in reply.text or "*Target hit*, *Super*" in reply.text
    after = say("/target", "rewards", user="U1").text
    assert "Bonuses to pay: ¥0 (¥6,000 granted, ¥6,000 reversed)" in after
    assert after.count("reversed") >= 2
    live = [name for _subject, name, is_live in ledger(sessions) if is_live]
    assert live == ["First win of the month", "First win of the month"]
    drain()
    # Two posts celebrated what was taken back: bob's win and the team's tier.
    edited = [str(c.params) for c in slack.calls("chat.update")]
    assert len(edited) == 2
    assert any("~*Super* · bonus ¥5k~ _(taken back)_" in e for e in edited)
    assert any("~*Overachiever*~ _(taken back)_" in e for e in edited)
    whys = replies(slack)
    assert len({c.params["thread_ts"] for c in whys}) == 2
    assert {c.params["text"] for c in whys} == {"Undone by <@U1>: deal #2 is back in Proposal."}
    with sessions() as session:
        exported = [r for r in reward_rows(session) if r["bonus"]]
    assert {(r["reward"], r["status"]) for r in exported} == {
        ("Target hit", "reversed"),
        ("Super", "reversed"),
    }
    assert all(r["reversed_at"] for r in exported)


def test_a_tier_crossed_again_after_a_reversal_is_granted_and_announced_again(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/deal", "add Acme 120k")
    say("/deal", "won #1")
    say("/deal", "reopen #1")
    say("/deal", "won #1")
    drain()
    member = [
        (name, is_live) for subject, name, is_live in ledger(sessions) if subject == "target:1"
    ]
    assert member == [
        ("Halfway there", False),
        ("Target hit", False),
        ("Halfway there", True),
        ("Target hit", True),
    ]
    wins = posts(slack, ":trophy:")
    assert len(wins) == 2
    [update] = slack.calls("chat.update")
    assert update.params["ts"] == ts_of(wins[0])
    [why] = replies(slack)
    assert why.params["text"] == "Changed by <@U2>: deal #1 is in Lead now."

    say("/deal", "#1 amount 40k")  # below both tiers: reversed, the second win's post corrected
    say("/deal", "#1 amount 110k")  # crossed again: without a win, a tier post of its own
    drain()
    assert len(slack.calls("chat.update")) == 2
    [tier_post] = posts(slack, "🎉 Target hit")
    assert "Also reached: *Halfway there*" in str(tier_post.params)
    assert len(posts(slack, "🎉")) == 1, "no Halfway there post of its own"


def test_one_post_per_win_never_halfway_there_at_199_percent(
    say: Say, slack: DevSlack, drain: Drain
) -> None:
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/target", "set team 300k", user="U1")
    say("/deal", "add Hooli 199k won")
    drain()
    channel = posts(slack)
    assert len(channel) == 2, "the win, and the team tier it crossed"
    win = str(channel[0].params)
    assert ":trophy:" in win and "*Overachiever*" in win
    assert "Also reached: *Target hit*, *Halfway there*" in win
    assert "199.0% of their" in win and "first win of November" in win
    assert "🎉 Halfway there" in str(channel[1].params) and "Team sales" in str(channel[1].params)


@pytest.mark.parametrize(
    ("change", "who", "why"),
    [
        ("#1 stage lost", "U2", "Changed by <@U2>: deal #1 is in Lost now."),
        ("#1 amount 30k", "U2", "Changed by <@U2>: deal #1 is ¥30k now."),
        ("assign #1 <@U3|lilei>", "U1", "Changed by <@U1>: deal #1 belongs to <@U3> now."),
    ],
)
def test_each_change_that_takes_a_win_back_corrects_its_post(
    say: Say,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    drain: Drain,
    change: str,
    who: str,
    why: str,
) -> None:
    say("/target", "set <@U2|bob> 50k", user="U1")
    say("/deal", "add Acme 60k won")
    drain()
    reply = say("/deal", change, user=who)
    assert "*Target hit*" in reply.text and "taken back" in reply.text
    drain()
    [fix] = replies(slack)
    assert fix.params["text"] == why
    assert "~*Target hit*~ _(taken back)_" in str(slack.last("chat.update").params)
    bob = [name for subject, name, is_live in ledger(sessions) if subject == "target:1" and is_live]
    assert bob == (["Halfway there"] if "amount" in change else [])


def test_a_raised_target_takes_the_tier_back(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    say("/target", "set <@U2|bob> 50k", user="U1")
    say("/deal", "add Acme 60k won")
    reply = say("/target", "set <@U2|bob> 100k", user="U1")
    assert "At the new target, *Target hit* was taken back." in reply.text
    drain()
    [fix] = replies(slack)
    assert fix.params["text"] == "Changed by <@U1>: the revenue target is ¥100k now."
    live = [
        name for subject, name, is_live in ledger(sessions) if subject == "target:1" and is_live
    ]
    assert live == ["Halfway there"]


def test_a_second_undo_or_a_retry_corrects_nothing_twice(
    say: Say, slack: DevSlack, drain: Drain
) -> None:
    say("/target", "set <@U2|bob> 50k", user="U1")
    say("/deal", "add Acme 60k won")
    say("/deal", "undo")
    assert "Nothing to undo" in say("/deal", "undo").text
    drain()
    assert len(slack.calls("chat.update")) == 1 and len(replies(slack)) == 1


@pytest.mark.parametrize("round_", range(3))
def test_undoing_and_rewinning_at_once_leaves_one_live_grant(
    say: Say, sessions: sessionmaker[Session], drain: Drain, round_: int
) -> None:
    """Two workers at once: one undoes bob's win, the other wins another deal that alone
    reaches the tier. Whichever commits first, the tier ends with exactly one live grant."""
    say("/target", "set team 100k", user="U1")
    say("/deal", "add Acme 120k won", user="U2")
    say("/deal", "add Beta 110k", user="U3")
    replies_ = race(
        [
            lambda: say("/deal", "undo", user="U2"),
            lambda: say("/deal", "won #2", user="U3"),
        ]
    )
    assert all(r.status == 200 for r in replies_)
    team = [(name, is_live) for subject, name, is_live in ledger(sessions) if subject == "target:1"]
    live = [name for name, is_live in team if is_live]
    assert sorted(live) == ["Halfway there", "Target hit"], team
    drain()


def test_live_grants_are_unique_in_the_database(sessions: sessionmaker[Session]) -> None:
    """The guarantee is the partial unique index, not the code that checks first."""
    values = {
        "workspace_id": "T1",
        "team_id": 1,
        "subject_key": "target:9",
        "scope": "member",
        "tier": Decimal(100),
        "name": "Target hit",
        "granted_at": datetime(2026, 11, 2, tzinfo=UTC),
    }
    with sessions() as session:
        session.add(RewardGrant(**values, reversed_at=datetime(2026, 11, 2, tzinfo=UTC)))
        session.add(RewardGrant(**values))
        session.commit()
        session.add(RewardGrant(**values))
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_win_moved_to_another_month_is_taken_back_from_the_first(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain, clock: FrozenClock
) -> None:
    """Won on Nov 30, reopened and won again on Dec 1: the win now counts in December, so
    November's tiers and first win are reversed and December's granted."""
    say("/target", "set <@U2|bob> 50k", user="U1")
    say("/target", "set <@U2|bob> 50k december", user="U1")
    say("/deal", "add Acme 60k won")
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    say("/deal", "reopen #1")
    say("/deal", "won #1")
    drain()
    live = {(subject, name) for subject, name, is_live in ledger(sessions) if is_live}
    assert live == {
        ("target:2", "Halfway there"),
        ("target:2", "Target hit"),
        ("first-win:2:2026-12", "First win of the month"),
    }
    [first, second] = posts(slack, ":trophy:")
    assert "first win of November" in str(first.params)
    assert "first win of December" in str(second.params)
    assert "~*First win of the month*~ _(taken back)_" in str(slack.last("chat.update").params)
