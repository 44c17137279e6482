import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.deal_command import (
    USAGE,
    VERB_ALIASES,
    Add,
    Assign,
    CustomerName,
    DealCommand,
    DealNumber,
    Help,
    List,
    Lost,
    NewModal,
    ParseError,
    Pipeline,
    Reopen,
    Show,
    Undo,
    Update,
    Won,
    parse_deal_command,
)

ACME = CustomerName("Acme")
N12 = DealNumber(12)


def add(
    customer: str,
    amount: str,
    stage: str | None = None,
    close: str | None = None,
    note: str | None = None,
) -> Add:
    return Add(customer, amount, stage, close, note)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # help / new / undo
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("帮助", Help()),
        ("help add", Help("add")),
        ("help 添加", Help("add")),
        ("help update", Help("update")),
        ("new", NewModal()),
        ("新建", NewModal()),
        ("undo", Undo()),
        ("撤销", Undo()),
        # add
        ("add Acme 12k", add("Acme", "12k")),
        ("ADD Acme 12k", add("Acme", "12k")),
        ("添加 阿里巴巴 5万", add("阿里巴巴", "5万")),
        ("新增 阿里巴巴 5万 方案", add("阿里巴巴", "5万", "方案")),
        ("add Acme Corp 12k proposal", add("Acme Corp", "12k", "proposal")),
        (
            "add Acme 12k proposal close Dec 15",
            add("Acme", "12k", "proposal", close="Dec 15"),
        ),
        ("add Acme 12k close next friday", add("Acme", "12k", close="next friday")),
        ("add Acme 12k CLOSE in 2 weeks", add("Acme", "12k", close="in 2 weeks")),
        (
            "add Acme 12k note call  Bob   back ",
            add("Acme", "12k", note="call  Bob   back"),
        ),
        (
            "add Acme 12k lead close eom note close is a keyword here",
            add("Acme", "12k", "lead", "eom", "close is a keyword here"),
        ),
        ('add Acme 5k note "call back"', add("Acme", "5k", note="call back")),
        ("add Acme 5k note don't \"forget", add("Acme", "5k", note="don't \"forget")),
        (
            "add 阿里巴巴 1.5M 谈判 截止 下周五 备注 老板很感兴趣",
            add("阿里巴巴", "1.5M", "谈判", "下周五", "老板很感兴趣"),
        ),
        ("add 阿里巴巴 5万 成交日 月底", add("阿里巴巴", "5万", close="月底")),
        ('add "3M" 50k', add("3M", "50k")),
        ("add “3M” 50k", add("3M", "50k")),
        ("add 「阿里巴巴」 5万", add("阿里巴巴", "5万")),
        ("add 「阿里巴巴」5万", add("阿里巴巴", "5万")),
        ("add ‘O’Brien Ltd’ 5k", add("O’Brien Ltd", "5k")),
        ("add O'Brien 5k", add("O'Brien", "5k")),
        ("add Acme USD 1,200", add("Acme", "USD 1,200")),
        ("add Acme 8000 CNY", add("Acme", "8000 CNY")),
        ("add Acme 8000 cny lead", add("Acme", "8000 cny", "lead")),
        ("add Acme RMB 8000", add("Acme", "RMB 8000")),
        ("add Acme $ 8000", add("Acme", "$ 8000")),
        ("add Acme $12k", add("Acme", "$12k")),
        ("add Acme 12k usd", add("Acme", "12k usd")),
        ("add Studio 54 10k", add("Studio 54", "10k")),
        ("add 7 Eleven 5k lead", add("7 Eleven", "5k", "lead")),
        ("add Close Brothers 5k close eom", add("Close Brothers", "5k", close="eom")),
        ("add Uncle Bob 5k", add("Uncle Bob", "5k")),  # lower-case "Bob" is not BOB
        ("add Acme 12k 'hot lead'", add("Acme", "12k", "hot lead")),
        ("add Acme -5k", add("Acme", "-5k")),  # refused later by parse_amount
        # update
        ("#12 stage proposal", Update(N12, (("stage", "proposal"),))),
        (
            "#12 stage proposal close 2026-12-20",
            Update(N12, (("stage", "proposal"), ("close", "2026-12-20"))),
        ),
        ("12 amount 50k", Update(N12, (("amount", "50k"),))),
        ("#12 amount USD 1,200", Update(N12, (("amount", "USD 1,200"),))),
        ("＃１２ STAGE won", Update(N12, (("stage", "won"),))),
        ("Acme stage won", Update(ACME, (("stage", "won"),))),
        ("Acme Corp stage won", Update(CustomerName("Acme Corp"), (("stage", "won"),))),
        ('"List Ltd" stage won', Update(CustomerName("List Ltd"), (("stage", "won"),))),
        ("List Ltd stage won", Update(CustomerName("List Ltd"), (("stage", "won"),))),
        ("12 Monkeys stage won", Update(CustomerName("12 Monkeys"), (("stage", "won"),))),
        ("Close Brothers stage won", Update(CustomerName("Close Brothers"), (("stage", "won"),))),
        ("#12 close next friday", Update(N12, (("close", "next friday"),))),
        (
            "#12 customer Acme Corp stage won",
            Update(N12, (("customer", "Acme Corp"), ("stage", "won"))),
        ),
        (
            "#12 customer Close Brothers",
            Update(N12, (("customer", "Close Brothers"),)),
        ),
        (
            '#12 stage won note "a  b stage x"',
            Update(N12, (("stage", "won"), ("note", "a  b stage x"))),
        ),
        (
            "阿里巴巴 阶段 谈判 金额 5万 截止 月底 客户 阿里 备注 好",
            Update(
                CustomerName("阿里巴巴"),
                (
                    ("stage", "谈判"),
                    ("amount", "5万"),
                    ("close", "月底"),
                    ("customer", "阿里"),
                    ("note", "好"),
                ),
            ),
        ),
        # won / lost / reopen
        ("won #12", Won(N12, None)),
        ("won 12", Won(N12, None)),
        ("won #12 50k", Won(N12, "50k")),
        ("won 12 50k", Won(N12, "50k")),
        ("won Acme Corp 50k", Won(CustomerName("Acme Corp"), "50k")),
        ("won Acme Corp", Won(CustomerName("Acme Corp"), None)),
        ("won Acme USD 5k", Won(ACME, "USD 5k")),
        ('won "Studio 54"', Won(CustomerName("Studio 54"), None)),
        ("赢单 #3 5万", Won(DealNumber(3), "5万")),
        ("成交 阿里巴巴", Won(CustomerName("阿里巴巴"), None)),
        ("lost #12", Lost(N12, None)),
        ("lost 12 price", Lost(N12, "price")),
        (
            'lost "Big Co" went with competitor',
            Lost(CustomerName("Big Co"), "went with competitor"),
        ),
        ("lost Acme went with  a competitor", Lost(ACME, "went with  a competitor")),
        ("lost Acme 'cause budget", Lost(ACME, "'cause budget")),
        ("lost Big Co reason budget cut", Lost(CustomerName("Big Co"), "budget cut")),
        ("丢单 阿里巴巴 原因 预算", Lost(CustomerName("阿里巴巴"), "预算")),
        ("输单 #3", Lost(DealNumber(3), None)),
        ("reopen #12", Reopen(N12)),
        ("重开 Acme Corp", Reopen(CustomerName("Acme Corp"))),
        # show / assign
        ("show #12", Show(N12)),
        ("show Acme Corp", Show(CustomerName("Acme Corp"))),
        ("查看 阿里巴巴", Show(CustomerName("阿里巴巴"))),
        ("详情 #12", Show(N12)),
        ("重新打开 #12", Reopen(N12)),
        ("指派 #12 <@U123>", Assign(N12, "U123")),
        ('show "12"', Show(CustomerName("12"))),
        ("assign #12 <@U123|maria>", Assign(N12, "U123")),
        ("assign Acme Corp <@U123>", Assign(CustomerName("Acme Corp"), "U123")),
        ("assign Acme to <@U123>", Assign(ACME, "U123")),
        ("分配 #12 给 <@U123|玛丽 安>", Assign(N12, "U123")),
        # list / pipeline
        ("list", List("mine", None, None)),
        ("list mine", List("mine", None, None)),
        ("列表 我的", List("mine", None, None)),
        ("列表 团队", List("team", None, None)),
        ("列表 停滞", List("stale", None, None)),
        ("list team", List("team", None, None)),
        ("list all", List("team", None, None)),
        ("list stale", List("stale", None, None)),
        ("list <@U9|bob>", List("user", "U9", None)),
        ("list proposal", List("stage", None, "proposal")),
        ("list 方案", List("stage", None, "方案")),
        ("pipeline", Pipeline("team", None)),
        ("漏斗", Pipeline("team", None)),
        ("pipeline team", Pipeline("team", None)),
        ("pipeline mine", Pipeline("mine", None)),
        ("pipeline <@U9>", Pipeline("user", "U9")),
    ],
)
def test_parse(text: str, expected: DealCommand) -> None:
    assert parse_deal_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "usage_key"),
    [
        ("add Acme", "I couldn't find an amount in “add Acme”.", "add"),
        ("add", "I couldn't find an amount in “add”.", "add"),
        ("add 5k", "Please put the customer before the amount in “add 5k”.", "add"),
        (
            "add Acme 12k hot lead",
            "After the amount “12k” I expected one stage word, then close or note, "
            "but found “hot lead”.",
            "add",
        ),
        ('add "" 5k', "The customer name is empty.", "add"),
        ("add Acme 12k close", "“close” needs a value after it.", "add"),
        ("add Acme 12k note", "“note” needs a value after it.", "add"),
        ("add Acme 12k close eom close eoq", "“close” is given twice.", "add"),
        ('add "Acme 12k', "There's an opening quote \" with no closing quote", "add"),
        ("add “Acme 12k", "There's an opening quote “ with no closing quote", "add"),
        ("new Acme", "“new” takes nothing after it.", "new"),
        ("undo 3", "“undo” takes nothing after it.", "undo"),
        ("help me", "I have no help on “me”.", "help"),
        ("frobnicate", "I don't know the command “frobnicate”.", "help"),
        ("leaderboard", "I don't know the command “leaderboard”.", "help"),
        ("report weekly", "I don't know the command “report”.", "help"),
        ("export", "I don't know the command “export”.", "help"),
        ('"Acme stage won', "There's an opening quote", "help"),
        ("#12 stage", "“stage” needs a value after it.", "update"),
        ("#12 stage a stage b", "“stage” is given twice.", "update"),
        ('#12 stage "won', "There's an opening quote", "update"),
        ("#12 foo stage x", "“#12 foo” mixes a deal number with other words.", "update"),
        ("#0 stage x", "There is no deal #0: deal numbers start at #1.", "update"),
        ("#0", "There is no deal #0: deal numbers start at #1.", "show"),
        ("#abc stage x", "“#abc” is not a deal number.", "update"),
        ("won", "Which deal? Give its #number or customer name.", "won"),
        ("won 'Acme", "There's an opening quote", "won"),
        ("show", "Which deal?", "show"),
        ("show #99999999999", "is not a deal number", "show"),
        ("reopen", "Which deal?", "reopen"),
        ("lost", "Which deal did you lose?", "lost"),
        ('lost "Big Co went', "There's an opening quote", "lost"),
        ("assign #12", "Who should own it? End with an @person.", "assign"),
        ("assign", "Who should own it?", "assign"),
        ("assign #12 @maria", "I couldn't tell who “@maria” is.", "assign"),
        ("assign <@U1>", "Which deal?", "assign"),
        ("list @bob", "I couldn't tell who “@bob” is.", "list"),
        ("list hot lead", "“list” takes one filter, not “hot lead”.", "list"),
        ("pipeline proposal", "“pipeline” takes mine, team or an @person", "pipeline"),
        ("pipeline @bob", "I couldn't tell who “@bob” is.", "pipeline"),
    ],
)
def test_parse_errors(text: str, message: str, usage_key: str) -> None:
    result = parse_deal_command(text)
    assert isinstance(result, ParseError)
    assert message in result.message
    assert result.usage == USAGE[usage_key]


def test_long_input_is_shortened_in_messages() -> None:
    result = parse_deal_command("add " + "word " * 100)
    assert isinstance(result, ParseError)
    assert len(result.message) < 150
    assert "…" in result.message


def test_usage_covers_every_verb_with_an_example() -> None:
    assert set(VERB_ALIASES.values()) <= set(USAGE)
    assert set(USAGE) == {
        "help",
        "new",
        "add",
        "update",
        "next",
        "won",
        "lost",
        "reopen",
        "list",
        "show",
        "pipeline",
        "undo",
        "assign",
    }
    assert USAGE["add"] == (
        "`/deal add &lt;customer&gt; &lt;amount&gt; [stage] [close &lt;date&gt;] "
        "[note &lt;text&gt;]` — e.g. `/deal add Acme 12k proposal close Dec 15`"
    )
    for usage in USAGE.values():
        assert "<" not in usage and ">" not in usage  # Slack control characters
        assert usage.startswith("`/deal")


def test_every_usage_example_parses() -> None:
    for usage in USAGE.values():
        example = usage.rsplit("`/deal", 1)[1].rstrip("`").split("`")[0]
        # People type @maria; Slack sends the escaped mention.
        example = example.replace("@maria", "<@U1|maria>")
        assert not isinstance(parse_deal_command(example), ParseError), example


_WORDS = st.sampled_from(
    [
        *("add", "won", "lost", "list", "show", "assign", "pipeline", "help", "new", "undo"),
        *("reopen", "stage", "close", "note", "customer", "amount", "reason", "to", "备注"),
        *("阶段", "截止", "成交日", "备注：", "close:", "，", "三万五", "3万5", "1,5M", "k", "万"),
        *("#12", "12", "#0", "#", "5k", "USD", "cny", "$", "¥5万", "-5k", "<@U1|a b>", "@bob"),
        *('"', "'", "“", "”", "「", "」", "‘", "’", "Acme", "O'Brien", " ", "\n", "\t", "<@"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    result = parse_deal_command(text)
    assert isinstance(result, ParseError | DealCommand)


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=10), st.sampled_from([" ", ""]))
def test_never_raises_on_command_like_text(words: list[str], separator: str) -> None:
    result = parse_deal_command(separator.join(words))
    assert isinstance(result, ParseError | DealCommand)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Keywords in any order, in both languages
        (
            "add Eta 12k note call them close Dec 20",
            Add("Eta", "12k", None, "Dec 20", "call them", ("close", "close")),
        ),
        (
            "add Acme 12k close Dec 20 stage proposal note x",
            Add("Acme", "12k", "proposal", "Dec 20", "x"),
        ),
        (
            "add Acme 12k stage proposal note call back close eom",
            Add("Acme", "12k", "proposal", "eom", "call back", ("close", "close")),
        ),
        (
            "add Acme 12k note call back stage won",
            Add("Acme", "12k", "won", None, "call back", ("stage", "stage")),
        ),
        (
            "add 华为 5万 备注 带上合同 阶段 谈判 截止 下个月",
            Add("华为", "5万", "谈判", "下个月", "带上合同", ("stage", "阶段")),
        ),
        ("add 华为 5万 成交日 月底", add("华为", "5万", close="月底")),
        ("add Acme 12k CLOSE Dec 20 NOTE hi", add("Acme", "12k", close="Dec 20", note="hi")),
        # A note keeps the keywords in quotes; amount and customer are note text anyway
        (
            'add Acme 12k note "call them before close"',
            add("Acme", "12k", note="call them before close"),
        ),
        (
            'add Acme 12k note call them before "close" close Dec 20',
            Add("Acme", "12k", None, "Dec 20", 'call them before "close"', ("close", "close")),
        ),
        (
            "#12 note ask the customer about the amount",
            Update(N12, (("note", "ask the customer about the amount"),)),
        ),
        (
            "#12 note call them close eom",
            Update(N12, (("note", "call them"), ("close", "eom")), ("close", "close")),
        ),
        # A keyword with a colon
        ("add 华为 5万 备注：带上合同", add("华为", "5万", note="带上合同")),
        ("add 华为 5万 截止：月底 备注: 好", add("华为", "5万", close="月底", note="好")),
        ("add Acme 12k close: Dec 20", add("Acme", "12k", close="Dec 20")),
        ("#12 阶段：谈判", Update(N12, (("stage", "谈判"),))),
        # A Chinese comma separates like a space
        ("add 华为，5万", add("华为", "5万")),
        ("add 华为，5万，谈判，截止，月底", add("华为", "5万", "谈判", close="月底")),
        ("add 华为 5万 备注 先报价，再约见", add("华为", "5万", note="先报价，再约见")),
        ('add "华为，北京" 5万', add("华为，北京", "5万")),
        # The amount's words join: a unit or a currency after the number
        ("add Acme 50 k", add("Acme", "50 k")),
        ("add Acme 50 k proposal", add("Acme", "50 k", "proposal")),
        ("add Acme 1.5 M", add("Acme", "1.5 M")),
        ("add 华为 5 万 谈判", add("华为", "5 万", "谈判")),
        ("add 华为 5 万元", add("华为", "5 万元")),
        ("add 华为 RMB 5 万", add("华为", "RMB 5 万")),
        ("add Studio 54 k", add("Studio", "54 k")),
        ("won #12 50 k", Won(N12, "50 k")),
        # Chinese numerals on the amount only: the name keeps its own
        ("add 华为一号项目 三万五", add("华为一号项目", "三万五")),
        ("add 华为一号项目 3万5 谈判", add("华为一号项目", "3万5", "谈判")),
        ("add 周一 两千块", add("周一", "两千块")),
        ("add 三一重工 5萬", add("三一重工", "5萬")),
        ("add 五一 三万", add("五一", "三万")),
        # Ambiguous amounts are still the amount, for the service's "did you mean"
        ("add Acme 1,5M", add("Acme", "1,5M")),
    ],
)
def test_parse_keywords_in_any_order_and_amounts_as_typed(text: str, expected: DealCommand) -> None:
    assert parse_deal_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("add Acme 12k proposal stage won", "You gave the stage twice."),
        ("add Acme 12k stage lead stage won", "“stage” is given twice."),
        ("add Acme 12k note a note b", "“note” is given twice."),
        ("add Acme 12k stage", "“stage” needs a value after it."),
        ("add Acme 12k 备注：", "“备注” needs a value after it."),
        ('add Acme 12k note x close "Dec', "There's an opening quote"),
    ],
)
def test_parse_keyword_errors(text: str, message: str) -> None:
    result = parse_deal_command(text)
    assert isinstance(result, ParseError)
    assert message in result.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add Acme １２，０００", add("Acme", "１２，０００")),
        ("add 华为 １，５万", add("华为", "１，５万")),
        ("add 华为，１２，０００，谈判", add("华为", "１２，０００", "谈判")),
        ("add 'O’Brien'，5万", add("O’Brien", "5万")),
    ],
)
def test_a_comma_between_digits_is_part_of_the_number(text: str, expected: DealCommand) -> None:
    assert parse_deal_command(text) == expected
