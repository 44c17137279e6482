"""The HubSpot connector against the local stand-in: the requests it makes, the answers it
reads, HubSpot's errors as CrmErrors, and webhook signatures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.crm.base import (
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
    WebhookRefused,
    WebhookRequest,
    Write,
)
from bot.crm.hubspot import HubSpot, signature
from bot.dev.hubspot import DEFAULT_SECRET, DEFAULT_TOKEN, DevHubSpot

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
URL = "https://salesbot.example.com/crm/hubspot/webhook"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def hubspot(clock: FrozenClock) -> Iterator[DevHubSpot]:
    with DevHubSpot(clock=clock.now) as dev:
        dev.add_owner("101", "bob@example.com", "Bob", "Rep")
        yield dev


def connect(hubspot: DevHubSpot, token: str = DEFAULT_TOKEN) -> HubSpot:
    credentials = {"token": token, "client_secret": DEFAULT_SECRET}
    return HubSpot(
        credentials, base_url=hubspot.api_url, timeout=5, patient=False, now=hubspot.clock
    )


def test_reads_the_account_stages_and_owners(hubspot: DevHubSpot) -> None:
    for n in range(150):
        hubspot.add_owner(str(200 + n), f"rep{n}@example.com")
    crm = connect(hubspot)
    assert crm.account() == str(hubspot.portal_id)
    stages = crm.stages()
    assert [s.remote_id for s in stages][:2] == ["appointmentscheduled", "qualifiedtobuy"]
    kinds = {s.remote_id: s.kind for s in stages}
    assert kinds["closedwon"] == "won" and kinds["closedlost"] == "lost"
    assert kinds["contractsent"] == "open"
    owners = crm.owners()
    # 151 owners come in two pages of 100.
    assert len(owners) == 151 and len(hubspot.calls("GET", "/crm/v3/owners")) == 2
    assert owners[0].email == "bob@example.com" and owners[0].name == "Bob Rep"


def test_changes_since_pages_in_order_and_moves_the_cursor(
    hubspot: DevHubSpot, clock: FrozenClock
) -> None:
    made = []
    for n in range(230):
        clock.advance(timedelta(seconds=1))
        made.append(hubspot.create_deal(dealname=f"Deal {n}", amount=str(n * 100))[0])
    crm = connect(hubspot)
    pages = list(crm.changes_since(None))
    assert [len(p.deals) for p in pages] == [100, 100, 30]
    assert [d.record_id for p in pages for d in p.deals] == made
    last = pages[-1].cursor
    assert last == str(int((NOW + timedelta(seconds=230)).timestamp() * 1000))
    # Only what changed since (with the two minutes of overlap search needs).
    clock.advance(timedelta(minutes=10))
    hubspot.update_deal(made[5], amount="999")
    again = [d for p in crm.changes_since(last) for d in p.deals]
    assert [d.record_id for d in again if d.record_id == made[5]] == [made[5]]
    assert all(d.modified_at >= NOW + timedelta(seconds=230 - 120) for d in again)


def test_fetch_reads_when_each_field_changed(hubspot: DevHubSpot, clock: FrozenClock) -> None:
    deal_id, _ = hubspot.create_deal(
        dealname="Acme", amount="12000", closedate="2026-12-15T00:00:00.000Z"
    )
    clock.advance(timedelta(hours=1))
    hubspot.update_deal(deal_id, dealstage="closedwon", hubspot_owner_id="101")
    [deal] = connect(hubspot).fetch([deal_id, "404"])
    assert deal.name == "Acme" and deal.amount == Decimal("12000")
    assert deal.close_date == date(2026, 12, 15) and deal.owner_id == "101"
    assert deal.stage_id == "closedwon" and deal.pipeline_id == "default"
    assert deal.changed_at["stage"] == NOW + timedelta(hours=1)
    assert deal.changed_at["amount"] == NOW


def test_writes_create_and_update(hubspot: DevHubSpot) -> None:
    crm = connect(hubspot)
    created = crm.write(None, Write(name="Beta", amount=Decimal("5000.00"), stage_id="closedwon"))
    assert hubspot.deal(created)["dealname"] == "Beta"
    assert hubspot.deal(created)["amount"] == "5000.00"
    crm.write(created, Write(close_date=date(2027, 1, 31), owner_id="101"))
    assert hubspot.deal(created)["closedate"] == "2027-01-31T00:00:00.000Z"
    assert hubspot.deal(created)["hubspot_owner_id"] == "101"
    with pytest.raises(Rejected, match="VALIDATION_ERROR"):
        crm.write(created, Write(stage_id="no-such-stage"))


def test_hubspot_errors_become_crm_errors(hubspot: DevHubSpot) -> None:
    with pytest.raises(Unauthorized, match="INVALID_AUTHENTICATION"):
        connect(hubspot, token="wrong").account()
    hubspot.rate_limit(1, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        connect(hubspot).account()
    assert limited.value.retry_after == 7
    hubspot.go_down(1)
    with pytest.raises(Unavailable):
        connect(hubspot).account()
    assert connect(hubspot).account() == str(hubspot.portal_id)


def test_a_patient_connector_waits_out_a_short_retry_after(hubspot: DevHubSpot) -> None:
    hubspot.rate_limit(1, retry_after=0)
    credentials = {"token": DEFAULT_TOKEN, "client_secret": DEFAULT_SECRET}
    crm = HubSpot(credentials, base_url=hubspot.api_url, timeout=5, patient=True, now=hubspot.clock)
    assert crm.account() == str(hubspot.portal_id)


def webhook(hubspot: DevHubSpot, body: bytes, **kwargs: object) -> WebhookRequest:
    headers = hubspot.signed_headers(URL, body, **kwargs)  # type: ignore[arg-type]
    return WebhookRequest("POST", URL, {k.lower(): v for k, v in headers.items()}, body)


def test_webhook_signature_v3(hubspot: DevHubSpot) -> None:
    # The signature's window is about when the request was sent: the wall clock.
    now = datetime.now(UTC)
    crm = connect(hubspot)
    _, events = hubspot.create_deal(dealname="Acme")
    body = json.dumps(events).encode()
    crm.verify_webhook(webhook(hubspot, body), now)
    parsed = crm.parse_webhook(body)
    assert {e.record_id for e in parsed} == {str(events[0]["objectId"])}
    assert len({e.event_id for e in parsed}) == len(events)
    # HubSpot signs the URI with some characters decoded (%3A as a colon, ...).
    expected = signature("secret", "POST", "https://x.test/a%3Ab", b"[]", "1")
    assert expected == signature("secret", "POST", "https://x.test/a:b", b"[]", "1")
    cases = {
        "signature": webhook(hubspot, body, secret="someone-else"),
        "stale": webhook(
            hubspot, body, timestamp=int((now - timedelta(minutes=6)).timestamp() * 1000)
        ),
        "unsigned": WebhookRequest("POST", URL, {}, body),
    }
    for reason, request in cases.items():
        with pytest.raises(WebhookRefused) as refused:
            crm.verify_webhook(request, now)
        assert refused.value.reason == reason
    tampered = webhook(hubspot, body)
    with pytest.raises(WebhookRefused):
        crm.verify_webhook(WebhookRequest("POST", URL, tampered.headers, body + b" "), now)
    with pytest.raises(WebhookRefused):
        crm.parse_webhook(b'{"not": "a list"}')
