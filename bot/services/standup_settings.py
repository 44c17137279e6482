"""Stand-up settings by text or form, holidays, away and pause; reading the check-in form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar
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
    parse_clock,
    parse_days,
    question_text,
)
from bot.domain.text import TextTooLongError, clean_text
from bot.i18n import N_, _
from bot.results.standup import (
    MAX_COUNTERS,
    MAX_MOVES,
    AwaySet,
    BackFromAway,
    CheckedIn,
    CheckInForm,
    HolidayAdded,
    HolidayEntry,
    HolidayRemoved,
    HolidaysListed,
    QuestionsShown,
    SettingDone,
    SettingsChanged,
    SettingsForm,
    StandupSchedule,
)
from bot.services import activities, checkins, deals, forecast
from bot.services.actor import Actor
from bot.services.checkins import Move
from bot.services.deal_commands import form_next_step
from bot.services.directory import team_for_channel
from bot.services.errors import FormErrors, Refused
from bot.services.standups import schedule_of, settings_for
from models import Holiday, SalesTeam, StandupSettings

T = TypeVar("T")

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


def describe(settings: StandupSettings, team: SalesTeam) -> StandupSchedule:
    """The settings as people are told them."""
    return StandupSchedule(
        local_time=settings.local_time,
        days=schedule_of(settings).days,
        timezone=None if settings.per_member_tz else team.timezone,
        reminder_minutes=settings.reminder_minutes,
        close_minutes=settings.close_minutes,
        paused=settings.paused,
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
        raise Refused.plain_text(str(error)) from None


def team_here(session: Session, actor: Actor, channel_id: str) -> SalesTeam:
    """The team of the channel the command was typed in, else the caller's own."""
    return team_for_channel(session, actor.workspace_id, channel_id) or team_of_caller(actor)


def apply(
    session: Session, actor: Actor, parsed: cmd.StandupCommand, channel_id: str
) -> SettingDone:
    """Carry out a text setting (or show one); managers change, anyone may look."""
    team = team_here(session, actor, channel_id)
    settings = settings_for(session, team)
    match parsed:
        case cmd.ShowQuestions():
            return QuestionsShown(tuple(settings.questions))
        case cmd.ListHolidays():
            return list_holidays(session, team, actor)
        case cmd.Away():
            return set_away(actor, parsed.until_text)
        case cmd.Back():
            actor.member.away_until = None
            return BackFromAway()
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
    return SettingsChanged(describe(settings, team))


def _day(actor: Actor, text: str, usage: str) -> date:
    try:
        return parse_date(text, today=actor.today)
    except DateError as error:
        raise Refused.plain_text(str(error), usage) from None


def set_away(actor: Actor, until_text: str) -> AwaySet:
    """No prompts for the member through that day."""
    until = _day(actor, until_text, cmd.USAGE["away"])
    if until < actor.today:
        raise Refused(
            _("{date} has passed: give a day from today on."), cmd.USAGE["away"], date=until
        )
    actor.member.away_until = until
    return AwaySet(until)


def add_holiday(
    session: Session, actor: Actor, team: SalesTeam, text: str, name: str
) -> HolidayAdded:
    """A team day off: no stand-up, not a working day for targets."""
    when = _day(actor, text, cmd.USAGE["holiday"])
    try:
        label = clean_text(name, max_len=200)
    except TextTooLongError:
        raise Refused(
            _("The holiday's name is too long: {most} characters at most."), most=200
        ) from None
    existing = session.scalars(
        select(Holiday).where(Holiday.team_id == team.id, Holiday.day == when)
    ).one_or_none()
    if existing is None:
        session.add(Holiday(workspace_id=team.workspace_id, team_id=team.id, day=when, name=label))
    else:
        existing.name = label
    return HolidayAdded(HolidayEntry(when, label))


def remove_holiday(session: Session, actor: Actor, team: SalesTeam, text: str) -> HolidayRemoved:
    """Make a holiday a working day again."""
    when = _day(actor, text, cmd.USAGE["holiday"])
    removed = session.execute(
        delete(Holiday).where(Holiday.team_id == team.id, Holiday.day == when).returning(Holiday.id)
    ).first()
    if removed is None:
        raise Refused(_("{date} is not a team holiday. See `/standup holidays`."), date=when)
    return HolidayRemoved(when)


def list_holidays(session: Session, team: SalesTeam, actor: Actor) -> HolidaysListed:
    """Upcoming team holidays."""
    rows = session.scalars(
        select(Holiday)
        .where(Holiday.team_id == team.id, Holiday.day >= actor.today)
        .order_by(Holiday.day)
        .limit(50)
    )
    return HolidaysListed(tuple(HolidayEntry(h.day, h.name) for h in rows))


def settings_form(session: Session, actor: Actor, channel_id: str) -> SettingsForm:
    """The settings modal (managers), for the channel's team."""
    _manager(actor)
    team = team_here(session, actor, channel_id)
    settings = settings_for(session, team)
    return SettingsForm(
        team_id=team.id,
        local_time=settings.local_time,
        days=schedule_of(settings).days,
        timezone=team.timezone,
        per_member=settings.per_member_tz,
        questions=tuple(settings.questions),
        reminder_minutes=settings.reminder_minutes,
        close_minutes=settings.close_minutes,
    )


def check_in_form(session: Session, actor: Actor) -> CheckInForm:
    """The team's questions and the member's open deals, for the check-in modal."""
    team = team_of_caller(actor)
    settings = settings_for(session, team)
    own = deals.list_open(session, actor, owner=actor.member, limit=100)
    stages = deals.stage_list(session, actor.workspace_id)
    day = checkins.local_day(session, actor, team)
    return CheckInForm(
        questions=tuple(settings.questions),
        deals=tuple((row.deal.number, row.deal.customer) for row in own),
        stages=tuple((s.key, s.label) for s in stages),
        day=day,
        forecast=forecast.ask_for(session, team, actor.member, settings, day, actor.now),
        counters=tuple((k.key, k.alias) for k in activities.kinds_of(session, team)[:MAX_COUNTERS]),
    )


def check_in_by_form(
    session: Session, actor: Actor, values: dict[str, str], counters: tuple[str, ...] = ()
) -> CheckedIn:
    """Check in with the modal's answers (`q0`, `q1`, …), deal moves and today's activity
    counts (`act0`, … of the `counters` kinds); on the report day, with the rep's commit
    (checked before the moves change what it is compared with)."""
    team = team_of_caller(actor)
    settings = settings_for(session, team)
    answers = [(q, values.get(f"q{i}", "")) for i, q in enumerate(settings.questions)]
    errors: dict[str, str] = {}
    moves: list[Move] = []
    counts = _counts(values, counters, errors)
    call = None
    try:
        moves = read_moves(session, actor, values)
    except FormErrors as wrong:
        errors.update(wrong.fields)
    try:
        call = forecast.read_call(
            session, actor, team, values.get("commit", ""), values.get("commit_reason", "")
        )
    except FormErrors as wrong:
        errors.update(wrong.fields)
    if errors:
        raise FormErrors(errors)
    checked = checkins.check_in(session, actor, answers, moves)
    if call is not None:
        # Once a week: a second form (or a double submit) leaves the first call standing.
        forecast.record_call(session, actor, call)
    for key, count in counts:
        # Once per member, day and kind: checking in again logs nothing more.
        activities.log(
            session,
            actor,
            kind=activities.kind_named(session, team, key),
            count=count,
            deal=None,
            note="",
            source="standup",
            form_key=f"standup:{actor.member.id}:{checked.day.isoformat()}:{key}",
        )
    return checked


def _counts(
    values: dict[str, str], counters: tuple[str, ...], errors: dict[str, str]
) -> list[tuple[str, int]]:
    """The check-in's activity counts (kind, how many), those left empty or 0 left out; a
    wrong one is an error on its field."""
    counts = []
    for n, key in enumerate(counters):
        text = values.get(f"act{n}", "").strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit() and int(text) <= 100):
            errors[f"act{n}"] = _("A whole number from 0 to 100.")
            continue
        if int(text) > 0:
            counts.append((key, int(text)))
    return counts


def check_in_by_text(session: Session, actor: Actor, text: str) -> CheckedIn | None:
    """Check in with a DM reply to the morning prompt (None: no prompt waits for one)."""
    if not checkins.has_prompt_today(session, actor):
        return None
    return check_in_with(session, actor, text)


def check_in_with(session: Session, actor: Actor, text: str) -> CheckedIn:
    """Check in with a text (`/standup <text>`): the update, and a `blocker: …` line."""
    settings = settings_for(session, team_of_caller(actor))
    answers = checkins.text_answers(settings.questions, text)
    return checkins.check_in(session, actor, answers, [])


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
        # A name too long for a file name is an OSError.
        except (ZoneInfoNotFoundError, ValueError, OSError):
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
    """The deal moves of a check-in form; a wrong stage, amount or next step is reported on its
    field."""
    stages = deals.stage_list(session, actor.workspace_id)
    moves: list[Move] = []
    errors: dict[str, str] = {}

    def attempt(name: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except Refused as refused:
            errors[name] = refused.plain
            return None

    for n in range(MAX_MOVES):
        deal_id = values.get(f"move{n}_deal", "")
        stage_text = values.get(f"move{n}_stage", "")
        amount_text = values.get(f"move{n}_amount", "").strip()
        step_given = values.get(f"move{n}_next", "").strip() or values.get(f"move{n}_next_date")
        if not deal_id:
            if stage_text or amount_text or step_given:
                errors[f"move{n}_deal"] = _("Pick the deal to move.")
            continue
        # Left empty, the deal keeps its next step.
        step = form_next_step(actor, values, attempt, prefix=f"move{n}_next")
        next_step = step if step is not None and step.is_set else None
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
        moves.append(
            Move(int(deal_id), stage, amount if amount is None else Decimal(amount), next_step)
        )
    if errors:
        raise FormErrors(errors)
    return moves
