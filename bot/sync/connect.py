"""Connecting a team to its CRM: the CRM is asked first (do the credentials work, which
account, its stages and owners) and Slack for the owners' e-mails, outside any transaction;
then the connection is stored, credentials sealed, in one."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import MissingSettingError
from bot.crm import registry
from bot.crm.base import CrmError, Unauthorized, Unavailable
from bot.crm.secrets import Unreadable, Vault
from bot.db import reading
from bot.domain.crm import RemoteOwner, RemoteStage
from bot.results.crm import CrmConnectFailed
from bot.runtime import Runtime
from bot.services import crm_connections
from bot.services.actor import Actor, require_manager
from bot.services.errors import Refused
from bot.sync.owners import match_owners
from bot.unit_of_work import answer_later, as_caller, in_caller_language, tell
from bot.views import crm as views
from bot.views.common import Message, refusal
from models import CrmConnection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    """What the CRM said about the account the credentials open."""

    account_id: str
    stages: list[RemoteStage]
    owners: list[tuple[RemoteOwner, str | None]]
    sealed: str
    # Credentials Salesbot made up (a webhook's basic auth), to tell the manager once.
    generated: dict[str, str]


def ask_crm(
    runtime: Runtime,
    workspace_id: str,
    crm: str,
    credentials: Mapping[str, str],
    *,
    team_id: int | None = None,
) -> Account | CrmConnectFailed:
    """Check the credentials with the CRM and read what the connection needs; credentials
    Salesbot makes up (a webhook's basic auth) are kept from the team's connection, if any."""
    try:
        vault = Vault.of(runtime.settings)
    except MissingSettingError:
        return CrmConnectFailed(crm, "no_key")
    kept = _kept(runtime, vault, team_id, crm)
    credentials = registry.generate(crm, {**kept, **credentials})
    generated = {field: credentials[field] for field in registry.KINDS[crm].generated}
    connector = registry.connector(
        crm, credentials, runtime.settings, now=runtime.clock.now, patient=True
    )
    try:
        account_id = connector.account()
        stages = connector.stages()
        owners = connector.owners()
    except Unauthorized:
        log.info("crm.connect_refused crm=%s", crm)
        return CrmConnectFailed(crm, "unauthorized")
    except Unavailable as error:
        log.warning("crm.connect_failed crm=%s error=%s", crm, error.code)
        return CrmConnectFailed(crm, "unreachable")
    except CrmError as error:
        log.warning("crm.connect_failed crm=%s error=%s", crm, error.code)
        return CrmConnectFailed(crm, "rejected")
    matched = match_owners(runtime, workspace_id, owners)
    return Account(account_id, stages, matched, vault.seal(credentials), generated)


def _notify_url(runtime: Runtime, crm: str) -> str | None:
    """Where a CRM that Salesbot subscribes to sends its changes (None: no public URL)."""
    public = runtime.settings.salesbot_public_url
    return f"{public}/crm/{crm}/webhook" if public and registry.KINDS[crm].subscribes else None


def _kept(runtime: Runtime, vault: Vault, team_id: int | None, crm: str) -> dict[str, str]:
    """The generated credentials of the team's connection to this CRM (none: new ones)."""
    if team_id is None:
        return {}
    with reading(runtime.sessions) as session:
        row = session.scalars(
            select(CrmConnection).where(CrmConnection.team_id == team_id)
        ).one_or_none()
        sealed = row.credentials if row is not None and row.crm == crm else None
    if sealed is None:
        return {}
    try:
        opened = vault.open(sealed)
    except Unreadable:
        return {}
    return {k: v for k, v in opened.items() if k in registry.KINDS[crm].generated}


def connect_from_slack(
    runtime: Runtime,
    workspace_id: str,
    user_id: str,
    *,
    team_id: int,
    crm: str,
    credentials: Mapping[str, str],
) -> None:
    """A manager submitted the connect form: connect, and tell them how it went in their DM.

    Who they are is checked before the CRM is asked (and again when it is stored)."""

    def may_connect(session: Session, actor: Actor) -> None:
        require_manager(actor)
        crm_connections.team_by_id(session, actor, team_id)

    try:
        as_caller(runtime, workspace_id, user_id, may_connect, read_only=True)
    except Refused as refused:
        tell(runtime, workspace_id, user_id, refusal(refused.message))
        return
    account = ask_crm(runtime, workspace_id, crm, credentials, team_id=team_id)
    if isinstance(account, CrmConnectFailed):
        with in_caller_language(runtime, workspace_id, user_id):
            tell(runtime, workspace_id, user_id, views.render(account))
        return

    def work(session: Session, actor: Actor) -> Message:
        team = crm_connections.team_by_id(session, actor, team_id)
        connected = crm_connections.connect(
            session,
            actor,
            team,
            crm=crm,
            account_id=account.account_id,
            credentials=account.sealed,
            stages=account.stages,
            owners=account.owners,
            now=actor.now,
        )
        log.info("crm.connected team=%s crm=%s", team.id, crm)
        return views.render(
            replace(
                connected,
                webhook_user=account.generated.get("webhook_user"),
                webhook_password=account.generated.get("webhook_password"),
                subscribes=registry.KINDS[crm].subscribes,
                notify_url=_notify_url(runtime, crm),
            )
        )

    answer_later(runtime, workspace_id, user_id, work, channel_id=user_id, ephemeral=False)
