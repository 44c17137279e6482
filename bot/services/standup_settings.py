"""Stand-up settings by text or form, holidays, away and pause; reading the check-in form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.domain import standup_command as cmd
from bot.domain.amounts import AmountError, parse_amount
from bot.domain.dates import DateError, parse_date
from bot.domain.stages import StageError, resolve_stage
from bot.domain.standup import (
    DEFAULT_QUESTIONS,
    Schedule,
    StandupError,
    format_days,
    parse_clock,
    parse_days,
)
from bot.domain.text import TextTooLongError, clean_text, escape_mrkdwn
from bot.services import deals
from bot.services.actor import Actor
from bot.services.checkins import Move
from bot.services.directory import team_for_channel
from bot.services.errors import Refused
from bot.services.standups import schedule_of, settings_for
from bot.views import standup as views
from models import Holiday, SalesTeam, StandupSettings

MANAGERS_ONLY = "Only managers can change the team's stand-up settings."


class FieldErrors(Exception):
    """Form fields that are wrong, by block id, for `response_action: errors`."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid form")
        self.fields = fields


def team_of_caller(actor: Actor) -> SalesTeam:
    """The caller's team; stand-ups run per team."""
    if actor.team is None:
        raise Refused(
            "Stand-ups run per sales team, and you are not in one yet. A manager can run "
            "`/salesbot setup` in the team's channel."
        )
    return actor.team


def _manager(actor: Actor) -> None:
    if not actor.member.can_manage:
        raise Refused(MANAGERS_ONLY)


def describe(settings: StandupSettings, team: SalesTeam) -> str:
    """The settings in one sentence."""
    schedule = schedule_of(settings)
    zone = "each member's own time zone" if settings.per_member_tz else team.timezone
    state = " *Paused.*" if settings.paused else ""
    return (
        f"Stand-up at {settings.local_time} ({zone}), {format_days(schedule.days)}; reminder "
        f"after {settings.reminder_minutes} min, summary closes after "
        f"{settings.close_minutes} min.{state}"
    )


def _check(settings: StandupSettings) -> None:
    """Refuse settings that make no sense together (e.g. a reminder after the close)."""
    try:
        schedule_of(settings)
        Schedule(
            schedule_of(settings).at,
            schedule_of(settings).days,
            settings.reminder_minutes,
            settings.close_minutes,
        )
    except (StandupError, ValueError) as error:
        raise Refused(escape_mrkdwn(str(error))) from None


def team_here(session: Session, actor: Actor, channel_id: str) -> SalesTeam:
    """The team of the channel the command was typed in, else the caller's own."""
    return team_for_channel(session, actor.workspace_id, channel_id) or team_of_caller(actor)


def apply(session: Session, actor: Actor, parsed: cmd.StandupCommand, channel_id: str) -> str:
    """Carry out a text setting (or show one); managers change, anyone may look."""
    team = team_here(session, actor, channel_id)
    settings = settings_for(session, team)
    match parsed:
        case cmd.ShowQuestions():
            return "*Stand-up questions*\n" + "\n".join(
                f"{n}. {escape_mrkdwn(q)}" for n, q in enumerate(settings.questions, 1)
            )
        case cmd.ListHolidays():
            return list_holidays(session, team, actor)
        case cmd.Away():
            return set_away(actor, parsed.until_text)
        case cmd.Back():
            actor.member.away_until = None
            return "Welcome back! You'll get stand-up prompts again."
    _manager(actor)
    match parsed:
        case cmd.SetTime(at=at):
            settings.local_time = f"{at:%H:%M}"
        case cmd.SetDays(days=days):
            settings.days = ",".join(str(d) for d in sorted(days))
        case cmd.SetZone(zone=None):
            settings.per_member_tz = True
        case cmd.SetZone(zone=str(zone)):
            team.timezone = zone
            settings.per_member_tz = False
        case cmd.SetQuestions(questions=questions):
            settings.questions = list(questions) or list(DEFAULT_QUESTIONS)
        case cmd.SetReminder(minutes=minutes):
            settings.reminder_minutes = minutes
        case cmd.SetClose(minutes=minutes):
            settings.close_minutes = minutes
        case cmd.Pause():
            settings.paused = True
        case cmd.Resume():
            settings.paused = False
        case cmd.AddHoliday(day_text=day_text, name=name):
            return add_holiday(session, actor, team, day_text, name)
        case cmd.RemoveHoliday(day_text=day_text):
            return remove_holiday(session, actor, team, day_text)
    _check(settings)
    return ":white_check_mark: " + describe(settings, team)


def _day(actor: Actor, text: str, usage: str) -> date:
    try:
        return parse_date(text, today=actor.today)
    except DateError as error:
        raise Refused(escape_mrkdwn(str(error)), usage) from None


def set_away(actor: Actor, until_text: str) -> str:
    """No prompts for the member through that day."""
    until = _day(actor, until_text, cmd.USAGE["away"])
    if until < actor.today:
        raise Refused(f"{until:%b %d} has passed: give a day from today on.", cmd.USAGE["away"])
    actor.member.away_until = until
    return f":palm_tree: Enjoy! No stand-up prompts for you through {until:%a %b} {until.day}."


def add_holiday(session: Session, actor: Actor, team: SalesTeam, text: str, name: str) -> str:
    """A team day off: no stand-up, not a working day for targets."""
    day = _day(actor, text, cmd.USAGE["holiday"])
    try:
        label = clean_text(name, max_len=200)
    except TextTooLongError:
        raise Refused("The holiday's name is too long: 200 characters at most.") from None
    existing = session.scalars(
        select(Holiday).where(Holiday.team_id == team.id, Holiday.day == day)
    ).one_or_none()
    if existing is None:
        session.add(Holiday(workspace_id=team.workspace_id, team_id=team.id, day=day, name=label))
    else:
        existing.name = label
    return f":calendar: {day:%a %b} {day.day}, {day.year} is a team holiday" + (
        f" ({escape_mrkdwn(label)})." if label else "."
    )


def remove_holiday(session: Session, actor: Actor, team: SalesTeam, text: str) -> str:
    """Make a holiday a working day again."""
    day = _day(actor, text, cmd.USAGE["holiday"])
    removed = session.execute(
        delete(Holiday).where(Holiday.team_id == team.id, Holiday.day == day).returning(Holiday.id)
    ).first()
    if removed is None:
        raise Refused(f"{day:%b %d} is not a team holiday. See `/standup holidays`.")
    return f"{day:%a %b} {day.day} is a working day again."


def list_holidays(session: Session, team: SalesTeam, actor: Actor) -> str:
    """Upcoming team holidays."""
    rows = session.scalars(
        select(Holiday)
        .where(Holiday.team_id == team.id, Holiday.day >= actor.today)
        .order_by(Holiday.day)
        .limit(50)
    )
    lines = [
        f"• {h.day:%a %b} {h.day.day}, {h.day.year}"
        + (f" — {escape_mrkdwn(h.name)}" if h.name else "")
        for h in rows
    ]
    return "*Team holidays*\n" + (
        "\n".join(lines) or "None coming up. Add one with `/standup holiday 2026-12-25 Christmas`."
    )


def config_view(session: Session, actor: Actor, channel_id: str) -> dict[str, Any]:
    """The settings modal (managers), for the channel's team."""
    _manager(actor)
    team = team_here(session, actor, channel_id)
    settings = settings_for(session, team)
    return views.config_modal(
        team_id=team.id,
        at=settings.local_time,
        days=format_days(schedule_of(settings).days),
        zone=team.timezone,
        per_member=settings.per_member_tz,
        questions=settings.questions,
        reminder=settings.reminder_minutes,
        close=settings.close_minutes,
    )


def save_form(session: Session, actor: Actor, team_id: int, values: dict[str, str]) -> None:
    """Save the settings modal; every wrong field is reported on the field."""
    _manager(actor)
    team = session.get(SalesTeam, team_id)
    if team is None or team.workspace_id != actor.workspace_id:
        raise Refused("That team no longer exists.")
    settings = settings_for(session, team)
    errors: dict[str, str] = {}
    try:
        settings.local_time = f"{parse_clock(values.get('time', '')):%H:%M}"
    except StandupError as error:
        errors["time"] = str(error)
    try:
        settings.days = ",".join(str(d) for d in sorted(parse_days(values.get("days", ""))))
    except StandupError as error:
        errors["days"] = str(error)
    zone = values.get("tz", "").strip()
    if zone.casefold() == "member":
        settings.per_member_tz = True
    else:
        try:
            ZoneInfo(zone)
            team.timezone, settings.per_member_tz = zone, False
        except (ZoneInfoNotFoundError, ValueError):
            errors["tz"] = "Not a time zone I know: use a name like Asia/Shanghai, or member."
    questions = [q.strip() for q in values.get("questions", "").splitlines() if q.strip()]
    if not 1 <= len(questions) <= 5 or any(len(q) > 150 for q in questions):
        errors["questions"] = "One to five questions, one per line, 150 characters at most."
    else:
        settings.questions = questions
    for field in ("reminder", "close"):
        text = values.get(field, "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 720:
            errors[field] = "Minutes from 1 to 720."
        else:
            setattr(settings, f"{field}_minutes", int(text))
    if not errors and settings.reminder_minutes >= settings.close_minutes:
        errors["reminder"] = "The reminder must come before the summary closes."
    if errors:
        raise FieldErrors(errors)


def read_moves(session: Session, actor: Actor, values: dict[str, str]) -> list[Move]:
    """The deal moves of a check-in form; a wrong stage or amount is reported on its field."""
    stages = deals.stage_list(session, actor.workspace_id)
    moves: list[Move] = []
    errors: dict[str, str] = {}
    for n in range(views.MAX_MOVES):
        deal_id = values.get(f"move{n}_deal", "")
        stage_text = values.get(f"move{n}_stage", "")
        amount_text = values.get(f"move{n}_amount", "").strip()
        if not deal_id:
            if stage_text or amount_text:
                errors[f"move{n}_deal"] = "Pick the deal to move."
            continue
        stage = amount = None
        try:
            stage = resolve_stage(stage_text, stages) if stage_text else None
        except StageError as error:
            errors[f"move{n}_stage"] = str(error)
        try:
            amount = parse_amount(amount_text, "CNY").amount if amount_text else None
        except AmountError as error:
            errors[f"move{n}_amount"] = str(error)
        if amount is not None and amount <= 0 and stage is not None and stage.kind == "won":
            errors[f"move{n}_amount"] = "A won deal needs an amount above zero."
        moves.append(Move(int(deal_id), stage, amount if amount is None else Decimal(amount)))
    if errors:
        raise FieldErrors(errors)
    return moves
