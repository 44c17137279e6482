"""Reading requests like Slack does: form or JSON bodies, JSON-typed arguments, tokens, cursors."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from bot.dev.standin.records import SlackError
from bot.dev.standin.transport import Request

# Arguments Slack types as JSON: form-encoded requests carry them as JSON strings.
JSON_PARAMS = frozenset({"blocks", "attachments", "view", "files", "user_auth_blocks", "metadata"})

_T = TypeVar("_T")


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Form or JSON body -> dict; Slack accepts both for every Web API method."""
    if not body.strip():
        return {}
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        try:
            parsed = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SlackError("invalid_json") from exc
        if not isinstance(parsed, dict):
            raise SlackError("invalid_json")
        return parsed
    # Anything else is treated as a form, as Slack does for bodies without a content type.
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def normalise(params: Mapping[str, Any]) -> dict[str, Any]:
    """Decode JSON-typed arguments that came as strings, so tests always see objects."""
    out = dict(params)
    for key in JSON_PARAMS & out.keys():
        value = out[key]
        if not isinstance(value, str) or value.strip()[:1] not in ("[", "{"):
            continue
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError as exc:
            error = "invalid_blocks_format" if key == "blocks" else "invalid_arguments"
            raise SlackError(error) from exc
    return out


def decode_api_request(request: Request) -> tuple[dict[str, Any], str | None, str | None]:
    """(params, token, error): query string and body merged, token taken out, JSON decoded.

    A malformed body is not answered here: the error comes back so the call still gets
    recorded (and can still be faulted) like any other.
    """
    params: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    try:
        params.update(parse_body(request.headers.get("content-type", ""), request.body))
    except SlackError as exc:
        return params, take_token(params, request.headers), exc.error
    token = take_token(params, request.headers)
    try:
        return normalise(params), token, None
    except SlackError as exc:
        return params, token, exc.error


def take_token(params: dict[str, Any], headers: Mapping[str, str]) -> str | None:
    """Bearer header (what slack_sdk sends) or a legacy ``token`` argument.

    HTTP Basic (oauth.v2.access) is decoded into ``client_id`` only: the secret is not
    worth keeping in call records.
    """
    body_token = params.pop("token", None)
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            client_id = base64.b64decode(value).decode().partition(":")[0]
            params.setdefault("client_id", client_id)
    return str(body_token) if body_token else None


def flag(value: Any) -> bool:
    """Slack booleans: JSON true, or "1"/"true" from a form."""
    return value is True or str(value).lower() in ("1", "true")


def int_param(params: Mapping[str, Any], key: str, default: int, error: str) -> int:
    """An integer argument (``default`` if absent); anything else is Slack's ``error``."""
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SlackError(error) from exc


def _encode_cursor(offset: int) -> str:
    # Slack cursors are opaque base64 strings; tests must not be able to rely on their shape.
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: Any) -> int:
    """The offset a cursor from _encode_cursor stands for (0 for no cursor)."""
    if not cursor:
        return 0
    try:
        label, _, offset = base64.urlsafe_b64decode(str(cursor)).decode().partition(":")
        if label != "offset":
            raise ValueError(label)
        return int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise SlackError("invalid_cursor") from exc


def paginate(items: list[_T], params: Mapping[str, Any], default: int) -> tuple[list[_T], str]:
    """One page of ``items`` and the next cursor ("" on the last page, as Slack does)."""
    offset = _decode_cursor(params.get("cursor"))
    limit = int_param(params, "limit", default, "invalid_limit")
    end = len(items) if limit <= 0 else offset + limit
    return items[offset:end], _encode_cursor(end) if end < len(items) else ""
