"""The daily refresh of a team's roster: who is in the channel, and who Slack deactivated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.results.notices import MemberDeactivated
from bot.services import notices
from bot.services.directory import Profile, member_of, sync_team_members, team_managers
from bot.services.language import member_language
from models import Member, SalesTeam


def member_ids(session: Session, team: SalesTeam) -> list[str]:
    """The Slack ids of the team's members (read before Slack is asked about them)."""
    query = select(Member.slack_user_id).where(
        Member.workspace_id == team.workspace_id, member_of(team.id)
    )
    return list(session.scalars(query.order_by(Member.slack_user_id)))


def refresh_team(
    session: Session,
    team: SalesTeam,
    channel: Sequence[Profile],
    *,
    others: Sequence[Profile] = (),
    now: datetime,
) -> int:
    """Apply what Slack said about the channel (`channel`) and the team's other members
    (`others`, read outside the transaction); each member Slack deactivated is taken out of
    the team, and each of the team's managers is told so once. Returns how many were."""
    removed = sync_team_members(session, team, channel, others=others, now=now)
    managers = team_managers(session, team) if removed else []
    for member in removed:
        for manager in managers:
            notices.record(
                session,
                MemberDeactivated(
                    workspace_id=team.workspace_id,
                    # A DM to one manager: in their language.
                    language=member_language(session, manager),
                    manager_user_id=manager.slack_user_id,
                    member_user_id=member.slack_user_id,
                    member_name=member.name,
                    channel_id=team.channel_id,
                    removal=f"{team.id}:{member.id}:{now.isoformat()}",
                ),
            )
    return len(removed)
