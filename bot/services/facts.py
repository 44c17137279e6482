"""Snapshots of rows for results (bot.results.facts): taken when a result is built, so a view
never holds a row. A service that needs the row later keeps its own reference."""

from __future__ import annotations

from bot.results.facts import DealFacts, Person, TargetFacts, TeamFacts
from models import Deal, Member, SalesTeam, Target


def person(member: Member) -> Person:
    """A member as results name them."""
    return Person(member.id, member.slack_user_id, member.name)


def team_facts(team: SalesTeam) -> TeamFacts:
    """A sales team as results name it."""
    return TeamFacts(
        id=team.id,
        workspace_id=team.workspace_id,
        name=team.name,
        channel_id=team.channel_id,
        currency=team.currency,
        timezone=team.timezone,
        stale_days=team.stale_days,
    )


def deal_facts(deal: Deal) -> DealFacts:
    """A deal as it stands now."""
    return DealFacts(
        number=deal.number,
        owner_id=deal.owner_id,
        team_id=deal.team_id,
        customer=deal.customer,
        title=deal.title,
        amount=deal.amount,
        currency=deal.currency,
        stage=deal.stage,
        close_date=deal.close_date,
        note=deal.note,
        lost_reason=deal.lost_reason,
        next_step=deal.next_step,
        next_step_date=deal.next_step_date,
        updated_at=deal.updated_at,
        closed_at=deal.closed_at,
    )


def target_facts(target: Target) -> TargetFacts:
    """A target as it stands now."""
    return TargetFacts(
        id=target.id,
        member_id=target.member_id,
        scope=target.scope,
        metric=target.metric,
        amount=target.amount,
    )
