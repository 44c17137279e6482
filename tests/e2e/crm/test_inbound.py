"""HubSpot into Salesbot, through the stand-in: the first poll takes the portal's deals
quietly; then a deal won in HubSpot and told by webhook is announced once and counted, exactly
as `/deal won`; the same win again by a retried webhook and by the poll changes nothing; a
forged or stale webhook is refused with nothing written; webhooks and polls racing on several
workers announce it once."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.hubspot import DevHubSpot
from bot.dev.standin import DevSlack
from bot.jobs.due import run_scheduled
from bot.slack.app import Salesbot
from bot.sync.poll import poll
from models import CrmConnection, CrmProblem, CrmRecord, CrmWebhookEvent, Deal, DealEvent
from tests.e2e.conftest import Drain, Say


def win_posts(slack: DevSlack, customer: str) -> list[str]:
    return [
        str(c.params)
        for c in slack.calls("chat.postMessage")
        if c.params.get("channel") == "C1"
        and ":trophy:" in str(c.params)
        and customer in str(c.params)
    ]


def run_due(app: Salesbot, clock: FrozenClock, minutes: int) -> None:
    """`salesbot run-due` a number of minutes on (each five more is another poll)."""
    clock.advance(timedelta(minutes=minutes))
    run_scheduled(app.runtime, now=clock.now())


@pytest.fixture
def backfilled(
    connected: None,
    hubspot: DevHubSpot,
    app: Salesbot,
    clock: FrozenClock,
    drain: Drain,
) -> dict[str, str]:
    """The portal had three deals before it was connected; the first poll took them."""
    ids = {
        "acme": hubspot.create_deal(
            dealname="Acme",
            amount="12000",
            dealstage="presentationscheduled",
            hubspot_owner_id="101",
            closedate="2026-12-15T00:00:00.000Z",
        )[0],
        "old_win": hubspot.create_deal(
            dealname="Old Win",
            amount="30000",
            dealstage="closedwon",
            hubspot_owner_id="102",
            closedate="2026-11-02T00:00:00.000Z",
        )[0],
        "stranger": hubspot.create_deal(
            dealname="Not ours",
            amount="5000",
            hubspot_owner_id="103",
        )[0],
    }
    run_due(app, clock, 1)
    drain()
    return ids


def test_the_first_poll_takes_the_portals_deals_quietly(
    backfilled: dict[str, str],
    say: Say,
    slack: DevSlack,
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        deals = {d.customer: d for d in session.scalars(select(Deal))}
        assert set(deals) == {"Acme", "Old Win"}
        acme = deals["Acme"]
        assert (acme.amount, acme.currency, acme.stage) == (Decimal("12000.00"), "CNY", "proposal")
        assert acme.close_date is not None and acme.close_date.isoformat() == "2026-12-15"
        assert deals["Old Win"].stage == "won" and deals["Old Win"].closed_at is not None
        links = {r.record_id: r.deal_id for r in session.scalars(select(CrmRecord))}
        assert links == {backfilled["acme"]: acme.id, backfilled["old_win"]: deals["Old Win"].id}
        problems = [p.key for p in session.scalars(select(CrmProblem))]
        assert problems == ["owner:103"]
    # Nothing was announced: these deals were in HubSpot before.
    assert win_posts(slack, "Old Win") == []
    state = say("/salesbot", "crm", user="U1").text
    assert "2 deals synced" in state and "1 error waiting" in state
    assert "stranger@elsewhere.example" in state
    shown = say("/deal", "show #1", user="U2").text
    assert "via HubSpot" in shown and "imported the deal" in shown


def test_a_win_in_hubspot_is_announced_once_and_counted(
    backfilled: dict[str, str],
    hubspot: DevHubSpot,
    server_url: str,
    say: Say,
    slack: DevSlack,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    say("/target", "set <@U2|bob> 50k", user="U1")
    clock.advance(timedelta(minutes=1))
    events = hubspot.update_deal(backfilled["acme"], dealstage="closedwon")
    url = f"{server_url}/crm/hubspot/webhook"
    status, _body = hubspot.post_webhook(url, events)
    assert status == 200
    drain()
    drain()
    [post] = win_posts(slack, "Acme")
    # 12k of bob's 50k: 24.0%.
    assert "<@U2>" in post
    assert "24.0%" in str(
        [c.params for c in slack.calls("chat.postMessage") if "Acme" in str(c.params)]
    )
    assert "24.0%" in say("/target", "", user="U2").text
    with sessions() as session:
        deal = session.scalars(select(Deal).where(Deal.customer == "Acme")).one()
        assert deal.stage == "won" and deal.closed_at == clock.now()
        sources = {
            e.field: e.source
            for e in session.scalars(select(DealEvent).where(DealEvent.deal_id == deal.id))
        }
        assert sources["stage"] == "hubspot"
    assert "via HubSpot" in say("/deal", "show #1", user="U2").text
    # The same webhook again (HubSpot retries what it thinks was lost), then the poll: nothing.
    assert hubspot.post_webhook(url, events)[0] == 200
    run_due(app, clock, 5)
    run_due(app, clock, 5)
    drain()
    assert len(win_posts(slack, "Acme")) == 1
    # Nothing was written back to HubSpot for a change that came from it.
    assert hubspot.writes() == []


def test_the_poll_alone_catches_a_missed_webhook(
    backfilled: dict[str, str],
    hubspot: DevHubSpot,
    server_url: str,
    slack: DevSlack,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
) -> None:
    clock.advance(timedelta(minutes=1))
    events = hubspot.update_deal(backfilled["acme"], dealstage="closedwon", amount="15000")
    run_due(app, clock, 5)
    drain()
    [post] = win_posts(slack, "Acme")
    assert "15k" in post
    # The webhook comes late: it changes nothing.
    assert hubspot.post_webhook(f"{server_url}/crm/hubspot/webhook", events)[0] == 200
    drain()
    assert len(win_posts(slack, "Acme")) == 1


def rows(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            table: int(session.scalar(text(f"SELECT COUNT(*) FROM {table}")) or 0)
            for table in (
                "deal",
                "deal_event",
                "crm_webhook_event",
                "outbox_message",
                "crm_problem",
            )
        }


def test_a_forged_or_stale_webhook_is_refused_and_writes_nothing(
    backfilled: dict[str, str],
    hubspot: DevHubSpot,
    server_url: str,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"{server_url}/crm/hubspot/webhook"
    events = hubspot.update_deal(backfilled["acme"], dealstage="closedwon")
    before = rows(sessions)
    stale = int((time.time() - 6 * 60) * 1000)
    cases: dict[str, dict[str, Any]] = {
        "signature": {"secret": "forged-secret"},
        "stale": {"timestamp": stale},
        "unsigned": {"headers": {"Content-Type": "application/json"}},
    }
    caplog.set_level("INFO")
    for reason, kwargs in cases.items():
        status, body = hubspot.post_webhook(url, events, **kwargs)
        assert status == 401, (reason, body)
        assert f"reason={reason}" in caplog.text
    # A forged body under a genuine signature of another body.
    genuine = json.dumps(events).encode()
    headers = hubspot.signed_headers(url, genuine)
    forged = [{**events[0], "objectId": 1}]
    assert hubspot.post_webhook(url, forged, headers=headers)[0] == 401
    assert rows(sessions) == before
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CrmWebhookEvent)) == 0
        acme = session.scalars(select(Deal).where(Deal.customer == "Acme")).one()
        assert acme.stage == "proposal"


@pytest.mark.parametrize("round_", range(3))
def test_webhooks_and_polls_racing_announce_a_win_once(
    backfilled: dict[str, str],
    hubspot: DevHubSpot,
    server_url: str,
    slack: DevSlack,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
    round_: int,
) -> None:
    """Two webhook deliveries (HubSpot's retry) and two polls on their own threads, each with
    its own database connection, at the same moment."""
    clock.advance(timedelta(minutes=1))
    events = hubspot.update_deal(backfilled["acme"], dealstage="closedwon")
    url = f"{server_url}/crm/hubspot/webhook"
    with sessions() as session:
        connection_id = session.scalars(select(CrmConnection.id)).one()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def webhook() -> None:
        barrier.wait()
        assert hubspot.post_webhook(url, events)[0] == 200

    def polling() -> None:
        barrier.wait()
        poll(app.runtime, connection_id, now=clock.now())

    def run(action: Any) -> None:
        try:
            action()
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(a,)) for a in (webhook, webhook, polling, polling)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    drain()
    drain()
    assert len(win_posts(slack, "Acme")) == 1
    with sessions() as session:
        won = session.scalars(
            select(DealEvent).where(DealEvent.field == "stage", DealEvent.new_value == "won")
        ).all()
        assert len(won) == 1


def test_a_deal_created_won_in_hubspot_is_announced_once(
    backfilled: dict[str, str],
    hubspot: DevHubSpot,
    server_url: str,
    slack: DevSlack,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    """A deal HubSpot had not had when the team connected, created already won: announced
    (it is new), by the webhook or the poll, whichever comes first, once."""
    clock.advance(timedelta(minutes=1))
    _id, events = hubspot.create_deal(
        dealname="Umbrella", amount="8000", dealstage="closedwon", hubspot_owner_id="102"
    )
    url = f"{server_url}/crm/hubspot/webhook"
    run_due(app, clock, 5)
    assert hubspot.post_webhook(url, events)[0] == 200
    drain()
    drain()
    [post] = win_posts(slack, "Umbrella")
    assert "<@U3>" in post
    with sessions() as session:
        assert len(session.scalars(select(Deal).where(Deal.customer == "Umbrella")).all()) == 1
