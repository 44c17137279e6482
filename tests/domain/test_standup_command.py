from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.grammar import ParseError
from bot.domain.standup import DEFAULT_QUESTIONS
from bot.domain.standup_command import (
    MAX_QUESTION_LENGTH,
    USAGE,
    VERB_ALIASES,
    AddHoliday,
    Away,
    Back,
    CheckIn,
    Config,
    Help,
    ListHolidays,
    Pause,
    RemoveHoliday,
    Resume,
    SetClose,
    SetDays,
    SetQuestions,
    SetReminder,
    SetTime,
    SetZone,
    ShowQuestions,
    StandupCommand,
    parse_standup_command,
)

WEEKDAYS = frozenset({0, 1, 2, 3, 4})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # check-in, help, config
        ("", CheckIn()),
        ("   ", CheckIn()),
        ("\u200b", CheckIn()),
        ("checkin", CheckIn()),
        ("Check-in", CheckIn()),
        ("打卡", CheckIn()),
        ("help", Help()),
        ("HELP", Help()),
        ("帮助", Help()),
        ("help days", Help("days")),
        ("help 时区", Help("tz")),
        ("help holidays", Help("holiday")),
        ("config", Config()),
        ("Settings", Config()),
        ("设置", Config()),
        # time
        ("time 09:30", SetTime(time(9, 30))),
        ("TIME 9:30", SetTime(time(9, 30))),
        ("time 9:30 pm", SetTime(time(21, 30))),
        ("time 9am", SetTime(time(9, 0))),
        ("time 21:00", SetTime(time(21, 0))),
        ("时间 上午9点半", SetTime(time(9, 30))),
        # days
        ("days mon-fri", SetDays(WEEKDAYS)),
        ("days Mon - Fri", SetDays(WEEKDAYS)),
        ("days mon,wed,fri", SetDays(frozenset({0, 2, 4}))),
        ("days sun-thu", SetDays(frozenset({6, 0, 1, 2, 3}))),
        ("days weekdays", SetDays(WEEKDAYS)),
        ("days every day", SetDays(frozenset(range(7)))),
        ("星期 周一至周五", SetDays(WEEKDAYS)),
        # tz
        ("tz Asia/Shanghai", SetZone("Asia/Shanghai")),
        ("tz asia/shanghai", SetZone("Asia/Shanghai")),
        ("TZ America/New_York", SetZone("America/New_York")),
        ("timezone Europe/London", SetZone("Europe/London")),
        ("tz UTC", SetZone("UTC")),
        ("tz member", SetZone(None)),
        ("tz Member", SetZone(None)),
        ("时区 成员", SetZone(None)),
        ("时区 Asia/Shanghai", SetZone("Asia/Shanghai")),
        # questions
        ("questions", ShowQuestions()),
        ("问题", ShowQuestions()),
        (
            "questions What moved? | What next? | Blockers?",
            SetQuestions(("What moved?", "What next?", "Blockers?")),
        ),
        ("questions What moved?\nWhat next?", SetQuestions(("What moved?", "What next?"))),
        ("questions One only", SetQuestions(("One only",))),
        ("questions a | | b |", SetQuestions(("a", "b"))),
        ("questions a｜b", SetQuestions(("a", "b"))),
        ("questions 1|2|3|4|5", SetQuestions(("1", "2", "3", "4", "5"))),
        ("questions  spaced   out  ", SetQuestions(("spaced out",))),
        ("questions reset", SetQuestions(DEFAULT_QUESTIONS)),
        ("questions RESET", SetQuestions(DEFAULT_QUESTIONS)),
        ("问题 默认", SetQuestions(DEFAULT_QUESTIONS)),
        ("questions " + "x" * MAX_QUESTION_LENGTH, SetQuestions(("x" * MAX_QUESTION_LENGTH,))),
        # reminder / close
        ("reminder 60", SetReminder(60)),
        ("reminder 1", SetReminder(1)),
        ("reminder 90m", SetReminder(90)),
        ("reminder 90 minutes", SetReminder(90)),
        ("reminder 2h", SetReminder(120)),
        ("reminder 1.5 hours", SetReminder(90)),
        ("提醒 30分钟", SetReminder(30)),
        ("close 180", SetClose(180)),
        ("close 720", SetClose(720)),
        ("close 12h", SetClose(720)),
        ("截止 3小时", SetClose(180)),
        # holidays
        ("holiday 2026-12-25", AddHoliday("2026-12-25", "")),
        ("holiday 2026-12-25 Christmas Day", AddHoliday("2026-12-25", "Christmas Day")),
        ("holiday add 2026-12-25 Christmas", AddHoliday("2026-12-25", "Christmas")),
        ("holiday 12/25 Christmas", AddHoliday("12/25", "Christmas")),
        ('holiday "Dec 25" Christmas', AddHoliday("Dec 25", "Christmas")),
        ("holiday “Dec 25” Christmas", AddHoliday("Dec 25", "Christmas")),
        ("holiday 「12月25日」 圣诞节", AddHoliday("12月25日", "圣诞节")),
        ("假期 2026-10-01 国庆节", AddHoliday("2026-10-01", "国庆节")),
        ("holiday remove 2026-12-25", RemoveHoliday("2026-12-25")),
        ("holiday REMOVE dec 25", RemoveHoliday("dec 25")),
        ('holiday remove "Dec 25"', RemoveHoliday("Dec 25")),
        ("holidays delete 2026-12-25", RemoveHoliday("2026-12-25")),
        ("假期 删除 2026-10-01", RemoveHoliday("2026-10-01")),
        ("holidays", ListHolidays()),
        ("Holidays", ListHolidays()),
        ("holiday", ListHolidays()),
        ("holiday list", ListHolidays()),
        ("节假日", ListHolidays()),
        # away / back / pause / resume
        ("away until 2026-12-02", Away("2026-12-02")),
        ("away UNTIL next monday", Away("next monday")),
        ("away till Dec 2", Away("Dec 2")),
        ("away 2026-12-02", Away("2026-12-02")),
        ("away tomorrow", Away("tomorrow")),
        ("away to friday", Away("friday")),
        ('away until "next monday"', Away("next monday")),
        ("请假 到12月2日", Away("12月2日")),
        ("请假 至 下周一", Away("下周一")),
        ("ooo until 2026-12-02", Away("2026-12-02")),
        ("back", Back()),
        ("Back", Back()),
        ("销假", Back()),
        ("pause", Pause()),
        ("暂停", Pause()),
        ("resume", Resume()),
        ("恢复", Resume()),
    ],
)
def test_parses(text: str, expected: StandupCommand) -> None:
    assert parse_standup_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "usage_key"),
    [
        ("dance", "I don't know the command “dance”", "help"),
        ("help dance", "I have no help on “dance”", "help"),
        ("config now", "“config” takes nothing after it", "config"),
        ("checkin please", "takes nothing after it", "checkin"),
        ("back tomorrow", "“back” takes nothing after it", "back"),
        ("pause for a week", "“pause” takes nothing after it", "pause"),
        ("resume now", "“resume” takes nothing after it", "resume"),
        ("time", "Please give a time", "time"),
        ("time 9", "needs minutes or am/pm", "time"),
        ("time 25:00", "isn't a time of day", "time"),
        ("time soon", "I don't understand the time “soon”", "time"),
        ("days", "Please give the days", "days"),
        ("days 1-5", "not numbers", "days"),
        ("days funday", "I don't know the day", "days"),
        ("tz", "Which time zone?", "tz"),
        ("tz Asia/Atlantis", "I don't know the time zone “Asia/Atlantis”", "tz"),
        ("tz Mars", "such as Asia/Shanghai", "tz"),
        ("tz shanghai", "Did you mean Asia/Shanghai?", "tz"),
        ("tz UTC+8", "offset", "tz"),
        ("tz +08:00", "offset", "tz"),
        ("tz Asia Shanghai", "more than one word", "tz"),
        ("tz localtime", "I don't know the time zone", "tz"),
        ("tz ../../etc/passwd", "I don't know the time zone", "tz"),
        ("questions |", "at least one question", "questions"),
        ("questions a|b|c|d|e|f", "6 questions; the most is 5", "questions"),
        ("questions " + "x" * (MAX_QUESTION_LENGTH + 1), "longer than 150", "questions"),
        ("questions Blockers? | blockers?", "asked twice", "questions"),
        ("reminder", "Give a number of minutes", "reminder"),
        ("reminder soon", "“soon” is not a number of minutes", "reminder"),
        ("reminder 0", "1 to 720 minutes", "reminder"),
        ("reminder -5", "is not a number of minutes", "reminder"),
        ("close 721", "1 to 720 minutes", "close"),
        ("close 13h", "not 780", "close"),
        ("close 1.25h", "is not a number of minutes", "close"),
        ("holiday remove", "Which day?", "holiday"),
        ("holiday add", "Which day?", "holiday"),
        ('holiday "Dec 25', "opening quote with no closing quote", "holiday"),
        ("holiday list all", "“list” takes nothing after it", "holiday"),
        ("holiday 2026-12-25 " + "x" * 101, "longer than 100", "holiday"),
        ("away", "Until when?", "away"),
        ("away until", "Until when?", "away"),
        ("away 到", "Until when?", "away"),
        ("x" * 4001, "the limit here is 4,000", "help"),
    ],
)
def test_refusals(text: str, message: str, usage_key: str) -> None:
    result = parse_standup_command(text)
    assert isinstance(result, ParseError)
    assert message in result.message
    assert result.usage == USAGE[usage_key]


def test_unknown_command_lists_the_commands() -> None:
    result = parse_standup_command("dance")
    assert isinstance(result, ParseError)
    assert "questions" in result.message and "holiday" in result.message


def test_usage_is_mrkdwn_safe_and_has_examples() -> None:
    for verb, usage in USAGE.items():
        assert "<" not in usage and ">" not in usage, verb
        assert f"/standup{' ' if verb != 'checkin' else ''}" in usage, verb


def test_every_alias_names_a_verb_with_usage() -> None:
    assert set(VERB_ALIASES.values()) <= set(USAGE)


def test_every_verb_parses_to_something() -> None:
    for verb in USAGE:
        result = parse_standup_command(verb)
        assert isinstance(result, ParseError | StandupCommand), verb
        # A verb typed alone is never "unknown".
        assert not (isinstance(result, ParseError) and "don't know the command" in result.message)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    result = parse_standup_command(text)
    assert isinstance(result, ParseError | StandupCommand)


_WORDS = st.sampled_from(
    [
        *("time", "days", "tz", "questions", "reminder", "close", "holiday", "holidays"),
        *("remove", "add", "list", "away", "until", "back", "pause", "resume", "help"),
        *("config", "reset", "member", "9:30", "9", "pm", "mon-fri", "sun", "-", ",", "|"),
        *("Asia/Shanghai", "60", "2h", "1.5h", "2026-12-25", '"', "“", "「", "'", "\n"),
        *("周一至周五", "到", "请假", "时区", "下午3点", "", " "),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=6).map(" ".join))
def test_never_raises_on_near_misses(text: str) -> None:
    result = parse_standup_command(text)
    assert isinstance(result, ParseError | StandupCommand)
