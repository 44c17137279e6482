"""Zoho CRM through its stand-in: connected with a self client's refresh token and the data
centre through the form; the first poll takes its deals quietly and registers the watch
channel; a win in Zoho told by notification is announced once and counted, and the same again
by notification and by the poll changes nothing; a forged notification is refused with nothing
written; an access token that expires mid-sync is refreshed and nothing is lost; a `/deal`
stage change and a deal added in Slack are written to Zoho; an outage delivers the change once
after recovery; a revoked refresh token pauses the sync and tells the managers once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.clock import FrozenClock
from bot.config import Settings
from bot.crm.secrets import Vault
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.dev.zoho import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ORG,
    DEFAULT_REFRESH_TOKEN,
    DevZoho,
    post,
)
from bot.slack.app import Salesbot
from models import CrmConnection, CrmProblem, CrmRecord, Deal, DealEvent, OutboxMessage
from tests.e2e.conftest import Drain, Say
from tests.e2e.crm.conftest import SECRET_KEY, open_connect_form, submit_connect_form
from tests.e2e.crm.test_import_exports import DATA
from tests.e2e.crm.test_inbound import run_due, win_posts

FIELDS = {
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
    "refresh_token": DEFAULT_REFRESH_TOKEN,
    "data_centre": "com",
}


def connect_zoho(
    say: Say, slack: DevSlack, driver: SlackDriver, drain: Drain | None, count: int = 1
) -> str:
    """#sales connected to Zoho through the form by alice: the DM it answered."""
    view = open_connect_form(say, slack, crm="zoho")
    assert {b.get("block_id") for b in view["blocks"]} >= set(FIELDS)
    assert submit_connect_form(driver, view, fields=FIELDS).status == 200
    told = slack.wait_for(
        "chat.postMessage", lambda c: "is connected to Zoho CRM" in str(c.params), count=count
    )
    if drain is not None:
        drain()
    return str(told[-1].params)


@pytest.fixture
def zoho_connected(
    team: None,
    say: Say,
    slack: DevSlack,
    driver: SlackDriver,
    drain: Drain,
    app: Salesbot,
    server_url: str,
) -> str:
    """#sales connected to Zoho, Salesbot reachable at its test server (SALESBOT_PUBLIC_URL)."""
    app.runtime.settings.salesbot_public_url = server_url
    return connect_zoho(say, slack, driver, drain)


@pytest.fixture
def synced(
    zoho_connected: str, zoho: DevZoho, app: Salesbot, clock: FrozenClock, drain: Drain
) -> str:
    """Initech (bob's, 20k, Value Proposition) in Zoho, taken by the first poll as #1."""
    deal_id = zoho.create_deal(
        Deal_Name="Initech",
        Amount=20000,
        Stage="Value Proposition",
        Closing_Date="2026-12-15",
        Owner={"id": "31"},
    )
    run_due(app, clock, 1)
    drain()
    return deal_id


def puts(zoho: DevZoho, deal_id: str) -> list[dict[str, object]]:
    return [
        {k: v for k, v in record.items() if k != "id"}
        for c in zoho.writes()
        if c.method == "PUT"
        for record in c.body["data"]
        if record["id"] == deal_id
    ]


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            table: int(session.scalar(text(f"SELECT COUNT(*) FROM {table}")) or 0)
            for table in ("deal_event", "crm_webhook_event", "outbox_message")
        }


def test_connect_first_poll_and_a_win_by_notification_once(
    synced: str,
    zoho_connected: str,
    zoho: DevZoho,
    server_url: str,
    say: Say,
    slack: DevSlack,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    assert f"{server_url}/crm/zoho/webhook" in zoho_connected
    with sessions() as session:
        connection = session.scalars(select(CrmConnection)).one()
        assert connection.account_id == DEFAULT_ORG and connection.credentials is not None
        opened = Vault(SECRET_KEY).open(connection.credentials)
        assert opened["refresh_token"] == DEFAULT_REFRESH_TOKEN
        assert DEFAULT_REFRESH_TOKEN not in connection.credentials
        assert DEFAULT_CLIENT_SECRET not in connection.credentials
        # The first poll registered the watch channel, for a day.
        assert connection.watch_expires_at == clock.now() + timedelta(days=1)
        deal = session.scalars(select(Deal)).one()
        assert (deal.customer, deal.stage, str(deal.amount)) == ("Initech", "proposal", "20000.00")
    [watch] = zoho.watches.values()
    assert watch["events"] == ["Deals.all"]
    assert watch["notify_url"] == f"{server_url}/crm/zoho/webhook?token={opened['webhook_token']}"
    assert watch["token"] == opened["webhook_token"]
    # The token never reaches the DM.
    assert opened["webhook_token"] not in zoho_connected
    say("/target", "set <@U2|bob> 100k", user="U1")
    clock.advance(timedelta(minutes=1))
    zoho.update_deal(synced, Stage="Closed Won")
    url, body = zoho.notification(synced)
    # Forged: no token, a wrong one in the URL, the right URL with another body token.
    before = counts(sessions)
    webhook = f"{server_url}/crm/zoho/webhook"
    assert post(webhook, body)[0] == 401
    assert post(f"{webhook}?token=guess", body)[0] == 401
    assert post(url, {**body, "token": "guess"})[0] == 400
    assert counts(sessions) == before
    assert zoho.notify(synced)[0] == 200
    drain()
    drain()
    [announced] = win_posts(slack, "Initech")
    assert "<@U2>" in announced and "20.0%" in announced
    # The same notification again, then the poll: nothing more.
    assert zoho.notify(synced)[0] == 200
    run_due(app, clock, 5)
    drain()
    assert len(win_posts(slack, "Initech")) == 1
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert deal.stage == "won" and deal.closed_at is not None
        sources = [
            e.source for e in session.scalars(select(DealEvent).where(DealEvent.field == "stage"))
        ]
        assert sources == ["zoho"]
    assert "via Zoho CRM" in say("/deal", "show #1", user="U2").text
    # No echo: what came from Zoho is not written back.
    assert zoho.writes() == []


def test_a_win_by_poll_alone_then_the_notification_changes_nothing(
    synced: str,
    zoho: DevZoho,
    slack: DevSlack,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
) -> None:
    clock.advance(timedelta(minutes=1))
    zoho.update_deal(synced, Stage="Closed Won")
    run_due(app, clock, 5)
    drain()
    assert len(win_posts(slack, "Initech")) == 1
    assert zoho.notify(synced)[0] == 200
    drain()
    drain()
    assert len(win_posts(slack, "Initech")) == 1


def test_an_access_token_expiring_mid_sync_is_refreshed_and_nothing_lost(
    synced: str,
    zoho: DevZoho,
    say: Say,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    refreshes = len(zoho.calls("POST", "/accounts/oauth/v2/token"))
    # Zoho's side changes, then the hour is up: the poll meets 401 INVALID_TOKEN, refreshes
    # and reads on.
    clock.advance(timedelta(minutes=1))
    zoho.update_deal(synced, Amount=25000, Next_Step="Call the CFO")
    zoho.expire_tokens()
    run_due(app, clock, 5)
    drain()
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert str(deal.amount) == "25000.00" and deal.next_step == "Call the CFO"
    assert len(zoho.calls("POST", "/accounts/oauth/v2/token")) == refreshes + 1
    refused = [c for c in zoho.calls(path_prefix="/crm/v2/") if c.status == 401]
    assert len(refused) == 1
    # Expired again before a Slack change is written: refreshed, written once.
    zoho.expire_tokens()
    reply = say("/deal", "#1 stage negotiation", user="U2")
    assert "#1" in reply.text
    drain()
    assert puts(zoho, synced) == [{"Stage": "Proposal/Price Quote"}]
    assert zoho.deal(synced)["Stage"] == "Proposal/Price Quote"
    assert len(zoho.calls("POST", "/accounts/oauth/v2/token")) == refreshes + 2
    # A next step set in Slack goes to Zoho's Next_Step (Zoho has no date for it).
    say("/deal", '#1 next "send the contract" 2026-12-10', user="U2")
    drain()
    assert puts(zoho, synced)[-1] == {"Next_Step": "send the contract"}


def test_a_deal_added_in_slack_is_created_in_zoho(
    zoho_connected: str,
    zoho: DevZoho,
    say: Say,
    drain: Drain,
    sessions: sessionmaker[Session],
) -> None:
    assert "Added" in say("/deal", "add Hooli 9k negotiation close 2026-12-20", user="U3").text
    drain()
    [created] = [c for c in zoho.writes() if c.method == "POST"]
    assert created.body["data"] == [
        {
            "Deal_Name": "Hooli",
            "Amount": 9000.0,
            "Stage": "Proposal/Price Quote",
            "Closing_Date": "2026-12-20",
            "Owner": {"id": "32"},
        }
    ]
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert deal.customer == "Hooli"
    say("/deal", "lost #1 went elsewhere", user="U3")
    drain()
    [record_id] = [c.body["data"][0]["id"] for c in zoho.writes() if c.method == "PUT"]
    assert zoho.deal(record_id)["Stage"] == "Closed Lost"


def test_a_zoho_outage_during_a_slack_change_delivers_once_after_recovery(
    synced: str,
    zoho: DevZoho,
    say: Say,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    zoho.go_down()
    reply = say("/deal", "#1 stage negotiation amount 30k", user="U2")
    assert reply.status == 200 and "30k" in reply.text
    app.runtime.sender.deliver_due()
    with sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.method == "crm.push")).one()
        assert row.status == "pending" and row.attempts == 1
    clock.advance(timedelta(seconds=30))
    app.runtime.sender.deliver_due()
    zoho.come_back()
    # Back, but busy: a 429 with Retry-After first.
    zoho.rate_limit(1, retry_after=30)
    clock.advance(timedelta(minutes=5))
    app.runtime.sender.deliver_due()
    clock.advance(timedelta(minutes=5))
    app.runtime.sender.deliver_due()
    drain()
    assert puts(zoho, synced) == [{"Amount": 30000.0, "Stage": "Proposal/Price Quote"}]
    clock.advance(timedelta(minutes=30))
    app.runtime.sender.deliver_due()
    assert len(puts(zoho, synced)) == 1


def test_a_revoked_refresh_token_pauses_the_sync_and_tells_managers_once(
    synced: str,
    zoho: DevZoho,
    say: Say,
    slack: DevSlack,
    driver: SlackDriver,
    app: Salesbot,
    clock: FrozenClock,
    drain: Drain,
    sessions: sessionmaker[Session],
) -> None:
    zoho.revoke()
    say("/deal", "#1 amount 21k", user="U2")
    app.runtime.sender.deliver_due()
    run_due(app, clock, 5)
    with sessions() as session:
        connection = session.scalars(select(CrmConnection)).one()
        assert connection.status == "paused" and connection.error == "unauthorized"
    slack.wait_for("chat.postMessage", lambda c: "refused the credentials" in str(c.params))
    app.runtime.sender.deliver_due()
    told = [
        c for c in slack.calls("chat.postMessage") if "refused the credentials" in str(c.params)
    ]
    assert [c.params["channel"] for c in told] == ["U1"]
    assert puts(zoho, synced) == []
    # A new refresh token through the form: the change made meanwhile is written, once.
    zoho.refresh_token = DEFAULT_REFRESH_TOKEN
    connect_zoho(say, slack, driver, None, count=2)
    clock.advance(timedelta(minutes=6))
    app.runtime.sender.deliver_due()
    drain()
    assert puts(zoho, synced) == [{"Amount": 21000.0}]


def test_a_deal_without_a_close_date_is_refused_by_zoho_until_it_has_one(
    zoho_connected: str,
    zoho: DevZoho,
    say: Say,
    drain: Drain,
    sessions: sessionmaker[Session],
) -> None:
    assert "Added" in say("/deal", "add Umbrella 5k", user="U3").text
    drain()
    assert zoho.writes() == []
    with sessions() as session:
        [problem] = session.scalars(select(CrmProblem))
        assert problem.detail["code"] == "write_refused"
        assert "Closing_Date" in problem.detail["reason"]
    say("/deal", "#1 close 2026-12-20", user="U3")
    drain()
    [created] = zoho.writes()
    assert created.body["data"][0]["Closing_Date"] == "2026-12-20"
    with sessions() as session:
        assert session.scalars(select(CrmProblem)).all() == []


@pytest.mark.usefixtures("team")
def test_an_imported_zoho_export_then_connecting_zoho_makes_no_duplicates(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    say: Say,
    slack: DevSlack,
    driver: SlackDriver,
    drain: Drain,
    zoho: DevZoho,
    app: Salesbot,
    server_url: str,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    # The export writes `zcrm_5725767000000441001`; Zoho's API calls the same deal
    # `5725767000000441001`.
    for name in ("database_url", "slack_bot_token", "slack_signing_secret", "slack_api_url"):
        monkeypatch.setenv(name.upper(), str(getattr(settings, name)))
    path = str(DATA / "zoho.xlsx")
    assert (
        main(["import", "deals", path, "--from", "zoho", "--team", "C1", "--default-owner", "U2"])
        == 0
    )
    with sessions() as session:
        imported = {r.record_id: r.deal_id for r in session.scalars(select(CrmRecord))}
    assert set(imported) == {f"57257670000004410{n:02d}" for n in range(1, 5)}
    for record_id, name, stage in (
        ("5725767000000441001", "Acme Robotics Renewal", "Qualification"),
        ("5725767000000441004", "Umbrella Q1", "Negotiation/Review"),
    ):
        zoho.create_deal(
            id=record_id,
            Deal_Name=name,
            Amount=12000,
            Stage=stage,
            Closing_Date="2026-12-20",
            Owner={"id": "31"},
        )
    app.runtime.settings.salesbot_public_url = server_url
    connect_zoho(say, slack, driver, drain)
    run_due(app, clock, 1)
    drain()
    with sessions() as session:
        assert int(session.scalar(select(func.count()).select_from(Deal)) or 0) == 4
        links = {(r.crm, r.record_id): r.deal_id for r in session.scalars(select(CrmRecord))}
    assert links == {("zoho", record_id): deal_id for record_id, deal_id in imported.items()}


def test_a_throttled_token_refresh_waits_and_does_not_pause_the_sync(
    synced: str,
    zoho: DevZoho,
    slack: DevSlack,
    app: Salesbot,
    clock: FrozenClock,
    drain: Drain,
    sessions: sessionmaker[Session],
) -> None:
    clock.advance(timedelta(minutes=1))
    zoho.update_deal(synced, Amount=25000)
    zoho.expire_tokens(code="INVALID_OAUTHTOKEN")
    zoho.throttle_tokens()
    run_due(app, clock, 5)
    drain()
    assert [c.status for c in zoho.calls("POST", "/accounts/oauth/v2/token")][-1] == 400
    with sessions() as session:
        connection = session.scalars(select(CrmConnection)).one()
        assert connection.status == "active"
    assert not [c for c in slack.calls("chat.postMessage") if "refused" in str(c.params)]
    # Zoho lets it refresh again: the change is taken.
    run_due(app, clock, 5)
    drain()
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert str(deal.amount) == "25000.00"
