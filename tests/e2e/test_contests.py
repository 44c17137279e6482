"""/contest end to end: refusals that write nothing; a rep contest across a week of run-due
instants (one start post, one standings message edited, one result, a correction after the
end); a team contest between two teams in different time zones, ending in a tie; App Home."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.dev.standin.server import Call
from bot.jobs.contests import run_contests
from bot.jobs.due import run_scheduled
from bot.slack.app import Salesbot
from models import Contest, ContestResult, ContestTeam, Member, OutboxMessage
from tests.e2e.conftest import Drain, Say, race
from tests.e2e.test_home import open_home

# Four clocks in one minute (different run keys, so each runs the contest job).
RACING = (0, 10, 20, 40)

pytestmark = pytest.mark.usefixtures("team")

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
Tick = Callable[[datetime], None]


@pytest.fixture
def tick(app: Salesbot, clock: FrozenClock) -> Tick:
    """Run what is due at an instant, as the clock would, and deliver what it owes Slack."""

    def run(at: datetime) -> None:
        clock.set(at)
        run_scheduled(app.runtime, now=at)
        app.runtime.sender.deliver_due()

    return run


def posts(slack: DevSlack, channel: str, words: str) -> list[Call]:
    """Top-level posts in `channel` saying `words`."""
    return [
        c
        for c in slack.calls("chat.postMessage")
        if c.params.get("channel") == channel
        and "thread_ts" not in c.params
        and words in str(c.params)
    ]


def edits(slack: DevSlack, channel: str, words: str) -> list[Call]:
    return [
        c
        for c in slack.calls("chat.update")
        if c.params.get("channel") == channel and words in str(c.params)
    ]


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_help_and_refusals_show_the_form_and_write_nothing(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    for text in ("", "help", "帮助"):
        reply = say("/contest", text)
        assert "/contest new" in reply.text and "/contest list" in reply.text, reply.text
    refusals = {
        # Not a manager.
        ('new "Sprint" revenue from Dec 1 to Dec 6', "U2"): "Only managers",
        ('new "Sprint" bananas from Dec 1 to Dec 6', "U1"): "“bananas” is not something",
        ('new "Sprint" revenue from Dec 6 to Dec 1', "U1"): "ends before it starts",
        ('new "Sprint" revenue from Nov 1 to Nov 6', "U1"): "already be over",
        ('new "Sprint" revenue Dec 1', "U1"): "When does it run?",
        ('new "Sprint" points from Dec 1 to Dec 6 teams #nowhere #sales', "U1"): "#nowhere",
        ('new "Sprint" points from Dec 1 to Dec 6 teams', "U1"): "two teams or more",
        ("show Nothing", "U1"): "I know no contest called “Nothing”",
        ("end Nothing", "U1"): "I know no contest called “Nothing”",
        ("frobnicate", "U1"): "I don't know the command",
    }
    for (text, user), expected in refusals.items():
        reply = say("/contest", text, user=user)
        assert expected in reply.text, (text, reply.text)
        assert ":warning:" in str(reply.json), reply.json
        # The right form under every refusal of what was typed.
        assert user == "U2" or "`/contest" in str(reply.json), reply.json
    assert count(sessions, Contest) == 0 and count(sessions, ContestTeam) == 0
    assert "No contests yet" in say("/contest", "list").text
    reply = say("/contest", 'new "<!channel> sprint" points from Dec 1 to Dec 6', user="U1")
    assert "&lt;!channel&gt; sprint" in reply.text and "<!channel>" not in reply.text
    again = say("/contest", 'new "<!CHANNEL> SPRINT" deals from Dec 1 to Dec 6', user="U1")
    assert "already a contest called" in again.text and count(sessions, Contest) == 1


def test_a_rep_contest_runs_a_week_with_one_standings_message_and_one_result(
    say: Say,
    slack: DevSlack,
    tick: Tick,
    drain: Drain,
    driver: SlackDriver,
    sessions: sessionmaker[Session],
) -> None:
    reply = say(
        "/contest", 'new "Sprint week" points from Dec 1 to Dec 6 prize "Team dinner"', user="U1"
    )
    assert "Contest *Sprint week* is set" in reply.text and "Dec 1" in reply.text, reply.text
    drain()
    assert posts(slack, "C1", "Sprint week") == []  # it starts on Dec 1
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=SHANGHAI)
    # Before the start: nothing; the start in the first minute of Dec 1, Shanghai time.
    tick(monday.replace(hour=23, minute=59).astimezone(UTC))
    assert posts(slack, "C1", "Sprint week") == []
    tick(datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI).astimezone(UTC))
    assert len(posts(slack, "C1", "starts now")) == 1
    assert len(posts(slack, "C1", "standings")) == 1
    say("/log", "3 calls", user="U2")
    say("/log", "demo", user="U3")
    at = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    tick(at.astimezone(UTC))
    # The same minute again (another clock): the slot is done, nothing more is owed.
    tick((at + timedelta(seconds=30)).astimezone(UTC))
    updates = edits(slack, "C1", "standings")
    assert len(updates) == 1, updates
    text = str(updates[0].params["blocks"])
    assert text.index("<@U3>") < text.index("<@U2>") and "1. <@U3> · 5" in text, text
    # A week of instants: no new change, no new edit, no second start, no early result.
    for hours in range(12, 24 * 5, 6):
        tick((at + timedelta(hours=hours)).astimezone(UTC))
    assert len(edits(slack, "C1", "standings")) == 1
    assert posts(slack, "C1", "is over") == []
    say("/log", "5 calls", user="U2")
    tick(datetime(2026, 12, 6, 20, 0, tzinfo=SHANGHAI).astimezone(UTC))
    assert "1. <@U2> · 8" in str(edits(slack, "C1", "standings")[-1].params["blocks"])
    # The end: Dec 6 is over in Shanghai at midnight; the result once.
    for minutes in (0, 1, 2, 90):
        tick(
            (datetime(2026, 12, 7, 0, 0, tzinfo=SHANGHAI) + timedelta(minutes=minutes)).astimezone(
                UTC
            )
        )
    results = posts(slack, "C1", "is over")
    assert len(results) == 1, results
    result = str(results[0].params["blocks"])
    assert "The winner is <@U2> with 8" in result and ":gift: Prize: Team dinner" in result
    assert ":second_place_medal: <@U3> · 5" in result
    assert len(posts(slack, "C1", "starts now")) == 1 and len(posts(slack, "C1", "standings")) == 1
    assert count(sessions, ContestResult) == 1
    # A correction after the end: bob takes back his 5 calls; one reply, the result edited.
    say("/log", "undo", user="U2")
    for minutes in (100, 101, 200):
        tick(
            (datetime(2026, 12, 7, 0, 0, tzinfo=SHANGHAI) + timedelta(minutes=minutes)).astimezone(
                UTC
            )
        )
    replies = [
        c
        for c in slack.calls("chat.postMessage")
        if "thread_ts" in c.params and "Corrected" in str(c.params)
    ]
    assert len(replies) == 1, replies
    assert replies[0].params["thread_ts"] == results[0].response["ts"]
    assert "<@U3> is now #1 with 5" in replies[0].params["text"]
    corrected = [
        c for c in edits(slack, "C1", "is over") if c.params["ts"] == results[0].response["ts"]
    ]
    assert len(corrected) == 1 and "The winner is <@U3> with 5" in str(corrected[0].params)
    assert len(posts(slack, "C1", "is over")) == 1
    listed = say("/contest", "list").text
    assert "Sprint week" in listed and "ended" in listed
    shown = say("/contest", "show sprint WEEK")
    assert "The winner is <@U3>" in str(shown.json)
    view = open_home(driver, slack, "U3", "Sprint week")
    assert "you're #1 of 3 (5)" in str(view["blocks"])
    with sessions() as session:
        sent = session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.dedupe_key.like("contest-%"))
        ).all()
    assert sent and set(sent) == {"sent"}


def test_a_team_contest_across_two_time_zones_ends_once_in_a_tie_then_is_corrected(
    say: Say,
    slack: DevSlack,
    tick: Tick,
    drain: Drain,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    slack.add_user("U4", "wang", real_name="Wang West", tz="America/New_York")
    slack.add_channel("C2", "west", ["U1", "U4", "UBOT"])
    say("/salesbot", "setup CNY", user="U1", channel="C2")
    slack.wait_for("response_url", lambda c: "#west" in str(c.params) or "west" in str(c.params))
    assert (
        "America/New_York" in say("/standup", "tz America/New_York", user="U1", channel="C2").text
    )
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI).astimezone(UTC))
    reply = say(
        "/contest",
        '竞赛 新建 "东西对决" 电话 从 12月1日 到 12月3日 团队 <#C1|sales> <#C2|west> '
        '奖品 "团队聚餐"',
        user="U1",
    )
    assert "东西对决" in reply.text and "It starts now" in reply.text, reply.text
    drain()
    # Shanghai is on Dec 1; New York is still on Nov 30: only #sales has started.
    assert len(posts(slack, "C1", "starts now")) == 1 and posts(slack, "C2", "starts now") == []
    tick(datetime(2026, 12, 1, 0, 5, tzinfo=NEW_YORK).astimezone(UTC))
    assert len(posts(slack, "C2", "starts now")) == 1
    say("/log", "2 calls", user="U2")
    say("/log", "3 calls", user="U4", channel="C2")
    tick(datetime(2026, 12, 1, 12, 0, tzinfo=NEW_YORK).astimezone(UTC))
    west_first = edits(slack, "C1", "standings")[-1]
    assert str(west_first.params["blocks"]).index("<#C2>") < str(west_first.params["blocks"]).index(
        "<#C1>"
    )
    say("/log", "call", user="U3")
    # Dec 3 is over in Shanghai (16:00 UTC) but not in New York: no result yet.
    tick(datetime(2026, 12, 3, 23, 0, tzinfo=SHANGHAI).astimezone(UTC))
    tick(datetime(2026, 12, 4, 8, 0, tzinfo=SHANGHAI).astimezone(UTC))
    assert posts(slack, "C1", "is over") == [] and posts(slack, "C2", "is over") == []
    for minutes in (0, 1, 30):
        tick(
            (datetime(2026, 12, 4, 0, 0, tzinfo=NEW_YORK) + timedelta(minutes=minutes)).astimezone(
                UTC
            )
        )
    for channel in ("C1", "C2"):
        results = posts(slack, channel, "is over")
        assert len(results) == 1, (channel, results)
        text = str(results[0].params["blocks"])
        assert "It's a tie for first: <#C1>, <#C2>, with 3 each." in text, text
        assert "团队聚餐" in text
    # West takes its 3 calls back after the end: one correction in each channel.
    say("/log", "undo", user="U4", channel="C2")
    for minutes in (40, 41, 90):
        tick(
            (datetime(2026, 12, 4, 0, 0, tzinfo=NEW_YORK) + timedelta(minutes=minutes)).astimezone(
                UTC
            )
        )
    for channel in ("C1", "C2"):
        replies = [
            c
            for c in slack.calls("chat.postMessage")
            if c.params.get("channel") == channel
            and "thread_ts" in c.params
            and "Corrected" in str(c.params)
        ]
        assert len(replies) == 1, (channel, replies)
        assert "The winner is <#C1> with 3" in str(edits(slack, channel, "is over")[-1].params)
    assert count(sessions, ContestResult) == 1


def test_clocks_racing_post_the_start_an_edit_the_result_and_a_correction_once(
    say: Say,
    app: Salesbot,
    slack: DevSlack,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    """Four clocks run the contest job at the same instant, each in its own thread and unit of
    work: the start, the edit of one minute slot, the result and a correction after the end
    are each owed by exactly one of them (on PostgreSQL the losers block on the row or the
    unique key and then find the work done; on SQLite writers queue)."""

    def race(at: datetime) -> list[int]:
        barrier = threading.Barrier(len(RACING))
        errors: list[BaseException] = []
        owed: list[int] = []

        def run(offset: int) -> None:
            try:
                barrier.wait()
                owed.append(run_contests(app.runtime, at + timedelta(seconds=offset)))
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=run, args=(s,)) for s in RACING]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        clock.set(at + timedelta(minutes=1))
        app.runtime.sender.deliver_due()
        return sorted(owed)

    say("/contest", 'new "Race week" points from Dec 1 to Dec 6', user="U1")
    # (a) The start.
    assert race(datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)) == [0, 0, 0, 1]
    assert len(posts(slack, "C1", "starts now")) == 1
    # (b) A change of the standings: one edit in the minute slot.
    say("/log", "3 calls", user="U2")
    assert race(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)) == [0, 0, 0, 1]
    updates = edits(slack, "C1", "Race week")
    assert len(updates) == 1 and "1. <@U2> · 3" in str(updates[0].params["blocks"]), updates
    # (c) The result.
    end = datetime(2026, 12, 7, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    assert race(end) == [0, 0, 0, 1]
    results = posts(slack, "C1", "is over")
    assert len(results) == 1 and "The winner is <@U2> with 3" in str(results[0].params)
    assert count(sessions, ContestResult) == 1
    # (d) A correction after the end: bob takes his calls back.
    say("/log", "undo", user="U2")
    assert race(end + timedelta(hours=1)) == [0, 0, 0, 1]
    replies = [
        c
        for c in slack.calls("chat.postMessage")
        if "thread_ts" in c.params and "Corrected" in str(c.params)
    ]
    assert len(replies) == 1, replies
    assert "<@U2> is now #1 with 0" in replies[0].params["text"], replies[0].params["text"]
    assert len(edits(slack, "C1", "is over")) == 1
    with sessions() as session:
        revision = session.scalars(select(ContestResult.revision)).one()
    assert revision == 1
    assert len(posts(slack, "C1", "starts now")) == 1 and len(posts(slack, "C1", "is over")) == 1


def test_a_result_is_not_corrected_when_only_names_or_the_roster_change(
    say: Say,
    slack: DevSlack,
    tick: Tick,
    sessions: sessionmaker[Session],
) -> None:
    """After the end a rep's Slack name changes and someone new joins the team: what the
    result counts did not change, so it is neither edited nor "corrected"."""
    say("/contest", 'new "Name week" points from Dec 1 to Dec 6', user="U1")
    tick(datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI).astimezone(UTC))
    say("/log", "3 calls", user="U2")
    end = datetime(2026, 12, 7, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    tick(end)
    results = posts(slack, "C1", "is over")
    assert len(results) == 1 and "The winner is <@U2> with 3" in str(results[0].params)
    # Bob is renamed in Slack; his profile is read again on his next command, days later.
    slack.add_user("U2", "robert", real_name="Robert Renamed")
    slack.add_user("U5", "newbie", real_name="New Bie")
    slack.add_channel("C1", "sales", ["U1", "U2", "U3", "U5", "UBOT"])
    later = end + timedelta(days=2)
    tick(later)
    say("/contest", "list", user="U2")
    say("/contest", "list", user="U5")
    with sessions() as session:
        names = set(session.scalars(select(Member.name)))
    assert "Robert Renamed" in names and "New Bie" in names, names
    for minutes in (1, 2, 60):
        tick(later + timedelta(minutes=minutes))
    corrections = [c for c in slack.calls("chat.postMessage") if "Corrected" in str(c.params)]
    assert corrections == [] and edits(slack, "C1", "is over") == []
    with sessions() as session:
        assert session.scalars(select(ContestResult.revision)).one() == 0
    assert "with 3" in str(say("/contest", "show Name week").json)


def test_after_an_outage_the_standings_message_ends_on_the_latest_standings(
    say: Say, slack: DevSlack, tick: Tick, sessions: sessionmaker[Session]
) -> None:
    """Slack is down while the standings change over several minutes: the edits owed wait
    (at most one per message, drawn when sent), and once Slack is back the last edit of the
    standings message shows the latest standings, never an older minute's."""
    say("/contest", 'new "Outage week" points from Dec 1 to Dec 6', user="U1")
    start = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)
    tick(start)
    board = posts(slack, "C1", "standings")
    assert len(board) == 1
    with slack.down():
        for minute, calls in enumerate((1, 2, 3, 4)):
            say("/log", f"{calls} calls", user="U2" if minute % 2 == 0 else "U3")
            tick(start + timedelta(minutes=minute + 1))
    # U2 logged 1 + 3 = 4 calls, U3 2 + 4 = 6. The first minute's edit failed most often, so
    # it waits longest: the last minute's is due first.
    for seconds in (10, 60, 120, 600, 1800, 3600, 7200):
        tick(start + timedelta(minutes=4, seconds=seconds))
    updates = [
        c for c in slack.calls("chat.update") if c.params.get("ts") == board[0].response["ts"]
    ]
    assert updates, slack.calls("chat.update")
    last = str(updates[-1].params["blocks"])
    assert "1. <@U3> · 6" in last and "2. <@U2> · 4" in last, last
    with sessions() as session:
        waiting = session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.status == "pending")
        ).all()
    assert waiting == []


def test_ending_early_never_extends_and_never_calls_off_a_contest_started_elsewhere(
    say: Say,
    slack: DevSlack,
    tick: Tick,
    drain: Drain,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    slack.add_user("U4", "wang", real_name="Wang West", tz="America/New_York")
    slack.add_channel("C2", "west", ["U1", "U4", "UBOT"])
    say("/salesbot", "setup CNY", user="U1", channel="C2")
    # The team is made after the ack: the contest below names #west, so wait for it.
    slack.wait_for("response_url", lambda c: "#west is now a sales team" in str(c.params))
    say("/standup", "tz America/New_York", user="U1", channel="C2")
    # Set up from #west (New York): started in Shanghai on Dec 1, New York still on Nov 30.
    clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI).astimezone(UTC))
    created = say(
        "/contest",
        'new "Both ways" calls from Dec 1 to Dec 5 teams #sales #west',
        user="U1",
        channel="C2",
    )
    assert "Both ways" in created.text and "can't" not in created.text, created.text
    tick(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI).astimezone(UTC))
    drain()  # the sender's own thread may hold the start post when the tick's pass looks
    assert len(posts(slack, "C1", "starts now")) == 1
    reply = say("/contest", "end Both ways", user="U1", channel="C2")
    assert "called off" not in reply.text and "now ends today" in reply.text, reply.text
    with sessions() as session:
        contest = session.scalars(select(Contest)).one()
        assert not contest.cancelled and str(contest.end_date) == "2026-12-01"
    # Another, ending Dec 3: on Dec 4 in Shanghai it is over there; ending it from #sales is
    # refused, and its end stays Dec 3 (never Dec 4).
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI).astimezone(UTC))
    say("/contest", 'new "Short one" calls from Dec 1 to Dec 3 teams #sales #west', user="U1")
    clock.set(datetime(2026, 12, 4, 1, 0, tzinfo=SHANGHAI).astimezone(UTC))
    again = say("/contest", "end Short one", user="U1")
    assert "already over" in again.text, again.text
    with sessions() as session:
        short = session.scalars(select(Contest).where(Contest.name == "Short one")).one()
        assert str(short.end_date) == "2026-12-03" and not short.cancelled


def test_a_clock_that_counted_before_a_correction_never_undoes_it(
    say: Say,
    app: Salesbot,
    slack: DevSlack,
    tick: Tick,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Clock A counts the standings and is held there; a change commits and clock B runs;
    then A goes on. A must not correct the result from its stale numbers after B looked: it
    counts only once it holds the result row, so B waits for it and counts after it."""
    if sessions.kw["bind"].dialect.name == "sqlite":
        pytest.skip("SQLite writers hold the write lock from BEGIN: two clocks never overlap")
    say("/contest", 'new "Stale week" points from Dec 1 to Dec 6', user="U1")
    tick(datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI).astimezone(UTC))
    say("/log", "3 calls", user="U2")
    say("/log", "2 calls", user="U2")
    end = datetime(2026, 12, 7, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    tick(end)
    assert "The winner is <@U2> with 5" in str(posts(slack, "C1", "is over")[0].params)
    say("/log", "undo", user="U2")  # not yet counted by any clock: U2 has 3
    from bot.services import contests as service

    counted, go = threading.Event(), threading.Event()
    real = service._lines

    def held(*args: object, **kwargs: object) -> object:
        lines = real(*args, **kwargs)  # type: ignore[arg-type]
        if threading.current_thread().name == "clock-a":
            counted.set()
            go.wait(10)
        return lines

    monkeypatch.setattr(service, "_lines", held)
    errors: list[BaseException] = []

    def run(at: datetime) -> None:
        try:
            run_contests(app.runtime, at)
        except BaseException as error:
            errors.append(error)

    a = threading.Thread(target=run, args=(end + timedelta(hours=1),), name="clock-a")
    a.start()
    assert counted.wait(10)
    say("/log", "undo", user="U2")  # committed while A is held: U2 has 0
    b = threading.Thread(target=run, args=(end + timedelta(hours=1, seconds=30),), name="b")
    b.start()
    b.join(2)
    go.set()
    a.join(10)
    b.join(10)
    assert errors == []
    clock.set(end + timedelta(hours=2))
    app.runtime.sender.deliver_due()
    with sessions() as session:
        result = session.scalars(select(ContestResult)).one()
    # The result ends on the truth (0), never on A's stale 3.
    bob = next(row for row in result.standings if "U2" in row)
    assert Decimal(bob[-4]) == 0, result.standings


def test_managers_creating_one_name_at_once_make_one_contest_and_refuse_the_rest(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    """Four `/contest new` with one name at the same moment, through several workers: the
    database's unique name decides, so one is created and three are told the name is taken
    (never an apology, never two contests)."""
    replies = race(
        [
            lambda: say("/contest", 'new "Same week" calls from Dec 1 to Dec 5', user="U1")
            for _ in range(4)
        ]
    )
    texts = sorted(r.text for r in replies)
    taken = [t for t in texts if "There is already a contest called “Same week”" in t]
    assert len(taken) == 3, texts
    assert all(r.status == 200 for r in replies)
    assert count(sessions, Contest) == 1 and count(sessions, ContestTeam) == 1


def test_a_team_contest_by_percent_scores_each_team_against_its_target_for_the_contest(
    say: Say, slack: DevSlack, clock: FrozenClock
) -> None:
    """#sales has a week's target of 10 calls and a month's of 400; a contest over December
    is scored against the month's (the one covering the whole contest), and its percent is
    rounded half-up like every other percent (1 of 400 is 0.3 %, never 0.2 %)."""
    slack.add_user("U4", "wang", real_name="Wang West", tz="Asia/Shanghai")
    slack.add_channel("C2", "west", ["U1", "U4", "UBOT"])
    say("/salesbot", "setup CNY", user="U1", channel="C2")
    slack.wait_for("response_url", lambda c: "#west is now a sales team" in str(c.params))
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI).astimezone(UTC))
    for text, channel in (
        ("set team 10 calls week", "C1"),
        ("set team 400 calls month", "C1"),
        ("set team 100 calls month", "C2"),
    ):
        reply = say("/target", text, user="U1", channel=channel)
        assert "target" in reply.text.lower() and "can't" not in reply.text, reply.text
    created = say(
        "/contest", 'new "Percent month" calls from Dec 1 to Dec 31 teams #sales #west', user="U1"
    )
    assert "Percent month" in created.text, created.text
    say("/log", "call", user="U2")
    shown = say("/contest", "show Percent month", user="U1").text
    assert "1. <#C1> · 0.3% (1)" in shown and "2. <#C2> · 0.0% (0)" in shown, shown
