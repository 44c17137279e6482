"""Where "now" comes from: the system clock in production, a settable one in tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The time the clock was set to."""
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to an instant."""
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        with self._lock:
            self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        with self._lock:
            self._at += delta


class ShiftedClock:
    """The real time, shifted: jumping it to an instant keeps it running from there (console)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The real time plus the shift."""
        with self._lock:
            return datetime.now(UTC) + self._offset

    def set(self, at: datetime) -> None:
        """From now on, the clock reads `at` and runs on from there."""
        if at.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        with self._lock:
            self._offset = at - datetime.now(UTC)
