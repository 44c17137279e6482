"""Rows for `salesbot export`: plain values, ready for CSV or JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import Deal, Member

DEAL_COLUMNS = (
    "id",
    "team_id",
    "customer",
    "amount",
    "currency",
    "stage",
    "owner_id",
    "close_date",
    "created_at",
    "updated_at",
    "closed_at",
)


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def deal_rows(session: Session, *, workspace_id: str | None = None) -> Iterator[dict[str, str]]:
    """Every deal as export columns: Slack ids for team and owner, ISO dates, plain amounts."""
    owner = aliased(Member)
    query = select(Deal, owner.slack_user_id).join(owner, Deal.owner_id == owner.id)
    if workspace_id is not None:
        query = query.where(Deal.workspace_id == workspace_id)
    for deal, owner_slack_id in session.execute(query.order_by(Deal.id)):
        values = {
            "id": deal.id,
            "team_id": deal.workspace_id,
            "customer": deal.customer,
            "amount": deal.amount,
            "currency": deal.currency,
            "stage": deal.stage,
            "owner_id": owner_slack_id,
            "close_date": deal.close_date,
            "created_at": deal.created_at,
            "updated_at": deal.updated_at,
            "closed_at": deal.closed_at,
        }
        yield {column: _plain(values[column]) for column in DEAL_COLUMNS}
