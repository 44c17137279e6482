"""HubSpot: a private app's access token for the CRM v3 API, its client secret for webhooks.

The requests and answers used (developers.hubspot.com, CRM API v3):

* `GET /account-info/v3/details`: the portal id that webhooks carry;
* `GET /crm/v3/pipelines/deals`: pipelines and their stages (`metadata.isClosed`,
  `metadata.probability`: 1.0 for won);
* `GET /crm/v3/owners`: owners with their email, paged by `after`;
* `POST /crm/v3/objects/deals/search`: deals by `hs_lastmodifieddate`, ascending, 100 a page,
  paged by `paging.next.after` (a search reaches 10,000 results at most: past that it starts
  again from the last modification date seen);
* `POST /crm/v3/objects/deals/batch/read` with `propertiesWithHistory`: the deals a webhook
  named, with when each property last changed;
* `POST /crm/v3/objects/deals` and `PATCH /crm/v3/objects/deals/{id}`: create and update;
* `GET /crm/v3/properties/deals`: the deal properties (`name`, `label`, `type`,
  `options[].value/label`, `modificationMetadata.readOnlyValue`), which a team's own deal
  field syncs with by name; their values are read and written like any other property.

Webhooks carry `X-HubSpot-Signature-v3`: base64(HMAC-SHA256(client secret, method + URI +
body + timestamp)), with `X-HubSpot-Request-Timestamp` in milliseconds; older than five
minutes is refused. Errors are `{"status": "error", "message", "category", "correlationId"}`;
429 may carry Retry-After.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from bot.crm.base import Rejected, WebhookRefused, WebhookRequest, Write
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

PROPERTIES = [
    "dealname",
    "amount",
    "deal_currency_code",
    "dealstage",
    "pipeline",
    "closedate",
    "hubspot_owner_id",
    "hs_next_step",
    "hs_forecast_category",
    "hs_lastmodifieddate",
]
# The synced field each property feeds, for its change time.
FIELD_OF = {
    "dealname": "customer",
    "amount": "amount",
    "deal_currency_code": "amount",
    "dealstage": "stage",
    "closedate": "close_date",
    "hubspot_owner_id": "owner",
    "hs_next_step": "next_step",
    "hs_forecast_category": "forecast",
}
# HubSpot's forecast categories (`hs_forecast_category`) and Salesbot's; CLOSED is a closed
# deal's, which Salesbot forecasts by its stage (read as none chosen).
FORECAST_OF = {
    "COMMIT": "commit",
    "BEST_CASE": "best_case",
    "PIPELINE": "pipeline",
    "OMIT": "omitted",
    "CLOSED": "",
}
FORECAST_TO = {ours: theirs for theirs, ours in FORECAST_OF.items() if ours}
# Properties HubSpot keeps itself, never a team's field.
SKIPPED = frozenset({"createdate", "hs_object_id", "hs_createdate", "hs_lastmodifieddate"})
PAGE = 100
# A search answers at most this many results, however it is paged.
SEARCH_CAP = 10_000
# The poll reads again a little before its cursor: search indexes a change a few seconds late.
OVERLAP = timedelta(minutes=2)
SIGNATURE_WINDOW = timedelta(minutes=5)
# HubSpot decodes these in the URI it signs (its "validating requests" guide).
_URI_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
DEAL_EVENTS = ("deal.creation", "deal.propertyChange", "deal.restore", "deal.merge")


def signature(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """HubSpot's v3 signature of a request."""
    for encoded, plain in _URI_DECODED.items():
        uri = uri.replace(encoded, plain).replace(encoded.lower(), plain)
    source = method.upper().encode() + uri.encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class HubSpot:
    """A HubSpot portal, through a private app."""

    kind: ClassVar[str] = "hubspot"

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
        self._secret = credentials.get("client_secret", "")
        self._api = Api(
            base_url,
            {"Authorization": f"Bearer {credentials.get('token', '')}"},
            timeout,
            wait_in_place=10.0 if patient else 0.0,
        )

    def account(self) -> str:
        details = self._api.call("GET", "/account-info/v3/details")
        return str(details["portalId"])

    def stages(self) -> list[RemoteStage]:
        found: list[RemoteStage] = []
        answer = self._api.call("GET", "/crm/v3/pipelines/deals")
        for pipeline in sorted(answer.get("results", []), key=lambda p: p.get("displayOrder", 0)):
            for stage in sorted(pipeline.get("stages", []), key=lambda s: s.get("displayOrder", 0)):
                found.append(_stage(str(pipeline["id"]), stage, len(found)))
        return found

    def owners(self) -> list[RemoteOwner]:
        found = []
        after: str | None = None
        while True:
            query: dict[str, str | int | list[str]] = {"limit": PAGE}
            if after:
                query["after"] = after
            answer = self._api.call("GET", "/crm/v3/owners", query=query)
            for owner in answer.get("results", []):
                name = " ".join(
                    part for part in (owner.get("firstName"), owner.get("lastName")) if part
                )
                found.append(RemoteOwner(str(owner["id"]), str(owner.get("email") or ""), name))
            after = _next(answer)
            if not after:
                return found

    def deal_fields(self) -> list[RemoteField]:
        answer = self._api.call("GET", "/crm/v3/properties/deals")
        found = []
        for prop in answer.get("results", []):
            name = str(prop.get("name") or "")
            metadata = prop.get("modificationMetadata") or {}
            if not name or name in PROPERTIES or name in SKIPPED or prop.get("calculated"):
                continue
            if metadata.get("readOnlyValue") or prop.get("archived"):
                continue
            options = tuple(
                (str(o["value"]), str(o.get("label") or o["value"]))
                for o in prop.get("options") or []
                if "value" in o and not o.get("hidden")
            )
            found.append(RemoteField(name, str(prop.get("label") or name), options))
        return found

    def changes_since(self, cursor: str | None, fields: Sequence[str] = ()) -> Iterator[Page]:
        since = None if cursor is None else int(cursor) - int(OVERLAP.total_seconds() * 1000)
        seen = None if cursor is None else int(cursor)
        after: str | None = None
        while True:
            body: dict[str, Any] = {
                "filterGroups": [],
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
                "properties": [*PROPERTIES, *fields],
                "limit": PAGE,
            }
            if since is not None:
                body["filterGroups"] = [
                    {
                        "filters": [
                            {
                                "propertyName": "hs_lastmodifieddate",
                                "operator": "GTE",
                                "value": str(since),
                            }
                        ]
                    }
                ]
            if after:
                body["after"] = after
            answer = self._api.call("POST", "/crm/v3/objects/deals/search", body=body)
            deals = tuple(
                _deal(result, fields, self._now()) for result in answer.get("results", [])
            )
            for deal in deals:
                stamp = _millis(deal.modified_at)
                seen = stamp if seen is None else max(seen, stamp)
            yield Page(deals, None if seen is None else str(seen))
            after = _next(answer)
            if not after:
                return
            if int(after) + PAGE > SEARCH_CAP and seen is not None:
                # Past what one search answers: search again from the newest change seen.
                since, after = seen, None

    def fetch(self, record_ids: Sequence[str], fields: Sequence[str] = ()) -> list[RemoteDeal]:
        found = []
        for start in range(0, len(record_ids), PAGE):
            body = {
                "properties": [*PROPERTIES, *fields],
                "propertiesWithHistory": [*FIELD_OF, *fields],
                "inputs": [{"id": record_id} for record_id in record_ids[start : start + PAGE]],
            }
            answer = self._api.call("POST", "/crm/v3/objects/deals/batch/read", body=body)
            found += [
                _deal(result, fields, self._now())
                for result in answer.get("results", [])
                if not result.get("archived")
            ]
        return found

    def write(self, record_id: str | None, write: Write) -> str:
        properties = _properties(write)
        if record_id is None:
            answer = self._api.call(
                "POST", "/crm/v3/objects/deals", body={"properties": properties}
            )
            return str(answer["id"])
        if properties:
            self._api.call(
                "PATCH", f"/crm/v3/objects/deals/{record_id}", body={"properties": properties}
            )
        return record_id

    def find_created(self, write: Write, since: datetime) -> str | None:
        if write.name is None:
            return None
        filters = [
            {"propertyName": "dealname", "operator": "EQ", "value": write.name},
            {"propertyName": "createdate", "operator": "GTE", "value": str(_millis(since))},
        ]
        body = {"filterGroups": [{"filters": filters}], "properties": ["dealname"], "limit": 2}
        answer = self._api.call("POST", "/crm/v3/objects/deals/search", body=body)
        results = answer.get("results", [])
        return str(results[0]["id"]) if len(results) == 1 else None

    def verify_webhook(self, request: WebhookRequest, now: datetime) -> None:
        given = request.headers.get("x-hubspot-signature-v3", "")
        stamp = request.headers.get("x-hubspot-request-timestamp", "")
        if not given or not stamp.isdigit() or len(stamp) > 15:
            raise WebhookRefused("unsigned")
        sent = datetime.fromtimestamp(int(stamp) / 1000, UTC)
        if abs(now - sent) > SIGNATURE_WINDOW:
            raise WebhookRefused("stale")
        if not self._secret:
            raise WebhookRefused("signature")
        expected = signature(self._secret, request.method, request.url, request.body, stamp)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRefused("signature")

    def parse_webhook(self, body: bytes) -> list[WebhookEvent]:
        try:
            events = json.loads(body)
        except ValueError:
            raise WebhookRefused("json") from None
        if not isinstance(events, list):
            raise WebhookRefused("json")
        found = []
        for event in events:
            if not isinstance(event, dict):
                raise WebhookRefused("event")
            kind = event.get("subscriptionType")
            generic = kind in ("object.propertyChange", "object.creation") and (
                event.get("objectTypeId") == "0-3"
            )
            if kind not in DEAL_EVENTS and not generic:
                continue
            try:
                found.append(
                    WebhookEvent(
                        event_id=str(int(event["eventId"])),
                        record_id=str(int(event["objectId"])),
                        occurred_at=datetime.fromtimestamp(int(event["occurredAt"]) / 1000, UTC),
                        account_id=str(int(event["portalId"])) if "portalId" in event else None,
                    )
                )
            except (KeyError, TypeError, ValueError, OverflowError, OSError):
                raise WebhookRefused("event") from None
        return found

    def subscribe(self, notify_url: str, now: datetime) -> datetime | None:
        # Webhooks are configured by hand in the CRM (the connect DM says how).
        return None


def _next(answer: Mapping[str, Any]) -> str | None:
    after = ((answer.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after else None


def _stage(pipeline_id: str, stage: Mapping[str, Any], position: int) -> RemoteStage:
    metadata = stage.get("metadata") or {}
    probability = decimal_of(metadata.get("probability"))
    closed = str(metadata.get("isClosed", "false")).lower() == "true"
    kind: StageKind = "open"
    if closed:
        kind = "won" if probability is not None and probability >= 1 else "lost"
    return RemoteStage(
        str(stage["id"]),
        pipeline_id,
        str(stage.get("label") or stage["id"]),
        position,
        kind,
        probability,
    )


def _deal(result: Mapping[str, Any], fields: Sequence[str], fallback: datetime) -> RemoteDeal:
    """A deal as HubSpot returns it; `fallback` is when it changed if HubSpot does not say."""
    properties = result.get("properties") or {}
    modified = _instant(properties.get("hs_lastmodifieddate")) or _instant(result.get("updatedAt"))
    changed: dict[str, datetime] = {}
    for name, versions in (result.get("propertiesWithHistory") or {}).items():
        field = FIELD_OF.get(name) or (f"custom:{name}" if name in fields else None)
        stamp = _instant(versions[0].get("timestamp")) if versions else None
        if field is not None and stamp is not None:
            changed[field] = max(stamp, changed.get(field, stamp))
    close = _instant(properties.get("closedate"))
    return RemoteDeal(
        record_id=str(result["id"]),
        name=str(properties.get("dealname") or ""),
        amount=decimal_of(properties.get("amount")),
        currency=(properties.get("deal_currency_code") or None),
        stage_id=properties.get("dealstage") or None,
        pipeline_id=properties.get("pipeline") or None,
        # A date-only property is midnight UTC in HubSpot: its UTC date is the date.
        close_date=close.date() if close is not None else None,
        owner_id=properties.get("hubspot_owner_id") or None,
        modified_at=modified or fallback,
        changed_at=changed,
        next_step=str(properties.get("hs_next_step") or ""),
        forecast=_forecast(properties.get("hs_forecast_category")),
        custom={name: properties.get(name) for name in fields if name in properties},
    )


def _forecast(value: object) -> str | None:
    """Salesbot's category of HubSpot's ("": none chosen; None: one Salesbot does not know)."""
    return FORECAST_OF.get(str(value)) if value else ""


def _properties(write: Write) -> dict[str, str]:
    properties: dict[str, str] = {}
    if write.name is not None:
        properties["dealname"] = write.name
    if write.amount is not None:
        properties["amount"] = str(write.amount)
    if write.currency is not None:
        properties["deal_currency_code"] = write.currency
    if write.stage_id is not None:
        properties["dealstage"] = write.stage_id
    if write.pipeline_id is not None:
        properties["pipeline"] = write.pipeline_id
    if write.close_date is not None:
        properties["closedate"] = _date_text(write.close_date)
    if write.owner_id is not None:
        properties["hubspot_owner_id"] = write.owner_id
    if write.next_step is not None:
        properties["hs_next_step"] = write.next_step
    if write.forecast is not None:
        properties["hs_forecast_category"] = FORECAST_TO.get(write.forecast, "")
    properties.update({name: str(value) for name, value in write.custom.items()})
    return properties


def _date_text(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000Z"


def _instant(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    text = str(value)
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


__all__ = ["HubSpot", "Rejected", "signature"]
