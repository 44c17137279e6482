"""A team's connection to its CRM: connecting, disconnecting, its state, its stage mapping,
pausing when the CRM refuses the credentials, and the problems waiting for another try.

Credentials arrive sealed (bot/crm/secrets.py, in the sync layer): this module stores and
hands back the token it is given and never sees what is in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.crm import (
    LocalStage,
    RemoteField,
    RemoteOwner,
    RemoteStage,
    default_stage_map,
    fields_of_json,
    fields_to_json,
    match_field,
)
from bot.domain.deal_fields import DealField, event_field
from bot.domain.stages import StageError, resolve_stage
from bot.i18n import _
from bot.results.crm import (
    CrmConnected,
    CrmDisconnected,
    CrmPaused,
    CrmStageMapped,
    CrmStagesListed,
    CrmState,
    FieldSync,
    ProblemFact,
    StageMapping,
)
from bot.services import notices, segments
from bot.services.actor import Actor, require_manager
from bot.services.crm_outbox import PUSH
from bot.services.deals import stage_by_key, stage_list
from bot.services.directory import team_managers
from bot.services.errors import Refused
from bot.services.language import member_language
from bot.services.once import insert_once
from models import (
    CrmConnection,
    CrmOwner,
    CrmProblem,
    CrmRecord,
    CrmStage,
    Deal,
    OutboxMessage,
    SalesTeam,
)

ACTIVE = "active"
PAUSED = "paused"
DISCONNECTED = "disconnected"


def connection_of(session: Session, team: SalesTeam) -> CrmConnection | None:
    """The team's connection, in any state."""
    return session.scalars(
        select(CrmConnection).where(CrmConnection.team_id == team.id)
    ).one_or_none()


def connect(
    session: Session,
    actor: Actor | None,
    team: SalesTeam,
    *,
    crm: str,
    account_id: str,
    credentials: str,
    stages: Sequence[RemoteStage],
    owners: Sequence[tuple[RemoteOwner, str | None]],
    now: datetime,
) -> CrmConnected:
    """Connect `team` to a CRM account (a manager, or an admin on the command line: `actor`
    None); connecting again replaces the credentials and resumes a paused sync.

    `owners`: each CRM owner with the Slack user their e-mail found (None: nobody)."""
    if actor is not None:
        require_manager(actor)
    taken = session.scalars(
        select(CrmConnection).where(
            CrmConnection.crm == crm,
            CrmConnection.account_id == account_id,
            CrmConnection.status != DISCONNECTED,
            CrmConnection.team_id != team.id,
        )
    ).first()
    if taken is not None:
        other = session.get(SalesTeam, taken.team_id)
        raise Refused(
            _("That CRM account already syncs with {team}: one account, one team."),
            team=other.name if other is not None else "?",
        )
    connection = connection_of(session, team)
    again = connection is not None and connection.status != DISCONNECTED
    if connection is None:
        connection = CrmConnection(
            workspace_id=team.workspace_id,
            team_id=team.id,
            crm=crm,
            status=ACTIVE,
            connected_at=now,
        )
        session.add(connection)
    elif connection.crm != crm or connection.account_id != account_id:
        # Another account: what the poll knew of the old one does not hold for it.
        connection.cursor = None
    connection.crm = crm
    connection.account_id = account_id
    connection.credentials = credentials
    # A webhook Salesbot registers (Zoho's watch) is registered again by the next poll, with
    # these credentials.
    connection.watch_expires_at = None
    connection.status = ACTIVE
    connection.paused_at = None
    connection.error = None
    connection.error_at = None
    connection.connected_at = now
    connection.connected_by_id = actor.member.id if actor is not None else None
    team.crm = crm
    session.flush()
    _store_stages(session, connection, stages)
    store_owners(session, connection, owners, now=now)
    return CrmConnected(
        team_name=team.name,
        crm=crm,
        account_id=account_id,
        again=again,
        owners_found=sum(1 for _owner, user in owners if user is not None),
        owners_total=len(owners),
        stages=mappings(session, connection),
    )


def _store_stages(
    session: Session, connection: CrmConnection, stages: Sequence[RemoteStage]
) -> None:
    """The CRM's stages, each mapped by default unless a manager mapped it already."""
    local = [
        LocalStage(s.key, s.label, s.kind, s.probability, s.position)
        for s in stage_list(session, connection.workspace_id)
    ]
    defaults = default_stage_map(stages, local)
    known = {
        row.remote_id: row
        for row in session.scalars(select(CrmStage).where(CrmStage.connection_id == connection.id))
    }
    for stage in stages:
        row = known.get(stage.remote_id)
        if row is None:
            session.add(
                CrmStage(
                    connection_id=connection.id,
                    remote_id=stage.remote_id,
                    pipeline_id=stage.pipeline_id,
                    label=stage.label[:200],
                    position=stage.position,
                    kind=stage.kind,
                    stage_key=defaults[stage.remote_id],
                )
            )
            continue
        row.label, row.position, row.kind = stage.label[:200], stage.position, stage.kind
        row.pipeline_id = stage.pipeline_id
    session.flush()


def store_stages(session: Session, connection_id: int, stages: Sequence[RemoteStage]) -> None:
    """Stages the CRM has now (a deal named one we had not seen)."""
    connection = session.get(CrmConnection, connection_id)
    if connection is not None:
        _store_stages(session, connection, stages)


def store_fields(session: Session, connection_id: int, fields: Sequence[RemoteField]) -> None:
    """The CRM's deal fields as it has them now (read once per poll)."""
    connection = session.get(CrmConnection, connection_id)
    if connection is not None:
        stored = fields_to_json(fields)
        if connection.deal_fields != stored:
            connection.deal_fields = stored


def field_links(
    session: Session, connection: CrmConnection
) -> dict[str, tuple[DealField, RemoteField]]:
    """The team's fields that sync, by their snapshot key (`field:<name>`): each with the CRM
    field of the same name (its key or label, case, spaces and underscores aside)."""
    remote = fields_of_json(connection.deal_fields)
    found: dict[str, tuple[DealField, RemoteField]] = {}
    if not remote:
        return found
    for field in segments.team_fields(session, connection.workspace_id, connection.team_id):
        match = match_field(field.words, remote)
        if match is not None:
            found[event_field(field)] = (field, match)
    return found


def store_owners(
    session: Session,
    connection: CrmConnection,
    owners: Sequence[tuple[RemoteOwner, str | None]],
    *,
    now: datetime,
) -> None:
    """The CRM's owners and the Slack users their e-mail found."""
    known = {
        row.remote_id: row
        for row in session.scalars(select(CrmOwner).where(CrmOwner.connection_id == connection.id))
    }
    for owner, user_id in owners:
        row = known.get(owner.remote_id)
        if row is None:
            row = CrmOwner(connection_id=connection.id, remote_id=owner.remote_id)
            session.add(row)
        row.email, row.name = owner.email[:320], owner.name[:200]
        row.slack_user_id, row.checked_at = user_id, now


def team_by_id(session: Session, actor: Actor, team_id: int) -> SalesTeam:
    """A team a button or form names, in the caller's workspace only."""
    team = session.get(SalesTeam, team_id)
    if team is None or team.workspace_id != actor.workspace_id:
        raise Refused(_("That team is not one of this workspace's. Run `/salesbot crm` again."))
    return team


def disconnect(session: Session, actor: Actor, team: SalesTeam) -> CrmDisconnected:
    """Stop the team's sync and forget its credentials; its deals stay as they are."""
    require_manager(actor)
    connection = connection_of(session, team)
    if connection is None or connection.status == DISCONNECTED:
        return CrmDisconnected(team.name, connection.crm if connection else None, False)
    connection.status = DISCONNECTED
    connection.credentials = None
    team.crm = None
    return CrmDisconnected(team.name, connection.crm, True)


def state(session: Session, actor: Actor, team: SalesTeam) -> CrmState:
    """What `/salesbot crm` shows: the connection, deals synced, errors waiting."""
    require_manager(actor)
    connection = connection_of(session, team)
    if connection is None:
        return CrmState(team.id, team.name, team.timezone)
    synced = session.scalar(
        select(func.count(CrmRecord.id))
        .join(Deal, Deal.id == CrmRecord.deal_id)
        .where(
            CrmRecord.workspace_id == team.workspace_id,
            CrmRecord.crm == connection.crm,
            Deal.team_id == team.id,
            Deal.deleted_at.is_(None),
        )
    )
    problems = tuple(
        ProblemFact(row.key, dict(row.detail), row.count, row.last_at)
        for row in session.scalars(
            select(CrmProblem)
            .where(CrmProblem.connection_id == connection.id)
            .order_by(CrmProblem.last_at.desc())
            .limit(10)
        )
    )
    return CrmState(
        team_id=team.id,
        team_name=team.name,
        zone=team.timezone,
        crm=connection.crm,
        status=connection.status,
        account_id=connection.account_id,
        connected_at=connection.connected_at,
        last_webhook_at=connection.last_webhook_at,
        last_poll_at=connection.last_poll_at,
        paused_at=connection.paused_at,
        error=connection.error,
        deals_synced=int(synced or 0),
        writes_waiting=writes_waiting(session, connection),
        problems=problems,
        fields=_fields_synced(session, connection),
    )


def _fields_synced(session: Session, connection: CrmConnection) -> tuple[FieldSync, ...]:
    """Each of the team's fields and the CRM field it syncs with (None: none has its name)."""
    links = field_links(session, connection)
    return tuple(
        FieldSync(
            field.name,
            links[event_field(field)][1].label if event_field(field) in links else None,
        )
        for field in segments.team_fields(session, connection.workspace_id, connection.team_id)
    )


def writes_waiting(session: Session, connection: CrmConnection) -> int:
    """Changes made in Slack not yet written to the CRM."""
    payloads = session.scalars(
        select(OutboxMessage.payload).where(
            OutboxMessage.workspace_id == connection.workspace_id,
            OutboxMessage.method == PUSH,
            OutboxMessage.status == "pending",
        )
    )
    return sum(1 for payload in payloads if payload.get("team_id") == connection.team_id)


def _require_connection(session: Session, team: SalesTeam) -> CrmConnection:
    connection = connection_of(session, team)
    if connection is None or connection.status == DISCONNECTED:
        raise Refused(
            _(
                "{team} is not connected to a CRM. A manager can run "
                "`/salesbot crm connect hubspot`."
            ),
            team=team.name,
        )
    return connection


def mappings(session: Session, connection: CrmConnection) -> tuple[StageMapping, ...]:
    """The connection's CRM stages, in the CRM's order, with the Salesbot stage of each."""
    stages = stage_list(session, connection.workspace_id)
    rows = session.scalars(
        select(CrmStage)
        .where(CrmStage.connection_id == connection.id)
        .order_by(CrmStage.position, CrmStage.id)
    )
    return tuple(
        StageMapping(
            row.remote_id,
            row.label,
            row.pipeline_id,
            row.kind,
            row.stage_key,
            stage_by_key(stages, row.stage_key).label if row.stage_key else None,
        )
        for row in rows
    )


def list_stages(session: Session, actor: Actor, team: SalesTeam) -> CrmStagesListed:
    """`/salesbot crm stages`."""
    require_manager(actor)
    connection = _require_connection(session, team)
    return CrmStagesListed(team.name, connection.crm, mappings(session, connection))


def map_stage(
    session: Session, actor: Actor, team: SalesTeam, remote: str, local: str
) -> CrmStageMapped:
    """`/salesbot crm stages Contract Sent=negotiation`: the CRM stage by its id or label."""
    require_manager(actor)
    connection = _require_connection(session, team)
    rows = list(session.scalars(select(CrmStage).where(CrmStage.connection_id == connection.id)))
    wanted = remote.casefold()
    found = [r for r in rows if r.remote_id.casefold() == wanted] or [
        r for r in rows if r.label.casefold() == wanted
    ]
    if len(found) != 1:
        raise Refused(
            _("The CRM has no stage “{stage}”. See them with `/salesbot crm stages`."),
            stage=remote,
        )
    try:
        stage = resolve_stage(local, stage_list(session, actor.workspace_id))
    except StageError as error:
        raise Refused.plain_text(str(error)) from None
    row = found[0]
    if row.kind != "open" and stage.kind != row.kind:
        raise Refused(
            _("“{stage}” closes deals in the CRM: map it to a closing stage of the same kind."),
            stage=row.label,
        )
    row.stage_key = stage.key
    session.flush()
    mapping = next(m for m in mappings(session, connection) if m.remote_id == row.remote_id)
    return CrmStageMapped(connection.crm, mapping)


def pause(session: Session, connection_id: int, *, error: str, now: datetime) -> bool:
    """The CRM refused the credentials: pause the sync and tell the team's managers, once
    per pause (whichever worker sees the refusal first; the others find it paused)."""
    paused = session.execute(
        update(CrmConnection)
        .where(CrmConnection.id == connection_id, CrmConnection.status == ACTIVE)
        .values(status=PAUSED, paused_at=now, error=error[:200], error_at=now)
        .returning(CrmConnection.id)
    ).first()
    if paused is None:
        return False
    connection = session.get(CrmConnection, connection_id, populate_existing=True)
    team = session.get(SalesTeam, connection.team_id) if connection else None
    if connection is None or team is None:
        return True
    for manager in team_managers(session, team):
        notices.record(
            session,
            CrmPaused(
                workspace_id=team.workspace_id,
                language=member_language(session, manager),
                manager_user_id=manager.slack_user_id,
                channel_id=team.channel_id,
                crm=connection.crm,
                pause_key=f"{connection.id}:{now.isoformat()}",
                error=error[:200],
            ),
        )
    return True


def note_error(session: Session, connection_id: int, *, error: str, now: datetime) -> None:
    """The CRM failed in a way the next try may not (down, slow, rate limited)."""
    session.execute(
        update(CrmConnection)
        .where(CrmConnection.id == connection_id)
        .values(error=error[:200], error_at=now)
    )


def note_problem(
    session: Session, connection_id: int, key: str, detail: dict[str, Any], *, now: datetime
) -> None:
    """Something to try again, shown as an error waiting (counted, not repeated)."""
    values = {
        "connection_id": connection_id,
        "key": key[:150],
        "detail": detail,
        "count": 1,
        "first_at": now,
        "last_at": now,
    }
    if not insert_once(session, CrmProblem, values, ["connection_id", "key"]):
        session.execute(
            update(CrmProblem)
            .where(CrmProblem.connection_id == connection_id, CrmProblem.key == key[:150])
            .values(count=CrmProblem.count + 1, last_at=now, detail=detail)
        )


def clear_problem(session: Session, connection_id: int, key: str) -> None:
    """It worked this time."""
    row = session.scalars(
        select(CrmProblem).where(
            CrmProblem.connection_id == connection_id, CrmProblem.key == key[:150]
        )
    ).one_or_none()
    if row is not None:
        session.delete(row)
