"""Snapshots of stored rows, as results carry them: only what views and readers use.

Services take them when they build a result; nothing here reaches back to the database.
Money stays Decimal, moments stay time-zone aware, as the rows hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Person:
    """A member as results name them."""

    id: int
    slack_user_id: str
    name: str


@dataclass(frozen=True)
class TeamFacts:
    """A sales team as results name it."""

    id: int
    workspace_id: str
    name: str
    channel_id: str
    currency: str
    timezone: str
    stale_days: int


@dataclass(frozen=True)
class DealFacts:
    """A deal as it stood when the result was built; `number` is the deal's in its workspace
    (`#12`: what people see and type; the primary key stays with the services)."""

    number: int
    owner_id: int
    team_id: int | None
    customer: str
    title: str
    amount: Decimal
    currency: str
    # The stage key (its label comes with the result's Stage).
    stage: str
    close_date: date | None
    note: str
    lost_reason: str
    # "" and None: no next step.
    next_step: str
    next_step_date: date | None
    updated_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class TargetFacts:
    """A target: whose (`scope`, `member_id`), what metric, how much."""

    id: int
    member_id: int | None
    scope: str
    metric: str
    amount: Decimal
