"""A deals export's bytes as a header and rows: CSV (UTF-8, with or without Excel's byte order
mark, or GB18030 as Excel in Chinese saves it) or the first sheet of an XLSX workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

from openpyxl import load_workbook

from bot.i18n import _

# What a cell holds: text, or the date (and time) an XLSX cell already is.
Cell: TypeAlias = str | date | datetime
HEADER_ROW = 1
_ZIP = b"PK\x03\x04"


class Unreadable(ValueError):
    """The bytes are neither a CSV nor an XLSX file Salesbot can read; the message says why."""


@dataclass(frozen=True)
class Sheet:
    """The header and the rows, numbered as a spreadsheet shows them (the header is row 1)."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def read_sheet(data: bytes) -> Sheet:
    """The export's rows; blank rows are skipped."""
    if data.startswith(_ZIP):
        return _xlsx(data)
    return _csv(_decoded(data))


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(_("it is not a CSV file in UTF-8 or GB18030, nor an XLSX workbook"))


def _csv(text: str) -> Sheet:
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise Unreadable(_("it is not a CSV file ({error})").format(error=error)) from None
    return _sheet([[cell for cell in line] for line in lines])


def _xlsx(data: bytes) -> Sheet:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise Unreadable(
            _("it is not an XLSX workbook ({error})").format(error=type(error).__name__)
        ) from None
    try:
        sheet = book.worksheets[0]
        lines = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _sheet(lines)


def _cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, float):
        # 12000.5, not 12000.499999: the float's shortest form, as Excel shows it.
        return str(Decimal(repr(value)))
    return str(value)


def _sheet(lines: list[list[Cell]]) -> Sheet:
    if not lines:
        raise Unreadable(_("the file is empty; it needs the export's header line"))
    header = tuple(str(cell).strip() for cell in lines[0])
    rows = tuple(
        (number, tuple(line))
        for number, line in enumerate(lines[1:], start=HEADER_ROW + 1)
        if any(str(cell).strip() for cell in line)
    )
    return Sheet(header, rows)
