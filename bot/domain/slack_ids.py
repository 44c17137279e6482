"""The shapes of Slack's ids: anything else in a request is refused before it reaches a row."""

from __future__ import annotations

import re

# Upper-case letters and digits after a one-letter kind; Slack's are 9 to 11 long today, the
# bound leaves room without admitting a 5,000-character "id".
_BODY = r"[A-Z0-9]{1,31}"
SHAPES = {
    "team": re.compile(rf"T{_BODY}"),
    "enterprise": re.compile(rf"E{_BODY}"),
    "user": re.compile(rf"[UW]{_BODY}"),
    "channel": re.compile(rf"[CGD]{_BODY}"),
}


def is_id(kind: str, value: object) -> bool:
    """True when `value` is shaped like a Slack id of `kind` (team, enterprise, user, channel)."""
    return isinstance(value, str) and SHAPES[kind].fullmatch(value) is not None
