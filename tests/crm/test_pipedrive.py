"""The Pipedrive connector against its stand-in: account, stages (won and lost are statuses),
owners, deals changed since a cursor in pages, writes, errors, webhooks' basic auth."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.crm.base import RateLimited, Unauthorized, WebhookRefused, WebhookRequest, Write
from bot.crm.pipedrive import Pipedrive
from bot.dev.pipedrive import DEFAULT_DOMAIN, DEFAULT_TOKEN, DevPipedrive

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
CREDENTIALS = {
    "api_token": DEFAULT_TOKEN,
    "company_domain": DEFAULT_DOMAIN,
    "webhook_user": "salesbot-1",
    "webhook_password": "pw-123",
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def pipedrive(clock: FrozenClock) -> Iterator[DevPipedrive]:
    with DevPipedrive(clock=clock.now) as dev:
        dev.add_user(11, "bob@example.com", "Bob Rep")
        yield dev


def connect(pipedrive: DevPipedrive, **changed: str) -> Pipedrive:
    return Pipedrive(
        {**CREDENTIALS, **changed},
        base_url=pipedrive.api_url,
        timeout=5,
        patient=False,
        now=pipedrive.clock,
    )


def test_account_stages_owners(pipedrive: DevPipedrive) -> None:
    crm = connect(pipedrive)
    assert crm.account() == DEFAULT_DOMAIN
    with pytest.raises(Unauthorized):
        connect(pipedrive, company_domain="other").account()
    with pytest.raises(Unauthorized):
        connect(pipedrive, api_token="wrong").account()
    stages = crm.stages()
    assert [s.remote_id for s in stages] == ["1", "2", "3", "4", "won", "lost"]
    assert stages[0].probability == Decimal("0.2") and stages[-2].kind == "won"
    assert [(o.remote_id, o.email) for o in crm.owners()] == [("11", "bob@example.com")]


def test_changes_since_in_pages_and_writes(pipedrive: DevPipedrive, clock: FrozenClock) -> None:
    for n in range(130):
        clock.advance(timedelta(seconds=1))
        pipedrive.create_deal(title=f"Deal {n}", value=n, owner_id=11)
    crm = connect(pipedrive)
    pages = list(crm.changes_since(None))
    assert [len(p.deals) for p in pages] == [100, 30]
    cursor = pages[-1].cursor
    assert cursor == str(int((NOW + timedelta(seconds=130)).timestamp() * 1000))
    clock.advance(timedelta(minutes=10))
    won = crm.write("501", Write(stage_id="won", amount=Decimal("99.50")))
    assert won == "501" and pipedrive.deal(501)["status"] == "won"
    again = [d for p in crm.changes_since(cursor) for d in p.deals]
    # The last change first seen, and those of the two minutes before the cursor again.
    assert again[-1].record_id == "501" and again[-1].stage_id == "won"
    assert all(d.modified_at >= NOW + timedelta(seconds=130 - 120) for d in again)
    assert "502" not in {d.record_id for d in again}
    created = crm.write(None, Write(name="New", amount=Decimal(5), stage_id="3", owner_id="11"))
    assert pipedrive.deal(int(created))["stage_id"] == 3
    [fetched] = crm.fetch([created, "999"])
    assert fetched.name == "New" and fetched.owner_id == "11"


def test_a_429_says_when_to_come_back(pipedrive: DevPipedrive) -> None:
    pipedrive.rate_limit(1, reset=7)
    with pytest.raises(RateLimited) as limited:
        connect(pipedrive).account()
    assert limited.value.retry_after == 7


def test_webhooks_carry_the_basic_auth_salesbot_made(pipedrive: DevPipedrive) -> None:
    crm = connect(pipedrive)
    _id, event = pipedrive.create_deal(title="Acme", owner_id=11)
    body = json.dumps(event).encode()

    def request(user: str, password: str) -> WebhookRequest:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return WebhookRequest(
            "POST", "https://x/crm/pipedrive/webhook", {"authorization": f"Basic {token}"}, body
        )

    crm.verify_webhook(request("salesbot-1", "pw-123"), NOW)
    for wrong in (request("salesbot-1", "nope"), request("other", "pw-123")):
        with pytest.raises(WebhookRefused):
            crm.verify_webhook(wrong, NOW)
    with pytest.raises(WebhookRefused):
        crm.verify_webhook(WebhookRequest("POST", "https://x", {}, body), NOW)
    [parsed] = crm.parse_webhook(body)
    assert parsed.record_id == str(event["data"]["id"])


def test_an_amount_goes_to_pipedrive_and_back_exactly(pipedrive: DevPipedrive) -> None:
    # More digits than a float holds: 12345678901234567.89 as a float is ...568.
    amount = Decimal("12345678901234567.89")
    crm = connect(pipedrive)
    created = crm.write(None, Write(name="Big", amount=amount, stage_id="3", owner_id="11"))
    assert pipedrive.deal(int(created))["value"] == amount
    [fetched] = crm.fetch([created])
    assert fetched.amount == amount
