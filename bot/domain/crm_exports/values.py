"""A CRM export's cells as Salesbot's values: dates and times as each CRM writes them, and
amounts with their thousands separators and currency signs."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.domain.crm_exports import DateOrder
from bot.domain.crm_exports.sheet import Cell

_DATE_FORMATS: dict[DateOrder, tuple[str, ...]] = {
    "ymd": ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"),
    "mdy": ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"),
    "dmy": ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"),
}
# Month names, as Zoho and Salesforce write them in English ("May 31, 2026", "31-May-2026").
_NAMED = ("%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y")
_TIMES = ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p")
_SIGNS = re.compile(r"[\s'\u00a0$€£¥￥]|^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$|元$")
# Commas only as thousands separators: `1,234,567.89`. `1.234,56` or `12,5` (a decimal
# comma) is refused rather than read as 1.23456 or 125.
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


class BadValue(ValueError):
    """A cell is not what its column needs; the message says what it should look like."""


def day_of(cell: Cell, order: DateOrder) -> date | None:
    """A date cell (a time after it is ignored); None when empty."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = cell.strip()
    if not text:
        return None
    day_text = text.split("T")[0].split(" ")[0] if text[:4].isdigit() else text
    found = _parse(day_text, _formats(order)) or _parse(text, _NAMED)
    if found is None:
        found = _instant(text, order)
        if found is None:
            raise BadValue(f"“{_shown(text)}” is not a date such as {_example(order)}")
    return found.date()


def instant_of(cell: Cell, order: DateOrder, zone: ZoneInfo) -> datetime | None:
    """A date-and-time cell in UTC; one without an offset is in the team's time zone."""
    if isinstance(cell, datetime):
        local = cell
    elif isinstance(cell, date):
        local = datetime.combine(cell, time())
    else:
        text = cell.strip()
        if not text:
            return None
        parsed = _instant(text, order)
        if parsed is None:
            raise BadValue(
                f"“{_shown(text)}” is not a date and time such as {_example(order)} 09:30"
            )
        local = parsed
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC"))


def amount_of(cell: Cell) -> Decimal | None:
    """An amount without its thousands separators and currency sign; None when empty."""
    text = str(cell).strip()
    if not text:
        return None
    plain = _SIGNS.sub("", text)
    if "," in plain:
        if not _THOUSANDS.match(plain):
            raise BadValue(
                f"“{_shown(text)}” has a comma that is not a thousands separator; write it"
                " as 1234.56 or 1,234.56"
            )
        plain = plain.replace(",", "")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        raise BadValue(f"“{_shown(text)}” is not an amount such as 12000 or 12,000.00") from None
    if not value.is_finite():
        raise BadValue(f"“{_shown(text)}” is not an amount such as 12000 or 12,000.00")
    return value


def _instant(text: str, order: DateOrder) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for day_format in (*_formats(order), *_NAMED):
        for time_format in _TIMES:
            found = _parse(text, (f"{day_format} {time_format}",))
            if found is not None:
                return found
    found = _parse(text, _formats(order)) or _parse(text, _NAMED)
    return found


def _formats(order: DateOrder) -> tuple[str, ...]:
    # ISO dates are read whatever the CRM's own order is.
    return _DATE_FORMATS[order] + (() if order == "ymd" else _DATE_FORMATS["ymd"])


def _parse(text: str, formats: tuple[str, ...]) -> datetime | None:
    for form in formats:
        try:
            # Naive on purpose: the caller puts it in the team's time zone.
            return datetime.strptime(text, form)  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _example(order: DateOrder) -> str:
    return {"ymd": "2026-05-31", "mdy": "5/31/2026", "dmy": "31/05/2026"}[order]


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"
