"""Targets settled after a change: rewards granted or taken back, and the channel posts and
corrections that owes, all in the change's own transaction.

Every change that could move a member's or a team's progress — a win, an undo, a reopen, won
to lost, a new amount, a reassignment, a target changed — settles the targets it touches:
each tier is granted if now reached and not live, and reversed if live and no longer reached.

What a change earns is told in one post per audience: a win's post carries the member's
progress, the tiers it crossed and the first-win note; the team's tiers crossed are one more
post. What a change takes back is reversed, never deleted, and each post that celebrated it
gets exactly one correction (the post edited, one reply in its thread saying why).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, partial
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from bot.domain.progress import FIRST_WIN, Tier
from bot.domain.stages import shown_label
from bot.i18n import current, use_language
from bot.results.deals import TakenBack
from bot.results.notices import (
    Because,
    PostCorrected,
    PostedReward,
    Standing,
    TierReached,
    WinAnnounced,
    WonFacts,
)
from bot.results.targets import TargetProgress
from bot.services import grants, notices, outbox
from bot.services.directory import stages_of
from bot.services.language import workspace_language
from bot.services.metrics import DEAL_METRICS, deal_value
from bot.services.rewards import tiers
from bot.services.targets import progress_of
from models import TEAM_SCOPE, Deal, DealEvent, Member, RewardGrant, SalesTeam, Target

NOTHING_TAKEN = TakenBack(win=False, rewards=())
FIRST_WIN_SCOPE = "first-win"


@dataclass(frozen=True)
class DealBefore:
    """A deal as it was before a change: what the change may take back."""

    owner_id: int
    team_id: int | None
    won: bool
    closed_at: datetime | None


def _won_keys(session: Session, workspace_id: str) -> set[str]:
    # From the stages the command has loaded already: no query of its own.
    return {s.key for s in stages_of(session, workspace_id) if s.kind == "won"}


def before(session: Session, deal: Deal) -> DealBefore:
    """Remember a deal's state before changing it."""
    won = deal.deleted_at is None and deal.stage in _won_keys(session, deal.workspace_id)
    return DealBefore(deal.owner_id, deal.team_id, won, deal.closed_at)


@dataclass
class _Settled:
    """What settling one team's targets did."""

    # Newly granted tiers per target, with their grant ids.
    granted: dict[int, list[tuple[Tier, int]]]
    states: dict[int, TargetProgress]
    reversed_ids: list[int]


def after_deal_change(
    session: Session,
    deal: Deal,
    was: DealBefore,
    *,
    actor: Member,
    now: datetime,
    change_id: str,
    undo: bool,
) -> TakenBack:
    """Settle what a change to `deal` earned or took back; says what it took back."""
    is_won = deal.deleted_at is None and deal.stage in _won_keys(session, deal.workspace_id)
    if not (is_won or was.won):
        return NOTHING_TAKEN
    session.flush()
    won_now = is_won and not was.won
    owners = sorted({deal.owner_id, was.owner_id})
    team_ids = sorted({t for t in (deal.team_id, was.team_id) if t is not None})
    closings = [at for at in (was.closed_at, deal.closed_at) if at is not None]
    # Worded only if a post must be corrected: a win takes nothing back, and most changes are.
    because = cache(partial(_because, session, deal, actor, change_id, undo=undo))
    taken: list[str] = []
    corrected: set[str] = set()
    for team_id in team_ids:
        team = session.get(SalesTeam, team_id)
        assert team is not None
        # Channel posts speak the workspace's language, whoever made the change.
        with use_language(workspace_language(session, team.workspace_id)):
            zone = ZoneInfo(team.timezone)
            today = now.astimezone(zone).date()
            days = {today, *(at.astimezone(zone).date() for at in closings)}
            targets = _locked_targets(session, team, owners, days, metrics=DEAL_METRICS)
            settled = _settle(session, team, targets, today, actor=actor, now=now)
            first_win = None
            if won_now and deal.team_id == team.id:
                first_win = _first_win(session, team, deal, today=today, now=now)
            reversed_ids = list(settled.reversed_ids)
            if was.won:
                # A deal that was not a win before the change leaves everyone every win they
                # had: no first win of a month can be lost.
                reversed_ids += _first_wins_lost(session, team, owners, days, actor=actor, now=now)
            win_key = None
            if won_now and deal.team_id == team.id:
                win_key = _win_key(deal.id, change_id)
                _announce_win(session, team, deal, win_key, targets, settled, first_win, today)
            lost_win = _last_win_post(session, deal) if was.won and not is_won else None
            also = {lost_win} if lost_win is not None and was.team_id == team.id else set()
            taken += _announce_and_correct(
                session,
                team,
                targets,
                settled,
                reversed_ids,
                because=because,
                correction_key=change_id,
                skip_member=win_key is not None,
                also_correct=also,
                corrected=corrected,
            )
    return TakenBack(win=was.won and not is_won, rewards=tuple(dict.fromkeys(taken)))


def after_target_change(
    session: Session, target: Target, *, actor: Member, now: datetime, old_amount: Decimal | None
) -> TakenBack:
    """Settle a target whose amount changed: a raised target can take tiers back, a lowered
    one can grant them."""
    if old_amount is None or old_amount == target.amount:
        return NOTHING_TAKEN
    team = session.get(SalesTeam, target.team_id)
    assert team is not None
    session.flush()
    with use_language(workspace_language(session, team.workspace_id)):
        today = now.astimezone(ZoneInfo(team.timezone)).date()
        locked = list(
            session.scalars(select(Target).where(Target.id == target.id).with_for_update())
        )
        settled = _settle(session, team, locked, today, actor=actor, now=now)
        because = Because(
            actor_user_id=actor.slack_user_id,
            undo=False,
            kind="target",
            amount=target.amount,
            currency=team.currency,
            metric=target.metric,
        )
        names = _announce_and_correct(
            session,
            team,
            locked,
            settled,
            settled.reversed_ids,
            because=lambda: because,
            correction_key=f"target:{target.id}:{now.isoformat()}",
            skip_member=False,
            also_correct=set(),
            corrected=set(),
        )
        return TakenBack(win=False, rewards=tuple(dict.fromkeys(names)))


def after_activity_change(
    session: Session,
    team: SalesTeam,
    member_id: int,
    *,
    metrics: Sequence[str],
    logged_at: datetime,
    actor: Member,
    now: datetime,
    because: Because,
    correction_key: str,
) -> TakenBack:
    """Settle the member's and the team's targets on these activity metrics (a kind, points)
    after an activity logged at `logged_at` was logged or taken back: tiers granted once,
    those no longer reached reversed and their posts corrected once."""
    session.flush()
    with use_language(workspace_language(session, team.workspace_id)):
        zone = ZoneInfo(team.timezone)
        days = {now.astimezone(zone).date(), logged_at.astimezone(zone).date()}
        targets = _locked_targets(session, team, [member_id], days, metrics=metrics)
        if not targets:
            return NOTHING_TAKEN
        today = now.astimezone(zone).date()
        settled = _settle(session, team, targets, today, actor=actor, now=now)
        names = _announce_and_correct(
            session,
            team,
            targets,
            settled,
            settled.reversed_ids,
            because=lambda: because,
            correction_key=correction_key,
            skip_member=False,
            also_correct=set(),
            corrected=set(),
        )
        return TakenBack(win=False, rewards=tuple(dict.fromkeys(names)))


def _announce_and_correct(
    session: Session,
    team: SalesTeam,
    targets: Sequence[Target],
    settled: _Settled,
    reversed_ids: Sequence[int],
    *,
    because: Callable[[], Because],
    correction_key: str,
    skip_member: bool,
    also_correct: set[str],
    corrected: set[str],
) -> list[str]:
    """Announce the tiers newly crossed, correct each post whose grant was reversed (once,
    however many of the team's targets it touched: `corrected` is shared across teams) and
    name what was taken back."""
    _announce_tiers(session, team, targets, settled, skip_member=skip_member)
    keys = _post_keys(session, reversed_ids) | also_correct
    for key in sorted(keys - corrected):
        _correct(session, team, key, because, correction_key)
    corrected |= keys
    return _names(session, reversed_ids)


def _locked_targets(
    session: Session,
    team: SalesTeam,
    owner_ids: Sequence[int],
    days: Iterable[date],
    *,
    metrics: Sequence[str] | None = None,
) -> list[Target]:
    """The team's targets of these owners and of the team whose period holds one of `days`
    (on these metrics only, if given), locked in id order so concurrent changes settle one
    after the other."""
    scopes = [f"member:{owner_id}" for owner_id in owner_ids] + [TEAM_SCOPE]
    covering = or_(*(and_(Target.start_date <= d, Target.end_date >= d) for d in days))
    on_metrics = Target.metric.in_(metrics) if metrics is not None else true()
    query = (
        select(Target)
        .where(Target.team_id == team.id, Target.scope.in_(scopes), covering, on_metrics)
        .order_by(Target.id)
        .with_for_update()
        # Read what the lock waited for, not what this session cached before it.
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def _settle(
    session: Session,
    team: SalesTeam,
    targets: Sequence[Target],
    today: date,
    *,
    actor: Member,
    now: datetime,
) -> _Settled:
    settled = _Settled(granted=defaultdict(list), states={}, reversed_ids=[])
    for target in targets:
        state = progress_of(session, team, target, today)
        settled.states[target.id] = state
        scope = "team" if target.scope == TEAM_SCOPE else "member"
        subject = f"target:{target.id}"
        live = grants.live(session, subject, scope)
        for tier, rule_id in tiers(session, team, scope):
            reached = state.progress.percent >= tier.percent
            grant = live.get(tier.percent)
            if reached and grant is None:
                grant_id = grants.give(
                    session,
                    {
                        "workspace_id": team.workspace_id,
                        "team_id": team.id,
                        "target_id": target.id,
                        "member_id": target.member_id,
                        "rule_id": rule_id,
                        "subject_key": subject,
                        "scope": scope,
                        "tier": tier.percent,
                        "name": tier.name,
                        "bonus": tier.bonus,
                        "currency": team.currency,
                        "achieved": state.progress.achieved,
                        "granted_at": now,
                    },
                )
                if grant_id is not None:
                    settled.granted[target.id].append((tier, grant_id))
            elif (
                not reached
                and grant is not None
                and grants.take_back(session, grant.id, now=now, by_id=actor.id)
            ):
                settled.reversed_ids.append(grant.id)
    return settled


def _month_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = date(day.year, day.month, 1)
    end = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (datetime.combine(start, time(), zone), datetime.combine(end, time(), zone))


def _first_win_key(member_id: int, day: date) -> str:
    return f"first-win:{member_id}:{day:%Y-%m}"


def _first_win(
    session: Session, team: SalesTeam, deal: Deal, *, today: date, now: datetime
) -> int | None:
    """Grant the owner's first win of this month, unless they have one live."""
    return grants.give(
        session,
        {
            "workspace_id": team.workspace_id,
            "team_id": team.id,
            "target_id": None,
            "member_id": deal.owner_id,
            "rule_id": None,
            "subject_key": _first_win_key(deal.owner_id, today),
            "scope": FIRST_WIN_SCOPE,
            "tier": Decimal(1),
            "name": FIRST_WIN,
            "bonus": None,
            "currency": team.currency,
            "achieved": deal.amount,
            "granted_at": now,
        },
    )


def _first_wins_lost(
    session: Session,
    team: SalesTeam,
    owner_ids: Sequence[int],
    days: Iterable[date],
    *,
    actor: Member,
    now: datetime,
) -> list[int]:
    """Reverse the first-win-of-the-month of each owner left with no win in that month."""
    zone = ZoneInfo(team.timezone)
    reversed_ids = []
    won = _won_keys(session, team.workspace_id)
    for owner_id in owner_ids:
        for month in sorted({date(d.year, d.month, 1) for d in days}):
            live = grants.live(session, _first_win_key(owner_id, month), FIRST_WIN_SCOPE)
            if not live:
                continue
            start, end = _month_bounds(month, zone)
            still_won = session.scalars(
                select(Deal.id).where(
                    Deal.owner_id == owner_id,
                    Deal.team_id == team.id,
                    Deal.stage.in_(won),
                    Deal.deleted_at.is_(None),
                    Deal.closed_at >= start,
                    Deal.closed_at < end,
                )
            ).first()
            if still_won is None:
                for grant in live.values():
                    if grants.take_back(session, grant.id, now=now, by_id=actor.id):
                        reversed_ids.append(grant.id)
    return reversed_ids


def _win_key(deal_id: int, change_id: str) -> str:
    return f"win:{deal_id}:{change_id}"


def _last_win_post(session: Session, deal: Deal) -> str | None:
    """The outbox key of the post that announced the deal's latest win, if it was posted."""
    won = _won_keys(session, deal.workspace_id)
    query = (
        select(DealEvent.action, DealEvent.field, DealEvent.new_value, DealEvent.change_id)
        .where(DealEvent.deal_id == deal.id)
        .order_by(DealEvent.id.desc())
    )
    for action, field, new_value, change_id in session.execute(query):
        if (field == "stage" and new_value in won) or action == "create":
            key = _win_key(deal.id, change_id)
            return key if outbox.exists(session, key) else None
    return None


def _standings(
    team: SalesTeam, deal: Deal, targets: Sequence[Target], settled: _Settled, today: date
) -> tuple[Standing, ...]:
    own = (f"member:{deal.owner_id}", TEAM_SCOPE)
    return tuple(
        Standing(
            team_target=target.scope == TEAM_SCOPE,
            metric=target.metric,
            period=settled.states[target.id].period,
            progress=settled.states[target.id].progress,
        )
        for target in targets
        if target.scope in own and target.start_date <= today <= target.end_date
    )


def _announce_win(
    session: Session,
    team: SalesTeam,
    deal: Deal,
    key: str,
    targets: Sequence[Target],
    settled: _Settled,
    first_win: int | None,
    today: date,
) -> None:
    """One post for the win: progress, the member's tiers it crossed, the first-win note."""
    owner = session.get(Member, deal.owner_id)
    assert owner is not None
    member_grants = [
        (tier, grant_id)
        for target in targets
        if target.scope != TEAM_SCOPE and target.member_id == deal.owner_id
        for tier, grant_id in settled.granted.get(target.id, [])
    ]
    grants.announced_in(
        session,
        [grant_id for _tier, grant_id in member_grants]
        + ([first_win] if first_win is not None else []),
        key,
    )
    for target in targets:
        if target.scope != TEAM_SCOPE and target.member_id == deal.owner_id:
            settled.granted.pop(target.id, None)
    notices.record(
        session,
        WinAnnounced(
            workspace_id=team.workspace_id,
            language=current(),
            channel_id=team.channel_id,
            post_key=key,
            owner_user_id=owner.slack_user_id,
            owner_name=owner.name,
            customer=deal.customer,
            amount=deal.amount,
            currency=deal.currency,
            value=deal_value(session, deal),
            deal_number=deal.number,
            standings=_standings(team, deal, targets, settled, today),
            tiers=_highest_first(tier for tier, _grant in member_grants),
            team_currency=team.currency,
            first_win_of=today if first_win is not None else None,
        ),
    )


def _highest_first(found: Iterable[Tier]) -> tuple[Tier, ...]:
    return tuple(sorted(found, key=lambda tier: tier.percent, reverse=True))


def _announce_tiers(
    session: Session,
    team: SalesTeam,
    targets: Sequence[Target],
    settled: _Settled,
    *,
    skip_member: bool,
) -> None:
    """One post per target whose tiers were crossed without a win post to carry them."""
    for target in targets:
        granted = settled.granted.get(target.id)
        if not granted or (skip_member and target.scope != TEAM_SCOPE):
            continue
        key = f"tiers:{target.id}:{granted[0][1]}"
        grants.announced_in(session, [grant_id for _tier, grant_id in granted], key)
        member = session.get(Member, target.member_id) if target.member_id else None
        state = settled.states[target.id]
        notices.record(
            session,
            TierReached(
                workspace_id=team.workspace_id,
                language=current(),
                channel_id=team.channel_id,
                post_key=key,
                member_user_id=member.slack_user_id if member else None,
                team_name=team.name,
                tiers=_highest_first(tier for tier, _grant in granted),
                metric=target.metric,
                period=state.period,
                progress=state.progress,
                currency=team.currency,
            ),
        )


def _names(session: Session, grant_ids: Sequence[int]) -> list[str]:
    if not grant_ids:
        return []
    query = select(RewardGrant.name).where(RewardGrant.id.in_(grant_ids)).order_by(RewardGrant.id)
    return list(session.scalars(query))


def _post_keys(session: Session, grant_ids: Sequence[int]) -> set[str]:
    """The posts that announced these grants (a grant from before posts had keys has none)."""
    if not grant_ids:
        return set()
    query = select(RewardGrant.post_key).where(
        RewardGrant.id.in_(grant_ids), RewardGrant.post_key.is_not(None)
    )
    return {key for key in session.scalars(query) if key is not None}


def _correct(
    session: Session,
    team: SalesTeam,
    post_key: str,
    because: Callable[[], Because],
    change_id: str,
) -> None:
    """Owe one correction of a post: what it celebrated, as it stands now, and why."""
    rows = grants.of_post(session, post_key)
    won = _won_facts(session, post_key)
    member_id = rows[0].member_id if rows and won is None else None
    member = session.get(Member, member_id) if member_id is not None else None
    notices.record(
        session,
        PostCorrected(
            workspace_id=team.workspace_id,
            language=current(),
            channel_id=team.channel_id,
            post_key=post_key,
            correction_key=f"fix:{post_key}:{change_id}",
            won=won,
            member_user_id=member.slack_user_id if member else None,
            team_name=team.name,
            rewards=tuple(
                PostedReward(row.name, row.bonus, taken_back=row.reversed_at is not None)
                for row in rows
            ),
            currency=team.currency,
            because=because(),
        ),
    )


def _won_facts(session: Session, post_key: str) -> WonFacts | None:
    """The win a win post announced, and whether it still stands."""
    kind, _sep, rest = post_key.partition(":")
    if kind != "win":
        return None
    deal = session.get(Deal, int(rest.split(":")[0]))
    assert deal is not None
    owner = session.get(Member, deal.owner_id)
    assert owner is not None
    still_won = (
        deal.deleted_at is None
        and deal.stage in _won_keys(session, deal.workspace_id)
        and _last_win_post(session, deal) == post_key
    )
    return WonFacts(
        owner_user_id=owner.slack_user_id,
        customer=deal.customer,
        amount=deal.amount,
        currency=deal.currency,
        value=deal_value(session, deal),
        deal_number=deal.number,
        taken_back=not still_won,
    )


def _because(session: Session, deal: Deal, actor: Member, change_id: str, *, undo: bool) -> Because:
    """What the change did to the deal, in facts the correction's reply words."""
    fields = set(session.scalars(select(DealEvent.field).where(DealEvent.change_id == change_id)))
    if deal.deleted_at is not None:
        kind = "removed"
    elif "owner_id" in fields:
        kind = "owner"
    elif "stage" in fields:
        kind = "stage"
    elif "amount" in fields or "currency" in fields:
        kind = "amount"
    else:
        kind = "date"
    stage = next((s for s in stages_of(session, deal.workspace_id) if s.key == deal.stage), None)
    owner = session.get(Member, deal.owner_id)
    return Because(
        actor_user_id=actor.slack_user_id,
        undo=undo,
        kind=kind,
        deal_number=deal.number,
        stage_label=shown_label(stage.key, stage.label) if stage else deal.stage,
        amount=deal.amount,
        currency=deal.currency,
        owner_user_id=owner.slack_user_id if owner else None,
    )
