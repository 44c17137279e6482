"""Reading the values CRMs send: what every connector needs the same way."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def decimal_of(value: object) -> Decimal | None:
    """A CRM's number (a JSON number or its text) as a Decimal; None when absent or not a
    finite number, which CRMs send for an empty amount or a probability not set."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
