"""The WSGI layer in front of bolt: every POST to /slack/events is read with a size limit,
its v0 signature checked on the raw bytes, its shape and ids checked, and a replay refused,
before bolt parses a byte of it.

bolt parses first and verifies after, so a malformed unsigned body could reach a traceback,
and its failed verification logs the whole body. Here a refusal is a short 4xx answer and one
log line naming the reason and the size, never the body.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.domain.payloads import Invalid, check_envelope
from bot.domain.slack_ids import is_id
from bot.services.events import first_sight, forget_seen
from bot.views.common import try_again

log = logging.getLogger(__name__)

# Slack's payloads are well under this; a bigger body is refused before it is read whole.
MAX_BODY_BYTES = 1024 * 1024
# Slack's window: a request signed longer ago (or further ahead) than this is refused.
WINDOW_SECONDS = 5 * 60
# How often one process clears signatures whose window has passed.
FORGET_EVERY_SECONDS = 60

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_STATUS = {
    400: "400 Bad Request",
    401: "401 Unauthorized",
    409: "409 Conflict",
    413: "413 Payload Too Large",
    503: "503 Service Unavailable",
}


class Refused(Exception):
    """A request answered with `status` and a reason, and never handed to bolt."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Guard:
    """Checks each request to Slack's path; hands bolt only what passes."""

    app: WSGIApp
    signing_secret: str
    engine: Engine
    path: str = "/slack/events"
    # Wall-clock seconds: the signature window is about real time, whatever the bot's clock.
    clock: Callable[[], float] = time.time
    _forgotten_at: float = 0.0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        size = _declared_size(environ)
        try:
            body = _read(environ, size)
            signature = self._verify(environ, body)
            body = _check_shape(body, environ.get("CONTENT_TYPE", ""))
            self._first_sight(signature)
        except Refused as refusal:
            log.info(
                "request.refused reason=%s status=%s size=%s", refusal.reason, refusal.status, size
            )
            if refusal.reason == "replayed" and _is_event(environ):
                # Handled already: a 200 tells Slack to stop delivering it.
                return _json(start_response, "200 OK", {"ok": True})
            return _answer(start_response, refusal.status, refusal.reason)
        except DBAPIError:
            log.warning("request.unchecked reason=database_unavailable size=%s", size)
            if _is_event(environ):
                # An event: a 503 makes Slack deliver it again later.
                return _answer(start_response, 503, "database_unavailable")
            # A person waits on a command or a button: tell them, as any command would.
            return _reply(start_response, try_again())
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def _verify(self, environ: dict[str, Any], body: bytes) -> str:
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not signature or not timestamp:
            raise Refused(401, "unsigned")
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            raise Refused(401, "malformed_timestamp")
        if abs(self.clock() - int(timestamp)) > WINDOW_SECONDS:
            raise Refused(401, "stale_timestamp")
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise Refused(401, "bad_signature")
        return expected

    def _first_sight(self, signature: str) -> None:
        now = datetime.fromtimestamp(self.clock(), UTC)
        # A bare connection: one insert on every request, and a session's unit-of-work
        # machinery around it cost as much as the insert itself.
        with self.engine.begin() as connection:
            first = first_sight(connection, signature=signature, now=now)
            if self.clock() - self._forgotten_at > FORGET_EVERY_SECONDS:
                self._forgotten_at = self.clock()
                forget_seen(connection, before=now - timedelta(seconds=2 * WINDOW_SECONDS))
        if not first:
            raise Refused(409, "replayed")


def _is_event(environ: dict[str, Any]) -> bool:
    return str(environ.get("CONTENT_TYPE", "")).startswith("application/json")


def _declared_size(environ: dict[str, Any]) -> int:
    try:
        return max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        raise Refused(400, "malformed_length") from None


def _read(environ: dict[str, Any], size: int) -> bytes:
    """The body, never more than the limit (a body longer than it declared is cut there)."""
    if size > MAX_BODY_BYTES:
        raise Refused(413, "too_large")
    body: bytes = environ["wsgi.input"].read(size) if size else b""
    return body


def _check_shape(body: bytes, content_type: str) -> bytes:
    """UTF-8, a form or JSON that parses, and ids shaped as Slack's; the body bolt is given."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "not_utf8") from None
    if content_type.startswith("application/json"):
        _check_event(_json_object(text))
        return body
    form = {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}
    if "ssl_check" in form:
        return body
    if "payload" in form:
        _check_interaction(_json_object(form["payload"]))
        return body
    _require("team", form.get("team_id"))
    _require("user", form.get("user_id"))
    _require("channel", form.get("channel_id"))
    _optional("enterprise", form.get("enterprise_id"))
    # bolt takes any form body containing the word "payload" for an interaction (`/deal add
    # payload 5k` was a 404): spelled %70ayload it decodes to the same text and is not.
    return body.replace(b"payload", b"%70ayload")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # nested deeper than the parser goes
        raise Refused(400, "invalid_json") from None
    if not isinstance(value, dict):
        raise Refused(400, "invalid_json")
    return value


def _check_interaction(payload: dict[str, Any]) -> None:
    try:
        check_envelope(payload)
    except Invalid as invalid:
        raise Refused(400, f"malformed_{invalid.reason}") from None
    _require("team", _field(payload, "team", "id"))
    _require("user", _field(payload, "user", "id"))
    _optional("channel", _field(payload, "channel", "id"))
    _optional("enterprise", _field(payload, "enterprise", "id"))


def _check_event(body: dict[str, Any]) -> None:
    if body.get("type") != "event_callback":
        return
    _require("team", body.get("team_id"))
    event = body.get("event")
    if not isinstance(event, dict):
        raise Refused(400, "malformed_event")
    _optional("user", event.get("user"))
    _optional("channel", event.get("channel"))


def _field(payload: dict[str, Any], outer: str, inner: str) -> Any:
    value = payload.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _require(kind: str, value: Any) -> None:
    if not is_id(kind, value):
        raise Refused(400, f"malformed_{kind}_id")


def _optional(kind: str, value: Any) -> None:
    if value not in (None, "") and not is_id(kind, value):
        raise Refused(400, f"malformed_{kind}_id")


def _answer(start_response: StartResponse, status: int, reason: str) -> Iterable[bytes]:
    return _json(start_response, _STATUS[status], {"ok": False, "error": reason})


def _reply(start_response: StartResponse, message: dict[str, Any]) -> Iterable[bytes]:
    return _json(start_response, "200 OK", message)


def _json(start_response: StartResponse, status: str, value: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(value).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
