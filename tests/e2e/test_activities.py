"""/log end to end: activities in both languages, on deals, taken back; the team's kinds and
points; activity targets with pace, tiers reached once and reversed on undo; the leaderboard
by points; the App Home Log form and the stand-up's counters; concurrency on one tier."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.dev.standin.server import Call
from bot.domain.text import DealRefs
from bot.services import activities
from bot.services.actor import Actor
from bot.services.errors import Refused
from models import Activity, ActivityKind, Deal, DealEvent, Member, RewardGrant, SalesTeam, Target
from tests.e2e.conftest import Drain, Say, race

pytestmark = pytest.mark.usefixtures("team")

USAGE = "/log [count] &lt;kind&gt; [#deal or customer] [note]"


def logged(sessions: sessionmaker[Session]) -> list[tuple[str, str, int, int, int | None, bool]]:
    """(member's Slack id, kind, count, points, deal id, standing) of every activity."""
    with sessions() as session:
        rows = session.execute(
            select(
                Member.slack_user_id,
                Activity.kind,
                Activity.count,
                Activity.points,
                Activity.deal_id,
                Activity.undone_at,
            )
            .join(Member, Member.id == Activity.member_id)
            .order_by(Activity.id)
        )
        return [(u, k, c, p, d, undone is None) for u, k, c, p, d, undone in rows]


def grants(sessions: sessionmaker[Session]) -> list[tuple[str, Decimal, bool]]:
    """(name, tier, live) of every target grant, oldest first."""
    with sessions() as session:
        rows = session.execute(
            select(RewardGrant.name, RewardGrant.tier, RewardGrant.reversed_at)
            .where(RewardGrant.target_id.is_not(None))
            .order_by(RewardGrant.id)
        )
        return [(name, tier.normalize(), rev is None) for name, tier, rev in rows]


def channel_posts(slack: DevSlack, words: str) -> list[Call]:
    return [
        c
        for c in slack.calls("chat.postMessage")
        if c.params.get("channel") == "C1"
        and "thread_ts" not in c.params
        and words in str(c.params)
    ]


def test_log_in_english_and_chinese_with_counts(say: Say, sessions: sessionmaker[Session]) -> None:
    reply = say("/log", "call")
    assert reply.text.startswith(":white_check_mark: Logged 1 call (+1 point)."), reply.text
    reply = say("/log", "5 calls")
    assert "Logged 5 calls (+5 points)" in reply.text
    assert "Today: 6 calls, 6 points." in str(reply.json)
    assert "Logged 2 demos (+10 points)" in say("/log", "2 demos Showed the new dashboard").text
    assert "Logged 1 meeting (+3 points)" in say("/log", "meeting").text
    assert "Logged 3 emails (+3 points)" in say("/log", "3x email").text
    say("/salesbot", "language zh", user="U3")
    for text in ("电话", "会议", "演示", "邮件"):
        reply = say("/log", text, user="U3")
        assert reply.text.startswith(f":white_check_mark: 已记录 1 {text}"), reply.text
    reply = say("/log", "3 拜访 华东区客户", user="U3")
    assert "3 拜访" in reply.text and "华东区客户" in reply.text, reply.text
    assert logged(sessions) == [
        ("U2", "call", 1, 1, None, True),
        ("U2", "call", 5, 5, None, True),
        ("U2", "demo", 2, 10, None, True),
        ("U2", "meeting", 1, 3, None, True),
        ("U2", "email", 3, 3, None, True),
        ("U3", "call", 1, 1, None, True),
        ("U3", "meeting", 1, 3, None, True),
        ("U3", "demo", 1, 5, None, True),
        ("U3", "email", 1, 1, None, True),
        ("U3", "visit", 3, 9, None, True),
    ]
    with sessions() as session:
        note = session.scalars(select(Activity.note).order_by(Activity.id.desc())).first()
    assert note == "华东区客户"


@pytest.mark.parametrize("text", ["", "help", "帮助"])
def test_log_alone_or_help_shows_usage_and_writes_nothing(
    say: Say, sessions: sessionmaker[Session], text: str
) -> None:
    reply = say("/log", text)
    assert "Log what you did" in reply.text and USAGE in str(reply.json)
    assert logged(sessions) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0 calls", "A count is a whole number from 1 to 100, not `0`"),
        ("101 calls", "A count is a whole number from 1 to 100"),
        ("1.5 calls", "is not a count"),
        ("dance", "“dance” is not an activity kind here. The kinds are: call, meeting, demo"),
        ("5", "Log what? Give a kind after the number"),
        ("call #0", "deal numbers start at `#1`"),
        ("call #99", "There is no deal #99"),
        ('call "unclosed note', "quote"),
        ("undo now", "`undo` takes nothing after it"),
        ("call " + "x" * 501, "The note is too long: 500 characters at most"),
        ("<!channel> 5", "is not an activity kind"),
    ],
)
def test_bad_log_is_refused_with_the_form_and_writes_nothing(
    say: Say, sessions: sessionmaker[Session], text: str, words: str
) -> None:
    reply = say("/log", text)
    assert reply.text.startswith(":warning:") or ":warning:" in str(reply.json), reply.text
    assert words in str(reply.json), reply.json
    assert "<!channel>" not in str(reply.json)
    assert logged(sessions) == []


def test_refusals_in_chinese(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/salesbot", "language zh", user="U3")
    reply = say("/log", "跳舞", user="U3")
    assert ":warning:" in str(reply.json) and "跳舞" in reply.text
    assert "is not" not in reply.text, "worded in Chinese"
    assert logged(sessions) == []


def test_log_on_a_deal_is_in_its_history_and_undo_takes_back_the_last(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")
    reply = say("/log", "demo #1 showed the dashboard")
    assert "Logged 1 demo on `#1` *Acme* (+5 points)" in reply.text
    assert "Logged 2 calls on `#1` *Acme*" in say("/log", "2 calls acme asked for a quote").text
    # A word that is no customer is the start of the note.
    assert "Logged 1 email (+1 point)" in say("/log", "email Globex about pricing").text
    history = say("/deal", "show #1").text
    assert "logged 1 demo: showed the dashboard" in history
    assert "logged 2 calls: asked for a quote" in history
    reply = say("/log", "undo")
    assert reply.text == ":rewind: Took back 1 email.", reply.text
    reply = say("/log", "undo")
    assert reply.text == ":rewind: Took back 2 calls on `#1` *Acme*.", reply.text
    assert "took back 2 calls" in say("/deal", "show #1").text
    assert [row[-1] for row in logged(sessions)] == [True, False, False]
    # /deal undo is for deal changes: it takes back the deal's own last change, not a log.
    assert "Undone" in say("/deal", "undo").text
    with sessions() as session:
        actions = list(session.scalars(select(DealEvent.action).order_by(DealEvent.id)))
    assert actions == ["create", "log", "log", "unlog", "undo"]
    say("/log", "撤销")
    assert "Nothing to take back" in say("/log", "undo").text


def test_log_names_a_deal_of_someone_elses_team_refused(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k", user="U2")
    assert "Logged" in say("/log", "call #1", user="U3").text, "a deal of the rep's own team"
    reply = say("/log", "call #1", user="U4")
    assert ":warning:" in str(reply.json)
    assert len(logged(sessions)) == 1


def test_managers_define_kinds_and_points(say: Say, sessions: sessionmaker[Session]) -> None:
    assert "Only managers" in say("/salesbot", 'activities add "site visit" 拜访').text
    assert "Only managers" in say("/salesbot", "points call 2").text
    listed = say("/salesbot", "活动").text
    assert "*call / 电话* · 1 point" in listed and "*demo / 演示* · 5 points" in listed
    with sessions() as session:
        assert session.scalar(select(func.count(ActivityKind.id))) == 0, "defaults, unwritten"
    reply = say("/salesbot", 'activities add "site visit" 拜访 4', user="U1")
    assert "logs *site visit* now" in reply.text
    assert "“拜访” means site visit now (it meant visit)" in reply.text
    assert "Logged 1 site visit (+4 points)" in say("/log", "拜访").text
    assert "Logged 2 site visits (+8 points)" in say("/log", "2 site visits").text
    assert "Logged 1 visit (+3 points)" in say("/log", "visit").text
    reply = say("/salesbot", "points call 2 meeting 3 demo 6", user="U1")
    assert "*call / 电话* · 2 points" in reply.text and "*demo / 演示* · 6 points" in reply.text
    say("/log", "call")
    say("/salesbot", "activities remove email", user="U1")
    assert "not an activity kind here" in say("/log", "email").text
    assert [(k, p) for _u, k, _c, p, _d, _s in logged(sessions)] == [
        ("site visit", 4),
        ("site visit", 8),
        ("visit", 3),
        ("call", 2),
    ]
    shown = say("/salesbot", "points").text
    assert "email" not in shown and "*site visit / 拜访* · 4 points" in shown


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("points call", "How many points is `call` worth"),
        ("points 3 call", "Which kind is worth 3"),
        ("points dance 3", "“dance” is not an activity kind here"),
        ("points call 5000", "Points are a whole number from 0 to 1000"),
        ("activities add", "Say which kind after `add`"),
        ("activities add a b c", "one name and at most one second name"),
        ("activities add call", "already logs “call”"),
        ("activities add 电话", "“电话” already means call here"),
        ("activities add revenue", "cannot name a kind"),
        ("activities add " + "x" * 30, "too long for a kind"),
        ("activities add demo2 9999", "Points are a whole number from 0 to 1000"),
        ("activities add demo2 演示2 1001", "Points are a whole number from 0 to 1000"),
        ("activities remove", "Say which kind after `remove`"),
        ("activities remove dance", "logs no “dance”"),
        ("activities frobnicate", "is not something `activities` does"),
    ],
)
def test_bad_kind_and_points_commands_write_nothing(
    say: Say, sessions: sessionmaker[Session], text: str, words: str
) -> None:
    reply = say("/salesbot", text, user="U1")
    assert ":warning:" in str(reply.json) and words in str(reply.json), reply.json
    with sessions() as session:
        assert session.scalar(select(func.count(ActivityKind.id))) == 0


def test_activity_target_pace_tiers_once_and_reversed_on_undo(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain, clock: FrozenClock
) -> None:
    reply = say("/target", "set <@U3|lilei> 40 calls week", user="U1")
    assert "calls target is now *40 calls*" in reply.text, reply.text
    say("/log", "10 calls", user="U3")
    progress = say("/target", "", user="U3").text
    assert "10 calls of 40 calls" in progress and "25.0%" in progress, progress
    assert "30 calls to go" in progress and "working days left" in progress, progress
    assert "calls a week needed" in progress, progress
    say("/log", "10 calls", user="U3")
    drain()
    [halfway] = channel_posts(slack, "🎉 Halfway there")
    assert "<@U3> reached *50%*" in str(halfway.params)
    assert "Running total: 20 of 40 (50.0%)" in str(halfway.params)
    say("/log", "5 meetings", user="U3")  # another kind: no calls tier
    say("/log", "20 calls", user="U3")
    drain()
    [hit] = channel_posts(slack, "🎉 Target hit")
    assert len(channel_posts(slack, "🎉 Halfway there")) == 1
    assert grants(sessions) == [
        ("Halfway there", Decimal(50), True),
        ("Target hit", Decimal(100), True),
    ]
    reply = say("/log", "undo", user="U3")
    assert reply.text == ":rewind: Took back 20 calls; *Target hit* was taken back.", reply.text
    drain()
    [update] = slack.calls("chat.update")
    assert update.params["ts"] == hit.response["ts"]  # type: ignore[index]
    assert "~*Target hit*~ _(taken back)_" in str(update.params["blocks"])
    [why] = [c for c in slack.calls("chat.postMessage") if "thread_ts" in c.params]
    assert why.params["text"] == "Undone by <@U3>: 20 calls taken back."
    assert grants(sessions) == [
        ("Halfway there", Decimal(50), True),
        ("Target hit", Decimal(100), False),
    ]
    # Crossing it again grants and announces it again; the old post is not corrected twice.
    clock.advance(timedelta(minutes=5))
    say("/log", "25 calls", user="U3")
    drain()
    assert len(channel_posts(slack, "🎉 Target hit")) == 2
    assert len(slack.calls("chat.update")) == 1
    assert [g[2] for g in grants(sessions)] == [True, False, True]


def test_an_activity_target_set_in_chinese(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/salesbot", "language zh", user="U1")
    reply = say("/target", "set <@U3|lilei> 40 电话 本周", user="U1")
    assert ":warning:" not in reply.text and "40 电话" in reply.text, reply.text
    with sessions() as session:
        assert session.execute(select(Target.metric, Target.period_kind)).all() == [
            ("act:call", "week")
        ]
    assert "不是整数" in say("/target", "set <@U3|lilei> 2.5 calls week", user="U1").text


def test_points_target_and_leaderboard_by_points(say: Say, slack: DevSlack, drain: Drain) -> None:
    assert (
        "points target is now *10 points*"
        in say("/target", "set <@U2|bob> 10 points week", user="U1").text
    )
    say("/log", "demo", user="U2")  # 5
    say("/log", "2 meetings", user="U3")  # 6
    say("/log", "call", user="U3")  # 1
    board = say("/deal", "leaderboard week points").text
    lines = [line for line in board.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert lines[0].startswith("1. <@U2>") and "50.0%" in lines[0], board
    assert lines[1].startswith("2. <@U3> 7 points · no target"), board
    assert "Team total: 12 points" in board
    calls = say("/deal", "leaderboard week calls").text
    assert "<@U3> 1 call · no target" in calls, calls
    say("/salesbot", "language zh", user="U3")
    assert ":warning:" not in say("/deal", "leaderboard 本周 电话", user="U3").text
    assert "is not a leaderboard option" in say("/deal", "leaderboard week dances").text
    say("/log", "demo", user="U2")
    drain()
    assert len(channel_posts(slack, "🎉 Target hit")) == 1


def test_the_home_log_button_opens_a_form_that_logs_once(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    say("/deal", "add Acme 12k proposal")
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "actions": [{"action_id": "home_log", "value": "1"}],
    }
    assert driver.interaction(payload).status == 200
    view = slack.wait_for("views.open")[-1].params["view"]
    assert view["callback_id"] == "log_activity"
    options = view["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == ["call", "meeting", "demo", "email", "visit"]
    values = {
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "demo"}}},
        "count": {"value": {"type": "number_input", "value": "2"}},
        "note": {"value": {"type": "plain_text_input", "value": "with their CTO"}},
    }
    submit = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "view": {**view, "id": "V77", "state": {"values": values}},
    }
    assert driver.interaction(submit).status == 200
    assert driver.interaction(submit).status == 200  # a double submit
    drain()
    assert [r[1:5] for r in logged(sessions)] == [("demo", 2, 10, 1)]
    dms = [str(c.params) for c in slack.calls("chat.postMessage") if c.params["channel"] == "U2"]
    assert any("Logged 2 demos on `#1` *Acme*" in d for d in dms), dms
    assert "logged 2 demos: with their CTO" in say("/deal", "show #1").text
    # A kind the form never offered is refused on the form, nothing written.
    values["kind"]["value"]["selected_option"]["value"] = "dance"
    submit["view"]["id"] = "V78"
    driver.interaction(submit)
    drain()
    assert len(logged(sessions)) == 1


def test_the_check_in_counts_activities_once(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    for _attempt in range(2):  # checking in again logs nothing more
        opened = len(slack.calls("views.open"))
        say("/standup", "", user="U2")
        view = slack.wait_for("views.open", count=opened + 1)[-1].params["view"]
        labels = [b["label"]["text"] for b in view["blocks"] if b.get("block_id", "")[:3] == "act"]
        assert labels == ["Calls", "Meetings", "Demos", "Emails", "Visits"]
        values = {
            "q0": {"value": {"type": "plain_text_input", "value": "Called around"}},
            "act0": {"value": {"type": "number_input", "value": "12"}},
            "act2": {"value": {"type": "number_input", "value": "1"}},
            "act3": {"value": {"type": "number_input", "value": "0"}},
        }
        submit = {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U2"},
            "view": {**view, "id": f"V{opened}", "state": {"values": values}},
        }
        assert driver.interaction(submit).status == 200
    assert [r[1:4] for r in logged(sessions)] == [("call", 12, 12), ("demo", 1, 5)]


def test_concurrent_logs_reach_each_tier_once(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    """Four logs at once through several workers cross 50%, 100% and 150% of a target of
    two calls together: each tier is granted and announced exactly once."""
    say("/target", "set <@U2|bob> 2 calls week", user="U1")
    replies = race([lambda: say("/log", "call", user="U2") for _ in range(4)])
    assert all("Logged 1 call" in r.text for r in replies), [r.text for r in replies]
    drain()
    live = sorted(
        ((name, tier) for name, tier, standing in grants(sessions) if standing),
        key=lambda grant: grant[1],
    )
    assert len(grants(sessions)) == 3, "one grant per tier, none reversed"
    assert [tier for _name, tier in live] == [Decimal(50), Decimal(100), Decimal(150)], live
    for name, _tier in live:
        shown = [c for c in channel_posts(slack, "🎉") if name in str(c.params)]
        assert len(shown) == 1, (name, [c.params for c in shown])


def test_a_customer_matching_several_deals_is_refused_with_the_deals_listed_by_the_view(
    say: Say, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    say("/deal", "add Acme 12k proposal", user="U2")
    say("/deal", "add Acme 30k qualified", user="U3")
    with sessions() as session:
        assert session.scalar(select(func.count(Deal.id))) == 2
    reply = say("/log", "call Acme", user="U1")  # none of U1's own: the team's two
    assert ":warning:" in reply.text and "“Acme” matches several deals: #1 Acme, #2 Acme" in (
        reply.text
    ), reply.text
    assert logged(sessions) == []
    # The service hands over the deals themselves; the wording lists them, escaping each.
    with sessions() as session:
        member = session.scalars(select(Member).where(Member.slack_user_id == "U1")).one()
        team = session.get(SalesTeam, member.team_id)
        actor = Actor(member, team, clock.now(), clock.now().date())
        with pytest.raises(Refused) as refused:
            activities.log_command(session, actor, "call Acme")
    assert refused.value.wording.values["listed"] == DealRefs(((1, "Acme"), (2, "Acme")))
