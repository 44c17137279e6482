"""The outbox: written in the change's transaction, delivered once, retried with backoff."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.db import transaction
from bot.dev.standin import DevSlack
from bot.services import outbox
from bot.services.directory import ensure_workspace
from bot.slack.client import make_web_client
from bot.slack.sender import OutboxSender
from models import OutboxMessage


def _sender(sessions: sessionmaker[Session], slack: DevSlack, clock: FrozenClock) -> OutboxSender:
    client = make_web_client("xoxb-t", slack.api_url, retries=0)
    return OutboxSender(sessions, lambda _ws: client, clock)


def _owe(
    sessions: sessionmaker[Session], clock: FrozenClock, text: str, dedupe_key: str | None = None
) -> bool:
    with transaction(sessions) as session:
        ensure_workspace(session, "T1", now=clock.now())
        return outbox.enqueue(
            session,
            workspace_id="T1",
            method="chat.postMessage",
            payload={"channel": "C1", "text": text},
            now=clock.now(),
            dedupe_key=dedupe_key,
        )


def test_delivered_once(
    sessions: sessionmaker[Session], slack: DevSlack, clock: FrozenClock
) -> None:
    _owe(sessions, clock, "hello")
    sender = _sender(sessions, slack, clock)
    assert sender.deliver_due().sent == 1
    assert sender.deliver_due().sent == 0
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["hello"]
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.status == "sent" and row.result and row.result["channel"] == "C1"


def test_rolled_back_change_owes_nothing(
    sessions: sessionmaker[Session], slack: DevSlack, clock: FrozenClock
) -> None:
    try:
        with transaction(sessions) as session:
            ensure_workspace(session, "T1", now=clock.now())
            outbox.enqueue(
                session,
                workspace_id="T1",
                method="chat.postMessage",
                payload={"channel": "C1", "text": "x"},
                now=clock.now(),
            )
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert _sender(sessions, slack, clock).deliver_due().sent == 0
    assert slack.calls("chat.postMessage") == []


def test_dedupe_key_owes_once(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    assert _owe(sessions, clock, "a", dedupe_key="k1")
    assert not _owe(sessions, clock, "a", dedupe_key="k1")


def test_server_error_is_retried_after_backoff(
    sessions: sessionmaker[Session], slack: DevSlack, clock: FrozenClock
) -> None:
    _owe(sessions, clock, "retry me")
    slack.inject("chat.postMessage", status=503, times=1)
    sender = _sender(sessions, slack, clock)
    report = sender.deliver_due()
    assert (report.sent, report.retried) == (0, 1)
    assert sender.deliver_due().sent == 0, "not before the backoff has passed"
    clock.advance(timedelta(seconds=outbox.FIRST_BACKOFF_SECONDS))
    assert sender.deliver_due().sent == 1
    assert len(slack.calls("chat.postMessage")) == 1


def test_rate_limit_is_retried(
    sessions: sessionmaker[Session], slack: DevSlack, clock: FrozenClock
) -> None:
    _owe(sessions, clock, "busy")
    slack.inject("chat.postMessage", status=429, times=1, retry_after=0)
    sender = _sender(sessions, slack, clock)
    sender.deliver_due()
    clock.advance(timedelta(minutes=1))
    sender.deliver_due()
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["busy"]


def test_permanent_error_gives_up(
    sessions: sessionmaker[Session], slack: DevSlack, clock: FrozenClock
) -> None:
    # Slack refuses a message with no text for good: retrying cannot help.
    _owe(sessions, clock, "")
    sender = _sender(sessions, slack, clock)
    assert sender.deliver_due().failed == 1
    clock.advance(timedelta(hours=1))
    assert sender.deliver_due().sent == 0
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.attempts, row.last_error) == ("failed", 1, "slack:no_text")


def test_crash_between_commit_and_send_is_delivered_by_the_next_sender(
    sessions: sessionmaker[Session], slack: DevSlack, clock: FrozenClock
) -> None:
    _owe(sessions, clock, "owed")
    # A sender leased the row and died before sending: the lease runs out, another sends it.
    with transaction(sessions) as session:
        assert len(outbox.claim_due(session, now=clock.now(), limit=10)) == 1
    fresh = _sender(sessions, slack, clock)
    assert fresh.deliver_due().sent == 0
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    assert fresh.deliver_due().sent == 1
    assert len(slack.calls("chat.postMessage")) == 1
