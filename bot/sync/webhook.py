"""`POST /crm/<crm>/webhook`: a CRM's webhook, verified on its raw bytes before anything is
parsed, its events noted once each, and a fetch of each record they name owed to the outbox.

The answer comes at once (HubSpot waits five seconds at most and retries what it thinks was
lost); the records are fetched and applied by the sender, after the commit. A request that no
connected account of that CRM signed, or signed more than five minutes ago, is refused (401)
with one log line naming the reason and the size, never the body, and nothing is written.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.config import MissingSettingError
from bot.crm.base import Connector, WebhookRefused, WebhookRequest
from bot.crm.secrets import Unreadable
from bot.db import reading
from bot.domain.crm import LIVE_CRMS
from bot.runtime import Runtime
from bot.services import crm_connections, crm_sync
from bot.sync.credentials import connector_of
from bot.unit_of_work import unit
from models import CrmConnection

log = logging.getLogger(__name__)

PREFIX = "/crm/"
SUFFIX = "/webhook"
MAX_BODY_BYTES = 1024 * 1024
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Payload Too Large",
}


def is_webhook(path: str) -> bool:
    """A CRM webhook's path."""
    return path.startswith(PREFIX) and path.endswith(SUFFIX)


class Webhooks:
    """The WSGI app for every CRM's webhook path."""

    def __init__(self, runtime: Runtime, wall_clock: Callable[[], float] = time.time) -> None:
        self._runtime = runtime
        # The signature's window is about when the request was sent: real time, whatever the
        # bot's clock says (as for Slack's requests, bot/slack/guard.py).
        self._wall_clock = wall_clock

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        crm = path[len(PREFIX) : -len(SUFFIX)]
        if crm not in LIVE_CRMS:
            return _answer(start_response, 404, {"error": "not_found"})
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, 405, {"error": "method_not_allowed"})
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY_BYTES:
            log.info("crm.webhook_refused crm=%s reason=too_large size=%s", crm, size)
            return _answer(start_response, 413, {"error": "too_large"})
        body = environ["wsgi.input"].read(size) if size else b""
        request = WebhookRequest(
            method="POST",
            url=public_url(environ),
            headers={
                key[5:].replace("_", "-").lower(): str(value)
                for key, value in environ.items()
                if key.startswith("HTTP_")
            },
            body=body,
        )
        found = self._verified(crm, request)
        if isinstance(found, str):
            log.info("crm.webhook_refused crm=%s reason=%s size=%s", crm, found, len(body))
            return _answer(start_response, 401, {"error": "unauthorized"})
        connection_id, account_id, connector = found
        try:
            events = connector.parse_webhook(body)
        except WebhookRefused as refused:
            log.info("crm.webhook_refused crm=%s reason=%s size=%s", crm, refused.reason, len(body))
            return _answer(start_response, 400, {"error": "malformed"})
        events = [e for e in events if e.account_id in (None, account_id)]
        now = self._runtime.clock.now()
        with unit(self._runtime, now=now) as session:
            new = crm_sync.record_webhook(session, connection_id, events, now=now)
        log.info("crm.webhook connection=%s events=%s new=%s", connection_id, len(events), new)
        return _answer(start_response, 200, {"received": len(events), "new": new})

    def _verified(
        self, crm: str, request: WebhookRequest
    ) -> tuple[int, str | None, Connector] | str:
        """The connection whose secret signed the request, or why none did."""
        with reading(self._runtime.sessions) as session:
            candidates = [
                (row.id, row.account_id, row.credentials)
                for row in session.scalars(
                    select(CrmConnection)
                    .where(
                        CrmConnection.crm == crm,
                        CrmConnection.status == crm_connections.ACTIVE,
                        CrmConnection.credentials.is_not(None),
                    )
                    .order_by(CrmConnection.id)
                )
            ]
        if not candidates:
            return "not_connected"
        now = datetime.fromtimestamp(self._wall_clock(), UTC)
        reasons = []
        for connection_id, account_id, sealed in candidates:
            assert sealed is not None
            try:
                connector = connector_of(self._runtime, crm, sealed)
                connector.verify_webhook(request, now)
            except WebhookRefused as refused:
                reasons.append(refused.reason)
                continue
            except (Unreadable, MissingSettingError):
                reasons.append("credentials_unreadable")
                continue
            return connection_id, account_id, connector
        # "stale" and "unsigned" hold whatever the secret; otherwise no secret matched.
        for reason in ("unsigned", "stale"):
            if reason in reasons:
                return reason
        return reasons[0] if reasons else "signature"


def public_url(environ: dict[str, Any]) -> str:
    """The URL the CRM called, as it signed it: behind a proxy, the one the proxy was asked."""
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "https")
    host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST")
    if not host:
        host = f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
    url = f"{str(scheme).split(',')[0].strip()}://{str(host).split(',')[0].strip()}"
    url += str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    query = environ.get("QUERY_STRING")
    return f"{url}?{query}" if query else url


def _answer(start_response: StartResponse, status: int, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        _STATUS[status],
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]
