"""What a listener owes after its ack runs off the request thread: the ack never waits for it,
and a failure there is still apologised for where the member is looking."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.slack.after_ack import acks_first
from bot.views import home as home_views
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")


def test_the_ack_of_a_form_command_does_not_wait_for_the_form(say: Say, slack: DevSlack) -> None:
    # Slack hangs on views.open for two seconds, then answers 504 (recorded when it answers).
    slack.slow("views.open", seconds=2.0)

    reply = say("/deal", "new")

    assert reply.status == 200
    assert slack.calls("views.open", include_faults=True) == [], "the ack waited for views.open"
    slack.wait_for("views.open", include_faults=True)
    sorry = slack.wait_for("response_url", lambda c: "error id" in str(c.params))
    assert "Sorry" in str(sorry[0].params)


def test_the_ack_of_a_button_does_not_wait_for_what_it_owes_slack(
    driver: SlackDriver, slack: DevSlack
) -> None:
    slack.slow("views.open", seconds=2.0)
    press = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "trigger_id": "777.1.home",
        "actions": [{"action_id": home_views.NEW_DEAL, "value": home_views.NEW_DEAL_VALUE}],
    }

    assert driver.interaction(press).status == 200

    assert slack.calls("views.open", include_faults=True) == [], "the ack waited for views.open"
    slack.wait_for("views.open", include_faults=True)


def test_a_listener_after_its_ack_may_take_only_what_it_is_handed() -> None:
    def wants_the_ack(ack: Any, body: dict[str, Any]) -> None:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="ack"):
        acks_first(wants_the_ack)
