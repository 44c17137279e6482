"""The ``/target`` grammar (and ``/deal leaderboard``'s arguments): text in, a command out.

Rules worth knowing (all tested):

* Words are split on whitespace. Quotes group words and make them literal: ``"…"``,
  ``'…'``, ``“…”``, ``‘…’``, ``「…」``, ``『…』``, ``«…»``. A quote only opens at the
  start of a word; an apostrophe-style quote only closes before a space or the end.
  ``<…>`` (a Slack mention) is one word even with spaces. A quoted word is never a
  keyword.
* English keywords are case-insensitive; Chinese aliases are in the tables below.
* ``set <@person|team> <amount> [metric] [period]``: the amount comes right after who,
  a currency written as its own word joins it (``500k USD``, ``¥ 5万``; ASCII codes
  must be upper case), then one optional metric word, then the period is everything
  left. A metric word later on is refused rather than read as part of the period.
  Amounts, metrics-as-counts and periods are checked by the caller (parse_amount,
  parse_period); the parser only refuses a missing person or amount.
* ``split [team] [equal|weighted] [period]``; ``history [@person]``.
* ``reward`` and ``rewards`` (``奖励``) share sub-commands: ``add``, ``list``,
  ``remove``. Without one, ``rewards``/``奖励`` show the ledger for the period typed
  after them, while a bare ``reward`` lists the rules and ``reward <other>`` is refused.
* ``reward add [team|streak] <threshold> <name…> [bonus <amount>]``: the threshold is a
  percent (``120%``, the ``%`` is optional and dropped) or, for a streak, a whole
  number of days. The first unquoted ``bonus``/``奖金`` after at least one name word
  starts the bonus, which must be an amount; quote a name that contains that word.
* Refusals are a ParseError (bot.domain.grammar; TargetParseError is the same class):
  its message is plain text containing user input, to escape before showing it in
  mrkdwn. Its usage and USAGE values are mrkdwn, with ``<``/``>`` already written as
  ``&lt;``/``&gt;``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.domain.activities import fold_kind, metric_of_kind
from bot.domain.grammar import (
    ParseError,
    is_amount,
    merge_amounts,
    no_help,
    quote_error,
    takes_nothing,
    unknown_command,
    usage_line,
    who_message,
)
from bot.domain.lexer import Token, folded, joined, lex, shown
from bot.domain.text import parse_mention
from bot.i18n import N_, Texts, _

__all__ = [
    "USAGE",
    "VERB_ALIASES",
    "Help",
    "History",
    "Leaderboard",
    "LeaderboardKind",
    "Metric",
    "MyProgress",
    "RewardAdd",
    "RewardLedger",
    "RewardList",
    "RewardRemove",
    "RewardScope",
    "SetTarget",
    "Split",
    "TargetCommand",
    "TargetParseError",
    "TeamProgress",
    "parse_leaderboard_args",
    "parse_target_command",
]

# Deal metrics, points, or act:<kind> (bot.domain.activities): a team's kinds are known to
# the caller, which passes their words (kind_words) where a metric may be typed.
Metric = str
RewardScope = Literal["member", "team", "streak"]
LeaderboardKind = Literal["week", "month", "quarter"]


@dataclass(frozen=True)
class MyProgress:
    """Show the caller's own progress."""


@dataclass(frozen=True)
class TeamProgress:
    """Show the team's progress."""


@dataclass(frozen=True)
class Help:
    """Show help, for one command (canonical English verb) or all of them."""

    topic: str | None = None


@dataclass(frozen=True)
class SetTarget:
    """Set a member's or the team's target; texts are validated by the caller."""

    subject: Literal["member", "team"]
    user_id: str | None
    amount_text: str
    metric: Metric
    period_text: str | None
    # Whether a metric word was typed; if not, the period's first words may still name one
    # of the team's activity kinds (the caller knows them): `/target set @li 40 calls week`.
    metric_typed: bool = True


@dataclass(frozen=True)
class Split:
    """Split the team target among its members."""

    method: Literal["equal", "weighted"]
    period_text: str | None


@dataclass(frozen=True)
class History:
    """Show past targets and results, the caller's or someone else's."""

    user_id: str | None


@dataclass(frozen=True)
class RewardAdd:
    """Add a reward rule; the threshold is a percent, or days for a streak."""

    scope: RewardScope
    threshold_text: str
    name: str
    bonus_text: str | None


@dataclass(frozen=True)
class RewardList:
    """List the reward rules."""


@dataclass(frozen=True)
class RewardRemove:
    """Remove a reward rule by its number."""

    rule_id: int


@dataclass(frozen=True)
class RewardLedger:
    """Show the rewards granted in a period (the current one when None)."""

    period_text: str | None


@dataclass(frozen=True)
class Leaderboard:
    """Arguments of ``/deal leaderboard``."""

    period_kind: LeaderboardKind
    metric: Metric
    public: bool


# The old name of the refusal type, still imported by the /target and /deal handlers.
TargetParseError = ParseError

TargetCommand: TypeAlias = (
    MyProgress
    | TeamProgress
    | Help
    | SetTarget
    | Split
    | History
    | RewardAdd
    | RewardList
    | RewardRemove
    | RewardLedger
)


# Read in the current language: `USAGE["set"]` is translated when it is read.
USAGE = Texts(
    {
        "progress": N_("`/target` shows your progress against your targets"),
        "team": N_("`/target team` shows the team's progress"),
        "help": lambda: usage_line(_("/target help [command]"), "/target help set"),
        "set": lambda: usage_line(
            _("/target set <@person|team> <amount> [revenue|deals|points|<activity>] [period]"),
            "/target set @maria 50k month",
            "/target set @maria 40 calls week",
        ),
        "split": lambda: usage_line(
            _("/target split team [equal|weighted] [period]"),
            "/target split team weighted next month",
        ),
        "history": lambda: usage_line(_("/target history [@person]"), "/target history @maria"),
        "reward": lambda: "; ".join(
            (
                usage_line(
                    _("/target reward add [team] <percent>% <name> [bonus <amount>]"),
                    "/target reward add 120% Gold bonus 2k",
                ),
                usage_line(
                    _("/target reward add streak <days> <name>"),
                    _('/target reward add streak 10 "Ten in a row"'),
                ),
                "`/target reward list`",
                usage_line(_("/target reward remove <#number>"), "/target reward remove #3"),
            )
        ),
        "rewards": lambda: usage_line(_("/target rewards [period]"), "/target rewards last month"),
        "leaderboard": lambda: usage_line(
            _("/deal leaderboard [week|month|quarter] [revenue|deals|points|<activity>] [public]"),
            "/deal leaderboard quarter deals public",
        ),
    }
)

VERB_ALIASES: dict[str, str] = {
    "帮助": "help",
    "团队": "team",
    "设置": "set",
    "设定": "set",
    "拆分": "split",
    "分解": "split",
    "历史": "history",
    "奖励": "rewards",
    "奖励规则": "reward",
    "进度": "progress",
    "me": "progress",
    "mine": "progress",
    "我": "progress",
    "我的": "progress",
}
_VERBS = frozenset(USAGE) - {"leaderboard"}

_METRICS: dict[str, Metric] = {
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
    "pipeline": "pipeline",
    "商机": "pipeline",
    "管道": "pipeline",
    "漏斗": "pipeline",
    "points": "points",
    "point": "points",
    "score": "points",
    "积分": "points",
    "分数": "points",
}
_TEAM = frozenset({"team", "团队", "全队"})
_METHODS: dict[str, Literal["equal", "weighted"]] = {
    "equal": "equal",
    "equally": "equal",
    "evenly": "equal",
    "均分": "equal",
    "平均": "equal",
    "weighted": "weighted",
    "weight": "weighted",
    "加权": "weighted",
    "按业绩": "weighted",
}
_REWARD_ACTIONS = {
    "add": "add",
    "new": "add",
    "添加": "add",
    "新增": "add",
    "list": "list",
    "ls": "list",
    "列表": "list",
    "rules": "list",
    "规则": "list",
    "remove": "remove",
    "delete": "remove",
    "rm": "remove",
    "删除": "remove",
}
_STREAK = frozenset({"streak", "连续", "连胜"})
_BONUS = frozenset({"bonus", "奖金"})
_DAYS = frozenset({"day", "days", "天"})
_LEADERBOARD_KINDS: dict[str, LeaderboardKind] = {
    "week": "week",
    "weekly": "week",
    "周": "week",
    "本周": "week",
    "month": "month",
    "monthly": "month",
    "月": "month",
    "本月": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "qtr": "quarter",
    "季度": "quarter",
    "本季度": "quarter",
}
_PUBLIC = frozenset({"public", "公开", "公布"})
_SLOT_CLASHES = {
    "period": N_("“{first}” and “{second}” clash: give one period."),
    "metric": N_("“{first}” and “{second}” clash: give one metric."),
    "public": N_("“{first}” and “{second}” clash: give one public option."),
}
# Words that must never be swallowed as a currency ("ALL" and "TOP" are currencies).
_KEYWORDS = frozenset(_METRICS) | _TEAM | frozenset(_LEADERBOARD_KINDS) | _PUBLIC

_PERCENT = re.compile(r"(\d{1,6}(?:\.\d{1,4})?)\s*%?")
_STREAK_DAYS = re.compile(r"(\d{1,4})\s*(?:d|天)?")
_RULE_NUMBER = re.compile(r"#?([0-9]{1,9})")


_Parser = Callable[[Sequence[Token]], "TargetCommand | ParseError"]


def parse_target_command(text: str) -> TargetCommand | ParseError:
    """Parse the text after ``/target``; never raises."""
    lexed = lex(text)
    tokens = lexed.tokens
    verb = _verb_of(tokens[0]) if tokens else "progress"
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE[verb or "help"])
    if verb is None:
        return unknown_command(tokens[0].text, USAGE["help"])
    if verb in _NO_ARGUMENTS:
        if len(tokens) > 1:
            # Name the verb as typed: "团队 本月" should not be answered with "team".
            return takes_nothing(tokens[0].text, USAGE[verb])
        return _NO_ARGUMENTS[verb]
    return _PARSERS[verb](tokens[1:])


def parse_leaderboard_args(
    words: str, kinds: Mapping[str, str] | None = None
) -> Leaderboard | ParseError:
    """Parse ``[week|month|quarter] [metric] [public]``, in any order; never raises. `kinds`:
    the words of the team's activity kinds (bot.domain.activities.kind_words), metrics too."""
    lexed = lex(words)
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE["leaderboard"])
    found: dict[str, str] = {}
    typed: dict[str, str] = {}
    for token in lexed.tokens:
        slot = _leaderboard_slot(token, kinds or {})
        if slot is None:
            return ParseError(
                _("“{word}” is not a leaderboard option.").format(word=shown(token.text)),
                USAGE["leaderboard"],
            )
        if slot[0] in found:
            return ParseError(
                _(_SLOT_CLASHES[slot[0]]).format(
                    first=shown(typed[slot[0]]), second=shown(token.text)
                ),
                USAGE["leaderboard"],
            )
        found[slot[0]], typed[slot[0]] = slot[1], token.text
    return Leaderboard(
        period_kind=_LEADERBOARD_KINDS[found.get("period", "month")],
        metric=_METRICS.get(found.get("metric", "revenue"), found.get("metric", "revenue")),
        public="public" in found,
    )


# --- tokens ---------------------------------------------------------------------------


def _verb_of(token: Token) -> str | None:
    word = folded(token)
    if word is None:
        return None
    return word if word in _VERBS else VERB_ALIASES.get(word)


def _mention(token: Token) -> str | None:
    return None if token.quoted else parse_mention(token.text)


# --- amounts --------------------------------------------------------------------------


def _take_amount(tokens: Sequence[Token]) -> tuple[str | None, Sequence[Token]]:
    """Take an amount off the front, its unit or currency written as words of their own
    included (``50 k``, ``USD 1,200``, ``RMB 5 万``), as /deal reads one."""
    merged = merge_amounts(tokens, keywords=_KEYWORDS, codes_in_any_case=False)
    if not merged or not is_amount(merged[0]):
        return None, tokens
    return merged[0].text, merged[1:]


# --- set ------------------------------------------------------------------------------


def _parse_set(args: Sequence[Token]) -> TargetCommand | ParseError:
    if not args:
        return ParseError(
            _("Whose target? Start with an @person or team, then the amount."), USAGE["set"]
        )
    subject = _subject(args[0])
    if isinstance(subject, ParseError):
        return subject
    amount, rest = _take_amount(args[1:])
    if amount is None:
        return _missing_amount(args[0], rest)
    metric: Metric = "revenue"
    word = folded(rest[0]) if rest else None
    typed = word in _METRICS
    if word in _METRICS:
        metric, rest = _METRICS[word], rest[1:]
    late = next((t for t in rest if folded(t) in _METRICS), None)
    if late is not None:
        return ParseError(
            _("Put the metric “{word}” right after the amount, before the period.").format(
                word=late.text
            ),
            USAGE["set"],
        )
    kind, user_id = subject
    return SetTarget(kind, user_id, amount, metric, joined(rest) or None, typed)


def _subject(token: Token) -> tuple[Literal["member", "team"], str | None] | ParseError:
    if folded(token) in _TEAM:
        return "team", None
    user_id = _mention(token)
    if user_id is not None:
        return "member", user_id
    if is_amount(token):
        message = _("Whose target is “{text}”? Put an @person or team before it.").format(
            text=shown(token.text)
        )
    else:
        message = who_message(
            token.text,
            _("Whose target? “{text}” is not an @person or team.").format(text=shown(token.text)),
        )
    return ParseError(message, USAGE["set"])


def _missing_amount(who: Token, rest: Sequence[Token]) -> ParseError:
    if not rest:
        # Not the mention itself: escaped for mrkdwn it would show as raw <@U…> text.
        message = (
            _("What's the target? Give an amount after team, e.g. 50k or 10.")
            if folded(who) in _TEAM
            else _("What's the target? Give an amount after the person, e.g. 50k or 10.")
        )
    else:
        message = _(
            "“{text}” is not an amount. Put the target right after who it's for, e.g. 50k or 10."
        ).format(text=shown(rest[0].text))
    return ParseError(message, USAGE["set"])


# --- split / history / help -----------------------------------------------------------


def _parse_split(args: Sequence[Token]) -> TargetCommand | ParseError:
    rest = args[1:] if args and folded(args[0]) in _TEAM else args
    if rest and _mention(rest[0]) is not None:
        return ParseError(
            _("“split” shares the team target among everyone; set one person's with set."),
            USAGE["split"],
        )
    method: Literal["equal", "weighted"] = "equal"
    word = folded(rest[0]) if rest else None
    if word in _METHODS:
        method, rest = _METHODS[word], rest[1:]
    late = next((t for t in rest if folded(t) in _METHODS), None)
    if late is not None:
        return ParseError(
            _("Put “{word}” right after split team, before the period.").format(word=late.text),
            USAGE["split"],
        )
    return Split(method, joined(rest) or None)


def _parse_history(args: Sequence[Token]) -> TargetCommand | ParseError:
    if not args:
        return History(None)
    user_id = _mention(args[0]) if len(args) == 1 else None
    if user_id is not None:
        return History(user_id)
    otherwise = _("“history” takes one @person or nothing, not “{text}”.").format(
        text=shown(joined(args))
    )
    return ParseError(who_message(args[0].text, otherwise), USAGE["history"])


def _parse_help(args: Sequence[Token]) -> TargetCommand | ParseError:
    if not args:
        return Help()
    topic = _verb_of(args[0])
    if len(args) == 1 and topic is not None:
        return Help(topic)
    if len(args) == 1 and folded(args[0]) == "leaderboard":
        return Help("leaderboard")
    return no_help(joined(args), USAGE["help"])


# --- rewards --------------------------------------------------------------------------


def _rewards(plural: bool) -> _Parser:
    def parse(args: Sequence[Token]) -> TargetCommand | ParseError:
        action = _REWARD_ACTIONS.get(folded(args[0]) or "") if args else None
        if action == "add":
            return _parse_reward_add(args[1:])
        if action == "list":
            if len(args) > 1:
                return takes_nothing(args[0].text, USAGE["reward"])
            return RewardList()
        if action == "remove":
            return _parse_reward_remove(args[1:])
        if plural:
            return RewardLedger(joined(args) or None)
        if not args:
            return RewardList()
        return ParseError(
            _(
                "“reward” takes add, list or remove, not “{word}”. "
                "For rewards given, use rewards [period]."
            ).format(word=shown(args[0].text)),
            USAGE["reward"],
        )

    return parse


def _parse_reward_add(args: Sequence[Token]) -> TargetCommand | ParseError:
    scope: RewardScope = "member"
    word = folded(args[0]) if args else None
    if word in _TEAM:
        scope, args = "team", args[1:]
    elif word in _STREAK:
        scope, args = "streak", args[1:]
    threshold = _threshold(args, scope)
    if isinstance(threshold, ParseError):
        return threshold
    value, rest = threshold
    bonus_at = next((i for i in range(1, len(rest)) if folded(rest[i]) in _BONUS), None)
    name_tokens = rest if bonus_at is None else rest[:bonus_at]
    name = joined(name_tokens)
    if not name:
        return ParseError(
            _("Give the reward a name after the threshold, e.g. Gold."), USAGE["reward"]
        )
    if bonus_at is None:
        return RewardAdd(scope, value, name, None)
    bonus, extra = _take_amount(rest[bonus_at + 1 :])
    if bonus is None or extra:
        return ParseError(
            _(
                "After “{word}” I expected one amount, e.g. bonus 2k. "
                "To use that word in the name, put the name in quotes."
            ).format(word=rest[bonus_at].text),
            USAGE["reward"],
        )
    return RewardAdd(scope, value, name, bonus)


def _threshold(
    args: Sequence[Token], scope: RewardScope
) -> tuple[str, Sequence[Token]] | ParseError:
    """Read the percent (or streak days) that starts ``reward add``."""
    if not args:
        message = (
            _("How many days in a row? Give the threshold, then the name.")
            if scope == "streak"
            else _("At what percent? Give the threshold, then the name.")
        )
        return ParseError(message, USAGE["reward"])
    text = "" if args[0].quoted else unicodedata.normalize("NFKC", args[0].text)
    rest = args[1:]
    if scope == "streak":
        match = _STREAK_DAYS.fullmatch(text)
        if rest and folded(rest[0]) in _DAYS:
            rest = rest[1:]
        message = _("“{text}” is not a number of days. A streak counts days, e.g. 10.").format(
            text=shown(args[0].text)
        )
    else:
        match = _PERCENT.fullmatch(text)
        if rest and rest[0].text in ("%", "％"):
            rest = rest[1:]
        message = _("“{text}” is not a percent. Start with the tier, e.g. 120%.").format(
            text=shown(args[0].text)
        )
    if match is None:
        return ParseError(message, USAGE["reward"])
    return match[1], rest


def _parse_reward_remove(args: Sequence[Token]) -> TargetCommand | ParseError:
    word = folded(args[0]) if len(args) == 1 else None
    match = _RULE_NUMBER.fullmatch(word or "")
    if match is not None and int(match[1]) > 0:
        return RewardRemove(int(match[1]))
    message = (
        _("“{text}” is not a rule number. See them with reward list.").format(
            text=shown(joined(args))
        )
        if args
        else _("Which rule? Give its #number. See them with reward list.")
    )
    return ParseError(message, USAGE["reward"])


# --- leaderboard ----------------------------------------------------------------------


def _leaderboard_slot(token: Token, kinds: Mapping[str, str]) -> tuple[str, str] | None:
    word = folded(token)
    if word in _LEADERBOARD_KINDS:
        return "period", word
    if word in _METRICS:
        return "metric", word
    if word in _PUBLIC:
        return "public", word
    # An activity kind, quoted if it has two words (`"site visit"`).
    kind = kinds.get(fold_kind(token.text))
    return None if kind is None else ("metric", metric_of_kind(kind))


_NO_ARGUMENTS: dict[str, TargetCommand] = {"progress": MyProgress(), "team": TeamProgress()}
_PARSERS: dict[str, _Parser] = {
    "help": _parse_help,
    "set": _parse_set,
    "split": _parse_split,
    "history": _parse_history,
    "reward": _rewards(plural=False),
    "rewards": _rewards(plural=True),
}
