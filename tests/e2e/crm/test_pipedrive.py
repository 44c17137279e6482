"""Pipedrive through its stand-in: connected with an API token and the company domain, its
webhooks authenticated with the basic auth Salesbot made up (told to the manager once), a win
in Pipedrive (its status) announced once and counted, a wrong password refused with nothing
written, and a `/deal` stage change written to Pipedrive."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.crm.secrets import Vault
from bot.dev.driver import SlackDriver
from bot.dev.pipedrive import DEFAULT_DOMAIN, DEFAULT_TOKEN, DevPipedrive
from bot.dev.standin import DevSlack
from bot.slack.app import Salesbot
from models import CrmConnection, Deal
from tests.e2e.conftest import Drain, Say
from tests.e2e.crm.conftest import SECRET_KEY, open_connect_form, submit_connect_form
from tests.e2e.crm.test_inbound import run_due, win_posts


@pytest.fixture
def webhook_auth(
    team: None, say: Say, slack: DevSlack, driver: SlackDriver, drain: Drain
) -> tuple[str, str]:
    """#sales connected to Pipedrive through the form: the basic auth its DM told."""
    view = open_connect_form(say, slack, crm="pipedrive")
    assert {b.get("block_id") for b in view["blocks"]} >= {"api_token", "company_domain"}
    fields = {"api_token": DEFAULT_TOKEN, "company_domain": DEFAULT_DOMAIN}
    assert submit_connect_form(driver, view, fields=fields).status == 200
    [told] = slack.wait_for(
        "chat.postMessage", lambda c: "is connected to Pipedrive" in str(c.params)
    )
    drain()
    found = re.search(r"HTTP auth user `([^`]+)` and password `([^`]+)`", str(told.params))
    assert found, told.params
    return found[1], found[2]


def test_connect_win_by_webhook_and_write_back(
    webhook_auth: tuple[str, str],
    pipedrive: DevPipedrive,
    server_url: str,
    say: Say,
    slack: DevSlack,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    user, password = webhook_auth
    with sessions() as session:
        connection = session.scalars(select(CrmConnection)).one()
        assert connection.account_id == DEFAULT_DOMAIN and connection.credentials is not None
        opened = Vault(SECRET_KEY).open(connection.credentials)
        assert opened["api_token"] == DEFAULT_TOKEN and opened["webhook_password"] == password
        assert DEFAULT_TOKEN not in connection.credentials
    deal_id, _ = pipedrive.create_deal(title="Initech", value=20000, owner_id=11, stage_id=3)
    run_due(app, clock, 1)
    drain()
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert (deal.customer, deal.stage, str(deal.amount)) == ("Initech", "proposal", "20000.00")
    say("/target", "set <@U2|bob> 100k", user="U1")
    url = f"{server_url}/crm/pipedrive/webhook"
    clock.advance(timedelta(minutes=1))
    event = pipedrive.update_deal(deal_id, status="won")
    # A wrong password: refused, nothing written.
    before = _counts(sessions)
    assert pipedrive.post_webhook(url, event, user=user, password="guess")[0] == 401
    assert _counts(sessions) == before
    assert pipedrive.post_webhook(url, event, user=user, password=password)[0] == 200
    drain()
    drain()
    [post] = win_posts(slack, "Initech")
    assert "<@U2>" in post and "20.0%" in post
    # Delivered again, then the poll: nothing more.
    assert pipedrive.post_webhook(url, event, user=user, password=password)[0] == 200
    run_due(app, clock, 5)
    drain()
    assert len(win_posts(slack, "Initech")) == 1
    assert pipedrive.writes() == []
    # A change in Slack is written to Pipedrive.
    assert "Added" in say("/deal", "add Hooli 9k negotiation", user="U3").text
    drain()
    [created] = [c for c in pipedrive.writes() if c.method == "POST"]
    assert created.body["title"] == "Hooli" and created.body["owner_id"] == 12
    assert created.body["stage_id"] == 4 and created.body["value"] == 9000.0
    assert "#2" in say("/deal", "lost #2 went elsewhere", user="U3").text
    drain()
    [changed] = [c for c in pipedrive.writes() if c.method == "PATCH"]
    assert changed.body == {"status": "lost"}


def _counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            table: int(session.scalar(text(f"SELECT COUNT(*) FROM {table}")) or 0)
            for table in ("deal_event", "crm_webhook_event", "outbox_message")
        }
