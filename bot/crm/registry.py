"""Which CRMs Salesbot can connect to: their connector, their name, the credentials asked for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import Settings
from bot.crm.base import Connector
from bot.crm.hubspot import HubSpot


@dataclass(frozen=True)
class Kind:
    """A CRM Salesbot connects to."""

    key: str
    # As people write it (not translated: a brand).
    name: str
    # The credentials its connect form and `salesbot crm connect` ask for, in order.
    fields: tuple[str, ...]


KINDS: Mapping[str, Kind] = {
    "hubspot": Kind("hubspot", "HubSpot", ("token", "client_secret")),
}


def connector(
    kind: str, credentials: Mapping[str, str], settings: Settings, *, patient: bool = False
) -> Connector:
    """A connector for one connection. patient: wait out a short Retry-After in place (a
    poll); otherwise a 429 is raised at once (the outbox schedules the retry)."""
    if kind == "hubspot":
        return HubSpot(
            credentials,
            base_url=settings.hubspot_api_url,
            timeout=settings.crm_timeout,
            patient=patient,
        )
    raise LookupError(f"no connector for {kind!r}")


def name_of(kind: str) -> str:
    """The CRM's name as people write it."""
    found = KINDS.get(kind)
    return found.name if found is not None else kind
