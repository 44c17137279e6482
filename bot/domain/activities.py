"""Activities: the kinds a team logs (calls, meetings, demos…), their points, the metrics
targets read them by, and the ``/log`` grammar. Pure: the team's kinds come in as a value.

Rules worth knowing (all tested):

* A kind has a name (its key: folded, one or more words, at most 24 characters) and may
  have an alias (``site visit`` / ``拜访``); either, or the name with an ``s``
  (``calls``), names it. The defaults are call 1, meeting 3, demo 5, email 1, visit 3
  points, with the Chinese aliases 电话, 会议, 演示, 邮件, 拜访.
* ``/log [count] <kind> [#deal | customer] [note…]``: the count is a whole number from 1
  to 100 before the kind (``/log 5 calls``); a kind of two words may be typed as two words
  or quoted. ``#12`` names a deal; a first word after the kind that is exactly one of the
  caller's open deals' customers (checked by the service) names that deal; the rest is
  the note (500 characters at most).
* ``/log undo`` (``撤销``) takes back the caller's last activity; ``/log`` alone and
  ``/log help`` show the usage.
* A target's metric for a kind is ``act:<key>``; ``points`` is the points of every kind.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from bot.domain.grammar import ParseError, quote_error, usage_line
from bot.domain.lexer import Token, joined, lex, shown
from bot.i18n import N_, Texts, _

__all__ = [
    "ACTIVITY_PREFIX",
    "DEFAULT_KINDS",
    "KIND_LIMIT",
    "MONEY_METRICS",
    "NOTE_LIMIT",
    "POINTS",
    "USAGE",
    "DefaultKind",
    "Log",
    "LogCommand",
    "LogHelp",
    "LogUndo",
    "fold_kind",
    "is_count_metric",
    "kind_of_metric",
    "kind_words",
    "metric_of_kind",
    "parse_log",
    "take_kind",
]

ACTIVITY_PREFIX = "act:"
POINTS = "points"
MONEY_METRICS = ("revenue", "pipeline")
KIND_LIMIT = 24
NOTE_LIMIT = 500
COUNT_LIMIT = 100


@dataclass(frozen=True)
class DefaultKind:
    """A kind every team has until a manager changes its kinds."""

    key: str
    alias: str
    points: int


DEFAULT_KINDS: tuple[DefaultKind, ...] = (
    DefaultKind("call", "电话", 1),
    DefaultKind("meeting", "会议", 3),
    DefaultKind("demo", "演示", 5),
    DefaultKind("email", "邮件", 1),
    DefaultKind("visit", "拜访", 3),
)
# More words for the default kinds, beyond their names, aliases and plurals.
_SYNONYMS = {
    "phone": "call",
    "打电话": "call",
    "通话": "call",
    "mail": "email",
    "e-mail": "email",
    "见面": "meeting",
    "开会": "meeting",
    "会面": "meeting",
    "demonstration": "demo",
    "演示会": "demo",
    "电邮": "email",
    "走访": "visit",
}

USAGE = Texts(
    {
        "log": lambda: usage_line(
            _("/log [count] <kind> [#deal or customer] [note]"),
            "/log call #12 asked for a quote",
            "/log 5 calls",
        ),
        "undo": N_("`/log undo` takes back the last activity you logged"),
    }
)


@dataclass(frozen=True)
class LogHelp:
    """Show how to log."""


@dataclass(frozen=True)
class LogUndo:
    """Take back the caller's last activity."""


@dataclass(frozen=True)
class Log:
    """Log `count` activities of a kind; `deal_number` or `customer` may name a deal (the
    customer is a candidate: the service keeps it only if it is one)."""

    kind: str
    count: int
    deal_number: int | None
    customer: str | None
    note: str
    # The note without the candidate customer, if the customer turns out to be no deal.
    note_with_customer: str = ""


LogCommand: TypeAlias = LogHelp | LogUndo | Log

_COUNT = re.compile(r"[0-9]{1,6}")
_DEAL = re.compile(r"#([0-9]+)")
_HELP = frozenset({"help", "帮助", "?"})
_UNDO = frozenset({"undo", "撤销", "撤回", "取消"})
_COUNT_SUFFIXES = ("x", "次", "个", "通", "场", "封")


def fold_kind(text: str) -> str:
    """A kind's name as it is matched and stored: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def metric_of_kind(key: str) -> str:
    """The target metric that counts a kind: ``act:call``."""
    return ACTIVITY_PREFIX + key


def kind_of_metric(metric: str) -> str | None:
    """The kind an activity metric counts (None: not an activity metric)."""
    return metric[len(ACTIVITY_PREFIX) :] if metric.startswith(ACTIVITY_PREFIX) else None


def is_count_metric(metric: str) -> bool:
    """Whether a metric counts things (deals, activities, points) rather than money."""
    return metric not in MONEY_METRICS


def kind_words(kinds: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """Every word that names one of these (key, alias) kinds, folded: its name, its plural,
    its alias, and the default kinds' synonyms; later kinds do not take a word from earlier
    ones except by alias (a manager's alias wins over a plural or synonym)."""
    words: dict[str, str] = {key: key for key, _alias in kinds}
    for key, alias in kinds:
        if alias:
            words[fold_kind(alias)] = key
    for key, _alias in kinds:
        words.setdefault(key + "s", key)
        if key.endswith(("s", "x", "ch", "sh")):
            words.setdefault(key + "es", key)
    keys = set(words.values())
    for synonym, key in _SYNONYMS.items():
        if key in keys:
            words.setdefault(synonym, key)
    return words


def take_kind(
    tokens: Sequence[Token], words: Mapping[str, str]
) -> tuple[str, Sequence[Token]] | None:
    """A kind off the front of `tokens` (two words first, so `site visit` beats `site`),
    with what follows it; None if the first words name no kind."""
    if len(tokens) >= 2 and not tokens[0].quoted and not tokens[1].quoted:
        two = fold_kind(f"{tokens[0].text} {tokens[1].text}")
        if two in words:
            return words[two], tokens[2:]
    if tokens:
        one = fold_kind(tokens[0].text)
        if one in words:
            return words[one], tokens[1:]
    return None


def parse_log(text: str, words: Mapping[str, str]) -> LogCommand | ParseError:
    """Parse the text after ``/log`` against the team's kind words; never raises."""
    lexed = lex(text)
    tokens = lexed.tokens
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE["log"])
    if not tokens or (len(tokens) == 1 and fold_kind(tokens[0].text) in _HELP):
        return LogHelp()
    first = fold_kind(tokens[0].text)
    if first in _UNDO and not tokens[0].quoted:
        if len(tokens) > 1:
            return ParseError.worded(
                _("`undo` takes nothing after it, not “{text}”."),
                USAGE["undo"],
                text=shown(joined(tokens[1:])),
            )
        return LogUndo()
    count, rest = _count(tokens)
    if isinstance(count, ParseError):
        return count
    if not rest:
        return ParseError(_("Log what? Give a kind after the number, e.g. calls."), USAGE["log"])
    taken = take_kind(rest, words)
    if taken is None:
        return _unknown_kind(rest[0].text, words)
    kind, rest = taken
    deal_number, customer = None, None
    if rest and (match := _DEAL.fullmatch(unicodedata.normalize("NFKC", rest[0].text))):
        deal_number = int(match[1][:12])
        if deal_number < 1 or deal_number > 2**31 - 1 or len(match[1]) > 12:
            return ParseError.worded(
                _("`{text}` is not a deal: deal numbers start at `#1`."),
                USAGE["log"],
                text=rest[0].text[:20],
            )
        rest = rest[1:]
    elif rest:
        customer = rest[0].text
    note = joined(rest[1:] if customer is not None else rest)
    whole = joined(rest)
    if len(whole) > NOTE_LIMIT:
        return ParseError(
            _("The note is too long: {most} characters at most.").format(most=NOTE_LIMIT),
            USAGE["log"],
        )
    return Log(kind, count, deal_number, customer, note, whole)


def _count(tokens: Sequence[Token]) -> tuple[int | ParseError, Sequence[Token]]:
    """A count off the front (``5``, ``5x``, ``5次``), else 1."""
    word = unicodedata.normalize("NFKC", tokens[0].text)
    if tokens[0].quoted:
        return 1, tokens
    number = word
    for suffix in _COUNT_SUFFIXES:
        if number.casefold().endswith(suffix) and number[: -len(suffix)].isdigit():
            number = number[: -len(suffix)]
            break
    if not (_COUNT.fullmatch(number) and number.isascii()):
        if word[:1].isdigit() and word.isascii():
            return ParseError.worded(
                _("`{text}` is not a count: give a whole number from 1 to {most}, e.g. `5`."),
                USAGE["log"],
                text=word[:20],
                most=COUNT_LIMIT,
            ), tokens
        return 1, tokens
    count = int(number)
    if not 1 <= count <= COUNT_LIMIT:
        return ParseError.worded(
            _("A count is a whole number from 1 to {most}, not `{text}`."),
            USAGE["log"],
            text=word[:20],
            most=COUNT_LIMIT,
        ), tokens
    return count, tokens[1:]


def _unknown_kind(word: str, words: Mapping[str, str]) -> ParseError:
    kinds = ", ".join(dict.fromkeys(words.values()))
    return ParseError.worded(
        _("“{word}” is not an activity kind here. The kinds are: {kinds}."),
        USAGE["log"],
        word=shown(word)[:40],
        kinds=kinds,
    )
