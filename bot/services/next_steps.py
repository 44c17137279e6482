"""Next steps due on a day without stand-up: told in a DM at the team's stand-up time.

A weekend, a day the team does not stand up, a holiday or a paused team has no prompt to list
a step due that day, so its owner gets one DM listing the steps due then. Each step is told at
most once that day, however many clocks or `run-due` calls race: the decision is a row per
deal and local date (`next_step_reminder`, unique), inserted in the same transaction as the
DM's outbox row. A member who is away is not told (they asked for quiet).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.next_steps import no_stand_up, reminder_due
from bot.domain.standup import DEFAULT_DAYS, DEFAULT_TIME
from bot.results.notices import NextStepsDue
from bot.results.standup import StepLine
from bot.services import notices
from bot.services.briefing import step_line
from bot.services.directory import team_members
from bot.services.language import member_language
from bot.services.once import insert_unique
from bot.services.standups import is_away, member_zone, schedule_of, settings_for
from bot.services.targets import holidays
from models import Deal, Holiday, Member, NextStepReminder, SalesTeam, StandupSettings


def teams_to_remind(session: Session, now: datetime) -> list[int]:
    """The teams that may have a step to tell at `now`, in order: those whose members are in
    their own zones, and those in one zone where it is stand-up time on a day without one.
    Read only (two statements), so a quiet minute writes nothing."""
    rows = session.execute(
        select(SalesTeam.id, SalesTeam.timezone, StandupSettings)
        .outerjoin(StandupSettings, StandupSettings.team_id == SalesTeam.id)
        .order_by(SalesTeam.id)
    )
    due: list[int] = []
    # Stand-up time now, for a team in one zone: is it a day without a stand-up?
    maybe: dict[int, tuple[date, frozenset[int], bool]] = {}
    for team_id, timezone, settings in rows:
        if settings is not None and settings.per_member_tz:
            due.append(team_id)
            continue
        at = _clock(settings.local_time) if settings is not None else DEFAULT_TIME
        found = reminder_due(now, at, _zone(timezone))
        if found is not None:
            days = _days(settings.days) if settings is not None else DEFAULT_DAYS
            maybe[team_id] = (found.local_date, days, bool(settings and settings.paused))
    if maybe:
        holiday_rows = session.execute(
            select(Holiday.team_id, Holiday.day).where(
                Holiday.team_id.in_(list(maybe)),
                Holiday.day.in_({day for day, _days, _paused in maybe.values()}),
            )
        )
        off = {(team_id, day) for team_id, day in holiday_rows}
        for team_id, (day, days, paused) in maybe.items():
            holidays = frozenset({day}) if (team_id, day) in off else frozenset()
            if no_stand_up(day, days=days, holidays=holidays, paused=paused):
                due.append(team_id)
    return sorted(due)


def remind_team(session: Session, team: SalesTeam, now: datetime) -> int:
    """Owe each member whose stand-up time it is, on a day without a stand-up, one DM of the
    next steps due that day not told yet; how many steps were told."""
    settings = settings_for(session, team)
    schedule = schedule_of(settings)
    hols = holidays(session, team)
    days: dict[int, date] = {}
    members: dict[int, Member] = {}
    for member in team_members(session, team):
        due = reminder_due(now, schedule.at, member_zone(member, team, settings))
        if due is None or is_away(member, due.local_date):
            continue
        if no_stand_up(due.local_date, days=schedule.days, holidays=hols, paused=settings.paused):
            days[member.id], members[member.id] = due.local_date, member
    if not days:
        return 0
    # Deals in id order, so racing clocks take the unique keys the same way round.
    candidates = session.scalars(
        select(Deal)
        .where(
            Deal.workspace_id == team.workspace_id,
            Deal.owner_id.in_(list(days)),
            Deal.closed_at.is_(None),
            Deal.deleted_at.is_(None),
            Deal.next_step != "",
            Deal.next_step_date.in_(set(days.values())),
        )
        .order_by(Deal.id)
    )
    told: dict[int, list[tuple[int, StepLine]]] = defaultdict(list)
    for deal in candidates:
        day = days[deal.owner_id]
        if deal.next_step_date != day:
            continue
        values = {
            "workspace_id": team.workspace_id,
            "team_id": team.id,
            "member_id": deal.owner_id,
            "deal_id": deal.id,
            "local_date": day,
            "step": deal.next_step,
            "sent_at": now,
        }
        reminder_id = insert_unique(session, NextStepReminder, values, ["deal_id", "local_date"])
        if reminder_id is not None:
            told[deal.owner_id].append((reminder_id, step_line(deal, day)))
    for member_id, steps in told.items():
        member = members[member_id]
        notices.record(
            session,
            NextStepsDue(
                workspace_id=team.workspace_id,
                # A DM to one member: in their language.
                language=member_language(session, member),
                member_user_id=member.slack_user_id,
                local_date=days[member_id],
                steps=tuple(step for _id, step in steps),
                key=f"next-steps:{steps[0][0]}",
            ),
        )
    return sum(len(steps) for steps in told.values())


def _days(text: str) -> frozenset[int]:
    return frozenset(int(d) for d in text.split(",") if d)


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
