"""Live CRM sync: a team's connection to its CRM, what each side last agreed on, and the keys
that make a webhook delivered twice, a poll and a webhook racing, and two workers all count once.

The link of a deal to its CRM record is `models.crm.CrmRecord`; everything here hangs off a
connection (one per team) or off that link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonValue


class CrmConnection(Base):
    """A sales team's connection to one CRM account (HubSpot portal, Pipedrive company, ...)."""

    __tablename__ = "crm_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    # One CRM per team; connecting again replaces the credentials of the same row.
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"), unique=True)
    crm: Mapped[str] = mapped_column(String(20))
    # "active", "paused" (the CRM refused the credentials: nothing syncs until connected
    # again) or "disconnected" (deals kept, sync stopped, credentials forgotten).
    status: Mapped[str] = mapped_column(String(12))
    # Fernet token of the credentials' JSON (bot/crm/secrets.py); None once disconnected.
    credentials: Mapped[str | None] = mapped_column(Text)
    # The CRM's own id of the account (HubSpot's portal id): webhooks name it.
    account_id: Mapped[str | None] = mapped_column(String(100))
    # Where the reconciling poll goes on from; None until the first (quiet) poll has run.
    cursor: Mapped[str | None] = mapped_column(String(100))
    connected_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    connected_at: Mapped[datetime]
    last_webhook_at: Mapped[datetime | None]
    last_poll_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    # Until when the CRM sends its changes to the webhook Salesbot registered with it (Zoho's
    # watch channel); None: not registered (or the CRM's webhooks are configured by hand).
    watch_expires_at: Mapped[datetime | None]
    # The last error the CRM answered (a code such as "unauthorized", never a secret).
    error: Mapped[str | None] = mapped_column(String(200))
    error_at: Mapped[datetime | None]
    # The CRM's deal fields as last read (bot.domain.crm.fields_to_json), read again each
    # poll: which of them a team field syncs with. None: not read yet.
    deal_fields: Mapped[list[Any] | None] = mapped_column(JsonValue)


class CrmWebhookEvent(Base):
    """A webhook event handled once: the CRM's retries of it are acknowledged and skipped."""

    __tablename__ = "crm_webhook_event"
    __table_args__ = (UniqueConstraint("connection_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("crm_connection.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(index=True)


class CrmDealState(Base):
    """What Salesbot and the CRM last agreed a linked deal's synced fields were: a field that
    differs from it on one side changed there (three-way merge, bot/domain/crm.py)."""

    __tablename__ = "crm_deal_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    crm_record_id: Mapped[int] = mapped_column(ForeignKey("crm_record.id"), unique=True)
    # Field name -> value as text (bot.domain.crm.snapshot).
    synced: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    remote_modified_at: Mapped[datetime | None]
    pulled_at: Mapped[datetime | None]
    pushed_at: Mapped[datetime | None]


class CrmOwner(Base):
    """A CRM user who may own deals, and the Slack user their email found (None: nobody)."""

    __tablename__ = "crm_owner"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("crm_connection.id"))
    remote_id: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    checked_at: Mapped[datetime]


class CrmStage(Base):
    """A stage of the CRM's pipelines and the Salesbot stage it maps to (None: not mapped)."""

    __tablename__ = "crm_stage"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("crm_connection.id"))
    remote_id: Mapped[str] = mapped_column(String(100))
    pipeline_id: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    # "open", "won" or "lost", as the CRM says.
    kind: Mapped[str] = mapped_column(String(8))
    stage_key: Mapped[str | None] = mapped_column(String(40))


class CrmProblem(Base):
    """Something the sync could not do and will try again (an owner nobody in Slack has, a
    stage not mapped): shown by `/salesbot crm` as errors waiting, cleared when it works."""

    __tablename__ = "crm_problem"
    __table_args__ = (UniqueConstraint("connection_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("crm_connection.id"))
    # "owner:<id>", "stage:<id>", "record:<id>".
    key: Mapped[str] = mapped_column(String(150))
    # A code and its values, never a secret (bot.views.crm words it).
    detail: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    count: Mapped[int] = mapped_column(default=1)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
