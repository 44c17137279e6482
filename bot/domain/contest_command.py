"""`/contest`: the grammar of its commands (English and Chinese), and how contests rank.

`/contest new "December sprint" revenue from Dec 1 to Dec 31 [reps|teams #east #west]
[prize "Team dinner"]` (`/contest 新建 "十二月冲刺" 业绩 从 12月1日 到 12月31日 团队 #华东 #华南
奖品 "团队聚餐"`), `/contest list`, `/contest show <name>`, `/contest end <name>`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from bot.domain.activities import fold_kind, metric_of_kind
from bot.domain.dates import DateError, parse_date
from bot.domain.grammar import ParseError, quote_error, unknown_command, usage_line
from bot.domain.lexer import Token, fold, folded, lex, shown
from bot.i18n import N_, Texts, _

NAME_LIMIT = 80
PRIZE_LIMIT = 200
# A contest runs for at most a year.
LONGEST = timedelta(days=366)

USAGE = Texts(
    {
        "new": lambda: usage_line(
            _(
                '/contest new "<name>" <revenue|deals|points|activity> from <date> to <date> '
                '[reps|teams #channel #channel] [prize "<prize>"]'
            ),
            '/contest new "December sprint" revenue from Dec 1 to Dec 31 prize "Team dinner"',
            "/contest new Calls calls from today to Friday teams #east #west",
        ),
        "list": N_("`/contest list` lists the workspace's contests"),
        "show": lambda: usage_line(_("/contest show <name>"), '/contest show "December sprint"'),
        "end": lambda: usage_line(_("/contest end <name>"), '/contest end "December sprint"'),
    }
)

_VERBS: dict[str, str] = {
    "new": "new",
    "add": "new",
    "create": "new",
    "start": "new",
    "新建": "new",
    "创建": "new",
    "新增": "new",
    "list": "list",
    "ls": "list",
    "列表": "list",
    "show": "show",
    "view": "show",
    "查看": "show",
    "显示": "show",
    "end": "end",
    "stop": "end",
    "finish": "end",
    "结束": "end",
    "help": "help",
    "帮助": "help",
}
# Said before the verb, as in `/contest 竞赛 新建 …`: the command's own name in Chinese.
_SELF = frozenset({"竞赛", "比赛", "contest"})
_METRICS: dict[str, str] = {
    "revenue": "revenue",
    "sales": "revenue",
    "营收": "revenue",
    "收入": "revenue",
    "销售额": "revenue",
    "业绩": "revenue",
    "deals": "deals",
    "deal": "deals",
    "wins": "deals",
    "成交数": "deals",
    "单数": "deals",
    "成交单数": "deals",
    "成交": "deals",
    "points": "points",
    "point": "points",
    "score": "points",
    "积分": "points",
    "分数": "points",
}
_FROM = frozenset({"from", "从", "自"})
_TO = frozenset({"to", "until", "till", "到", "至"})
_REPS = frozenset({"reps", "rep", "members", "个人", "成员"})
_TEAMS = frozenset({"teams", "team", "团队", "各队", "队伍"})
_PRIZE = frozenset({"prize", "奖品", "奖励"})
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]{1,31})(?:\|[^>]*)?>")
# `从12月1日到12月31日` typed without spaces: the keywords split out of the word.
_ZH_RANGE = re.compile(r"(从|到|至)")


@dataclass(frozen=True)
class Help:
    """`/contest` alone or `/contest help`."""


@dataclass(frozen=True)
class ListContests:
    """`/contest list`."""


@dataclass(frozen=True)
class ShowContest:
    name: str


@dataclass(frozen=True)
class EndContest:
    name: str


@dataclass(frozen=True)
class TeamRef:
    """A team named by its channel: a Slack channel mention, or `#name` typed as text."""

    channel_id: str | None
    name: str | None


@dataclass(frozen=True)
class NewContest:
    name: str
    metric: str
    start: date
    end: date
    kind: Literal["reps", "teams"]
    teams: tuple[TeamRef, ...]
    prize: str | None


ContestCommand = Help | ListContests | ShowContest | EndContest | NewContest


def is_help(text: str) -> bool:
    """Whether the text asks for the usage (nothing, `help`, `帮助`)."""
    tokens = [t for t in lex(text).tokens if fold(t.text) not in _SELF]
    return not tokens or (len(tokens) == 1 and _VERBS.get(fold(tokens[0].text)) == "help")


def parse_contest(
    text: str, *, today: date, kinds: Mapping[str, str]
) -> ContestCommand | ParseError:
    """Parse the text after `/contest`; `kinds`: the words of the team's activity kinds
    (bot.domain.activities.kind_words); `today`: the caller's, for dates. Never raises."""
    lexed = lex(text)
    tokens = list(lexed.tokens)
    while tokens and not tokens[0].quoted and fold(tokens[0].text) in _SELF:
        tokens.pop(0)
    verb = _VERBS.get(fold(tokens[0].text)) if tokens and not tokens[0].quoted else None
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE.get(verb or "new") or help_text())
    if not tokens or verb == "help":
        return Help()
    if verb is None:
        return unknown_command(tokens[0].text, help_text())
    rest = tokens[1:]
    if verb == "list":
        if rest:
            return ParseError(
                _("“{word}” takes nothing after it.").format(word=tokens[0].text), USAGE["list"]
            )
        return ListContests()
    if verb in ("show", "end"):
        name = " ".join(t.text for t in rest).strip()
        if not name:
            return ParseError(_("Which contest? Give its name."), USAGE[verb])
        return ShowContest(name) if verb == "show" else EndContest(name)
    return _parse_new(_split_ranges(rest), today, kinds)


def help_text() -> str:
    """Every form of `/contest`, one a line."""
    return "\n".join(USAGE[verb] for verb in ("new", "list", "show", "end"))


def _split_ranges(tokens: Sequence[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        if token.quoted or not _ZH_RANGE.search(token.text) or token.text in _FROM | _TO:
            out.append(token)
            continue
        for part in _ZH_RANGE.split(token.text):
            if part:
                out.append(Token(part, False, token.start, token.end))
    return out


def _metric(token: Token, kinds: Mapping[str, str]) -> str | None:
    word = folded(token)
    if word in _METRICS:
        return _METRICS[word]
    kind = kinds.get(fold_kind(token.text))
    return None if kind is None else metric_of_kind(kind)


def _keyword(token: Token) -> str | None:
    if token.quoted:
        return None
    word = fold(token.text)
    for name, words in (("from", _FROM), ("to", _TO), ("reps", _REPS), ("teams", _TEAMS)):
        if word in words:
            return name
    if word in _PRIZE:
        return "prize"
    if _team_ref(token) is not None:
        return "channel"
    return None


def _team_ref(token: Token) -> TeamRef | None:
    found = _CHANNEL.fullmatch(token.text)
    if found:
        return TeamRef(found.group(1), None)
    if token.text.startswith(("#", "＃")) and len(token.text) > 1 and not token.quoted:
        return TeamRef(None, token.text[1:])
    return None


def _parse_new(
    tokens: list[Token], today: date, kinds: Mapping[str, str]
) -> NewContest | ParseError:
    usage = USAGE["new"]
    if not tokens:
        return ParseError(_("Give the contest a name, a metric and its dates."), usage)
    # The name: a quoted phrase, or the words up to the metric.
    if tokens[0].quoted:
        name, rest = tokens[0].text.strip(), tokens[1:]
    else:
        at = next((i for i, t in enumerate(tokens) if _metric(t, kinds) is not None), None)
        if at is None or at == 0:
            return _no_metric(tokens[1:], usage)
        name, rest = " ".join(t.text for t in tokens[:at]), tokens[at:]
    if not name:
        return ParseError(_("Give the contest a name, a metric and its dates."), usage)
    if len(name) > NAME_LIMIT:
        return ParseError(
            _("A contest's name is {most} characters at most.").format(most=NAME_LIMIT), usage
        )
    if not rest or _metric(rest[0], kinds) is None:
        return _no_metric(rest, usage)
    metric = _metric(rest[0], kinds)
    assert metric is not None
    parts: dict[str, list[Token]] = {}
    current: str | None = None
    refs: list[TeamRef] = []
    for token in rest[1:]:
        keyword = _keyword(token)
        if keyword == "channel":
            ref = _team_ref(token)
            assert ref is not None
            refs.append(ref)
            current = "channel"
            continue
        if keyword is not None:
            if keyword in parts:
                return ParseError(
                    _("“{word}” is there twice.").format(word=shown(token.text)), usage
                )
            parts[keyword] = []
            current = keyword
            continue
        if current in ("from", "to", "prize"):
            parts[current].append(token)
            continue
        if "from" not in parts:
            return ParseError(
                _("When does it run? Say `from <date> to <date>` after “{metric}”.").format(
                    metric=shown(rest[0].text)
                ),
                usage,
            )
        return ParseError(
            _("I don't know what “{word}” means here.").format(word=shown(token.text)), usage
        )
    if "from" not in parts or "to" not in parts or not parts["from"] or not parts["to"]:
        return ParseError(_("When does it run? Say `from <date> to <date>`."), usage)
    try:
        start = parse_date(" ".join(t.text for t in parts["from"]), today=today)
        end = parse_date(" ".join(t.text for t in parts["to"]), today=today)
    except DateError as error:
        return ParseError(str(error), usage)
    if end < start:
        return ParseError(_("It ends before it starts: the end must come after the start."), usage)
    if end < today:
        return ParseError(_("That contest would already be over: give dates to come."), usage)
    if end - start > LONGEST:
        return ParseError(_("A contest runs for a year at most."), usage)
    if refs and "teams" not in parts:
        return ParseError(_("Name the teams after `teams`: `teams #east #west`."), usage)
    if "reps" in parts and "teams" in parts:
        return ParseError(_("A contest is between reps or between teams, not both."), usage)
    prize = None
    if "prize" in parts:
        prize = " ".join(t.text for t in parts["prize"]).strip()
        if not prize:
            return ParseError(_('What is the prize? `prize "Team dinner"`.'), usage)
        if len(prize) > PRIZE_LIMIT:
            return ParseError(
                _("A prize is {most} characters at most.").format(most=PRIZE_LIMIT), usage
            )
    kind: Literal["reps", "teams"] = "teams" if "teams" in parts else "reps"
    return NewContest(name, metric, start, end, kind, tuple(refs), prize)


def _no_metric(rest: Sequence[Token], usage: str) -> ParseError:
    word = rest[0].text if rest else None
    if word is None:
        return ParseError(_("What does it count? revenue, deals, points or an activity."), usage)
    return ParseError(
        _(
            "“{word}” is not something a contest can count: revenue, deals, points or an "
            "activity the team logs."
        ).format(word=shown(word)),
        usage,
    )


# --- ranking --------------------------------------------------------------------------


def places(scores: Sequence[Decimal]) -> list[int]:
    """Each score's place, best first (scores sorted high to low): equal scores share a place,
    and the next place skips them (1, 1, 3)."""
    found: list[int] = []
    for index, score in enumerate(scores):
        found.append(found[-1] if index and score == scores[index - 1] else index + 1)
    return found
