"""The /log grammar, kind words and the activity parts of /salesbot and the leaderboard."""

from __future__ import annotations

import pytest

from bot.domain import admin_command as admin
from bot.domain.activities import (
    DEFAULT_KINDS,
    Log,
    LogHelp,
    LogUndo,
    is_count_metric,
    kind_of_metric,
    kind_words,
    metric_of_kind,
    parse_log,
)
from bot.domain.grammar import ParseError
from bot.domain.target_command import Leaderboard, parse_leaderboard_args

WORDS = kind_words([(k.key, k.alias) for k in DEFAULT_KINDS] + [("site visit", None)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", LogHelp()),
        ("help", LogHelp()),
        ("帮助", LogHelp()),
        ("undo", LogUndo()),
        ("撤销", LogUndo()),
        ("call", Log("call", 1, None, None, "", "")),
        ("Calls", Log("call", 1, None, None, "", "")),
        ("5 calls", Log("call", 5, None, None, "", "")),
        ("５ 电话", Log("call", 5, None, None, "", "")),
        ("3x email", Log("email", 3, None, None, "", "")),
        ("3次 拜访", Log("visit", 3, None, None, "", "")),
        ("phone", Log("call", 1, None, None, "", "")),
        ("demo #12 showed it", Log("demo", 1, 12, None, "showed it", "showed it")),
        (
            "call Acme asked for a quote",
            Log("call", 1, None, "Acme", "asked for a quote", "Acme asked for a quote"),
        ),
        ("2 site visits Huawei", Log("site visit", 2, None, "Huawei", "", "Huawei")),
        ('"site visit"', Log("site visit", 1, None, None, "", "")),
        (
            'meeting "Acme, Inc" lunch',
            Log("meeting", 1, None, "Acme, Inc", "lunch", "Acme, Inc lunch"),
        ),
    ],
)
def test_parse_log(text: str, expected: object) -> None:
    assert parse_log(text, WORDS) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0 calls", "from 1 to 100"),
        ("101 calls", "from 1 to 100"),
        ("1.5 calls", "is not a count"),
        ("5", "Log what?"),
        ("dance", "“dance” is not an activity kind here"),
        ("call #0", "start at `#1`"),
        ("call #99999999999", "start at `#1`"),
        ("undo it", "takes nothing after it"),
        ('call "open', "quote"),
        ("call " + "x" * 501, "too long"),
    ],
)
def test_parse_log_refuses(text: str, words: str) -> None:
    refused = parse_log(text, WORDS)
    assert isinstance(refused, ParseError)
    assert words in refused.mrkdwn() or words in refused.message
    assert "/log" in refused.usage


def test_kind_words_and_metrics() -> None:
    assert WORDS["calls"] == WORDS["电话"] == WORDS["call"] == "call"
    assert WORDS["site visits"] == "site visit"
    # A manager's alias takes a word from a default kind's synonym.
    assert kind_words([("call", None), ("phone", "打电话")])["打电话"] == "phone"
    assert metric_of_kind("call") == "act:call" and kind_of_metric("act:call") == "call"
    assert kind_of_metric("revenue") is None
    assert is_count_metric("points") and is_count_metric("act:call")
    assert not is_count_metric("revenue") and not is_count_metric("pipeline")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("activities", admin.Activities("list")),
        ("活动", admin.Activities("list")),
        ('activities add "site visit" 拜访 4', admin.Activities("add", "site visit", "拜访", 4)),
        ("activities add demo", admin.Activities("add", "demo")),
        ("activities remove email", admin.Activities("remove", "email")),
        ("points", admin.Points()),
        (
            "points call 1 meeting 3 demo 5",
            admin.Points((("call", 1), ("meeting", 3), ("demo", 5))),
        ),
        ('积分 "site visit" 4', admin.Points((("site visit", 4),))),
    ],
)
def test_parse_admin_activities(text: str, expected: object) -> None:
    assert admin.parse_admin_command(text) == expected


def test_leaderboard_takes_kinds_when_it_knows_them() -> None:
    assert isinstance(parse_leaderboard_args("week calls"), ParseError)
    assert parse_leaderboard_args("week calls", WORDS) == Leaderboard("week", "act:call", False)
    assert parse_leaderboard_args("points", WORDS) == Leaderboard("month", "points", False)
    assert parse_leaderboard_args('"site visit" public', WORDS) == Leaderboard(
        "month", "act:site visit", True
    )
