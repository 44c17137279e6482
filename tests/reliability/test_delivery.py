"""Nothing lost, nothing doubled: Slack's faults, a crash between commit and send, and the
ack path while Slack's API is down."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.standin import DevSlack
from bot.services import outbox
from bot.slack.app import Salesbot
from bot.slack.client import make_web_client
from bot.slack.sender import OutboxSender
from models import OutboxMessage
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")


def wins(slack: DevSlack) -> int:
    return sum(":trophy:" in str(c.params) for c in slack.calls("chat.postMessage"))


def drain(app: Salesbot, clock: FrozenClock, rounds: int = 12) -> None:
    """What the sender's retries do over the next half hour."""
    for _ in range(rounds):
        clock.advance(timedelta(minutes=3))
        app.runtime.sender.deliver_due()


@pytest.mark.parametrize(
    ("status", "retry_after"), [(429, 1), (500, None), (503, None)], ids=["429", "500", "503"]
)
def test_owed_messages_arrive_once_after_slack_faults(
    say: Say,
    app: Salesbot,
    slack: DevSlack,
    clock: FrozenClock,
    status: int,
    retry_after: int | None,
) -> None:
    app.runtime.sender.stop()  # this test drives delivery itself
    slack.inject("chat.postMessage", status=status, times=6, retry_after=retry_after)
    assert "Won" in say("/deal", "add Acme 12k won").text
    drain(app, clock)
    assert wins(slack) == 1
    drain(app, clock)
    assert wins(slack) == 1


def test_commands_ack_while_slack_is_down_and_owed_messages_follow(
    say: Say, app: Salesbot, slack: DevSlack, clock: FrozenClock
) -> None:
    app.runtime.sender.stop()
    with slack.down():
        started = time.monotonic()
        reply = say("/deal", "add Acme 12k won")
        elapsed = time.monotonic() - started
        assert reply.status == 200 and "Won" in reply.text
        assert elapsed < 3, "the ack never waits on Slack"
        app.runtime.sender.deliver_due()  # refused connections: retried later
    assert wins(slack) == 0
    drain(app, clock)
    assert wins(slack) == 1


def test_a_crash_between_commit_and_send_is_delivered_after_restart(
    say: Say,
    app: Salesbot,
    slack: DevSlack,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    app.runtime.sender.stop()  # the process "crashes" before its sender ran
    say("/deal", "add Acme 12k won")
    with sessions() as session:
        pending = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        assert any(":trophy:" in str(m.payload) for m in pending)
    restarted = OutboxSender(sessions, app.runtime.client_for, clock, app.runtime.sender.renderers)
    restarted.deliver_due()
    restarted.deliver_due()
    assert wins(slack) == 1


def test_secrets_never_reach_the_logs(
    say: Say,
    app: Salesbot,
    slack: DevSlack,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.inject("chat.postMessage", status=500, times=1)
    say("/deal", "add Acme 12k won")
    say("/deal", "frobnicate")
    say("/target", "set <@U2> 50k", user="U1")
    drain(app, clock, rounds=3)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged, "the run logged something"
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in logged


def test_owed_messages_arrive_once_after_slack_timeouts(
    say: Say,
    app: Salesbot,
    slack: DevSlack,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    app.runtime.sender.stop()
    # A client that gives up after one second, against a Slack that hangs for two.
    client = make_web_client(BOT_TOKEN, slack.api_url, retries=0, timeout=1)
    sender = OutboxSender(sessions, lambda _workspace: client, clock)
    slack.slow("chat.postMessage", seconds=2, times=2)
    say("/deal", "add Acme 12k won")
    started = time.monotonic()
    sender.deliver_due()
    assert wins(slack) == 0 and time.monotonic() - started < 10
    for _ in range(6):
        clock.advance(timedelta(minutes=3))
        sender.deliver_due()
    assert wins(slack) == 1


def uploads_named(slack: DevSlack, prefix: str) -> list[str]:
    """Files completed by files_upload_v2 whose name starts with `prefix`."""
    names = {
        c.response.get("file_id"): str(c.params.get("filename"))
        for c in slack.calls("files.getUploadURLExternal")
    }
    done = []
    for call in slack.calls("files.completeUploadExternal"):
        for file in call.params.get("files") or []:
            name = names.get(file.get("id"), "")
            if name.startswith(prefix):
                done.append(name)
    return done


def test_an_export_and_report_charts_owed_while_slack_is_down_arrive_once(
    say: Say, app: Salesbot, slack: DevSlack, clock: FrozenClock
) -> None:
    """The testers saw `/deal export` acked "on its way" and never arrive, and chart sets of
    `/deal report` lost under faults: both are outbox rows, delivered once Slack is back."""
    say("/deal", "add Acme 12k won")
    say("/deal", "add Beta 8k proposal")
    app.runtime.sender.stop()
    app.runtime.sender.deliver_due()
    slack.clear()
    with slack.down():
        exported = say("/deal", "export")
        assert exported.status == 200 and "on its way" in exported.text
        report = say("/deal", "report")
        assert report.status == 200 and report.text
        app.listeners.shutdown(wait=True)
        app.runtime.sender.deliver_due()  # refused connections: retried later
    assert uploads_named(slack, "") == []
    drain(app, clock)
    drain(app, clock)
    assert len(uploads_named(slack, "deals-")) == 1
    charts = uploads_named(slack, "report-")
    assert charts and len(charts) == len(set(charts)), charts


def test_a_dm_slack_refuses_for_good_is_shown_to_the_managers(
    say: Say, app: Salesbot, slack: DevSlack, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    """bob's account is deactivated before the DM telling him his deal moved: Slack refuses
    it (user_disabled), the row is given up at once, and alice's App Home says so."""
    say("/deal", "add Acme 12k", user="U2")
    slack.add_user("U2", "bob", real_name="Bob Rep", tz="Asia/Shanghai", deleted=True)
    assert "Assigned" in say("/deal", "assign #1 <@U3|lilei>", user="U1").text
    app.listeners.shutdown(wait=True)
    drain(app, clock, rounds=2)
    with sessions() as session:
        refused = session.execute(
            select(OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error).where(
                OutboxMessage.method == "chat.postMessage",
                OutboxMessage.payload["channel"].as_string() == "U2",
            )
        ).all()
    assert [tuple(r) for r in refused] == [("failed", 1, "slack:user_disabled")]
    homes = [
        str(c.params["view"])
        for c in slack.calls("views.publish")
        if c.params["user_id"] == "U1" and "Messages Slack refused" in str(c.params["view"])
    ]
    assert homes and "<@U2> · their Slack account is deactivated" in homes[-1]


def test_invalid_arguments_is_given_up_not_retried_forever(
    app: Salesbot, slack: DevSlack, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    """The testers' empty user: its App Home publish was retried forever."""
    app.runtime.sender.stop()
    with sessions() as session:
        outbox.enqueue(
            session,
            workspace_id="T1",
            method="views.publish",
            payload={"user_id": "", "view": {"type": "home", "blocks": []}},
            now=clock.now(),
        )
        session.commit()
    drain(app, clock, rounds=3)
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "slack:invalid_arguments")
