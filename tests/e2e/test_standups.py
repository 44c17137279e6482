"""Stand-ups end to end: a week of run-due instants against the local Slack stand-in."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.jobs.due import run_scheduled
from bot.jobs.standups import run_standups
from bot.slack.app import Salesbot
from models import Deal, Member, OutboxMessage, StandupPrompt, StandupResponse
from tests.e2e.conftest import Say

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def tick(app: Salesbot, clock: FrozenClock) -> object:
    """Run what is due at an instant, as the clock would, and deliver what it owes Slack."""

    def run(at: datetime) -> None:
        clock.set(at)
        run_scheduled(app.runtime, now=at)
        app.runtime.sender.deliver_due()

    return run


def every(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    instants = []
    while start < end:
        instants.append(start)
        start += step
    return instants


def prompts_to(slack: DevSlack) -> Counter[str]:
    return Counter(
        c.params["channel"]
        for c in slack.calls("chat.postMessage")
        if "Good morning" in str(c.params)
    )


def nudges_to(slack: DevSlack) -> Counter[str]:
    return Counter(
        c.params["channel"]
        for c in slack.calls("chat.postMessage")
        if "Friendly nudge" in str(c.params)
    )


def check_in_payload(
    view: dict[str, object], user: str, values: dict[str, dict[str, object]]
) -> dict[str, object]:
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user},
        "view": {**view, "id": "V1", "state": {"values": values}},
    }


def text_value(text: str) -> dict[str, object]:
    return {"value": {"type": "plain_text_input", "value": text}}


def test_a_week_of_stand_ups(
    say: Say,
    team: None,
    tick: object,
    slack: DevSlack,
    driver: SlackDriver,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    run = tick  # type: ignore[assignment]
    assert "team holiday" in say("/standup", "holiday 2026-12-03 Founders day", user="U1").text
    assert "through Tue Dec 1" in say("/standup", "away until 2026-12-01", user="U3").text
    say("/deal", "add Acme 12k negotiation")
    monday = datetime(2026, 11, 30, tzinfo=SHANGHAI)
    for at in every(
        monday.astimezone(UTC), (monday + timedelta(days=7)).astimezone(UTC), timedelta(minutes=30)
    ):
        run(at)  # type: ignore[operator]
        local = at.astimezone(SHANGHAI)
        if (local.weekday(), local.hour, local.minute) == (0, 10, 0):
            reply = say("/standup", "", user="U2")
            assert reply.status == 200
            view = slack.wait_for("views.open")[-1].params["view"]
            values = {
                "q0": text_value("Sent the proposal to Acme"),
                "q1": text_value("Close Acme"),
                "q2": text_value("Waiting on legal"),
                "move0_deal": {
                    "value": {"type": "static_select", "selected_option": {"value": "1"}}
                },
                "move0_stage": {
                    "value": {"type": "static_select", "selected_option": {"value": "won"}}
                },
            }
            assert driver.interaction(check_in_payload(view, "U2", values)).status == 200
            # A double click submits twice: the check-in is recorded once.
            assert driver.interaction(check_in_payload(view, "U2", values)).status == 200
        if (local.weekday(), local.hour, local.minute) == (1, 10, 0):
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": "DU2",
                "user": "U2",
                "text": "Called Globex, demo booked",
                "ts": "1.1",
            }
            assert driver.event(event, event_id="Ev1").status == 200
            slack.wait_for("chat.postMessage", lambda c: "checked in!" in str(c.params))
    app_delivered = slack.calls("chat.postMessage")
    # Mon, Tue, Wed and Fri are stand-up days (Thu is a holiday); 李雷 is away Mon and Tue.
    assert prompts_to(slack) == {"U1": 4, "U2": 4, "U3": 2}
    with sessions() as session:
        prompts = session.scalars(select(StandupPrompt).where(StandupPrompt.status == "sent"))
        for prompt in prompts:
            local_due = prompt.due_at.astimezone(SHANGHAI)
            assert (local_due.hour, local_due.minute) == (9, 30)
            assert prompt.sent_at == prompt.due_at
        assert session.get(Deal, 1).stage == "won"  # type: ignore[union-attr]
    # bob checked in Mon (modal) and Tue (DM); nobody else ever did.
    assert nudges_to(slack) == {"U1": 4, "U2": 2, "U3": 2}
    day_posts = [
        c
        for c in app_delivered
        if c.params.get("channel") == "C1"
        and str(c.params.get("text", "")).startswith("Stand-up ·")
    ]
    assert [c.params["text"].split(" · ")[1] for c in day_posts] == [
        "Mon Nov 30",
        "Tue Dec 1",
        "Wed Dec 2",
        "Fri Dec 4",
    ]
    threads = [c for c in app_delivered if "thread_ts" in c.params]
    assert len(threads) == 2, "one thread post per check-in, despite the double submit"
    assert "Waiting on legal" in str(threads[0].params) and "<@U1>" in str(threads[0].params)
    assert "Deals moved" in str(threads[0].params)
    closing = [c for c in slack.calls("chat.update") if "Closed." in str(c.params)]
    assert len(closing) == 4
    monday_note = closing[0].params["blocks"][-1]["elements"][0]["text"]
    assert monday_note == "Closed. Missed: <@U1>", "李雷 was away, bob checked in"
    assert ":palm_tree: <@U3>" in str(closing[0].params)
    assert ":trophy:" in str(app_delivered), "a deal won from the check-in is announced"


def test_prompts_follow_each_zone_across_daylight_saving(
    say: Say, team: None, tick: object, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    """New York falls back on Sun 1 Nov 2026: 09:30 is 13:30 UTC before and 14:30 UTC after."""
    slack.add_user("U5", "nina", tz="America/New_York")
    slack.add_user("U6", "omar", tz="America/New_York")
    slack.add_channel("C2", "sales-us", ["U1", "U5", "U6"])
    say("/salesbot", "setup USD", user="U1", channel="C2")
    slack.wait_for("response_url", lambda c: "sales-us" in str(c.params))
    assert (
        "America/New_York" in say("/standup", "tz America/New_York", user="U1", channel="C2").text
    )
    start = datetime(2026, 10, 30, 0, 0, tzinfo=UTC)
    for at in every(start, start + timedelta(days=4), timedelta(minutes=30)):
        tick(at)  # type: ignore[operator]
    with sessions() as session:
        due = {
            (user, p.local_date.isoformat()): p.due_at
            for p, user in session.execute(
                select(StandupPrompt, Member.slack_user_id)
                .join(Member, Member.id == StandupPrompt.member_id)
                .where(StandupPrompt.status == "sent")
            )
        }
    us = sorted(at.isoformat() for (user, _), at in due.items() if user in ("U5", "U6"))
    assert us == [
        "2026-10-30T13:30:00+00:00",
        "2026-10-30T13:30:00+00:00",
        "2026-11-02T14:30:00+00:00",
        "2026-11-02T14:30:00+00:00",
    ]
    shanghai = sorted({at.isoformat() for (user, _), at in due.items() if user not in ("U5", "U6")})
    assert shanghai == ["2026-10-30T01:30:00+00:00", "2026-11-02T01:30:00+00:00"]


def test_a_clock_down_too_long_skips_with_one_log_line(
    team: None, tick: object, slack: DevSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    monday_noon = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)  # 2.5 hours late
    tick(monday_noon)  # type: ignore[operator]
    tick(monday_noon + timedelta(minutes=1))  # type: ignore[operator]
    assert prompts_to(slack) == {}
    skipped = [r for r in caplog.records if "standup.prompt_skipped" in r.getMessage()]
    assert len(skipped) == 3  # one per member, once


def test_two_hours_late_still_prompts(team: None, tick: object, slack: DevSlack) -> None:
    tick(datetime(2026, 11, 30, 11, 30, tzinfo=SHANGHAI))  # type: ignore[operator]
    assert prompts_to(slack) == {"U1": 1, "U2": 1, "U3": 1}


def test_pause_and_resume(say: Say, team: None, tick: object, slack: DevSlack) -> None:
    assert "Only managers" in say("/standup", "pause", user="U2").text
    assert "Paused" in say("/standup", "pause", user="U1").text
    tick(datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI))  # type: ignore[operator]
    assert prompts_to(slack) == {}
    say("/standup", "resume", user="U1")
    tick(datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI))  # type: ignore[operator]
    assert prompts_to(slack) == {"U1": 1, "U2": 1, "U3": 1}


def test_concurrent_runs_prompt_each_member_once(
    team: None,
    app: Salesbot,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    """Two clocks at 09:30:00 and 09:30:40 (different run keys) race on the same morning."""
    base = datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI).astimezone(UTC)
    clock.set(base + timedelta(minutes=1))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(offset: int) -> None:
        try:
            barrier.wait()
            run_standups(app.runtime, base + timedelta(seconds=offset))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in (0, 10, 20, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    app.runtime.sender.deliver_due()
    assert prompts_to(slack) == {"U1": 1, "U2": 1, "U3": 1}
    day_posts = [c for c in slack.calls("chat.postMessage") if c.params["channel"] == "C1"]
    assert len(day_posts) == 1


def test_two_run_due_processes_at_one_instant(
    team: None, database_url: str, slack: DevSlack
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_API_URL=slack.api_url,
        LOG_LEVEL="WARNING",
    )
    instant = "2026-11-30T09:30:00+08:00"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "run-due", "--now", instant],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert prompts_to(slack) == {"U1": 1, "U2": 1, "U3": 1}


def check_in_with(
    say: Say, slack: DevSlack, driver: SlackDriver, user: str, blocker: str = "none"
) -> None:
    """Open the check-in form with /standup and submit it, as the member would."""
    opened = len(slack.calls("views.open"))
    assert say("/standup", "", user=user).status == 200
    view = slack.wait_for("views.open", count=opened + 1)[-1].params["view"]
    values = {
        "q0": text_value("Called Acme"),
        "q1": text_value("Send the quote"),
        "q2": text_value(blocker),
    }
    assert driver.interaction(check_in_payload(view, user, values)).status == 200


def owed(sessions: sessionmaker[Session], words: str, channel: str) -> int:
    """How many outbox rows owe `channel` a message containing `words`."""
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage.payload))
        return sum(1 for p in rows if p.get("channel") == channel and words in str(p))


def dms(slack: DevSlack, user: str, words: str) -> list[str]:
    return [
        str(c.params["text"])
        for c in slack.calls("chat.postMessage")
        if c.params.get("channel") == user and words in str(c.params)
    ]


def test_a_blocker_reaches_every_manager_once_member_or_not(
    say: Say,
    team: None,
    tick: object,
    slack: DevSlack,
    driver: SlackDriver,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    # mia manages the team without being in it (not in #sales, never added).
    slack.add_user("UM", "mia", real_name="Mia Manager", tz="Asia/Shanghai")
    assert "is now a manager" in say("/salesbot", "managers add <@UM>", user="U1").text
    tick(datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI))  # type: ignore[operator]
    assert "<@UM>" not in str(slack.calls("chat.postMessage")), "mia gets no stand-up"
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))

    check_in_with(say, slack, driver, "U2", blocker="Waiting on legal")

    thread = slack.wait_for("chat.postMessage", lambda c: "thread_ts" in c.params)
    assert "Waiting on legal" in str(thread[0].params)
    assert "<@UM>" in str(thread[0].params) and "<@U1>" in str(thread[0].params)
    for manager in ("UM", "U1"):
        slack.wait_for(
            "chat.postMessage",
            lambda c, m=manager: c.params["channel"] == m and "is blocked" in str(c.params),
        )
    [to_mia] = dms(slack, "UM", "is blocked")
    assert "<@U2> is blocked" in to_mia and "Waiting on legal" in to_mia and "<#C1>" in to_mia
    assert dms(slack, "U2", "is blocked") == [], "who raised it is not told about it"

    # Submitted again, the same blocker (as typed again) tells nobody twice.
    check_in_with(say, slack, driver, "U2", blocker="  waiting on LEGAL ")
    assert owed(sessions, "is blocked", "UM") == 1 and owed(sessions, "is blocked", "U1") == 1
    assert owed(sessions, "added a blocker", "C1") == 0

    # A new blocker the same day is told: in the thread and to each manager, once.
    check_in_with(say, slack, driver, "U2", blocker="Budget frozen until January")
    check_in_with(say, slack, driver, "U2", blocker="Budget frozen until January")
    added = slack.wait_for("chat.postMessage", lambda c: "added a blocker" in str(c.params))
    assert "Budget frozen" in str(added[0].params) and "<@UM>" in str(added[0].params)
    slack.wait_for(
        "chat.postMessage", lambda c: c.params["channel"] == "UM" and "Budget" in str(c.params)
    )
    assert owed(sessions, "is blocked", "UM") == 2 and owed(sessions, "is blocked", "U1") == 2
    assert owed(sessions, "added a blocker", "C1") == 1
    assert owed(sessions, "checked in*", "C1") == 1, "the check-in itself is posted once"


def day_message_now(slack: DevSlack) -> dict[str, object]:
    """The day message as it reads now: its last update, else the post."""
    posts = [
        c.params
        for c in slack.calls()
        if c.method in ("chat.postMessage", "chat.update")
        and c.params.get("channel") == "C1"
        and str(c.params.get("text", "")).startswith("Stand-up ·")
    ]
    return posts[-1]


def test_a_late_check_in_is_late_and_the_missed_stay_missed(
    say: Say,
    team: None,
    tick: object,
    slack: DevSlack,
    driver: SlackDriver,
    clock: FrozenClock,
) -> None:
    tick(datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI))  # type: ignore[operator]
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    check_in_with(say, slack, driver, "U2")
    tick(datetime(2026, 11, 30, 12, 30, tzinfo=SHANGHAI))  # type: ignore[operator]
    closed = day_message_now(slack)
    assert "Closed. Missed: <@U1>, <@U3>" in str(closed["blocks"])

    # alice and 李雷 check in after the close: shown late, still among those who missed.
    for user, at in (("U1", (14, 0)), ("U3", (16, 45))):
        clock.set(datetime(2026, 11, 30, *at, tzinfo=SHANGHAI))
        check_in_with(say, slack, driver, user)
        slack.wait_for(
            "chat.update",
            lambda c, u=user: f"<@{u}> _checked in late_" in str(c.params),
        )

    now = day_message_now(slack)
    assert now["text"] == "Stand-up · Mon Nov 30 · 1 of 3 checked in · 2 late"
    text = str(now["blocks"])
    assert "Closed. Missed: <@U1>, <@U3>" in text and "Everyone checked in" not in text
    assert ":alarm_clock: <@U1> _checked in late_" in text
    assert ":white_check_mark: <@U2>" in text
    late_posts = [
        c
        for c in slack.calls("chat.postMessage")
        if "thread_ts" in c.params and "late" in str(c.params)
    ]
    assert len(late_posts) == 2 and "<@U1> checked in late" in str(late_posts[0].params)


@pytest.mark.parametrize(
    "text",
    [
        "Called Acme twice\nblocker: waiting on legal",
        "给华为打了电话\n阻碍：等法务审核",
        "Sent the quote.\n卡点: waiting on legal",
    ],
)
def test_standup_with_a_text_is_a_check_in_and_its_blocker_goes_to_managers(
    say: Say, team: None, slack: DevSlack, sessions: sessionmaker[Session], text: str
) -> None:
    """`/standup <text>` checks in with that text, prompt or not; a line starting blocker:,
    阻碍： or 卡点: (any colon) is the blocker."""
    reply = say("/standup", text, user="U2")
    assert "checked in" in reply.text and "managers" in reply.text
    with sessions() as session:
        blockers = session.scalars(select(StandupResponse.blocker)).all()
    assert len(blockers) == 1 and blockers[0] in text and blockers[0]
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "U1")
    again = say("/standup", "Called them again", user="U2")
    assert "first check-in stands" in again.text


@pytest.mark.parametrize(("typed", "meant"), [("confg", "config"), ("pasue", "pause")])
def test_a_mistyped_standup_command_is_answered_did_you_mean(
    say: Say, team: None, sessions: sessionmaker[Session], typed: str, meant: str
) -> None:
    reply = say("/standup", typed, user="U1")
    assert f"did you mean “{meant}”?" in reply.text and f"`/standup {meant}`" in reply.text
    with sessions() as session:
        assert session.scalars(select(StandupResponse.id)).all() == []
