"""Zoho CRM: a self client's client id, client secret and refresh token, and the data centre
the account lives in; notifications through the watch API, registered by Salesbot itself.

OAuth (Zoho Accounts): `POST {accounts}/oauth/v2/token?grant_type=refresh_token&client_id=…
&client_secret=…&refresh_token=…` answers `{"access_token", "expires_in": 3600, "api_domain",
"token_type"}`, or `{"error": "invalid_code"}` once the refresh token is revoked. Calls carry
`Authorization: Zoho-oauthtoken <access token>`; an expired one is answered 401
`{"code": "INVALID_TOKEN", ...}`, refreshed and the call made again, once. Access tokens are
kept in this process until a minute before they expire (a refresh token has at most 30 live
access tokens, and refreshing is rate limited).

The requests and answers used (Zoho CRM API v2, {api}/crm/v2):

* `GET /org`: the organisation (its id is the connection's account);
* `GET /settings/fields?module=Deals`: the Stage picklist (`pick_list_values`, with
  `forecast_type` "Open"/"Closed Won"/"Closed Lost" and `probability` where Zoho sends them),
  and every other field a team's own deal field may sync with (`api_name`, `field_label`,
  `data_type`; a picklist's values by `display_value`, written as `actual_value`);
* `GET /users?type=ActiveUsers`, paged by `page`/`per_page` and `info.more_records`;
* `GET /Deals?fields=…&sort_by=Modified_Time&sort_order=asc&page=…&per_page=200` with
  `If-Modified-Since` (304: nothing changed), at most 2,000 records however it is paged: past
  that it reads again from the newest modification seen;
* `GET /Deals?ids=…`, `POST /Deals` and `PUT /Deals` (`{"data": [...]}`, each record answered
  `{"code": "SUCCESS", "details": {"id"}, "status": "success"}` or an error of its own);
* `GET /Deals/search?criteria=(Deal_Name:equals:…)`: a create whose answer was lost;
* `POST /actions/watch`: notifications of `Deals.all` to `notify_url`, with a `channel_id`
  and a `token` Salesbot makes up; the channel lasts until `channel_expiry` (a day here) and
  is enabled again before then by the poll.

A notification is `{"module": "Deals", "ids": [...], "operation", "channel_id", "token",
"server_time", "query_params", ...}`. Salesbot registers its notify URL with the token in the
query string too, so it is checked (constant time) on the URL before the body is read; the
body's token and channel must then agree.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.crm.base import (
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
    WebhookRefused,
    WebhookRequest,
    Write,
)
from bot.crm.http import Api
from bot.crm.values import decimal_of
from bot.domain.crm import (
    Page,
    RemoteDeal,
    RemoteField,
    RemoteOwner,
    RemoteStage,
    StageKind,
    WebhookEvent,
)

API_DEFAULT = "https://www.zohoapis.com"
ACCOUNTS_DEFAULT = "https://accounts.zoho.com"
# Zoho's data centres: the domain suffix of each one's API and accounts hosts.
DATA_CENTRES = {
    "com": "com",
    "us": "com",
    "eu": "eu",
    "in": "in",
    "com.au": "com.au",
    "au": "com.au",
    "com.cn": "com.cn",
    "cn": "com.cn",
    "jp": "jp",
    "ca": "ca",
    "sa": "sa",
}
FIELDS = [
    "Deal_Name",
    "Amount",
    "Currency",
    "Stage",
    "Pipeline",
    "Closing_Date",
    "Owner",
    "Next_Step",
    "Modified_Time",
]
# Zoho's own bookkeeping, never a team's field; and the types a team field's value can be.
SKIPPED = frozenset({"id", "Created_Time", "Created_By", "Modified_By", "Tag", "Layout"})
SYNCED_TYPES = frozenset({"text", "picklist", "textarea", "email", "website", "phone"})
PAGE = 200
# Pages of a records list reach this many records at most (API v2 without page tokens).
LIST_CAP = 2_000
IDS_PER_CALL = 100
# The poll reads again a little before its cursor, as for the other CRMs.
OVERLAP = timedelta(minutes=2)
# An access token is refreshed this long before Zoho says it expires.
EARLY = 60.0
# A watch channel is registered for this long (the poll enables it again well before).
CHANNEL_LIFE = timedelta(days=1)
PIPELINE = "*"

# Access tokens by refresh token (hashed): (token, when it is to be refreshed, time.time()).
_TOKENS: dict[str, tuple[str, float]] = {}
_TOKENS_LOCK = threading.Lock()
# One refresh at a time per refresh token (hashed), within the process.
_REFRESHING: dict[str, threading.Lock] = {}
# What Zoho calls an access token that expired or was revoked.
EXPIRED = frozenset({"INVALID_TOKEN", "INVALID_OAUTHTOKEN"})
# Zoho Accounts throttles refreshes (`"error": "Access Denied"`, "too many requests"): the
# sync waits this long and is not paused, its refresh token is still good.
THROTTLE_WAIT = 60.0


def _refresh_lock(key: str) -> threading.Lock:
    with _TOKENS_LOCK:
        return _REFRESHING.setdefault(key, threading.Lock())


def _throttled(said: str) -> bool:
    lowered = said.lower()
    return "access denied" in lowered or "too many requests" in lowered


def hosts(data_centre: str, api_url: str, accounts_url: str) -> tuple[str, str]:
    """The API and accounts base URLs: the settings when they were changed (a stand-in),
    else the data centre's own."""
    suffix = DATA_CENTRES.get(data_centre.strip().lower().lstrip("."))
    if suffix is None:
        raise Rejected(f"unknown Zoho data centre {data_centre[:20]!r}")
    api = api_url if api_url != API_DEFAULT else f"https://www.zohoapis.{suffix}"
    accounts = (
        accounts_url if accounts_url != ACCOUNTS_DEFAULT else f"https://accounts.zoho.{suffix}"
    )
    return api, accounts


class Zoho:
    """A Zoho CRM organisation, through a self client's refresh token."""

    kind: ClassVar[str] = "zoho"

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        api_url: str,
        accounts_url: str,
        timeout: float,
        patient: bool,
        now: Callable[[], datetime],
    ) -> None:
        self._now = now
        self._credentials = dict(credentials)
        self._data_centre = credentials.get("data_centre", "") or "com"
        self._api_url, self._accounts_url = api_url, accounts_url
        self._headers: dict[str, str] = {}
        self._timeout = timeout
        self._patient = patient
        self._key = hashlib.sha256(
            "\n".join(
                (
                    accounts_url,
                    credentials.get("client_id", ""),
                    credentials.get("refresh_token", ""),
                )
            ).encode()
        ).hexdigest()
        self._api: Api | None = None
        self._accounts: Api | None = None

    # ------------------------------------------------------------------ calls

    def _apis(self) -> tuple[Api, Api]:
        if self._api is None or self._accounts is None:
            api, accounts = hosts(self._data_centre, self._api_url, self._accounts_url)
            wait = 10.0 if self._patient else 0.0
            self._api = Api(api + "/crm/v2", self._headers, self._timeout, wait_in_place=wait)
            self._accounts = Api(accounts, {}, self._timeout, wait_in_place=wait)
        return self._api, self._accounts

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | int | list[str]] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One API call with a live access token; an expired one is refreshed once."""
        api, _accounts = self._apis()
        token = self._token()
        self._headers["Authorization"] = "Zoho-oauthtoken " + token
        try:
            return api.call(method, path, query=query, body=body, headers=headers)
        except Unauthorized as refused:
            if refused.said not in EXPIRED:
                raise
        self._headers["Authorization"] = "Zoho-oauthtoken " + self._token(failed=token)
        return api.call(method, path, query=query, body=body, headers=headers)

    def _token(self, *, failed: str | None = None) -> str:
        """The access token kept for this refresh token, else a new one. failed: the token
        Zoho just refused; only that one is discarded, and while one caller refreshes, the
        others of the same connection wait for its token instead of refreshing again."""
        kept = self._kept(failed)
        if kept is not None:
            return kept
        with _refresh_lock(self._key):
            kept = self._kept(failed)
            if kept is not None:
                # Another call refreshed while this one waited.
                return kept
            return self._refresh()

    def _kept(self, failed: str | None) -> str | None:
        with _TOKENS_LOCK:
            kept = _TOKENS.get(self._key)
            if kept is None:
                return None
            if kept[0] == failed:
                _TOKENS.pop(self._key, None)
                return None
            return kept[0] if kept[1] > time.time() else None

    def _refresh(self) -> str:
        _api, accounts = self._apis()
        query: dict[str, str | int | list[str]] = {
            "grant_type": "refresh_token",
            "client_id": self._credentials.get("client_id", ""),
            "client_secret": self._credentials.get("client_secret", ""),
            "refresh_token": self._credentials.get("refresh_token", ""),
        }
        try:
            answer = accounts.call("POST", "/oauth/v2/token", query=query) or {}
        except Rejected as error:
            # 400 {"error": "invalid_client"}, or Zoho's throttle of refreshes in a row.
            if _throttled(error.detail):
                raise RateLimited(error.detail, THROTTLE_WAIT) from None
            raise Unauthorized(error.detail) from None
        token = answer.get("access_token")
        if not token:
            said = f"{answer.get('error') or 'no token'} {answer.get('error_description') or ''}"
            if _throttled(said):
                raise RateLimited(f"token refresh: {said[:200]}", THROTTLE_WAIT)
            # Zoho answers a revoked refresh token 200 {"error": "invalid_code"}.
            raise Unauthorized(f"token refresh: {said.strip()[:100]}")
        lasts = float(answer.get("expires_in") or 3600)
        with _TOKENS_LOCK:
            _TOKENS[self._key] = (str(token), time.time() + max(lasts - EARLY, 1.0))
        return str(token)

    # ------------------------------------------------------------------ the interface

    def account(self) -> str:
        answer = self._call("GET", "/org") or {}
        orgs = answer.get("org") or []
        if not orgs:
            raise Unauthorized("no organisation")
        return str(orgs[0].get("id") or orgs[0].get("zgid"))

    def stages(self) -> list[RemoteStage]:
        answer = self._call("GET", "/settings/fields", query={"module": "Deals"}) or {}
        stage = next((f for f in answer.get("fields") or [] if f.get("api_name") == "Stage"), None)
        if stage is None:
            raise Unavailable("no Stage field")
        values = sorted(
            stage.get("pick_list_values") or [], key=lambda v: v.get("sequence_number") or 0
        )
        found: list[RemoteStage] = []
        for value in values:
            actual = str(value.get("actual_value") or value.get("display_value") or "")
            if not actual or actual == "-None-":
                continue
            probability = decimal_of(value.get("probability"))
            found.append(
                RemoteStage(
                    actual,
                    PIPELINE,
                    str(value.get("display_value") or actual),
                    len(found),
                    _kind(value, actual),
                    probability / 100 if probability is not None else None,
                )
            )
        return found

    def owners(self) -> list[RemoteOwner]:
        found = []
        page = 1
        while True:
            query: dict[str, str | int | list[str]] = {
                "type": "ActiveUsers",
                "page": page,
                "per_page": PAGE,
            }
            answer = self._call("GET", "/users", query=query) or {}
            for user in answer.get("users") or []:
                name = str(user.get("full_name") or "") or " ".join(
                    str(part) for part in (user.get("first_name"), user.get("last_name")) if part
                )
                found.append(RemoteOwner(str(user["id"]), str(user.get("email") or ""), name))
            if not (answer.get("info") or {}).get("more_records"):
                return found
            page += 1

    def deal_fields(self) -> list[RemoteField]:
        answer = self._call("GET", "/settings/fields", query={"module": "Deals"}) or {}
        found = []
        for item in answer.get("fields") or []:
            name = str(item.get("api_name") or "")
            if not name or name in FIELDS or name in SKIPPED or item.get("read_only"):
                continue
            if item.get("data_type") not in SYNCED_TYPES:
                continue
            options = tuple(
                (str(v.get("actual_value") or v["display_value"]), str(v["display_value"]))
                for v in item.get("pick_list_values") or []
                if v.get("display_value") and v.get("display_value") != "-None-"
            )
            found.append(RemoteField(name, str(item.get("field_label") or name), options))
        return found

    def changes_since(self, cursor: str | None, fields: Sequence[str] = ()) -> Iterator[Page]:
        seen = None if cursor is None else int(cursor)
        since = None if seen is None else seen - int(OVERLAP.total_seconds() * 1000)
        page = 1
        while True:
            query: dict[str, str | int | list[str]] = {
                "fields": ",".join([*FIELDS, *fields]),
                "sort_by": "Modified_Time",
                "sort_order": "asc",
                "page": page,
                "per_page": PAGE,
            }
            headers = {}
            if since is not None:
                headers["If-Modified-Since"] = _header_time(since)
            answer = self._call("GET", "/Deals", query=query, headers=headers) or {}
            deals = tuple(_deal(record, fields, self._now()) for record in answer.get("data") or [])
            for deal in deals:
                stamp = _millis(deal.modified_at)
                seen = stamp if seen is None else max(seen, stamp)
            yield Page(deals, None if seen is None else str(seen))
            if not (answer.get("info") or {}).get("more_records"):
                return
            page += 1
            if page * PAGE > LIST_CAP and seen is not None:
                if since is not None and seen <= since:
                    # A whole listing changed at one instant (a mass update): listing again
                    # from it would read the same records forever. The cursor stays there.
                    raise Unavailable(
                        f"GET /Deals: over {LIST_CAP} deals changed at {_header_time(seen)}"
                    )
                # Past what one listing answers: list again from the newest change seen.
                since, page = seen, 1

    def fetch(self, record_ids: Sequence[str], fields: Sequence[str] = ()) -> list[RemoteDeal]:
        found = []
        for start in range(0, len(record_ids), IDS_PER_CALL):
            query: dict[str, str | int | list[str]] = {
                "ids": ",".join(record_ids[start : start + IDS_PER_CALL]),
                "fields": ",".join([*FIELDS, *fields]),
            }
            answer = self._call("GET", "/Deals", query=query) or {}
            found += [_deal(record, fields, self._now()) for record in answer.get("data") or []]
        return found

    def write(self, record_id: str | None, write: Write) -> str:
        record = _record(write)
        if record_id is None:
            answer = self._call("POST", "/Deals", body={"data": [record], "trigger": []})
            return _written(answer)
        if record:
            answer = self._call(
                "PUT", "/Deals", body={"data": [{"id": record_id, **record}], "trigger": []}
            )
            _written(answer)
        return record_id

    def find_created(self, write: Write, since: datetime) -> str | None:
        if write.name is None:
            return None
        criteria = f"(Deal_Name:equals:{_criteria_value(write.name)})"
        answer = self._call("GET", "/Deals/search", query={"criteria": criteria}) or {}
        matches = [
            record
            for record in answer.get("data") or []
            if (_instant(record.get("Created_Time")) or since) >= since
        ]
        return str(matches[0]["id"]) if len(matches) == 1 else None

    def verify_webhook(self, request: WebhookRequest, now: datetime) -> None:
        given = parse_qs(urlsplit(request.url).query).get("token", [""])[0]
        expected = self._credentials.get("webhook_token", "")
        if not given or not expected:
            raise WebhookRefused("unsigned")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRefused("signature")

    def parse_webhook(self, body: bytes) -> list[WebhookEvent]:
        try:
            event = json.loads(body)
        except ValueError:
            raise WebhookRefused("json") from None
        if not isinstance(event, dict):
            raise WebhookRefused("json")
        token = str(event.get("token") or "")
        expected = self._credentials.get("webhook_token", "")
        if not hmac.compare_digest(token.encode(), expected.encode()):
            raise WebhookRefused("token")
        if str(event.get("channel_id") or "") != self._credentials.get("channel_id", ""):
            raise WebhookRefused("channel")
        if event.get("module") != "Deals" or event.get("operation") == "delete":
            return []
        ids = event.get("ids")
        if not isinstance(ids, list):
            raise WebhookRefused("event")
        try:
            sent = int(event.get("server_time") or 0)
            occurred = datetime.fromtimestamp(sent / 1000, UTC) if sent else self._now()
            return [
                WebhookEvent(
                    f"{sent}:{event.get('operation')}:{int(i)}"[:100], str(int(i)), occurred
                )
                for i in ids
            ]
        except (TypeError, ValueError, OverflowError, OSError):
            raise WebhookRefused("event") from None

    def subscribe(self, notify_url: str, now: datetime) -> datetime | None:
        token = self._credentials.get("webhook_token", "")
        expiry = (now + CHANNEL_LIFE).astimezone(UTC).replace(microsecond=0)
        watch = {
            "channel_id": int(self._credentials.get("channel_id", "0")),
            "events": ["Deals.all"],
            "channel_expiry": expiry.isoformat(),
            "token": token,
            "notify_url": f"{notify_url}?{urlencode({'token': token})}",
        }
        answer = self._call("POST", "/actions/watch", body={"watch": [watch]}) or {}
        [result] = answer.get("watch") or [{}]
        if result.get("status") != "success":
            raise Rejected(f"watch: {result.get('code')} {str(result.get('message'))[:200]}")
        events = (result.get("details") or {}).get("events") or [{}]
        return _instant(events[0].get("channel_expiry")) or expiry


def _kind(value: Mapping[str, Any], actual: str) -> StageKind:
    """Won, lost or open: Zoho's forecast type of the stage, else its name."""
    forecast = str(value.get("forecast_type") or "").casefold()
    name = actual.casefold()
    if forecast == "closed won" or (not forecast and name.startswith("closed won")):
        return "won"
    if forecast == "closed lost" or (not forecast and name.startswith("closed")):
        return "lost"
    return "open"


def _deal(record: Mapping[str, Any], fields: Sequence[str], fallback: datetime) -> RemoteDeal:
    """A deal as Zoho returns it; `fallback` is when it changed if Zoho does not say."""
    owner = record.get("Owner")
    owner_id = owner.get("id") if isinstance(owner, dict) else owner
    pipeline = record.get("Pipeline")
    if isinstance(pipeline, dict):
        pipeline = pipeline.get("name")
    close = record.get("Closing_Date")
    return RemoteDeal(
        record_id=str(record["id"]),
        name=str(record.get("Deal_Name") or ""),
        amount=decimal_of(record.get("Amount")),
        currency=record.get("Currency") or None,
        stage_id=record.get("Stage") or None,
        pipeline_id=PIPELINE,
        close_date=date.fromisoformat(str(close)[:10]) if close else None,
        owner_id=None if owner_id is None else str(owner_id),
        modified_at=_instant(record.get("Modified_Time")) or fallback,
        next_step=str(record.get("Next_Step") or ""),
        custom={name: _scalar(record.get(name)) for name in fields if name in record},
    )


def _scalar(value: object) -> str | int | None:
    """A field's value as text (a lookup's name)."""
    if isinstance(value, dict):
        value = value.get("name", value.get("id"))
    if value is None or isinstance(value, str | int):
        return value
    return str(value)


def _record(write: Write) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if write.name is not None:
        record["Deal_Name"] = write.name
    if write.amount is not None:
        record["Amount"] = write.amount
    if write.stage_id is not None:
        record["Stage"] = write.stage_id
    if write.close_date is not None:
        record["Closing_Date"] = write.close_date.isoformat()
    if write.owner_id is not None:
        record["Owner"] = {"id": write.owner_id}
    if write.next_step is not None:
        record["Next_Step"] = write.next_step or None
    record.update({name: (value or None) for name, value in write.custom.items()})
    return record


def _written(answer: Any) -> str:
    """The id of the record a create or update answered, or the error it carried."""
    results = (answer or {}).get("data") or [{}]
    result = results[0]
    if result.get("status") != "success":
        code = str(result.get("code") or "error")
        detail = f"{code}: {str(result.get('message'))[:200]} {result.get('details') or ''}"
        raise Rejected(detail[:300], said=code)
    return str((result.get("details") or {})["id"])


def _criteria_value(text: str) -> str:
    # Zoho's criteria escape parentheses and commas with a backslash; the whole is URL-encoded.
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.replace(",", "\\,")


def _header_time(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _instant(value: object) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


__all__ = ["Zoho", "hosts"]
