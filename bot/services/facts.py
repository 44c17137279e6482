"""Snapshots of rows for results (bot.results.facts): taken when a result is built, so a view
never holds a row. A service that needs the row later keeps its own reference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from bot.results.facts import DealFacts, Person, TargetFacts, TeamFacts
from models import Deal, Member, SalesTeam, Target

# A deal's facts read as plain columns, for lists: loading each deal as a mapped object (its
# identity, its state) cost more than everything else /deal list does with it.
DEAL_FACT_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = tuple(
    getattr(Deal, field.name) for field in fields(DealFacts)
)
PERSON_COLUMNS = (Member.id, Member.slack_user_id, Member.name)


def person(member: Member) -> Person:
    """A member as results name them."""
    return Person(member.id, member.slack_user_id, member.name)


def person_of(columns: Sequence[Any]) -> Person:
    """A member as results name them, from the values of PERSON_COLUMNS."""
    return Person(*columns)


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


def deal_facts_of(columns: Sequence[Any]) -> DealFacts:
    """A deal as it stands now, from the values of DEAL_FACT_COLUMNS, in their order."""
    return DealFacts(*columns)


def target_facts(target: Target) -> TargetFacts:
    """A target as it stands now."""
    return TargetFacts(
        id=target.id,
        member_id=target.member_id,
        scope=target.scope,
        metric=target.metric,
        amount=target.amount,
    )
