"""Next step and forecast category in the sync, through the HubSpot stand-in: set in Slack,
they are written to `hs_next_step` and `hs_forecast_category`; changed in HubSpot, they are
taken (the step's date, which HubSpot does not have, stays Salesbot's); taken away on either
side, they go on the other. Pipedrive has neither field: nothing is written for them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.hubspot import DevHubSpot
from bot.dev.pipedrive import DevPipedrive
from bot.slack.app import Salesbot
from models import Deal, DealEvent
from tests.e2e.conftest import Drain, Say
from tests.e2e.crm.test_inbound import run_due
from tests.e2e.crm.test_outbound import patches, synced  # noqa: F401 (a fixture)
from tests.e2e.crm.test_pipedrive import webhook_auth  # noqa: F401 (a fixture)


def test_next_step_and_forecast_both_ways_with_hubspot(
    synced: str,  # noqa: F811
    hubspot: DevHubSpot,
    say: Say,
    drain: Drain,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    say("/deal", '#1 next "send the proposal" 2026-12-04', user="U2")
    drain()
    say("/deal", "#1 forecast commit", user="U2")
    drain()
    assert patches(hubspot, synced) == [
        {"hs_next_step": "send the proposal"},
        {"hs_forecast_category": "COMMIT"},
    ]
    # Changed in HubSpot: taken, with HubSpot as the source; the date stays.
    clock.advance(timedelta(minutes=1))
    hubspot.update_deal(synced, hs_next_step="call the CFO", hs_forecast_category="BEST_CASE")
    run_due(app, clock, 5)
    drain()
    with sessions() as session:
        deal = session.scalars(select(Deal)).one()
        assert (deal.next_step, deal.forecast) == ("call the CFO", "best_case")
        assert deal.next_step_date is not None and deal.next_step_date.isoformat() == "2026-12-04"
        sources = {
            e.field: e.source
            for e in session.scalars(select(DealEvent).where(DealEvent.source.is_not(None)))
        }
        assert sources["next_step"] == "hubspot" and sources["forecast"] == "hubspot"
    assert len(patches(hubspot, synced)) == 2
    # Taken away in Slack: cleared in HubSpot.
    say("/deal", "#1 next done", user="U2")
    drain()
    say("/deal", "#1 forecast auto", user="U2")
    drain()
    assert patches(hubspot, synced)[2:] == [{"hs_next_step": ""}, {"hs_forecast_category": ""}]
    assert hubspot.deal(synced)["hs_next_step"] == ""


def test_pipedrive_has_no_next_step_field_nothing_is_written_for_it(
    webhook_auth: tuple[str, str],  # noqa: F811
    pipedrive: DevPipedrive,
    say: Say,
    drain: Drain,
) -> None:
    assert "Added" in say("/deal", "add Hooli 9k negotiation", user="U3").text
    drain()
    say("/deal", '#1 next "send the proposal" 2026-12-04', user="U3")
    drain()
    assert [c.method for c in pipedrive.writes()] == ["POST"]
