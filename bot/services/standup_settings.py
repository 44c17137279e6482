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
    question_text,
)
from bot.domain.text import TextTooLongError, clean_text, escape_mrkdwn
from bot.i18n import N_, _, day
from bot.services import deals
from bot.services.actor import Actor
from bot.services.checkins import Move
from bot.services.directory import team_for_channel
from bot.services.errors import FormErrors, Refused
from bot.services.standups import schedule_of, settings_for
from bot.views import standup as views
from models import Holiday, SalesTeam, StandupSettings

MANAGERS_ONLY = N_("Only managers can change the team's stand-up settings.")
# What the settings form and `/standup tz` accept for "each member's own zone".
MEMBER_ZONE_WORDS = frozenset({"member", "成员"})


def team_of_caller(actor: Actor) -> SalesTeam:
    """The caller's team; stand-ups run per team."""
    if actor.team is None:
        raise Refused(
            _(
                "Stand-ups run per sales team, and you are not in one yet. A manager can run "
                "`/salesbot setup` in the team's channel."
            )
        )
    return actor.team


def _manager(actor: Actor) -> None:
    if not actor.member.can_manage:
        raise Refused(_(MANAGERS_ONLY))


def describe(settings: StandupSettings, team: SalesTeam) -> str:
    """The settings in one sentence."""
    schedule = schedule_of(settings)
    zone = _("each member's own time zone") if settings.per_member_tz else team.timezone
    text = _(
        "Stand-up at {time} ({zone}), {days}; reminder after {reminder} min, summary closes "
        "after {close} min."
    ).format(
        time=settings.local_time,
        zone=zone,
        days=format_days(schedule.days),
        reminder=settings.reminder_minutes,
        close=settings.close_minutes,
    )
    return text + " " + _("*Paused.*") if settings.paused else text


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
            return (
                _("*Stand-up questions*")
                + "\n"
                + "\n".join(
                    f"{n}. {escape_mrkdwn(question_text(q))}"
                    for n, q in enumerate(settings.questions, 1)
                )
            )
        case cmd.ListHolidays():
            return list_holidays(session, team, actor)
        case cmd.Away():
            return set_away(actor, parsed.until_text)
        case cmd.Back():
            actor.member.away_until = None
            return _("Welcome back! You'll get stand-up prompts again.")
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
        raise Refused(
            _("{date} has passed: give a day from today on.").format(date=day(until)),
            cmd.USAGE["away"],
        )
    actor.member.away_until = until
    return ":palm_tree: " + _("Enjoy! No stand-up prompts for you through {date}.").format(
        date=day(until, weekday=True)
    )


def add_holiday(session: Session, actor: Actor, team: SalesTeam, text: str, name: str) -> str:
    """A team day off: no stand-up, not a working day for targets."""
    when = _day(actor, text, cmd.USAGE["holiday"])
    try:
        label = clean_text(name, max_len=200)
    except TextTooLongError:
        raise Refused(
            _("The holiday's name is too long: {most} characters at most.").format(most=200)
        ) from None
    existing = session.scalars(
        select(Holiday).where(Holiday.team_id == team.id, Holiday.day == when)
    ).one_or_none()
    if existing is None:
        session.add(Holiday(workspace_id=team.workspace_id, team_id=team.id, day=when, name=label))
    else:
        existing.name = label
    shown = day(when, with_year=True, weekday=True)
    if label:
        return ":calendar: " + _("{date} is a team holiday ({name}).").format(
            date=shown, name=escape_mrkdwn(label)
        )
    return ":calendar: " + _("{date} is a team holiday.").format(date=shown)


def remove_holiday(session: Session, actor: Actor, team: SalesTeam, text: str) -> str:
    """Make a holiday a working day again."""
    when = _day(actor, text, cmd.USAGE["holiday"])
    removed = session.execute(
        delete(Holiday).where(Holiday.team_id == team.id, Holiday.day == when).returning(Holiday.id)
    ).first()
    if removed is None:
        raise Refused(
            _("{date} is not a team holiday. See `/standup holidays`.").format(date=day(when))
        )
    return _("{date} is a working day again.").format(date=day(when, weekday=True))


def list_holidays(session: Session, team: SalesTeam, actor: Actor) -> str:
    """Upcoming team holidays."""
    rows = session.scalars(
        select(Holiday)
        .where(Holiday.team_id == team.id, Holiday.day >= actor.today)
        .order_by(Holiday.day)
        .limit(50)
    )
    lines = [
        f"• {day(h.day, with_year=True, weekday=True)}"
        + (f" — {escape_mrkdwn(h.name)}" if h.name else "")
        for h in rows
    ]
    return (
        _("*Team holidays*")
        + "\n"
        + (
            "\n".join(lines)
            or _("None coming up. Add one with `/standup holiday 2026-12-25 Christmas`.")
        )
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
        questions=[question_text(q) for q in settings.questions],
        reminder=settings.reminder_minutes,
        close=settings.close_minutes,
    )


def save_form(session: Session, actor: Actor, team_id: int, values: dict[str, str]) -> None:
    """Save the settings modal; every wrong field is reported on the field."""
    _manager(actor)
    team = session.get(SalesTeam, team_id)
    if team is None or team.workspace_id != actor.workspace_id:
        raise Refused(_("That team no longer exists."))
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
    if zone.casefold() in MEMBER_ZONE_WORDS:
        settings.per_member_tz = True
    else:
        try:
            ZoneInfo(zone)
            team.timezone, settings.per_member_tz = zone, False
        except (ZoneInfoNotFoundError, ValueError):
            errors["tz"] = _("Not a time zone I know: use a name like Asia/Shanghai, or member.")
    questions = [q.strip() for q in values.get("questions", "").splitlines() if q.strip()]
    if not 1 <= len(questions) <= 5 or any(len(q) > 150 for q in questions):
        errors["questions"] = _("One to five questions, one per line, 150 characters at most.")
    else:
        # A default question shown translated is saved as Salesbot's own again.
        originals = {question_text(q): q for q in DEFAULT_QUESTIONS}
        settings.questions = [originals.get(q, q) for q in questions]
    for field in ("reminder", "close"):
        text = values.get(field, "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 720:
            errors[field] = _("Minutes from 1 to 720.")
        else:
            setattr(settings, f"{field}_minutes", int(text))
    if not errors and settings.reminder_minutes >= settings.close_minutes:
        errors["reminder"] = _("The reminder must come before the summary closes.")
    if errors:
        raise FormErrors(errors)


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
                errors[f"move{n}_deal"] = _("Pick the deal to move.")
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
            errors[f"move{n}_amount"] = _("A won deal needs an amount above zero.")
        moves.append(Move(int(deal_id), stage, amount if amount is None else Decimal(amount)))
    if errors:
        raise FormErrors(errors)
    return moves
