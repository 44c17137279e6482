"""Salesbot into HubSpot, through the stand-in: a change in Slack to a synced deal is written
to HubSpot by the outbox (the reply does not wait for it), a deal added in Slack is created
there and linked, what came from HubSpot is never written back, an outage delivers the change
once after recovery, a revoked token pauses the sync and tells the managers once, and when
both sides changed a field the later change wins with both in the history."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.clock import FrozenClock
from bot.config import Settings
from bot.dev.driver import SlackDriver
from bot.dev.hubspot import DevHubSpot
from bot.dev.standin import DevSlack
from bot.domain.amounts import exact_number
from bot.slack.app import Salesbot, create_app
from models import CrmConnection, CrmRecord, Deal, DealEvent, OutboxMessage
from tests.e2e.conftest import Drain, Say
from tests.e2e.crm.conftest import open_connect_form, submit_connect_form
from tests.e2e.crm.test_import_exports import DATA
from tests.e2e.crm.test_inbound import run_due


@pytest.fixture
def synced(
    connected: None, hubspot: DevHubSpot, app: Salesbot, clock: FrozenClock, drain: Drain
) -> str:
    """Acme (bob's, 12k, Presentation Scheduled) in HubSpot, taken by the first poll as #1."""
    deal_id, _ = hubspot.create_deal(
        dealname="Acme",
        amount="12000",
        dealstage="presentationscheduled",
        hubspot_owner_id="101",
        closedate="2026-12-15T00:00:00.000Z",
    )
    run_due(app, clock, 1)
    drain()
    return deal_id


def patches(hubspot: DevHubSpot, deal_id: str) -> list[dict[str, object]]:
    return [
        dict(c.body["properties"])
        for c in hubspot.writes()
        if c.method == "PATCH" and c.path.endswith(f"/{deal_id}")
    ]


def test_a_stage_change_in_slack_appears_in_hubspot(
    synced: str,
    hubspot: DevHubSpot,
    say: Say,
    drain: Drain,
    server_url: str,
    sessions: sessionmaker[Session],
) -> None:
    reply = say("/deal", "#1 stage negotiation amount 15k", user="U2")
    assert "#1" in reply.text
    drain()
    assert patches(hubspot, synced) == [
        {"amount": "15000.00", "dealstage": "decisionmakerboughtin"}
    ]
    assert hubspot.deal(synced)["dealstage"] == "decisionmakerboughtin"
    assert hubspot.deal(synced)["amount"] == "15000.00"
    # HubSpot tells of that change by webhook, as it tells of every change: it is our own
    # write coming back, and changes nothing (no history line, nothing written again).
    events = [
        {
            "eventId": 990001,
            "subscriptionId": 7001,
            "portalId": hubspot.portal_id,
            "appId": 5001,
            "occurredAt": 1796000000000,
            "subscriptionType": "deal.propertyChange",
            "attemptNumber": 0,
            "objectId": int(synced),
            "propertyName": "dealstage",
            "propertyValue": "decisionmakerboughtin",
            "changeSource": "INTEGRATION",
        }
    ]
    assert hubspot.post_webhook(f"{server_url}/crm/hubspot/webhook", events)[0] == 200
    drain()
    assert len(patches(hubspot, synced)) == 1
    with sessions() as session:
        events_after = session.scalars(select(DealEvent).where(DealEvent.source.is_not(None)))
        # Only the first poll's import came from HubSpot.
        assert [e.action for e in events_after] == ["import"]


def test_a_deal_added_in_slack_is_created_in_hubspot_and_linked(
    connected: None,
    hubspot: DevHubSpot,
    say: Say,
    drain: Drain,
    sessions: sessionmaker[Session],
) -> None:
    assert "Added" in say("/deal", "add Beta 8k proposal close 2026-12-20", user="U3").text
    drain()
    [created] = [c for c in hubspot.writes() if c.method == "POST"]
    # Qualified To Buy (40%) and Presentation Scheduled (60%) both map to proposal (50%) by
    # default: the first of them in HubSpot's order is written.
    assert created.body["properties"] == {
        "dealname": "Beta",
        "amount": "8000.00",
        "dealstage": "qualifiedtobuy",
        "pipeline": "default",
        "closedate": "2026-12-20T00:00:00.000Z",
        "hubspot_owner_id": "102",
    }
    with sessions() as session:
        link = session.scalars(select(CrmRecord)).one()
        deal = session.get(Deal, link.deal_id)
        assert deal is not None and deal.customer == "Beta" and link.crm == "hubspot"
        assert hubspot.deal(link.record_id)["dealname"] == "Beta"
    # A stage of ours no HubSpot stage maps to is written as the nearest one, and a later
    # change writes an update, not a second deal.
    say("/deal", "#1 stage lead", user="U3")
    drain()
    assert [c.method for c in hubspot.writes()] == ["POST", "PATCH"]


def test_a_crm_outage_delivers_the_change_once_after_recovery(
    synced: str,
    hubspot: DevHubSpot,
    say: Say,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    hubspot.go_down()
    reply = say("/deal", "#1 amount 20k", user="U2")
    # The reply does not wait on HubSpot.
    assert reply.status == 200 and "20k" in reply.text
    app.runtime.sender.deliver_due()
    with sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.method == "crm.push")).one()
        assert row.status == "pending" and row.attempts == 1
    # Still down a little later: another attempt, still owed.
    clock.advance(timedelta(seconds=30))
    app.runtime.sender.deliver_due()
    hubspot.come_back()
    clock.advance(timedelta(minutes=5))
    app.runtime.sender.deliver_due()
    drain()
    assert patches(hubspot, synced) == [{"amount": "20000.00"}]
    assert hubspot.deal(synced)["amount"] == "20000.00"
    clock.advance(timedelta(minutes=30))
    app.runtime.sender.deliver_due()
    assert len(patches(hubspot, synced)) == 1


def test_a_429_is_retried_after_its_retry_after(
    synced: str,
    hubspot: DevHubSpot,
    say: Say,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
    drain: Drain,
) -> None:
    hubspot.rate_limit(1, retry_after=60)
    say("/deal", "#1 close 2027-01-31", user="U2")
    app.runtime.sender.deliver_due()
    with sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.method == "crm.push")).one()
        assert row.status == "pending" and row.next_attempt_at >= clock.now() + timedelta(
            seconds=60
        )
    clock.advance(timedelta(seconds=61))
    app.runtime.sender.deliver_due()
    drain()
    assert patches(hubspot, synced) == [{"closedate": "2027-01-31T00:00:00.000Z"}]


def test_a_revoked_token_pauses_the_sync_and_tells_managers_once(
    synced: str,
    hubspot: DevHubSpot,
    say: Say,
    slack: DevSlack,
    driver: SlackDriver,
    app: Salesbot,
    clock: FrozenClock,
    drain: Drain,
    sessions: sessionmaker[Session],
) -> None:
    hubspot.revoke()
    say("/deal", "#1 amount 21k", user="U2")
    app.runtime.sender.deliver_due()
    # The poll meets the same 401: the sync is paused once, whoever saw it first.
    run_due(app, clock, 5)
    say("/deal", "#1 amount 22k", user="U2")
    clock.advance(timedelta(minutes=6))
    app.runtime.sender.deliver_due()
    with sessions() as session:
        connection = session.scalars(select(CrmConnection)).one()
        assert connection.status == "paused" and connection.error == "unauthorized"
    told = slack.wait_for("chat.postMessage", lambda c: "refused the credentials" in str(c.params))
    app.runtime.sender.deliver_due()
    told = [
        c for c in slack.calls("chat.postMessage") if "refused the credentials" in str(c.params)
    ]
    # alice (U1) is the workspace's only manager: told once.
    assert [c.params["channel"] for c in told] == ["U1"]
    assert "paused" in say("/salesbot", "crm", user="U1").text
    assert patches(hubspot, synced) == []
    # Connected again with the new token: the change made meanwhile is written, once.
    view = open_connect_form(say, slack)
    assert submit_connect_form(driver, view, token=hubspot.token).status == 200
    slack.wait_for(
        "chat.postMessage", lambda c: "is connected to HubSpot" in str(c.params), count=2
    )
    clock.advance(timedelta(minutes=6))
    app.runtime.sender.deliver_due()
    drain()
    assert patches(hubspot, synced) == [{"amount": "22000.00"}]


def test_the_later_change_wins_and_history_keeps_both(
    synced: str,
    hubspot: DevHubSpot,
    say: Say,
    app: Salesbot,
    clock: FrozenClock,
    drain: Drain,
    server_url: str,
    sessions: sessionmaker[Session],
) -> None:
    url = f"{server_url}/crm/hubspot/webhook"
    # HubSpot is down while bob changes the amount in Slack; a minute later someone changes it
    # in HubSpot too: HubSpot's change is the later one and stands.
    hubspot.go_down()
    say("/deal", "#1 amount 13k", user="U2")
    app.runtime.sender.deliver_due()
    hubspot.come_back()
    clock.advance(timedelta(minutes=1))
    events = hubspot.update_deal(synced, amount="14000")
    assert hubspot.post_webhook(url, events)[0] == 200
    # The webhook's fetch and the push (its backoff over) are delivered in any order: the push
    # reads the record first, so HubSpot's later value is taken, not overwritten.
    app.runtime.sender.deliver_due()
    clock.advance(timedelta(minutes=10))
    app.runtime.sender.deliver_due()
    drain()
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert str(deal.amount) == "14000.00"
    assert patches(hubspot, synced) == []
    # Now the other way round: Slack's change is the later one; HubSpot's older value loses,
    # is recorded, and Slack's is written over it.
    clock.advance(timedelta(minutes=1))
    hubspot.go_down(1)
    events = hubspot.update_deal(synced, amount="16000")
    clock.advance(timedelta(minutes=1))
    say("/deal", "#1 amount 17k", user="U2")
    app.runtime.sender.deliver_due()
    assert hubspot.post_webhook(url, events)[0] == 200
    clock.advance(timedelta(minutes=10))
    app.runtime.sender.deliver_due()
    drain()
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert str(deal.amount) == "17000.00"
        overridden = session.scalars(
            select(DealEvent).where(DealEvent.action == "overridden")
        ).all()
        assert [(e.field, e.new_value, e.source) for e in overridden] == [
            ("amount", "16000.00", "hubspot")
        ]
    assert hubspot.deal(synced)["amount"] == "17000.00"
    shown = say("/deal", "show #1", user="U2").text
    # A history's amounts are exact, cents only when they have some.
    kept, before, after = (exact_number(Decimal(n)) for n in ("16000", "13000", "14000"))
    assert f"HubSpot had amount: {kept}; the later change made in Salesbot was kept" in shown
    assert f"via HubSpot · amount: {before} → {after}" in shown


def test_a_deal_imported_from_another_crm_is_created_in_hubspot_and_relinked(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    team: None,
    say: Say,
    slack: DevSlack,
    driver: SlackDriver,
    hubspot: DevHubSpot,
    drain: Drain,
    sessions: sessionmaker[Session],
) -> None:
    # Imported from a Salesforce export, then the team connects HubSpot: the deal's link names
    # a Salesforce record, which is no HubSpot record to update.
    for name in ("database_url", "slack_bot_token", "slack_signing_secret", "slack_api_url"):
        monkeypatch.setenv(name.upper(), str(getattr(settings, name)))
    path = str(DATA / "salesforce.csv")
    command = ["import", "deals", path, "--from", "salesforce", "--team", "C1"]
    assert main([*command, "--default-owner", "U2"]) == 0
    with sessions() as session:
        row = session.execute(
            select(Deal, CrmRecord.record_id)
            .join(CrmRecord, CrmRecord.deal_id == Deal.id)
            .where(Deal.closed_at.is_(None))
            .order_by(Deal.number)
        ).first()
        assert row is not None
        deal, record_id = row
    view = open_connect_form(say, slack)
    assert submit_connect_form(driver, view).status == 200
    slack.wait_for("chat.postMessage", lambda c: "is connected to HubSpot" in str(c.params))
    drain()
    before = set(hubspot.deals())
    say("/deal", f"#{deal.number} amount 15k", user="U1")
    drain()
    [created] = set(hubspot.deals()) - before
    assert hubspot.deal(created)["dealname"] == deal.customer
    assert hubspot.deal(created)["amount"] == "15000.00"
    assert not [c for c in hubspot.writes() if c.path.endswith(f"/{record_id}")]
    with sessions() as session:
        link = session.scalars(select(CrmRecord).where(CrmRecord.deal_id == deal.id)).one()
        assert (link.crm, link.record_id) == ("hubspot", created)


def test_two_workers_writing_one_new_deal_create_it_in_hubspot_once(
    connected: None,
    hubspot: DevHubSpot,
    app: Salesbot,
    settings: Settings,
    engine: Engine,
    clock: FrozenClock,
    say: Say,
    sessions: sessionmaker[Session],
) -> None:
    """Worker A creates a new deal in HubSpot, which is slow to answer; meanwhile the deal is
    changed again and worker B takes that second write. B must wait for A's create, then
    update the record A made, never create a second one."""
    app.runtime.sender.stop()  # the two workers below deliver
    other = create_app(settings, clock=clock, engine=engine, start_sender=False)
    try:
        assert "Added" in say("/deal", "add Beta 8k proposal", user="U3").text
        release = hubspot.hold("POST")
        first = threading.Thread(target=app.runtime.sender.deliver_due)
        first.start()
        hubspot_posts = lambda: [c for c in hubspot.writes() if c.method == "POST"]  # noqa: E731
        deadline = time.monotonic() + 10
        while not hubspot_posts() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert hubspot_posts(), "worker A is creating"
        assert "#1" in say("/deal", "#1 amount 9k", user="U3").text
        other.runtime.sender.deliver_due()  # worker B, while A waits for HubSpot's answer
        release.set()
        first.join(timeout=10)
        for _ in range(3):
            clock.advance(timedelta(minutes=1))
            other.runtime.sender.deliver_due()
        assert [c.method for c in hubspot.writes()] == ["POST", "PATCH"]
        [record] = hubspot.deals().values()
        assert record["amount"] == "9000.00"
        with sessions() as session:
            assert len(session.scalars(select(CrmRecord)).all()) == 1
            assert not session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.status == "pending")
            ).all()
    finally:
        other.listeners.shutdown(wait=True)
