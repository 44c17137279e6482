"""Which CRMs Salesbot can connect to: their connector, their name, the credentials asked for."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings
from bot.crm.base import Connector
from bot.crm.hubspot import HubSpot
from bot.crm.pipedrive import Pipedrive
from bot.crm.zoho import Zoho


@dataclass(frozen=True)
class Kind:
    """A CRM Salesbot connects to."""

    key: str
    # As people write it (not translated: a brand).
    name: str
    # The credentials its connect form and `salesbot crm connect` ask for, in order.
    fields: tuple[str, ...]
    # Credentials Salesbot makes up when the team connects (a webhook's basic auth).
    generated: tuple[str, ...] = ()
    # Salesbot registers the CRM's webhook itself (Connector.subscribe) rather than a manager
    # configuring it by hand.
    subscribes: bool = False


KINDS: Mapping[str, Kind] = {
    "hubspot": Kind("hubspot", "HubSpot", ("token", "client_secret")),
    "pipedrive": Kind(
        "pipedrive",
        "Pipedrive",
        ("api_token", "company_domain"),
        ("webhook_user", "webhook_password"),
    ),
    "zoho": Kind(
        "zoho",
        "Zoho CRM",
        ("client_id", "client_secret", "refresh_token", "data_centre"),
        # The watch channel Salesbot registers, and the token its notifications carry.
        ("channel_id", "webhook_token"),
        subscribes=True,
    ),
}


def connector(
    kind: str,
    credentials: Mapping[str, str],
    settings: Settings,
    *,
    now: Callable[[], datetime],
    patient: bool = False,
) -> Connector:
    """A connector for one connection. now: the clock, for a record or event whose CRM did
    not say when; patient: wait out a short Retry-After in place (a poll); otherwise a 429 is
    raised at once (the outbox schedules the retry)."""
    if kind == "hubspot":
        return HubSpot(
            credentials,
            base_url=settings.hubspot_api_url,
            timeout=settings.crm_timeout,
            patient=patient,
            now=now,
        )
    if kind == "pipedrive":
        return Pipedrive(
            credentials,
            base_url=settings.pipedrive_api_url,
            timeout=settings.crm_timeout,
            patient=patient,
            now=now,
        )
    if kind == "zoho":
        return Zoho(
            credentials,
            api_url=settings.zoho_api_url,
            accounts_url=settings.zoho_accounts_url,
            timeout=settings.crm_timeout,
            patient=patient,
            now=now,
        )
    raise LookupError(f"no connector for {kind!r}")


def generate(kind: str, credentials: Mapping[str, str]) -> dict[str, str]:
    """The credentials with those Salesbot makes up for this CRM added (kept when connecting
    again, so the webhook the manager configured goes on working)."""
    made = dict(credentials)
    for field in KINDS[kind].generated:
        if not made.get(field):
            if field.endswith("user"):
                made[field] = f"salesbot-{secrets.token_hex(4)}"
            elif field == "channel_id":
                # Zoho's channel ids are numbers (a long).
                made[field] = str(10**15 + secrets.randbelow(9 * 10**15))
            else:
                # Letters and digits only: copied by hand, and shown in mrkdwn as they are.
                made[field] = secrets.token_hex(20)
    return made


def name_of(kind: str) -> str:
    """The CRM's name as people write it."""
    found = KINDS.get(kind)
    return found.name if found is not None else kind
