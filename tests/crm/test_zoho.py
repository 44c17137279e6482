"""The Zoho CRM connector against its stand-in: the data centre's hosts, the access token
refreshed when it expires (and a revoked refresh token refused), stages with their kind,
owners and deals paged (past the 2,000 records a listing reaches), If-Modified-Since, writes
and their per-record errors, 429, and the notification's token."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.crm import zoho as zoho_module
from bot.crm.base import (
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
    WebhookRefused,
    WebhookRequest,
    Write,
)
from bot.crm.zoho import Zoho, hosts
from bot.dev.zoho import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ORG,
    DEFAULT_REFRESH_TOKEN,
    DevZoho,
)

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
CREDENTIALS = {
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
    "refresh_token": DEFAULT_REFRESH_TOKEN,
    "data_centre": "eu",
    "channel_id": "1000000068001",
    "webhook_token": "tok-123",
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def zoho(clock: FrozenClock) -> Iterator[DevZoho]:
    with DevZoho(clock=clock.now) as dev:
        dev.add_user("31", "bob@example.com", "Bob Rep")
        yield dev


def connect(zoho: DevZoho, **changed: str) -> Zoho:
    return Zoho(
        {**CREDENTIALS, **changed},
        api_url=zoho.api_url,
        accounts_url=zoho.accounts_url,
        timeout=5,
        patient=False,
        now=zoho.clock,
    )


def test_the_data_centre_chooses_the_hosts_unless_the_settings_were_changed() -> None:
    api, accounts = zoho_module.API_DEFAULT, zoho_module.ACCOUNTS_DEFAULT
    assert hosts("eu", api, accounts) == ("https://www.zohoapis.eu", "https://accounts.zoho.eu")
    assert hosts("com.cn", api, accounts)[1] == "https://accounts.zoho.com.cn"
    assert hosts("com", "http://127.0.0.1:9", "http://127.0.0.1:9/a") == (
        "http://127.0.0.1:9",
        "http://127.0.0.1:9/a",
    )
    with pytest.raises(Rejected):
        hosts("mars", api, accounts)


def test_an_expired_access_token_is_refreshed_once_and_kept(zoho: DevZoho) -> None:
    connector = connect(zoho)
    assert connector.account() == DEFAULT_ORG
    # Another connector of the same credentials uses the token already had.
    assert connect(zoho).account() == DEFAULT_ORG
    assert len(zoho.calls("POST", "/accounts/oauth/v2/token")) == 1
    zoho.expire_tokens()
    assert [o.email for o in connector.owners()] == ["bob@example.com"]
    assert len(zoho.calls("POST", "/accounts/oauth/v2/token")) == 2
    assert [c.status for c in zoho.calls("GET", "/crm/v2/users")] == [401, 200]


def test_a_revoked_refresh_token_or_a_wrong_secret_is_unauthorized(zoho: DevZoho) -> None:
    zoho.revoke()
    with pytest.raises(Unauthorized):
        connect(zoho).account()
    with pytest.raises(Unauthorized):
        connect(zoho, client_secret="wrong", refresh_token="other").account()


def test_stages_have_their_kind_and_probability(zoho: DevZoho) -> None:
    stages = {s.remote_id: s for s in connect(zoho).stages()}
    assert stages["Closed Won"].kind == "won"
    assert stages["Closed Lost to Competition"].kind == "lost"
    assert stages["Negotiation/Review"].kind == "open"
    assert stages["Negotiation/Review"].probability == Decimal("0.9")


def test_changes_are_paged_past_the_listing_cap_and_304_is_nothing(
    zoho: DevZoho, clock: FrozenClock
) -> None:
    for n in range(2_050):
        if n % 500 == 0:
            clock.advance(timedelta(seconds=1))
        zoho.create_deal(Deal_Name=f"D{n}", Stage="Qualification", Closing_Date="2026-12-01")
    connector = connect(zoho)
    pages = list(connector.changes_since(None))
    names = {d.name for page in pages for d in page.deals}
    assert len(names) == 2_050
    cursor = pages[-1].cursor
    assert cursor is not None
    assert int(cursor) == int(clock.now().timestamp() * 1000)
    # Nothing changed since (less the overlap that is read again): 304, one empty page.
    clock.advance(timedelta(minutes=10))
    later = str(int(clock.now().timestamp() * 1000))
    assert [p.deals for p in connector.changes_since(later)] == [()]
    assert zoho.calls("GET", "/crm/v2/Deals")[-1].status == 304


def test_more_deals_than_a_listing_changed_at_one_instant_stop_instead_of_looping(
    zoho: DevZoho, clock: FrozenClock
) -> None:
    clock.advance(timedelta(seconds=1))
    for n in range(2_050):
        zoho.create_deal(Deal_Name=f"D{n}", Stage="Qualification", Closing_Date="2026-12-01")
    connector = connect(zoho)
    pages = []
    with pytest.raises(Unavailable, match="over 2000 deals changed"):
        # Bounded, so a listing that goes round forever fails here instead of hanging.
        for page in itertools.islice(connector.changes_since(None), 40):
            pages.append(page)
    # The first listing's pages and the one again from that instant, no more; the cursor
    # stays at that instant.
    assert len(pages) == 20
    assert {p.cursor for p in pages} == {str(int(clock.now().timestamp() * 1000))}


def test_writes_and_their_errors(zoho: DevZoho) -> None:
    connector = connect(zoho)
    write = Write(
        name="Acme",
        amount=Decimal("12000.50"),
        stage_id="Qualification",
        close_date=date(2026, 12, 15),
        owner_id="31",
        next_step="call",
    )
    record_id = connector.write(None, write)
    [deal] = connector.fetch([record_id, "404"])
    assert (deal.name, deal.amount, deal.owner_id, deal.next_step) == (
        "Acme",
        Decimal("12000.5"),
        "31",
        "call",
    )
    assert connector.find_created(Write(name="Acme"), NOW - timedelta(minutes=5)) == record_id
    connector.write(record_id, Write(next_step=""))
    assert zoho.deal(record_id)["Next_Step"] is None
    with pytest.raises(Rejected) as refused:
        connector.write(None, Write(name="No date", stage_id="Qualification"))
    assert refused.value.said == "MANDATORY_NOT_FOUND"
    with pytest.raises(Rejected):
        connector.write(record_id, Write(stage_id="Nope"))


def test_a_429_is_rate_limited_with_its_retry_after(zoho: DevZoho) -> None:
    connector = connect(zoho)
    connector.account()
    zoho.rate_limit(1, retry_after=30)
    with pytest.raises(RateLimited) as limited:
        connector.owners()
    assert limited.value.retry_after == 30


def test_a_notification_is_checked_by_its_token_then_read(zoho: DevZoho) -> None:
    connector = connect(zoho)
    url = "https://salesbot.example.com/crm/zoho/webhook"

    def request(query: str) -> WebhookRequest:
        return WebhookRequest("POST", url + query, {}, b"{}")

    connector.verify_webhook(request("?token=tok-123"), NOW)
    for query, reason in (("", "unsigned"), ("?token=tok-124", "signature")):
        with pytest.raises(WebhookRefused) as refused:
            connector.verify_webhook(request(query), NOW)
        assert refused.value.reason == reason
    body = {
        "server_time": 1796000000000,
        "module": "Deals",
        "ids": ["4150868000000001", "4150868000000002"],
        "operation": "update",
        "channel_id": "1000000068001",
        "token": "tok-123",
    }
    events = connector.parse_webhook(json.dumps(body).encode())
    assert [e.record_id for e in events] == ["4150868000000001", "4150868000000002"]
    assert len({e.event_id for e in events}) == 2
    assert connector.parse_webhook(json.dumps({**body, "operation": "delete"}).encode()) == []
    for forged in ({**body, "token": "x"}, {**body, "channel_id": "1"}, {**body, "ids": "1"}):
        with pytest.raises(WebhookRefused):
            connector.parse_webhook(json.dumps(forged).encode())


def test_an_amount_goes_to_zoho_and_back_exactly(zoho: DevZoho) -> None:
    # More digits than a float holds: 12345678901234567.89 as a float is ...568.
    amount = Decimal("12345678901234567.89")
    connector = connect(zoho)
    record_id = connector.write(
        None,
        Write(name="Big", amount=amount, stage_id="Qualification", close_date=date(2026, 12, 1)),
    )
    [sent] = [c for c in zoho.writes() if c.method == "POST"]
    assert sent.body["data"][0]["Amount"] == amount
    assert zoho.deal(record_id)["Amount"] == amount
    [deal] = connector.fetch([record_id])
    assert deal.amount == amount


def test_invalid_oauthtoken_is_refreshed_like_invalid_token(zoho: DevZoho) -> None:
    connector = connect(zoho)
    assert connector.account() == DEFAULT_ORG
    zoho.expire_tokens(code="INVALID_OAUTHTOKEN")
    assert connector.account() == DEFAULT_ORG
    assert len(zoho.calls("POST", "/accounts/oauth/v2/token")) == 2
    assert [c.status for c in zoho.calls("GET", "/crm/v2/org")] == [200, 401, 200]


def test_a_throttled_refresh_is_rate_limited_not_unauthorized(zoho: DevZoho) -> None:
    connector = connect(zoho)
    assert connector.account() == DEFAULT_ORG
    zoho.expire_tokens()
    zoho.throttle_tokens()
    with pytest.raises(RateLimited) as limited:
        connector.account()
    assert limited.value.retry_after == 60.0
    assert "too many requests" in str(limited.value).lower()
    # Once Zoho lets it refresh again, the sync goes on.
    assert connector.account() == DEFAULT_ORG


def test_calls_racing_an_expired_token_refresh_it_once(zoho: DevZoho) -> None:
    assert connect(zoho).account() == DEFAULT_ORG
    zoho.expire_tokens()
    # While one refresh is under way, the other call's 401 waits for its token.
    zoho.slow_tokens(0.3)
    start = threading.Barrier(3)
    answers: list[str] = []

    def one() -> None:
        connector = connect(zoho)
        start.wait()
        answers.append(connector.account())

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert answers == [DEFAULT_ORG] * 3
    assert len(zoho.calls("POST", "/accounts/oauth/v2/token")) == 2
