"""A record or event whose CRM does not say when it changed is dated by Salesbot's clock (the
one the caller passes), never by the machine's: the sync's "later change wins" then compares
like with like, in tests as in production."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.crm import hubspot, pipedrive, zoho

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


def test_a_hubspot_deal_without_its_modified_time_changed_now() -> None:
    deal = hubspot._deal({"id": "7", "properties": {"dealname": "Acme"}}, (), NOW)
    assert deal.modified_at == NOW


def test_a_pipedrive_deal_without_its_update_time_changed_now() -> None:
    deal = pipedrive._deal({"id": 7, "title": "Acme", "status": "open"}, (), NOW)
    assert deal.modified_at == NOW


def test_a_zoho_deal_without_its_modified_time_changed_now() -> None:
    deal = zoho._deal({"id": "7", "Deal_Name": "Acme"}, (), NOW)
    assert deal.modified_at == NOW


def test_a_dated_record_keeps_its_own_time() -> None:
    deal = pipedrive._deal(
        {"id": 7, "title": "Acme", "update_time": "2026-11-29 08:00:00"}, (), NOW
    )
    assert deal.modified_at == datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
