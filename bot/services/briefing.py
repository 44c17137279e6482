"""The morning briefing: a member's pace, their next steps due, their stale deals and the deals
due this week."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.results.standup import DealLine, Pace, PromptFacts, StepLine
from bot.services.metrics import team_value
from bot.services.targets import active_targets, member_scope, progress_of
from models import Deal, Member, SalesTeam, StandupPrompt

STALE_AFTER = timedelta(days=7)
MAX_LISTED = 5
MAX_STEPS = 10


def pace(session: Session, team: SalesTeam, member: Member, now: datetime) -> Pace | None:
    """Where the member stands against their revenue target (None without one)."""
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    targets = [
        t
        for t in active_targets(session, team, scope=member_scope(member), today=today)
        if t.metric == "revenue"
    ]
    if not targets:
        return None
    state = progress_of(session, team, targets[0], today)
    return Pace(state.period, state.progress, team.currency)


def briefing(
    session: Session, team: SalesTeam, member: Member, prompt: StandupPrompt, now: datetime
) -> PromptFacts:
    """Everything the prompt shows."""
    open_deals = list(
        session.scalars(
            select(Deal)
            .where(
                Deal.workspace_id == team.workspace_id,
                Deal.owner_id == member.id,
                Deal.closed_at.is_(None),
                Deal.deleted_at.is_(None),
            )
            .order_by(Deal.close_date.is_(None), Deal.close_date, Deal.id)
        )
    )
    day = prompt.local_date
    week_end = day + timedelta(days=6 - day.weekday())
    stale = [d for d in open_deals if now - d.updated_at >= STALE_AFTER]
    due = [d for d in open_deals if d.close_date is not None and d.close_date <= week_end]
    steps = steps_due(open_deals, day)

    def line(deal: Deal) -> DealLine:
        return DealLine(
            deal.number,
            deal.customer,
            deal.amount,
            deal.currency,
            deal.close_date,
            (now - deal.updated_at).days,
            team_value(session, team, deal.amount, deal.currency),
        )

    return PromptFacts(
        prompt_id=prompt.id,
        name=member.name,
        local_date=day,
        pace=pace(session, team, member, now),
        stale=tuple(line(d) for d in stale[:MAX_LISTED]),
        due_this_week=tuple(line(d) for d in due[:MAX_LISTED]),
        next_steps=tuple(steps[:MAX_STEPS]),
        next_steps_total=len(steps),
    )


def steps_due(open_deals: list[Deal], day: date) -> list[StepLine]:
    """The next steps of these deals due by `day`: overdue first, oldest first, then today's."""
    dated = [d for d in open_deals if d.next_step and d.next_step_date is not None]
    due = sorted(
        (d for d in dated if d.next_step_date is not None and d.next_step_date <= day),
        key=lambda d: (d.next_step_date, d.number),
    )
    return [step_line(d, day) for d in due]


def step_line(deal: Deal, day: date) -> StepLine:
    """A deal's next step as listed on `day`."""
    assert deal.next_step_date is not None
    return StepLine(
        deal.number, deal.customer, deal.next_step, deal.next_step_date, deal.next_step_date < day
    )
