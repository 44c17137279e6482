"""Deals: record, change, close, reopen, undo; every change writes its history in the same
transaction."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, null, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.amounts import Money, Rates
from bot.domain.deal_fields import field_of_event
from bot.domain.forecast import AUTO
from bot.domain.next_steps import NextStep, is_overdue
from bot.domain.stages import Stage, shown_label
from bot.domain.text import DealRefs, Wording, worded
from bot.i18n import N_, _
from bot.results.deals import DealRow, ForeignPart, HistoryLine, StageTotal, TakenBack
from bot.results.notices import DealAssigned
from bot.services import crm_outbox, notices, recognition, segments
from bot.services.actor import Actor
from bot.services.directory import stages_of, team_of
from bot.services.errors import Refused
from bot.services.facts import (
    DEAL_FACT_COLUMNS,
    PERSON_COLUMNS,
    deal_facts_of,
    person,
    person_of,
)
from bot.services.language import member_language
from bot.services.metrics import each_foreign_amount, group_value, rates_of
from models import Deal, DealCounter, DealEvent, FxRate, Member, SalesTeam

UNDO_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class DealFields:
    """Field values a command wants to set on a deal (None: leave as is)."""

    customer: str | None = None
    title: str | None = None
    amount: Money | None = None
    stage: Stage | None = None
    close_date: date | None = None
    note: str | None = None
    # NO_NEXT_STEP takes the deal's next step away.
    next_step: NextStep | None = None
    # A forecast category, or "auto" to follow the stage again (bot.domain.forecast).
    forecast: str | None = None
    # Values of the team's deal fields (bot.services.segments).
    values: tuple[segments.FieldValue, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a change did, for the reply."""

    deal: Deal
    events: list[DealEvent]
    warnings: list[Wording]
    taken_back: TakenBack = recognition.NOTHING_TAKEN


def stage_list(session: Session, workspace_id: str) -> list[Stage]:
    """The workspace's stages as domain values, default labels in the current language."""
    return [
        Stage(s.key, shown_label(s.key, s.label), s.probability, s.kind, s.position)  # type: ignore[arg-type]
        for s in stages_of(session, workspace_id)
    ]


def stage_by_key(stages: Sequence[Stage], key: str) -> Stage:
    """The stage with this key (stages are never deleted while deals use them)."""
    for stage in stages:
        if stage.key == key:
            return stage
    return Stage(key, key, Decimal(0), "open", 99)


def new_change_id() -> str:
    """An id shared by the events of one command, so undo reverts them together."""
    return uuid.uuid4().hex


def event_value(value: object) -> str | None:
    """A value as a deal's history keeps it (dates in ISO form)."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _record(
    session: Session,
    actor: Actor,
    deal: Deal,
    change_id: str,
    action: str,
    field: str,
    old: object,
    new: object,
) -> DealEvent:
    event = DealEvent(
        workspace_id=deal.workspace_id,
        deal_id=deal.id,
        actor_id=actor.member.id,
        at=actor.now,
        change_id=change_id,
        action=action,
        field=field,
        old_value=event_value(old),
        new_value=event_value(new),
        source=actor.source,
    )
    session.add(event)
    return event


def allocate_numbers(session: Session, workspace_id: str, count: int = 1) -> range:
    """The next `count` deal numbers of the workspace (its first deal is #1), taken in the
    caller's transaction: one statement, an upsert of the workspace's counter row.

    Safe under concurrency on both databases. On PostgreSQL (READ COMMITTED) the upsert locks
    the counter row, or the row a concurrent first insert is creating, until commit; a second
    transaction waits for it and then increments the committed value, so each gets distinct
    numbers. On SQLite every writer holds the database's write lock (BEGIN IMMEDIATE, bot.db)
    for its whole transaction. A rolled-back transaction rolls its increment back too, so
    numbers have no gaps and are never reused; the unique (workspace_id, number) key backs
    this up."""
    statement = _TAKE_NUMBERS[session.get_bind().dialect.name]
    last = session.execute(statement, {"workspace_id": workspace_id, "count": count}).scalar_one()
    return range(last - count + 1, last + 1)


def _take_numbers(insert: Callable[..., Any]) -> Any:
    first = insert(DealCounter).values(
        workspace_id=bindparam("workspace_id"), last_number=bindparam("count")
    )
    return first.on_conflict_do_update(
        index_elements=[DealCounter.workspace_id],
        set_={"last_number": DealCounter.last_number + first.excluded.last_number},
    ).returning(DealCounter.last_number)


# Every add runs it: built once per dialect, its values bound.
_TAKE_NUMBERS = {
    "postgresql": _take_numbers(postgresql.insert),
    "sqlite": _take_numbers(sqlite.insert),
}


def add_deal(session: Session, actor: Actor, fields: DealFields) -> Outcome:
    """Record a new deal owned by the caller."""
    assert fields.customer is not None and fields.amount is not None
    stages = stage_list(session, actor.workspace_id)
    stage = fields.stage or stages[0]
    deal = Deal(
        workspace_id=actor.workspace_id,
        number=allocate_numbers(session, actor.workspace_id)[0],
        team_id=actor.team.id if actor.team else None,
        owner_id=actor.member.id,
        customer=fields.customer,
        title=fields.title or "",
        amount=fields.amount.amount,
        currency=fields.amount.currency,
        stage=stage.key,
        close_date=fields.close_date,
        note=fields.note or "",
        next_step=fields.next_step.text if fields.next_step else "",
        next_step_date=fields.next_step.due if fields.next_step else None,
        lost_reason="",
        created_by_id=actor.member.id,
        created_at=actor.now,
        updated_at=actor.now,
        closed_at=actor.now if stage.kind != "open" else None,
    )
    session.add(deal)
    session.flush()
    # Its first values go with its creation, as its other fields do.
    segments.set_values(session, deal, fields.values)
    change_id = new_change_id()
    events = [_record(session, actor, deal, change_id, "create", "deal", None, deal.number)]
    nothing_before = recognition.DealBefore(deal.owner_id, deal.team_id, won=False, closed_at=None)
    _settle(session, deal, nothing_before, actor, change_id)
    crm_outbox.deal_changed(session, actor, deal)
    warnings = _warnings(deal, actor, stage, fields.next_step)
    if actor.team is None:
        warnings.append(
            worded(
                _(
                    "You are not in a sales team yet: ask a manager to run `/salesbot setup` in "
                    "your team's channel, or `/salesbot team add @you`."
                )
            )
        )
    return Outcome(deal, events, warnings)


def _warnings(
    deal: Deal, actor: Actor, stage: Stage, next_step: NextStep | None = None
) -> list[Wording]:
    warnings = []
    if stage.kind == "open" and deal.close_date is not None and deal.close_date < actor.today:
        warnings.append(worded(_("The close date {date} is in the past."), date=deal.close_date))
    if next_step is not None and is_overdue(next_step.due, actor.today):
        assert next_step.due is not None
        warnings.append(
            worded(_("The next step's date {date} is in the past."), date=next_step.due)
        )
    return warnings


def check_can_change(actor: Actor, deal: Deal) -> None:
    """Reps change only their own deals; managers any deal of their workspace."""
    if deal.owner_id != actor.member.id and not actor.member.can_manage:
        raise Refused(
            _("Deal #{id} belongs to someone else: only its owner or a manager can change it."),
            id=deal.number,
        )


def update_deal(
    session: Session, actor: Actor, deal: Deal, fields: DealFields, *, lost_reason: str = ""
) -> Outcome:
    """Change fields of a deal; moving to a won or lost stage closes it, and back reopens it."""
    check_can_change(actor, deal)
    was = recognition.before(session, deal)
    change_id = new_change_id()
    events: list[DealEvent] = []
    changes: list[tuple[str, object]] = [
        ("customer", fields.customer),
        ("title", fields.title),
        ("note", fields.note),
        ("close_date", fields.close_date),
    ]
    if fields.amount is not None:
        changes += [("amount", fields.amount.amount), ("currency", fields.amount.currency)]
    for name, value in changes:
        if value is not None and getattr(deal, name) != value:
            events.append(
                _record(session, actor, deal, change_id, "update", name, getattr(deal, name), value)
            )
            setattr(deal, name, value)
    for change in segments.set_values(session, deal, fields.values):
        events.append(
            _record(
                session,
                actor,
                deal,
                change_id,
                "update",
                change.event_field,
                change.old,
                change.new,
            )
        )
    next_step = fields.next_step
    if next_step is not None:
        # Set and cleared together: a step without its date (or a date alone) is none.
        events += _set_next_step(session, actor, deal, change_id, next_step)
    if fields.forecast is not None:
        chosen = None if fields.forecast == AUTO else fields.forecast
        if chosen != deal.forecast:
            events.append(
                _record(
                    session, actor, deal, change_id, "update", "forecast", deal.forecast, chosen
                )
            )
            deal.forecast = chosen
    stages = stage_list(session, actor.workspace_id)
    stage = fields.stage
    if stage is not None and stage.key != deal.stage:
        events += _move_stage(session, actor, deal, stage, change_id, lost_reason)
    taken = recognition.NOTHING_TAKEN
    if events:
        deal.updated_at = actor.now
        taken = _settle(session, deal, was, actor, change_id)
        crm_outbox.deal_changed(session, actor, deal)
    warnings = _warnings(deal, actor, stage_by_key(stages, deal.stage), next_step)
    return Outcome(deal, events, warnings, taken)


def _set_next_step(
    session: Session, actor: Actor, deal: Deal, change_id: str, step: NextStep
) -> list[DealEvent]:
    """The deal's next step and its date, each change recorded (so undo puts both back)."""
    events = []
    for name, value in (("next_step", step.text), ("next_step_date", step.due)):
        if getattr(deal, name) != value:
            events.append(
                _record(session, actor, deal, change_id, "update", name, getattr(deal, name), value)
            )
            setattr(deal, name, value)
    return events


def clear_close_date(session: Session, actor: Actor, deal: Deal) -> Outcome:
    """Take a deal's close date away (DealFields can only set one), with history."""
    check_can_change(actor, deal)
    if deal.close_date is None:
        return Outcome(deal, [], [])
    event = _record(
        session, actor, deal, new_change_id(), "update", "close_date", deal.close_date, None
    )
    deal.close_date = None
    deal.updated_at = actor.now
    crm_outbox.deal_changed(session, actor, deal)
    return Outcome(deal, [event], [])


def _settle(
    session: Session,
    deal: Deal,
    was: recognition.DealBefore,
    actor: Actor,
    change_id: str,
    *,
    undo: bool = False,
) -> TakenBack:
    """Grant what the change earned and take back what it no longer earns."""
    return recognition.after_deal_change(
        session, deal, was, actor=actor.member, now=actor.now, change_id=change_id, undo=undo
    )


def _move_stage(
    session: Session,
    actor: Actor,
    deal: Deal,
    stage: Stage,
    change_id: str,
    lost_reason: str,
) -> list[DealEvent]:
    if stage.kind == "won" and deal.amount <= 0:
        raise Refused(_("A won deal needs an amount above zero: `/deal won #12 15k`."))
    events = [_record(session, actor, deal, change_id, "update", "stage", deal.stage, stage.key)]
    deal.stage = stage.key
    closed_at = None if stage.kind == "open" else actor.now
    if closed_at != deal.closed_at:
        events.append(
            _record(
                session, actor, deal, change_id, "update", "closed_at", deal.closed_at, closed_at
            )
        )
        deal.closed_at = closed_at
    new_reason = lost_reason if stage.kind == "lost" else ""
    if new_reason != deal.lost_reason:
        events.append(
            _record(
                session,
                actor,
                deal,
                change_id,
                "update",
                "lost_reason",
                deal.lost_reason,
                new_reason,
            )
        )
        deal.lost_reason = new_reason
    return events


def reopen_stage(session: Session, deal: Deal, stages: Sequence[Stage]) -> Stage:
    """The open stage a closed deal goes back to: where it was before it closed."""
    query = (
        select(DealEvent.old_value)
        .where(DealEvent.deal_id == deal.id, DealEvent.field == "stage")
        .order_by(DealEvent.id.desc())
    )
    for key in session.scalars(query):
        if key is not None and stage_by_key(stages, key).kind == "open":
            return stage_by_key(stages, key)
    open_stages = [s for s in stages if s.kind == "open"]
    return open_stages[-1]


def find_deal(
    session: Session,
    actor: Actor,
    ref: str,
    *,
    for_update: bool = False,
    closed: bool = False,
    verb: str = "show",
) -> Deal:
    """A deal by its number in the workspace (`#12`, `12`) or customer name (exact, then
    unique prefix; mine, then team's), among open deals or, with `closed`, closed ones.
    `verb` is the /deal command to suggest when a name matches several.

    With `for_update`, the row is locked until commit, so two commands changing one deal at
    the same moment (a double submit, two workers) run one after the other and the second sees
    what the first did.
    """
    text = ref.strip()
    number = text.removeprefix("#")
    if number.isdigit() and number.isascii():
        deal = _locked(session, int(number), actor.workspace_id, for_update)
        if deal is None:
            raise Refused(
                _("There is no deal #{number}. See your deals with `/deal list`."), number=number
            )
        return deal
    found = _deal_by_name(session, actor, text, closed=closed, verb=verb)
    if not for_update:
        return found
    locked = _locked(session, found.number, actor.workspace_id, for_update)
    assert locked is not None
    return locked


def _locked(session: Session, number: int, workspace_id: str, for_update: bool) -> Deal | None:
    query = select(Deal).where(
        Deal.workspace_id == workspace_id, Deal.number == number, Deal.deleted_at.is_(None)
    )
    if for_update:
        # populate_existing: after waiting for the lock, take the row as the winner left it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


def _deal_by_name(session: Session, actor: Actor, name: str, *, closed: bool, verb: str) -> Deal:
    folded = name.casefold()
    scopes = [Deal.owner_id == actor.member.id]
    if actor.team is not None:
        scopes.append(Deal.team_id == actor.team.id)
    for scope in scopes:
        candidates = list(
            session.scalars(
                select(Deal)
                .where(
                    Deal.workspace_id == actor.workspace_id,
                    Deal.closed_at.is_not(None) if closed else Deal.closed_at.is_(None),
                    Deal.deleted_at.is_(None),
                    scope,
                )
                .order_by(Deal.id)
            )
        )
        exact = [d for d in candidates if d.customer.casefold() == folded]
        matches = exact or [d for d in candidates if d.customer.casefold().startswith(folded)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listed = DealRefs(tuple((d.number, d.customer) for d in matches[:10]))
            several = _SEVERAL_UPDATE if verb == "update" else _SEVERAL
            raise Refused(
                _(several),
                name=name,
                listed=listed,
                id=matches[0].number,
                verb=verb,
            )
    if closed:
        raise Refused(_("I found no closed deal of yours for “{name}”."), name=name)
    raise Refused(
        _("I found no open deal for “{name}”. See your deals with `/deal list`."), name=name
    )


_SEVERAL = N_(
    "“{name}” matches several deals: {listed}. Use the number, e.g. `/deal {verb} #{id}`."
)
_SEVERAL_UPDATE = N_(
    "“{name}” matches several deals: {listed}. Use the number, e.g. `/deal #{id} …`."
)


def assign(session: Session, actor: Actor, deal: Deal, new_owner: Member) -> Outcome:
    """Give a deal to another member (managers only); it moves to their team."""
    if not actor.member.can_manage:
        raise Refused(_("Only managers can assign deals. Ask a manager, or see `/deal help`."))
    if new_owner.workspace_id != deal.workspace_id:
        raise Refused(_("That person is not in this workspace."))
    return reassign(session, actor, deal, new_owner)


def reassign(session: Session, actor: Actor, deal: Deal, new_owner: Member) -> Outcome:
    """Give a deal to another member of its workspace, whoever asks (`assign` checks that a
    manager does; the CRM sync acts for the CRM's owner)."""
    change_id = new_change_id()
    events = []
    previous = session.get(Member, deal.owner_id)
    was = recognition.before(session, deal)
    taken = recognition.NOTHING_TAKEN
    if new_owner.id != deal.owner_id:
        events.append(
            _record(
                session, actor, deal, change_id, "update", "owner_id", deal.owner_id, new_owner.id
            )
        )
        deal.owner_id = new_owner.id
        team = team_of(session, new_owner)
        if team is not None and team.id != deal.team_id:
            events.append(
                _record(session, actor, deal, change_id, "update", "team_id", deal.team_id, team.id)
            )
            deal.team_id = team.id
        deal.updated_at = actor.now
        taken = _settle(session, deal, was, actor, change_id)
        _tell_owners(session, actor, deal, previous, new_owner)
        crm_outbox.deal_changed(session, actor, deal)
    return Outcome(deal, events, [], taken)


def _tell_owners(
    session: Session, actor: Actor, deal: Deal, previous: Member | None, new_owner: Member
) -> None:
    """The new owner and the previous one hear of it in a DM (not whoever did it: they know)."""
    for member, received in ((new_owner, True), (previous, False)):
        if member is None or member.id == actor.member.id:
            continue
        notices.record(
            session,
            DealAssigned(
                workspace_id=deal.workspace_id,
                language=member_language(session, member),
                user_id=member.slack_user_id,
                received=received,
                deal_number=deal.number,
                customer=deal.customer,
                amount=deal.amount,
                currency=deal.currency,
                by_user_id=actor.member.slack_user_id,
                to_user_id=new_owner.slack_user_id,
            ),
        )


FIELD_PARSERS: dict[str, Callable[[str], object]] = {
    "customer": str,
    "title": str,
    "note": str,
    "stage": str,
    "currency": str,
    "lost_reason": str,
    "forecast": str,
    "amount": Decimal,
    "owner_id": int,
    "team_id": int,
    "close_date": date.fromisoformat,
    "next_step": str,
    "next_step_date": date.fromisoformat,
    "closed_at": datetime.fromisoformat,
    "deleted_at": datetime.fromisoformat,
}


def undo_last(session: Session, actor: Actor) -> Outcome:
    """Revert the caller's own last change made within 10 minutes; the undo is history too."""
    last = session.scalars(
        select(DealEvent)
        .where(
            DealEvent.workspace_id == actor.workspace_id,
            DealEvent.actor_id == actor.member.id,
            DealEvent.at >= actor.now - UNDO_WINDOW,
            # An import is not the member's own change, and an undo is not undone by undo;
            # what the CRM changed in their name is not theirs to undo either.
            # An activity logged on the deal is taken back by /log undo, not /deal undo.
            DealEvent.action.not_in(("undo", "import", "overridden", "log", "unlog")),
            DealEvent.undone_by.is_(None),
            DealEvent.source.is_(None),
        )
        .order_by(DealEvent.id.desc())
        .limit(1)
    ).one_or_none()
    if last is None:
        raise Refused(_("Nothing to undo: you made no change in the last 10 minutes."))
    batch = list(
        session.scalars(
            select(DealEvent)
            .where(DealEvent.change_id == last.change_id)
            .order_by(DealEvent.id.desc())
        )
    )
    deal = session.get(Deal, last.deal_id, with_for_update=True, populate_existing=True)
    assert deal is not None
    check_can_change(actor, deal)
    _refuse_if_changed_since(session, deal, batch)
    was = recognition.before(session, deal)
    undo_id = new_change_id()
    events = []
    for event in batch:
        if event.action == "create":
            events.append(
                _record(session, actor, deal, undo_id, "undo", "deleted_at", None, actor.now)
            )
            deal.deleted_at = actor.now
        elif (name := field_of_event(event.field)) is not None:
            put = segments.restore(session, deal, name, event.old_value)
            events.append(
                _record(session, actor, deal, undo_id, "undo", event.field, put.old, put.new)
            )
        else:
            parse = FIELD_PARSERS[event.field]
            old = None if event.old_value is None else parse(event.old_value)
            events.append(
                _record(
                    session,
                    actor,
                    deal,
                    undo_id,
                    "undo",
                    event.field,
                    getattr(deal, event.field),
                    old,
                )
            )
            setattr(deal, event.field, old)
        event.undone_by = undo_id
    deal.updated_at = actor.now
    taken = _settle(session, deal, was, actor, undo_id, undo=True)
    crm_outbox.deal_changed(session, actor, deal)
    return Outcome(deal, events, [], taken)


def _refuse_if_changed_since(session: Session, deal: Deal, batch: Sequence[DealEvent]) -> None:
    """Undo must not wipe out what someone did after the change it reverts."""
    later = session.scalars(
        select(DealEvent).where(
            DealEvent.deal_id == deal.id,
            DealEvent.id > max(e.id for e in batch),
            DealEvent.undone_by.is_(None),
            # An activity logged since changed nothing /deal undo would wipe out.
            DealEvent.action.not_in(("log", "unlog")),
        )
    ).first()
    if later is not None:
        raise Refused(
            _(
                "Deal #{id} has changed since your last change, so I did not undo it. "
                "See `/deal show #{id}`."
            ),
            id=deal.number,
        )


def _open_deals(priced: bool) -> Select[Any]:
    """Open deals with their owners by close date (undated last); `priced`: with each deal's
    rate into the viewer's team currency (NULL without one), so valuing costs no statement."""
    rate = FxRate.rate if priced else null()
    query = (
        select(*DEAL_FACT_COLUMNS, *PERSON_COLUMNS, rate)
        .join(Member, Deal.owner_id == Member.id)
        .where(
            Deal.workspace_id == bindparam("workspace_id"),
            Deal.closed_at.is_(None),
            Deal.deleted_at.is_(None),
        )
    )
    if priced:
        query = query.outerjoin(
            FxRate,
            and_(FxRate.team_id == bindparam("viewer_id"), FxRate.currency == Deal.currency),
        )
    return query.order_by(Deal.close_date.is_(None), Deal.close_date, Deal.id)


# Every list and App Home runs one: built once, filters added and values bound per call.
_OPEN_DEALS = {priced: _open_deals(priced) for priced in (True, False)}


def list_open(
    session: Session,
    actor: Actor,
    *,
    owner: Member | None = None,
    team: SalesTeam | None = None,
    stage_key: str | None = None,
    idle_days: int | None = None,
    needs_next_step: bool = False,
    segment: segments.FieldValue | None = None,
    limit: int = 500,
) -> list[DealRow]:
    """Open deals by close date (undated last), with the days since their last update, each
    valued in the caller's team currency (the one their totals are in); `needs_next_step`:
    only those with no next step or an overdue one (by the caller's date); `segment`: only
    those with this value of a deal field."""
    viewer = actor.team
    query = _OPEN_DEALS[viewer is not None]
    if owner is not None:
        query = query.where(Deal.owner_id == owner.id)
    if team is not None:
        query = query.where(Deal.team_id == team.id)
    if stage_key is not None:
        query = query.where(Deal.stage == stage_key)
    if idle_days is not None:
        query = query.where(Deal.updated_at < actor.now - timedelta(days=idle_days))
    if segment is not None:
        query = query.where(segments.has_value(segment.field.id, segment.value))
    if needs_next_step:
        query = query.where(or_(Deal.next_step_date.is_(None), Deal.next_step_date < actor.today))
    query = query.limit(limit)
    stages = stage_list(session, actor.workspace_id)
    currency = viewer.currency if viewer is not None else "CNY"
    deal_end = len(DEAL_FACT_COLUMNS)
    person_end = deal_end + len(PERSON_COLUMNS)
    rows = []
    values: dict[str, object] = {"workspace_id": actor.workspace_id}
    if viewer is not None:
        values["viewer_id"] = viewer.id
    for row in session.execute(query, values):
        deal = deal_facts_of(row[:deal_end])
        found = row[person_end]
        rows.append(
            DealRow(
                deal,
                person_of(row[deal_end:person_end]),
                stage_by_key(stages, deal.stage),
                (actor.now - deal.updated_at).days,
                Rates(currency, {deal.currency: found} if found else {}).money(
                    deal.amount, deal.currency
                ),
                is_overdue(deal.next_step_date, actor.today),
            )
        )
    return rows


def history(session: Session, deal: Deal) -> list[HistoryLine]:
    """Every change of a deal, oldest first."""
    query = (
        select(DealEvent, Member)
        .join(Member, DealEvent.actor_id == Member.id)
        .where(DealEvent.deal_id == deal.id, DealEvent.workspace_id == deal.workspace_id)
        .order_by(DealEvent.id)
    )
    lines = [
        HistoryLine(e.at, person(m), e.action, e.field, e.old_value, e.new_value, e.source)
        for e, m in session.execute(query)
    ]
    return [_with_people(session, line) for line in lines]


def _with_people(session: Session, line: HistoryLine) -> HistoryLine:
    """Owner changes are stored as member ids; the view names them by their Slack ids."""
    if line.field != "owner_id":
        return line

    def slack_id(value: str | None) -> str | None:
        member = session.get(Member, int(value)) if value else None
        return member.slack_user_id if member else value

    return replace(line, old_value=slack_id(line.old_value), new_value=slack_id(line.new_value))


def pipeline(
    session: Session,
    workspace_id: str,
    *,
    reporting: SalesTeam | None,
    owner: Member | None = None,
    team: SalesTeam | None = None,
) -> list[StageTotal]:
    """Open deals per stage, in the currency of the `reporting` team (converted deal by deal,
    bot.domain.amounts): count, total and weighted forecast (probability × total); what was
    entered in other currencies is listed beside each stage's total."""
    rates = rates_of(session, reporting)
    each = each_foreign_amount(rates.currency)
    query = (
        select(Deal.stage, Deal.currency, each, func.count(Deal.id), func.sum(Deal.amount))
        .where(
            Deal.workspace_id == workspace_id,
            Deal.closed_at.is_(None),
            Deal.deleted_at.is_(None),
        )
        .group_by(Deal.stage, Deal.currency, each)
    )
    if owner is not None:
        query = query.where(Deal.owner_id == owner.id)
    if team is not None:
        query = query.where(Deal.team_id == team.id)
    counts: dict[str, int] = defaultdict(int)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    foreign: dict[str, dict[str, tuple[Decimal, Decimal | None]]] = defaultdict(dict)
    for key, currency, one, count, total in session.execute(query):
        value = group_value(rates, currency, one, total, count)
        counts[key] += count
        totals[key] += value
        if currency != rates.currency:
            entered, converted = foreign[key].get(currency, (Decimal(0), Decimal(0)))
            foreign[key][currency] = (
                entered + Decimal(total or 0),
                (converted or Decimal(0)) + value if rates.knows(currency) else None,
            )
    stages = stage_list(session, workspace_id)
    rows = []
    for key in counts:
        stage = stage_by_key(stages, key)
        parts = tuple(
            ForeignPart(Money(entered, currency), value)
            for currency, (entered, value) in sorted(foreign[key].items())
        )
        weighted = (totals[key] * stage.probability).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(StageTotal(stage, rates.currency, counts[key], totals[key], weighted, parts))
    return sorted(rows, key=lambda row: row.stage.position)
