"""Misbehaving on purpose: injected HTTP errors, hangs, and Slack-style rate limits."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Error strings Slack puts in the body of 5xx answers.
_STATUS_ERRORS = {500: "internal_error", 502: "bad_gateway", 503: "service_unavailable"}


@dataclass
class _Fault:
    """An HTTP error owed to the next ``remaining`` calls of ``method``."""

    method: str
    status: int
    remaining: int
    retry_after: int | None


@dataclass
class _Hang:
    """A hang of ``seconds`` owed to the next ``remaining`` calls of ``method``."""

    method: str
    seconds: float
    remaining: int


@dataclass
class _Late:
    """An answer delayed by ``seconds`` after the call was carried out, for ``remaining`` calls."""

    method: str
    seconds: float
    remaining: int


@dataclass
class _Bucket:
    """One token bucket: how many calls are left, as of when."""

    tokens: float
    updated: float


@dataclass
class _RateLimit:
    """A token bucket per value of ``per_key`` (one shared bucket when it is None)."""

    per_second: float
    burst: int
    per_key: str | None
    buckets: dict[str, _Bucket] = field(default_factory=dict)

    def retry_after(self, params: Mapping[str, Any], now: float) -> int | None:
        """Take a token; None if allowed, else whole seconds until one is available."""
        key = str(params.get(self.per_key, "")) if self.per_key else ""
        bucket = self.buckets.setdefault(key, _Bucket(tokens=float(self.burst), updated=now))
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        # Slack's Retry-After is whole seconds; rounding down to 0 would invite a hot loop.
        return max(1, math.ceil((1.0 - bucket.tokens) / self.per_second))


@dataclass(frozen=True)
class Failure:
    """How a fault answers the call it claimed: HTTP status, Slack's error body, headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Faults:
    """Pending injected faults and hangs, and the rate limits per method; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._hangs: list[_Hang] = []
        self._lates: list[_Late] = []
        self._rate_limits: dict[str, _RateLimit] = {}

    def inject(self, method: str, *, status: int, times: int, retry_after: int | None) -> None:
        """Owe the next ``times`` calls to ``method`` ("*" = any) an HTTP ``status``."""
        if times < 1:
            raise ValueError("times must be at least 1")
        if status < 400:
            raise ValueError("a fault needs an error status (>= 400)")
        with self._lock:
            self._faults.append(_Fault(method, status, times, retry_after))

    def slow(self, method: str, *, seconds: float, times: int) -> None:
        """Owe the next ``times`` calls to ``method`` a hang of ``seconds``."""
        if times < 1 or seconds <= 0:
            raise ValueError("slow() needs times >= 1 and seconds > 0")
        with self._lock:
            self._hangs.append(_Hang(method, seconds, times))

    def late(self, method: str, *, seconds: float, times: int) -> None:
        """Carry out the next ``times`` calls to ``method``, then answer ``seconds`` later."""
        if times < 1 or seconds <= 0:
            raise ValueError("late() needs times >= 1 and seconds > 0")
        with self._lock:
            self._lates.append(_Late(method, seconds, times))

    def take_late(self, method: str) -> float:
        """Seconds to hold this call's answer after carrying it out (0.0: answer at once)."""
        with self._lock:
            for late in self._lates:
                if late.method in ("*", method):
                    late.remaining -= 1
                    if late.remaining <= 0:
                        self._lates.remove(late)
                    return late.seconds
        return 0.0

    def rate_limit(self, method: str, per_second: float, burst: int, per_key: str | None) -> None:
        """Limit ``method`` to a token bucket (per value of param ``per_key``)."""
        if per_second <= 0 or burst < 1:
            raise ValueError("per_second must be > 0 and burst >= 1")
        with self._lock:
            self._rate_limits[method] = _RateLimit(per_second, burst, per_key)

    def clear(self) -> None:
        """Drop pending injected faults and all rate limits (pending hangs stay)."""
        with self._lock:
            self._faults.clear()
            self._rate_limits.clear()

    def take_hang(self, method: str) -> float:
        """Seconds this call must hang before failing (0.0: no hang is owed)."""
        with self._lock:
            for hang in self._hangs:
                if hang.method in ("*", method):
                    hang.remaining -= 1
                    if hang.remaining <= 0:
                        self._hangs.remove(hang)
                    return hang.seconds
        return 0.0

    def take(self, method: str, params: Mapping[str, Any]) -> Failure | None:
        """The failure an injected fault or the rate limiter claims this call for, if any."""
        status, retry_after = self._take_status(method, params)
        if not status:
            return None
        if status == 429:
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return Failure(status, {"ok": False, "error": "ratelimited"}, headers)
        return Failure(
            status, {"ok": False, "error": _STATUS_ERRORS.get(status, "fatal_error")}, {}
        )

    def _take_status(self, method: str, params: Mapping[str, Any]) -> tuple[int, int | None]:
        """(HTTP status, Retry-After) for this call; status 0 means answer normally."""
        with self._lock:
            for fault in self._faults:
                if fault.method in ("*", method):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault.status, fault.retry_after
            limit = self._rate_limits.get(method)
            wait = limit.retry_after(params, time.monotonic()) if limit is not None else None
        return (429, wait) if wait is not None else (0, None)
