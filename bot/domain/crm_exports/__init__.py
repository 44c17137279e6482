"""The CRMs' own deal exports, as they come out of each CRM: which header is which field,
how the CRM names its closed stages, its default pipeline's order and how it writes dates.

One module per CRM holds its table (hubspot, pipedrive, zoho, salesforce, fxiaoke); this
package's `formats` finds them and `columns_of` matches a file's header to them. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.domain.deal_fields import fold

# The fields an export can carry, as the importer reads them.
Column: TypeAlias = Literal[
    "record_id",
    "name",
    "account",
    "amount",
    "currency",
    "stage",
    "status",
    "close_date",
    "closed_at",
    "created_at",
    "owner",
    "owner_email",
    "next_step",
    "next_step_date",
    "forecast",
    "lost_reason",
]
DateOrder: TypeAlias = Literal["ymd", "mdy", "dmy"]
# Without these a row cannot become a deal (or be found again at the next import).
REQUIRED: tuple[Column, ...] = ("record_id", "name", "owner")

# Stage (or status) words every CRM's export may use for a closed deal, in English and Chinese.
WON_WORDS = ("closed won", "won", "赢单", "成交", "已成交", "已赢单")
LOST_WORDS = ("closed lost", "lost", "输单", "丢单", "已输单", "已丢单")
OPEN_WORDS = ("open", "进行中", "跟进中")


@dataclass(frozen=True)
class ExportFormat:
    """One CRM's deals export."""

    crm: str
    name: str
    # Field -> the headers it comes under (any case; the CRM's English and Chinese labels).
    headers: Mapping[Column, tuple[str, ...]]
    # The default pipeline's open stages in order: an open stage no team stage is named like
    # maps by its place in it.
    open_stages: tuple[str, ...]
    won: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()
    # How the CRM writes a date in a CSV (xlsx cells are dates already).
    date_order: DateOrder = "ymd"
    # Where the export's steps are documented (README).
    steps: str = ""
    # The record id as the CRM's API names the record, from the id the export writes (Zoho
    # writes `zcrm_5725767000000441001` for the API's `5725767000000441001`), so that a live
    # sync connected later finds the deals an import made.
    record_id_of: Callable[[str], str] = str.strip

    def kind_of(self, word: str) -> Literal["won", "lost", "open"] | None:
        """What a stage or status word says of a deal, if it says anything."""
        folded = fold(word)
        if folded in {fold(w) for w in (*WON_WORDS, *self.won)}:
            return "won"
        if folded in {fold(w) for w in (*LOST_WORDS, *self.lost)}:
            return "lost"
        if folded in {fold(w) for w in OPEN_WORDS}:
            return "open"
        return None


@dataclass(frozen=True)
class Columns:
    """Which of a file's columns hold which field; the others are the team's deal fields or
    ignored."""

    found: Mapping[Column, int]
    others: tuple[tuple[int, str], ...]
    missing: tuple[Column, ...]
    twice: tuple[str, ...]


def formats() -> Mapping[str, ExportFormat]:
    """Every CRM whose export Salesbot reads, by its key."""
    from bot.domain.crm_exports import fxiaoke, hubspot, pipedrive, salesforce, zoho

    return {
        module.FORMAT.crm: module.FORMAT
        for module in (hubspot, pipedrive, zoho, salesforce, fxiaoke)
    }


def columns_of(export: ExportFormat, header: Sequence[str]) -> Columns:
    """Match a header line to the export's fields (any case, spaces and full-width forms
    folded); the first of a field's headers present wins, e.g. Pipedrive's `Deal - Title`
    before a custom `Title`."""
    folded = [fold(name) for name in header]
    found: dict[Column, int] = {}
    for column, names in export.headers.items():
        for name in names:
            if fold(name) in folded:
                found[column] = folded.index(fold(name))
                break
    if "owner" not in found and "owner_email" in found:
        found["owner"] = found["owner_email"]
    taken = set(found.values())
    others = tuple((i, header[i].strip()) for i in range(len(header)) if i not in taken)
    twice = tuple(
        sorted({header[i].strip() for i in taken if folded.count(folded[i]) > 1 and folded[i]})
    )
    missing = tuple(c for c in REQUIRED if c not in found)
    return Columns(found, tuple((i, name) for i, name in others if name), missing, twice)


def detect(header: Sequence[str]) -> ExportFormat | None:
    """The CRM whose export this header is most like (None: nobody's): the one whose
    required fields are all there, with the most fields found."""
    best: tuple[int, ExportFormat] | None = None
    for export in formats().values():
        columns = columns_of(export, header)
        if columns.missing:
            continue
        score = len(columns.found)
        if best is None or score > best[0]:
            best = (score, export)
    return best[1] if best is not None else None
