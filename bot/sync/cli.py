"""`salesbot crm …`: what an admin does on the command line (connect a team, see the state,
disconnect, rotate the key). Printed lines never hold a credential."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.crm.secrets import Unreadable, Vault
from bot.db import reading, transaction
from bot.results.crm import CrmConnectFailed
from bot.runtime import Runtime
from bot.services import crm_connections
from bot.services.errors import Refused
from bot.sync.connect import ask_crm
from bot.unit_of_work import unit
from models import CrmConnection, SalesTeam


class CliError(Exception):
    """Something to print and exit with 1."""


def _team(session: Session, channel_id: str) -> SalesTeam:
    teams = list(session.scalars(select(SalesTeam).where(SalesTeam.channel_id == channel_id)))
    if not teams:
        raise CliError(f"no sales team in channel {channel_id}: run /salesbot setup there first")
    if len(teams) > 1:
        raise CliError(f"several workspaces have a team in {channel_id}")
    return teams[0]


def connect(runtime: Runtime, crm: str, channel_id: str, credentials: Mapping[str, str]) -> str:
    """Connect the team of `channel_id`; a line saying what was done."""
    with reading(runtime.sessions) as session:
        found = _team(session, channel_id)
        workspace_id, team_id = found.workspace_id, found.id
    account = ask_crm(runtime, workspace_id, crm, credentials, team_id=team_id)
    if isinstance(account, CrmConnectFailed):
        raise CliError(
            {
                "unauthorized": f"{crm} refused the token (check it and its scopes)",
                "unreachable": f"{crm} did not answer; nothing was saved",
                "no_key": "SALESBOT_SECRET_KEY is not set (salesbot crm new-key makes one)",
            }.get(account.reason, f"{crm} refused the request; nothing was saved")
        )
    now = runtime.clock.now()
    try:
        with unit(runtime, now=now) as session:
            team = _team(session, channel_id)
            done = crm_connections.connect(
                session,
                None,
                team,
                crm=crm,
                account_id=account.account_id,
                credentials=account.sealed,
                stages=account.stages,
                owners=account.owners,
                now=now,
            )
    except Refused as refused:
        raise CliError(refused.plain) from None
    line = (
        f"connected {done.team_name} ({channel_id}) to {crm} account {done.account_id}; "
        f"{done.owners_found} of {done.owners_total} owners found in Slack; "
        f"{len(done.stages)} stages mapped"
    )
    if "webhook_user" in account.generated:
        # Made up by Salesbot for the CRM's webhook: shown this once.
        auth = (account.generated["webhook_user"], account.generated["webhook_password"])
        line += "; webhook basic auth: " + " / ".join(auth)
    return line


def status(runtime: Runtime) -> list[str]:
    """One line per connection."""
    with reading(runtime.sessions) as session:
        rows = session.execute(
            select(CrmConnection, SalesTeam)
            .join(SalesTeam, SalesTeam.id == CrmConnection.team_id)
            .order_by(CrmConnection.id)
        ).all()
        return [
            f"{team.channel_id} {team.name}: {connection.crm} {connection.account_id} "
            f"{connection.status}; last webhook {_at(connection.last_webhook_at)}, "
            f"last poll {_at(connection.last_poll_at)}"
            + (f"; error {connection.error}" if connection.error else "")
            for connection, team in rows
        ]


def _at(value: object) -> str:
    return "never" if value is None else str(value)


def disconnect(runtime: Runtime, channel_id: str) -> str:
    """Stop the team's sync; its deals stay."""
    with transaction(runtime.sessions) as session:
        team = _team(session, channel_id)
        connection = crm_connections.connection_of(session, team)
        if connection is None or connection.status == crm_connections.DISCONNECTED:
            return f"{team.name} is not connected"
        connection.status = crm_connections.DISCONNECTED
        connection.credentials = None
        team.crm = None
        return f"disconnected {team.name} from {connection.crm}; its deals stay"


def rotate_key(runtime: Runtime) -> str:
    """Re-encrypt every connection's credentials with the first key of SALESBOT_SECRET_KEY."""
    vault = Vault.of(runtime.settings)
    rotated = 0
    with transaction(runtime.sessions) as session:
        for connection in session.scalars(
            select(CrmConnection).where(CrmConnection.credentials.is_not(None))
        ):
            assert connection.credentials is not None
            try:
                connection.credentials = vault.rotate(connection.credentials)
            except Unreadable:
                raise CliError(
                    f"connection {connection.id}: no key decrypts it; nothing was rotated"
                ) from None
            rotated += 1
    return f"re-encrypted {rotated} connection(s) with the first key; the others may go now"
