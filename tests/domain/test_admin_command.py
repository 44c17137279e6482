"""The /salesbot grammar, in English and with the Chinese words for its verbs and actions."""

from decimal import Decimal

import pytest

from bot.domain.admin_command import (
    USAGE,
    VERB_ALIASES,
    AdminCommand,
    Currency,
    Fx,
    Help,
    KeyDeal,
    Language,
    ManagerChange,
    Setup,
    Stages,
    StaleDays,
    TeamChange,
    parse_admin_command,
)
from bot.domain.grammar import ParseError
from bot.i18n import use_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("help", Help()),
        ("帮助", Help()),
        ("setup", Setup(None)),
        ("setup usd", Setup("USD")),
        ("设置 CNY", Setup("CNY")),
        ("team", TeamChange("list", None)),
        ("团队", TeamChange("list", None)),
        ("成员 列表", TeamChange("list", None)),
        ("team add <@U1>", TeamChange("add", "U1")),
        ("团队 添加 <@U1>", TeamChange("add", "U1")),
        ("团队 移除 <@U1|bob>", TeamChange("remove", "U1")),
        ("managers", ManagerChange("list", None)),
        ("经理", ManagerChange("list", None)),
        ("manager add <@U2>", ManagerChange("add", "U2")),
        ("经理 删除 <@U2>", ManagerChange("remove", "U2")),
        ("stages", Stages("list")),
        ("阶段", Stages("list")),
        ("stages add demo 40%", Stages("add", "demo", Decimal("0.4"))),
        ("阶段 添加 demo 40", Stages("add", "demo", Decimal("0.4"))),
        ("阶段 设置 proposal 60%", Stages("set", "proposal", Decimal("0.6"))),
        ("stages rename qualified Discovery", Stages("rename", "qualified", label="Discovery")),
        ("阶段 重命名 qualified 需求挖掘", Stages("rename", "qualified", label="需求挖掘")),
        ("currency usd", Currency("USD")),
        ("币种 USD", Currency("USD")),
        ("currency eur 0.128", Currency("EUR", Decimal("0.128"))),
        ("货币 EUR 0.128", Currency("EUR", Decimal("0.128"))),
        ("stale 21", StaleDays(21)),
        ("keydeal", KeyDeal("show")),
        ("keydeal 100k", KeyDeal("size", amount_text="100k")),
        ("keydeal 100 k", KeyDeal("size", amount_text="100 k")),
        ("keydeal days 10", KeyDeal("days", days=10)),
        ("keydeal OFF", KeyDeal("off")),
        ("关键商机 10万", KeyDeal("size", amount_text="10万")),
        ("关键 天数 7", KeyDeal("days", days=7)),
        ("大单 关闭", KeyDeal("off")),
        ("停滞 21", StaleDays(21)),
        ("fx", Fx()),
        ("汇率", Fx()),
        ("汇率 EUR 7.8", Fx("EUR", Decimal("7.8"))),
        ("language", Language(None)),
        ("语言 中文", Language("zh")),
        ("language workspace en", Language("en", workspace=True)),
        ("语言 工作区 英文", Language("en", workspace=True)),
    ],
)
def test_parses(text: str, expected: AdminCommand) -> None:
    assert parse_admin_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "usage_key"),
    [
        ("team add", "Say who after `add`", "team"),
        ("stages frob", "`frob` is not something `stages` does", "stages"),
        ("stages add demo 140%", "not a percentage", "stages"),
        ("fx EUR -1", "not a usable rate", "fx"),
        ("language fr", "`fr` is not a language I speak: choose `zh` or `en`", "language"),
        ("currency", "Which currency? Give its code", "currency"),
        ("currency EUR 0", "not a usable rate", "currency"),
        ("currency EUR abc", "not a usable rate", "currency"),
        ("currency EUR 0.128 now", "`now` is one word too many", "currency"),
        ("stale 0", "stale must be between 1 and 365 days, not 0", "stale"),
        ("stale 400", "stale must be between 1 and 365 days, not 400", "stale"),
        ("stale soon", "`soon` is not a number of days", "stale"),
        ("stale", "Give one number of days", "stale"),
    ],
)
def test_refuses_with_the_right_usage(text: str, message: str, usage_key: str) -> None:
    result = parse_admin_command(text)
    assert isinstance(result, ParseError)
    assert message in result.message and result.usage == USAGE[usage_key]


def test_unknown_verb_lists_every_usage() -> None:
    result = parse_admin_command("frobnicate")
    assert isinstance(result, ParseError)
    assert "frobnicate" in result.message and result.usage == "\n".join(USAGE.values())


def test_a_typed_back_tick_cannot_end_the_code_it_is_shown_in() -> None:
    result = parse_admin_command("stale `*x*`")
    assert isinstance(result, ParseError)
    assert result.mrkdwn().startswith("`ˋ∗x∗ˋ` is not a number of days")


def test_every_alias_names_a_verb() -> None:
    assert set(VERB_ALIASES.values()) <= {*USAGE, "setup"}


def test_usage_and_errors_follow_the_language() -> None:
    with use_language("zh"):
        result = parse_admin_command("language fr")
        assert isinstance(result, ParseError)
        assert result.message == "我不会 `fr` 这种语言：请选择 `zh` 或 `en` 。"
        assert "设置你自己的语言" in result.usage
    assert "for yourself" in USAGE["language"]
