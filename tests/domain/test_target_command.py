import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.grammar import ParseError
from bot.domain.target_command import (
    USAGE,
    VERB_ALIASES,
    Help,
    History,
    Leaderboard,
    MyProgress,
    RewardAdd,
    RewardLedger,
    RewardList,
    RewardRemove,
    SetTarget,
    Split,
    TargetCommand,
    TeamProgress,
    parse_leaderboard_args,
    parse_target_command,
)

MARIA = "<@U123|maria>"


def member(
    amount: str,
    metric: str = "revenue",
    period: str | None = None,
    user: str = "U123",
    typed: bool | None = None,
) -> SetTarget:
    # A metric other than revenue was typed; revenue is the default, unless typed says so.
    typed = metric != "revenue" if typed is None else typed
    return SetTarget("member", user, amount, metric, period, typed)


def team(
    amount: str, metric: str = "revenue", period: str | None = None, typed: bool | None = None
) -> SetTarget:
    typed = metric != "revenue" if typed is None else typed
    return SetTarget("team", None, amount, metric, period, typed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # progress / team / help
        ("", MyProgress()),
        ("   ", MyProgress()),
        ("me", MyProgress()),
        ("我的", MyProgress()),
        ("team", TeamProgress()),
        ("TEAM", TeamProgress()),
        ("团队", TeamProgress()),
        ("help", Help()),
        ("帮助", Help()),
        ("进度", MyProgress()),
        ("奖励规则", RewardList()),
        ("help set", Help("set")),
        ("help 设置", Help("set")),
        ("help rewards", Help("rewards")),
        ("help leaderboard", Help("leaderboard")),
        # set
        (f"set {MARIA} 50k", member("50k")),
        ("set <@U123> 50k", member("50k")),
        ("SET <@W9|Mary Ann> 50k", member("50k", user="W9")),
        (f"set {MARIA} 50k month", member("50k", period="month")),
        (f"set {MARIA} 10 deals quarter", member("10", "deals", "quarter")),
        (f"set {MARIA} 10 DEALS", member("10", "deals")),
        (f"set {MARIA} 2M pipeline next quarter", member("2M", "pipeline", "next quarter")),
        (f"set {MARIA} 50k revenue Q1 2027", member("50k", period="Q1 2027", typed=True)),
        (f"set {MARIA} $50k", member("$50k")),
        # A unit or currency written as its own word belongs to the amount, as in /deal add.
        (f"set {MARIA} 50 k", member("50 k")),
        (f"set {MARIA} 1.5 M quarter", member("1.5 M", period="quarter")),
        (f"set {MARIA} 5 万 本月", member("5 万", period="本月")),
        (f"set {MARIA} 5 万元 deals", member("5 万元", "deals")),
        (f"set {MARIA} RMB 5 万", member("RMB 5 万")),
        (f"set {MARIA} 三点五万", member("三点五万")),
        (f"set {MARIA} 50k USD month", member("50k USD", period="month")),
        (f"set {MARIA} USD 50,000 month", member("USD 50,000", period="month")),
        (f"set {MARIA} 5万 元 本月", member("5万 元", period="本月")),
        # "all" is the Albanian lek's code, but lower case it stays a word.
        (f"set {MARIA} 50k all month", member("50k", period="all month")),
        (f"set {MARIA} -5k", member("-5k")),  # refused later by parse_amount
        (f"set {MARIA} 0 month", member("0", period="month")),
        ("set team 500k", team("500k")),
        ("set Team 500k month", team("500k", period="month")),
        ("set team 500k 2026-12-01..2026-12-31", team("500k", period="2026-12-01..2026-12-31")),
        ("set team 500k revenue dec 1 - dec 31", team("500k", period="dec 1 - dec 31", typed=True)),
        ("set team 40 deals 本季度", team("40", "deals", "本季度")),
        ("设置 团队 50万 营收 下月", team("50万", "revenue", "下月", typed=True)),
        ("设置 团队 30 成交数", team("30", "deals")),
        ("设置 团队 200万 商机", team("200万", "pipeline")),
        ("set team 500k fortnight", team("500k", period="fortnight")),
        # split
        ("split", Split("equal", None)),
        ("split team", Split("equal", None)),
        ("split team equal", Split("equal", None)),
        ("split team weighted", Split("weighted", None)),
        ("split team weighted next month", Split("weighted", "next month")),
        ("split team Q1 2027", Split("equal", "Q1 2027")),
        ("split equal month", Split("equal", "month")),
        ("拆分 团队 加权 下月", Split("weighted", "下月")),
        ("拆分 均分", Split("equal", None)),
        # history
        ("history", History(None)),
        (f"history {MARIA}", History("U123")),
        ("历史 <@U7>", History("U7")),
        # reward rules
        ("reward add 120% Gold", RewardAdd("member", "120", "Gold", None)),
        ("reward add 120 Gold", RewardAdd("member", "120", "Gold", None)),
        ("reward add 120 % Gold", RewardAdd("member", "120", "Gold", None)),
        ("reward add 120％ Gold", RewardAdd("member", "120", "Gold", None)),
        ("reward add 87.5% Nearly there", RewardAdd("member", "87.5", "Nearly there", None)),
        ("reward add 120% Gold bonus 2k", RewardAdd("member", "120", "Gold", "2k")),
        ("reward add 120% Gold Star BONUS $2k", RewardAdd("member", "120", "Gold Star", "$2k")),
        ("reward add 120% Gold bonus 2,000 CNY", RewardAdd("member", "120", "Gold", "2,000 CNY")),
        ('reward add 100% "Bonus Bonanza"', RewardAdd("member", "100", "Bonus Bonanza", None)),
        ("reward add 100% Bonus Bonanza", RewardAdd("member", "100", "Bonus Bonanza", None)),
        (
            'reward add 100% "Big bonus day" bonus 1k',
            RewardAdd("member", "100", "Big bonus day", "1k"),
        ),
        ("reward add team 100% Team dinner", RewardAdd("team", "100", "Team dinner", None)),
        ("reward add TEAM 150% Offsite bonus 10k", RewardAdd("team", "150", "Offsite", "10k")),
        ('reward add streak 10 "Ten in a row"', RewardAdd("streak", "10", "Ten in a row", None)),
        ("reward add streak 10 days Iron will", RewardAdd("streak", "10", "Iron will", None)),
        ("reward add streak 5d High five", RewardAdd("streak", "5", "High five", None)),
        ("奖励 添加 120% 金牌 奖金 2000", RewardAdd("member", "120", "金牌", "2000")),
        ("奖励 添加 团队 100% 团建", RewardAdd("team", "100", "团建", None)),
        ("奖励 添加 连续 10 天 十连击", RewardAdd("streak", "10", "十连击", None)),
        ("reward list", RewardList()),
        ("reward", RewardList()),
        ("rewards list", RewardList()),
        ("奖励 列表", RewardList()),
        ("reward remove 3", RewardRemove(3)),
        ("reward remove #3", RewardRemove(3)),
        ("reward delete ＃12", RewardRemove(12)),
        ("奖励 删除 #4", RewardRemove(4)),
        # reward ledger
        ("rewards", RewardLedger(None)),
        ("rewards last month", RewardLedger("last month")),
        ("REWARDS Q1", RewardLedger("Q1")),
        ("奖励", RewardLedger(None)),
        ("奖励 上月", RewardLedger("上月")),
    ],
)
def test_parse(text: str, expected: TargetCommand) -> None:
    assert parse_target_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "usage_key"),
    [
        ("frobnicate", "I don't know the command “frobnicate”.", "help"),
        ('"team"', "I don't know the command “team”.", "help"),
        ("team month", "“team” takes nothing after it.", "team"),
        ("me now", "“me” takes nothing after it.", "progress"),
        ("团队 本月", "“团队” takes nothing after it.", "team"),
        ("help me please", "I have no help on “me please”.", "help"),
        ("help frobnicate", "I have no help on “frobnicate”.", "help"),
        # set: who?
        ("set", "Whose target? Start with an @person or team", "set"),
        ("set 50k", "Whose target is “50k”? Put an @person or team before it.", "set"),
        ("set 50k month", "Whose target is “50k”?", "set"),
        ("set maria 50k", "Whose target? “maria” is not an @person or team.", "set"),
        ("set @maria 50k", "I couldn't tell who “@maria” is.", "set"),
        ('set "team" 50k', "Whose target? “team” is not an @person or team.", "set"),
        # set: how much?
        (f"set {MARIA}", "What's the target? Give an amount after the person, e.g. 50k", "set"),
        ("set team", "What's the target? Give an amount after team", "set"),
        (f"set {MARIA} month", "“month” is not an amount.", "set"),
        (f"set {MARIA} deals 10", "“deals” is not an amount.", "set"),
        (f'set {MARIA} "50k"', "“50k” is not an amount.", "set"),
        (f"set {MARIA} 10 month deals", "Put the metric “deals” right after the amount", "set"),
        ('set team 5k "month', "There's an opening quote \" with no closing quote", "set"),
        # split
        (f"split {MARIA}", "“split” shares the team target among everyone", "split"),
        ("split team month weighted", "Put “weighted” right after split team", "split"),
        # history
        ("history maria", "“history” takes one @person or nothing, not “maria”.", "history"),
        ("history @maria", "I couldn't tell who “@maria” is.", "history"),
        (f"history {MARIA} <@U9>", "“history” takes one @person or nothing", "history"),
        # reward rules
        ("reward add", "At what percent? Give the threshold, then the name.", "reward"),
        ("reward add streak", "How many days in a row?", "reward"),
        ("reward add 120%", "Give the reward a name after the threshold", "reward"),
        (
            "reward add Gold 120%",
            "“Gold” is not a percent. Start with the tier, e.g. 120%.",
            "reward",
        ),
        ("reward add -5% Gold", "“-5%” is not a percent.", "reward"),
        ('reward add "120%" Gold', "“120%” is not a percent.", "reward"),
        ("reward add streak 10% Gold", "“10%” is not a number of days.", "reward"),
        ("reward add streak ten Gold", "“ten” is not a number of days.", "reward"),
        ("reward add 120% Gold bonus", "After “bonus” I expected one amount", "reward"),
        ("reward add 120% Gold bonus lots", "After “bonus” I expected one amount", "reward"),
        ("reward add 120% Gold bonus 2k extra", "After “bonus” I expected one amount", "reward"),
        ('reward add 120% "Gold', "There's an opening quote \" with no closing quote", "reward"),
        ("reward list all", "“list” takes nothing after it.", "reward"),
        ("reward remove", "Which rule? Give its #number. See them with reward list.", "reward"),
        ("reward remove Gold", "“Gold” is not a rule number.", "reward"),
        ("reward remove #0", "“#0” is not a rule number.", "reward"),
        ("reward remove 3 4", "“3 4” is not a rule number.", "reward"),
        ("reward remove #1234567890", "is not a rule number", "reward"),
        ("reward edit 3", "“reward” takes add, list or remove, not “edit”.", "reward"),
    ],
)
def test_parse_errors(text: str, message: str, usage_key: str) -> None:
    result = parse_target_command(text)
    assert isinstance(result, ParseError), result
    assert message in result.message
    assert result.usage == USAGE[usage_key]


def test_long_input_is_shortened_in_messages() -> None:
    result = parse_target_command("x" * 500)
    assert isinstance(result, ParseError)
    assert len(result.message) < 120
    assert result.message.endswith("…”.")


# --- leaderboard ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("", Leaderboard("month", "revenue", False)),
        ("week", Leaderboard("week", "revenue", False)),
        ("Quarter", Leaderboard("quarter", "revenue", False)),
        ("deals", Leaderboard("month", "deals", False)),
        ("public", Leaderboard("month", "revenue", True)),
        ("quarter deals public", Leaderboard("quarter", "deals", True)),
        ("public pipeline weekly", Leaderboard("week", "pipeline", True)),
        ("本季度 成交数 公开", Leaderboard("quarter", "deals", True)),
        ("  month   revenue ", Leaderboard("month", "revenue", False)),
    ],
)
def test_parse_leaderboard_args(words: str, expected: Leaderboard) -> None:
    assert parse_leaderboard_args(words) == expected


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("year", "“year” is not a leaderboard option."),
        ('"week"', "“week” is not a leaderboard option."),
        ("next month", "“next” is not a leaderboard option."),
        ("week month", "“week” and “month” clash: give one period."),
        ("deals revenue", "“deals” and “revenue” clash: give one metric."),
        ("public public", "“public” and “public” clash: give one public option."),
        ('week "public', "There's an opening quote"),
    ],
)
def test_parse_leaderboard_errors(words: str, message: str) -> None:
    result = parse_leaderboard_args(words)
    assert isinstance(result, ParseError)
    assert message in result.message
    assert result.usage == USAGE["leaderboard"]


# --- usage ----------------------------------------------------------------------------


def test_usage_is_escaped_mrkdwn_with_examples() -> None:
    for key, usage in USAGE.items():
        assert "<" not in usage and ">" not in usage, key
        assert usage.startswith("`"), key
    for key in ("help", "set", "split", "history", "reward", "rewards", "leaderboard"):
        assert "e.g." in USAGE[key], key


def test_every_usage_example_parses() -> None:
    # Examples name people as @maria; a real mention arrives as <@U…|maria>.
    for key, usage in USAGE.items():
        for example in re.findall(r"`(/[^`]*)`", usage):
            if "&lt;" in example or "[" in example:
                continue  # a form, not an example
            command, _, rest = example.partition(" ")
            rest = rest.replace("@maria", MARIA)
            result: object = (
                parse_leaderboard_args(rest.removeprefix("leaderboard"))
                if command == "/deal"
                else parse_target_command(rest)
            )
            assert not isinstance(result, ParseError), (key, example, result)


def test_aliases_point_at_verbs() -> None:
    for alias, verb in VERB_ALIASES.items():
        assert verb in USAGE, alias
        assert parse_target_command(f"help {alias}") == Help(verb)


# --- never raises ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    result = parse_target_command(text)
    assert isinstance(result, ParseError | TargetCommand)
    lb = parse_leaderboard_args(text)
    assert isinstance(lb, Leaderboard | ParseError)


_WORDS = st.sampled_from(
    [
        *("set", "team", "split", "history", "reward", "rewards", "add", "list", "remove"),
        *("streak", "bonus", "help", "50k", "10", "120%", "%", "#3", "0", "-5k", "USD"),
        *("deals", "revenue", "pipeline", "month", "Q1", "weighted", "equal", "public"),
        *(MARIA, "<@U1>", "@maria", '"', "“", "'", "Gold", "奖励", "设置", "团队", "天"),
        *("奖金", "", " "),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=10), st.sampled_from([" ", ""]))
def test_never_raises_on_command_like_text(words: list[str], separator: str) -> None:
    text = separator.join(words)
    result = parse_target_command(text)
    assert isinstance(result, ParseError | TargetCommand)
    if isinstance(result, ParseError):
        assert result.message and result.usage in USAGE.values()
    lb = parse_leaderboard_args(text)
    assert isinstance(lb, Leaderboard | ParseError)
