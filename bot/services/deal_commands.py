"""Carry out a parsed /deal command: typed texts become validated values, then a deal change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.domain import deal_command as cmd
from bot.domain.amounts import AmountError, Money, parse_amount, require_positive
from bot.domain.dates import DateError, parse_close_date
from bot.domain.deal_command import USAGE
from bot.domain.forecast import AUTO
from bot.domain.next_steps import (
    NEXT_STEP_MAX,
    NO_NEXT_STEP,
    NextStep,
    NextStepError,
    is_overdue,
    parse_next_step,
)
from bot.domain.stages import Stage, StageError, next_open, resolve_stage
from bot.domain.text import Mention, TextTooLongError, clean_text, worded
from bot.i18n import N_, _
from bot.results.deals import (
    Changed,
    ChangeFacts,
    FieldChange,
    Listed,
    PipelineView,
    Result,
    Shown,
)
from bot.services import deals, forecast, guards
from bot.services.actor import Actor
from bot.services.deals import DealFields, Outcome
from bot.services.directory import ensure_member, find_member, team_of
from bot.services.errors import FormErrors, Refused
from bot.services.events import first_delivery
from bot.services.facts import deal_facts, person
from bot.services.guards import Confirmed
from bot.services.metrics import deal_value, fx_rates
from models import Deal, Member, SalesTeam

NAME_MAX = 200
NOTE_MAX = 2000
REASON_MAX = 500


def default_currency(actor: Actor) -> str:
    """The caller's team currency, or CNY for someone in no team yet."""
    return actor.team.currency if actor.team else "CNY"


def read_amount(session: Session, text: str, actor: Actor, usage: str) -> Money:
    """An amount typed by the caller, in a currency their team can report in."""
    try:
        money = parse_amount(text, default_currency(actor))
    except AmountError as error:
        raise Refused.plain_text(str(error), usage) from None
    require_rate(session, actor, money.currency)
    return money


def require_rate(session: Session, actor: Actor, currency: str) -> None:
    """Refuse a currency the team has no exchange rate for: its deals could not be counted."""
    team = actor.team
    if team is None or currency == team.currency or currency in fx_rates(session, team):
        return
    raise Refused(
        _(
            "{team} reports in {team_currency} and has no exchange rate for {currency} yet, so "
            "this deal could not count toward targets. A manager can add one with "
            "`/salesbot fx {currency} 7.8`, or give the amount in {team_currency}."
        ),
        team=team.name,
        team_currency=team.currency,
        currency=currency,
    )


def read_stage(session: Session, text: str, actor: Actor, usage: str) -> Stage:
    """A stage typed by the caller (English, Chinese or a unique prefix)."""
    try:
        return resolve_stage(text, deals.stage_list(session, actor.workspace_id))
    except StageError as error:
        refused = Refused.plain_text(str(error), usage)
        if error.meant is not None:
            refused = refused.with_hint(_("Did you mean `{stage}`?"), stage=error.meant)
        raise refused from None


def read_date(text: str, actor: Actor, usage: str) -> date:
    """A close date typed by the caller, read in their time zone (`next month`: its last day)."""
    try:
        return parse_close_date(text, today=actor.today)
    except DateError as error:
        raise Refused.plain_text(str(error), usage) from None


def read_next_step(text: str, actor: Actor, usage: str) -> NextStep:
    """A next step typed by the caller (`"send the proposal" friday`, `done`), its date read
    in their time zone."""
    try:
        return parse_next_step(text, today=actor.today)
    except NextStepError as error:
        raise Refused.plain_text(str(error), usage) from None


# What read_text says about each kind of free text.
_TOO_LONG = {
    "customer name": N_("The customer name is too long: {most} characters at most."),
    "title": N_("The title is too long: {most} characters at most."),
    "note": N_("The note is too long: {most} characters at most."),
    "reason": N_("The reason is too long: {most} characters at most."),
    "next step": N_("The next step is too long: {most} characters at most."),
}
_EMPTY = {
    "customer name": N_("The customer name is empty."),
    "title": N_("The title is empty."),
    "note": N_("The note is empty."),
    "reason": N_("The reason is empty."),
    "next step": N_("What is the next step?"),
}


def read_text(text: str, what: str, max_len: int, usage: str, *, multiline: bool = False) -> str:
    """Free text with control characters stripped and its length bounded; `what` is one of
    customer name, title, note, reason and next step."""
    try:
        cleaned = clean_text(text, max_len=max_len, multiline=multiline)
    except TextTooLongError:
        raise Refused(_(_TOO_LONG[what]), usage, most=max_len) from None
    if not cleaned:
        raise Refused(_(_EMPTY[what]), usage)
    return cleaned


def advance(session: Session, actor: Actor, ref: cmd.DealNumber) -> Result:
    """Move a deal to the next open stage (App Home's Advance button)."""
    deal = deals.find_deal(session, actor, f"#{ref.number}")
    following = next_open(deals.stage_list(session, actor.workspace_id), deal.stage)
    if following is None:
        raise Refused(
            _("Deal #{id} is at its last open stage: mark it won or lost."), id=deal.number
        )
    return execute(session, actor, cmd.Update(ref, (("stage", following.label),)))


def execute(
    session: Session, actor: Actor, command: cmd.DealCommand, confirmed: Confirmed | None = None
) -> Result:
    """Carry out one command for the caller; raises Refused for anything it will not do, and
    Unconfirmed for a change to ask about first (`confirmed`: what the caller said yes to)."""
    match command:
        case cmd.Add():
            return _add(session, actor, command, confirmed)
        case cmd.Update():
            return _update(session, actor, command, confirmed)
        case cmd.Won():
            return _won(session, actor, command, confirmed)
        case cmd.Lost():
            return _lost(session, actor, command)
        case cmd.Reopen():
            return _reopen(session, actor, command)
        case cmd.List():
            return _list(session, actor, command)
        case cmd.Show():
            return _show(session, actor, command)
        case cmd.Pipeline():
            return _pipeline(session, actor, command)
        case cmd.Undo():
            return _changed(session, "undo", deals.undo_last(session, actor))
        case cmd.Assign():
            return _assign(session, actor, command)
    raise Refused(_("That is not something /deal can do."), USAGE["help"])


def _changed(session: Session, verb: str, outcome: Outcome) -> Changed:
    owner = session.get(Member, outcome.deal.owner_id)
    assert owner is not None
    stages = deals.stage_list(session, outcome.deal.workspace_id)
    people = {}
    for event in outcome.events:
        if event.field == "owner_id":
            for value in (event.old_value, event.new_value):
                member = session.get(Member, int(value)) if value else None
                if member is not None:
                    people[value or ""] = member.slack_user_id
    stage = deals.stage_by_key(stages, outcome.deal.stage)
    facts = ChangeFacts(
        deal_facts(outcome.deal),
        tuple(FieldChange(e.action, e.field, e.old_value, e.new_value) for e in outcome.events),
        tuple(outcome.warnings),
        outcome.taken_back,
    )
    return Changed(verb, facts, stage, person(owner), people, deal_value(session, outcome.deal))


def confirm(
    session: Session, actor: Actor, command: cmd.DealCommand, confirmed: Confirmed
) -> Result | None:
    """Carry out a command whose question the caller answered with a button; None when that
    question was answered already (a second press changes nothing)."""
    if not guards.claim(session, actor, confirmed.key):
        return None
    return execute(session, actor, command, confirmed)


def cancel(session: Session, actor: Actor, key: str) -> bool:
    """The caller said no: the question is answered, so a later press of its other buttons
    changes nothing; False when it was answered already."""
    return guards.claim(session, actor, key)


def _add(session: Session, actor: Actor, command: cmd.Add, confirmed: Confirmed | None) -> Changed:
    usage = USAGE["add"]
    customer = read_text(command.customer, "customer name", NAME_MAX, usage)
    amount = read_amount(session, command.amount_text, actor, usage)
    stage = close_date = None
    with _after_note(command.note_cut, "stage"):
        if command.stage_text:
            stage = read_stage(session, command.stage_text, actor, usage)
    with _after_note(command.note_cut, "close"):
        if command.close_text:
            close_date = read_date(command.close_text, actor, usage)
    fields = DealFields(
        customer=customer,
        amount=amount,
        stage=stage,
        close_date=close_date,
        note=read_text(command.note, "note", NOTE_MAX, usage, multiline=True)
        if command.note
        else None,
    )
    if fields.stage is not None and fields.stage.kind == "won":
        _require_positive(fields.amount, usage)
    return _add_fields(session, actor, fields, confirmed)


@contextmanager
def _after_note(cut: tuple[cmd.Field, str] | None, field: cmd.Field) -> Iterator[None]:
    """Around reading a field: when its keyword ended a note, its refusal says how to keep the
    word in the note (`note call them close to signing` reads "to signing" as the close date)."""
    try:
        yield
    except Refused as refused:
        if cut is None or cut[0] != field:
            raise
        hint = _(
            "If “{note_word}” belongs in the note, put the whole note in quotes: "
            '`note "call them before close"`.'
        )
        raise refused.with_hint(hint, note_word=cut[1]) from None


def _add_fields(
    session: Session,
    actor: Actor,
    fields: DealFields,
    confirmed: Confirmed | None,
    *,
    key: str | None = None,
) -> Changed:
    """Add a deal of valid fields, unless a guard asks first (or the caller chose to update
    their open deal of that customer instead)."""
    if confirmed is not None and confirmed.instead_of is not None:
        return _update_instead(session, actor, confirmed.instead_of, fields, confirmed, key)
    assert fields.customer is not None
    guards.check_add(session, actor, fields.customer, fields.amount, confirmed, key=key)
    return _changed(session, "add", deals.add_deal(session, actor, fields))


def _update_instead(
    session: Session,
    actor: Actor,
    number: int,
    fields: DealFields,
    confirmed: Confirmed,
    key: str | None,
) -> Changed:
    """The caller pressed Update #12: what was typed to add (amount, and stage, close date and
    note if given) goes to that open deal instead; its customer stays as it was written."""
    deal = deals.find_deal(session, actor, f"#{number}", for_update=True)
    deals.check_can_change(actor, deal)
    if deal.closed_at is not None:
        raise Refused(
            _(
                "Deal #{id} is no longer open ({stage}), so nothing was changed. To add a new "
                "deal, run `/deal add` again."
            ),
            id=deal.number,
            stage=_stage_label(session, actor, deal),
        )
    guards.check_amount(session, actor, deal, fields.amount, "update", confirmed, key=key)
    # A form left without a next step keeps the deal's: only one given replaces it.
    next_step = fields.next_step if fields.next_step and fields.next_step.is_set else None
    changes = DealFields(
        amount=fields.amount,
        stage=fields.stage,
        close_date=fields.close_date,
        note=fields.note,
        next_step=next_step,
    )
    return _changed(session, "update", deals.update_deal(session, actor, deal, changes))


def _require_positive(money: Money | None, usage: str) -> None:
    if money is None:
        return
    try:
        require_positive(money)
    except AmountError as error:
        raise Refused(
            _("A won deal needs an amount above zero. {reason}"), usage, reason=str(error)
        ) from None


def find(
    session: Session,
    actor: Actor,
    ref: cmd.DealRef,
    verb: str,
    *,
    for_update: bool = True,
    closed: bool = False,
) -> Deal:
    """The deal a reference points at, in the caller's workspace (locked, to be changed);
    `verb` is the command typed, for the refusal of a name that matches several deals."""
    text = f"#{ref.number}" if isinstance(ref, cmd.DealNumber) else ref.name
    return deals.find_deal(session, actor, text, for_update=for_update, closed=closed, verb=verb)


def _stage_label(session: Session, actor: Actor, deal: Deal) -> str:
    return deals.stage_by_key(deals.stage_list(session, actor.workspace_id), deal.stage).label


def _update(
    session: Session, actor: Actor, command: cmd.Update, confirmed: Confirmed | None
) -> Changed:
    usage = USAGE["update"]
    deal = find(session, actor, command.ref, "update")
    fields = DealFields()
    seen: set[str] = set()
    for field, text in command.changes:
        if field in seen:
            raise Refused(_(_TWICE[field]), usage)
        seen.add(field)
        match field:
            case "stage":
                with _after_note(command.note_cut, field):
                    fields = replace(fields, stage=read_stage(session, text, actor, usage))
            case "amount":
                fields = replace(fields, amount=read_amount(session, text, actor, usage))
            case "close":
                with _after_note(command.note_cut, field):
                    fields = replace(fields, close_date=read_date(text, actor, usage))
            case "note":
                note = read_text(text, "note", NOTE_MAX, usage, multiline=True)
                fields = replace(fields, note=note)
            case "customer":
                customer = read_text(text, "customer name", NAME_MAX, usage)
                fields = replace(fields, customer=customer)
            case "next":
                step = read_next_step(text, actor, USAGE["next"])
                fields = replace(fields, next_step=step)
            case "forecast":
                category = forecast.read_category(text, usage)
                fields = replace(fields, forecast=category or AUTO)
    if fields.forecast is not None and deal.closed_at is not None:
        raise Refused(
            _("Deal #{id} is closed: only open deals have a forecast category."),
            usage,
            id=deal.number,
        )
    stage = fields.stage
    if stage is not None and stage.kind == "won":
        _require_positive(fields.amount or Money(deal.amount, deal.currency), usage)
    deals.check_can_change(actor, deal)
    guards.check_amount(session, actor, deal, fields.amount, "update", confirmed)
    return _changed(session, "update", deals.update_deal(session, actor, deal, fields))


_TWICE = {
    "stage": N_("You gave the stage twice."),
    "amount": N_("You gave the amount twice."),
    "close": N_("You gave the close date twice."),
    "note": N_("You gave the note twice."),
    "customer": N_("You gave the customer twice."),
    "next": N_("You gave the next step twice."),
    "forecast": N_("You gave the forecast category twice."),
}


def _won(session: Session, actor: Actor, command: cmd.Won, confirmed: Confirmed | None) -> Changed:
    usage = USAGE["won"]
    deal = find(session, actor, command.ref, "won")
    won = _kind_stage(session, actor, "won")
    _require_open(session, actor, deal, "won")
    amount = (
        read_amount(session, command.amount_text, actor, usage) if command.amount_text else None
    )
    _require_positive(amount or Money(deal.amount, deal.currency), usage)
    deals.check_can_change(actor, deal)
    guards.check_amount(session, actor, deal, amount, "won", confirmed)
    outcome = deals.update_deal(session, actor, deal, DealFields(amount=amount, stage=won))
    return _changed(session, "won", outcome)


def _require_open(session: Session, actor: Actor, deal: Deal, verb: str) -> None:
    """Closing a closed deal again is almost always a slip: reopening it is explicit."""
    if deal.closed_at is not None:
        message = (
            N_(
                "Deal #{id} is already closed ({stage}). To mark it won, "
                "`/deal reopen #{id}` first."
            )
            if verb == "won"
            else N_(
                "Deal #{id} is already closed ({stage}). To mark it lost, "
                "`/deal reopen #{id}` first."
            )
        )
        raise Refused(_(message), id=deal.number, stage=_stage_label(session, actor, deal))


def _lost(session: Session, actor: Actor, command: cmd.Lost) -> Changed:
    usage = USAGE["lost"]
    deal = find(session, actor, command.ref, "lost")
    lost = _kind_stage(session, actor, "lost")
    _require_open(session, actor, deal, "lost")
    reason = read_text(command.reason, "reason", REASON_MAX, usage) if command.reason else ""
    outcome = deals.update_deal(session, actor, deal, DealFields(stage=lost), lost_reason=reason)
    return _changed(session, "lost", outcome)


def _reopen(session: Session, actor: Actor, command: cmd.Reopen) -> Changed:
    # By name, only closed deals can be meant: `/deal reopen 小米` skips the open ones.
    deal = find(session, actor, command.ref, "reopen", closed=True)
    if deal.closed_at is None:
        raise Refused(_("Deal #{id} is already open."), USAGE["reopen"], id=deal.number)
    stages = deals.stage_list(session, actor.workspace_id)
    stage = deals.reopen_stage(session, deal, stages)
    outcome = deals.update_deal(session, actor, deal, DealFields(stage=stage))
    return _changed(session, "reopen", outcome)


def _kind_stage(session: Session, actor: Actor, kind: str) -> Stage:
    for stage in deals.stage_list(session, actor.workspace_id):
        if stage.kind == kind:
            return stage
    message = (
        N_("This workspace has no won stage; ask a manager to check `/salesbot stages`.")
        if kind == "won"
        else N_("This workspace has no lost stage; ask a manager to check `/salesbot stages`.")
    )
    raise Refused(_(message))


def _member(session: Session, actor: Actor, user_id: str) -> Member | None:
    return find_member(session, actor.workspace_id, user_id)


def _list(session: Session, actor: Actor, command: cmd.List) -> Listed:
    match command.scope:
        case "user":
            assert command.user_id is not None
            member = _member(session, actor, command.user_id)
            rows = deals.list_open(session, actor, owner=member) if member else []
            return Listed("user", rows, person=command.user_id)
        case "team":
            team = _require_team(actor)
            return Listed("team", deals.list_open(session, actor, team=team))
        case "stage":
            assert command.stage_text is not None
            stage = read_stage(session, command.stage_text, actor, USAGE["list"])
            rows = deals.list_open(session, actor, stage_key=stage.key, **_own_scope(actor))
            return Listed("stage", rows, stage_label=stage.label)
        case "stale":
            days = actor.team.stale_days if actor.team else 14
            rows = deals.list_open(session, actor, idle_days=days, **_own_scope(actor))
            return Listed("stale", rows, stale_days=days)
        case "nextstep":
            rows = deals.list_open(session, actor, needs_next_step=True, **_own_scope(actor))
            return Listed("nextstep", rows)
    return Listed("mine", deals.list_open(session, actor, owner=actor.member))


def _own_scope(actor: Actor) -> dict[str, Any]:
    """The caller's team's deals, or their own when they are in no team."""
    return {"team": actor.team} if actor.team else {"owner": actor.member}


def _require_team(actor: Actor) -> SalesTeam:
    if actor.team is None:
        raise Refused(
            _(
                "You are not in a sales team yet. A manager can run `/salesbot setup` in the "
                "team's channel, or `/salesbot team add @you`."
            )
        )
    return actor.team


def _show(session: Session, actor: Actor, command: cmd.Show) -> Shown:
    deal = find(session, actor, command.ref, "show", for_update=False)
    owner = session.get(Member, deal.owner_id)
    assert owner is not None
    stage = deals.stage_by_key(deals.stage_list(session, actor.workspace_id), deal.stage)
    return Shown(
        deal_facts(deal),
        person(owner),
        stage,
        deals.history(session, deal),
        deal_value(session, deal),
        # A closed deal's step is history, not something late.
        deal.closed_at is None and is_overdue(deal.next_step_date, actor.today),
        forecast.deal_category(session, deal),
    )


def _pipeline(session: Session, actor: Actor, command: cmd.Pipeline) -> PipelineView:
    match command.scope:
        case "user":
            assert command.user_id is not None
            member = _member(session, actor, command.user_id)
            # In the currency of the member's own team, where their numbers are counted.
            reporting = (team_of(session, member) if member else None) or actor.team
            rows = (
                deals.pipeline(session, actor.workspace_id, reporting=reporting, owner=member)
                if member
                else []
            )
            return PipelineView(
                worded(_("Pipeline of {person}"), person=Mention(command.user_id)),
                rows,
                _currency_of(reporting),
            )
        case "team" if actor.team is not None:
            rows = deals.pipeline(
                session, actor.workspace_id, reporting=actor.team, team=actor.team
            )
            return PipelineView(worded(_("Team pipeline")), rows, actor.team.currency)
    rows = deals.pipeline(session, actor.workspace_id, reporting=actor.team, owner=actor.member)
    return PipelineView(worded(_("Your pipeline")), rows, _currency_of(actor.team))


def _currency_of(team: SalesTeam | None) -> str:
    return team.currency if team else "CNY"


def _assign(session: Session, actor: Actor, command: cmd.Assign) -> Changed:
    if not actor.member.can_manage:
        raise Refused(_("Only managers can assign deals."), USAGE["assign"])
    deal = find(session, actor, command.ref, "assign")
    new_owner = ensure_member(session, actor.workspace_id, command.user_id, now=actor.now)
    return _changed(session, "assign", deals.assign(session, actor, deal, new_owner))


def fields_from_form(session: Session, actor: Actor, values: dict[str, str]) -> DealFields:
    """Validated fields from the deal form; FormErrors names each invalid field (raising rolls
    back anything the request wrote, such as a first-contact member)."""
    errors: dict[str, str] = {}
    fields = DealFields()

    def attempt(name: str, read: Any) -> Any:
        try:
            return read()
        except Refused as refused:
            errors[name] = refused.plain
            return None

    usage = ""
    currency = values.get("currency", "").strip().upper() or default_currency(actor)
    amount_text = values.get("amount", "")
    fields = replace(
        fields,
        customer=attempt(
            "customer",
            lambda: read_text(values.get("customer", ""), "customer name", NAME_MAX, usage),
        ),
        title=attempt("title", lambda: read_text(values["title"], "title", NAME_MAX, usage))
        if values.get("title", "").strip()
        else None,
        amount=attempt("amount", lambda: parse_form_amount(session, actor, amount_text, currency)),
        stage=attempt("stage", lambda: read_stage(session, values.get("stage", ""), actor, usage)),
        close_date=attempt("close", lambda: read_date(values["close"], actor, usage))
        if values.get("close")
        else None,
        note=attempt(
            "note", lambda: read_text(values["note"], "note", NOTE_MAX, usage, multiline=True)
        )
        if values.get("note", "").strip()
        else None,
        next_step=form_next_step(actor, values, attempt),
    )
    if not errors and fields.stage is not None and fields.stage.kind == "won":
        attempt("amount", lambda: _require_positive(fields.amount, usage))
    if errors:
        raise FormErrors(errors)
    return fields


def form_next_step(
    actor: Actor,
    values: dict[str, str],
    attempt: Callable[[str, Callable[[], Any]], Any],
    prefix: str = "next_step",
) -> NextStep | None:
    """A form's next step (fields `<prefix>` and `<prefix>_date`): both or neither; neither is
    none (so an edit form emptied takes the step away). None when a field is wrong (`attempt`
    has recorded why, on the field)."""
    text = values.get(prefix, "").strip()
    when = values.get(f"{prefix}_date", "")
    if not text and not when:
        return NO_NEXT_STEP
    usage = ""
    step = attempt(prefix, lambda: read_text(text, "next step", NEXT_STEP_MAX, usage))
    due = attempt(
        f"{prefix}_date",
        lambda: read_date(when, actor, usage) if when else _no_step_date(),
    )
    return None if step is None or due is None else NextStep(step, due)


def _no_step_date() -> date:
    raise Refused(_("When is the next step due? Pick its date."))


def parse_form_amount(session: Session, actor: Actor, text: str, currency: str) -> Money:
    """The modal's amount in its currency field's currency, unless the amount names one."""
    try:
        money = parse_amount(text, currency)
    except AmountError as error:
        raise Refused.plain_text(str(error)) from None
    require_rate(session, actor, money.currency)
    return money


def add_from_form(
    session: Session,
    actor: Actor,
    values: dict[str, str],
    *,
    form_id: str | None,
    confirmed: Confirmed | None = None,
) -> Changed | None:
    """Record a deal from the New deal form; None when this form was saved already.

    A double-clicked (or retried) submit of one form saves one deal: the form's view id is
    recorded with the deal, in the same transaction. A guard's question about it has that key
    too, so the form and the buttons of its question save one deal between them."""
    fields = fields_from_form(session, actor, values)
    key = f"view:{form_id}" if form_id else confirmed.key if confirmed else None
    if key and not first_delivery(
        session, event_id=key, workspace_id=actor.workspace_id, now=actor.now
    ):
        return None
    return _add_fields(session, actor, fields, confirmed, key=key)


def confirm_form(
    session: Session, actor: Actor, values: dict[str, str], confirmed: Confirmed
) -> Changed | None:
    """The New deal form's values again, from a button of its question: checked again (a
    field no longer valid is refused), then saved once; None when answered already."""
    try:
        return add_from_form(session, actor, values, form_id=None, confirmed=confirmed)
    except FormErrors as errors:
        raise Refused.plain_text(" ".join(errors.fields.values())) from None
