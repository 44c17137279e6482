"""Slack's mrkdwn drawn for a terminal (with rich): bold, italic, strikes, code and quotes as
styles, mentions and channels by name, escapes decoded. Used by the console."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from rich.emoji import Emoji
from rich.text import Text

# One token of mrkdwn: a <…> reference, or a *bold*, _italic_, ~strike~ or `code` span.
_TOKEN = re.compile(
    r"<(?P<ref>[^<>\s][^<>]*)>"
    r"|(?P<code>`[^`\n]+`)"
    r"|(?<![\w*])\*(?P<bold>[^*\n]+)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic>[^_\n]+)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>[^~\n]+)~(?![\w~])"
)
_STYLES = {"bold": "bold", "italic": "italic", "strike": "strike", "code": "bold cyan"}
_QUOTE = re.compile(r"^(?:&gt;|>) ?")


class Names:
    """Who and what the ids of a workspace are, for showing `@bob` and `#sales`."""

    def __init__(self, people: Mapping[str, str], channels: Mapping[str, str]) -> None:
        self.people = dict(people)
        self.channels = dict(channels)

    def reference(self, ref: str) -> tuple[str, str]:
        """The text and style of a `<…>` reference."""
        target, _sep, label = ref.partition("|")
        if target.startswith("@"):
            user = target[1:]
            return f"@{label or self.people.get(user, user)}", "bold magenta"
        if target.startswith("#"):
            channel = target[1:]
            return f"#{label or self.channels.get(channel, channel)}", "bold blue"
        if target.startswith("!"):
            special = target[1:].split("^")[0]
            return f"@{label or special}", "bold red"
        return label or target, "underline"


def render(text: str, names: Names) -> Text:
    """One message's mrkdwn as styled terminal text."""
    out = Text()
    for number, line in enumerate(text.split("\n")):
        if number:
            out.append("\n")
        quoted = _QUOTE.match(line)
        if quoted:
            out.append("▌ ", style="dim")
            line = line[quoted.end() :]
        out.append_text(_inline(line, names))
    return out


def _plain(text: str) -> str:
    """Escapes decoded and :emoji: codes drawn, as Slack shows them."""
    return Emoji.replace(html.unescape(text))


def _inline(line: str, names: Names) -> Text:
    out = Text()
    position = 0
    for match in _TOKEN.finditer(line):
        out.append(_plain(line[position : match.start()]))
        kind = match.lastgroup
        value = match.group(kind or 0)
        if kind == "ref":
            shown, style = names.reference(value)
            out.append(html.unescape(shown), style=style)
        elif kind == "code":
            out.append(html.unescape(value[1:-1]), style=_STYLES["code"])
        else:
            out.append_text(_styled(value, _STYLES[kind or "bold"], names))
        position = match.end()
    out.append(_plain(line[position:]))
    return out


def _styled(inner: str, style: str, names: Names) -> Text:
    """A span's text (still escaped), itself possibly holding references or other spans."""
    text = _inline(inner, names)
    text.stylize(style)
    return text


# Where the stand-in's transcript says a line went: `#C1:`, `DM U2:`, `(only U2 sees)`.
_WHERE = re.compile(
    r"#(?P<channel>[CGD][A-Z0-9]+)\b"
    r"|\bDM (?P<dm>[DUW][A-Z0-9]+)\b"
    r"|\(only (?P<only>[UW][A-Z0-9]+) sees\)"
)


def where(prefix: str, names: Names) -> str:
    """A transcript line's prefix with ids as names: `#sales:`, `DM @bob:`, `(only @bob sees)`."""

    def named(match: re.Match[str]) -> str:
        if match.group("channel"):
            channel = match.group("channel")
            return f"#{names.channels.get(channel, channel)}"
        if match.group("dm"):
            user = match.group("dm")
            # A DM channel the stand-in did not open itself is named D + the user's id.
            if user.startswith("D") and user[1:] in names.people:
                user = user[1:]
            return f"DM @{names.people.get(user, user)}"
        user = match.group("only")
        return f"(only @{names.people.get(user, user)} sees)"

    return _WHERE.sub(named, prefix)
