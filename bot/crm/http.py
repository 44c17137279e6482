"""JSON over HTTPS for the connectors: timeouts, and the CRMs' answers turned into CrmErrors.

Nothing here logs a header or a body: tokens travel in headers, and bodies hold customer data.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from typing import Any
from urllib.parse import urlencode

from bot.crm.base import OutcomeUnknown, RateLimited, Rejected, Unauthorized, Unavailable
from bot.crm.values import exact_json, exact_loads
from bot.redirects import RedirectRefused, opener

log = logging.getLogger(__name__)

# A Retry-After this short is waited out in place (a poll), once per call.
WAIT_IN_PLACE_SECONDS = 10.0
MAX_BODY = 8 * 1024 * 1024


@dataclass
class Api:
    """One CRM's API at `base_url`, with the headers every call carries (its auth)."""

    base_url: str
    headers: Mapping[str, str]
    timeout: float
    # Seconds a 429 may ask us to wait before the call gives up and raises RateLimited.
    wait_in_place: float = 0.0
    calls: int = field(default=0)

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | int | list[str]] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One call; its JSON answer (None for an empty one, or 304 Not Modified)."""
        for attempt in range(2):
            try:
                return self._once(method, path, query, body, headers or {})
            except RateLimited as limited:
                wait = limited.retry_after
                if attempt or wait is None or wait > self.wait_in_place:
                    raise
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _once(
        self,
        method: str,
        path: str,
        query: Mapping[str, str | int | list[str]] | None,
        body: Any,
        extra: Mapping[str, str],
    ) -> Any:
        url = self.base_url + path
        if query:
            url += "?" + urlencode(query, doseq=True)
        # Money exactly: a Decimal amount is written as the number it is, not a float.
        data = None if body is None else exact_json(body).encode()
        headers = {"Accept": "application/json", **self.headers, **extra}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
        self.calls += 1
        try:
            # A redirect to another host would take the token along: refused.
            with opener().open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_BODY)
        except urllib.error.HTTPError as error:
            if error.code == 304:
                # Not modified (a conditional GET): nothing new.
                return None
            raise _error_of(error, method, path) from None
        except RedirectRefused as refused:
            raise Unavailable(f"{method} {path}: {refused.reason}") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise _timed_out(method, path) from None
            # Refused or unresolvable: the request never reached the CRM.
            raise Unavailable(f"{method} {path}: {type(error.reason).__name__}") from None
        except (TimeoutError, ConnectionError, HTTPException):
            raise _timed_out(method, path) from None
        if not raw:
            return None
        try:
            return exact_loads(raw)
        except ValueError:
            raise Unavailable(f"{method} {path}: not JSON") from None


def _timed_out(method: str, path: str) -> Unavailable:
    # A read may simply be asked again; a write may have been done.
    if method == "GET":
        return Unavailable(f"{method} {path}: no answer")
    return OutcomeUnknown(f"{method} {path}: no answer")


def _error_of(error: urllib.error.HTTPError, method: str, path: str) -> Exception:
    try:
        answer = json.loads(error.read(64 * 1024) or b"{}")
    except ValueError:
        answer = {}
    answer = answer if isinstance(answer, dict) else {}
    records = answer.get("data")
    if "code" not in answer and isinstance(records, list) and records:
        # Zoho answers a refused record's write 400 {"data": [{"code", "message", ...}]}.
        answer = records[0] if isinstance(records[0], dict) else answer
    # HubSpot: {"status": "error", "message": ..., "category": ..., "correlationId": ...};
    # Zoho: {"code": "INVALID_TOKEN", "details": {}, "message": ..., "status": "error"}.
    what = str(answer.get("category") or answer.get("errorType") or answer.get("code") or "")
    said = str(answer.get("message") or answer.get("error") or "")[:300]
    if answer.get("error_description"):
        # Zoho Accounts: {"error": "Access Denied", "error_description": "You have made too
        # many requests continuously..."}.
        said = f"{said}: {str(answer['error_description'])[:200]}"
    details = answer.get("details")
    if isinstance(details, dict) and details.get("api_name"):
        # Zoho names the field it refused.
        said += f" ({str(details['api_name'])[:60]})"
    detail = f"{method} {path}: HTTP {error.code} {what} {said}".strip()
    if error.code in (401, 403):
        return Unauthorized(detail, said=what)
    if error.code == 429:
        # HubSpot and Zoho may send Retry-After; Pipedrive the seconds to its window's reset.
        wait = error.headers.get("Retry-After") or error.headers.get("X-RateLimit-Reset")
        return RateLimited(detail, retry_after(wait), said=what)
    if error.code >= 500:
        return Unavailable(detail, said=what)
    return Rejected(detail, said=what)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number, or an HTTP date); None when absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
