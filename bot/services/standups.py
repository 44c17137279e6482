"""Stand-ups: settings, and the scheduled work (prompts, day messages, reminders, close).

Every item is guarded by a unique key in the database (a prompt per team, member and local
date; a day message per team and local date; a reminder or a close claimed by a conditional
update), so any number of clocks and `run-due` calls can race without posting anything twice.
What each owes Slack is recorded as a notice; `bot.jobs.standups` runs it, team by team.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from bot.domain.standup import (
    DEFAULT_DAYS,
    DEFAULT_QUESTIONS,
    DEFAULT_TIME,
    Schedule,
    close_at,
    due_at,
    due_now,
    missed_by_clock,
    reminder_at,
    streak,
)
from bot.results.notices import DayOpened, DayUpdated, PromptDue, ReminderDue
from bot.results.standup import DaySummary, PromptFacts, SummaryEntry
from bot.services import forecast, notices
from bot.services.briefing import briefing
from bot.services.directory import member_of, team_members
from bot.services.language import member_language, workspace_language
from bot.services.once import insert_once
from bot.services.targets import holidays
from models import (
    Member,
    SalesTeam,
    StandupDay,
    StandupPrompt,
    StandupResponse,
    StandupSettings,
)

log = logging.getLogger(__name__)
# How far back a check-in streak is counted (the domain's run stops there too).
STREAK_WINDOW_DAYS = 366


def settings_for(session: Session, team: SalesTeam) -> StandupSettings:
    """The team's stand-up settings, created with the defaults on first use (race-safe)."""
    settings = session.get(StandupSettings, team.id)
    if settings is not None:
        return settings
    defaults = {
        "team_id": team.id,
        "workspace_id": team.workspace_id,
        "local_time": f"{DEFAULT_TIME:%H:%M}",
        "days": ",".join(str(d) for d in sorted(DEFAULT_DAYS)),
        "per_member_tz": False,
        "questions": list(DEFAULT_QUESTIONS),
        "reminder_minutes": 60,
        "close_minutes": 180,
        "paused": False,
        "report_weekday": 0,
        "report_time": "09:00",
    }
    insert_once(session, StandupSettings, defaults, ["team_id"])
    settings = session.get(StandupSettings, team.id)
    assert settings is not None
    return settings


def schedule_of(settings: StandupSettings) -> Schedule:
    """The settings as a domain Schedule."""
    hour, minute = (int(part) for part in settings.local_time.split(":"))
    return Schedule(
        at=time(hour, minute),
        days=frozenset(int(d) for d in settings.days.split(",") if d),
        reminder_minutes=settings.reminder_minutes,
        close_minutes=settings.close_minutes,
    )


def member_zone(member: Member, team: SalesTeam, settings: StandupSettings) -> ZoneInfo:
    """Where a member's morning is: their own zone, or the team's."""
    name = member.timezone if settings.per_member_tz else team.timezone
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def is_away(member: Member, day: date) -> bool:
    """Away through `away_until`, inclusive."""
    return member.away_until is not None and day <= member.away_until


def ensure_day(session: Session, team: SalesTeam, local_date: date, *, now: datetime) -> StandupDay:
    """The team's stand-up message for a local date, owed to the channel once."""
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "local_date": local_date,
        "channel_id": team.channel_id,
        "created_at": now,
    }
    created = insert_once(session, StandupDay, values, ["team_id", "local_date"])
    day = session.scalars(
        select(StandupDay).where(StandupDay.team_id == team.id, StandupDay.local_date == local_date)
    ).one()
    if created:
        notices.record(
            session,
            DayOpened(
                workspace_id=team.workspace_id,
                # The day message is the team channel's: in the workspace's language.
                language=workspace_language(session, team.workspace_id),
                channel_id=team.channel_id,
                day_id=day.id,
                summary=day_summary(session, team, day),
            ),
        )
    return day


def refresh_day(session: Session, team: SalesTeam, day: StandupDay) -> None:
    """Owe Slack an update of the day message with the current state."""
    notices.record(
        session,
        DayUpdated(
            workspace_id=team.workspace_id,
            language=workspace_language(session, team.workspace_id),
            channel_id=team.channel_id,
            day_id=day.id,
            summary=day_summary(session, team, day),
        ),
    )


def day_summary(session: Session, team: SalesTeam, day: StandupDay) -> DaySummary:
    """Who checked in (on time or late), who is waiting, away or missed, with streaks and
    blockers."""
    settings = settings_for(session, team)
    schedule = schedule_of(settings)
    hols = holidays(session, team)
    rows = session.execute(
        select(StandupPrompt, StandupResponse)
        .outerjoin(StandupResponse, StandupResponse.prompt_id == StandupPrompt.id)
        .where(StandupPrompt.team_id == team.id, StandupPrompt.local_date == day.local_date)
    )
    by_member = {prompt.member_id: (prompt, response) for prompt, response in rows}
    members = team_members(session, team)
    checked = checked_days_of(session, team, [m.id for m in members], day.local_date)
    entries = []
    for member in members:
        _prompt_row, response = by_member.get(member.id, (None, None))
        if response is not None:
            # After the day message said who missed, a check-in does not undo that: it is late.
            late = day.closed_at is not None and response.submitted_at >= day.closed_at
            status = "late" if late else "in"
        elif is_away(member, day.local_date):
            status = "away"
        elif day.closed_at is not None:
            status = "missed"
        else:
            status = "waiting"
        run = streak(
            checked.get(member.id, set()), today=day.local_date, days=schedule.days, holidays=hols
        )
        entries.append(
            SummaryEntry(
                member.slack_user_id, member.name, status, run, bool(response and response.blocker)
            )
        )
    return DaySummary(day.local_date, tuple(entries), closed=day.closed_at is not None)


def checked_days(session: Session, team: SalesTeam, member: Member, today: date) -> set[date]:
    """The days the member checked in, within the year up to today that a streak can span."""
    return checked_days_of(session, team, [member.id], today).get(member.id, set())


def checked_days_of(
    session: Session, team: SalesTeam, member_ids: Sequence[int], today: date
) -> dict[int, set[date]]:
    """`checked_days` of each of these members, in one statement (a day's summary shows the
    streak of the whole team)."""
    rows = session.execute(
        select(StandupPrompt.member_id, StandupPrompt.local_date)
        .join(StandupResponse, StandupResponse.prompt_id == StandupPrompt.id)
        .where(
            StandupPrompt.team_id == team.id,
            StandupPrompt.member_id.in_(member_ids),
            StandupPrompt.local_date > today - timedelta(days=STREAK_WINDOW_DAYS),
            StandupPrompt.local_date <= today,
        )
    )
    days: dict[int, set[date]] = defaultdict(set)
    for member_id, local_date in rows:
        days[member_id].add(local_date)
    return dict(days)


def teams_to_prompt(session: Session) -> list[int]:
    """The ids of the teams whose stand-ups are not paused, in order."""
    return list(
        session.scalars(
            select(SalesTeam.id)
            .join(StandupSettings, StandupSettings.team_id == SalesTeam.id, isouter=True)
            .where((StandupSettings.paused.is_(None)) | (StandupSettings.paused.is_(False)))
            .order_by(SalesTeam.id)
        )
    )


def prompt_team(session: Session, team: SalesTeam, now: datetime) -> int:
    """Prompt each participant whose morning it is (at most once per local date)."""
    settings = settings_for(session, team)
    schedule = schedule_of(settings)
    hols = holidays(session, team)
    team_due = due_now(now, schedule, ZoneInfo(team.timezone), hols)
    if team_due is not None:
        ensure_day(session, team, team_due.local_date, now=now)
    sent = 0
    for member in team_members(session, team):
        zone = member_zone(member, team, settings)
        due = due_now(now, schedule, zone, hols)
        if due is None:
            _note_missed(session, team, member, now, schedule, zone, hols)
            continue
        if is_away(member, due.local_date):
            continue
        values = {
            "workspace_id": team.workspace_id,
            "team_id": team.id,
            "member_id": member.id,
            "local_date": due.local_date,
            "due_at": due.due,
            "status": "sent",
            "sent_at": now,
        }
        if not insert_once(session, StandupPrompt, values, ["team_id", "member_id", "local_date"]):
            continue
        prompt = _prompt(session, team, member, due.local_date)
        ensure_day(session, team, due.local_date, now=now)
        notices.record(
            session,
            PromptDue(
                workspace_id=team.workspace_id,
                # A DM to one member: in their language.
                language=member_language(session, member),
                member_user_id=member.slack_user_id,
                facts=prompt_facts(session, team, member, prompt, now),
            ),
        )
        sent += 1
    return sent


def _prompt(session: Session, team: SalesTeam, member: Member, day: date) -> StandupPrompt:
    return session.scalars(
        select(StandupPrompt).where(
            StandupPrompt.team_id == team.id,
            StandupPrompt.member_id == member.id,
            StandupPrompt.local_date == day,
        )
    ).one()


def _note_missed(
    session: Session,
    team: SalesTeam,
    member: Member,
    now: datetime,
    schedule: Schedule,
    zone: ZoneInfo,
    hols: frozenset[date],
) -> None:
    """A morning the clock slept through by more than 2 hours is skipped, and said so once."""
    missed = missed_by_clock(now, schedule, zone, hols)
    if missed is None or is_away(member, missed.local_date):
        return
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "member_id": member.id,
        "local_date": missed.local_date,
        "due_at": missed.due,
        "status": "skipped",
        "sent_at": None,
    }
    if insert_once(session, StandupPrompt, values, ["team_id", "member_id", "local_date"]):
        log.warning(
            "standup.prompt_skipped team=%s member=%s date=%s due=%s: more than 2 hours late",
            team.id,
            member.slack_user_id,
            missed.local_date,
            missed.due.isoformat(),
        )


def send_reminders(session: Session, now: datetime) -> int:
    """One nudge to each prompted member who has not checked in by reminder time."""
    pending = session.execute(
        select(StandupPrompt, StandupSettings, Member)
        .join(StandupSettings, StandupSettings.team_id == StandupPrompt.team_id)
        # Someone no longer in the team (removed, deactivated) is not nudged.
        .join(Member, and_(Member.id == StandupPrompt.member_id, member_of(StandupPrompt.team_id)))
        .outerjoin(StandupResponse, StandupResponse.prompt_id == StandupPrompt.id)
        .where(
            StandupPrompt.status == "sent",
            StandupPrompt.reminded_at.is_(None),
            StandupResponse.id.is_(None),
            StandupPrompt.due_at > now - timedelta(days=1),
        )
    )
    sent = 0
    for prompt, settings, member in list(pending):
        schedule = schedule_of(settings)
        if not reminder_at(prompt.due_at, schedule) <= now < close_at(prompt.due_at, schedule):
            continue
        # The conditional update is the claim: of racing clocks, one changes the row.
        claimed = session.execute(
            update(StandupPrompt)
            .where(StandupPrompt.id == prompt.id, StandupPrompt.reminded_at.is_(None))
            .values(reminded_at=now)
            .returning(StandupPrompt.id)
        ).first()
        if claimed is None:
            continue
        notices.record(
            session,
            ReminderDue(
                workspace_id=prompt.workspace_id,
                language=member_language(session, member),
                member_user_id=member.slack_user_id,
                prompt_id=prompt.id,
            ),
        )
        sent += 1
    return sent


def close_days(session: Session, now: datetime) -> int:
    """At close time, the day message lists who missed."""
    open_days = session.execute(
        select(StandupDay, SalesTeam, StandupSettings)
        .join(SalesTeam, SalesTeam.id == StandupDay.team_id)
        .join(StandupSettings, StandupSettings.team_id == StandupDay.team_id)
        .where(StandupDay.closed_at.is_(None), StandupDay.created_at > now - timedelta(days=2))
    )
    closed = 0
    for day, team, settings in list(open_days):
        schedule = schedule_of(settings)
        start = due_at(day.local_date, schedule.at, ZoneInfo(team.timezone))
        if now < close_at(start, schedule):
            continue
        claimed = session.execute(
            update(StandupDay)
            .where(StandupDay.id == day.id, StandupDay.closed_at.is_(None))
            .values(closed_at=now)
            .returning(StandupDay.id)
        ).first()
        if claimed is None:
            continue
        session.refresh(day)
        refresh_day(session, team, day)
        closed += 1
    return closed


def prompt_facts(
    session: Session, team: SalesTeam, member: Member, prompt: StandupPrompt, now: datetime
) -> PromptFacts:
    """What the morning DM tells a member: pace, stale deals, deals due this week, and on
    the team's report day the forecast call."""
    facts = briefing(session, team, member, prompt, now)
    settings = settings_for(session, team)
    ask = forecast.ask_for(session, team, member, settings, prompt.local_date, now)
    return replace(facts, forecast=ask)
