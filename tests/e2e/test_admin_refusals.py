"""Every refusal of /salesbot (issue 16), through signed HTTP, in English and in Chinese: it
names the problem, shows the right form in ordinary back-ticks (never the look-alike ˋ the
escaping puts in place of a typed one, nor curly quotes), and writes nothing."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.standin import DevSlack, blocks_to_text
from models import Deal, FxRate, Member, SalesTeam, StageDef, Workspace
from tests.e2e.conftest import Say

LOOKALIKE_GRAVE = "\u02cb"


class Case(NamedTuple):
    """`/salesbot <text>` typed by `user`; the reply holds `en` (or `zh`) and `form`."""

    text: str
    en: str
    zh: str
    form: str
    user: str = "U1"
    # Typed first, by alice: what the refusal needs to exist (a deal in the team currency).
    before: tuple[tuple[str, str], ...] = ()


A_DEAL = (("/deal", "add Acme 12k"),)

CASES = [
    # The grammar
    Case(
        "frob",
        "I don't know the command `frob`.",
        "没有 `frob` 这个命令。",
        "`/salesbot stale 21`",
    ),
    Case("stagse", "Did you mean `stages`?", "您是想用 `stages` 吗？", "`/salesbot stages`"),
    Case(
        "setup CNY USD",
        "`setup` takes one currency code at most, not `CNY USD`.",
        " `setup` 后面最多跟一个币种代码，不能是 `CNY USD` 。",
        "`/salesbot setup CNY`",
    ),
    Case(
        "setup EURO",
        "`EURO` is not a currency code: give its three letters, e.g. `EUR`.",
        " `EURO` 不是币种代码：请给出三个字母，例如 `EUR` 。",
        "`/salesbot setup CNY`",
    ),
    Case(
        "team kick <@U2>",
        "`kick` is not something `team` does: use `add` or `remove` and a person, "
        "or nothing to list.",
        " `team` 没有 `kick` 这个操作：用 `add` 或 `remove` 加一位成员，或不加参数列出。",
        "`/salesbot team add @person`",
    ),
    Case(
        "team add",
        "Say who after `add`: one person, picked from Slack's @ menu.",
        "请在 `add` 后面指定一位成员（从 Slack 的 @ 菜单里选择）。",
        "`/salesbot team add @person`",
    ),
    Case(
        "managers add bob",
        "`bob` is not a mention: pick the person from Slack's @ menu.",
        " `bob` 不是提及：请从 Slack 的 @ 菜单里选择成员。",
        "`/salesbot managers add @person`",
    ),
    Case(
        "team remove <@U2> <@U3>",
        "One person at a time after `remove`.",
        " `remove` 后面每次只能指定一位成员。",
        "`/salesbot team remove @person`",
    ),
    Case(
        "stages drop demo",
        "`drop` is not something `stages` does: use `add`, `set` or `rename`, or nothing to list.",
        " `stages` 没有 `drop` 这个操作：请用 `add` 、 `set` 或 `rename` ，或不加参数列出。",
        "`/salesbot stages add demo 40%`",
    ),
    Case(
        "stages add demo",
        "`add` takes a stage name and a percentage.",
        " `add` 后面要跟阶段名称和百分比。",
        "`/salesbot stages add demo 40%`",
    ),
    Case(
        "stages set proposal 140%",
        "`140%` is not a percentage from 0 to 100.",
        " `140%` 不是 0 到 100 之间的百分比。",
        "`/salesbot stages set proposal 60%`",
    ),
    Case(
        "stages add 演示 40%",
        "`演示` can't name a new stage: use one word of letters, digits, - or _.",
        " `演示` 不能作为新阶段的名称：只能用一个由字母、数字、- 或 _ 组成的词。",
        "`/salesbot stages add demo 40%`",
    ),
    Case(
        "stages rename qualified",
        "`rename` takes the stage and its new name.",
        " `rename` 后面要跟阶段和它的新名称。",
        "`/salesbot stages rename qualified Discovery`",
    ),
    Case(
        "currency",
        "Which currency? Give its code, and the rate to convert at.",
        "换成哪种币种？请给出币种代码，以及换算用的汇率。",
        "`/salesbot currency EUR 0.128`",
    ),
    Case(
        "currency EUR 0.128 now",
        "`now` is one word too many: `currency` takes a code and a rate.",
        " `now` 是多余的： `currency` 后面只跟币种代码和汇率。",
        "`/salesbot currency EUR 0.128`",
    ),
    Case(
        "currency euro",
        "`euro` is not a currency code: give its three letters, e.g. `EUR`.",
        " `euro` 不是币种代码：请给出三个字母，例如 `EUR` 。",
        "`/salesbot currency EUR 0.128`",
    ),
    Case(
        "currency EUR abc",
        "`abc` is not a usable rate: a rate is a positive number.",
        " `abc` 不是有效的汇率：汇率须为正数。",
        "`/salesbot currency EUR 0.128`",
    ),
    Case(
        "fx EUR",
        "`fx` takes a currency code and its rate, or nothing to list the rates.",
        " `fx` 后面跟币种代码和汇率，不加参数则列出汇率。",
        "`/salesbot fx EUR 7.8`",
    ),
    Case(
        "fx EUR -1",
        "`-1` is not a usable rate: a rate is a positive number.",
        " `-1` 不是有效的汇率：汇率须为正数。",
        "`/salesbot fx EUR 7.8`",
    ),
    Case(
        "fx 欧元 7.8",
        "`欧元` is not a currency code: give its three letters, e.g. `EUR`.",
        " `欧元` 不是币种代码：请给出三个字母，例如 `EUR` 。",
        "`/salesbot fx EUR 7.8`",
    ),
    Case(
        "language fr",
        "`fr` is not a language I speak: choose `zh` or `en`.",
        "我不会 `fr` 这种语言：请选择 `zh` 或 `en` 。",
        "`/salesbot language zh|en`",
    ),
    Case(
        "stale 0",
        "stale must be between 1 and 365 days, not 0.",
        "停滞天数须在 1 到 365 天之间，不能是 0。",
        "`/salesbot stale 21`",
    ),
    Case(
        "stale soon",
        "`soon` is not a number of days.",
        " `soon` 不是天数。",
        "`/salesbot stale 21`",
    ),
    Case(
        "stale 21 days",
        "Give one number of days, e.g. `21`.",
        "请给出一个天数，例如 `21` 。",
        "`/salesbot stale 21`",
    ),
    # The services
    Case(
        "stale 21",
        "Only managers can do that.",
        "只有经理可以这样做。",
        "`/salesbot managers add @person`",
        user="U2",
    ),
    Case(
        "stages add proposal 40%",
        "There is already a stage `proposal`.",
        "已经有阶段 `proposal` 了。",
        "`/salesbot stages set proposal 60%`",
    ),
    Case(
        "stages set demo 40%",
        "`demo` is not a stage here: `/salesbot stages` lists them.",
        " `demo` 不是这里的阶段： `/salesbot stages` 会列出所有阶段。",
        "`/salesbot stages add demo 40%`",
    ),
    Case(
        "stages set proposl 40%",
        "Did you mean `proposal`?",
        "您是想用 `proposal` 吗？",
        "`/salesbot stages set proposal 60%`",
    ),
    Case(
        "stages set won 50%",
        "Won is a closing stage: its probability stays as it is.",
        "赢单 是结束阶段：概率保持不变。",
        "`/salesbot stages set proposal 60%`",
    ),
    Case(
        "fx XYZ 7.8",
        "`XYZ` is not a currency code I know (ISO 4217, e.g. EUR, USD).",
        " `XYZ` 不是可识别的币种代码（ISO 4217，例如 EUR、USD）。",
        "`/salesbot fx EUR 7.8`",
    ),
    Case(
        "fx CNY 1",
        "`CNY` is the team currency already: its rate is always 1.",
        " `CNY` 已经是团队币种：汇率始终为 1。",
        "`/salesbot fx EUR 7.8`",
    ),
    Case(
        "currency XYZ",
        "`XYZ` is not a currency code I know (ISO 4217, e.g. CNY, USD).",
        " `XYZ` 不是可识别的币种代码（ISO 4217，例如 CNY、USD）。",
        "`/salesbot currency EUR 0.128`",
    ),
    Case(
        "currency EUR",
        "give how many EUR one CNY is worth",
        "给出 1 CNY 折合多少 EUR",
        "`/salesbot currency EUR 0.128`",
        before=A_DEAL,
    ),
    Case(
        "setup USD",
        "switch with `/salesbot currency USD &lt;rate&gt;`, which converts them.",
        "请用 `/salesbot currency USD &lt;汇率&gt;` 切换",
        "`/salesbot currency EUR 0.128`",
        before=A_DEAL,
    ),
]


def stored(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Everything a /salesbot command could change."""
    with sessions() as session:
        return {
            "stages": session.execute(
                select(StageDef.key, StageDef.label, StageDef.probability).order_by(StageDef.key)
            ).all(),
            "fx": session.execute(select(FxRate.currency, FxRate.rate)).all(),
            "teams": session.execute(
                select(SalesTeam.currency, SalesTeam.stale_days, SalesTeam.name)
            ).all(),
            "members": session.execute(
                select(Member.slack_user_id, Member.team_id, Member.is_manager, Member.language)
                .where(Member.is_bot.is_(False))
                .order_by(Member.slack_user_id)
            ).all(),
            "workspace": session.execute(select(Workspace.language)).all(),
            "deals": session.execute(select(Deal.id, Deal.currency)).all(),
        }


def refused(say: Say, sessions: sessionmaker[Session], slack: DevSlack, case: Case) -> str:
    for command, text in case.before:
        assert ":warning:" not in say(command, text, user="U1").text
    before = stored(sessions)
    answered = len(slack.calls("response_url"))
    reply = say("/salesbot", case.text, user=case.user)
    assert reply.status == 200
    shown = reply.text
    if shown.startswith(":hourglass"):  # setup answers on its response_url
        later = slack.wait_for("response_url", count=answered + 1)[-1]
        shown = blocks_to_text(later.params["blocks"])
    assert stored(sessions) == before, "a refusal wrote something"
    assert shown.startswith(":warning:"), shown
    assert case.form in shown, shown
    assert LOOKALIKE_GRAVE not in shown and "“" not in shown, shown
    return shown


@pytest.mark.usefixtures("team")
@pytest.mark.parametrize("case", CASES, ids=[c.text for c in CASES])
def test_each_refusal_names_the_problem_and_shows_the_form(
    say: Say, sessions: sessionmaker[Session], slack: DevSlack, case: Case
) -> None:
    assert case.en in refused(say, sessions, slack, case)


@pytest.mark.usefixtures("team")
@pytest.mark.parametrize("case", CASES, ids=[c.text for c in CASES])
def test_each_refusal_in_chinese(
    say: Say, sessions: sessionmaker[Session], slack: DevSlack, case: Case
) -> None:
    for user in {"U1", case.user}:
        assert ":warning:" not in say("/salesbot", "language zh", user=user).text
    form = case.form.replace("@person", "@成员").replace("Discovery", "需求挖掘")
    shown = refused(say, sessions, slack, case._replace(form=form))
    assert case.zh in shown


@pytest.mark.parametrize(
    ("language", "words"), [("en", "There is no sales team here"), ("zh", "这里还没有销售团队")]
)
def test_no_team_yet(
    say: Say, sessions: sessionmaker[Session], slack: DevSlack, language: str, words: str
) -> None:
    say("/salesbot", f"language {language}", user="U1")
    case = Case("stale 21", words, words, "`/salesbot setup`")
    assert words in refused(say, sessions, slack, case)
