"""Rewards: rules per team, and grants that are announced exactly once.

A grant's unique key (what, scope, tier) is the guarantee: two workers winning deals at the same
moment both try to insert it and the database lets one through. Target rows are locked before
progress is computed, so concurrent changes to one target are counted one after the other and
a tier crossed by their sum is not missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.progress import DEFAULT_TIERS, FIRST_WIN, Tier, tiers_reached
from bot.i18n import _, current, use_language
from bot.results.notices import FirstWinOfMonth, Standing, TierReached, WinAnnounced
from bot.results.targets import GrantFacts, LedgerLine, RuleFacts, TargetProgress
from bot.services import notices
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.services.facts import person
from bot.services.language import workspace_language
from bot.services.once import insert_once
from bot.services.targets import progress_of
from models import TEAM_SCOPE, Deal, Member, RewardGrant, RewardRule, SalesTeam, Target


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
            _("There is no reward #{number} in this team. See `/target reward list`.").format(
                number=rule_id
            )
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


def celebrate(session: Session, deal: Deal, *, now: datetime, won_now: bool) -> int:
    """After a change to a won deal: announce the win (if it was won just now), then grant and
    announce every tier its owner and team have reached; returns how many rewards were granted.
    """
    team = session.get(SalesTeam, deal.team_id) if deal.team_id else None
    owner = session.get(Member, deal.owner_id)
    if team is None or owner is None:
        return 0
    # Announcements go to the team channel: they speak the workspace's language, whoever
    # made the change.
    with use_language(workspace_language(session, team.workspace_id)):
        return _celebrate(session, team, deal, owner, now=now, won_now=won_now)


def _celebrate(
    session: Session, team: SalesTeam, deal: Deal, owner: Member, *, now: datetime, won_now: bool
) -> int:
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    targets = list(
        session.scalars(
            select(Target)
            .where(
                Target.team_id == team.id,
                Target.scope.in_([f"member:{owner.id}", TEAM_SCOPE]),
                Target.start_date <= today,
                Target.end_date >= today,
            )
            .order_by(Target.id)
            .with_for_update()
        )
    )
    states = {t.id: progress_of(session, team, t, today) for t in targets}
    if won_now:
        _announce_win(session, team, deal, owner, states.values())
        granted = _first_win_of_month(session, team, deal, owner, now=now, today=today)
    else:
        granted = 0
    for target in targets:
        granted += _grant_tiers(session, team, states[target.id], owner, now=now)
    return granted


def _announce_win(
    session: Session,
    team: SalesTeam,
    deal: Deal,
    owner: Member,
    states: Iterable[TargetProgress],
) -> None:
    notices.record(
        session,
        WinAnnounced(
            workspace_id=team.workspace_id,
            language=current(),
            channel_id=team.channel_id,
            owner_user_id=owner.slack_user_id,
            owner_name=owner.name,
            customer=deal.customer,
            amount=deal.amount,
            currency=deal.currency,
            deal_id=deal.id,
            standings=tuple(
                Standing(
                    team_target=state.target.scope == TEAM_SCOPE,
                    metric=state.target.metric,
                    period=state.period,
                    progress=state.progress,
                )
                for state in states
            ),
        ),
    )


def _grant_tiers(
    session: Session, team: SalesTeam, state: TargetProgress, owner: Member, *, now: datetime
) -> int:
    target = state.target
    scope = "team" if target.scope == TEAM_SCOPE else "member"
    granted = 0
    for tier, rule_id in tiers(session, team, scope):
        if tier not in tiers_reached(state.progress.percent, [tier]):
            continue
        values = {
            "workspace_id": team.workspace_id,
            "team_id": team.id,
            "target_id": target.id,
            "member_id": target.member_id,
            "rule_id": rule_id,
            "subject_key": f"target:{target.id}",
            "scope": scope,
            "tier": tier.percent,
            "name": tier.name,
            "bonus": tier.bonus,
            "achieved": state.progress.achieved,
            "granted_at": now,
        }
        if insert_once(session, RewardGrant, values, ["subject_key", "scope", "tier"]):
            granted += 1
            _announce(session, team, state, tier, owner if scope == "member" else None)
    return granted


def _announce(
    session: Session, team: SalesTeam, state: TargetProgress, tier: Tier, member: Member | None
) -> None:
    notices.record(
        session,
        TierReached(
            workspace_id=team.workspace_id,
            language=current(),
            channel_id=team.channel_id,
            member_user_id=member.slack_user_id if member else None,
            team_name=team.name,
            tier=tier,
            metric=state.target.metric,
            period=state.period,
            progress=state.progress,
            currency=team.currency,
        ),
    )


def _first_win_of_month(
    session: Session,
    team: SalesTeam,
    deal: Deal,
    owner: Member,
    *,
    now: datetime,
    today: date,
) -> int:
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "target_id": None,
        "member_id": owner.id,
        "rule_id": None,
        "subject_key": f"first-win:{owner.id}:{today:%Y-%m}",
        "scope": "first-win",
        "tier": Decimal(1),
        "name": FIRST_WIN,
        "bonus": None,
        "achieved": deal.amount,
        "granted_at": now,
    }
    if not insert_once(session, RewardGrant, values, ["subject_key", "scope", "tier"]):
        return 0
    notices.record(
        session,
        FirstWinOfMonth(
            workspace_id=team.workspace_id,
            language=current(),
            channel_id=team.channel_id,
            owner_user_id=owner.slack_user_id,
            month=today,
            customer=deal.customer,
            amount=deal.amount,
            currency=deal.currency,
        ),
    )
    return 1


def ledger(session: Session, team: SalesTeam, start: datetime, end: datetime) -> list[LedgerLine]:
    """Rewards granted in [start, end), oldest first, for paying out."""
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
    return [
        LedgerLine(GrantFacts(g.name, g.bonus, g.granted_at), person(m) if m else None)
        for g, m in session.execute(query)
    ]
