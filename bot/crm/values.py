"""Reading the values CRMs send: what every connector needs the same way."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


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


def exact_json(value: Any) -> str:
    """JSON whose Decimals are numbers written exactly (`12345678901234567.89`, not the
    nearest float): money never goes through a float on its way to a CRM."""
    exact: dict[str, str] = {}

    def marked(item: Any) -> Any:
        if isinstance(item, Decimal):
            if not item.is_finite():
                raise ValueError(f"{item} is no JSON number")
            mark = f"\x00{len(exact)}\x00"
            exact[json.dumps(mark)] = format(item, "f")
            return mark
        if isinstance(item, Mapping):
            return {key: marked(v) for key, v in item.items()}
        if isinstance(item, list | tuple):
            return [marked(v) for v in item]
        return item

    text = json.dumps(marked(value))
    if exact:
        text = _MARK.sub(lambda found: exact[found.group(0)], text)
    return text


def exact_loads(raw: bytes | str) -> Any:
    """JSON whose fractional numbers are read as Decimals, exactly as the CRM wrote them."""
    return json.loads(raw, parse_float=Decimal)


_MARK = re.compile(r'"\\u0000\d+\\u0000"')
