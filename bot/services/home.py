"""What a member's App Home shows: their targets, deals, check-in, the team's top five, and
for managers the team's totals, today's blockers and the stale deals."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.periods import period_of
from bot.domain.stages import next_open
from bot.results.home import Blocker, Home, ManagerView
from bot.results.targets import TeamBoard
from bot.services import deals, deliveries
from bot.services.actor import Actor
from bot.services.checkins import local_day
from bot.services.facts import person
from bot.services.reports import stale_deals
from bot.services.targets import active_targets, board, my_progress
from bot.services.targets import progress_of as target_progress
from models import TEAM_SCOPE, Member, StandupPrompt, StandupResponse

DEALS_PER_PAGE = 10
MAX_BLOCKERS = 10


def home(session: Session, actor: Actor, *, page: int = 0) -> Home:
    """Assemble the home for the caller (page: which ten of their open deals)."""
    team = actor.team
    own = deals.list_open(session, actor, owner=actor.member, limit=(page + 1) * DEALS_PER_PAGE + 1)
    shown = own[page * DEALS_PER_PAGE : (page + 1) * DEALS_PER_PAGE]
    stages = deals.stage_list(session, actor.workspace_id)
    # The label of the next open stage, for the "advance" button.
    following = {row.deal.number: next_open(stages, row.deal.stage) for row in shown}
    next_stage = {number: stage.label for number, stage in following.items() if stage}
    more = len(own) > (page + 1) * DEALS_PER_PAGE
    if team is None:
        return Home(
            person(actor.member), None, "CNY", [], shown, page, more, next_stage, None, None, None
        )
    today = actor.now.astimezone(ZoneInfo(team.timezone)).date()
    month = period_of("month", today)
    top = board(session, team, metric="revenue", period=month, today=today)
    manager = _manager_view(session, actor, today, top) if actor.member.can_manage else None
    return Home(
        member=person(actor.member),
        team_name=team.name,
        currency=team.currency,
        targets=my_progress(session, actor),
        deals=shown,
        page=page,
        more_deals=more,
        next_stage=next_stage,
        checked_in=_checked_in(session, actor),
        top=top,
        manager=manager,
    )


def _checked_in(session: Session, actor: Actor) -> bool:
    team = actor.team
    assert team is not None
    day = local_day(session, actor, team)
    found = session.scalars(
        select(StandupResponse.id)
        .join(StandupPrompt, StandupPrompt.id == StandupResponse.prompt_id)
        .where(
            StandupPrompt.team_id == team.id,
            StandupPrompt.member_id == actor.member.id,
            StandupPrompt.local_date == day,
        )
    ).first()
    return found is not None


def _manager_view(session: Session, actor: Actor, today: date, top: TeamBoard) -> ManagerView:
    team = actor.team
    assert team is not None
    goals = [
        t
        for t in active_targets(session, team, scope=TEAM_SCOPE, today=today)
        if t.metric == "revenue"
    ]
    rows = session.execute(
        select(Member.slack_user_id, StandupResponse.blocker)
        .join(StandupPrompt, StandupPrompt.id == StandupResponse.prompt_id)
        .join(Member, Member.id == StandupPrompt.member_id)
        .where(
            StandupPrompt.team_id == team.id,
            StandupPrompt.local_date == today,
            StandupResponse.blocker != "",
        )
        .order_by(StandupResponse.submitted_at)
        .limit(MAX_BLOCKERS)
    )
    return ManagerView(
        team_target=target_progress(session, team, goals[0], today) if goals else None,
        board=top,
        blockers=[Blocker(user, text) for user, text in rows],
        stale=stale_deals(session, team, actor.now, None),
        unreachable=deliveries.unreachable(session, team, now=actor.now),
    )
