"""What the CRM commands and the sync hand to views: a team's connection, its stage mapping,
and what the sync owes managers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.results.notices import Said


@dataclass(frozen=True)
class StageMapping:
    """One CRM stage and the Salesbot stage it maps to (None: not mapped: skipped)."""

    remote_id: str
    label: str
    pipeline_id: str
    kind: str
    stage_key: str | None
    stage_label: str | None


@dataclass(frozen=True)
class ProblemFact:
    """Something the sync could not do, waiting for the next try (a code and its values)."""

    key: str
    detail: dict[str, Any]
    count: int
    last_at: datetime


@dataclass(frozen=True)
class FieldSync:
    """One of the team's deal fields and the CRM field it syncs with (None: the CRM has no
    field of its name, so it does not sync)."""

    name: str
    crm_label: str | None


@dataclass(frozen=True)
class CrmState:
    """`/salesbot crm`: the team's connection as it is."""

    team_id: int
    team_name: str
    zone: str
    # None: never connected.
    crm: str | None = None
    status: str | None = None
    account_id: str | None = None
    connected_at: datetime | None = None
    last_webhook_at: datetime | None = None
    last_poll_at: datetime | None = None
    paused_at: datetime | None = None
    error: str | None = None
    deals_synced: int = 0
    writes_waiting: int = 0
    problems: tuple[ProblemFact, ...] = ()
    fields: tuple[FieldSync, ...] = ()


@dataclass(frozen=True)
class CrmConnected:
    """A team was connected (or connected again) to a CRM account."""

    team_name: str
    crm: str
    account_id: str
    again: bool
    owners_found: int
    owners_total: int
    stages: tuple[StageMapping, ...]
    # The HTTP basic auth Salesbot made up for the CRM's webhook (Pipedrive), shown once.
    webhook_user: str | None = None
    webhook_password: str | None = None
    # Salesbot registers the CRM's webhook itself (Zoho), at `notify_url` (None: no
    # SALESBOT_PUBLIC_URL, so the poll alone syncs).
    subscribes: bool = False
    notify_url: str | None = None


@dataclass(frozen=True)
class CrmDisconnected:
    """A team's sync was stopped (`was_connected` False: there was none); its deals stay."""

    team_name: str
    crm: str | None
    was_connected: bool


@dataclass(frozen=True)
class CrmStagesListed:
    """A connection's stage mapping."""

    team_name: str
    crm: str
    stages: tuple[StageMapping, ...]


@dataclass(frozen=True)
class CrmStageMapped:
    """One CRM stage mapped anew."""

    crm: str
    mapping: StageMapping


@dataclass(frozen=True)
class CrmConnectFailed:
    """Connecting did not work; `reason` is "unauthorized", "unreachable", "rejected" or
    "no_key" (SALESBOT_SECRET_KEY is not set)."""

    crm: str
    reason: str


@dataclass(frozen=True)
class CrmPaused(Said):
    """The CRM refused the team's credentials: the sync paused; one manager hears it once."""

    manager_user_id: str
    channel_id: str
    crm: str
    # Which pause, so each is said once.
    pause_key: str
    error: str


CrmResult = (
    CrmState | CrmConnected | CrmDisconnected | CrmStagesListed | CrmStageMapped | CrmConnectFailed
)
