"""Targets: set (managers), progress for a member or a team, history, split, leaderboard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.domain.periods import Period, PeriodKind, previous
from bot.domain.progress import Entry, progress, rank, split_equal, split_weighted
from bot.i18n import N_, _, current
from bot.results.targets import (
    Conversion,
    MemberLine,
    PastTarget,
    SplitProposal,
    TargetProgress,
    TeamBoard,
)
from bot.services.actor import Actor
from bot.services.directory import team_members
from bot.services.errors import Refused
from bot.services.facts import person, target_facts, team_facts
from bot.services.memo import kept
from bot.services.metrics import Metric, achieved, achieved_by_owner, metric_of
from models import TEAM_SCOPE, Holiday, Member, SalesTeam, Target, TargetEvent

MANAGERS_ONLY = N_("Only managers can set targets. Ask your manager, or see `/target help`.")


def member_scope(member: Member) -> str:
    """The scope key of a member's targets."""
    return f"member:{member.id}"


def period_of_target(target: Target) -> Period:
    """The period a target covers."""
    kind: PeriodKind = target.period_kind  # type: ignore[assignment]
    return Period(kind, target.start_date, target.end_date)


_HOLIDAYS = select(Holiday.day).where(Holiday.team_id == bindparam("team_id"))


def holidays(session: Session, team: SalesTeam) -> frozenset[date]:
    """The team's holidays, which are not working days."""

    # Asked once per target on a board: nothing is built unless the answer is not known yet.
    def read() -> frozenset[date]:
        return frozenset(session.scalars(_HOLIDAYS, {"team_id": team.id}))

    return kept(session, team.workspace_id, ("holidays", team.id), read)


def require_team(actor: Actor) -> SalesTeam:
    """The caller's team, or a refusal saying how to get one."""
    if actor.team is None:
        raise Refused(
            _(
                "You are not in a sales team yet. A manager can run `/salesbot setup` in the "
                "team's channel, or `/salesbot team add @you`."
            )
        )
    return actor.team


def set_target(
    session: Session,
    actor: Actor,
    *,
    team: SalesTeam,
    member: Member | None,
    amount: Decimal,
    metric: Metric,
    period: Period,
) -> tuple[Target, Decimal | None]:
    """Set (or replace) a target; returns it with the amount it replaced, if any."""
    if not actor.member.can_manage:
        raise Refused(_(MANAGERS_ONLY))
    if amount <= 0:
        raise Refused(_("A target must be more than zero."))
    scope = member_scope(member) if member else TEAM_SCOPE
    existing = session.scalars(
        select(Target).where(
            Target.team_id == team.id,
            Target.scope == scope,
            Target.metric == metric,
            Target.start_date == period.start,
            Target.end_date == period.end,
        )
    ).one_or_none()
    old = existing.amount if existing else None
    target = existing or Target(
        workspace_id=team.workspace_id,
        team_id=team.id,
        member_id=member.id if member else None,
        scope=scope,
        metric=metric,
        period_kind=period.kind,
        start_date=period.start,
        end_date=period.end,
        amount=amount,
        set_by_id=actor.member.id,
        created_at=actor.now,
        updated_at=actor.now,
    )
    target.amount = amount
    target.set_by_id = actor.member.id
    target.updated_at = actor.now
    session.add(target)
    session.flush()
    session.add(
        TargetEvent(
            workspace_id=team.workspace_id,
            target_id=target.id,
            actor_id=actor.member.id,
            at=actor.now,
            old_amount=old,
            new_amount=amount,
        )
    )
    return target, old


def active_targets(
    session: Session, team: SalesTeam, *, scope: str | None, today: date
) -> list[Target]:
    """Targets whose period contains today (scope None: every target of the team)."""
    query = select(Target).where(
        Target.team_id == team.id, Target.start_date <= today, Target.end_date >= today
    )
    if scope is not None:
        query = query.where(Target.scope == scope)
    return list(session.scalars(query.order_by(Target.metric, Target.start_date, Target.id)))


def progress_of(session: Session, team: SalesTeam, target: Target, today: date) -> TargetProgress:
    """How far a target is, as of `today`."""
    owner_id = target.member_id if target.scope != TEAM_SCOPE else None
    done = achieved(
        session, team, metric_of(target.metric), period_of_target(target), owner_id=owner_id
    )
    return progress_at(session, team, target, done, today)


def progress_at(
    session: Session, team: SalesTeam, target: Target, done: Decimal, today: date
) -> TargetProgress:
    """A target's progress given what was achieved in its period."""
    period = period_of_target(target)
    return TargetProgress(
        target_facts(target),
        period,
        progress(target.amount, done, period, today, holidays(session, team)),
    )


def my_progress(session: Session, actor: Actor) -> list[TargetProgress]:
    """The caller's progress on each of their active targets."""
    team = require_team(actor)
    targets = active_targets(session, team, scope=member_scope(actor.member), today=actor.today)
    return [progress_of(session, team, t, actor.today) for t in targets]


def board(
    session: Session,
    team: SalesTeam,
    *,
    metric: Metric,
    period: Period,
    today: date,
    among: Sequence[Target] | None = None,
) -> TeamBoard:
    """Members ranked by percent of their target (ties by amount), those without after.

    among: the team's targets, when the caller has them already (any metric and period)."""
    members = team_members(session, team)
    results = achieved_by_owner(session, team, metric, period, owner_ids=[m.id for m in members])
    total = achieved(session, team, metric, period, owner_id=None)

    def achieved_on(target: Target) -> Decimal:
        # The targets below share the board's metric and period: their results are known,
        # except for someone who has left the team since.
        if target.scope == TEAM_SCOPE:
            return total
        if target.member_id in results or target.member_id in by_id:
            return results.get(target.member_id, Decimal(0))
        return achieved(session, team, metric, period, owner_id=target.member_id)

    by_id = {m.id: m for m in members}
    if among is None:
        among = session.scalars(
            select(Target).where(
                Target.team_id == team.id,
                Target.metric == metric,
                Target.start_date == period.start,
                Target.end_date == period.end,
            )
        ).all()
    targets = {
        t.member_id: progress_at(session, team, t, achieved_on(t), today)
        for t in among
        if (t.metric, t.start_date, t.end_date) == (metric, period.start, period.end)
    }
    entries = [
        Entry(
            m.id,
            results.get(m.id, Decimal(0)),
            t.target.amount if (t := targets.get(m.id)) else None,
        )
        for m in members
    ]
    lines = [
        MemberLine(person(by_id[e.key]), e.achieved, targets.get(e.key)) for e in rank(entries)
    ]
    team_target = targets.get(None)
    return TeamBoard(team_facts(team), metric, period, lines, team_target, total)


def history(session: Session, team: SalesTeam, member: Member, today: date) -> list[PastTarget]:
    """A member's targets whose period has ended, newest first, with their conversions."""
    targets = list(
        session.scalars(
            select(Target)
            .where(
                Target.team_id == team.id,
                Target.scope == member_scope(member),
                Target.end_date < today,
            )
            .order_by(Target.end_date.desc())
            .limit(24)
        )
    )
    conversions = conversions_of(session, [t.id for t in targets])
    return [
        PastTarget(
            target_facts(t),
            period_of_target(t),
            achieved(session, team, metric_of(t.metric), period_of_target(t), owner_id=member.id),
            conversions.get(t.id, ()),
        )
        for t in targets
    ]


def conversions_of(session: Session, target_ids: list[int]) -> dict[int, tuple[Conversion, ...]]:
    """The currency conversions recorded in these targets' histories, oldest first."""
    if not target_ids:
        return {}
    events = session.scalars(
        select(TargetEvent)
        .where(TargetEvent.target_id.in_(target_ids), TargetEvent.kind == "currency")
        .order_by(TargetEvent.id)
    )
    found: dict[int, list[Conversion]] = {}
    for event in events:
        if event.old_amount is None or event.old_currency is None or event.rate is None:
            continue
        found.setdefault(event.target_id, []).append(
            Conversion(event.old_amount, event.old_currency, event.new_currency or "", event.rate)
        )
    return {target_id: tuple(items) for target_id, items in found.items()}


def propose_split(
    session: Session, actor: Actor, *, method: str, period: Period, fiscal_start: int
) -> SplitProposal:
    """Split the team target of `period` equally, or by the members' last-period results."""
    if not actor.member.can_manage:
        raise Refused(_(MANAGERS_ONLY))
    team = require_team(actor)
    team_target = session.scalars(
        select(Target)
        .where(
            Target.team_id == team.id,
            Target.scope == TEAM_SCOPE,
            Target.start_date == period.start,
            Target.end_date == period.end,
        )
        .order_by(Target.metric)
    ).first()
    if team_target is None:
        raise Refused(
            _(
                "There is no team target for {period} yet. Set one first: "
                "`/target set team 500k quarter`."
            ),
            period=period.label(current()),
        )
    members = team_members(session, team)
    if not members:
        raise Refused(_("The team has no members to split the target between."))
    if method == "weighted":
        metric = metric_of(team_target.metric)
        last = previous(period, fiscal_start_month=fiscal_start)
        results = achieved_by_owner(session, team, metric, last, owner_ids=[m.id for m in members])
        shares = split_weighted(
            team_target.amount, {m.id: results.get(m.id, Decimal(0)) for m in members}
        )
    else:
        shares = split_equal(team_target.amount, [m.id for m in members])
    by_id = {m.id: m for m in members}
    return SplitProposal(
        target_facts(team_target), method, [(person(by_id[k]), v) for k, v in shares.items()]
    )


def confirm_split(
    session: Session, actor: Actor, *, team_target_id: int, shares: dict[int, Decimal]
) -> list[tuple[Target, Decimal | None]]:
    """Set the proposed per-member targets (the manager pressed Confirm); each with the amount
    it replaced."""
    team = require_team(actor)
    team_target = session.get(Target, team_target_id)
    if team_target is None or team_target.team_id != team.id:
        raise Refused(_("That proposal is no longer valid; run `/target split team` again."))
    period = period_of_target(team_target)
    metric = metric_of(team_target.metric)
    targets = []
    for member_id, amount in shares.items():
        member = session.get(Member, member_id)
        if member is None or member.team_id != team.id:
            continue
        targets.append(
            set_target(
                session,
                actor,
                team=team,
                member=member,
                amount=amount,
                metric=metric,
                period=period,
            )
        )
    return targets
