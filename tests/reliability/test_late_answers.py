"""Slack accepted a post but its answer came after the client gave up: the sender finds the
post by the outbox id in its metadata and does not post it again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.dev.standin import DevSlack
from bot.slack.app import Salesbot
from models import OutboxMessage
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")
CUSTOMERS = ("Acme", "Beta", "Gamma", "Delta")


@pytest.fixture
def settings(database_url: str, slack: DevSlack) -> Settings:
    """Give up on Slack's answer after one second (ten in production)."""
    return load_settings(
        {},
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        slack_timeout=1,
    )


def win_posts(slack: DevSlack, customer: str) -> int:
    return sum(
        1
        for c in slack.calls("chat.postMessage")
        if ":trophy:" in str(c.params) and f"*{customer}*" in str(c.params)
    )


def test_four_late_answers_on_wins_post_each_win_once(
    say: Say, slack: DevSlack, app: Salesbot, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    slack.late("chat.postMessage", seconds=1.5, times=4)
    for customer in CUSTOMERS:
        assert "Added" in say("/deal", f"add {customer} 10k won").text
    slack.wait_for("chat.postMessage", lambda c: ":trophy:" in str(c.params), count=4)
    app.listeners.shutdown(wait=True)
    app.runtime.sender.deliver_due()
    with sessions() as session:
        unknown = session.scalars(
            select(OutboxMessage.last_error).where(OutboxMessage.method == "chat.postMessage")
        ).all()
    assert unknown and all((e or "").startswith("outcome_unknown") for e in unknown), unknown

    clock.set(clock.now() + timedelta(minutes=1))  # the retries come due
    app.runtime.sender.deliver_due()

    assert [win_posts(slack, c) for c in CUSTOMERS] == [1, 1, 1, 1]
    assert len(slack.calls("conversations.history")) == 4
    with sessions() as session:
        rows = session.execute(
            select(OutboxMessage.status, OutboxMessage.result).where(
                OutboxMessage.method == "chat.postMessage"
            )
        ).all()
    assert {status for status, _result in rows} == {"sent"}
    assert all(result and result.get("ts") for _status, result in rows)
    posted = {c.response["ts"] for c in slack.calls("chat.postMessage")}
    assert {result["ts"] for _status, result in rows} == posted


def test_a_post_that_never_arrived_is_posted_after_the_look(
    say: Say, slack: DevSlack, app: Salesbot, clock: FrozenClock
) -> None:
    """A timeout before Slack carried it out: the look finds nothing, so it is posted."""
    slack.slow("chat.postMessage", seconds=1.5, times=1)
    say("/deal", "add Acme 10k won")
    app.listeners.shutdown(wait=True)
    app.runtime.sender.deliver_due()
    assert win_posts(slack, "Acme") == 0
    clock.set(clock.now() + timedelta(minutes=1))
    app.runtime.sender.deliver_due()
    assert win_posts(slack, "Acme") == 1
    assert len(slack.calls("conversations.history")) == 1
