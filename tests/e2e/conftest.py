"""End-to-end fixtures: a sales team set up through `/salesbot setup`, as a manager would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.driver import Reply, SlackDriver
from bot.dev.standin import DevSlack
from bot.services.outbox import pending_count

Say = Callable[..., Reply]
Drain = Callable[[], None]


@pytest.fixture
def drain(sessions: sessionmaker[Session]) -> Drain:
    """`drain()`: wait until the sender has sent everything owed, so a test can count posts."""

    def wait(timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with sessions() as session:
                if pending_count(session) == 0:
                    return
            if time.monotonic() > deadline:
                raise AssertionError("the outbox still owes Slack messages")
            time.sleep(0.02)

    return wait


@pytest.fixture
def say(driver: SlackDriver, slack: DevSlack) -> Say:
    """`say("/deal", "add Acme 12k", user="U2")`: a signed slash command over HTTP."""

    def send(command: str, text: str, *, user: str = "U2", channel: str = "C1") -> Reply:
        return driver.command(
            command,
            text,
            user=user,
            channel=channel,
            response_url=slack.response_url(command, user_id=user, channel_id=channel),
        )

    return send


@pytest.fixture
def team(say: Say, slack: DevSlack) -> None:
    """#sales (C1) set up as a team by alice (U1, a Slack admin): bob (U2) and 李雷 (U3) in it."""
    reply = say("/salesbot", "setup CNY", user="U1")
    assert reply.status == 200 and "Setting up" in reply.text
    done = slack.wait_for("response_url", lambda c: "sales team" in str(c.params))
    assert "is now a sales team" in str(done[0].params)


def race(actions: list[Callable[[], Reply]]) -> list[Reply]:
    """Run the actions at the same moment, each in its own thread; their replies."""
    barrier = threading.Barrier(len(actions))
    replies: list[Reply] = []
    lock = threading.Lock()

    def run(action: Callable[[], Reply]) -> None:
        barrier.wait()
        reply = action()
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return replies
