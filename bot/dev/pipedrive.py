"""DevPipedrive: a local stand-in for the parts of Pipedrive's API that Salesbot uses.

Built from Pipedrive's public API reference: `GET /v1/users/me` and `/v1/users`, stages and
deals in API v2 (`updated_since`, `sort_by=update_time`, `limit`, `cursor` paging through
`additional_data.next_cursor`), create and update, the token in `x-api-token` (401 otherwise),
Pipedrive's error bodies (`{"success": false, "error", "errorCode"}`), 429 with
`x-ratelimit-reset` when told to, webhooks v2 sent with HTTP basic auth, and `GET
/v1/dealFields` with the custom fields added by `add_field` (40-hex keys; a deal's values in
its `custom_fields`, an enum's by option id, checked on write).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.dev.crm_standin import Answer, Call, CrmStandIn

DEFAULT_TOKEN = "pipedrive-test-api-token"  # noqa: S105 (the stand-in's own)
DEFAULT_DOMAIN = "acme"
STAGES = [
    {"id": 1, "name": "Qualified", "order_nr": 1, "deal_probability": 20, "pipeline_id": 1},
    {"id": 2, "name": "Contact Made", "order_nr": 2, "deal_probability": 40, "pipeline_id": 1},
    {"id": 3, "name": "Proposal Made", "order_nr": 3, "deal_probability": 60, "pipeline_id": 1},
    {
        "id": 4,
        "name": "Negotiations Started",
        "order_nr": 4,
        "deal_probability": 80,
        "pipeline_id": 1,
    },
]
# Some of a deal's own fields as GET /v1/dealFields lists them (key, name, type).
DEFAULT_FIELDS = (
    ("title", "Title", "varchar"),
    ("value", "Value", "monetary"),
    ("stage_id", "Stage", "stage"),
    ("status", "Status", "status"),
    ("user_id", "Owner", "user"),
    ("expected_close_date", "Expected close date", "date"),
)
DEAL_FIELDS = frozenset(
    {
        "title",
        "value",
        "currency",
        "stage_id",
        "pipeline_id",
        "status",
        "owner_id",
        "custom_fields",
        "expected_close_date",
    }
)


class DevPipedrive(CrmStandIn):
    """A fake Pipedrive company on 127.0.0.1."""

    content_type = "application/json"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        domain: str = DEFAULT_DOMAIN,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.token = token
        self.domain = domain
        self._users: dict[int, dict[str, Any]] = {}
        self._deals: dict[int, dict[str, Any]] = {}
        # Custom deal fields, by key.
        self._fields: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(501)
        self._limited: list[int] = []

    @property
    def api_url(self) -> str:
        """What PIPEDRIVE_API_URL should be."""
        return self.url

    def rate_limit(self, calls: int = 1, reset: int = 2) -> None:
        """Answer the next `calls` requests with 429 and x-ratelimit-reset."""
        with self._lock:
            self._limited += [reset] * calls

    def add_user(self, user_id: int, email: str, name: str) -> None:
        """A Pipedrive user who can own deals."""
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "name": name,
                "email": email,
                "active_flag": True,
                "company_domain": self.domain,
            }

    def add_field(self, name: str, options: list[str] | None = None) -> str:
        """A custom deal field (free text, or an enum of these labels): its 40-hex key."""
        with self._lock:
            key = hashlib.sha1(f"{self.domain}:{name}".encode()).hexdigest()  # noqa: S324
            field_id = 12_000 + len(self._fields)
            self._fields[key] = {
                "id": field_id,
                "key": key,
                "name": name,
                "field_type": "enum" if options is not None else "varchar",
                "edit_flag": True,
                "active_flag": True,
                "mandatory_flag": False,
                "add_time": "2024-01-01 00:00:00",
                "options": [
                    {"id": field_id * 10 + i, "label": label}
                    for i, label in enumerate(options or [], start=1)
                ]
                if options is not None
                else None,
            }
            return key

    def option_id(self, key: str, label: str) -> int:
        """The id of an enum field's option."""
        with self._lock:
            return int(
                next(o["id"] for o in self._fields[key]["options"] or [] if o["label"] == label)
            )

    def create_deal(self, **fields: Any) -> tuple[int, dict[str, Any]]:
        """A deal added in Pipedrive's app: its id and the webhook (v2) it fires."""
        with self._lock:
            deal = self._create(fields)
            return deal["id"], self._event("create", deal)

    def update_deal(self, deal_id: int, **fields: Any) -> dict[str, Any]:
        """A deal changed in Pipedrive's app: the webhook (v2) it fires."""
        with self._lock:
            deal = self._deals[deal_id]
            self._update(deal, fields)
            deal["update_time"] = _iso(self.clock())
            return self._event("change", deal)

    def deal(self, deal_id: int) -> dict[str, Any]:
        """A deal as Pipedrive has it."""
        with self._lock:
            return dict(self._deals[deal_id])

    def writes(self) -> list[Call]:
        """The creates and updates Pipedrive accepted."""
        with self._lock:
            return [
                c
                for c in self._calls
                if c.method in ("POST", "PATCH")
                and c.path.startswith("/api/v2/deals")
                and c.status < 300
            ]

    def post_webhook(
        self, url: str, event: dict[str, Any], *, user: str, password: str
    ) -> tuple[int, bytes]:
        """Deliver a webhook as Pipedrive does, with the basic auth it was configured with."""
        body = json.dumps(event).encode()
        auth = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers = {"Content-Type": "application/json", "Authorization": f"Basic {auth}"}
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    # ------------------------------------------------------------------ internals

    def _create(self, fields: dict[str, Any]) -> dict[str, Any]:
        now = _iso(self.clock())
        deal: dict[str, Any] = {
            "id": next(self._ids),
            "title": "",
            "value": 0,
            "currency": "CNY",
            "status": "open",
            "stage_id": 1,
            "pipeline_id": 1,
            "owner_id": None,
            "expected_close_date": None,
            "custom_fields": dict.fromkeys(self._fields),
            "add_time": now,
            "update_time": now,
            "is_deleted": False,
        }
        self._update(deal, fields)
        self._deals[deal["id"]] = deal
        return deal

    def _update(self, deal: dict[str, Any], fields: dict[str, Any]) -> None:
        custom = fields.get("custom_fields") or {}
        deal.update({k: v for k, v in fields.items() if k != "custom_fields"})
        deal["custom_fields"] = {**deal.get("custom_fields", {}), **custom}

    def _custom_invalid(self, body: Any) -> str | None:
        custom = body.get("custom_fields") if isinstance(body, dict) else None
        if custom is None:
            return None
        if not isinstance(custom, dict):
            return "custom_fields must be an object"
        for key, value in custom.items():
            field = self._fields.get(key)
            if field is None:
                return f"custom field {key} does not exist"
            options = {o["id"] for o in field["options"] or []}
            if field["field_type"] == "enum" and value is not None and value not in options:
                return f"{value!r} is not an option of {field['name']}"
        return None

    def _event(self, action: str, deal: dict[str, Any]) -> dict[str, Any]:
        return {
            "meta": {
                "action": action,
                "entity": "deal",
                "entity_id": str(deal["id"]),
                "id": str(uuid.uuid4()),
                "timestamp": _iso(self.clock()),
                "version": "2.0",
                "company_id": 12345,
                "host": f"{self.domain}.pipedrive.com",
                "attempt": 1,
            },
            "data": dict(deal),
            "previous": None,
        }

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
    ) -> Answer:
        token = headers.get("x-api-token", "")
        if self._down:
            self._down -= 1
            return 503, _error("Service unavailable", 503), {}
        if self._limited:
            reset = self._limited.pop(0)
            return 429, _error("Request over limit", 429), {"x-ratelimit-reset": str(reset)}
        if token != self.token:
            return 401, _error("unauthorized access", 401), {}
        if (method, path) == ("GET", "/v1/users/me"):
            me = next(iter(self._users.values()), {"id": 1, "email": "admin@example.com"})
            return (
                200,
                {
                    "success": True,
                    "data": {**me, "company_id": 12345, "company_domain": self.domain},
                },
                {},
            )
        if (method, path) == ("GET", "/v1/users"):
            return 200, {"success": True, "data": list(self._users.values())}, {}
        if (method, path) == ("GET", "/v1/dealFields"):
            defaults = [
                {"id": i, "key": key, "name": name, "field_type": kind, "edit_flag": False}
                for i, (key, name, kind) in enumerate(DEFAULT_FIELDS, start=1)
            ]
            return (
                200,
                {
                    "success": True,
                    "data": [*defaults, *self._fields.values()],
                    "additional_data": {
                        "pagination": {"start": 0, "limit": 500, "more_items_in_collection": False}
                    },
                },
                {},
            )
        if (method, path) == ("GET", "/api/v2/stages"):
            return 200, {"success": True, "data": STAGES, "additional_data": {}}, {}
        if (method, path) == ("GET", "/api/v2/deals"):
            return (*self._list(query), {})
        if path.startswith("/api/v2/deals/") and method in ("GET", "PATCH"):
            deal = self._deals.get(int(path.rsplit("/", 1)[1]))
            if deal is None or deal["is_deleted"]:
                return 404, _error("Deal not found", 404), {}
            if method == "PATCH":
                problem = _invalid(body) or self._custom_invalid(body)
                if problem:
                    return 400, _error(problem, 400), {}
                self._update(deal, body)
                deal["update_time"] = _iso(self.clock())
            return 200, {"success": True, "data": dict(deal)}, {}
        if (method, path) == ("POST", "/api/v2/deals"):
            problem = (
                _invalid(body)
                or self._custom_invalid(body)
                or (None if body.get("title") else "title is required")
            )
            if problem:
                return 400, _error(problem, 400), {}
            return 201, {"success": True, "data": dict(self._create(body))}, {}
        return 404, _error("Unknown method", 404), {}

    def _list(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        since = query.get("updated_since", [None])[0]
        limit = int(query.get("limit", ["100"])[0])
        if limit > 500:
            return 400, _error("limit must be at most 500", 400)
        start = int(query.get("cursor", ["0"])[0])
        deals = [d for d in self._deals.values() if not d["is_deleted"]]
        if since is not None:
            deals = [d for d in deals if d["update_time"] >= since.replace("Z", "")[:19]]
        deals.sort(key=lambda d: (d["update_time"], d["id"]))
        page = deals[start : start + limit]
        more = start + limit < len(deals)
        return 200, {
            "success": True,
            "data": [dict(d) for d in page],
            "additional_data": {"next_cursor": str(start + limit) if more else None},
        }


def _invalid(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "invalid JSON"
    unknown = set(body) - DEAL_FIELDS
    if unknown:
        return f"unknown fields: {sorted(unknown)}"
    if "stage_id" in body and body["stage_id"] not in {s["id"] for s in STAGES}:
        return "stage_id is not valid"
    if "status" in body and body["status"] not in ("open", "won", "lost", "deleted"):
        return "status is not valid"
    return None


def _error(message: str, code: int) -> dict[str, Any]:
    return {
        "success": False,
        "error": message,
        "errorCode": code,
        "error_info": "Please check developers.pipedrive.com",
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
