"""Rewards: the tiers of each team, and the ledger of what was granted and taken back.

Granting and reversing happen in bot.services.recognition, whenever a change settles targets.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.progress import DEFAULT_TIERS, Tier
from bot.i18n import _
from bot.results.targets import GrantFacts, LedgerLine, RuleFacts
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.services.facts import person
from bot.services.metrics import rates_of
from models import Member, RewardGrant, RewardRule, SalesTeam


def tiers(session: Session, team: SalesTeam, scope: str) -> list[tuple[Tier, int | None]]:
    """The team's tiers for member or team targets, with their rule ids (defaults: none)."""
    rules = list(
        session.scalars(
            select(RewardRule)
            .where(RewardRule.team_id == team.id, RewardRule.scope == scope)
            .order_by(RewardRule.threshold)
        )
    )
    if not rules and scope in ("member", "team"):
        return [(tier, None) for tier in DEFAULT_TIERS]
    return [(Tier(r.threshold, r.name, r.bonus), r.id) for r in rules]


def add_rule(
    session: Session,
    actor: Actor,
    team: SalesTeam,
    *,
    scope: str,
    threshold: Decimal,
    name: str,
    bonus: Decimal | None,
) -> RewardRule:
    """A new reward tier (managers only)."""
    if not actor.member.can_manage:
        raise Refused(_("Only managers can change rewards."))
    if threshold <= 0:
        raise Refused(_("A reward threshold must be more than zero."))
    rule = RewardRule(
        workspace_id=team.workspace_id,
        team_id=team.id,
        scope=scope,
        threshold=threshold,
        name=name,
        bonus=bonus,
        created_at=actor.now,
    )
    session.add(rule)
    session.flush()
    return rule


def remove_rule(session: Session, actor: Actor, team: SalesTeam, rule_id: int) -> RewardRule:
    """Delete a reward tier; rewards already granted stay in the ledger."""
    if not actor.member.can_manage:
        raise Refused(_("Only managers can change rewards."))
    rule = session.get(RewardRule, rule_id)
    if rule is None or rule.team_id != team.id:
        raise Refused(
            _("There is no reward #{number} in this team. See `/target reward list`."),
            number=rule_id,
        )
    for grant in session.scalars(select(RewardGrant).where(RewardGrant.rule_id == rule_id)):
        grant.rule_id = None
    session.delete(rule)
    return rule


def list_rules(session: Session, team: SalesTeam) -> list[RuleFacts]:
    """The team's own reward rules."""
    rules = session.scalars(
        select(RewardRule)
        .where(RewardRule.team_id == team.id)
        .order_by(RewardRule.scope, RewardRule.threshold)
    )
    return [RuleFacts(r.id, r.scope, r.threshold, r.name, r.bonus) for r in rules]


def ledger(session: Session, team: SalesTeam, start: datetime, end: datetime) -> list[LedgerLine]:
    """Rewards granted in [start, end), oldest first, each with its reversal if it was taken
    back: what to pay is what was granted less what was reversed."""
    query = (
        select(RewardGrant, Member)
        .outerjoin(Member, RewardGrant.member_id == Member.id)
        .where(
            RewardGrant.team_id == team.id,
            RewardGrant.granted_at >= start,
            RewardGrant.granted_at < end,
        )
        .order_by(RewardGrant.granted_at, RewardGrant.id)
    )
    rates = rates_of(session, team)

    def owed(grant: RewardGrant) -> Decimal | None:
        if grant.bonus is None:
            return None
        return rates.value(grant.bonus, grant.currency or team.currency)

    return [
        LedgerLine(
            GrantFacts(
                g.name,
                g.bonus,
                g.granted_at,
                g.reversed_at,
                g.currency or team.currency,
                owed(g),
            ),
            person(m) if m else None,
        )
        for g, m in session.execute(query)
    ]
