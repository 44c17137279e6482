"""Deals from the CRM into Salesbot, and the bookkeeping of what was written back.

`apply` takes one CRM record as the CRM has it now (from a webhook's fetch or the poll) and
makes the linked deal agree with it, field by field against what both sides last agreed on
(bot.domain.crm.merge). A change it applies goes through the same deal services as `/deal`,
in the name of the deal's owner with the CRM as its source: history says "via HubSpot", the
win is announced, counted and rewarded exactly as `/deal won`, and nothing is written back.

Exactly once, whichever way a record arrives and however many workers apply it at once: the
connection's row is locked first (`SELECT … FOR UPDATE`), so one application of a connection's
records runs at a time and each sees what the one before committed; the deal's row is locked
as commands lock it; a record links to one deal (`crm_record` is unique per workspace, CRM and
record, and per deal). A win is a change from open to won: the second application finds the
deal won already and does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.domain.amounts import Money
from bot.domain.crm import (
    FIELD_KEY,
    RemoteDeal,
    RemoteField,
    Snapshot,
    WebhookEvent,
    fields_of,
    merge,
    money_of,
    snapshot,
)
from bot.domain.deal_fields import VALUE_MAX, DealField, fold
from bot.domain.forecast import AUTO, CATEGORIES
from bot.domain.next_steps import NEXT_STEP_MAX, NO_NEXT_STEP, NextStep
from bot.domain.stages import Stage
from bot.domain.zones import local_zone
from bot.services import crm_connections, crm_outbox, deals, outbox, segments
from bot.services.actor import Actor
from bot.services.deals import DealFields, new_change_id, stage_by_key, stage_list
from bot.services.directory import find_member
from bot.services.once import insert_once
from models import (
    CrmConnection,
    CrmDealState,
    CrmOwner,
    CrmRecord,
    CrmStage,
    CrmWebhookEvent,
    Deal,
    DealEvent,
    Member,
    SalesTeam,
)

# A webhook event id is kept this long: HubSpot retries a delivery for up to three days.
WEBHOOK_EVENTS_KEPT = timedelta(days=7)
# The synced field each deal field's history is recorded under.
DEAL_FIELD = {
    "customer": "customer",
    "amount": "amount",
    "stage": "stage",
    "close_date": "close_date",
    "owner": "owner_id",
    "next_step": "next_step",
    "forecast": "forecast",
}
Outcome = Literal[
    "created", "changed", "unchanged", "quiet", "not_ours", "inactive", "unknown_stage", "skipped"
]


# A team field that syncs: its snapshot key -> (the team's field, the CRM's).
Links = Mapping[str, tuple[DealField, RemoteField]]


class UnknownChoice(Exception):
    """The CRM holds a value of a synced field that is not one of the team field's choices:
    the record is not taken (nothing of it), and waits as an error."""

    def __init__(self, field: DealField, remote: RemoteField, value: str) -> None:
        super().__init__(f"{field.name}: {value}")
        self.field = field
        self.remote = remote
        self.value = value


@dataclass(frozen=True)
class Applied:
    """What applying one record did."""

    outcome: Outcome
    deal_id: int | None = None
    # Fields taken from the CRM.
    taken: tuple[str, ...] = ()


def record_webhook(
    session: Session, connection_id: int, events: list[WebhookEvent], *, now: datetime
) -> int:
    """Note a verified webhook's events: each event id once (the CRM's retries are skipped),
    and one fetch owed per record they name. How many events were new."""
    connection = session.get(CrmConnection, connection_id)
    if connection is None:
        return 0
    connection.last_webhook_at = now
    new = 0
    for record_id in dict.fromkeys(
        event.record_id
        for event in events
        if insert_once(
            session,
            CrmWebhookEvent,
            {"connection_id": connection_id, "event_id": event.event_id, "received_at": now},
            ["connection_id", "event_id"],
        )
    ):
        new += 1
        owe_pull(session, connection, record_id, now=now)
    return new


def owe_pull(session: Session, connection: CrmConnection, record_id: str, *, now: datetime) -> None:
    """Owe a fetch of one record (one waiting row per record at a time)."""
    outbox.enqueue(
        session,
        workspace_id=connection.workspace_id,
        method="crm.pull",
        payload={"connection_id": connection.id, "record_id": record_id},
        now=now,
        dedupe_key=f"{outbox.WHILE_PENDING}crm-pull:{connection.id}:{record_id}",
    )


def forget_old_events(session: Session, *, now: datetime) -> None:
    """Webhook event ids past the CRM's retry window."""
    session.execute(
        delete(CrmWebhookEvent).where(CrmWebhookEvent.received_at < now - WEBHOOK_EVENTS_KEPT)
    )


def apply(
    session: Session,
    connection_id: int,
    remote: RemoteDeal,
    *,
    owner_user_id: str | None,
    now: datetime,
    quiet: bool = False,
    push_owed: bool = True,
) -> Applied:
    """Make Salesbot agree with one CRM record (see the module's docstring).

    owner_user_id: the Slack user the record's owner is (looked up beforehand); quiet: the
    first poll's backfill, whose deals are taken as they are, announced and rewarded for
    nothing (as `salesbot import` takes them). Raises Refused for a change the deal services
    refuse (a win of zero): the caller notes it and rolls back. push_owed: owe a write of what
    Salesbot holds that the CRM lacks (False: the caller is that write)."""
    connection = session.scalars(
        select(CrmConnection)
        .where(CrmConnection.id == connection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if connection is None or connection.status != crm_connections.ACTIVE:
        return Applied("inactive")
    team = session.get(SalesTeam, connection.team_id)
    assert team is not None
    stage_row = _stage_row(session, connection, remote.stage_id)
    if remote.stage_id is not None and stage_row is None:
        return Applied("unknown_stage")
    stage_key = stage_row.stage_key if stage_row is not None else None
    if stage_row is not None and stage_key is None:
        crm_connections.note_problem(
            session,
            connection.id,
            f"stage:{stage_row.remote_id}",
            {"code": "stage_not_mapped", "crm": connection.crm, "stage": stage_row.label},
            now=now,
        )
    owner = _owner(session, connection, team, remote, owner_user_id, now=now)
    links = crm_connections.field_links(session, connection)
    link = session.scalars(
        select(CrmRecord).where(
            CrmRecord.workspace_id == connection.workspace_id,
            CrmRecord.crm == connection.crm,
            CrmRecord.record_id == remote.record_id,
        )
    ).one_or_none()
    if link is None:
        if owner is None or stage_key is None:
            return Applied("not_ours")
        return _create(
            session, connection, team, remote, owner, stage_key, links, now=now, quiet=quiet
        )
    return _update(
        session,
        connection,
        team,
        link,
        remote,
        owner,
        stage_key,
        links,
        now=now,
        push_owed=push_owed,
    )


def _stage_row(
    session: Session, connection: CrmConnection, stage_id: str | None
) -> CrmStage | None:
    if stage_id is None:
        return None
    return session.scalars(
        select(CrmStage).where(
            CrmStage.connection_id == connection.id, CrmStage.remote_id == stage_id
        )
    ).one_or_none()


def _owner(
    session: Session,
    connection: CrmConnection,
    team: SalesTeam,
    remote: RemoteDeal,
    owner_user_id: str | None,
    *,
    now: datetime,
) -> Member | None:
    """The team member who owns the record, or None (nobody in Slack, or not this team's)."""
    if remote.owner_id is None:
        return None
    if owner_user_id is None:
        row = session.scalars(
            select(CrmOwner).where(
                CrmOwner.connection_id == connection.id, CrmOwner.remote_id == remote.owner_id
            )
        ).one_or_none()
        crm_connections.note_problem(
            session,
            connection.id,
            f"owner:{remote.owner_id}",
            {
                "code": "owner_not_in_slack",
                "crm": connection.crm,
                "email": row.email if row is not None else remote.owner_id,
            },
            now=now,
        )
        return None
    member = find_member(session, connection.workspace_id, owner_user_id)
    if member is None or member.team_id != team.id or member.is_deleted:
        return None
    return member


def _actor(member: Member, team: SalesTeam, crm: str, now: datetime) -> Actor:
    return Actor(
        member=member,
        team=team,
        now=now,
        today=now.astimezone(local_zone(member.timezone)).date(),
        source=crm,
    )


def _remote_snapshot(
    crm: str,
    remote: RemoteDeal,
    currency: str,
    stage_key: str | None,
    owner: Member | None,
    links: Links,
) -> Snapshot:
    """The record's synced fields; a field the CRM's side could not be read for (an owner
    nobody in Slack is, a stage not mapped, a forecast category Salesbot does not have) is
    left out, so it is neither taken nor lost."""
    forecast = remote.forecast
    seen = snapshot(
        customer=remote.name,
        amount=remote.amount if remote.amount is not None else Decimal(0),
        currency=remote.currency or currency,
        stage=stage_key,
        close_date=remote.close_date,
        owner=owner.slack_user_id if owner is not None else None,
        next_step=(remote.next_step or "")[:NEXT_STEP_MAX].strip(),
        forecast=forecast,
        fields=fields_of(crm),
    )
    if stage_key is None:
        seen.pop("stage")
    if owner is None:
        seen.pop("owner")
    if remote.next_step is None:
        seen.pop("next_step", None)
    if forecast is None or (forecast and forecast not in CATEGORIES):
        seen.pop("forecast", None)
    return seen | remote_values(remote, links)


def remote_values(remote: RemoteDeal, links: Links) -> Snapshot:
    """The record's values of the team fields that sync, as the team's fields hold them (a
    field the CRM's side was not read for is left out). Raises UnknownChoice for a value that
    is not one of a field's choices."""
    found: Snapshot = {}
    for key, (field, theirs) in links.items():
        if theirs.key not in remote.custom:
            continue
        label = theirs.label_of(remote.custom[theirs.key])
        text = " ".join((label or "").split())
        if not text:
            found[key] = None
        elif field.fixed:
            wanted = fold(text)
            choice = next(
                (
                    c
                    for c in field.choices
                    if fold(c.value) == wanted or (c.alias is not None and fold(c.alias) == wanted)
                ),
                None,
            )
            if choice is None:
                raise UnknownChoice(field, theirs, text)
            found[key] = choice.value
        else:
            found[key] = text[:VALUE_MAX]
    return found


def local_snapshot(session: Session, deal: Deal, crm: str, links: Links | None = None) -> Snapshot:
    """A deal's synced fields as Salesbot has them (those its CRM carries, and the team's
    fields that sync with one of its fields)."""
    owner = session.get(Member, deal.owner_id)
    held = segments.held(session, deal) if links else {}
    values: Snapshot = {key: held.get(field.id) for key, (field, _theirs) in (links or {}).items()}
    return values | snapshot(
        customer=deal.customer,
        amount=deal.amount,
        currency=deal.currency,
        stage=deal.stage,
        close_date=deal.close_date,
        owner=owner.slack_user_id if owner is not None else None,
        next_step=deal.next_step,
        forecast=deal.forecast,
        fields=fields_of(crm),
    )


def _field_values(
    links: Links, values: Mapping[str, str | None]
) -> tuple[segments.FieldValue, ...]:
    """Snapshot values of synced team fields as values to give a deal."""
    return tuple(
        segments.FieldValue(links[key][0], value)
        for key, value in values.items()
        if key.startswith(FIELD_KEY) and key in links
    )


def _create(
    session: Session,
    connection: CrmConnection,
    team: SalesTeam,
    remote: RemoteDeal,
    owner: Member,
    stage_key: str,
    links: Links,
    *,
    now: datetime,
    quiet: bool,
) -> Applied:
    values = _field_values(
        links, {k: v for k, v in remote_values(remote, links).items() if v is not None}
    )
    stages = stage_list(session, connection.workspace_id)
    stage = stage_by_key(stages, stage_key)
    money = Money(
        remote.amount if remote.amount is not None else Decimal(0),
        remote.currency or team.currency,
    )
    customer = (remote.name or remote.record_id)[:200]
    if quiet:
        deal = _taken_as_it_is(session, connection, team, remote, owner, stage, money, customer)
        segments.set_values(session, deal, values)
    else:
        actor = _actor(owner, team, connection.crm, now)
        fields = DealFields(
            customer=customer,
            amount=money,
            stage=stage,
            close_date=remote.close_date,
            values=values,
        )
        deal = deals.add_deal(session, actor, fields).deal
    link = CrmRecord(
        workspace_id=connection.workspace_id,
        deal_id=deal.id,
        crm=connection.crm,
        record_id=remote.record_id,
        linked_at=now,
    )
    session.add(link)
    session.flush()
    session.add(
        CrmDealState(
            crm_record_id=link.id,
            synced=local_snapshot(session, deal, connection.crm, links)
            | {"_pipeline": remote.pipeline_id, "_stage_id": remote.stage_id},
            remote_modified_at=remote.modified_at,
            pulled_at=now,
        )
    )
    _clear(session, connection, remote)
    return Applied("quiet" if quiet else "created", deal.id, tuple(DEAL_FIELD))


def _taken_as_it_is(
    session: Session,
    connection: CrmConnection,
    team: SalesTeam,
    remote: RemoteDeal,
    owner: Member,
    stage: Stage,
    money: Money,
    customer: str,
) -> Deal:
    """A deal the CRM had before it was connected: stored as it is, nothing announced."""
    closed_at = None
    if stage.kind != "open":
        day = remote.close_date or remote.modified_at.date()
        closed_at = datetime.combine(day, time(12), tzinfo=ZoneInfo(team.timezone))
    deal = Deal(
        workspace_id=connection.workspace_id,
        number=deals.allocate_numbers(session, connection.workspace_id)[0],
        team_id=team.id,
        owner_id=owner.id,
        customer=customer,
        title="",
        amount=money.amount,
        currency=money.currency,
        stage=stage.key,
        close_date=remote.close_date,
        note="",
        lost_reason="",
        created_by_id=owner.id,
        created_at=remote.modified_at,
        updated_at=remote.modified_at,
        closed_at=closed_at,
    )
    session.add(deal)
    session.flush()
    session.add(
        DealEvent(
            workspace_id=deal.workspace_id,
            deal_id=deal.id,
            actor_id=owner.id,
            at=remote.modified_at,
            change_id=new_change_id(),
            action="import",
            field="deal",
            old_value=None,
            new_value=str(deal.number),
            source=connection.crm,
        )
    )
    return deal


def _update(
    session: Session,
    connection: CrmConnection,
    team: SalesTeam,
    link: CrmRecord,
    remote: RemoteDeal,
    owner: Member | None,
    stage_key: str | None,
    links: Links,
    *,
    now: datetime,
    push_owed: bool,
) -> Applied:
    deal = session.scalars(
        select(Deal)
        .where(Deal.id == link.deal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    state = session.scalars(
        select(CrmDealState).where(CrmDealState.crm_record_id == link.id)
    ).one_or_none()
    if state is None:
        state = CrmDealState(crm_record_id=link.id, synced={})
        session.add(state)
    if deal.deleted_at is not None:
        return Applied("skipped", deal.id)
    base: Snapshot = {k: v for k, v in state.synced.items() if not k.startswith("_")}
    local = local_snapshot(session, deal, connection.crm, links)
    theirs = _remote_snapshot(connection.crm, remote, deal.currency, stage_key, owner, links)
    if remote.stage_id is not None and remote.stage_id == state.synced.get("_stage_id"):
        # The CRM's stage is the one both sides last agreed on: it did not change there, even
        # where several of its stages map to one of ours (or ours to none of its).
        theirs["stage"] = base.get("stage", theirs.get("stage"))
    result = merge(
        base,
        local,
        theirs,
        local_at=_changed_in_salesbot(session, deal, links),
        remote_at={name: _remote_at(remote, name, links) for name in theirs},
    )
    if result.take:
        _take(session, connection, team, deal, result.take, owner, links, now=now)
    if result.overridden:
        _record_overridden(session, connection, deal, result.overridden, now=now)
    state.synced = {
        **result.synced,
        "_pipeline": remote.pipeline_id or state.synced.get("_pipeline"),
        "_stage_id": remote.stage_id if "stage" in theirs else state.synced.get("_stage_id"),
    }
    state.remote_modified_at = remote.modified_at
    state.pulled_at = now
    if result.push and push_owed:
        crm_outbox.owe_push(session, deal, team)
    _clear(session, connection, remote)
    return Applied("changed" if result.take else "unchanged", deal.id, tuple(result.take))


def _remote_at(remote: RemoteDeal, name: str, links: Links) -> datetime:
    """When a field last changed in the CRM (its record's last change where it does not say)."""
    if name in links:
        return remote.changed_at.get(f"custom:{links[name][1].key}", remote.modified_at)
    return remote.changed_at.get(name, remote.modified_at)


def _changed_in_salesbot(session: Session, deal: Deal, links: Links) -> dict[str, datetime | None]:
    """When each synced field last changed in Salesbot (its history, the CRM's lines aside);
    a team field's history is recorded under its snapshot key (`field:<name>`)."""
    fields = {deal_field: name for name, deal_field in DEAL_FIELD.items()}
    fields.update({key: key for key in links})
    fields["currency"] = "amount"
    fields["next_step_date"] = "next_step"
    query = (
        select(DealEvent.field, func.max(DealEvent.at))
        .where(
            DealEvent.deal_id == deal.id,
            DealEvent.source.is_(None),
            DealEvent.field.in_(list(fields)),
        )
        .group_by(DealEvent.field)
    )
    found: dict[str, datetime | None] = {}
    for field, at in session.execute(query):
        name = fields[field]
        earlier = found.get(name)
        found[name] = at if earlier is None or (at is not None and at > earlier) else earlier
    return found


def _take(
    session: Session,
    connection: CrmConnection,
    team: SalesTeam,
    deal: Deal,
    take: Mapping[str, str | None],
    owner: Member | None,
    links: Links,
    *,
    now: datetime,
) -> None:
    """Apply the CRM's changes through the deal services, in the owner's name."""
    if "owner" in take and owner is not None and owner.id != deal.owner_id:
        deals.reassign(session, _actor(owner, team, connection.crm, now), deal, owner)
    current = session.get(Member, deal.owner_id)
    assert current is not None
    stages = stage_list(session, connection.workspace_id)
    money = money_of(take["amount"]) if "amount" in take else None
    customer = take.get("customer")
    fields = DealFields(
        customer=customer[:200] if customer else None,
        amount=Money(*money) if money is not None else None,
        stage=stage_by_key(stages, str(take["stage"])) if take.get("stage") else None,
        close_date=_date(take.get("close_date")),
        next_step=_next_step(deal, take),
        forecast=(take["forecast"] or AUTO) if "forecast" in take else None,
        values=_field_values(links, take),
    )
    if fields != DealFields():
        deals.update_deal(session, _actor(current, team, connection.crm, now), deal, fields)
    if "close_date" in take and take["close_date"] is None and deal.close_date is not None:
        # Cleared in the CRM: DealFields cannot say "none", so it is cleared here, with history.
        actor = _actor(current, team, connection.crm, now)
        deals.clear_close_date(session, actor, deal)


def _next_step(deal: Deal, take: Mapping[str, str | None]) -> NextStep | None:
    """The CRM's next step (its text; no CRM has its date: Salesbot's date is kept)."""
    if "next_step" not in take:
        return None
    text = take["next_step"]
    return NextStep(text, deal.next_step_date) if text else NO_NEXT_STEP


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _record_overridden(
    session: Session,
    connection: CrmConnection,
    deal: Deal,
    overridden: Mapping[str, str | None],
    *,
    now: datetime,
) -> None:
    """What the CRM had where a later change in Salesbot won: in the history, with its source."""
    change_id = new_change_id()
    for name, value in overridden.items():
        field = DEAL_FIELD.get(name, name)
        shown = value
        if name == "amount" and value is not None:
            money = money_of(value)
            shown = str(money[0]) if money is not None else value
        if name == "owner" and value is not None:
            member = find_member(session, deal.workspace_id, value)
            shown = str(member.id) if member is not None else value
        session.add(
            DealEvent(
                workspace_id=deal.workspace_id,
                deal_id=deal.id,
                actor_id=deal.owner_id,
                at=now,
                change_id=change_id,
                action="overridden",
                field=field,
                old_value=None,
                new_value=shown,
                source=connection.crm,
            )
        )


def _clear(session: Session, connection: CrmConnection, remote: RemoteDeal) -> None:
    crm_connections.clear_problem(session, connection.id, f"record:{remote.record_id}")
    if remote.owner_id is not None:
        crm_connections.clear_problem(session, connection.id, f"owner:{remote.owner_id}")


def note_refused(
    session: Session, connection_id: int, record_id: str, reason: str, *, now: datetime
) -> None:
    """A record whose change the deal services refused (a win of zero): an error waiting."""
    crm_connections.note_problem(
        session,
        connection_id,
        f"record:{record_id}",
        {"code": "refused", "record": record_id, "reason": reason[:300]},
        now=now,
    )


def note_unknown_choice(
    session: Session, connection_id: int, record_id: str, error: UnknownChoice, *, now: datetime
) -> None:
    """A record holding a choice its team field does not have: an error waiting, tried again
    at each poll (cleared once the record is taken)."""
    connection = session.get(CrmConnection, connection_id)
    crm_connections.note_problem(
        session,
        connection_id,
        f"record:{record_id}",
        {
            "code": "choice_unknown",
            "crm": connection.crm if connection is not None else None,
            "record": record_id,
            "field": error.field.name,
            "label": error.remote.label,
            "value": error.value,
        },
        now=now,
    )


def pushed(
    session: Session,
    *,
    deal_id: int,
    crm: str,
    record_id: str,
    values: Snapshot,
    pipeline_id: str | None,
    now: datetime,
) -> bool:
    """A write to the CRM succeeded: the record is linked (a create) and what was written is
    now what both sides agree on. False when the deal was linked to another record meanwhile.

    A deal linked to another CRM (imported from a Salesforce export, then HubSpot connected)
    is linked to this one instead once it is created here: the live CRM's record replaces the
    other's link (a deal has one CRM record)."""
    deal = session.get(Deal, deal_id)
    if deal is None:
        return False
    link = session.scalars(select(CrmRecord).where(CrmRecord.deal_id == deal_id)).one_or_none()
    if link is not None and link.crm != crm:
        session.execute(delete(CrmDealState).where(CrmDealState.crm_record_id == link.id))
        session.delete(link)
        session.flush()
        link = None
    if link is None:
        inserted = insert_once(
            session,
            CrmRecord,
            {
                "workspace_id": deal.workspace_id,
                "deal_id": deal_id,
                "crm": crm,
                "record_id": record_id,
                "linked_at": now,
            },
            ["workspace_id", "crm", "record_id"],
        )
        if not inserted:
            return False
        link = session.scalars(select(CrmRecord).where(CrmRecord.deal_id == deal_id)).one()
    elif link.record_id != record_id:
        return False
    state = session.scalars(
        select(CrmDealState).where(CrmDealState.crm_record_id == link.id)
    ).one_or_none()
    if state is None:
        state = CrmDealState(crm_record_id=link.id, synced={})
        session.add(state)
    merged = {**state.synced, **values}
    if pipeline_id is not None:
        merged["_pipeline"] = pipeline_id
    state.synced = merged
    state.pushed_at = now
    return True
