"""The ``/deal`` grammar: the text after ``/deal`` in, a command or a ParseError out.

Rules worth knowing (all tested):

* Words are split on whitespace. Quotes group words and make them literal: ``"…"``,
  ``'…'``, ``“…”``, ``‘…’``, ``「…」``, ``『…』``. A quote only opens at the start of a
  word, so ``O'Brien`` and ``don't`` are fine; an apostrophe-style quote only closes
  before a space or the end. ``<…>`` (a Slack mention) is one word even with spaces.
* English keywords are case-insensitive; Chinese aliases are listed in VERB_ALIASES
  and the field/keyword tables below. A quoted word is never a keyword or an amount.
* ``add``: the amount is the last amount-shaped word before the first ``close``/
  ``note``/``stage`` keyword, optionally followed by one stage word; everything before
  it is the customer. So ``add Studio 54 10k`` works; ``add "3M" 50k`` needs the quotes.
  Then the keywords, in any order: ``close``/``截止``/``成交日``, ``note``/``备注``,
  ``stage``/``阶段``. A currency or unit written as its own word joins the amount
  (``USD 1,200``, ``8000 CNY``, ``50 k``, ``5 万元``); before the number, a letter code
  must be upper case (``Uncle Bob 5k`` is not BOB). Multi-word stages are not supported.
* Update: ``<ref> <field> <value> …``; the ref is everything before the first field
  keyword after the first word. A value runs to the next field keyword, but its first
  word is always value (``customer Close Brothers``).
* The next step: ``<ref> next "<step>" <date>`` or ``<ref> next done``
  (``下一步``, ``nextstep`` too); bot.domain.next_steps reads the value, kept as typed,
  quotes and all. ``下一步`` and ``nextstep`` are keywords anywhere; plain ``next`` is one only
  where no date could mean it: before a quoted step or a word like ``done``, or right after a
  one-word ref (``#12 next call them friday``), so ``close next friday`` is still a date.
* A note is verbatim and runs to the next ``close``, ``stage`` or ``note`` keyword (in
  both languages; ``amount`` and ``customer`` are note text there), so
  ``note call them close Dec 20`` sets the close date. To keep such a word in the note,
  quote the note: ``note "call them before close"``. The command records which keyword
  cut a note short, so a refusal of what follows can say how to quote it.
* A keyword may carry a colon: ``备注：带上合同``, ``close: Dec 20``.
* ``won <ref> [amount]``: a trailing amount-shaped word is the amount
  (``won Studio 54`` means 54 won from "Studio": quote the name or use its #number).
* A team's deal fields (bot.domain.deal_fields) are keywords too when the caller passes their
  names and aliases: ``add Acme 12k industry:retail``, ``add 华为 5万 行业 零售``,
  ``#12 industry finance``, ``list industry:retail``. A field's value runs to the next keyword
  like any other; a note runs past a field's name, except written with its colon
  (``note call them industry:retail``). Without the names, these read as before (a refusal,
  most often), so the handler parses again once it knows the caller's team.
* ``lost <ref> [reason]``: the ref is one word (``#12``, ``12``, a quoted name or a
  single word) and the rest is the reason, unless the word ``reason``/``原因`` splits
  them: ``lost Big Co reason budget cut``.
* A ref is ``#12`` or ``12`` (a deal number) or else a customer name.
* An unknown first word is read as an update if a field keyword follows; a known verb
  whose arguments don't fit is retried as an update (``List Ltd stage won``).
* Refusals are a ParseError (bot.domain.grammar): its message is plain text containing
  user input, to escape before showing it in mrkdwn. Its usage and USAGE values are
  mrkdwn, with ``<``/``>`` already written as ``&lt;``/``&gt;``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.domain.grammar import (
    ParseError,
    closest,
    did_you_mean,
    is_amount,
    merge_amounts,
    no_help,
    quote_error,
    takes_nothing,
    unknown_command,
    usage_line,
    who_message,
)
from bot.domain.lexer import Lexed, Token, fold, folded, joined, lex, shown
from bot.domain.next_steps import CLEAR_WORDS
from bot.domain.text import parse_mention
from bot.i18n import N_, Texts, _

__all__ = [
    "RESERVED_WORDS",
    "ROUTED_VERBS",
    "USAGE",
    "VERB_ALIASES",
    "Add",
    "Assign",
    "CustomerName",
    "DealCommand",
    "DealNumber",
    "DealRef",
    "Field",
    "Help",
    "List",
    "ListScope",
    "Lost",
    "NewModal",
    "ParseError",
    "Pipeline",
    "PipelineScope",
    "Reopen",
    "Show",
    "Undo",
    "Update",
    "Won",
    "parse_deal_command",
]

Field = Literal["stage", "amount", "close", "note", "customer", "next", "forecast"]
ListScope = Literal["mine", "user", "team", "stage", "stale", "nextstep", "field"]
PipelineScope = Literal["mine", "user", "team"]


@dataclass(frozen=True)
class DealNumber:
    """A deal referred to by its number, as in ``#12``."""

    number: int


@dataclass(frozen=True)
class CustomerName:
    """A deal referred to by its customer's name."""

    name: str


DealRef: TypeAlias = DealNumber | CustomerName


@dataclass(frozen=True)
class Help:
    """Show help, for one command (canonical English verb) or all of them."""

    topic: str | None = None


@dataclass(frozen=True)
class NewModal:
    """Open the new-deal form."""


@dataclass(frozen=True)
class Add:
    """Add a deal in one line; texts are validated later by the service."""

    customer: str
    amount_text: str
    stage_text: str | None
    close_text: str | None
    note: str | None
    # The field whose keyword (as typed) ended the note, if one did: a refusal of that
    # field's value can then say how to keep the word in the note.
    note_cut: tuple[Field, str] | None = None
    # The team's deal fields given: (the field's name or alias as typed, the value typed).
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Update:
    """Change fields of a deal, in the order typed."""

    ref: DealRef
    changes: tuple[tuple[Field, str], ...]
    note_cut: tuple[Field, str] | None = None
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Won:
    """Mark a deal won, optionally at a final amount."""

    ref: DealRef
    amount_text: str | None


@dataclass(frozen=True)
class Lost:
    """Mark a deal lost, optionally with a reason."""

    ref: DealRef
    reason: str | None


@dataclass(frozen=True)
class Reopen:
    """Reopen a won or lost deal."""

    ref: DealRef


@dataclass(frozen=True)
class List:
    """List deals: mine, a user's, the team's, one stage's, stale ones, those with no next step
    or an overdue one (`nextstep`), or those with a value of a deal field (`field`: its name or
    alias and the value, as typed)."""

    scope: ListScope
    user_id: str | None
    stage_text: str | None
    field: tuple[str, str] | None = None


@dataclass(frozen=True)
class Show:
    """Show one deal."""

    ref: DealRef


@dataclass(frozen=True)
class Pipeline:
    """Show the pipeline summary for me, a user or the team."""

    scope: PipelineScope
    user_id: str | None


@dataclass(frozen=True)
class Undo:
    """Undo the user's last change."""


@dataclass(frozen=True)
class Assign:
    """Give a deal to another owner."""

    ref: DealRef
    user_id: str


DealCommand: TypeAlias = (
    Help | NewModal | Add | Update | Won | Lost | Reopen | List | Show | Pipeline | Undo | Assign
)


# Read in the current language: `USAGE["add"]` is translated when it is read.
USAGE = Texts(
    {
        "help": lambda: usage_line(_("/deal help [command]"), "/deal help add"),
        "new": N_("`/deal new` opens a form for a new deal"),
        "add": lambda: usage_line(
            _("/deal add <customer> <amount> [stage] [close <date>] [note <text>]"),
            _("/deal add Acme 12k proposal close Dec 15"),
        ),
        "update": lambda: usage_line(
            _(
                "/deal <#number|customer> <field> <value> … "
                "(fields: stage, amount, close, note, customer, forecast)"
            ),
            _("/deal #12 stage proposal close 2026-12-20"),
        ),
        "next": lambda: usage_line(
            _('/deal <#number|customer> next "<step>" <date> · next done'),
            _('/deal #12 next "send the proposal" friday'),
            _("/deal #12 next done"),
        ),
        "won": lambda: usage_line(_("/deal won <#number|customer> [amount]"), "/deal won #12 48k"),
        "lost": lambda: usage_line(
            _("/deal lost <#number|customer> [reason]"),
            _('/deal lost "Big Co" went with a competitor'),
        ),
        "reopen": lambda: usage_line(_("/deal reopen <#number|customer>"), "/deal reopen #12"),
        "list": lambda: usage_line(
            _("/deal list [mine|@person|team|<stage>|stale|nextstep]"), "/deal list proposal"
        ),
        "show": lambda: usage_line(_("/deal show <#number|customer>"), "/deal show Acme"),
        "pipeline": lambda: usage_line(
            _("/deal pipeline [mine|@person|team]"), "/deal pipeline mine"
        ),
        "undo": N_("`/deal undo` undoes your last change"),
        "assign": lambda: usage_line(
            _("/deal assign <#number|customer> @person"), "/deal assign #12 @maria"
        ),
    }
)

VERB_ALIASES: dict[str, str] = {
    "帮助": "help",
    "新建": "new",
    "添加": "add",
    "新增": "add",
    "列表": "list",
    "查看": "show",
    "详情": "show",
    "赢单": "won",
    "成交": "won",
    "输单": "lost",
    "丢单": "lost",
    "重开": "reopen",
    "重新打开": "reopen",
    "撤销": "undo",
    "漏斗": "pipeline",
    "分配": "assign",
    "指派": "assign",
}
# `update` and `next` are help topics, not verbs: `/deal #12 next …` names the deal first.
_VERBS = frozenset(k for k in USAGE if k not in ("update", "next"))
# Subcommands the /deal handler sends elsewhere before this grammar runs; known here for help
# topics and for "did you mean".
ROUTED_VERBS: dict[str, str] = {
    "report": "report",
    "报告": "report",
    "报表": "report",
    "export": "export",
    "导出": "export",
    "leaderboard": "leaderboard",
    "排行榜": "leaderboard",
    "排名": "leaderboard",
    "insights": "insights",
    "insight": "insights",
    "分析": "insights",
    "洞察": "insights",
    "forecast": "forecast",
    "预测": "forecast",
}
HELP_TOPICS = frozenset([*USAGE, *ROUTED_VERBS.values()])

_FIELDS: dict[str, Field] = {
    "stage": "stage",
    "阶段": "stage",
    "amount": "amount",
    "金额": "amount",
    "close": "close",
    "截止": "close",
    "成交日": "close",
    "note": "note",
    "备注": "note",
    "customer": "customer",
    "客户": "customer",
    # Plain "next" is a keyword only where no date can mean it (_update_keyword).
    "下一步": "next",
    "nextstep": "next",
    "next-step": "next",
    "next_step": "next",
    # `/deal #12 forecast commit`; `/deal forecast …` alone is routed (ROUTED_VERBS).
    "forecast": "forecast",
    "预测": "forecast",
}
_NEXT = "next"
_ADD_KEYWORDS = frozenset(w for w, f in _FIELDS.items() if f in ("close", "note", "stage"))
# Where a note ends (in add and update alike): amount and customer are ordinary words there.
_NOTE_ENDS = _ADD_KEYWORDS
# A keyword with a colon stuck to it: 备注：带上合同, close:Dec 20.
_KEYWORD_COLON = re.compile(
    "(" + "|".join(sorted(map(re.escape, [*_FIELDS, _NEXT]), key=len, reverse=True)) + ")[:：]",
    re.IGNORECASE,
)
_REASON_WORDS = frozenset({"reason", "原因"})
_ASSIGN_TO = frozenset({"to", "给"})
_MINE = frozenset({"mine", "me", "my", "我的", "我"})
_TEAM = frozenset({"team", "all", "团队", "全部", "所有"})
_STALE = frozenset({"stale", "停滞"})
_NEXT_STEP_LIST = frozenset(
    {
        *("nextstep", "nextsteps", "next-step", "next_step", "next", "missing"),
        *("下一步", "缺下一步", "缺少下一步", "没有下一步"),
    }
)
_LIST_WORDS: tuple[tuple[frozenset[str], ListScope], ...] = (
    (_MINE, "mine"),
    (_TEAM, "team"),
    (_STALE, "stale"),
    (_NEXT_STEP_LIST, "nextstep"),
)
_NEXT_HELP = frozenset({"next", "nextstep", "next-step", "下一步"})
# Verbs whose arguments can't be a deal ref: if they don't fit, "<Verb Ltd> stage won"
# is more likely an update of a customer whose name starts with the verb.
_RETRY_AS_UPDATE = frozenset({"help", "new", "undo", "list", "pipeline"})

_DEAL_NUMBER = re.compile(r"(#?)([0-9]+)")
_MAX_DEAL_DIGITS = 9
_COLONS = ":："
# Words a team's deal field may not be named (bot.domain.deal_fields): they mean something here.
RESERVED_WORDS = frozenset(
    {
        *_FIELDS,
        *_VERBS,
        *VERB_ALIASES,
        *ROUTED_VERBS,
        *_REASON_WORDS,
        *_ASSIGN_TO,
        *_MINE,
        *_TEAM,
        *_STALE,
        *_NEXT_STEP_LIST,
        _NEXT,
        "update",
    }
)


_Parser = Callable[[Lexed, Sequence[Token]], "DealCommand | ParseError"]


def parse_deal_command(text: str, fields: Collection[str] = ()) -> DealCommand | ParseError:
    """Parse the text after ``/deal``; never raises. `fields`: the names and aliases of the
    caller's team's deal fields, folded (bot.domain.deal_fields.words_of)."""
    words = frozenset(fields) - RESERVED_WORDS
    lexed = _split_colons(lex(text), words)
    if not lexed.tokens:
        return Help() if lexed.open_quote is None else quote_error(lexed, USAGE["help"])
    verb = _verb_of(lexed.tokens[0])
    if verb is None:
        if _looks_like_update(lexed.tokens, words):
            return _parse_update(lexed, lexed.tokens, words)
        if lexed.open_quote is not None:
            return quote_error(lexed, USAGE["help"])
        return _unknown_first_word(lexed)
    if verb == "add":
        result = _parse_add(lexed, lexed.tokens[1:], words)
    elif verb == "list":
        result = _parse_list(lexed, lexed.tokens[1:], words)
    else:
        result = _PARSERS[verb](lexed, lexed.tokens[1:])
    if (
        isinstance(result, ParseError)
        and verb in _RETRY_AS_UPDATE
        and _looks_like_update(lexed.tokens, words)
    ):
        update = _parse_update(lexed, lexed.tokens, words)
        if not isinstance(update, ParseError):
            return update
    return result


def names_fields(command: DealCommand | ParseError) -> bool:
    """Whether the command, parsed without the team's deal fields, may read otherwise with
    them (so it is parsed again once they are known): an add, an update, a refusal, or a list
    by a word that is no scope (`list industry:retail`)."""
    if isinstance(command, List):
        return command.scope == "stage"
    return isinstance(command, Add | Update | ParseError)


def _unknown_first_word(lexed: Lexed) -> DealCommand | ParseError:
    """`/deal #12` shows the deal; `/deal #0` says why not; `/deal ad …` meant `add`."""
    first = lexed.tokens[0]
    word = folded(first) or ""
    number = None if first.quoted else _DEAL_NUMBER.fullmatch(word)
    if number is not None and len(lexed.tokens) == 1:
        ref = _deal_number(number, first.text, "show")
        return ref if isinstance(ref, ParseError) else Show(ref)
    # A routed word reaches here only when called directly: it is no typo.
    meant = None if word in ROUTED_VERBS else closest(word, [*_VERBS, *VERB_ALIASES, *ROUTED_VERBS])
    verb = "help" if meant is None else VERB_ALIASES.get(meant, meant)
    usage = USAGE[verb] if verb in USAGE else USAGE["help"]
    return unknown_command(first.text, usage, meant)


# --- tokens ---------------------------------------------------------------------------


def _verb_of(token: Token) -> str | None:
    word = folded(token)
    if word is None:
        return None
    return word if word in _VERBS else VERB_ALIASES.get(word)


def _field_of(token: Token) -> Field | None:
    word = folded(token)
    return None if word is None else _FIELDS.get(word)


def _deal_field_of(token: Token, words: frozenset[str]) -> str | None:
    """The team's deal field a token names (its folded name or alias), or None."""
    word = folded(token)
    return word if word is not None and word in words else None


def _is_keyword(token: Token, keywords: frozenset[str], words: frozenset[str]) -> bool:
    word = folded(token)
    return word is not None and (word in keywords or word in words)


def _with_colon(lexed: Lexed, token: Token) -> bool:
    """A keyword token written with its colon (``industry:retail``)."""
    spans = token.end - token.start > len(token.text)
    return not token.quoted and spans and lexed.text[token.end - 1] in _COLONS


def _mistyped_field(token: Token, words: frozenset[str], usage: str) -> ParseError | None:
    """``indsutry:retail``: a word with a colon close to one of the team's deal fields."""
    if token.quoted or not words:
        return None
    head, colon, _rest = token.text.partition(":")
    if not colon:
        head, colon, _rest = token.text.partition("：")
    meant = closest(fold(head), words, cutoff=0.6) if colon and head else None
    if meant is None:
        return None
    return ParseError.worded(
        _("`{word}` is not a deal field of your team."),
        did_you_mean(f"{meant}:", usage),
        word=shown(head),
    )


def _update_keyword(tokens: Sequence[Token], i: int) -> Field | None:
    """The field keyword at `tokens[i]` of an update, if it is one; plain `next` only where
    no date can mean it: before a quoted step or `done`, or right after a one-word ref."""
    field = _field_of(tokens[i])
    if field is not None or folded(tokens[i]) != _NEXT:
        return field
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is not None and (after.quoted or folded(after) in CLEAR_WORDS):
        return "next"
    return "next" if i == 1 and (after is None or _field_of(after) is None) else None


def _rest(lexed: Lexed, keyword: Token) -> str:
    """The text after a keyword, verbatim; one fully quoted phrase loses its quotes."""
    return _verbatim(lexed.text[keyword.end :])


def _verbatim(text: str) -> str:
    """Free text as typed, trimmed; one fully quoted phrase loses its quotes."""
    rest = text.strip()
    inner = lex(rest)
    if len(inner.tokens) == 1 and inner.tokens[0].quoted and inner.tokens[0].end == len(rest):
        return inner.tokens[0].text
    return rest


def _split_colons(lexed: Lexed, words: frozenset[str] = frozenset()) -> Lexed:
    """Split ``备注：text`` (or a deal field's ``行业:零售``) into the keyword (its colon
    included) and the text."""
    tokens: list[Token] = []
    for token in lexed.tokens:
        match = None if token.quoted else _KEYWORD_COLON.match(token.text)
        end = match.end() if match is not None else _deal_field_colon(token, words)
        if end is None:
            tokens.append(token)
            continue
        split = token.start + end
        keyword = match[1] if match is not None else token.text[: end - 1]
        tokens.append(Token(keyword, False, token.start, split))
        if split < token.end:
            tokens.append(Token(token.text[end:], False, split, token.end))
    return Lexed(lexed.text, tuple(tokens), lexed.open_quote)


def _deal_field_colon(token: Token, words: frozenset[str]) -> int | None:
    """Where the colon after a deal field's name ends, in ``industry:retail``; else None."""
    if token.quoted or not words:
        return None
    at = min((i for i in (token.text.find(c) for c in _COLONS) if i > 0), default=None)
    if at is None or fold(token.text[:at]) not in words:
        return None
    return at + 1


# --- refs -----------------------------------------------------------------------------


def _parse_ref(lexed: Lexed, tokens: Sequence[Token], verb: str) -> DealRef | ParseError:
    if not tokens:
        return ParseError(_("Which deal? Give its #number or customer name."), USAGE[verb])
    first = tokens[0]
    match = None if first.quoted else _DEAL_NUMBER.fullmatch(folded(first) or "")
    if match is not None and len(tokens) == 1:
        return _deal_number(match, first.text, verb)
    # "#12 foo" is a typo; "12 Monkeys" is a customer.
    if match is not None and match[1]:
        return ParseError(
            _(
                "“{text}” mixes a deal number with other words. "
                "Use {number} alone, or the customer name."
            ).format(text=shown(joined(tokens)), number=first.text),
            USAGE[verb],
        )
    if not first.quoted and first.text.startswith(("#", "＃")):
        return _not_a_number(first.text, verb)
    name = joined(tokens)
    if not name:
        return ParseError(_("The customer name is empty."), USAGE[verb])
    return CustomerName(name)


def _deal_number(match: re.Match[str], typed: str, verb: str) -> DealRef | ParseError:
    digits = match[2]
    if len(digits) > _MAX_DEAL_DIGITS:
        return _not_a_number(typed, verb)
    if int(digits) == 0:
        return ParseError(
            _("There is no deal {text}: deal numbers start at #1.").format(text=shown(typed)),
            USAGE[verb],
        )
    return DealNumber(int(digits))


def _not_a_number(typed: str, verb: str) -> ParseError:
    return ParseError(
        _(
            "“{text}” is not a deal number. Deal numbers look like #12; "
            "put a customer name that starts with # in quotes."
        ).format(text=shown(typed)),
        USAGE[verb],
    )


# --- add ------------------------------------------------------------------------------


def _parse_add(
    lexed: Lexed, args: Sequence[Token], words: frozenset[str] = frozenset()
) -> DealCommand | ParseError:
    has_note = any(_field_of(t) == "note" for t in args)
    if lexed.open_quote is not None and not has_note:
        return quote_error(lexed, USAGE["add"])
    tokens = merge_amounts(args)
    keywords = [i for i, t in enumerate(tokens) if _is_keyword(t, _ADD_KEYWORDS, words)]
    # A keyword inside the customer name ("Close Brothers") fails to split: try the next.
    for boundary in [*keywords, len(tokens)]:
        found = _split_amount(tokens[:boundary])
        if found is not None:
            return _finish_add(lexed, found, tokens[boundary:], words)
    return _missing_amount(lexed, tokens, keywords)


def _split_amount(
    segment: Sequence[Token],
) -> tuple[Sequence[Token], Token, Token | None] | None:
    """Split ``customer… amount [stage]``, or None if the segment isn't shaped so."""
    if len(segment) >= 2 and is_amount(segment[-1]):
        return segment[:-1], segment[-1], None
    if len(segment) >= 3 and is_amount(segment[-2]):
        return segment[:-2], segment[-2], segment[-1]
    return None


def _missing_amount(lexed: Lexed, tokens: Sequence[Token], keywords: Sequence[int]) -> ParseError:
    segment = tokens[: keywords[0]] if keywords else tokens
    amounts = [i for i, t in enumerate(segment) if is_amount(t)]
    typed = shown(lexed.text)
    if not amounts:
        message = _("I couldn't find an amount in “{text}”.").format(text=typed)
    elif amounts[-1] == 0:
        message = _("Please put the customer before the amount in “{text}”.").format(text=typed)
    else:
        extra = joined(segment[amounts[-1] + 1 :])
        message = _(
            "After the amount “{amount}” I expected one stage word, "
            "then close or note, but found “{found}”."
        ).format(amount=segment[amounts[-1]].text, found=shown(extra))
    return ParseError(message, USAGE["add"])


def _finish_add(
    lexed: Lexed,
    found: tuple[Sequence[Token], Token, Token | None],
    tail: Sequence[Token],
    words: frozenset[str] = frozenset(),
) -> DealCommand | ParseError:
    customer_tokens, amount, stage = found
    customer = joined(customer_tokens)
    if not customer:
        return ParseError(_("The customer name is empty."), USAGE["add"])
    if stage is not None:
        mistyped = _mistyped_field(stage, words, USAGE["add"])
        if mistyped is not None:
            return mistyped
    clauses = _keyword_clauses(lexed, tail, lambda i: _add_keyword(tail[i]), "add", words)
    if isinstance(clauses, ParseError):
        return clauses
    if stage is not None and "stage" in clauses.values:
        return ParseError(_("You gave the stage twice."), USAGE["add"])
    return Add(
        customer=customer,
        amount_text=amount.text,
        stage_text=stage.text if stage else clauses.values.get("stage"),
        close_text=clauses.values.get("close"),
        note=clauses.values.get("note"),
        note_cut=clauses.note_cut,
        fields=clauses.fields,
    )


def _add_keyword(token: Token) -> Field | None:
    word = folded(token)
    return _FIELDS[word] if word in _ADD_KEYWORDS else None


@dataclass(frozen=True)
class _Clauses:
    values: dict[Field, str]
    note_cut: tuple[Field, str] | None
    # The deal fields', in the order typed: (name as typed, value).
    fields: tuple[tuple[str, str], ...] = ()


def _keyword_clauses(
    lexed: Lexed,
    tokens: Sequence[Token],
    keyword: Callable[[int], Field | None],
    verb: str,
    words: frozenset[str] = frozenset(),
) -> _Clauses | ParseError:
    """Read ``keyword value… keyword value…`` in any order (`keyword(i)`: the field whose
    keyword `tokens[i]` is, if any); a note is verbatim, a next step as typed. `words`: the
    team's deal fields, keywords too (a note runs past one written without its colon)."""
    values: dict[Field, str] = {}
    given: dict[str, tuple[str, str]] = {}
    note_cut: tuple[Field, str] | None = None
    field: Field | None = None
    i = 0
    while i < len(tokens):
        deal_field = _deal_field_of(tokens[i], words)
        field = None if deal_field is not None else keyword(i)
        assert field is not None or deal_field is not None, "a clause starts at a keyword"
        usage = USAGE["next" if field == "next" else verb]
        if (field in values) if deal_field is None else (deal_field in given):
            return ParseError(_("“{word}” is given twice.").format(word=tokens[i].text), usage)
        # The first word is always value, so "customer Close Brothers" works.
        end = i + 2
        while end < len(tokens) and not (
            _ends_note(lexed, tokens[end], words)
            if field == "note"
            else (keyword(end) or _deal_field_of(tokens[end], words))
        ):
            end += 1
        stop = tokens[end].start if end < len(tokens) else len(lexed.text)
        if field == "note":
            value = _verbatim(lexed.text[tokens[i].end : stop])
            cut = _field_of(tokens[end]) if end < len(tokens) else None
            if cut is not None:
                note_cut = (cut, tokens[end].text)
        elif field == "next":
            # Quotes kept: a quoted step is the step as typed, what follows it the date.
            value = lexed.text[tokens[i].end : stop].strip()
        else:
            for token in tokens[i + 1 : end]:
                mistyped = _mistyped_field(token, words, USAGE[verb])
                if mistyped is not None:
                    return mistyped
            value = joined(tokens[i + 1 : end])
        if not value and lexed.open_quote is not None and end >= len(tokens):
            return quote_error(lexed, usage)
        if not value:
            return ParseError(
                _("“{word}” needs a value after it.").format(word=tokens[i].text), usage
            )
        if deal_field is not None:
            given[deal_field] = (tokens[i].text, value)
        else:
            assert field is not None
            values[field] = value
        i = end
    # An unclosed quote is note text when the note runs to the end; elsewhere it is a slip.
    if lexed.open_quote is not None and field != "note":
        return quote_error(lexed, USAGE["next" if field == "next" else verb])
    return _Clauses(values, note_cut, tuple(given.values()))


def _ends_note(lexed: Lexed, token: Token, words: frozenset[str]) -> bool:
    """A note runs to the next close, stage or note, or a deal field written with its colon."""
    if folded(token) in _NOTE_ENDS:
        return True
    return _deal_field_of(token, words) is not None and _with_colon(lexed, token)


# --- update ---------------------------------------------------------------------------


def _looks_like_update(tokens: Sequence[Token], words: frozenset[str] = frozenset()) -> bool:
    return any(_starts_update(tokens, i, words) for i in range(1, len(tokens)))


def _starts_update(tokens: Sequence[Token], i: int, words: frozenset[str]) -> bool:
    return _update_keyword(tokens, i) is not None or _deal_field_of(tokens[i], words) is not None


def _parse_update(
    lexed: Lexed, tokens: Sequence[Token], words: frozenset[str] = frozenset()
) -> DealCommand | ParseError:
    first = next(i for i in range(1, len(tokens)) if _starts_update(tokens, i, words))
    ref = _parse_ref(lexed, tokens[:first], "update")
    if isinstance(ref, ParseError):
        return ref
    clauses = _keyword_clauses(
        lexed, tokens[first:], lambda i: _update_keyword(tokens, first + i), "update", words
    )
    if isinstance(clauses, ParseError):
        return clauses
    return Update(ref, tuple(clauses.values.items()), clauses.note_cut, clauses.fields)


# --- won / lost / reopen / show / assign ----------------------------------------------


def _parse_won(lexed: Lexed, args: Sequence[Token]) -> DealCommand | ParseError:
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE["won"])
    tokens = merge_amounts(args)
    amount = None
    if len(tokens) >= 2 and is_amount(tokens[-1]):
        amount, tokens = tokens[-1].text, tokens[:-1]
    number = _DEAL_NUMBER.fullmatch(folded(tokens[0]) or "") if tokens else None
    if len(tokens) >= 2 and number is not None and number[1] and not tokens[0].quoted:
        # "won #9 abc": after a deal number, what follows can only be the amount.
        return ParseError(
            _("“{text}” is not an amount. Write the final amount like 48k, 12,000 or 5万.").format(
                text=shown(joined(tokens[1:]))
            ),
            USAGE["won"],
        )
    ref = _parse_ref(lexed, tokens, "won")
    return ref if isinstance(ref, ParseError) else Won(ref, amount)


def _parse_lost(lexed: Lexed, args: Sequence[Token]) -> DealCommand | ParseError:
    if not args:
        if lexed.open_quote is not None:
            return quote_error(lexed, USAGE["lost"])
        return ParseError(_("Which deal did you lose?"), USAGE["lost"])
    split = next((i for i in range(1, len(args)) if folded(args[i]) in _REASON_WORDS), 0)
    ref = _parse_ref(lexed, args[: split or 1], "lost")
    if isinstance(ref, ParseError):
        return ref
    # Whatever follows the ref is free text, quotes and all.
    return Lost(ref, _rest(lexed, args[split]) or None)


def _ref_only(verb: str) -> _Parser:
    def parse(lexed: Lexed, args: Sequence[Token]) -> DealCommand | ParseError:
        if lexed.open_quote is not None:
            return quote_error(lexed, USAGE[verb])
        ref = _parse_ref(lexed, args, verb)
        if isinstance(ref, ParseError):
            return ref
        return Reopen(ref) if verb == "reopen" else Show(ref)

    return parse


def _parse_assign(lexed: Lexed, args: Sequence[Token]) -> DealCommand | ParseError:
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE["assign"])
    user_id = parse_mention(args[-1].text) if args and not args[-1].quoted else None
    if user_id is None:
        last = args[-1].text if args else ""
        message = who_message(last, _("Who should own it? End with an @person."))
        return ParseError(message, USAGE["assign"])
    ref_tokens = args[:-1]
    if ref_tokens and folded(ref_tokens[-1]) in _ASSIGN_TO:
        ref_tokens = ref_tokens[:-1]
    ref = _parse_ref(lexed, ref_tokens, "assign")
    return ref if isinstance(ref, ParseError) else Assign(ref, user_id)


# --- list / pipeline / help / new / undo ----------------------------------------------


def _parse_list(
    lexed: Lexed, args: Sequence[Token], words: frozenset[str] = frozenset()
) -> DealCommand | ParseError:
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE["list"])
    if not args:
        return List("mine", None, None)
    if _deal_field_of(args[0], words) is not None:
        value = joined(args[1:])
        if not value:
            return ParseError(
                _("Which {field}? Give a value after it.").format(field=args[0].text),
                USAGE["list"],
            )
        return List("field", None, None, (args[0].text, value))
    mistyped = _mistyped_field(args[0], words, USAGE["list"]) if len(args) == 1 else None
    if mistyped is not None:
        return mistyped
    if len(args) > 1:
        return ParseError(
            _("“list” takes one filter, not “{text}”. Stages are one word.").format(
                text=shown(joined(args))
            ),
            USAGE["list"],
        )
    token, word = args[0], folded(args[0])
    for words, scope in _LIST_WORDS:
        if word in words:
            return List(scope, None, None)
    user_id = parse_mention(token.text) if not token.quoted else None
    if user_id is not None:
        return List("user", user_id, None)
    if word is not None and word.startswith(("@", "＠")):
        return ParseError(who_message(token.text, ""), USAGE["list"])
    return List("stage", None, token.text)


def _parse_pipeline(lexed: Lexed, args: Sequence[Token]) -> DealCommand | ParseError:
    if lexed.open_quote is not None:
        return quote_error(lexed, USAGE["pipeline"])
    if not args:
        return Pipeline("team", None)
    word = folded(args[0])
    if len(args) == 1 and word in _MINE:
        return Pipeline("mine", None)
    if len(args) == 1 and word in _TEAM:
        return Pipeline("team", None)
    user_id = parse_mention(args[0].text) if len(args) == 1 and word is not None else None
    if user_id is not None:
        return Pipeline("user", user_id)
    otherwise = _("“pipeline” takes mine, team or an @person, not “{text}”.").format(
        text=shown(joined(args))
    )
    return ParseError(who_message(args[0].text, otherwise), USAGE["pipeline"])


def _parse_help(lexed: Lexed, args: Sequence[Token]) -> DealCommand | ParseError:
    if not args:
        return Help()
    word = folded(args[0]) or ""
    topic = (
        _verb_of(args[0])
        or ROUTED_VERBS.get(word)
        or ("update" if word == "update" else "next" if word in _NEXT_HELP else None)
    )
    if len(args) == 1 and topic is not None:
        return Help(topic)
    refused = no_help(joined(args), USAGE["help"])
    meant = closest(word, [*HELP_TOPICS, *VERB_ALIASES, *ROUTED_VERBS]) if len(args) == 1 else None
    if meant is None:
        return refused
    return ParseError(refused.message, did_you_mean(f"/deal help {meant}", refused.usage))


def _no_arguments(verb: str, command: DealCommand) -> _Parser:
    def parse(lexed: Lexed, args: Sequence[Token]) -> DealCommand | ParseError:
        if args or lexed.open_quote is not None:
            return takes_nothing(verb, USAGE[verb])
        return command

    return parse


_PARSERS: dict[str, _Parser] = {
    "help": _parse_help,
    "new": _no_arguments("new", NewModal()),
    "add": _parse_add,
    "won": _parse_won,
    "lost": _parse_lost,
    "reopen": _ref_only("reopen"),
    "list": _parse_list,
    "show": _ref_only("show"),
    "pipeline": _parse_pipeline,
    "undo": _no_arguments("undo", Undo()),
    "assign": _parse_assign,
}
