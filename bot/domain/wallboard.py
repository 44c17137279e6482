"""The wallboard's rules without I/O: what a board token looks like, the digest kept of it, and
how much of a period is left."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet (256 bits).
TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def is_token(text: str) -> bool:
    """Whether `text` has the shape of a board token (anything else is not looked up)."""
    return _TOKEN.fullmatch(text) is not None


def digest(token: str) -> str:
    """The hex SHA-256 kept in place of a token. The token is 256 random bits, so a fast hash
    is enough: nothing could be guessed by hashing candidates."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class TimeLeft:
    """Whole days, hours and minutes until a moment (all 0 once it has passed)."""

    days: int
    hours: int
    minutes: int


def time_left(now: datetime, until: datetime) -> TimeLeft:
    """What is left from `now` until `until`, rounded down to the minute."""
    minutes = max(0, int((until - now).total_seconds()) // 60)
    return TimeLeft(minutes // (24 * 60), minutes // 60 % 24, minutes % 60)
