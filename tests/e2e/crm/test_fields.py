"""The team's own deal fields in the sync, through the HubSpot, Pipedrive and Zoho stand-ins:
a team field syncs with the CRM's deal field of the same name (a HubSpot deal property, a
Pipedrive custom field, a Zoho Deals field); its value comes in from the poll or a webhook and
goes out from a `/deal` change, never echoed back; a field the CRM has no field of its name
does not sync; a choice the team field lacks is an error waiting in `/salesbot crm`, with
nothing of that record taken."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.hubspot import DevHubSpot
from bot.dev.pipedrive import DevPipedrive
from bot.dev.standin import DevSlack
from bot.dev.zoho import DevZoho
from bot.slack.app import Salesbot
from models import CrmProblem, Deal, DealEvent, DealFieldValue
from models import DealField as DealFieldRow
from tests.e2e.conftest import Drain, Say
from tests.e2e.crm.test_inbound import run_due
from tests.e2e.crm.test_outbound import patches
from tests.e2e.crm.test_pipedrive import webhook_auth  # noqa: F401 (a fixture)
from tests.e2e.crm.test_zoho import connect_zoho, puts


def add_fields(say: Say) -> None:
    """#sales's fields: industry (retail or finance) and region (free text)."""
    assert "Added" in say("/salesbot", "fields add industry retail,finance", user="U1").text
    assert "Added" in say("/salesbot", "fields add region", user="U1").text


def values(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Deal #1's values, by field name."""
    with sessions() as session:
        deal = session.scalars(select(Deal).where(Deal.number == 1)).one()
        return {
            name: value
            for name, value in session.execute(
                select(DealFieldRow.name, DealFieldValue.value)
                .join(DealFieldRow, DealFieldRow.id == DealFieldValue.field_id)
                .where(DealFieldValue.deal_id == deal.id)
            )
        }


def sources(sessions: sessionmaker[Session], field: str) -> list[str | None]:
    with sessions() as session:
        return list(
            session.scalars(
                select(DealEvent.source).where(DealEvent.field == field).order_by(DealEvent.id)
            )
        )


def test_hubspot_property_both_ways_unmatched_field_and_unknown_choice(
    connected: None,
    hubspot: DevHubSpot,
    say: Say,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    server_url: str,
    sessions: sessionmaker[Session],
) -> None:
    add_fields(say)
    options = {"retail": "Retail", "financial_services": "Finance", "mining": "Mining"}
    hubspot.add_property("industry", "Industry", options)
    deal_id, _ = hubspot.create_deal(
        dealname="Acme",
        amount="12000",
        dealstage="presentationscheduled",
        hubspot_owner_id="101",
        industry="retail",
    )
    run_due(app, clock, 1)
    drain()
    # In from the first poll, by the option's label; the properties were asked for.
    assert values(sessions) == {"industry": "retail"}
    searches = hubspot.calls("POST", "/crm/v3/objects/deals/search")
    assert "industry" in searches[-1].body["properties"]
    # Out from `/deal`: the option's internal value; region has no HubSpot property.
    say("/deal", "#1 industry finance region north", user="U2")
    drain()
    assert patches(hubspot, deal_id) == [{"industry": "financial_services"}]
    assert hubspot.deal(deal_id)["industry"] == "financial_services"
    assert values(sessions) == {"industry": "finance", "region": "north"}
    # Changed in HubSpot, told by webhook: taken with HubSpot as its source, not written back.
    clock.advance(timedelta(minutes=1))
    events = hubspot.update_deal(deal_id, industry="retail")
    assert hubspot.post_webhook(f"{server_url}/crm/hubspot/webhook", events)[0] == 200
    drain()
    drain()
    assert values(sessions)["industry"] == "retail"
    assert sources(sessions, "field:industry")[-1] == "hubspot"
    assert len(patches(hubspot, deal_id)) == 1
    # A choice #sales's industry does not have: nothing of the record taken, an error waiting.
    clock.advance(timedelta(minutes=1))
    hubspot.update_deal(deal_id, industry="mining", amount="99000")
    run_due(app, clock, 5)
    drain()
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert str(deal.amount) == "12000.00"
        [problem] = session.scalars(select(CrmProblem)).all()
        assert problem.detail["code"] == "choice_unknown"
    assert values(sessions)["industry"] == "retail"
    state = str(say("/salesbot", "crm", user="U1").json["blocks"])
    assert "HubSpot Industry is “Mining”" in state and "`industry`" in state
    assert "Fields: industry ↔ HubSpot Industry; region: no HubSpot field" in state
    # Fixed in HubSpot: taken at the next poll, the error gone.
    clock.advance(timedelta(minutes=1))
    hubspot.update_deal(deal_id, industry="financial_services")
    run_due(app, clock, 5)
    drain()
    assert values(sessions)["industry"] == "finance"
    with sessions() as session:
        assert str(session.scalars(select(Deal)).one().amount) == "99000.00"
        assert session.scalars(select(CrmProblem)).all() == []
    assert len(patches(hubspot, deal_id)) == 1


def test_pipedrive_custom_field_both_ways(
    webhook_auth: tuple[str, str],  # noqa: F811
    pipedrive: DevPipedrive,
    say: Say,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    server_url: str,
    sessions: sessionmaker[Session],
) -> None:
    add_fields(say)
    key = pipedrive.add_field("Industry", ["Retail", "Finance"])
    other = pipedrive.add_field("Deal source")
    retail, finance = pipedrive.option_id(key, "Retail"), pipedrive.option_id(key, "Finance")
    deal_id, _ = pipedrive.create_deal(
        title="Initech",
        value=20000,
        owner_id=11,
        stage_id=3,
        custom_fields={key: retail, other: "fair"},
    )
    run_due(app, clock, 1)
    drain()
    assert values(sessions) == {"industry": "retail"}
    say("/deal", "#1 industry finance region north", user="U2")
    drain()
    [write] = [c for c in pipedrive.writes() if c.method == "PATCH"]
    assert write.body == {"custom_fields": {key: finance}}
    assert pipedrive.deal(deal_id)["custom_fields"] == {key: finance, other: "fair"}
    # Changed in Pipedrive, told by webhook: taken, never written back.
    user, password = webhook_auth
    clock.advance(timedelta(minutes=1))
    event = pipedrive.update_deal(deal_id, custom_fields={key: retail})
    url = f"{server_url}/crm/pipedrive/webhook"
    assert pipedrive.post_webhook(url, event, user=user, password=password)[0] == 200
    drain()
    drain()
    assert values(sessions) == {"industry": "retail", "region": "north"}
    assert sources(sessions, "field:industry")[-1] == "pipedrive"
    assert len([c for c in pipedrive.writes() if c.method == "PATCH"]) == 1


def test_zoho_field_both_ways(
    team: None,
    zoho: DevZoho,
    say: Say,
    slack: DevSlack,
    driver: SlackDriver,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    add_fields(say)
    zoho.add_field("Industry", "Industry", ["Retail", "Finance"])
    connect_zoho(say, slack, driver, drain)
    deal_id = zoho.create_deal(
        Deal_Name="Initech",
        Amount=20000,
        Stage="Value Proposition",
        Closing_Date="2026-12-15",
        Owner={"id": "31"},
        Industry="Retail",
    )
    run_due(app, clock, 1)
    drain()
    assert values(sessions) == {"industry": "retail"}
    say("/deal", "#1 industry finance region north", user="U2")
    drain()
    assert puts(zoho, deal_id) == [{"Industry": "Finance"}]
    # Changed in Zoho: taken at the next poll, not written back.
    clock.advance(timedelta(minutes=1))
    zoho.update_deal(deal_id, Industry="Retail")
    run_due(app, clock, 5)
    drain()
    assert values(sessions) == {"industry": "retail", "region": "north"}
    assert sources(sessions, "field:industry")[-1] == "zoho"
    assert len(puts(zoho, deal_id)) == 1
    state = str(say("/salesbot", "crm", user="U1").json["blocks"])
    assert "Fields: industry ↔ Zoho CRM Industry; region: no Zoho CRM field" in state
