"""Words of a slash command: quoted phrases kept whole, Slack mentions kept whole.

Words are separated by whitespace or a Chinese comma (``华为，5万`` is two words), except
a comma between digits (``１２，０００``); inside quotes and in free text taken verbatim
(a note, a reason) the comma stays.

Shared by the /deal and /target grammars, so that quoting works the same in both:
`/deal add "Acme, Inc" 5k` and `/target reward add "Top closer" 100%`. The /standup
grammar splits its own words but folds and shows them with the helpers here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Opening quote -> characters that close it. Mixed pairs ("…” from autocorrect) count.
QUOTES = {
    '"': '"”',
    "“": '”"',
    "„": '“”"',
    "'": "'’",
    "‘": "’'",
    "「": "」",
    "『": "』",
    "«": "»",
}
# These double as apostrophes (O’Brien), so they only close before a space or the end.
_APOSTROPHES = frozenset("'’")
# Separates words like a space: reps type 华为，5万 as often as 华为 5万.
_COMMA = "，"
SHOWN_LIMIT = 80


@dataclass(frozen=True)
class Token:
    """A word, or the inside of a quoted phrase; start and end index the command text."""

    text: str
    quoted: bool
    start: int
    end: int


@dataclass(frozen=True)
class Lexed:
    """A command's tokens."""

    text: str
    tokens: tuple[Token, ...]
    # Position of an opening quote that never closes; tokens stop there.
    open_quote: int | None

    @property
    def open_quote_mark(self) -> str:
        """The quote character that was never closed (empty when all are closed)."""
        return "" if self.open_quote is None else self.text[self.open_quote]


def lex(text: str) -> Lexed:
    """Split a command into tokens; never raises."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if _is_gap(text, i):
            i += 1
        elif text[i] in QUOTES:
            close = _find_closer(text, i + 1, QUOTES[text[i]])
            if close is None:
                return Lexed(text, tuple(tokens), i)
            tokens.append(Token(text[i + 1 : close], True, i, close + 1))
            i = close + 1
        else:
            end = _word_end(text, i)
            tokens.append(Token(text[i:end], False, i, end))
            i = end
    return Lexed(text, tuple(tokens), None)


def _find_closer(text: str, start: int, closers: str) -> int | None:
    for k in range(start, len(text)):
        if text[k] in closers and (
            text[k] not in _APOSTROPHES or k + 1 == len(text) or _is_gap(text, k + 1)
        ):
            return k
    return None


def _word_end(text: str, start: int) -> int:
    # Keep a Slack mention such as <@U1|Mary Ann> in one piece.
    if text.startswith("<@", start):
        close = text.find(">", start)
        if close != -1:
            return close + 1
    end = start
    while end < len(text) and not _is_gap(text, end):
        end += 1
    return end


def _is_gap(text: str, i: int) -> bool:
    if text[i] != _COMMA:
        return text[i].isspace()
    # Between digits it groups a full-width number: １２，０００.
    return not (0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit())


def fold(text: str) -> str:
    """Text folded for keyword matching: NFKC-normalised (full-width to ASCII), casefolded."""
    return unicodedata.normalize("NFKC", text).casefold()


def folded(token: Token) -> str | None:
    """The folded text of an unquoted token, for keyword matching; None if quoted."""
    return None if token.quoted else fold(token.text)


def joined(tokens: Sequence[Token]) -> str:
    """The tokens' texts, space-separated."""
    return " ".join(t.text for t in tokens).strip()


def shown(text: str) -> str:
    """User text short enough to quote back in a reply."""
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_LIMIT else text[: SHOWN_LIMIT - 1] + "…"
