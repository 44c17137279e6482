"""Rows for `salesbot export`: plain values, ready for CSV or JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import Deal, Member, RewardGrant, SalesTeam

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
        return f"{value:.2f}" if value.as_tuple().exponent == -2 else f"{value:f}"
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


REWARD_COLUMNS = (
    "id",
    "team_id",
    "sales_team",
    "member_id",
    "reward",
    "scope",
    "tier",
    "bonus",
    "achieved",
    "target_id",
    "granted_at",
)


def reward_rows(session: Session, *, workspace_id: str | None = None) -> Iterator[dict[str, str]]:
    """Every reward granted, for paying out: who, what, when, bonus."""
    member = aliased(Member)
    query = (
        select(RewardGrant, member.slack_user_id, SalesTeam.name)
        .outerjoin(member, RewardGrant.member_id == member.id)
        .join(SalesTeam, RewardGrant.team_id == SalesTeam.id)
    )
    if workspace_id is not None:
        query = query.where(RewardGrant.workspace_id == workspace_id)
    for grant, slack_user_id, team_name in session.execute(query.order_by(RewardGrant.id)):
        values = {
            "id": grant.id,
            "team_id": grant.workspace_id,
            "sales_team": team_name,
            "member_id": slack_user_id,
            "reward": grant.name,
            "scope": grant.scope,
            "tier": grant.tier.normalize(),
            "bonus": grant.bonus,
            "achieved": grant.achieved,
            "target_id": grant.target_id,
            "granted_at": grant.granted_at,
        }
        yield {column: _plain(values[column]) for column in REWARD_COLUMNS}


EXPORTS = {
    "deals": (DEAL_COLUMNS, deal_rows),
    "rewards": (REWARD_COLUMNS, reward_rows),
}
