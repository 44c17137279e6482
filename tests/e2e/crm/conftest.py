"""CRM sync fixtures: the HubSpot stand-in on the test's clock, Salesbot configured for it,
and #sales connected to it through the form, as a manager does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.crm.secrets import new_key
from bot.dev.driver import SlackDriver
from bot.dev.hubspot import DEFAULT_SECRET, DEFAULT_TOKEN, DevHubSpot
from bot.dev.pipedrive import DevPipedrive
from bot.dev.standin import DevSlack
from bot.dev.zoho import DevZoho
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.conftest import Drain, Say

SECRET_KEY = new_key()


@pytest.fixture
def hubspot(clock: FrozenClock) -> Iterator[DevHubSpot]:
    """A HubSpot portal whose owners are bob (101) and 李雷 (102) by their Slack e-mails, and
    someone Slack does not know (103)."""
    with DevHubSpot(clock=clock.now) as dev:
        dev.add_owner("101", "bob@example.com", "Bob", "Rep")
        dev.add_owner("102", "lilei@example.com", "Lei", "Li")
        dev.add_owner("103", "stranger@elsewhere.example", "Stranger", "")
        yield dev


@pytest.fixture
def pipedrive(clock: FrozenClock) -> Iterator[DevPipedrive]:
    """A Pipedrive company whose users are bob (11) and 李雷 (12) by their Slack e-mails."""
    with DevPipedrive(clock=clock.now) as dev:
        dev.add_user(11, "bob@example.com", "Bob Rep")
        dev.add_user(12, "lilei@example.com", "Li Lei")
        yield dev


@pytest.fixture
def zoho(clock: FrozenClock) -> Iterator[DevZoho]:
    """A Zoho CRM organisation whose users are bob (31) and 李雷 (32) by their Slack e-mails."""
    with DevZoho(clock=clock.now) as dev:
        dev.add_user("31", "bob@example.com", "Bob Rep")
        dev.add_user("32", "lilei@example.com", "Lei Li")
        yield dev


@pytest.fixture
def settings(
    database_url: str,
    slack: DevSlack,
    hubspot: DevHubSpot,
    pipedrive: DevPipedrive,
    zoho: DevZoho,
) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        hubspot_api_url=hubspot.api_url,
        pipedrive_api_url=pipedrive.api_url,
        zoho_api_url=zoho.api_url,
        zoho_accounts_url=zoho.accounts_url,
        salesbot_secret_key=SECRET_KEY,
    )


def open_connect_form(
    say: Say, slack: DevSlack, user: str = "U1", crm: str = "hubspot"
) -> dict[str, Any]:
    """`/salesbot crm connect hubspot` in #sales: the form Slack was asked to open."""
    before = len(slack.calls("views.open"))
    reply = say("/salesbot", f"crm connect {crm}", user=user)
    assert reply.status == 200
    assert not reply.body.strip(), reply.text
    opened = slack.wait_for("views.open", count=before + 1)
    view: dict[str, Any] = opened[-1].response["view"]
    return view


def submit_connect_form(
    driver: SlackDriver,
    view: dict[str, Any],
    *,
    token: str | None = DEFAULT_TOKEN,
    secret: str | None = DEFAULT_SECRET,
    user: str = "U1",
    fields: dict[str, str] | None = None,
) -> Any:
    given = fields if fields is not None else {"token": token, "client_secret": secret}
    state = {
        "values": {
            name: {"value": {"type": "plain_text_input", "value": value}}
            for name, value in given.items()
        }
    }
    return driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": user, "team_id": "T1"},
            "view": {**view, "state": state},
        }
    )


@pytest.fixture
def connected(team: None, say: Say, slack: DevSlack, driver: SlackDriver, drain: Drain) -> None:
    """#sales connected to the HubSpot stand-in by alice through the form."""
    view = open_connect_form(say, slack)
    reply = submit_connect_form(driver, view)
    assert reply.status == 200 and not reply.body.strip()
    done = slack.wait_for("chat.postMessage", lambda c: "is connected to HubSpot" in str(c.params))
    assert done
    drain()
