"""`salesbot import deals FILE --from CRM`: a CRM's own deals export into a team, all or
nothing, matched again by (CRM, record id) so importing the same file twice updates the same
deals (models.crm.CrmRecord).

Who each of the export's owners is in Slack is asked beforehand, outside any transaction
(bot/sync/exports.py); here the answers become the team's members, the export's stages the
team's stages (bot/domain/crm_exports/stage_map.py), and the rows deals. Columns Salesbot does
not read are the team's deal fields when a field has that name, else listed as ignored: an
export carries dozens of the CRM's own columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.amounts import is_currency_code
from bot.domain.crm_exports import Column, Columns, ExportFormat, columns_of
from bot.domain.crm_exports.sheet import HEADER_ROW, Cell, Sheet
from bot.domain.crm_exports.stage_map import Mapped, OverrideError, map_stage, parse_overrides
from bot.domain.crm_exports.values import BadValue, amount_of, day_of, instant_of
from bot.domain.deal_fields import DealField, FieldError, find_field, fold
from bot.domain.forecast import AUTO, CategoryError, parse_category
from bot.domain.next_steps import NEXT_STEP_MAX
from bot.domain.stages import Stage
from bot.domain.text import TextTooLongError, Wording, clean_text, worded
from bot.i18n import _
from bot.results.crm_import import (
    CrmImportReport,
    OwnerLine,
    OwnerMatch,
    RowProblem,
    StageLine,
)
from bot.services import recognition, segments
from bot.services.deals import (
    allocate_numbers,
    event_value,
    new_change_id,
    stage_by_key,
    stage_list,
)
from bot.services.directory import find_member
from bot.services.errors import Refused
from bot.services.metrics import fx_rates
from models import CrmRecord, Deal, DealEvent, Member, SalesTeam

IMPORT_ACTION = "import"
NAME_MAX = 200
LOST_REASON_MAX = 500
T = TypeVar("T")


@dataclass(frozen=True)
class ImportRequest:
    """An export to import into the team of a channel, with what was asked of Slack first."""

    export: ExportFormat
    sheet: Sheet
    workspace_id: str
    team_id: int
    # owner_key() of each owner -> who they are in Slack.
    owners: Mapping[str, OwnerMatch]
    default_owner: str | None = None
    stage_overrides: Sequence[str] = ()
    dry_run: bool = False


@dataclass
class _Row:
    number: int
    record_id: str
    owner: Member
    customer: str
    title: str
    amount: Decimal
    currency: str
    stage: Stage
    close_date: date | None
    created_at: datetime | None
    closed_at: datetime | None
    next_step: str
    next_step_date: date | None
    forecast: str | None
    lost_reason: str
    values: list[segments.FieldValue] = field(default_factory=list)


def find_team(session: Session, channel_id: str, workspace_id: str | None = None) -> SalesTeam:
    """The team of a channel (`--team C0123`); refused when no team has it."""
    query = select(SalesTeam).where(SalesTeam.channel_id == channel_id)
    if workspace_id is not None:
        query = query.where(SalesTeam.workspace_id == workspace_id)
    teams = list(session.scalars(query))
    if len(teams) != 1:
        raise Refused(
            _("No team has the channel {channel}; set one up there first with `/salesbot setup`."),
            channel=channel_id,
        )
    return teams[0]


def owner_key(text: str) -> str:
    """How an owner's cell is looked up (and matched again): folded, any case."""
    return fold(text)


def owners_of(export: ExportFormat, sheet: Sheet) -> list[str]:
    """Each owner the export names (an e-mail address where it has one), once, in order."""
    columns = columns_of(export, sheet.header)
    seen: dict[str, str] = {}
    for _number, cells in sheet.rows:
        text = _owner_text(columns, cells)
        if text:
            seen.setdefault(owner_key(text), text)
    return list(seen.values())


def _owner_text(columns: Columns, cells: Sequence[Cell]) -> str:
    order: tuple[Column, ...] = ("owner_email", "owner")
    for column in order:
        index = columns.found.get(column)
        if index is not None and index < len(cells) and str(cells[index]).strip():
            return str(cells[index]).strip()
    return ""


def import_export(session: Session, request: ImportRequest, *, now: datetime) -> CrmImportReport:
    """Every row's deal created or updated in the session (the caller commits, or rolls back
    on problems or a dry run)."""
    return _Import(session, request, now).run()


class _Import:
    """One import: the team, its stages and fields, and what each row became."""

    def __init__(self, session: Session, request: ImportRequest, now: datetime) -> None:
        team = session.get(SalesTeam, request.team_id)
        assert team is not None and team.workspace_id == request.workspace_id
        self.session, self.request, self.now, self.team = session, request, now, team
        self.export = request.export
        self.zone = ZoneInfo(team.timezone)
        self.columns = columns_of(self.export, request.sheet.header)
        self.stages = stage_list(session, request.workspace_id)
        self.fields = segments.team_fields(session, team.workspace_id, team.id)
        self.rates = fx_rates(session, team)
        self.problems: list[RowProblem] = []
        self.mapped: dict[str, Mapped] = {}
        self.stage_rows: dict[str, int] = {}
        self.owner_rows: dict[str, tuple[str, int]] = {}

    def run(self) -> CrmImportReport:
        self._check_header()
        overrides = self._overrides()
        default = self._default_owner()
        owners = self._owners(default)
        field_columns, ignored = self._field_columns()
        rows: list[_Row] = []
        if not any(p.row == HEADER_ROW for p in self.problems):
            seen: dict[str, int] = {}
            for number, cells in self.request.sheet.rows:
                row = self._row(number, cells, owners, overrides, field_columns, seen)
                if row is not None:
                    rows.append(row)
        created = updated = 0
        if not self.problems:
            links = self._links([row.record_id for row in rows])
            self._check_teams(rows, links)
            if not self.problems:
                created, updated = self._write(rows, links)
        return CrmImportReport(
            crm=self.export.crm,
            crm_name=self.export.name,
            team_name=self.team.name,
            rows=len(self.request.sheet.rows),
            created=created,
            updated=updated,
            owners=self._owner_lines(owners, default),
            stages=tuple(
                StageLine(m.label, m.key, m.how, self.stage_rows[fold(m.label)])
                for m in self.mapped.values()
            ),
            ignored=ignored,
            problems=tuple(sorted(self.problems, key=lambda p: p.row)),
            dry_run=self.request.dry_run,
        )

    def _problem(self, row: int, column: str, reason: Wording) -> None:
        """A problem: Salesbot's words and their values as they are, worded by the view."""
        self.problems.append(RowProblem(row, column, reason))

    def _error(self, row: int, column: str, error: ValueError) -> None:
        """A problem worded elsewhere (it quotes the cell): shown whole, as text."""
        self._problem(row, column, worded("{reason}", reason=str(error)))

    def _check_header(self) -> None:
        for column in self.columns.missing:
            names = " / ".join(f"“{n}”" for n in self.export.headers[column])
            self._problem(
                HEADER_ROW,
                column,
                worded(
                    _("missing column: a {crm} export has {names}"),
                    crm=self.export.name,
                    names=names,
                ),
            )
        for name in self.columns.twice:
            self._problem(HEADER_ROW, name, worded(_("column appears twice")))

    def _overrides(self) -> dict[str, str]:
        try:
            return parse_overrides(self.request.stage_overrides, self.stages)
        except OverrideError as error:
            self._error(HEADER_ROW, "--stage", error)
            return {}

    def _default_owner(self) -> Member | None:
        user_id = self.request.default_owner
        if user_id is None:
            return None
        member = self._team_member(user_id)
        if member is None:
            self._problem(
                HEADER_ROW,
                "--default-owner",
                worded(_("{user} is not a member of {team}"), user=user_id, team=self.team.name),
            )
        return member

    def _team_member(self, user_id: str) -> Member | None:
        member = find_member(self.session, self.request.workspace_id, user_id)
        if member is None or member.team_id != self.team.id or member.is_deleted:
            return None
        return member

    def _owners(self, default: Member | None) -> dict[str, tuple[OwnerMatch, Member | None]]:
        """Each owner key -> what Slack said and the team member (None: nobody)."""
        found: dict[str, tuple[OwnerMatch, Member | None]] = {}
        for key, match in self.request.owners.items():
            member = self._team_member(match.user_id) if match.user_id else None
            if match.user_id is not None and member is None:
                match = OwnerMatch(match.user_id, "not_in_team")
            found[key] = (match, member)
        return found

    def _owner_lines(
        self, owners: Mapping[str, tuple[OwnerMatch, Member | None]], default: Member | None
    ) -> tuple[OwnerLine, ...]:
        lines = []
        for key, (text, rows) in self.owner_rows.items():
            match, member = owners.get(key, (OwnerMatch(None, "not_in_slack"), None))
            defaulted = member is None and default is not None
            user_id = member.slack_user_id if member is not None else None
            lines.append(OwnerLine(text, user_id or match.user_id, match.problem, rows, defaulted))
        return tuple(lines)

    def _field_columns(self) -> tuple[list[tuple[int, DealField]], tuple[str, ...]]:
        fields: list[tuple[int, DealField]] = []
        ignored: list[str] = []
        for index, name in self.columns.others:
            try:
                fields.append((index, find_field(fold(name), self.fields)))
            except FieldError:
                ignored.append(name)
        return fields, tuple(ignored)

    def _row(
        self,
        number: int,
        cells: Sequence[Cell],
        owners: Mapping[str, tuple[OwnerMatch, Member | None]],
        overrides: Mapping[str, str],
        field_columns: Sequence[tuple[int, DealField]],
        seen: dict[str, int],
    ) -> _Row | None:
        before = len(self.problems)

        def cell(column: Column) -> Cell:
            index = self.columns.found.get(column)
            return cells[index] if index is not None and index < len(cells) else ""

        def text(column: Column) -> str:
            value = cell(column)
            return value.strip() if isinstance(value, str) else str(value)

        record_id = self.export.record_id_of(text("record_id"))
        if not record_id:
            self._problem(
                number, "record_id", worded(_("empty; every row needs the CRM's record id"))
            )
        elif record_id in seen:
            self._problem(
                number,
                "record_id",
                worded(_("{id} is on row {row} too"), id=record_id, row=seen[record_id]),
            )
        else:
            seen[record_id] = number
        owner = self._row_owner(number, self.columns, cells, owners)
        name = self._clean(number, "name", text("name"), NAME_MAX)
        account = self._clean(number, "account", text("account"), NAME_MAX)
        if not name and not account:
            self._problem(number, "name", worded(_("empty; every deal needs a name")))
        stage = self._stage(number, text("stage"), text("status"), overrides)
        currency = text("currency").upper() or self.team.currency
        if not is_currency_code(currency):
            self._problem(
                number, "currency", worded(_("“{code}” is not a currency code"), code=currency)
            )
        elif currency not in self.rates:
            self._problem(
                number,
                "currency",
                worded(
                    _(
                        "{team} has no exchange rate for {currency}; "
                        "add one with `/salesbot fx {currency} 7.8`"
                    ),
                    team=self.team.name,
                    currency=currency,
                ),
            )
        amount = self._read(number, "amount", lambda: amount_of(cell("amount"))) or Decimal(0)
        order = self.export.date_order
        close_date = self._read(number, "close_date", lambda: day_of(cell("close_date"), order))
        created_at = self._read(
            number, "created_at", lambda: instant_of(cell("created_at"), order, self.zone)
        )
        closed_at = self._read(
            number, "closed_at", lambda: instant_of(cell("closed_at"), order, self.zone)
        )
        step = self._clean(number, "next_step", text("next_step"), NEXT_STEP_MAX)
        step_date = self._read(
            number, "next_step_date", lambda: day_of(cell("next_step_date"), order)
        )
        forecast = self._forecast(number, text("forecast"))
        lost_reason = self._clean(number, "lost_reason", text("lost_reason"), LOST_REASON_MAX)
        values = []
        for index, deal_field in field_columns:
            value = str(cells[index]).strip() if index < len(cells) else ""
            if not value:
                continue
            try:
                values.append(segments.read_value(deal_field, value, ""))
            except Refused as refused:
                self._problem(number, self.request.sheet.header[index], refused.wording)
        if stage is not None and stage.kind == "won" and amount <= 0:
            self._problem(number, "amount", worded(_("a won deal needs an amount above zero")))
        if len(self.problems) > before or owner is None or stage is None:
            return None
        return _Row(
            number=number,
            record_id=record_id,
            owner=owner,
            customer=account or name,
            title=name if account and name != account else "",
            amount=amount,
            currency=currency,
            stage=stage,
            close_date=close_date,
            created_at=created_at,
            closed_at=closed_at if stage.kind != "open" else None,
            next_step=step,
            next_step_date=step_date if step else None,
            forecast=forecast if stage.kind == "open" else None,
            lost_reason=lost_reason if stage.kind == "lost" else "",
            values=values,
        )

    def _row_owner(
        self,
        number: int,
        columns: Columns,
        cells: Sequence[Cell],
        owners: Mapping[str, tuple[OwnerMatch, Member | None]],
    ) -> Member | None:
        text = _owner_text(columns, cells)
        if not text:
            self._problem(number, "owner", worded(_("empty; every deal needs its owner")))
            return None
        key = owner_key(text)
        shown, rows = self.owner_rows.get(key, (text, 0))
        self.owner_rows[key] = (shown, rows + 1)
        match, member = owners.get(key, (OwnerMatch(None, "not_in_slack"), None))
        if member is not None:
            return member
        default = self._default_owner_member()
        if default is not None:
            return default
        self._problem(number, "owner", _owner_reason(text, match, self.team.name))
        return None

    def _default_owner_member(self) -> Member | None:
        user_id = self.request.default_owner
        return self._team_member(user_id) if user_id else None

    def _stage(
        self, number: int, label: str, status: str, overrides: Mapping[str, str]
    ) -> Stage | None:
        # Pipedrive and 纷享销客 say won or lost in a status column; their stage stays open.
        kind = self.export.kind_of(status) if status else None
        word = status if kind in ("won", "lost") else label
        if not word:
            return self.stages[0]
        key = fold(word)
        if key not in self.mapped:
            self.mapped[key] = map_stage(word, self.export, self.stages, overrides)
        self.stage_rows[key] = self.stage_rows.get(key, 0) + 1
        mapped = self.mapped[key]
        if mapped.key is None:
            self._problem(
                number,
                "stage",
                worded(
                    _(
                        "“{stage}” is no stage of this team; say which it is with "
                        '`--stage "{stage}=qualified"`'
                    ),
                    stage=word,
                ),
            )
            return None
        return stage_by_key(self.stages, mapped.key)

    def _forecast(self, number: int, text: str) -> str | None:
        if not text:
            return None
        try:
            found = parse_category(text)
        except CategoryError:
            # Salesforce's "Closed" category is its stage's, not one a rep chooses.
            if fold(text) == "closed":
                return None
            self._problem(
                number, "forecast", worded(_("“{text}” is not a forecast category"), text=text[:40])
            )
            return None
        return None if found == AUTO else found

    def _clean(self, number: int, column: str, text: str, limit: int) -> str:
        try:
            return clean_text(text, max_len=limit)
        except TextTooLongError:
            self._problem(
                number, column, worded(_("too long: {limit} characters at most"), limit=limit)
            )
            return ""

    def _read(self, number: int, column: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except BadValue as error:
            self._error(number, column, error)
            return None

    def _check_teams(self, rows: Sequence[_Row], links: Mapping[str, CrmRecord]) -> None:
        """A record already imported into another team stays that team's deal: importing it
        here would move a deal, its wins and its rewards between teams unasked."""
        deal_ids = [link.deal_id for link in links.values()]
        if not deal_ids:
            return
        elsewhere: dict[int, tuple[int, str]] = {}
        for chunk in range(0, len(deal_ids), 500):
            query = (
                select(Deal.id, Deal.number, SalesTeam.name)
                .join(SalesTeam, SalesTeam.id == Deal.team_id)
                .where(Deal.id.in_(deal_ids[chunk : chunk + 500]), Deal.team_id != self.team.id)
            )
            elsewhere.update(
                {deal_id: (number, name) for deal_id, number, name in self.session.execute(query)}
            )
        for row in rows:
            link = links.get(row.record_id)
            if link is None or link.deal_id not in elsewhere:
                continue
            number, team = elsewhere[link.deal_id]
            self._problem(
                row.number,
                "record_id",
                worded(
                    _("{id} is deal #{number} of {team}: import it into that team"),
                    id=row.record_id,
                    number=number,
                    team=team,
                ),
            )

    def _write(self, rows: Sequence[_Row], links: Mapping[str, CrmRecord]) -> tuple[int, int]:
        new = [row for row in rows if row.record_id not in links]
        numbers = iter(
            allocate_numbers(self.session, self.team.workspace_id, len(new)) if new else ()
        )
        created = updated = 0
        for row in rows:
            link = links.get(row.record_id)
            if link is None:
                deal = self._create(row, next(numbers))
                created += 1
            else:
                deal = self.session.scalars(
                    select(Deal).where(Deal.id == link.deal_id).with_for_update()
                ).one()
                self._update(deal, row)
                updated += 1
            segments.set_values(self.session, deal, row.values)
        self.session.flush()
        return created, updated

    def _links(self, record_ids: Sequence[str]) -> dict[str, CrmRecord]:
        found: dict[str, CrmRecord] = {}
        for chunk in range(0, len(record_ids), 500):
            query = select(CrmRecord).where(
                CrmRecord.workspace_id == self.team.workspace_id,
                CrmRecord.crm == self.export.crm,
                CrmRecord.record_id.in_(record_ids[chunk : chunk + 500]),
            )
            found.update({link.record_id: link for link in self.session.scalars(query)})
        return found

    def _times(self, row: _Row) -> tuple[datetime, datetime | None]:
        """When the deal was created and (closed ones) closed: as the export says; a closed
        deal without its close time closed at noon of its close date, never before it began."""
        closed_at = None
        if row.stage.kind != "open":
            closed_at = row.closed_at
            if closed_at is None and row.close_date is not None:
                closed_at = datetime.combine(row.close_date, time(12), tzinfo=self.zone)
            closed_at = (closed_at or self.now).astimezone(ZoneInfo("UTC"))
        created_at = row.created_at or min(self.now, closed_at or self.now)
        if closed_at is not None and closed_at < created_at:
            closed_at = created_at
        return created_at, closed_at

    def _create(self, row: _Row, number: int) -> Deal:
        created_at, closed_at = self._times(row)
        deal = Deal(
            workspace_id=self.team.workspace_id,
            number=number,
            team_id=self.team.id,
            owner_id=row.owner.id,
            customer=row.customer,
            title=row.title,
            amount=row.amount,
            currency=row.currency,
            stage=row.stage.key,
            close_date=row.close_date,
            next_step=row.next_step,
            next_step_date=row.next_step_date,
            note="",
            lost_reason=row.lost_reason,
            created_by_id=row.owner.id,
            created_at=created_at,
            updated_at=max(created_at, closed_at or created_at),
            closed_at=closed_at,
            forecast=row.forecast,
        )
        self.session.add(deal)
        self.session.flush()
        self.session.add(
            CrmRecord(
                workspace_id=deal.workspace_id,
                deal_id=deal.id,
                crm=self.export.crm,
                record_id=row.record_id,
                linked_at=self.now,
            )
        )
        self._event(deal, row.owner, new_change_id(), IMPORT_ACTION, "deal", None)
        return deal

    def _update(self, deal: Deal, row: _Row) -> None:
        created_at, closed_at = self._times(row)
        kind_before = next((s.kind for s in self.stages if s.key == deal.stage), "open")
        was = recognition.before(self.session, deal)
        counted_before = _counted(deal)
        fields_before = {name: getattr(deal, name) for name in _HISTORY_FIELDS}
        deal.owner_id = row.owner.id
        deal.team_id = self.team.id
        deal.customer, deal.title = row.customer, row.title
        deal.amount, deal.currency = row.amount, row.currency
        deal.stage, deal.close_date = row.stage.key, row.close_date
        deal.next_step, deal.next_step_date = row.next_step, row.next_step_date
        deal.forecast, deal.lost_reason = row.forecast, row.lost_reason
        if row.created_at is not None:
            deal.created_at = created_at
        # A deal that stays closed keeps when it closed, unless the export says.
        if row.stage.kind == "open" or kind_before != row.stage.kind or row.closed_at:
            deal.closed_at = closed_at
        deal.updated_at = self.now
        change_id = new_change_id()
        self._event(deal, row.owner, change_id, IMPORT_ACTION, "deal", None)
        for name, before in fields_before.items():
            if getattr(deal, name) != before:
                # Each field the export changed is in the history as a change via the CRM
                # (so a correction says what changed, and /deal undo leaves it alone).
                self._event(deal, row.owner, change_id, "update", name, before)
        if _counted(deal) != counted_before:
            # A win the export takes back (lost now, a lower amount, another owner) takes back
            # what it earned, corrected like any change; a new win earns, once. A row that
            # changes none of what targets count settles nothing (a re-import of won deals).
            recognition.after_deal_change(
                self.session,
                deal,
                was,
                actor=row.owner,
                now=self.now,
                change_id=change_id,
                undo=False,
            )

    def _event(
        self, deal: Deal, owner: Member, change_id: str, action: str, field: str, old: object
    ) -> None:
        """A line of the deal's history made by the import, in its owner's name via the CRM:
        the import itself, or one field it changed (old → the deal's value now)."""
        new = str(deal.number) if field == "deal" else getattr(deal, field)
        self.session.add(
            DealEvent(
                workspace_id=deal.workspace_id,
                deal_id=deal.id,
                actor_id=owner.id,
                at=self.now,
                change_id=change_id,
                action=action,
                field=field,
                old_value=event_value(old),
                new_value=event_value(new),
                source=self.export.crm,
            )
        )


# The fields whose change by a re-import is kept in the deal's history, one line each.
_HISTORY_FIELDS = ("customer", "amount", "currency", "stage", "close_date", "owner_id")


def _counted(deal: Deal) -> tuple[object, ...]:
    """What a deal's wins are counted by: a change to any of it may earn or take back."""
    return (deal.owner_id, deal.team_id, deal.amount, deal.currency, deal.stage, deal.closed_at)


def _owner_reason(text: str, match: OwnerMatch, team: str) -> Wording:
    if match.problem == "not_in_team":
        return worded(
            _("{owner} is not a member of {team}; add them, or give --default-owner"),
            owner=text,
            team=team,
        )
    if match.problem == "ambiguous":
        return worded(
            _("several people in Slack are called {owner}; give --default-owner"), owner=text
        )
    if match.problem == "unreachable":
        return worded(_("Slack did not answer who {owner} is; try again"), owner=text)
    return worded(_("nobody in Slack is {owner}; give --default-owner"), owner=text)
