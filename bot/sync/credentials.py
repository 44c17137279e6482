"""A connection's connector, from its sealed credentials."""

from __future__ import annotations

from bot.crm import registry
from bot.crm.base import Connector
from bot.crm.secrets import Vault
from bot.runtime import Runtime


def connector_of(runtime: Runtime, crm: str, sealed: str, *, patient: bool = False) -> Connector:
    """The connector of a connection whose credentials are `sealed`."""
    credentials = Vault.of(runtime.settings).open(sealed)
    return registry.connector(
        crm, credentials, runtime.settings, now=runtime.clock.now, patient=patient
    )
