"""DevZoho: a local stand-in for the parts of Zoho CRM's API v2 and Zoho Accounts' OAuth that
Salesbot uses.

Built from Zoho's public API reference: the refresh-token grant (`POST /oauth/v2/token`,
`{"access_token", "expires_in": 3600, ...}`, `{"error": "invalid_code"}` for a revoked refresh
token), `Authorization: Zoho-oauthtoken …` checked on every call (401 `INVALID_TOKEN` once an
access token has expired), the organisation, the Deals fields (the Stage picklist, and those
added with `add_field`: `api_name`, `field_label`, a picklist's values checked on write), users
paged by `page`/`per_page` with `info.more_records`, Deals listed by `Modified_Time` with
`If-Modified-Since` (304 when nothing changed), at most 2,000 records through paging, read by
`ids`, created (`POST`, Deal_Name, Stage and Closing_Date mandatory), updated (`PUT`), searched
by name, the watch API (`POST /actions/watch`) and its notifications posted to the notify URL
with the registered token, Zoho's error bodies (`{"code", "details", "message", "status":
"error"}`), 429 with Retry-After and 503 outages when told to.

    with DevZoho(clock=clock.now) as zoho:
        zoho.add_user("31", "bob@example.com", "Bob Rep")
        deal_id = zoho.create_deal(Deal_Name="Acme", Amount=12000, Stage="Qualification", ...)
        zoho.notify(deal_id)   # posts to the notify URL Salesbot registered
"""

from __future__ import annotations

import copy
import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from bot.dev.crm_standin import Answer, Call, CrmStandIn

DEFAULT_CLIENT_ID = "1000.ZOHOTESTCLIENT"
DEFAULT_CLIENT_SECRET = "zoho-test-client-secret"  # noqa: S105 (the stand-in's own)
DEFAULT_REFRESH_TOKEN = "1000.zoho-test-refresh-token"  # noqa: S105
DEFAULT_ORG = "20090000001"
STAGES = [
    ("Qualification", 10, "Open"),
    ("Needs Analysis", 20, "Open"),
    ("Value Proposition", 40, "Open"),
    ("Id. Decision Makers", 60, "Open"),
    ("Proposal/Price Quote", 75, "Open"),
    ("Negotiation/Review", 90, "Open"),
    ("Closed Won", 100, "Closed Won"),
    ("Closed Lost", 0, "Closed Lost"),
    ("Closed Lost to Competition", 0, "Closed Lost"),
]
FIELDS = frozenset(
    {"id", "Deal_Name", "Amount", "Stage", "Closing_Date", "Owner", "Next_Step", "Description"}
)
MAX_PER_PAGE = 200
LIST_CAP = 2_000


class DevZoho(CrmStandIn):
    """A fake Zoho CRM organisation (and its Zoho Accounts) on 127.0.0.1."""

    content_type = "application/json;charset=UTF-8"

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str = DEFAULT_REFRESH_TOKEN,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self._users: dict[str, dict[str, Any]] = {}
        self._deals: dict[str, dict[str, Any]] = {}
        # Fields added to Deals (GET /settings/fields), by api_name.
        self._fields: dict[str, dict[str, Any]] = {}
        self._access: set[str] = set()
        self.watches: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(4_150_868_000_001_000)
        self._limited: list[int] = []
        # What an expired access token is answered with; refreshes throttled; a refresh's delay.
        self._expired_code = "INVALID_TOKEN"
        self._throttled = 0
        self._token_delay = 0.0

    @property
    def api_url(self) -> str:
        """What ZOHO_API_URL should be."""
        return self.url

    @property
    def accounts_url(self) -> str:
        """What ZOHO_ACCOUNTS_URL should be."""
        return self.api_url + "/accounts"

    # ------------------------------------------------------------------ faults

    def rate_limit(self, calls: int = 1, retry_after: int = 1) -> None:
        """Answer the next `calls` API requests with 429 and Retry-After."""
        with self._lock:
            self._limited += [retry_after] * calls

    def expire_tokens(self, code: str = "INVALID_TOKEN") -> None:
        """Every access token handed out so far expires (an hour has passed); using one is
        answered 401 with `code` (Zoho says INVALID_TOKEN or INVALID_OAUTHTOKEN)."""
        with self._lock:
            self._access.clear()
            self._expired_code = code

    def throttle_tokens(self, calls: int = 1) -> None:
        """The next `calls` refreshes are refused as Zoho Accounts throttles them: 400
        `{"error": "Access Denied", "error_description": "You have made too many requests
        continuously..."}`."""
        with self._lock:
            self._throttled = calls

    def slow_tokens(self, seconds: float) -> None:
        """Each refresh takes this long to answer (the API waits meanwhile)."""
        with self._lock:
            self._token_delay = seconds

    def revoke(self) -> None:
        """The refresh token is revoked (the self client deleted): no more access tokens."""
        with self._lock:
            self.refresh_token = "revoked-" + uuid.uuid4().hex
            self._access.clear()

    # ------------------------------------------------------------------ the organisation

    def add_user(self, user_id: str, email: str, name: str) -> None:
        """A Zoho CRM user who can own deals."""
        first, _space, last = name.partition(" ")
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "email": email,
                "full_name": name,
                "first_name": first,
                "last_name": last,
                "status": "active",
            }

    def add_field(self, api_name: str, label: str, options: list[str] | None = None) -> None:
        """A custom field of Deals: single line, or a picklist of these values."""
        with self._lock:
            field: dict[str, Any] = {
                "api_name": api_name,
                "field_label": label,
                "display_label": label,
                "data_type": "picklist" if options is not None else "text",
                "custom_field": True,
                "read_only": False,
                "length": 120,
                "id": f"4150868000000{len(self._fields) + 90000}",
            }
            if options is not None:
                field["pick_list_values"] = [
                    {"display_value": "-None-", "actual_value": "-None-", "sequence_number": 0},
                    *(
                        {"display_value": v, "actual_value": v, "sequence_number": i}
                        for i, v in enumerate(options, start=1)
                    ),
                ]
            self._fields[api_name] = field

    def create_deal(self, **fields: Any) -> str:
        """A deal added in Zoho CRM's app: its id."""
        with self._lock:
            return str(self._create(fields)["id"])

    def update_deal(self, deal_id: str, **fields: Any) -> None:
        """A deal changed in Zoho CRM's app."""
        with self._lock:
            deal = self._deals[deal_id]
            deal.update(self._owner_of(fields))
            deal["Modified_Time"] = _zoho_time(self.clock())

    def deal(self, deal_id: str) -> dict[str, Any]:
        """A deal as Zoho has it."""
        with self._lock:
            found: dict[str, Any] = copy.deepcopy(self._deals[deal_id])
            return found

    def writes(self) -> list[Call]:
        """The creates and updates of deals Zoho accepted."""
        return [
            c
            for c in self.calls(path_prefix="/crm/v2/Deals")
            if c.method in ("POST", "PUT") and c.status < 300
        ]

    def notification(self, *ids: str, operation: str = "update") -> tuple[str, dict[str, Any]]:
        """The notification the registered watch channel sends for these deals: the URL it
        goes to and its body."""
        with self._lock:
            [watch] = self.watches.values()
            return watch["notify_url"], {
                "server_time": int(self.clock().timestamp() * 1000),
                "query_params": dict(parse_qs(urlsplit(watch["notify_url"]).query)),
                "module": "Deals",
                "resource_uri": f"{self.api_url}/crm/v2/Deals",
                "ids": list(ids),
                "affected_fields": [],
                "operation": operation,
                "channel_id": str(watch["channel_id"]),
                "token": watch["token"],
            }

    def notify(self, *ids: str, operation: str = "update") -> tuple[int, bytes]:
        """Post the notification for these deals, as Zoho does."""
        url, body = self.notification(*ids, operation=operation)
        return post(url, body)

    # ------------------------------------------------------------------ internals

    def _owner_of(self, fields: dict[str, Any]) -> dict[str, Any]:
        owner = fields.get("Owner")
        if isinstance(owner, str):
            owner = {"id": owner}
        if isinstance(owner, dict):
            user = self._users.get(str(owner.get("id")), {})
            fields = {
                **fields,
                "Owner": {
                    "id": str(owner.get("id")),
                    "name": user.get("full_name", ""),
                    "email": user.get("email", ""),
                },
            }
        return fields

    def _create(self, fields: dict[str, Any]) -> dict[str, Any]:
        now = _zoho_time(self.clock())
        deal: dict[str, Any] = {
            "id": str(next(self._ids)),
            "Deal_Name": "",
            "Amount": None,
            "Stage": "Qualification",
            "Closing_Date": None,
            "Owner": None,
            "Next_Step": None,
            "Created_Time": now,
            "Modified_Time": now,
        }
        deal.update(self._owner_of(fields))
        self._deals[deal["id"]] = deal
        return deal

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
    ) -> Answer:
        if self._down:
            self._down -= 1
            return 503, _error("INTERNAL_ERROR", "Service unavailable"), {}
        if (method, path) == ("POST", "/accounts/oauth/v2/token"):
            if self._token_delay:
                time.sleep(self._token_delay)
            if self._throttled:
                self._throttled -= 1
                return (
                    400,
                    {
                        "error_description": "You have made too many requests continuously."
                        " Please try again after some time.",
                        "error": "Access Denied",
                        "status": "failure",
                    },
                    {},
                )
            return (*self._token(query), {})
        if self._limited:
            wait = self._limited.pop(0)
            return (
                429,
                _error("TOO_MANY_REQUESTS", "please check Retry-After header"),
                {"Retry-After": str(wait)},
            )
        auth = headers.get("authorization", "")
        if not auth.startswith("Zoho-oauthtoken "):
            return 401, _error("AUTHENTICATION_FAILURE", "Authentication failed"), {}
        if auth.removeprefix("Zoho-oauthtoken ") not in self._access:
            return 401, _error(self._expired_code, "invalid oauth token"), {}
        return self._api(method, path.removeprefix("/crm/v2"), query, body, headers)

    def _token(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        given = {key: values[0] for key, values in query.items()}
        if given.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        if (given.get("client_id"), given.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return 400, {"error": "invalid_client"}
        if given.get("refresh_token") != self.refresh_token:
            # Zoho answers a revoked or unknown refresh token with 200 and an error.
            return 200, {"error": "invalid_code"}
        token = "1000." + uuid.uuid4().hex
        self._access.add(token)
        return 200, {
            "access_token": token,
            "scope": "ZohoCRM.modules.deals.ALL ZohoCRM.users.READ ZohoCRM.notifications.ALL",
            "api_domain": "https://www.zohoapis.com",
            "token_type": "Bearer",
            "expires_in": 3600,
        }

    def _api(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
    ) -> tuple[int, Any, dict[str, str]]:
        if (method, path) == ("GET", "/org"):
            return 200, {"org": [{"id": DEFAULT_ORG, "company_name": "Acme Zoho"}]}, {}
        if (method, path) == ("GET", "/settings/fields"):
            if query.get("module") != ["Deals"]:
                return (
                    400,
                    _error("INVALID_MODULE", "the module name given seems to be invalid"),
                    {},
                )
            return 200, {"fields": [*_deal_fields(), *self._fields.values()]}, {}
        if (method, path) == ("GET", "/users"):
            users = list(self._users.values())
            return (*_paged(users, query, "users"), {})
        if (method, path) == ("GET", "/Deals"):
            return (*self._list(query, headers), {})
        if (method, path) == ("GET", "/Deals/search"):
            return (*self._search(query), {})
        if (method, path) in (("POST", "/Deals"), ("PUT", "/Deals")):
            return (*self._write(method, body), {})
        if (method, path) == ("POST", "/actions/watch"):
            return (*self._watch(body), {})
        return (
            404,
            _error(
                "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
            ),
            {},
        )

    def _list(self, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        deals = list(self._deals.values())
        if "ids" in query:
            wanted = query["ids"][0].split(",")
            found = [self._deals[i] for i in wanted if i in self._deals]
            return (
                (200, {"data": found, "info": {"count": len(found), "more_records": False}})
                if found
                else (204, None)
            )
        since = headers.get("if-modified-since")
        if since:
            moment = _parse(since)
            if moment is None:
                return 400, _error("INVALID_DATA", "invalid If-Modified-Since")
            deals = [d for d in deals if _parse(d["Modified_Time"]) >= moment]  # type: ignore[operator]
            if not deals:
                return 304, None
        if query.get("sort_by", [""])[0] == "Modified_Time":
            deals.sort(key=lambda d: (_parse(d["Modified_Time"]), d["id"]))
            if query.get("sort_order", ["desc"])[0] == "desc":
                deals.reverse()
        if not deals:
            return 204, None
        return _paged(deals, query, "data")

    def _search(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        criteria = query.get("criteria", [""])[0]
        prefix = "(Deal_Name:equals:"
        if not criteria.startswith(prefix) or not criteria.endswith(")"):
            return 400, _error("INVALID_QUERY", "invalid query formed")
        name = criteria[len(prefix) : -1].replace("\\(", "(").replace("\\)", ")")
        name = name.replace("\\,", ",").replace("\\\\", "\\")
        found = [d for d in self._deals.values() if d["Deal_Name"] == unquote(name)]
        return (200, {"data": found, "info": {"more_records": False}}) if found else (204, None)

    def _write(self, method: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            return 400, _error("INVALID_DATA", "invalid data")
        results = []
        for record in body["data"]:
            problem = _invalid(record, creating=method == "POST", custom=self._fields)
            if problem is None and method == "PUT" and record.get("id") not in self._deals:
                problem = (
                    "INVALID_DATA",
                    "the related id given seems to be invalid",
                    {"api_name": "id"},
                )
            if problem is not None:
                code, message, details = problem
                results.append(
                    {"code": code, "details": details, "message": message, "status": "error"}
                )
                continue
            if method == "POST":
                deal = self._create({k: v for k, v in record.items() if k != "id"})
            else:
                deal = self._deals[record["id"]]
                deal.update(self._owner_of({k: v for k, v in record.items() if k != "id"}))
                deal["Modified_Time"] = _zoho_time(self.clock())
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {
                        "Modified_Time": deal["Modified_Time"],
                        "Created_Time": deal["Created_Time"],
                        "id": deal["id"],
                    },
                    "message": "record added" if method == "POST" else "record updated",
                    "status": "success",
                }
            )
        ok = all(r["status"] == "success" for r in results)
        return (201 if method == "POST" else 200) if ok else 400, {"data": results}

    def _watch(self, body: Any) -> tuple[int, Any]:
        answers: list[dict[str, Any]] = []
        for watch in (body or {}).get("watch") or []:
            missing = [k for k in ("channel_id", "events", "notify_url") if not watch.get(k)]
            if missing or len(str(watch.get("token", ""))) > 50:
                answers.append(
                    {
                        "code": "MANDATORY_NOT_FOUND" if missing else "INVALID_DATA",
                        "details": {"api_name": (missing or ["token"])[0]},
                        "message": "required field not found" if missing else "invalid data",
                        "status": "error",
                    }
                )
                continue
            self.watches[str(watch["channel_id"])] = dict(watch)
            answers.append(
                {
                    "code": "SUCCESS",
                    "details": {
                        "events": [
                            {
                                "channel_expiry": watch.get("channel_expiry"),
                                "resource_uri": f"{self.api_url}/crm/v2/Deals",
                                "resource_id": "4150868000000002175",
                                "resource_name": "Deals",
                                "channel_id": str(watch["channel_id"]),
                            }
                        ]
                    },
                    "message": "Successfully subscribed for actions-watch of the given module",
                    "status": "success",
                }
            )
        return 200, {"watch": answers}


def post(url: str, body: dict[str, Any]) -> tuple[int, bytes]:
    """POST a notification body to a URL; the status and answer."""
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _deal_fields() -> list[dict[str, Any]]:
    values = [
        {
            "display_value": name,
            "actual_value": name,
            "sequence_number": position,
            "probability": probability,
            "forecast_type": forecast,
            "id": f"41508680000000{position:05d}",
        }
        for position, (name, probability, forecast) in enumerate(STAGES, start=1)
    ]
    return [
        {"api_name": "Deal_Name", "data_type": "text", "system_mandatory": True},
        {"api_name": "Amount", "data_type": "currency"},
        {"api_name": "Stage", "data_type": "picklist", "pick_list_values": values},
        {"api_name": "Closing_Date", "data_type": "date", "system_mandatory": True},
        {"api_name": "Next_Step", "data_type": "text", "length": 100},
    ]


def _invalid(
    record: Any, *, creating: bool, custom: Mapping[str, dict[str, Any]]
) -> tuple[str, str, dict[str, Any]] | None:
    if not isinstance(record, dict):
        return "INVALID_DATA", "invalid data", {}
    unknown = set(record) - FIELDS - set(custom)
    for name, field in custom.items():
        value = record.get(name)
        allowed = {v["actual_value"] for v in field.get("pick_list_values") or []}
        if value is not None and allowed and value not in allowed:
            return "INVALID_DATA", "invalid data", {"api_name": name}
    if unknown:
        return "INVALID_DATA", "invalid data", {"api_name": sorted(unknown)[0]}
    if creating:
        for name in ("Deal_Name", "Stage", "Closing_Date"):
            if not record.get(name):
                return "MANDATORY_NOT_FOUND", "required field not found", {"api_name": name}
    if "Stage" in record and record["Stage"] not in {s[0] for s in STAGES}:
        return "INVALID_DATA", "invalid data", {"api_name": "Stage"}
    step = record.get("Next_Step")
    if step is not None and len(str(step)) > 100:
        return "INVALID_DATA", "invalid data", {"api_name": "Next_Step", "maximum_length": 100}
    return None


def _paged(items: list[dict[str, Any]], query: dict[str, list[str]], key: str) -> tuple[int, Any]:
    page = int(query.get("page", ["1"])[0])
    per_page = int(query.get("per_page", ["200"])[0])
    if per_page > MAX_PER_PAGE:
        return 400, _error("INVALID_DATA", "per_page must be at most 200")
    if page * per_page > LIST_CAP:
        return 400, _error("LIMIT_REACHED", "maximum limit reached, use page_token")
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    return 200, {
        key: [copy.deepcopy(item) for item in chunk],
        "info": {
            "per_page": per_page,
            "count": len(chunk),
            "page": page,
            "more_records": start + per_page < len(items),
        },
    }


def _error(code: str, message: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    return {"code": code, "details": details, "message": message, "status": "error"}


def _zoho_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _parse(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
