"""`salesbot import deals`: an export's CSV back into the database, all or nothing.

Deal ids are not kept (the database numbers the imported deals anew); everything else in the
export's columns is, timestamps included. Rows are numbered as a spreadsheet shows them: the
header is row 1.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TextIO, TypeVar

from sqlalchemy.orm import Session

from bot.domain.amounts import AmountError, Money, is_currency_code, parse_amount
from bot.domain.forecast import AUTO, CategoryError, parse_category
from bot.domain.next_steps import NEXT_STEP_MAX
from bot.domain.stages import DEFAULT_STAGES, Stage, StageError, resolve_stage
from bot.domain.text import TextTooLongError, clean_text
from bot.services.deals import allocate_numbers, new_change_id, stage_list
from bot.services.directory import ensure_member, ensure_workspace, team_of
from bot.services.metrics import fx_rates
from models import Deal, DealEvent, Member, SalesTeam

T = TypeVar("T")

HEADER_ROW = 1
REQUIRED_COLUMNS = ("team_id", "customer", "amount", "owner_id")
IMPORT_ACTION = "import"
NAME_MAX = 200
# What /deal uses for someone in no team yet.
DEFAULT_CURRENCY = "CNY"
_WORKSPACE_ID = re.compile(r"[TE][A-Z0-9]{1,31}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")


class Invalid(ValueError):
    """A cell's value was refused; the message says why."""


@dataclass(frozen=True)
class Problem:
    """Why a row (or the header) was refused, and in which column."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Table:
    """A CSV file's rows by column name, with what was wrong with its shape."""

    rows: list[tuple[int, dict[str, str]]]
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows: int
    imported: int
    problems: list[Problem]

    @property
    def refused_rows(self) -> int:
        """How many rows have at least one problem (the header counts as one)."""
        return len({problem.row for problem in self.problems})


def _shown(text: str) -> str:
    # Reasons quote the cell; a pasted essay should not flood the report.
    return text if len(text) <= 40 else text[:39] + "…"


def read_table(stream: TextIO) -> Table:
    """Rows of a CSV file with a header; blank lines are skipped, extra cells refused."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return Table([], [Problem(HEADER_ROW, "", "the file is empty; it needs a header line")])
    # Hand-edited headers come as " Amount" too.
    columns = [name.strip().lower() for name in header]
    problems = _header_problems(columns)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=HEADER_ROW + 1):
        if not any(cell.strip() for cell in cells):
            continue
        # Spreadsheets often pad rows with empty cells; only refuse extra cells with content.
        if any(cell.strip() for cell in cells[len(columns) :]):
            reason = f"{len(cells)} cells but the header has {len(columns)} columns"
            problems.append(Problem(number, "", reason))
        rows.append((number, dict(zip(columns, cells, strict=False))))
    return Table(rows, problems)


def _header_problems(columns: Sequence[str]) -> list[Problem]:
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    twice = sorted({name for name in columns if name and columns.count(name) > 1})
    return [Problem(HEADER_ROW, name, "missing column") for name in missing] + [
        Problem(HEADER_ROW, name, "column appears twice") for name in twice
    ]


def load_deals(session: Session, table: Table, *, now: datetime) -> ImportReport:
    """Add the table's deals to the session (the caller commits, or rolls back on problems)."""
    if any(problem.row == HEADER_ROW for problem in table.problems):
        return ImportReport(len(table.rows), 0, table.problems)
    return _Loader(session, now).load(table)


@dataclass(frozen=True)
class _Draft:
    """One row's values, read and checked cell by cell."""

    owner: Member
    team: SalesTeam | None
    customer: str
    money: Money
    stage: Stage
    close_date: date | None
    created_at: datetime | None
    updated_at: datetime | None
    closed_at: datetime | None
    next_step: str = ""
    next_step_date: date | None = None
    # The category the rep chose for the deal (None: it follows its stage).
    forecast: str | None = None


class _Loader:
    """Reads rows into deals, remembering what it looked up for the next row."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._stages: dict[str, list[Stage]] = {}
        self._members: dict[tuple[str, str], Member] = {}
        self._rates: dict[int, dict[str, Decimal]] = {}

    def load(self, table: Table) -> ImportReport:
        """Every row's deal and its history event, unless any row is refused."""
        problems = list(table.problems)
        deals: list[Deal] = []
        for number, cells in table.rows:
            found: list[Problem] = []
            draft = self._draft(number, cells, found)
            if draft is not None:
                found += _consistency(number, draft, self.now)
            if draft is not None and not found:
                deals.append(_deal(draft, self.now))
            problems += found
        if problems:
            return ImportReport(len(table.rows), 0, sorted(problems, key=lambda p: p.row))
        _number(self.session, deals)
        self.session.add_all(deals)
        self.session.flush()
        self.session.add_all(_import_event(deal, self.now) for deal in deals)
        self.session.flush()
        return ImportReport(len(table.rows), len(deals), [])

    def _draft(self, number: int, cells: dict[str, str], found: list[Problem]) -> _Draft | None:
        def cell(name: str) -> str:
            return (cells.get(name) or "").strip()

        def attempt(column: str, read: Callable[[], T]) -> T | None:
            try:
                return read()
            except Invalid as error:
                found.append(Problem(number, column, str(error)))
                return None

        workspace_id = attempt("team_id", lambda: _slack_id(cell("team_id"), "workspace"))
        user_id = attempt("owner_id", lambda: _slack_id(cell("owner_id"), "user"))
        customer = attempt("customer", lambda: _customer(cells.get("customer") or ""))
        owner = self._member(workspace_id, user_id) if workspace_id and user_id else None
        team = team_of(self.session, owner) if owner is not None else None
        stage = attempt("stage", lambda: self._stage(workspace_id, cell("stage")))
        currency = attempt("currency", lambda: _currency(cell("currency")))
        money = attempt("amount", lambda: self._money(cell("amount"), currency, team))
        close_date = attempt("close_date", lambda: _date(cell("close_date")))
        created_at = attempt("created_at", lambda: _instant(cell("created_at")))
        updated_at = attempt("updated_at", lambda: _instant(cell("updated_at")))
        closed_at = attempt("closed_at", lambda: _instant(cell("closed_at")))
        # Files from before next steps have neither column: the deals have none.
        next_step = attempt("next_step", lambda: _next_step(cells.get("next_step") or ""))
        next_step_date = attempt("next_step_date", lambda: _date(cell("next_step_date")))
        if (
            next_step
            and next_step_date is None
            and "next_step_date" not in {p.column for p in found}
        ):
            found.append(Problem(number, "next_step_date", "empty; a next step needs its date"))
        if next_step == "" and next_step_date is not None:
            found.append(Problem(number, "next_step", "empty; a next step date needs its step"))
        chosen = attempt("forecast", lambda: _forecast(cell("forecast")))
        if found or owner is None or customer is None or stage is None or money is None:
            return None
        return _Draft(
            owner,
            team,
            customer,
            money,
            stage,
            close_date,
            created_at,
            updated_at,
            closed_at,
            next_step or "",
            next_step_date,
            chosen if stage.kind == "open" else None,
        )

    def _member(self, workspace_id: str, user_id: str) -> Member:
        key = (workspace_id, user_id)
        if key not in self._members:
            self._members[key] = ensure_member(self.session, workspace_id, user_id, now=self.now)
        return self._members[key]

    def _stage(self, workspace_id: str | None, text: str) -> Stage:
        if workspace_id is None:
            stages = list(DEFAULT_STAGES)
        else:
            if workspace_id not in self._stages:
                # A new workspace gets its stages here, even when the row's owner is refused.
                ensure_workspace(self.session, workspace_id, now=self.now)
                self._stages[workspace_id] = stage_list(self.session, workspace_id)
            stages = self._stages[workspace_id]
        if not text:
            # As `/deal add` does without a stage: the first of the pipeline.
            return stages[0]
        try:
            return resolve_stage(text, stages)
        except StageError as error:
            raise Invalid(str(error)) from None

    def _money(self, text: str, currency: str | None, team: SalesTeam | None) -> Money:
        money = _money(text, currency, team)
        if team is not None:
            self._require_rate(team, money.currency)
        return money

    def _require_rate(self, team: SalesTeam, currency: str) -> None:
        """Refuse what /deal refuses: a currency its team cannot count toward targets."""
        if team.id not in self._rates:
            self._rates[team.id] = fx_rates(self.session, team)
        if currency not in self._rates[team.id]:
            raise Invalid(
                f"{team.name} reports in {team.currency} and has no exchange rate for "
                f"{currency}; add one first with `/salesbot fx {currency} 7.8`"
            )


def _slack_id(text: str, kind: str) -> str:
    pattern, example = (
        (_WORKSPACE_ID, "T0123ABCD") if kind == "workspace" else (_USER_ID, "U0123ABCD")
    )
    if not text:
        raise Invalid(f"empty; give the Slack {kind} id, like {example}")
    if not pattern.fullmatch(text):
        raise Invalid(f"“{_shown(text)}” is not a Slack {kind} id, like {example}")
    return text


def _customer(text: str) -> str:
    try:
        name = clean_text(text, max_len=NAME_MAX)
    except TextTooLongError:
        raise Invalid(f"too long: {NAME_MAX} characters at most") from None
    if not name:
        raise Invalid("empty; every deal needs a customer name")
    return name


def _next_step(text: str) -> str:
    try:
        return clean_text(text, max_len=NEXT_STEP_MAX)
    except TextTooLongError:
        raise Invalid(f"too long: {NEXT_STEP_MAX} characters at most") from None


def _currency(text: str) -> str | None:
    if not text:
        return None
    if not is_currency_code(text):
        raise Invalid(f"“{_shown(text)}” is not a currency code such as CNY, USD or EUR")
    return text.upper()


def _money(text: str, currency: str | None, team: SalesTeam | None) -> Money:
    default = currency or (team.currency if team is not None else DEFAULT_CURRENCY)
    try:
        money = parse_amount(text, default)
    except AmountError as error:
        raise Invalid(str(error)) from None
    if currency is not None and money.currency != currency:
        raise Invalid(
            f"“{_shown(text)}” is in {money.currency} but the currency column says {currency}"
        )
    return money


def _forecast(text: str) -> str | None:
    """A deal's own forecast category, as the export writes it or as people type it."""
    if not text:
        return None
    try:
        found = parse_category(text)
    except CategoryError:
        raise Invalid(
            f"“{_shown(text)}” is not a forecast category: commit, best_case, pipeline, omitted"
        ) from None
    return None if found == AUTO else found


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"“{_shown(text)}” is not an ISO date such as 2026-12-15") from None


def _instant(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            f"“{_shown(text)}” is not an ISO-8601 date and time such as 2026-11-30T09:30:00+00:00"
        ) from None
    # Exports always carry an offset; a hand-written time without one is taken as UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _consistency(number: int, draft: _Draft, now: datetime) -> list[Problem]:
    """Checks across cells: closing follows the stage, and time runs forwards."""
    problems = []
    if draft.stage.kind == "won" and draft.money.amount <= 0:
        problems.append(Problem(number, "amount", "a won deal needs an amount above zero"))
    closed_at = _closed_at(draft)
    if draft.stage.kind == "open" and draft.closed_at is not None:
        reason = f"{draft.stage.key} is an open stage, so closed_at must be empty"
        problems.append(Problem(number, "closed_at", reason))
    if draft.stage.kind != "open" and closed_at is None:
        reason = f"a {draft.stage.kind} deal needs closed_at (when it closed) or a close_date"
        problems.append(Problem(number, "closed_at", reason))
    created_at = _created_at(draft, now)
    if draft.updated_at is not None and draft.updated_at < created_at:
        problems.append(Problem(number, "updated_at", "before created_at"))
    if closed_at is not None and closed_at < created_at:
        problems.append(Problem(number, "closed_at", "before created_at"))
    return problems


def _closed_at(draft: _Draft) -> datetime | None:
    """When a closed deal closed: as given, else its close date (UTC), not before its creation."""
    if draft.stage.kind == "open":
        return None
    if draft.closed_at is not None or draft.close_date is None:
        return draft.closed_at
    start = datetime.combine(draft.close_date, time(), tzinfo=UTC)
    # A deal created late on its close date closed after it was created, not at midnight.
    return max(start, draft.created_at) if draft.created_at is not None else start


def _created_at(draft: _Draft, now: datetime) -> datetime:
    """As given; else now, or when it closed if that was earlier."""
    if draft.created_at is not None:
        return draft.created_at
    closed_at = _closed_at(draft)
    return min(now, closed_at) if closed_at is not None else now


def _deal(draft: _Draft, now: datetime) -> Deal:
    closed_at = _closed_at(draft)
    created_at = _created_at(draft, now)
    return Deal(
        workspace_id=draft.owner.workspace_id,
        team_id=draft.team.id if draft.team is not None else None,
        owner_id=draft.owner.id,
        customer=draft.customer,
        title="",
        amount=draft.money.amount,
        currency=draft.money.currency,
        stage=draft.stage.key,
        close_date=draft.close_date,
        next_step=draft.next_step,
        next_step_date=draft.next_step_date,
        note="",
        lost_reason="",
        created_by_id=draft.owner.id,
        created_at=created_at,
        updated_at=draft.updated_at or max(created_at, closed_at or created_at),
        closed_at=closed_at,
        forecast=draft.forecast,
    )


def _number(session: Session, deals: Sequence[Deal]) -> None:
    """New numbers for the deals, in the file's order, after each workspace's last (a file's
    own `id` column is ignored: it named deals in another database). Workspaces in a fixed
    order, so two imports at once take their counters' locks the same way round."""
    by_workspace: dict[str, list[Deal]] = {}
    for deal in deals:
        by_workspace.setdefault(deal.workspace_id, []).append(deal)
    for workspace_id, own in sorted(by_workspace.items()):
        numbers = allocate_numbers(session, workspace_id, len(own))
        for deal, number in zip(own, numbers, strict=True):
            deal.number = number


def _import_event(deal: Deal, now: datetime) -> DealEvent:
    """The deal's first history line: imported, by its owner (a file has no other author)."""
    return DealEvent(
        workspace_id=deal.workspace_id,
        deal_id=deal.id,
        actor_id=deal.owner_id,
        at=now,
        change_id=new_change_id(),
        action=IMPORT_ACTION,
        field="deal",
        old_value=None,
        new_value=str(deal.number),
    )
