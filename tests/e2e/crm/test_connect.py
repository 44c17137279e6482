"""Connecting a team to HubSpot from Slack: the form, the DM that says how it went, the
state `/salesbot crm` shows, the stage mapping, and Disconnect (deals kept, sync stopped)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.crm.secrets import Vault
from bot.dev.driver import SlackDriver
from bot.dev.hubspot import DEFAULT_SECRET, DEFAULT_TOKEN, DevHubSpot
from bot.dev.standin import DevSlack
from models import CrmConnection, CrmOwner, CrmStage, SalesTeam
from tests.e2e.conftest import Drain, Say
from tests.e2e.crm.conftest import SECRET_KEY, open_connect_form, submit_connect_form


def dms_to(slack: DevSlack, user: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.calls("chat.postMessage")
        if c.params.get("channel") == user
    ]


@pytest.mark.usefixtures("team")
def test_a_manager_connects_hubspot_through_the_form(
    say: Say,
    slack: DevSlack,
    driver: SlackDriver,
    drain: Drain,
    hubspot: DevHubSpot,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    view = open_connect_form(say, slack)
    assert view["callback_id"] == "crm_connect"
    assert {b.get("block_id") for b in view["blocks"]} >= {"token", "client_secret"}
    reply = submit_connect_form(driver, view)
    assert reply.status == 200 and reply.body == ""
    slack.wait_for("chat.postMessage", lambda c: "is connected to HubSpot" in str(c.params))
    drain()
    [told] = [t for t in dms_to(slack, "U1") if "connected" in t]
    assert f"account {hubspot.portal_id}" in told
    with sessions() as session:
        connection = session.scalars(select(CrmConnection)).one()
        team = session.get(SalesTeam, connection.team_id)
        assert team is not None and team.crm == "hubspot" and team.channel_id == "C1"
        assert connection.status == "active" and connection.account_id == str(hubspot.portal_id)
        # Stored encrypted: neither secret is in the row, and the key opens them.
        assert connection.credentials is not None
        assert DEFAULT_TOKEN not in connection.credentials
        assert DEFAULT_SECRET not in connection.credentials
        assert Vault(SECRET_KEY).open(connection.credentials) == {
            "token": DEFAULT_TOKEN,
            "client_secret": DEFAULT_SECRET,
        }
        owners = {o.remote_id: o.slack_user_id for o in session.scalars(select(CrmOwner))}
        assert owners == {"101": "U2", "102": "U3", "103": None}
        stages = {s.remote_id: s.stage_key for s in session.scalars(select(CrmStage))}
        assert stages["closedwon"] == "won" and stages["closedlost"] == "lost"
    # Never logged, never shown again.
    for record in caplog.records:
        assert (
            DEFAULT_TOKEN not in record.getMessage() and DEFAULT_SECRET not in record.getMessage()
        )
    for call in slack.calls():
        assert DEFAULT_TOKEN not in str(call.params) and DEFAULT_SECRET not in str(call.params)
    state = say("/salesbot", "crm", user="U1")
    assert "HubSpot" in state.text and "syncing" in state.text
    assert "Last poll: never" in state.text and "0 deals synced" in state.text
    assert "crm_disconnect" in str(state.json["blocks"])


@pytest.mark.usefixtures("team")
def test_a_refused_token_is_said_and_nothing_is_stored(
    say: Say, slack: DevSlack, driver: SlackDriver, drain: Drain, sessions: sessionmaker[Session]
) -> None:
    view = open_connect_form(say, slack)
    assert submit_connect_form(driver, view, token="pat-wrong").status == 200
    slack.wait_for("chat.postMessage", lambda c: "refused that token" in str(c.params))
    drain()
    with sessions() as session:
        assert session.scalars(select(CrmConnection)).all() == []


@pytest.mark.usefixtures("team")
def test_an_empty_field_keeps_the_form_open(say: Say, slack: DevSlack, driver: SlackDriver) -> None:
    view = open_connect_form(say, slack)
    reply = submit_connect_form(driver, view, secret="  ")
    assert reply.json["response_action"] == "errors"
    assert set(reply.json["errors"]) == {"client_secret"}


@pytest.mark.usefixtures("team")
def test_only_managers_connect(say: Say, slack: DevSlack) -> None:
    reply = say("/salesbot", "crm connect hubspot", user="U2")
    assert "Only managers" in reply.text
    assert slack.calls("views.open") == []
    assert "Only managers" in say("/salesbot", "crm", user="U2").text


@pytest.mark.usefixtures("connected")
def test_stages_are_listed_and_remapped(say: Say, sessions: sessionmaker[Session]) -> None:
    listed = say("/salesbot", "crm stages", user="U1").text
    assert "Closed Won → *Won*" in listed and "Contract Sent" in listed
    mapped = say("/salesbot", "crm stages Contract Sent=proposal", user="U1").text
    assert "now maps to *Proposal*" in mapped
    refused = say("/salesbot", "crm stages Closed Won=proposal", user="U1").text
    assert "closing stage" in refused
    assert "no stage" in say("/salesbot", "crm stages Nope=lead", user="U1").text
    with sessions() as session:
        rows = {s.remote_id: s.stage_key for s in session.scalars(select(CrmStage))}
        assert rows["contractsent"] == "proposal" and rows["closedwon"] == "won"


@pytest.mark.usefixtures("connected")
def test_disconnect_keeps_the_deals_and_stops_the_sync(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    assert "Added" in say("/deal", "add Acme 12k", user="U2").text
    state = say("/salesbot", "crm", user="U1")
    button = next(e for b in state.json["blocks"] if b["type"] == "actions" for e in b["elements"])
    url = slack.response_url("/salesbot", user_id="U1", channel_id="C1")
    reply = driver.interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1", "team_id": "T1"},
            "channel": {"id": "C1"},
            "response_url": url,
            "trigger_id": "1.2.3",
            "actions": [{"action_id": button["action_id"], "value": button["value"]}],
        }
    )
    assert reply.status == 200
    said = slack.wait_for("response_url", lambda c: "disconnected from HubSpot" in str(c.params))
    assert said
    with sessions() as session:
        connection = session.scalars(select(CrmConnection)).one()
        assert connection.status == "disconnected" and connection.credentials is None
        team = session.get(SalesTeam, connection.team_id)
        assert team is not None and team.crm is None
    assert "Acme" in say("/deal", "list", user="U2").text
    assert "not connected" in say("/salesbot", "crm", user="U1").text
