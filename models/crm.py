"""Where a deal lives in a CRM: the link that makes re-imports and sync update, not duplicate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonValue


class CrmRecord(Base):
    """One deal's record in one CRM (`hubspot`, `pipedrive`, `zoho`, `salesforce`, `fxiaoke`)."""

    __tablename__ = "crm_record"
    __table_args__ = (
        # A CRM record is one deal of the workspace, however often it is imported or synced.
        UniqueConstraint("workspace_id", "crm", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    # A deal has at most one CRM record: one source of truth outside Salesbot.
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"), unique=True)
    crm: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(100))
    linked_at: Mapped[datetime]


class DealImport(Base):
    """A CRM export a manager shared in the bot's DM: previewed (a dry run with an Import
    button), then imported once, however often the button is pressed."""

    __tablename__ = "deal_import"
    __table_args__ = (
        # Slack delivering the file's message twice still owes one preview.
        UniqueConstraint("workspace_id", "file_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    file_id: Mapped[str] = mapped_column(String(32))
    # Where the manager shared it (their DM with the bot): previews and outcomes go there.
    channel_id: Mapped[str] = mapped_column(String(32))
    # What the message beside the file asked: crm, default_owner, stages.
    options: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    # "pending" (preview owed), "ready" (previewed, nothing refused), "refused" (the preview
    # found problems), "importing" (the button was pressed), "imported", "failed".
    status: Mapped[str] = mapped_column(String(12))
    # The file as the preview read it, so the import takes exactly what was previewed.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The owners' Slack matches as the preview found them (owner key -> [user id, problem]).
    owners: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    imported_at: Mapped[datetime | None]
