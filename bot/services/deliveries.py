"""Deliveries Slack refused for good: a message owed to a person that can never arrive (their
account deactivated, the DM closed to the bot) is shown to their managers, not dropped
silently."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.results.calls import DM_OF
from bot.results.home import Unreachable
from bot.results.notices import HomeChanged
from bot.services import notices
from bot.services.directory import find_member, team_managers, team_of
from models import OutboxMessage, SalesTeam

# How long a refused delivery stays on the managers' App Home.
SHOWN_FOR = timedelta(days=7)
# Messages to a person; an App Home publish is not one of them (a failed publish must not
# owe more publishes).
_TO_PEOPLE = frozenset({"chat.postMessage", "files.upload_v2"})


def addressee(method: str, payload: dict[str, Any]) -> str | None:
    """The user id a message was owed to, when it went to a person rather than a channel."""
    if method not in _TO_PEOPLE:
        return None
    user = payload.get(DM_OF) or payload.get("channel")
    return str(user) if isinstance(user, str) and user[:1] in ("U", "W") else None


def tell_managers(session: Session, message: OutboxMessage) -> bool:
    """A message to a person was given up on: their team's managers' App Homes show it (each
    refused row owes one refresh; a retried decision never gets this far twice)."""
    user_id = addressee(message.method, message.payload)
    if user_id is None:
        return False
    member = find_member(session, message.workspace_id, user_id)
    team = team_of(session, member) if member is not None else None
    if team is None:
        return False
    for manager in team_managers(session, team):
        if manager.slack_user_id != user_id:
            notices.record(
                session,
                HomeChanged(workspace_id=message.workspace_id, user_id=manager.slack_user_id),
            )
    return True


def unreachable(session: Session, team: SalesTeam, *, now: datetime) -> tuple[Unreachable, ...]:
    """People of the team a message could not reach in the last week, latest first."""
    rows = session.execute(
        select(
            OutboxMessage.method,
            OutboxMessage.payload,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
        )
        .where(
            OutboxMessage.workspace_id == team.workspace_id,
            OutboxMessage.status == "failed",
            OutboxMessage.method.in_(_TO_PEOPLE),
            OutboxMessage.created_at >= now - SHOWN_FOR,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(200)
    )
    seen: dict[str, Unreachable] = {}
    for method, payload, error, at in rows:
        user_id = addressee(method, payload)
        if user_id is None or user_id in seen:
            continue
        member = find_member(session, team.workspace_id, user_id)
        if member is not None and member.team_id in (team.id, None):
            reason = (error or "").removeprefix("slack:")
            seen[user_id] = Unreachable(user_id=user_id, reason=reason, at=at)
    return tuple(seen.values())
