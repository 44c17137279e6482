"""A team's own deal fields (industry, region, source) and each deal's value of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonValue


class DealField(Base):
    """A field a team's managers added to its deals: fixed choices, or free text."""

    __tablename__ = "deal_field"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"))
    # Folded (bot.domain.deal_fields.fold), as commands and export columns name it.
    name: Mapped[str] = mapped_column(String(24))
    alias: Mapped[str | None] = mapped_column(String(24))
    # [[value, alias or null], …] in the order given; empty: any text is a value.
    choices: Mapped[list[list[str | None]]] = mapped_column(JsonValue)
    position: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime]


class DealFieldValue(Base):
    """A deal's value of one of its team's fields (a deal without a value has no row)."""

    __tablename__ = "deal_field_value"
    # Grouping and filtering deals by a field's value (`/deal list industry:retail`).
    __table_args__ = (Index("ix_deal_field_value_field", "field_id", "value"),)

    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"), primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("deal_field.id"), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"))
    # A choice as its field lists it, or free text.
    value: Mapped[str] = mapped_column(String(100))
