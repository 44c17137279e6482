"""What the slash-command grammars share: the refusal they return and how usage reads.

Every grammar (``/deal``, ``/target``, ``/standup``, ``/salesbot``, ``/deal report``)
returns a ParseError when the text is not a command. ParseError.message is plain text
containing user input: escape it before showing it in mrkdwn. ParseError.usage and the
lines usage_line writes are mrkdwn, with ``<``/``>`` already written as ``&lt;``/``&gt;``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.amounts import is_amount_suffix, is_separate_currency, looks_like_amount
from bot.domain.lexer import Lexed, Token, folded, shown
from bot.domain.text import Mrkdwn, Wording, escape_mrkdwn
from bot.i18n import _

__all__ = [
    "ParseError",
    "closest",
    "did_you_mean",
    "is_amount",
    "merge_amounts",
    "no_help",
    "quote_error",
    "takes_nothing",
    "unknown_command",
    "usage_line",
    "who_message",
]


@dataclass(frozen=True)
class ParseError:
    """Why the text is not a command (plain text) and the right form (mrkdwn).

    `wording`, when given, is the message as Salesbot's words and the typed values apart, so
    it can show in mrkdwn with its own back-ticks (`mrkdwn()` escapes only the values)."""

    message: str
    usage: Mrkdwn
    wording: Wording | None = None

    @classmethod
    def worded(cls, template: str, usage: Mrkdwn, **values: object) -> ParseError:
        """A refusal whose words may hold code (``“`{word}` is not a number of days”``); the
        values are what was typed, escaped where the refusal is shown."""
        wording = Wording(template, values)
        return cls(wording.plain(), usage, wording)

    def mrkdwn(self) -> Mrkdwn:
        """The message for mrkdwn: typed text escaped, Salesbot's own markup kept."""
        return self.wording.mrkdwn() if self.wording is not None else escape_mrkdwn(self.message)


def usage_line(form: str, example: str, other: str | None = None) -> str:
    """```form` — e.g. `example``` (or two examples), with the form escaped for Slack."""
    # Slack reads < and > as control characters even inside backticks.
    escaped = form.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if other is None:
        return _("`{form}` — e.g. `{example}`").format(form=escaped, example=example)
    return _("`{form}` — e.g. `{example}` or `{other}`").format(
        form=escaped, example=example, other=other
    )


def quote_error(lexed: Lexed, usage: str) -> ParseError:
    """The refusal of a command whose opening quote never closes."""
    return ParseError(
        _("There's an opening quote {quote} with no closing quote in “{text}”.").format(
            quote=lexed.open_quote_mark, text=shown(lexed.text)
        ),
        usage,
    )


def closest(word: str, choices: Iterable[str], cutoff: float = 0.7) -> str | None:
    """The choice a mistyped word most likely meant (difflib's ratio), or None; between
    close ones, swapped letters (``lsit``: list, not lost) win."""
    typed = word.casefold()
    found = difflib.get_close_matches(typed, sorted(set(choices)), n=3, cutoff=cutoff)
    swapped = [choice for choice in found if sorted(choice) == sorted(typed)]
    best = swapped or found
    return best[0] if best else None


def did_you_mean(meant: str, usage: str) -> Mrkdwn:
    """``Did you mean `add`?`` above the usage; `meant` is one of Salesbot's own words."""
    return _("Did you mean `{word}`?").format(word=meant) + "\n" + usage


def unknown_command(word: str, usage: str, meant: str | None = None) -> ParseError:
    """The refusal of a first word that is no verb, with the verb it most likely meant."""
    if meant is not None:
        # In the usage (mrkdwn), not the message: the message is escaped, back-ticks and all.
        usage = did_you_mean(meant, usage)
    return ParseError(_("I don't know the command “{word}”.").format(word=shown(word)), usage)


def takes_nothing(word: str, usage: str) -> ParseError:
    """The refusal of words after a verb that takes none (``word`` as typed)."""
    return ParseError(_("“{word}” takes nothing after it.").format(word=word), usage)


def no_help(text: str, usage: str) -> ParseError:
    """The refusal of ``help`` on something that is no command."""
    return ParseError(_("I have no help on “{text}”.").format(text=shown(text)), usage)


def who_message(word: str, otherwise: str) -> str:
    """Explain an ``@name`` typed as plain text (not a mention); else ``otherwise``."""
    if word.startswith(("@", "＠")):
        return _(
            "I couldn't tell who “{word}” is. Pick the person from Slack's @ menu "
            "so it becomes a mention."
        ).format(word=shown(word))
    return otherwise


def is_amount(token: Token) -> bool:
    """Tell whether a word is shaped like an amount (a quoted word never is)."""
    return not token.quoted and looks_like_amount(token.text)


def merge_amounts(
    tokens: Sequence[Token],
    *,
    keywords: frozenset[str] = frozenset(),
    codes_in_any_case: bool = True,
) -> list[Token]:
    """Join the words of one amount: USD 1,200 / 8000 CNY / 50 k / RMB 5 万 (every grammar
    that takes an amount reads it so: /deal and /target alike).

    A word of the command's own `keywords` (folded) is never part of an amount. Without
    `codes_in_any_case`, a currency code after the number counts only in upper case, as before
    it: /target's metric and period words follow the amount, and `all` or `top` are codes."""
    merged: list[Token] = []
    for token in tokens:
        if merged and _joinable(merged[-1], token, keywords, codes_in_any_case):
            first = merged.pop()
            token = Token(f"{first.text} {token.text}", False, first.start, token.end)
        merged.append(token)
    return merged


def _joinable(first: Token, second: Token, keywords: frozenset[str], any_case: bool) -> bool:
    if first.quoted or second.quoted or folded(first) in keywords or folded(second) in keywords:
        return False
    code = second.text.isascii() and second.text.isalpha() and len(second.text) == 3
    suffix = (
        is_amount_suffix(second.text)
        and (any_case or not code or is_separate_currency(second.text))
        and looks_like_amount(first.text)
    )
    # A letter code before the number must be upper case: "Uncle Bob 5k" is not BOB.
    prefix = is_separate_currency(first.text) and looks_like_amount(second.text)
    return (suffix or prefix) and looks_like_amount(f"{first.text} {second.text}")
