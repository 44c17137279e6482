"""What a member's App Home shows: their targets, deals, check-in, the team's top five, and
for managers the team's totals, today's blockers and the stale deals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain.periods import period_of
from bot.domain.stages import next_open
from bot.results.home import Blocker, Home, ManagerView
from bot.results.targets import TargetProgress, TeamBoard
from bot.services import contests, deals, deliveries
from bot.services.actor import Actor
from bot.services.checkins import local_day
from bot.services.facts import person
from bot.services.reports import stale_deals
from bot.services.targets import (
    active_targets,
    board,
    member_scope,
    my_progress,
    progress_at,
)
from bot.services.targets import progress_of as target_progress
from models import TEAM_SCOPE, Member, StandupPrompt, StandupResponse, Target

DEALS_PER_PAGE = 10
MAX_BLOCKERS = 10
# Slack shows the Home tab as last published, and tells us each time a member opens it, when it
# is drawn afresh. So a change made in a channel, a DM or a form needs no redraw unless the
# member may have the tab in front of them: opened, or one of its buttons pressed, this recently.
IN_VIEW = timedelta(minutes=30)


def in_view(member: Member, now: datetime) -> bool:
    """Whether the member may be looking at their App Home now."""
    return member.home_seen_at is not None and now - member.home_seen_at <= IN_VIEW


def seen(session: Session, workspace_id: str, user_id: str, now: datetime) -> None:
    """The member has their App Home in front of them now (they opened it)."""
    session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.slack_user_id == user_id)
        .values(home_seen_at=now)
    )


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
    # One read of the team's targets serves the board, the member's own and the team's.
    targets = active_targets(session, team, scope=None, today=today)
    top = board(session, team, metric="revenue", period=month, today=today, among=targets)
    manager = (
        _manager_view(session, actor, today, top, targets) if actor.member.can_manage else None
    )
    return Home(
        member=person(actor.member),
        team_name=team.name,
        currency=team.currency,
        targets=_mine(session, actor, today, targets, top),
        deals=shown,
        page=page,
        more_deals=more,
        next_stage=next_stage,
        checked_in=_checked_in(session, actor),
        top=top,
        manager=manager,
        contests=contests.home_contests(session, actor),
    )


def _mine(
    session: Session, actor: Actor, today: date, targets: list[Target], top: TeamBoard
) -> list[TargetProgress]:
    """The member's progress on each of their active targets; the board's figures reused."""
    if actor.today != today:
        # Their day is not the team's (its zone is another): their own targets, their own day.
        return my_progress(session, actor)
    team = actor.team
    assert team is not None
    scope = member_scope(actor.member)
    on_board = {line.member.id: line.achieved for line in top.lines}
    mine: list[TargetProgress] = []
    for target in (t for t in targets if t.scope == scope):
        same = (target.metric, target.start_date, target.end_date) == (
            top.metric,
            top.period.start,
            top.period.end,
        )
        if same and actor.member.id in on_board:
            mine.append(progress_at(session, team, target, on_board[actor.member.id], today))
        else:
            mine.append(target_progress(session, team, target, today))
    return mine


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


def _manager_view(
    session: Session, actor: Actor, today: date, top: TeamBoard, targets: list[Target]
) -> ManagerView:
    team = actor.team
    assert team is not None
    goals = [t for t in targets if t.scope == TEAM_SCOPE and t.metric == "revenue"]
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
