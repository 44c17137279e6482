"""The morning briefing: a member's pace, their stale deals and the deals due this week."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.amounts import format_amount
from bot.services.targets import active_targets, member_scope, progress_of
from bot.views import standup as views
from bot.views.common import plural
from models import Deal, Member, SalesTeam, StandupPrompt

STALE_AFTER = timedelta(days=7)
MAX_LISTED = 5


def pace_line(session: Session, team: SalesTeam, member: Member, now: datetime) -> str | None:
    """`December: ¥62k of ¥100k, 62%, 9 working days left, ¥19k a week needed`."""
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    targets = [
        t
        for t in active_targets(session, team, scope=member_scope(member), today=today)
        if t.metric == "revenue"
    ]
    if not targets:
        return None
    state = progress_of(session, team, targets[0], today)
    p = state.progress

    def money(value: Decimal) -> str:
        return format_amount(value, team.currency)

    line = f"{state.period.label()}: {money(p.achieved)} of {money(p.target)}, {p.percent:.0f}%"
    if p.remaining > 0:
        days = plural(p.working_days_left, "working day")
        line += f", {days} left, {money(p.weekly_needed)} a week needed"
    return line


def briefing(
    session: Session, team: SalesTeam, member: Member, prompt: StandupPrompt, now: datetime
) -> views.PromptFacts:
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

    def line(deal: Deal) -> views.DealLine:
        return views.DealLine(
            deal.id,
            deal.customer,
            format_amount(deal.amount, deal.currency),
            deal.close_date,
            (now - deal.updated_at).days,
        )

    return views.PromptFacts(
        prompt_id=prompt.id,
        name=member.name,
        local_date=day,
        pace=pace_line(session, team, member, now),
        stale=[line(d) for d in stale[:MAX_LISTED]],
        due_this_week=[line(d) for d in due[:MAX_LISTED]],
    )
