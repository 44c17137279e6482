"""The morning briefing: a member's pace, their stale deals and the deals due this week."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import _, current, money, ngettext
from bot.services.targets import active_targets, member_scope, progress_of
from bot.views import standup as views
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

    def amount(value: Decimal) -> str:
        return money(value, team.currency)

    values = {
        "period": state.period.label(current()),
        "achieved": amount(p.achieved),
        "target": amount(p.target),
        "percent": f"{p.percent:.0f}",
        "days": p.working_days_left,
        "weekly": amount(p.weekly_needed),
    }
    if p.remaining <= 0:
        return _("{period}: {achieved} of {target}, {percent}%").format(**values)
    return ngettext(
        "{period}: {achieved} of {target}, {percent}%, {days} working day left, "
        "{weekly} a week needed",
        "{period}: {achieved} of {target}, {percent}%, {days} working days left, "
        "{weekly} a week needed",
        p.working_days_left,
    ).format(**values)


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
            money(deal.amount, deal.currency),
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
