"""The ``/standup`` grammar: the text after ``/standup`` in, a command or an error out.

Rules worth knowing (all tested):

* The first word is the verb; English verbs are case-insensitive and Chinese aliases
  are in VERB_ALIASES. Nothing (or ``checkin``/``打卡``) opens the check-in. Words whose
  first is no verb are themselves a check-in (``/standup called Acme; blocker: legal``);
  one word that is no verb is refused, with "did you mean" when it is close to one.
* ``time`` and ``days`` are read with parse_clock and parse_days, so their errors
  arrive here; ``reminder``/``close`` take minutes (``60``, ``90m``, ``1.5h``,
  ``90分钟``) from 1 to 720. Whether the reminder comes before the close depends on
  the saved settings, so the caller checks that by building a Schedule.
* ``tz`` takes one IANA name, matched case-insensitively and returned as spelled in
  the time-zone database (``asia/shanghai`` gives ``Asia/Shanghai``); ``tz member``
  (``成员``) means each member's own Slack time zone and gives None.
* ``questions`` alone shows them; ``questions reset`` (``默认``) restores the defaults;
  otherwise the text is split on ``|`` or new lines into 1–5 questions of at most 150
  characters each, blanks dropped and repeats refused.
* ``holiday <date> [name…]``: only the first word is the date, unless the date is in
  quotes (``holiday "Dec 25" Christmas``). ``holiday remove <date…>`` takes the rest as
  the date. ``holiday`` alone, ``holidays`` and ``holiday list`` list them. Dates are
  checked by the caller with parse_date.
* ``away [until] <date…>`` (also ``till``, ``到``, ``至``, ``直到``); the caller reads the
  date with parse_date.
* Refusals are a ParseError (bot.domain.grammar; StandupParseError is the same class):
  its message is plain text containing user input, to escape before showing it in
  mrkdwn. Its usage and USAGE values are mrkdwn, with ``<``/``>`` already written as
  ``&lt;``/``&gt;``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import TypeAlias
from zoneinfo import available_timezones

from bot.domain.grammar import ParseError, no_help, takes_nothing, usage_line
from bot.domain.lexer import fold, shown
from bot.domain.standup import DEFAULT_QUESTIONS, MAX_MINUTES, StandupError, parse_clock, parse_days
from bot.domain.text import TextTooLongError, clean_text
from bot.i18n import N_, Texts, _

__all__ = [
    "MAX_QUESTIONS",
    "MAX_QUESTION_LENGTH",
    "USAGE",
    "VERB_ALIASES",
    "AddHoliday",
    "Away",
    "Back",
    "CheckIn",
    "Config",
    "Help",
    "ListHolidays",
    "Pause",
    "RemoveHoliday",
    "Resume",
    "SetClose",
    "SetDays",
    "SetQuestions",
    "SetReminder",
    "SetTime",
    "SetZone",
    "ShowQuestions",
    "StandupCommand",
    "StandupParseError",
    "parse_standup_command",
]

MAX_QUESTIONS = 5
MAX_QUESTION_LENGTH = 150
_MAX_INPUT = 4000
_COMMANDS = N_(
    "Try time, days, tz, questions, reminder, close, holiday, away, back, pause, resume, "
    "config or help."
)
_MAX_HOLIDAY_NAME = 100


@dataclass(frozen=True)
class CheckIn:
    """Check in: with `text`, that text is the check-in (as a DM reply is); without, open
    the check-in form."""

    text: str = ""


@dataclass(frozen=True)
class Help:
    """Show help, for one command (canonical English verb) or all of them."""

    topic: str | None = None


@dataclass(frozen=True)
class Config:
    """Open the stand-up settings form."""


@dataclass(frozen=True)
class SetTime:
    """Set the local time the stand-up starts."""

    at: time


@dataclass(frozen=True)
class SetDays:
    """Set the weekdays of the stand-up, Monday = 0."""

    days: frozenset[int]


@dataclass(frozen=True)
class SetZone:
    """Set the team's IANA time zone, or None for each member's own."""

    zone: str | None


@dataclass(frozen=True)
class ShowQuestions:
    """Show the stand-up questions."""


@dataclass(frozen=True)
class SetQuestions:
    """Replace the stand-up questions."""

    questions: tuple[str, ...]


@dataclass(frozen=True)
class SetReminder:
    """Set the minutes from the start to the reminder."""

    minutes: int


@dataclass(frozen=True)
class SetClose:
    """Set the minutes from the start to the close."""

    minutes: int


@dataclass(frozen=True)
class AddHoliday:
    """Add a day off; the date text is read by the caller with parse_date."""

    day_text: str
    name: str


@dataclass(frozen=True)
class RemoveHoliday:
    """Remove a day off; the date text is read by the caller with parse_date."""

    day_text: str


@dataclass(frozen=True)
class ListHolidays:
    """List the team's days off."""


@dataclass(frozen=True)
class Away:
    """Mark the caller away until a date (text read by the caller with parse_date)."""

    until_text: str


@dataclass(frozen=True)
class Back:
    """Mark the caller back from being away."""


@dataclass(frozen=True)
class Pause:
    """Pause the team's stand-ups."""


@dataclass(frozen=True)
class Resume:
    """Resume the team's stand-ups."""


# The old name of the refusal type, still imported by the /standup handler.
StandupParseError = ParseError

StandupCommand: TypeAlias = (
    CheckIn
    | Help
    | Config
    | SetTime
    | SetDays
    | SetZone
    | ShowQuestions
    | SetQuestions
    | SetReminder
    | SetClose
    | AddHoliday
    | RemoveHoliday
    | ListHolidays
    | Away
    | Back
    | Pause
    | Resume
)


# Read in the current language: `USAGE["days"]` is translated when it is read.
USAGE = Texts(
    {
        "checkin": N_("`/standup` opens today's check-in"),
        "help": lambda: usage_line(_("/standup help [command]"), "/standup help days"),
        "config": N_("`/standup config` opens the stand-up settings"),
        "time": lambda: usage_line(
            _("/standup time <time>"), "/standup time 09:30", "/standup time 9:30am"
        ),
        "days": lambda: usage_line(
            _("/standup days <days>"), "/standup days mon-fri", "/standup days sun-thu"
        ),
        "tz": lambda: usage_line(
            _("/standup tz <Area/City|member>"), "/standup tz Asia/Shanghai", "/standup tz member"
        ),
        "questions": lambda: "; ".join(
            (
                _("`/standup questions` shows them"),
                usage_line(
                    _("/standup questions <question> | <question> …"),
                    _("/standup questions What moved? | What next? | Blockers?"),
                ),
                _("`/standup questions reset` restores the defaults"),
            )
        ),
        "reminder": lambda: usage_line(_("/standup reminder <minutes>"), "/standup reminder 60"),
        "close": lambda: usage_line(_("/standup close <minutes>"), "/standup close 180"),
        "holiday": lambda: "; ".join(
            (
                usage_line(
                    _("/standup holiday <date> [name]"), _("/standup holiday 2026-12-25 Christmas")
                ),
                usage_line(
                    _("/standup holiday remove <date>"), "/standup holiday remove 2026-12-25"
                ),
                _("`/standup holidays` lists them"),
            )
        ),
        "away": lambda: usage_line(
            _("/standup away until <date>"),
            "/standup away until 2026-12-02",
            "/standup away next monday",
        ),
        "back": N_("`/standup back` ends your time away"),
        "pause": N_("`/standup pause` pauses the team's stand-ups"),
        "resume": N_("`/standup resume` restarts them"),
    }
)

VERB_ALIASES: dict[str, str] = {
    "check-in": "checkin",
    "打卡": "checkin",
    "?": "help",
    "帮助": "help",
    "settings": "config",
    "setup": "config",
    "配置": "config",
    "设置": "config",
    "at": "time",
    "时间": "time",
    "day": "days",
    "星期": "days",
    "timezone": "tz",
    "zone": "tz",
    "时区": "tz",
    "question": "questions",
    "问题": "questions",
    "remind": "reminder",
    "提醒": "reminder",
    "deadline": "close",
    "截止": "close",
    "holidays": "holiday",
    "假期": "holiday",
    "节假日": "holiday",
    "假日": "holiday",
    "ooo": "away",
    "vacation": "away",
    "请假": "away",
    "休假": "away",
    "return": "back",
    "回来": "back",
    "销假": "back",
    "暂停": "pause",
    "unpause": "resume",
    "恢复": "resume",
    "继续": "resume",
}
_VERBS = frozenset(USAGE)

_MEMBER_ZONE = frozenset({"member", "members", "personal", "own", "each", "成员", "个人"})
_RESET = frozenset({"reset", "default", "defaults", "重置", "默认"})
_HOLIDAY_LIST = frozenset({"list", "ls", "列表"})
_HOLIDAY_ADD = frozenset({"add", "new", "添加", "新增"})
_HOLIDAY_REMOVE = frozenset({"remove", "delete", "rm", "del", "删除", "移除"})
_UNTIL = re.compile(
    r"(?:(?:until|till|til|through|thru|to)(?:\s+|$)|(?:直到|到|至)\s*)(.*)", re.IGNORECASE
)
_QUESTION_SPLIT = re.compile(r"[|｜\n]")
_MINUTES = re.compile(r"([0-9]{1,4})\s*(?:m|min|mins|minute|minutes|分钟|分)?")
_HOURS = re.compile(r"([0-9]{1,2})(?:\.([0-9]))?\s*(?:h|hr|hrs|hour|hours|小时|个小时)")
# A date in quotes may hold spaces: holiday "Dec 25" Christmas.
_QUOTES = {'"': '"”', "“": '”"', "'": "'’", "‘": "’'", "「": "」", "『": "』"}
# Names that are in the database but are not places anyone lives.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})

_Parser = Callable[[str], "StandupCommand | ParseError"]


def parse_standup_command(text: str) -> StandupCommand | ParseError:
    """Parse the text after ``/standup``; never raises."""
    try:
        cleaned = clean_text(text, max_len=_MAX_INPUT, multiline=True)
    except TextTooLongError as error:
        return ParseError(str(error), USAGE["help"])
    if not cleaned:
        return CheckIn()
    typed, *more = cleaned.split(maxsplit=1)
    rest = more[0] if more else ""
    verb = _verb_of(typed)
    if verb is None and rest:
        return CheckIn(cleaned)
    if verb is None:
        # One word is a mistyped command, not a stand-up update.
        close = difflib.get_close_matches(fold(typed), sorted(_VERBS), n=1, cutoff=0.75)
        if close:
            return ParseError(
                _("I don't know the command “{word}”: did you mean “{verb}”?").format(
                    word=shown(typed), verb=close[0]
                ),
                USAGE[close[0]],
            )
        return ParseError(
            _("I don't know the command “{word}”. {commands}").format(
                word=shown(typed), commands=_(_COMMANDS)
            ),
            USAGE["help"],
        )
    if verb in _NO_ARGUMENTS:
        if rest:
            return takes_nothing(typed, USAGE[verb])
        return _NO_ARGUMENTS[verb]
    return _PARSERS[verb](rest)


# --- helpers --------------------------------------------------------------------------


def _verb_of(word: str) -> str | None:
    folded = fold(word)
    return folded if folded in _VERBS else VERB_ALIASES.get(folded)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _first_word(text: str) -> tuple[str, str] | None:
    """Split off the first word, or a quoted phrase; None for an unclosed quote."""
    if text[:1] in _QUOTES:
        close = next((i for i, ch in enumerate(text) if i and ch in _QUOTES[text[0]]), None)
        if close is None:
            return None
        return text[1:close].strip(), text[close + 1 :].strip()
    word, _space, rest = _one_line(text).partition(" ")
    return word, rest


# --- settings -------------------------------------------------------------------------


def _parse_help(rest: str) -> StandupCommand | ParseError:
    if not rest:
        return Help()
    topic = _verb_of(rest)
    if topic is None:
        return no_help(rest, USAGE["help"])
    return Help(topic)


def _parse_time(rest: str) -> StandupCommand | ParseError:
    try:
        return SetTime(parse_clock(rest))
    except StandupError as error:
        return ParseError(str(error), USAGE["time"])


def _parse_days(rest: str) -> StandupCommand | ParseError:
    try:
        return SetDays(parse_days(rest))
    except StandupError as error:
        return ParseError(str(error), USAGE["days"])


def _parse_zone(rest: str) -> StandupCommand | ParseError:
    if not rest:
        return ParseError(
            _("Which time zone? Give a name such as Asia/Shanghai, or member."), USAGE["tz"]
        )
    if len(rest.split()) > 1:
        return ParseError(
            _("“{text}” is more than one word. Give one name such as Asia/Shanghai.").format(
                text=shown(rest)
            ),
            USAGE["tz"],
        )
    if fold(rest) in _MEMBER_ZONE:
        return SetZone(None)
    zone = _zone_names().get(fold(rest))
    if zone is None:
        return ParseError(_unknown_zone(rest), USAGE["tz"])
    return SetZone(zone)


@cache
def _zone_names() -> dict[str, str]:
    """Folded IANA name -> its spelling; read once, as listing the zones is slow."""
    return {fold(name): name for name in available_timezones() if name not in _NOT_ZONES}


def _unknown_zone(typed: str) -> str:
    folded = fold(typed)
    matches = sorted(n for f, n in _zone_names().items() if f.rsplit("/", 1)[-1] == folded)
    if len(matches) == 1:
        return _("“{text}” is not a time zone name. Did you mean {zone}?").format(
            text=shown(typed), zone=matches[0]
        )
    if re.match(r"(?:utc|gmt)?\s*[+-]", folded):
        return _(
            "“{text}” is an offset, which ignores daylight saving. "
            "Give a place name such as Asia/Shanghai or America/New_York."
        ).format(text=shown(typed))
    return _(
        "I don't know the time zone “{text}”. "
        "Give an Area/City name such as Asia/Shanghai or Europe/London."
    ).format(text=shown(typed))


def _parse_questions(rest: str) -> StandupCommand | ParseError:
    if not rest:
        return ShowQuestions()
    if fold(rest) in _RESET:
        return SetQuestions(DEFAULT_QUESTIONS)
    questions: list[str] = []
    for piece in _QUESTION_SPLIT.split(rest):
        try:
            question = clean_text(piece, max_len=MAX_QUESTION_LENGTH)
        except TextTooLongError:
            return ParseError(
                _("“{text}” is longer than {most} characters. Please shorten it.").format(
                    text=shown(piece), most=MAX_QUESTION_LENGTH
                ),
                USAGE["questions"],
            )
        if question and fold(question) in {fold(q) for q in questions}:
            return ParseError(
                _("“{text}” is asked twice.").format(text=shown(question)), USAGE["questions"]
            )
        if question:
            questions.append(question)
    return _question_count(questions)


def _question_count(questions: list[str]) -> StandupCommand | ParseError:
    if not questions:
        return ParseError(
            _("Give at least one question; separate them with |."), USAGE["questions"]
        )
    if len(questions) > MAX_QUESTIONS:
        return ParseError(
            _("That's {count} questions; the most is {most}.").format(
                count=len(questions), most=MAX_QUESTIONS
            ),
            USAGE["questions"],
        )
    return SetQuestions(tuple(questions))


def _minutes(verb: str, make: Callable[[int], StandupCommand]) -> _Parser:
    def parse(rest: str) -> StandupCommand | ParseError:
        word = fold(rest).strip()
        minutes = _minutes_of(word)
        if minutes is None:
            message = (
                _("“{text}” is not a number of minutes after the start, e.g. 60 or 2h.").format(
                    text=shown(rest)
                )
                if rest
                else _("Give a number of minutes after the start, e.g. 60 or 2h.")
            )
            return ParseError(message, USAGE[verb])
        if not 1 <= minutes <= MAX_MINUTES:
            return ParseError(
                _(_OUT_OF_RANGE[verb]).format(most=MAX_MINUTES, minutes=minutes), USAGE[verb]
            )
        return make(minutes)

    return parse


_OUT_OF_RANGE = {
    "reminder": N_(
        "The reminder must come 1 to {most} minutes (12 hours) after the start, not {minutes}."
    ),
    "close": N_(
        "The close must come 1 to {most} minutes (12 hours) after the start, not {minutes}."
    ),
}


def _minutes_of(word: str) -> int | None:
    match = _MINUTES.fullmatch(word)
    if match is not None:
        return int(match[1])
    match = _HOURS.fullmatch(word)
    if match is not None:
        # One decimal place of an hour is a whole number of minutes (6 each).
        return int(match[1]) * 60 + int(match[2] or 0) * 6
    return None


# --- holidays and absence -------------------------------------------------------------


def _parse_holiday(rest: str) -> StandupCommand | ParseError:
    if not rest:
        return ListHolidays()
    action, _space, after = _one_line(rest).partition(" ")
    folded = fold(action)
    if folded in _HOLIDAY_LIST:
        if after:
            return takes_nothing(action, USAGE["holiday"])
        return ListHolidays()
    if folded in _HOLIDAY_REMOVE:
        return _remove_holiday(after)
    return _add_holiday(after if folded in _HOLIDAY_ADD else _one_line(rest))


def _add_holiday(rest: str) -> StandupCommand | ParseError:
    split = _first_word(rest) if rest else ("", "")
    if split is None:
        return ParseError(
            _("There's an opening quote with no closing quote in “{text}”.").format(
                text=shown(rest)
            ),
            USAGE["holiday"],
        )
    day_text, name = split
    if not day_text:
        return ParseError(_("Which day? Give the date first, e.g. 2026-12-25."), USAGE["holiday"])
    try:
        return AddHoliday(day_text, clean_text(name, max_len=_MAX_HOLIDAY_NAME))
    except TextTooLongError:
        return ParseError(
            _("The holiday name is longer than {most} characters.").format(most=_MAX_HOLIDAY_NAME),
            USAGE["holiday"],
        )


def _remove_holiday(rest: str) -> StandupCommand | ParseError:
    day_text = _unquoted(rest)
    if not day_text:
        return ParseError(
            _("Which day? Give the date after remove, e.g. 2026-12-25."), USAGE["holiday"]
        )
    return RemoveHoliday(day_text)


def _unquoted(text: str) -> str:
    split = _first_word(text) if text else None
    # A fully quoted date loses its quotes; anything else is kept as typed.
    if split is not None and text[:1] in _QUOTES and not split[1]:
        return split[0]
    return _one_line(text)


def _parse_away(rest: str) -> StandupCommand | ParseError:
    match = _UNTIL.fullmatch(_one_line(rest))
    until = _unquoted(match[1] if match else rest)
    if not until:
        return ParseError(
            _("Until when? Give the day you're back, e.g. away until 2026-12-02."), USAGE["away"]
        )
    return Away(until)


_NO_ARGUMENTS: dict[str, StandupCommand] = {
    "checkin": CheckIn(),
    "config": Config(),
    "back": Back(),
    "pause": Pause(),
    "resume": Resume(),
}
_PARSERS: dict[str, _Parser] = {
    "help": _parse_help,
    "time": _parse_time,
    "days": _parse_days,
    "tz": _parse_zone,
    "questions": _parse_questions,
    "reminder": _minutes("reminder", SetReminder),
    "close": _minutes("close", SetClose),
    "holiday": _parse_holiday,
    "away": _parse_away,
}
