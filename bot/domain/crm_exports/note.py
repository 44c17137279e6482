"""The message a manager writes beside an export shared in the bot's DM: the same choices as
the command line's, in words: `hubspot`, `<#C0123|sales>` (the team), `default owner @ann`,
`stage "Appointment Scheduled=qualified"` (any number)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.crm_exports import formats
from bot.domain.deal_fields import fold

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_QUOTED = re.compile(r"[\"“”]([^\"“”]+=[^\"“”]+)[\"“”]")
_BARE = re.compile(r"(?<![\"“\w])([^\s\"“”=]+=[^\s\"“”=]+)")
_CRM_WORDS = {"纷享销客": "fxiaoke", "纷享": "fxiaoke", "zoho crm": "zoho"}


@dataclass(frozen=True)
class Note:
    """What the message beside the file chose (None: not said)."""

    crm: str | None = None
    team_channel: str | None = None
    default_owner: str | None = None
    stages: tuple[str, ...] = ()


def parse_note(text: str) -> Note:
    """The choices in a file's message; words it does not know are left alone."""
    user = _USER.search(text)
    channel = _CHANNEL.search(text)
    rest = _CHANNEL.sub(" ", _USER.sub(" ", text))
    stages = [m.group(1).strip() for m in _QUOTED.finditer(rest)]
    stages += [m.group(1) for m in _BARE.finditer(_QUOTED.sub(" ", rest))]
    folded = fold(_QUOTED.sub(" ", rest))
    crm = next((key for key in formats() if re.search(rf"\b{key}\b", folded)), None)
    crm = crm or next((key for word, key in _CRM_WORDS.items() if word in folded), None)
    return Note(
        crm=crm,
        team_channel=channel.group(1) if channel else None,
        default_owner=user.group(1) if user else None,
        stages=tuple(stages),
    )
