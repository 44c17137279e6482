"""The one interface every CRM connector implements, and the errors they raise.

Adding a CRM is one module that implements `Connector` and its entry in bot/crm/registry.py
(the credentials its connect form asks for), plus its name in bot.domain.crm's LIVE_CRMS and
CRM_FIELDS (which synced fields it carries) and its connect form's fields (bot/views/crm.py,
bot/domain/payloads.py); nothing else in Salesbot knows which CRM it talks to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Protocol

from bot.domain.crm import (
    Page,
    RemoteDeal,
    RemoteField,
    RemoteOwner,
    RemoteStage,
    WebhookEvent,
)


class CrmError(Exception):
    """The CRM did not do what was asked; `code` names why, for logs and for managers."""

    code = "error"

    def __init__(self, detail: str = "", said: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        # The CRM's own code for the error (Zoho's `INVALID_TOKEN`), when it gave one.
        self.said = said


class Unauthorized(CrmError):
    """The CRM refused the credentials (revoked, expired or without the scopes): the sync
    pauses until a manager connects again."""

    code = "unauthorized"


class RateLimited(CrmError):
    """The CRM asked us to slow down (HTTP 429); `retry_after` seconds, when it said."""

    code = "rate_limited"

    def __init__(self, detail: str = "", retry_after: float | None = None, said: str = "") -> None:
        super().__init__(detail, said)
        self.retry_after = retry_after


class Unavailable(CrmError):
    """The CRM could not be reached or failed (5xx, refused connection): try again later."""

    code = "unavailable"


class OutcomeUnknown(Unavailable):
    """The request was sent but no answer came: the CRM may have done it."""

    code = "outcome_unknown"


class Rejected(CrmError):
    """The CRM refused this request for good (a validation error): retrying will not help."""

    code = "rejected"


class WebhookRefused(Exception):
    """A webhook request that is not the CRM's, or not fresh; `reason` is for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook as it arrived: verified on these raw bytes before anything is parsed."""

    method: str
    # The full URL the CRM called (scheme, host, path and query).
    url: str
    # Lower-case header names.
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Write:
    """What to write to a CRM record, in the CRM's own terms (None: leave as it is)."""

    name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    stage_id: str | None = None
    pipeline_id: str | None = None
    close_date: date | None = None
    owner_id: str | None = None
    # What happens next ("": take it away), where the CRM has the field.
    next_step: str | None = None
    # A forecast category of bot.domain.forecast ("": none chosen), where the CRM has it.
    forecast: str | None = None
    # The CRM's deal fields a team field syncs with: key -> raw value ("": take it away).
    custom: Mapping[str, str | int] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """Nothing to write."""
        return all(value is None or value == {} for value in vars(self).values())


class Connector(Protocol):
    """One CRM account, reached with one connection's credentials."""

    kind: ClassVar[str]

    def account(self) -> str:
        """The CRM's id of the account the credentials open (checks that they work)."""
        ...

    def stages(self) -> list[RemoteStage]:
        """Every stage of every deal pipeline."""
        ...

    def owners(self) -> list[RemoteOwner]:
        """Every user who may own deals."""
        ...

    def deal_fields(self) -> list[RemoteField]:
        """The deal fields a team's own field may sync with (the ones Salesbot syncs anyway
        and read-only ones left out)."""
        ...

    def changes_since(self, cursor: str | None, fields: Sequence[str] = ()) -> Iterator[Page]:
        """Deals changed since `cursor` (None: every deal), oldest change first, a page at a
        time; each page carries the cursor to store once it is applied. `fields`: keys of
        deal fields to read too (RemoteDeal.custom)."""
        ...

    def fetch(self, record_ids: Sequence[str], fields: Sequence[str] = ()) -> list[RemoteDeal]:
        """These deals as they are now (deleted ones are left out), with `fields` too."""
        ...

    def write(self, record_id: str | None, write: Write) -> str:
        """Update a record (None: create one); the record's id."""
        ...

    def find_created(self, write: Write, since: datetime) -> str | None:
        """The record a create whose answer was lost made, if exactly one matches."""
        ...

    def verify_webhook(self, request: WebhookRequest, now: datetime) -> None:
        """Raise WebhookRefused unless the CRM signed this request, recently."""
        ...

    def parse_webhook(self, body: bytes) -> list[WebhookEvent]:
        """The deal changes a verified webhook tells of (WebhookRefused when malformed)."""
        ...

    def subscribe(self, notify_url: str, now: datetime) -> datetime | None:
        """Ask the CRM to send its deal changes to `notify_url`, where Salesbot registers its
        webhooks itself (Zoho's watch API); when that registration expires. None: the CRM's
        webhooks are configured by hand (HubSpot, Pipedrive)."""
        ...
