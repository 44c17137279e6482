"""End-to-end fixtures: a sales team set up through `/salesbot setup`, as a manager would."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dev.driver import Reply, SlackDriver
from bot.dev.standin import DevSlack

Say = Callable[..., Reply]


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
