"""Reward grants: given while earned, reversed (never deleted) once a change takes them back.

The database keeps at most one live grant per (subject, scope, tier): `give` inserts against
that partial unique index and `take_back` only touches a grant that is still live, so two
workers deciding at once can neither double a reward nor lose one. Callers lock the target
rows first, so the second worker decides on what the first committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.services.once import insert_unique
from models import RewardGrant

_LIVE = RewardGrant.reversed_at.is_(None)
_KEY = ["subject_key", "scope", "tier"]


@dataclass(frozen=True)
class LiveGrant:
    """A grant not taken back, read fresh from the database (never from the session's cache)."""

    id: int
    tier: Decimal
    name: str
    bonus: Decimal | None
    post_key: str | None


def live(session: Session, subject_key: str, scope: str) -> dict[Decimal, LiveGrant]:
    """The live grants of a subject, by tier."""
    rows = session.execute(
        select(
            RewardGrant.id,
            RewardGrant.tier,
            RewardGrant.name,
            RewardGrant.bonus,
            RewardGrant.post_key,
        ).where(RewardGrant.subject_key == subject_key, RewardGrant.scope == scope, _LIVE)
    )
    return {row.tier: LiveGrant(*row) for row in rows}


def give(session: Session, values: dict[str, Any]) -> int | None:
    """Grant a tier; the new grant's id, or None when a live grant of it exists already."""
    grant_id = insert_unique(session, RewardGrant, values, _KEY, where=_LIVE)
    return None if grant_id is None else int(grant_id)


def take_back(session: Session, grant_id: int, *, now: datetime, by_id: int | None) -> bool:
    """Reverse a live grant; False when someone else reversed it first."""
    reversed_id = session.execute(
        update(RewardGrant)
        .where(RewardGrant.id == grant_id, _LIVE)
        .values(reversed_at=now, reversed_by_id=by_id)
        .returning(RewardGrant.id)
    ).first()
    return reversed_id is not None


def announced_in(session: Session, grant_ids: list[int], post_key: str) -> None:
    """Record which channel post announced these grants: a reversal corrects that post."""
    if grant_ids:
        session.execute(
            update(RewardGrant).where(RewardGrant.id.in_(grant_ids)).values(post_key=post_key)
        )


def of_post(session: Session, post_key: str) -> list[RewardGrant]:
    """Every grant a post announced, live or reversed, in the order they were granted."""
    query = (
        select(RewardGrant)
        .where(RewardGrant.post_key == post_key)
        .order_by(RewardGrant.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))
