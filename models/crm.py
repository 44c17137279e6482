"""Where a deal lives in a CRM: the link that makes re-imports and sync update, not duplicate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


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
