"""A team's own deal fields (industry, region, source: what segments the market), as pure rules.

A field has a name (one word, any script: `industry`, `行业`), optionally a second name, its
alias (`industry/行业`: either works in a command), and either fixed choices (each with an
optional alias too: `retail/零售`) or free text. Names are stored folded (NFKC, casefolded), so
`Industry` and `ｉｎｄｕｓｔｒｙ` are `industry`; choices are stored as the manager wrote them
and matched folded. A deal's value of a fixed field is always the choice itself (`retail`),
whichever of its names was typed.

Refusals are FieldError: its message is plain text quoting what was typed (escape it for
mrkdwn), `meant` the word a typo most likely meant.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.deal_command import RESERVED_WORDS
from bot.domain.text import Wording
from bot.i18n import _

__all__ = [
    "CHOICE_MAX",
    "EVENT_PREFIX",
    "MAX_CHOICES",
    "MAX_FIELDS",
    "NAME_MAX",
    "VALUE_MAX",
    "Choice",
    "DealField",
    "FieldError",
    "event_field",
    "field_of_event",
    "find_choice",
    "find_field",
    "fold",
    "name_problem",
    "words_of",
]

MAX_FIELDS = 5
NAME_MAX = 24
# A free-text value, and one choice (a Slack option's text is 75 characters, with its alias).
VALUE_MAX = 100
CHOICE_MAX = 30
MAX_CHOICES = 50
# A deal's history records a change of a field's value under this field name: `field:industry`.
EVENT_PREFIX = "field:"
# A shorter prefix of a choice ("re") is too easy to hit by accident.
_MIN_PREFIX = 3
_NAME = re.compile(r"[^\W\d_][\w-]*")
# Columns of `salesbot export deals` (bot.services.export.DEAL_COLUMNS, and those issue 17
# adds), and words other commands read where a field name would go (`/deal insights by owner`).
_COLUMNS = frozenset(
    {
        "id",
        "team_id",
        "customer",
        "amount",
        "currency",
        "stage",
        "owner_id",
        "close_date",
        "created_at",
        "updated_at",
        "closed_at",
        "title",
        "note",
        "next_step",
        "next_step_date",
        "forecast",
        "owner",
        "负责人",
        "by",
        "按",
    }
)
RESERVED = RESERVED_WORDS | _COLUMNS


@dataclass(frozen=True)
class Choice:
    """One fixed value of a field, as the manager wrote it, and its other name (or None)."""

    value: str
    alias: str | None = None


@dataclass(frozen=True)
class DealField:
    """A deal field of a team: its folded name and alias, and its choices (none: free text)."""

    id: int
    name: str
    alias: str | None
    choices: tuple[Choice, ...]
    position: int

    @property
    def fixed(self) -> bool:
        """Only its choices are values (else any text is)."""
        return bool(self.choices)

    @property
    def words(self) -> tuple[str, ...]:
        """What a command may call it."""
        return (self.name,) if self.alias is None else (self.name, self.alias)


class FieldError(ValueError):
    """A field name or value that is not one; `wording` says why (Salesbot's words, with the
    typed values apart), `meant` is what a typo most likely meant (None when nothing is close)."""

    def __init__(self, wording: Wording, meant: str | None = None) -> None:
        super().__init__(wording.plain())
        self.wording = wording
        self.meant = meant


def fold(text: str) -> str:
    """Text as names and choices are compared: NFKC (full-width to ASCII), casefolded, trimmed."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def name_problem(name: str) -> Wording | None:
    """Why this (folded) word cannot name a field, or None when it can."""
    if not name:
        return Wording(_("A field needs a name, such as `industry`."))
    if len(name) > NAME_MAX:
        return Wording(
            _("A field name has at most {most} characters: `{text}` has {count}."),
            {"most": NAME_MAX, "text": _shown(name), "count": len(name)},
        )
    if not _NAME.fullmatch(name):
        return Wording(
            _(
                "`{text}` can't name a field: use one word of letters, digits, - or _, "
                "starting with a letter, like `industry` or `行业`."
            ),
            {"text": _shown(name)},
        )
    if name in RESERVED:
        return Wording(
            _(
                "`{text}` already means something in `/deal` commands or exports; "
                "choose another name."
            ),
            {"text": name},
        )
    return None


def words_of(fields: Iterable[DealField]) -> frozenset[str]:
    """Every name and alias of the fields, as the /deal grammar takes them."""
    return frozenset(word for field in fields for word in field.words)


def find_field(text: str, fields: Sequence[DealField]) -> DealField:
    """The field a word names (its name or alias, folded)."""
    word = fold(text)
    for field in fields:
        if word in field.words:
            return field
    if not fields:
        raise FieldError(
            Wording(
                _("`{text}` is not a deal field: your team has none yet (`/salesbot fields`)."),
                {"text": _shown(text)},
            )
        )
    names = ", ".join(f.name for f in fields)
    found = difflib.get_close_matches(word, sorted(words_of(fields)), n=1, cutoff=0.6)
    raise FieldError(
        Wording(
            _("`{text}` is not a deal field of your team. Its fields: {names}."),
            {"text": _shown(text), "names": names},
        ),
        found[0] if found else None,
    )


def find_choice(field: DealField, text: str) -> Choice:
    """The choice of a fixed field that the text names: its value or alias, else a unique
    prefix of at least three letters."""
    word = fold(text)
    for choice in field.choices:
        if word in _choice_words(choice):
            return choice
    if len(word) >= _MIN_PREFIX:
        matches = [c for c in field.choices if any(w.startswith(word) for w in _choice_words(c))]
        if len(matches) == 1:
            return matches[0]
    words = [w for c in field.choices for w in _choice_words(c)]
    # `零售 谈判`: a choice, then a word that belongs elsewhere (a stage goes after the amount).
    first = word.split()[0] if word.split() else word
    found = [first] if first in words else difflib.get_close_matches(word, words, n=1, cutoff=0.6)
    meant = None
    if found:
        meant = next(c.value for c in field.choices if found[0] in _choice_words(c))
    raise FieldError(
        Wording(
            _("`{text}` is not one of the choices of `{field}`: {choices}."),
            {
                "text": _shown(text),
                "field": field.name,
                "choices": ", ".join(c.value for c in field.choices),
            },
        ),
        meant,
    )


def event_field(field: DealField) -> str:
    """The field name a deal's history records a change of this field's value under."""
    return EVENT_PREFIX + field.name


def field_of_event(name: str) -> str | None:
    """The deal field a history line's field name is (`field:industry`: industry), or None."""
    return name[len(EVENT_PREFIX) :] if name.startswith(EVENT_PREFIX) else None


def _choice_words(choice: Choice) -> tuple[str, ...]:
    value = fold(choice.value)
    return (value,) if choice.alias is None else (value, fold(choice.alias))


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"
