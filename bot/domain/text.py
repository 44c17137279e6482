"""Text hygiene for user input and for showing user text safely in Slack mrkdwn."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from bot.i18n import _, day

__all__ = [
    "MRKDWN",
    "PHRASE_LIMIT",
    "PLAIN",
    "Mention",
    "Mrkdwn",
    "Plain",
    "TextKind",
    "TextTooLongError",
    "Wording",
    "clean_text",
    "cut_plain",
    "escape_mrkdwn",
    "escape_mrkdwn_within",
    "parse_mention",
    "typed_phrase",
    "worded",
]


@dataclass(frozen=True)
class TextKind:
    """How Slack reads a string."""

    name: str


MRKDWN = TextKind("mrkdwn")
PLAIN = TextKind("plain_text")

# The rule, by type: a plain `str` that a result, a fact or a notice carries is raw, as someone
# typed or chose it (a customer, a stage label, a team name), and the view that puts it into
# mrkdwn escapes it. These two name text that is past that point (tests/views/test_escaping.py
# reads them to tell raw text from rendered).
Mrkdwn = Annotated[str, MRKDWN]
"""Text already written for mrkdwn: Salesbot's own markup and mentions, and user text only
as escape_mrkdwn left it."""
Plain = Annotated[str, PLAIN]
"""Text for a plain_text field (a header, a modal title, a button, an option): Slack shows it
as it is, so user text goes in as typed, never escaped, and is cut to the field's limit."""

# The longest date, period, time or list of days anyone types.
PHRASE_LIMIT = 60

# Slack has no escape for *, _, ~ and `; the `verbatim` flag only stops auto-linking,
# and zero-width spaces next to markers make Slack *apply* formatting (jsx-slack uses
# them to force it). So markers are swapped for look-alike characters: display-only,
# never store the result.
_LOOKALIKES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "*": "\u2217",  # ∗ asterisk operator
        "_": "\u02cd",  # ˍ modifier letter low macron
        "~": "\u223c",  # ∼ tilde operator
        "`": "\u02cb",  # ˋ modifier letter grave accent
        "\uff0a": "\ufe61",  # fullwidth ＊ -> small asterisk ﹡
        "\uff3f": "\u02cd",  # fullwidth ＿
        "\uff40": "\u02cb",  # fullwidth ｀
    }
)
# A line starting with ">" (even as &gt;) or "＞" is a Slack quote; an invisible soft
# hyphen in front stops that.
_QUOTE_START = re.compile(r"^([^\S\n]*)(&gt;|\uff1e)", re.MULTILINE)

# Bidi embeddings, overrides and isolates can reorder text to disguise it.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = re.compile(r"\r\n|[\r\u0085\u2028\u2029]")
# Zero-width characters are only stripped at the edges: inside text a ZWJ may be
# joining an emoji sequence or shaping a script. (No Unicode space is above U+3000.)
_EDGE_CHARS = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + (
    "\u200b\u200c\u200d\u2060\ufeff"
)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


@dataclass(frozen=True)
class Mention:
    """A Slack user named in a Wording: shown as a mention, `<@U123>`."""

    user_id: str

    def __format__(self, spec: str) -> str:
        return f"<@{self.user_id}>"


@dataclass(frozen=True)
class DealRefs:
    """Deals named in a Wording (those a name matches): their numbers and customers as typed,
    written `#12 Acme, #14 Acme` where the wording is rendered, each customer escaped for
    mrkdwn one by one."""

    deals: tuple[tuple[int, str], ...]

    def mrkdwn(self) -> Mrkdwn:
        return ", ".join(f"#{number} {escape_mrkdwn(customer)}" for number, customer in self.deals)

    def plain(self) -> Plain:
        return ", ".join(f"#{number} {customer}" for number, customer in self.deals)


@dataclass(frozen=True)
class Wording:
    """Salesbot's own words, translated, with `{placeholders}`, and the values for them as
    they are: what a service says without rendering it (a refusal, a warning, a title).

    A `str` value is what someone typed or chose: `mrkdwn()` escapes it, `plain()` keeps it as
    typed. DealRefs are listed, each customer escaped for mrkdwn. A date is written as every
    view writes one (`Dec 20`, `12月20日`: bot.i18n.day); any other value (a number, a Mention)
    is formatted as it is."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def mrkdwn(self) -> Mrkdwn:
        """The words for a mrkdwn field: every str value escaped."""
        if not self.values:
            return self.template
        return self.template.format_map(
            {
                k: escape_mrkdwn(v)
                if isinstance(v, str)
                else v.mrkdwn()
                if isinstance(v, DealRefs)
                else _shown(v)
                for k, v in self.values.items()
            }
        )

    def plain(self) -> Plain:
        """The words for a plain-text field (a form's field error): values as typed."""
        if not self.values:
            return self.template
        return self.template.format_map(
            {k: v.plain() if isinstance(v, DealRefs) else _shown(v) for k, v in self.values.items()}
        )


def _shown(value: object) -> object:
    # A datetime is no day: its zone is the view's to choose, so it is not written here.
    if isinstance(value, date) and not isinstance(value, datetime):
        return day(value)
    return value


def worded(template: str, **values: object) -> Wording:
    """`worded(_("{stage} is a closing stage."), stage=label)`: the label stays raw until
    the wording is rendered."""
    return Wording(template, values)


class TextTooLongError(ValueError):
    """Cleaned text is longer than allowed; the message is ready to show in Slack."""

    def __init__(self, length: int, max_len: int) -> None:
        super().__init__(
            _(
                "That text is {length} characters long; the limit here is {limit}. "
                "Please shorten it by {over}."
            ).format(length=f"{length:,}", limit=f"{max_len:,}", over=f"{length - max_len:,}")
        )
        self.length = length
        self.max_len = max_len


def escape_mrkdwn(text: str) -> Mrkdwn:
    """Make user text show literally in mrkdwn: no pings, links or formatting."""
    return _QUOTE_START.sub("\\1\u00ad\\2", text.translate(_LOOKALIKES))


def escape_mrkdwn_within(text: str, limit: int) -> Mrkdwn:
    """escape_mrkdwn, cut to at most `limit` characters once escaped (escaping can make text
    several times longer: `<` is `&lt;`). The cut is made in the text before escaping, so no
    entity is broken, and marked with "…"."""
    shown = escape_mrkdwn(text)
    if len(shown) <= limit:
        return shown
    low, high = 0, len(text)
    while low < high:  # the longest beginning whose escaped form fits beside the "…"
        middle = (low + high + 1) // 2
        if len(escape_mrkdwn(text[:middle])) < limit:
            low = middle
        else:
            high = middle - 1
    return escape_mrkdwn(text[:low]) + "…"


def cut_plain(text: str, limit: int) -> Plain:
    """Text for a plain_text field of at most `limit` characters, cut with "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_text(text: str, *, max_len: int, multiline: bool = False) -> str:
    """Strip control characters and stray whitespace, then enforce max_len."""
    text = unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", text))
    text = "".join(_keep(ch, multiline) for ch in text)
    text = _tidy_lines(text) if multiline else " ".join(text.split())
    text = text.strip(_EDGE_CHARS)
    if len(text) > max_len:
        raise TextTooLongError(len(text), max_len)
    return text


def typed_phrase(
    text: str, refuse: type[ValueError], *, empty: str, too_long: str, examples: str
) -> str:
    """A short typed phrase (a date, a period, days, a time) with its whitespace collapsed.

    Raises ``refuse`` when it is empty or longer than PHRASE_LIMIT. ``empty``, ``too_long``
    and ``examples`` are untranslated (N_) messages; both refusals take ``{examples}``
    and ``too_long`` also ``{text}``, the phrase cut at the limit.
    """
    shown = " ".join(text.split())
    if not shown:
        raise refuse(_(empty).format(examples=_(examples)))
    if len(shown) > PHRASE_LIMIT:
        raise refuse(_(too_long).format(text=shown[:PHRASE_LIMIT], examples=_(examples)))
    return shown


def parse_mention(token: str) -> str | None:
    """Return the user id in a Slack mention such as ``<@U123|name>``, else None."""
    match = _MENTION.fullmatch(token.strip())
    return match[1] if match else None


def _keep(ch: str, multiline: bool) -> str:
    if ch == "\n":
        return "\n" if multiline else " "
    if ch == "\t":
        return " "
    if ch in _BIDI_CONTROLS:
        return ""
    # Cc: C0/C1 controls incl. NUL; Cs: lone surrogates, which cannot be encoded to
    # UTF-8 and would fail later in Slack or the database.
    return "" if unicodedata.category(ch) in ("Cc", "Cs") else ch


def _tidy_lines(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    # More than one blank line in a row is almost always a paste artefact.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
