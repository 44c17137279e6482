"""Pipedrive: an API token (Personal preferences → API) and the company's domain; webhooks
authenticated with HTTP basic auth credentials Salesbot generates when the team connects.

The requests and answers used (developers.pipedrive.com), with the token in `x-api-token`:

* `GET /v1/users/me`: the company the token belongs to (`company_domain`);
* `GET /v1/users`: users, with their email (deal owners);
* `GET /api/v2/stages`: stages (`pipeline_id`, `order_nr`, `deal_probability` in percent);
* `GET /api/v2/deals?updated_since=…&sort_by=update_time&sort_direction=asc&limit=100`, paged
  by `additional_data.next_cursor`: deals changed since a time;
* `GET /api/v2/deals/{id}`, `POST /api/v2/deals`, `PATCH /api/v2/deals/{id}`;
* `GET /v1/dealFields`: the deal fields; a custom one has a 40-hex `key` and its label in
  `name` (`options[].id/label` for an enum), and its value is in the deal's `custom_fields`
  under that key (an enum's is the option's id), written the same way.

A Pipedrive deal is won or lost by its `status`, not its stage: a won deal is read as the
stage `won` of the connection (and `lost` likewise), and writing either stage sets the status.
Webhooks v2 (`{"meta": {"action", "entity", "entity_id", "id", "timestamp"}, "data", ...}`)
carry no signature: they are authenticated by the basic auth credentials Pipedrive was given.
Errors are `{"success": false, "error": ..., "errorCode": ...}`; 429 carries
`x-ratelimit-reset`.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from bot.crm.base import Rejected, Unauthorized, WebhookRefused, WebhookRequest, Write
from bot.crm.http import Api
from bot.crm.values import decimal_of, exact_loads
from bot.domain.crm import Page, RemoteDeal, RemoteField, RemoteOwner, RemoteStage, WebhookEvent

PAGE = 100
# A custom field's key: 40 hex digits.
CUSTOM_KEY = re.compile(r"[0-9a-f]{40}")
# Field types that hold no one value a team field could (links to people, ranges, sets).
UNSYNCED_TYPES = frozenset({"set", "user", "org", "people", "daterange", "timerange", "address"})
# The poll reads again a little before its cursor, as for HubSpot.
OVERLAP = timedelta(minutes=2)
WON, LOST = "won", "lost"
# Pipedrive's closed states as stages of their own (in every pipeline).
CLOSING = (
    RemoteStage(WON, "*", "Won", 10_000, "won", Decimal(1)),
    RemoteStage(LOST, "*", "Lost", 10_001, "lost", Decimal(0)),
)


class Pipedrive:
    """A Pipedrive company, through an API token."""

    kind: ClassVar[str] = "pipedrive"

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        base_url: str,
        timeout: float,
        patient: bool,
        now: Callable[[], datetime],
    ) -> None:
        self._now = now
        self._credentials = dict(credentials)
        self._api = Api(
            base_url,
            {"x-api-token": credentials.get("api_token", "")},
            timeout,
            wait_in_place=10.0 if patient else 0.0,
        )

    def account(self) -> str:
        me = self._api.call("GET", "/v1/users/me")["data"]
        domain = str(me.get("company_domain") or "")
        wanted = self._credentials.get("company_domain", "").strip().lower()
        wanted = wanted.removeprefix("https://").split(".pipedrive.com")[0]
        if wanted and domain and wanted != domain.lower():
            raise Unauthorized(f"the token belongs to {domain}, not {wanted}")
        return domain or str(me.get("company_id"))

    def stages(self) -> list[RemoteStage]:
        answer = self._api.call("GET", "/api/v2/stages", query={"limit": 500})
        found: list[RemoteStage] = []
        for stage in sorted(
            answer.get("data") or [], key=lambda s: (s.get("pipeline_id", 0), s.get("order_nr", 0))
        ):
            probability = decimal_of(stage.get("deal_probability"))
            found.append(
                RemoteStage(
                    str(stage["id"]),
                    str(stage.get("pipeline_id")),
                    str(stage.get("name") or stage["id"]),
                    len(found),
                    "open",
                    probability / 100 if probability is not None else None,
                )
            )
        return [*found, *CLOSING]

    def owners(self) -> list[RemoteOwner]:
        answer = self._api.call("GET", "/v1/users")
        return [
            RemoteOwner(str(user["id"]), str(user.get("email") or ""), str(user.get("name") or ""))
            for user in answer.get("data") or []
            if user.get("active_flag", True)
        ]

    def deal_fields(self) -> list[RemoteField]:
        found = []
        start = 0
        while True:
            query: dict[str, str | int | list[str]] = {"start": start, "limit": 500}
            answer = self._api.call("GET", "/v1/dealFields", query=query)
            for item in answer.get("data") or []:
                key = str(item.get("key") or "")
                if not CUSTOM_KEY.fullmatch(key) or item.get("field_type") in UNSYNCED_TYPES:
                    continue
                options = tuple(
                    (int(o["id"]), str(o.get("label") or o["id"]))
                    for o in item.get("options") or []
                    if "id" in o
                )
                found.append(RemoteField(key, str(item.get("name") or key), options))
            more = ((answer.get("additional_data") or {}).get("pagination") or {}).get(
                "more_items_in_collection"
            )
            if not more:
                return found
            start += 500

    def changes_since(self, cursor: str | None, fields: Sequence[str] = ()) -> Iterator[Page]:
        since = None
        if cursor is not None:
            since = datetime.fromtimestamp(int(cursor) / 1000, UTC) - OVERLAP
        seen = None if cursor is None else int(cursor)
        after: str | None = None
        while True:
            query: dict[str, str | int | list[str]] = {
                "sort_by": "update_time",
                "sort_direction": "asc",
                "limit": PAGE,
                "status": "open,won,lost",
            }
            if since is not None:
                query["updated_since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
            if after:
                query["cursor"] = after
            answer = self._api.call("GET", "/api/v2/deals", query=query)
            deals = tuple(
                _deal(d, fields, self._now())
                for d in answer.get("data") or []
                if not d.get("is_deleted")
            )
            for deal in deals:
                stamp = int(deal.modified_at.timestamp() * 1000)
                seen = stamp if seen is None else max(seen, stamp)
            yield Page(deals, None if seen is None else str(seen))
            after = (answer.get("additional_data") or {}).get("next_cursor")
            if not after:
                return

    def fetch(self, record_ids: Sequence[str], fields: Sequence[str] = ()) -> list[RemoteDeal]:
        found = []
        for record_id in record_ids:
            try:
                answer = self._api.call("GET", f"/api/v2/deals/{record_id}")
            except Rejected:
                continue  # 404: deleted
            deal = answer.get("data")
            if deal and not deal.get("is_deleted"):
                found.append(_deal(deal, fields, self._now()))
        return found

    def write(self, record_id: str | None, write: Write) -> str:
        body: dict[str, Any] = {}
        if write.name is not None:
            body["title"] = write.name
        if write.amount is not None:
            body["value"] = write.amount
        if write.currency is not None:
            body["currency"] = write.currency
        if write.stage_id in (WON, LOST):
            body["status"] = write.stage_id
        elif write.stage_id is not None:
            body["stage_id"] = int(write.stage_id)
            body["status"] = "open"
        if write.pipeline_id is not None and write.pipeline_id != "*":
            body["pipeline_id"] = int(write.pipeline_id)
        if write.close_date is not None:
            body["expected_close_date"] = write.close_date.isoformat()
        if write.owner_id is not None:
            body["owner_id"] = int(write.owner_id)
        if write.custom:
            body["custom_fields"] = {
                key: (None if value == "" else value) for key, value in write.custom.items()
            }
        if record_id is None:
            answer = self._api.call("POST", "/api/v2/deals", body=body)
            return str(answer["data"]["id"])
        if body:
            self._api.call("PATCH", f"/api/v2/deals/{record_id}", body=body)
        return record_id

    def find_created(self, write: Write, since: datetime) -> str | None:
        if write.name is None:
            return None
        query: dict[str, str | int | list[str]] = {
            "updated_since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "limit": PAGE,
        }
        answer = self._api.call("GET", "/api/v2/deals", query=query)
        matches = [d for d in answer.get("data") or [] if d.get("title") == write.name]
        return str(matches[0]["id"]) if len(matches) == 1 else None

    def verify_webhook(self, request: WebhookRequest, now: datetime) -> None:
        given = request.headers.get("authorization", "")
        user = self._credentials.get("webhook_user", "")
        password = self._credentials.get("webhook_password", "")
        if not given.startswith("Basic ") or not user or not password:
            raise WebhookRefused("unsigned")
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRefused("signature")

    def parse_webhook(self, body: bytes) -> list[WebhookEvent]:
        try:
            event = exact_loads(body)
        except ValueError:
            raise WebhookRefused("json") from None
        if not isinstance(event, dict) or not isinstance(event.get("meta"), dict):
            raise WebhookRefused("json")
        meta = event["meta"]
        if (meta.get("entity") or meta.get("object")) != "deal":
            return []
        if meta.get("action") in ("delete", "deleted"):
            return []
        try:
            record_id = str(int(meta.get("entity_id") or meta["id"]))
            event_id = str(meta.get("id") or "") + ":" + str(meta.get("timestamp") or "")
            occurred = _instant(meta.get("timestamp")) or self._now()
        except (KeyError, TypeError, ValueError):
            raise WebhookRefused("event") from None
        return [WebhookEvent(event_id[:100], record_id, occurred, None)]

    def subscribe(self, notify_url: str, now: datetime) -> datetime | None:
        # Webhooks are configured by hand in the CRM (the connect DM says how).
        return None


def _deal(deal: Mapping[str, Any], fields: Sequence[str], fallback: datetime) -> RemoteDeal:
    """A deal as Pipedrive returns it; `fallback` is when it changed if Pipedrive does not say."""
    status = deal.get("status")
    stage = WON if status == "won" else LOST if status == "lost" else deal.get("stage_id")
    owner = deal.get("owner_id", deal.get("user_id"))
    if isinstance(owner, dict):
        owner = owner.get("id")
    close = deal.get("expected_close_date")
    return RemoteDeal(
        record_id=str(deal["id"]),
        name=str(deal.get("title") or ""),
        amount=decimal_of(deal.get("value")),
        currency=deal.get("currency") or None,
        stage_id=None if stage is None else str(stage),
        pipeline_id=None if deal.get("pipeline_id") is None else str(deal["pipeline_id"]),
        close_date=date.fromisoformat(str(close)[:10]) if close else None,
        owner_id=None if owner is None else str(owner),
        modified_at=_instant(deal.get("update_time")) or fallback,
        custom=_custom(deal.get("custom_fields"), fields),
    )


def _custom(values: object, fields: Sequence[str]) -> dict[str, str | int | None]:
    """The custom fields asked for, as API v2 gives them (an object for some types)."""
    if not isinstance(values, dict):
        return {}
    found: dict[str, str | int | None] = {}
    for key in fields:
        if key in values:
            value = values[key]
            if isinstance(value, dict):
                value = value.get("value", value.get("id"))
            found[key] = value if isinstance(value, str | int) or value is None else str(value)
    return found


def _instant(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value).replace(" ", "T")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
