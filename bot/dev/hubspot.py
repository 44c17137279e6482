"""DevHubSpot: a local stand-in for the parts of HubSpot's CRM API v3 that Salesbot uses.

Built from HubSpot's public API reference: the account details, deal pipelines, owners (paged
by `after`), deal search (filters, one sort, `limit` up to 200, `paging.next.after`, at most
10,000 results), batch read with `propertiesWithHistory`, create and update, the deal
properties (the default ones and those added with `add_property`, an enumeration's values
checked on write), HubSpot's error bodies (`{"status": "error", "message", "correlationId",
"category"}`), 401 for a bad token, 429 with Retry-After when told to. It records every
call, stamps each change with its clock, and sends webhooks signed as HubSpot signs them (v3).

    with DevHubSpot(clock=clock.now) as hubspot:
        hubspot.add_owner("101", "bob@example.com", "Bob", "Rep")
        deal_id, events = hubspot.create_deal(dealname="Acme", amount="12000", ...)
        hubspot.post_webhook(f"{server_url}/crm/hubspot/webhook", events)
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.crm.hubspot import signature
from bot.dev.crm_standin import Answer, Call, CrmStandIn

DEFAULT_TOKEN = "pat-na1-test-token"  # noqa: S105 (the stand-in's own)
DEFAULT_SECRET = "hubspot-client-secret-test"  # noqa: S105
DEFAULT_PORTAL = 4242
KNOWN_PROPERTIES = frozenset(
    {
        "dealname",
        "amount",
        "deal_currency_code",
        "dealstage",
        "pipeline",
        "closedate",
        "hubspot_owner_id",
        "hs_next_step",
        "hs_forecast_category",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
)
DEFAULT_LABELS = {
    "dealname": "Deal Name",
    "amount": "Amount",
    "deal_currency_code": "Currency",
    "dealstage": "Deal Stage",
    "pipeline": "Pipeline",
    "closedate": "Close Date",
    "hubspot_owner_id": "Deal owner",
    "hs_next_step": "Next step",
    "hs_forecast_category": "Forecast category",
    "createdate": "Create Date",
    "hs_lastmodifieddate": "Last Modified Date",
    "hs_object_id": "Record ID",
}
DEFAULT_PIPELINE: list[dict[str, Any]] = [
    {
        "id": "default",
        "label": "Sales Pipeline",
        "displayOrder": 0,
        "stages": [
            {"id": "appointmentscheduled", "label": "Appointment Scheduled", "p": "0.2"},
            {"id": "qualifiedtobuy", "label": "Qualified To Buy", "p": "0.4"},
            {"id": "presentationscheduled", "label": "Presentation Scheduled", "p": "0.6"},
            {"id": "decisionmakerboughtin", "label": "Decision Maker Bought-In", "p": "0.8"},
            {"id": "contractsent", "label": "Contract Sent", "p": "0.9"},
            {"id": "closedwon", "label": "Closed Won", "p": "1.0", "closed": True},
            {"id": "closedlost", "label": "Closed Lost", "p": "0.0", "closed": True},
        ],
    }
]


@dataclass
class _Deal:
    id: str
    properties: dict[str, str | None]
    # Property -> [(value, when)], newest first.
    history: dict[str, list[tuple[str | None, datetime]]] = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    archived: bool = False


class DevHubSpot(CrmStandIn):
    """A fake HubSpot portal on 127.0.0.1."""

    content_type = "application/json;charset=utf-8"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        client_secret: str = DEFAULT_SECRET,
        portal_id: int = DEFAULT_PORTAL,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.token = token
        self.client_secret = client_secret
        self.portal_id = portal_id
        self._owners: dict[str, dict[str, Any]] = {}
        self._deals: dict[str, _Deal] = {}
        # Custom deal properties (GET /crm/v3/properties/deals), by internal name.
        self._properties: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(9_000_001)
        self._events = itertools.count(1)
        self._limited: list[int | None] = []

    # ------------------------------------------------------------------ lifecycle

    @property
    def api_url(self) -> str:
        """What HUBSPOT_API_URL should be."""
        return self.url

    # ------------------------------------------------------------------ faults

    def rate_limit(self, calls: int = 1, retry_after: int | None = 1) -> None:
        """Answer the next `calls` requests with 429 (and Retry-After, when given)."""
        with self._lock:
            self._limited += [retry_after] * calls

    def revoke(self) -> None:
        """The private app's token is rotated: the old one gets 401 from now on."""
        with self._lock:
            self.token = "revoked-" + uuid.uuid4().hex

    # ------------------------------------------------------------------ the portal

    def add_owner(self, owner_id: str, email: str, first: str = "", last: str = "") -> None:
        """A HubSpot user who can own deals."""
        with self._lock:
            self._owners[owner_id] = {
                "id": owner_id,
                "email": email,
                "firstName": first,
                "lastName": last,
                "userId": int(owner_id) + 1000 if owner_id.isdigit() else 1,
                "archived": False,
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:00Z",
            }

    def add_property(self, name: str, label: str, options: Mapping[str, str] | None = None) -> None:
        """A custom deal property: free text, or an enumeration (option value -> label)."""
        with self._lock:
            self._properties[name] = _property(
                name,
                label,
                "enumeration" if options is not None else "string",
                [
                    {"label": shown, "value": value, "displayOrder": i, "hidden": False}
                    for i, (value, shown) in enumerate((options or {}).items())
                ],
                defined=False,
            )

    def create_deal(self, **properties: str | None) -> tuple[str, list[dict[str, Any]]]:
        """A deal created in HubSpot's UI: its id and the webhook events it fires."""
        with self._lock:
            deal = self._create(properties, source="CRM_UI")
            events = [self._event(deal.id, "deal.creation")]
            events += [
                self._event(deal.id, "deal.propertyChange", name, value)
                for name, value in properties.items()
            ]
            return deal.id, events

    def update_deal(self, deal_id: str, **properties: str | None) -> list[dict[str, Any]]:
        """A deal changed in HubSpot's UI: the webhook events it fires (unchanged values fire
        none)."""
        with self._lock:
            deal = self._deals[deal_id]
            changed = self._set(deal, properties)
            return [
                self._event(deal_id, "deal.propertyChange", name, properties[name])
                for name in changed
            ]

    def deal(self, deal_id: str) -> dict[str, str | None]:
        """A deal's properties as HubSpot has them."""
        with self._lock:
            return dict(self._deals[deal_id].properties)

    def deals(self) -> dict[str, dict[str, str | None]]:
        """Every deal's properties, by id."""
        with self._lock:
            return {key: dict(deal.properties) for key, deal in self._deals.items()}

    def writes(self) -> list[Call]:
        """The creates and updates Salesbot made that HubSpot accepted."""
        return [
            call
            for call in self.calls()
            if call.method in ("POST", "PATCH")
            and call.path.startswith("/crm/v3/objects/deals")
            and not call.path.endswith(("/search", "/batch/read"))
            and call.status < 300
        ]

    # ------------------------------------------------------------------ webhooks

    def signed_headers(
        self, url: str, body: bytes, *, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        """The headers HubSpot signs a webhook with (v3), stamped with the wall clock's time
        of sending (an event's `occurredAt` is the portal's clock)."""
        stamp = str(timestamp if timestamp is not None else int(time.time() * 1000))
        mac = signature(secret or self.client_secret, "POST", url, body, stamp)
        return {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": mac,
            "X-HubSpot-Request-Timestamp": stamp,
        }

    def post_webhook(
        self,
        url: str,
        events: list[dict[str, Any]],
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Deliver `events` to `url` as HubSpot does; the status and body answered."""
        body = json.dumps(events).encode()
        sent = (
            headers
            if headers is not None
            else self.signed_headers(url, body, timestamp=timestamp, secret=secret)
        )
        request = urllib.request.Request(url, data=body, headers=dict(sent), method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    # ------------------------------------------------------------------ internals

    def _event(
        self, deal_id: str, kind: str, name: str | None = None, value: str | None = None
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "eventId": next(self._events) + 100_000,
            "subscriptionId": 7001,
            "portalId": self.portal_id,
            "appId": 5001,
            "occurredAt": int(self.clock().timestamp() * 1000),
            "subscriptionType": kind,
            "attemptNumber": 0,
            "objectId": int(deal_id),
            "changeSource": "CRM_UI",
        }
        if name is not None:
            event["propertyName"] = name
            event["propertyValue"] = value
        return event

    def _create(self, properties: Mapping[str, str | None], *, source: str) -> _Deal:
        now = self.clock()
        deal_id = str(next(self._ids))
        deal = _Deal(deal_id, {}, created=now)
        defaults = {"pipeline": "default", "dealstage": "appointmentscheduled"}
        self._set(deal, {**defaults, **properties}, at=now)
        deal.properties["createdate"] = _iso(now)
        deal.properties["hs_object_id"] = deal_id
        self._deals[deal_id] = deal
        return deal

    def _set(
        self, deal: _Deal, properties: Mapping[str, str | None], at: datetime | None = None
    ) -> list[str]:
        now = at or self.clock()
        changed = []
        for name, value in properties.items():
            if deal.properties.get(name) == value and name in deal.properties:
                continue
            deal.properties[name] = value
            deal.history.setdefault(name, []).insert(0, (value, now))
            changed.append(name)
        if changed:
            deal.properties["hs_lastmodifieddate"] = _iso(now)
        return changed

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
    ) -> Answer:
        auth = headers.get("authorization", "")
        if self._down:
            self._down -= 1
            return 503, _error("Service Unavailable", "SERVICE_UNAVAILABLE"), {}
        if self._limited:
            retry_after = self._limited.pop(0)
            answer = {
                "status": "error",
                "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()),
                "policyName": "SECONDLY",
            }
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return 429, answer, headers
        if auth != f"Bearer {self.token}":
            message = (
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at https://developers.hubspot.com"
                "/docs/methods/auth/oauth-overview"
            )
            return 401, _error(message, "INVALID_AUTHENTICATION"), {}
        found = self._dispatch(method, path, query, body)
        return found[0], found[1], {}

    def _dispatch(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        if (method, path) == ("GET", "/account-info/v3/details"):
            return 200, {
                "portalId": self.portal_id,
                "accountType": "STANDARD",
                "timeZone": "Asia/Shanghai",
                "companyCurrency": "CNY",
                "additionalCurrencies": ["USD"],
                "utcOffset": "+08:00",
                "utcOffsetMilliseconds": 28_800_000,
                "uiDomain": "app.hubspot.com",
                "dataHostingLocation": "na1",
            }
        if (method, path) == ("GET", "/crm/v3/pipelines/deals"):
            return 200, {"results": [_pipeline(p) for p in DEFAULT_PIPELINE]}
        if (method, path) == ("GET", "/crm/v3/properties/deals"):
            defaults = [
                _property(name, DEFAULT_LABELS.get(name, name), "string", [], defined=True)
                for name in sorted(KNOWN_PROPERTIES)
            ]
            return 200, {"results": [*defaults, *self._properties.values()]}
        if (method, path) == ("GET", "/crm/v3/owners"):
            return self._page(list(self._owners.values()), query)
        if (method, path) == ("POST", "/crm/v3/objects/deals/search"):
            return self._search(body)
        if (method, path) == ("POST", "/crm/v3/objects/deals/batch/read"):
            return self._batch_read(body)
        if (method, path) == ("POST", "/crm/v3/objects/deals"):
            return self._write(None, body)
        if method == "PATCH" and path.startswith("/crm/v3/objects/deals/"):
            return self._write(path.rsplit("/", 1)[1], body)
        return 404, _error("resource not found", "OBJECT_NOT_FOUND")

    def _page(self, items: list[dict[str, Any]], query: dict[str, list[str]]) -> tuple[int, Any]:
        limit = int(query.get("limit", ["100"])[0])
        start = int(query.get("after", ["0"])[0])
        if limit > 500:
            return 400, _error("limit must be at most 500", "VALIDATION_ERROR")
        page: dict[str, Any] = {"results": items[start : start + limit]}
        if start + limit < len(items):
            page["paging"] = {"next": {"after": str(start + limit), "link": "?after="}}
        return 200, page

    def _search(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return 400, _error("Invalid input JSON", "VALIDATION_ERROR")
        limit = int(body.get("limit", 10))
        after = int(body.get("after") or 0)
        if limit > 200:
            return 400, _error("limit must be at most 200", "VALIDATION_ERROR")
        if after >= 10_000:
            return 400, _error("the search can not page past 10,000 results", "VALIDATION_ERROR")
        groups = body.get("filterGroups") or []
        found = [
            deal
            for deal in self._deals.values()
            if not deal.archived and (not groups or any(_matches(deal, g) for g in groups))
        ]
        for sort in body.get("sorts") or []:
            name = sort["propertyName"] if isinstance(sort, dict) else str(sort)
            descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
            found.sort(key=_sort_key(name), reverse=descending)
        page = found[after : after + limit]
        properties = body.get("properties") or ["dealname", "amount", "dealstage"]
        answer: dict[str, Any] = {
            "total": len(found),
            "results": [_shown(deal, properties, []) for deal in page],
        }
        if after + limit < len(found):
            answer["paging"] = {"next": {"after": str(after + limit), "link": ""}}
        return 200, answer

    def _batch_read(self, body: Any) -> tuple[int, Any]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or len(inputs) > 100:
            return 400, _error("inputs: up to 100 ids", "VALIDATION_ERROR")
        properties = body.get("properties") or []
        history = body.get("propertiesWithHistory") or []
        results, errors = [], []
        for item in inputs:
            deal = self._deals.get(str(item.get("id")))
            if deal is None or deal.archived:
                errors.append({"status": "error", "category": "OBJECT_NOT_FOUND", "message": ""})
                continue
            results.append(_shown(deal, properties, history))
        now = _iso(self.clock())
        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": now,
            "completedAt": now,
        }
        if errors:
            answer["numErrors"] = len(errors)
            answer["errors"] = errors
            return 207, answer
        return 200, answer

    def _write(self, deal_id: str | None, body: Any) -> tuple[int, Any]:
        properties = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(properties, dict):
            return 400, _error("Invalid input JSON: properties", "VALIDATION_ERROR")
        problem = self._invalid(properties)
        if problem is not None:
            return 400, _error(f"Property values were not valid: {problem}", "VALIDATION_ERROR")
        if deal_id is None:
            deal = self._create(properties, source="INTEGRATION")
            return 201, _shown(deal, list(properties), [])
        deal_or_none = self._deals.get(deal_id)
        if deal_or_none is None or deal_or_none.archived:
            return 404, _error("resource not found", "OBJECT_NOT_FOUND")
        self._set(deal_or_none, properties)
        return 200, _shown(deal_or_none, list(properties), [])

    def _invalid(self, properties: Mapping[str, Any]) -> str | None:
        stages = {s["id"] for p in DEFAULT_PIPELINE for s in p["stages"]}
        for name, value in properties.items():
            custom = self._properties.get(name)
            if name not in KNOWN_PROPERTIES and custom is None:
                return f'Property "{name}" does not exist'
            enumerated = custom is not None and custom["type"] == "enumeration"
            if enumerated and value not in (None, "", *(o["value"] for o in custom["options"])):  # type: ignore[index]
                return f'"{value}" was not one of the allowed options for {name}'
            if name == "amount" and value not in (None, ""):
                try:
                    Decimal(str(value))
                except InvalidOperation:
                    return f'"{value}" is not a valid number'
            if name == "dealstage" and value not in stages:
                return f'"{value}" is not a valid pipeline stage'
            if name == "hubspot_owner_id" and value not in self._owners:
                return f'"{value}" is not a valid owner id'
            if name == "closedate" and value and _instant(str(value)) is None:
                return f'"{value}" is not a valid date'
        return None


def _property(
    name: str, label: str, kind: str, options: list[dict[str, Any]], *, defined: bool
) -> dict[str, Any]:
    """A deal property as GET /crm/v3/properties/deals describes it."""
    read_only = name in ("createdate", "hs_lastmodifieddate", "hs_object_id")
    return {
        "name": name,
        "label": label,
        "type": kind,
        "fieldType": "select" if kind == "enumeration" else "text",
        "groupName": "dealinformation",
        "options": options,
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": defined,
        "formField": True,
        "archived": False,
        "modificationMetadata": {
            "archivable": not defined,
            "readOnlyDefinition": defined,
            "readOnlyValue": read_only,
        },
        "createdAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-01-01T00:00:00Z",
    }


def _error(message: str, category: str) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }


def _pipeline(pipeline: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": pipeline["id"],
        "label": pipeline["label"],
        "displayOrder": pipeline["displayOrder"],
        "archived": False,
        "stages": [
            {
                "id": stage["id"],
                "label": stage["label"],
                "displayOrder": order,
                "archived": False,
                "metadata": {
                    "isClosed": "true" if stage.get("closed") else "false",
                    "probability": stage["p"],
                },
            }
            for order, stage in enumerate(pipeline["stages"])
        ],
    }


def _shown(deal: _Deal, properties: list[str], history: list[str]) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": deal.id,
        "properties": {
            name: deal.properties.get(name)
            for name in [*properties, "createdate", "hs_lastmodifieddate", "hs_object_id"]
        },
        "createdAt": _iso(deal.created),
        "updatedAt": deal.properties.get("hs_lastmodifieddate"),
        "archived": deal.archived,
    }
    if history:
        shown["propertiesWithHistory"] = {
            name: [
                {"value": value, "timestamp": _iso(at), "sourceType": "CRM_UI"}
                for value, at in deal.history.get(name, [])
            ]
            for name in history
        }
    return shown


def _sort_key(name: str) -> Callable[[_Deal], Any]:
    def key(deal: _Deal) -> Any:
        value = _sortable(name, deal.properties.get(name))
        return (value is None, value if value is not None else 0)

    return key


def _matches(deal: _Deal, group: Mapping[str, Any]) -> bool:
    for rule in group.get("filters") or []:
        name, operator, value = rule["propertyName"], rule.get("operator", "EQ"), rule.get("value")
        have = _sortable(name, deal.properties.get(name))
        want = _sortable(name, value)
        if have is None or want is None:
            return False
        if operator == "EQ" and have != want:
            return False
        if operator == "GTE" and have < want:
            return False
        if operator == "LTE" and have > want:
            return False
        if operator == "GT" and have <= want:
            return False
        if operator == "LT" and have >= want:
            return False
    return True


_DATES = ("createdate", "hs_lastmodifieddate", "closedate")


def _sortable(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATES:
        moment = _instant(str(value))
        return None if moment is None else int(moment.timestamp() * 1000)
    return str(value)


def _instant(text: str) -> datetime | None:
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def events_of(calls: Iterator[Call]) -> list[Call]:
    """The calls given, as a list (for readable assertions)."""
    return list(calls)
