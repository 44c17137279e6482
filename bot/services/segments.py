"""Segments: a team's own deal fields (industry, region, source) and each deal's value of them.

Managers define up to five fields per team (`/salesbot fields`); reps give values in `/deal add`
and updates, the forms, CSV files; lists filter by them; reports group by them through
`segment_of` (a deal's value, for a set of deals) or `value_of` (the same as a SQL column).

A value is written in the change's own transaction and recorded in the deal's history as the
field `field:<name>` (bot.domain.deal_fields.event_field), so `/deal show` tells it and
`/deal undo` takes it back like any other field.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    select,
)
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from bot.domain import admin_command as cmd
from bot.domain.deal_fields import (
    MAX_FIELDS,
    VALUE_MAX,
    Choice,
    DealField,
    FieldError,
    event_field,
    find_choice,
    find_field,
    fold,
    words_of,
)
from bot.domain.stages import Stage, is_stage_word, shown_label
from bot.domain.text import TextTooLongError, clean_text
from bot.i18n import _
from bot.results.admin import FieldAdded, FieldRemoved, FieldsListed
from bot.results.deals import FieldShown
from bot.services.actor import Actor, require_manager
from bot.services.directory import stages_of
from bot.services.errors import Refused
from bot.services.memo import kept
from models import Deal, SalesTeam
from models import DealField as DealFieldRow
from models import DealFieldValue as ValueRow

# What a rep types to take a value away: `/deal #12 region -`.
CLEAR = frozenset({"-", "—", "–"})
Ts = TypeVarTuple("Ts")
# Deal ids per statement when reading values for a set of deals (SQLite binds at most 32766).
_CHUNK = 5000


@dataclass(frozen=True)
class FieldValue:
    """A value to give a deal for one of its team's fields (None: take its value away)."""

    field: DealField
    value: str | None


@dataclass(frozen=True)
class ValueChange:
    """A deal's value of a field changed, as its history records it."""

    event_field: str
    old: str | None
    new: str | None


# --------------------------------------------------------------------------- definitions


def team_fields(session: Session, workspace_id: str, team_id: int | None) -> tuple[DealField, ...]:
    """A team's deal fields in their order (none for a deal or a rep in no team)."""
    if team_id is None:
        return ()

    def read() -> tuple[DealField, ...]:
        values = {"workspace_id": workspace_id, "team_id": team_id}
        return tuple(_field(row) for row in session.scalars(_TEAM_FIELDS, values))

    return kept(session, workspace_id, ("deal_fields", workspace_id, team_id), read)


# Every /deal command reads the caller's team's fields to parse what was typed.
_TEAM_FIELDS = (
    select(DealFieldRow)
    .where(
        DealFieldRow.workspace_id == bindparam("workspace_id"),
        DealFieldRow.team_id == bindparam("team_id"),
    )
    .order_by(DealFieldRow.position, DealFieldRow.id)
)


def field_words(session: Session, actor: Actor) -> frozenset[str]:
    """The names and aliases of the caller's team's fields, as the /deal grammar takes them."""
    team = actor.team
    return words_of(team_fields(session, actor.workspace_id, team.id if team else None))


def list_fields(session: Session, team: SalesTeam) -> FieldsListed:
    """The team's deal fields."""
    return FieldsListed(team.name, team_fields(session, team.workspace_id, team.id))


def add_field(session: Session, actor: Actor, team: SalesTeam, command: cmd.Fields) -> FieldAdded:
    """A new field at the end of the team's (managers only; five at most)."""
    require_manager(actor)
    assert command.name is not None
    _lock(session, team)
    fields = team_fields(session, team.workspace_id, team.id)
    if len(fields) >= MAX_FIELDS:
        raise Refused(
            _(
                "{team} has {most} deal fields already, the most a team can have. Remove one "
                "first with `/salesbot fields remove` and its name."
            ),
            cmd.USAGE["fields"],
            team=team.name,
            most=MAX_FIELDS,
        )
    wanted = [command.name] if command.alias is None else [command.name, command.alias]
    taken = words_of(fields)
    for word in wanted:
        if word in taken:
            raise Refused(
                _("{team} already has a deal field called `{name}`."),
                cmd.USAGE["fields"],
                team=team.name,
                name=word,
            )
        if is_stage_word(word, _stages(session, team.workspace_id)):
            raise Refused(
                _("`{name}` is a stage (or the start of one), so it cannot name a field too."),
                cmd.USAGE["fields"],
                name=word,
            )
    row = DealFieldRow(
        workspace_id=team.workspace_id,
        team_id=team.id,
        name=command.name,
        alias=command.alias,
        choices=[[choice.value, choice.alias] for choice in command.choices],
        position=max((f.position for f in fields), default=0) + 1,
        created_by_id=actor.member.id,
        created_at=actor.now,
    )
    session.add(row)
    session.flush()
    now = team_fields(session, team.workspace_id, team.id)
    return FieldAdded(team.name, _field(row), now)


def remove_field(session: Session, actor: Actor, team: SalesTeam, name: str) -> FieldRemoved:
    """Take a field off the team's deals, with every value deals had for it (their history
    keeps the changes)."""
    require_manager(actor)
    _lock(session, team)
    field = _find(team_fields(session, team.workspace_id, team.id), name, cmd.USAGE["fields"])
    values = session.scalar(
        select(func.count())
        .select_from(ValueRow)
        .where(ValueRow.workspace_id == team.workspace_id, ValueRow.field_id == field.id)
    )
    session.execute(
        delete(ValueRow).where(
            ValueRow.workspace_id == team.workspace_id, ValueRow.field_id == field.id
        )
    )
    session.execute(
        delete(DealFieldRow).where(
            DealFieldRow.workspace_id == team.workspace_id, DealFieldRow.id == field.id
        )
    )
    session.flush()
    return FieldRemoved(
        team.name, field.name, values or 0, team_fields(session, team.workspace_id, team.id)
    )


def _lock(session: Session, team: SalesTeam) -> None:
    """Hold the team's row until commit, so two managers adding fields at once count each
    other's (at most five, no name twice). SQLite writers hold the database's lock anyway."""
    session.execute(select(SalesTeam.id).where(SalesTeam.id == team.id).with_for_update())


def _stages(session: Session, workspace_id: str) -> list[Stage]:
    return [
        Stage(s.key, shown_label(s.key, s.label), s.probability, s.kind, s.position)  # type: ignore[arg-type]
        for s in stages_of(session, workspace_id)
    ]


def _field(row: DealFieldRow) -> DealField:
    choices = tuple(Choice(str(value), alias) for value, alias in row.choices)
    return DealField(row.id, row.name, row.alias, choices, row.position)


def _find(fields: Sequence[DealField], word: str, usage: str) -> DealField:
    try:
        return find_field(word, fields)
    except FieldError as error:
        refused = Refused(error.wording, usage)
        if error.meant is not None:
            refused = refused.with_hint(_("Did you mean `{word}`?"), word=error.meant)
        raise refused from None


# -------------------------------------------------------------------------------- values


def read_value(field: DealField, text: str, usage: str) -> FieldValue:
    """What a rep typed for a field: one of its choices (by value, alias or a unique prefix),
    or free text; `-` takes the value away."""
    typed = text.strip()
    if typed in CLEAR:
        return FieldValue(field, None)
    if field.fixed:
        try:
            return FieldValue(field, find_choice(field, typed).value)
        except FieldError as error:
            refused = Refused(error.wording, usage)
            if error.meant is not None:
                refused = refused.with_hint(_("Did you mean `{word}`?"), word=error.meant)
            raise refused from None
    try:
        value = clean_text(typed, max_len=VALUE_MAX)
    except TextTooLongError:
        raise Refused(
            _("A value of `{field}` has at most {most} characters."),
            usage,
            field=field.name,
            most=VALUE_MAX,
        ) from None
    if not value:
        raise Refused(_("Give a value after `{field}`."), usage, field=field.name)
    return FieldValue(field, value)


def read_typed(
    session: Session,
    workspace_id: str,
    team_id: int | None,
    typed: Sequence[tuple[str, str]],
    usage: str,
) -> tuple[FieldValue, ...]:
    """The values a command gives (`(name or alias, text)` as typed) for the team's fields."""
    if not typed:
        return ()
    fields = team_fields(session, workspace_id, team_id)
    values: dict[int, FieldValue] = {}
    for word, text in typed:
        field = _find(fields, word, usage)
        if field.id in values:
            raise Refused(_("You gave `{field}` twice."), usage, field=field.name)
        values[field.id] = read_value(field, text, usage)
    return tuple(values.values())


def values_of(session: Session, deal: Deal) -> tuple[FieldShown, ...]:
    """A deal's value of each of its team's fields, in their order (None: none given)."""
    fields = team_fields(session, deal.workspace_id, deal.team_id)
    if not fields:
        return ()
    held = _held(session, deal)
    return tuple(FieldShown(f.name, held[f.id].value if f.id in held else None) for f in fields)


def held(session: Session, deal: Deal) -> dict[int, str]:
    """A deal's values, by field id."""
    return {field_id: row.value for field_id, row in _held(session, deal).items()}


def shown(values: Sequence[FieldValue]) -> tuple[FieldShown, ...]:
    """Values given, as a reply shows them."""
    return tuple(FieldShown(v.field.name, v.value) for v in values if v.value is not None)


def set_values(session: Session, deal: Deal, values: Sequence[FieldValue]) -> list[ValueChange]:
    """Give the deal these values (the deal flushed, so it has its id); what changed."""
    if not values:
        return []
    held = _held(session, deal)
    changes = []
    for given in values:
        row = held.get(given.field.id)
        old = row.value if row is not None else None
        if given.value == old:
            continue
        changes.append(ValueChange(event_field(given.field), old, given.value))
        if given.value is None:
            assert row is not None
            session.delete(row)
        elif row is not None:
            row.value = given.value
        else:
            session.add(
                ValueRow(
                    deal_id=deal.id,
                    field_id=given.field.id,
                    workspace_id=deal.workspace_id,
                    value=given.value,
                )
            )
    return changes


def restore(session: Session, deal: Deal, name: str, value: str | None) -> ValueChange:
    """Put back a value an undo takes back to (the field named as its history recorded)."""
    field = next(
        (f for f in team_fields(session, deal.workspace_id, deal.team_id) if f.name == name),
        None,
    )
    if field is None:
        raise Refused(
            _(
                "Deal #{id}'s field `{field}` was removed since, so I did not undo that change. "
                "See `/deal show #{id}`."
            ),
            id=deal.number,
            field=name,
        )
    changes = set_values(session, deal, [FieldValue(field, value)])
    held = _held(session, deal)
    now = held[field.id].value if field.id in held else None
    return changes[0] if changes else ValueChange(event_field(field), now, now)


def _held(session: Session, deal: Deal) -> dict[int, ValueRow]:
    rows = session.scalars(
        select(ValueRow).where(
            ValueRow.workspace_id == deal.workspace_id, ValueRow.deal_id == deal.id
        )
    )
    return {row.field_id: row for row in rows}


# ---------------------------------------------------------------------- reading segments


def segment_of(
    session: Session, *, workspace_id: str, field_id: int, deal_ids: Collection[int]
) -> dict[int, str | None]:
    """Each of these deals' value of the field, by deal id (the internal one, `Deal.id`):
    None for a deal with no value (or of another team). What `/deal insights by industry`
    groups by."""
    found: dict[int, str | None] = dict.fromkeys(deal_ids)
    ids = list(found)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(ValueRow.deal_id, ValueRow.value).where(
                ValueRow.workspace_id == workspace_id,
                ValueRow.field_id == field_id,
                ValueRow.deal_id.in_(ids[start : start + _CHUNK]),
            )
        )
        found.update({deal_id: value for deal_id, value in rows})
    return found


def value_of(field_id: int) -> ScalarSelect[str]:
    """A deal's value of the field as a column of a query over `Deal` (NULL: none), to group
    by in SQL on many deals: `select(segments.value_of(f.id), func.sum(Deal.amount))…`."""
    return (
        select(ValueRow.value)
        .where(_of_the_deal(), ValueRow.field_id == field_id)
        .scalar_subquery()
    )


def joined_value(query: Select[*Ts], field_id: int) -> tuple[Select[*Ts], QueryableAttribute[str]]:
    """The query over `Deal` outer-joined to each deal's value of the field, and that value's
    column (NULL: none): on many deals, cheaper to group by than `value_of`'s subquery
    (`query, industry = joined_value(select(Deal.stage, func.count()), field.id)`, then select
    and group by `industry`)."""
    value = aliased(ValueRow)
    on = and_(
        value.deal_id == Deal.id,
        value.workspace_id == Deal.workspace_id,
        value.field_id == field_id,
    )
    return query.outerjoin(value, on), value.value


def has_value(field_id: int, value: str | None) -> ColumnElement[bool]:
    """A filter on `Deal`: the deal's value of the field is this one (None: it has none)."""
    if value is None:
        return ~exists().where(and_(_of_the_deal(), ValueRow.field_id == field_id))
    return exists().where(
        and_(_of_the_deal(), ValueRow.field_id == field_id, ValueRow.value == value)
    )


def _of_the_deal() -> ColumnElement[bool]:
    """A value row of the `Deal` of the enclosing query (its workspace's, as every row is)."""
    return and_(ValueRow.deal_id == Deal.id, ValueRow.workspace_id == Deal.workspace_id)


def find_in_team(
    session: Session, workspace_id: str, team_id: int | None, word: str, usage: str = ""
) -> DealField:
    """The team's field a word names (`/deal insights by industry`), refused with the team's
    fields and the one a typo most likely meant."""
    return _find(team_fields(session, workspace_id, team_id), fold(word), usage)


def values_by_deal(session: Session, deals: Select[int]) -> dict[int, dict[str, str]]:
    """Every value the deals `deals` selects (their ids) have, by deal id and field name: one
    statement, for exports."""
    query = (
        select(ValueRow.deal_id, DealFieldRow.name, ValueRow.value)
        .join(DealFieldRow, ValueRow.field_id == DealFieldRow.id)
        .where(ValueRow.deal_id.in_(deals))
    )
    found: dict[int, dict[str, str]] = {}
    for deal_id, name, value in session.execute(query):
        found.setdefault(deal_id, {})[name] = value
    return found


def fields_of_teams(
    session: Session, team_ids: Collection[int]
) -> dict[int, tuple[DealField, ...]]:
    """The deal fields of each of these teams (of any workspace: for exports and imports)."""
    query = (
        select(DealFieldRow)
        .where(DealFieldRow.team_id.in_(list(team_ids)))
        .order_by(DealFieldRow.team_id, DealFieldRow.position, DealFieldRow.id)
    )
    found: dict[int, list[DealField]] = {team_id: [] for team_id in team_ids}
    for row in session.scalars(query):
        found[row.team_id].append(_field(row))
    return {team_id: tuple(fields) for team_id, fields in found.items()}
