"""`/deal report [week|month|quarter] [@person|team]`.

Refusals are a ParseError (bot.domain.grammar; ReportError is the same class).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.domain.grammar import ParseError
from bot.domain.text import parse_mention
from bot.i18n import N_, _

ReportKind = Literal["week", "month", "quarter"]
USAGE = N_(
    "`/deal report [week|month|quarter] [@person|team]` — e.g. `/deal report month team`; "
    "the numbers here, the charts in your DM"
)
_KINDS: dict[str, ReportKind] = {
    "week": "week",
    "weekly": "week",
    "本周": "week",
    "周": "week",
    "month": "month",
    "monthly": "month",
    "本月": "month",
    "月": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "本季度": "quarter",
    "季度": "quarter",
}
_TEAM = frozenset({"team", "团队", "all"})
# The period words of a report, for the commands that take the same ones (/deal insights).
KIND_WORDS: Mapping[str, ReportKind] = _KINDS


@dataclass(frozen=True)
class ReportArgs:
    """What to report on: the week (just ended) or the month or quarter to date, for whom."""

    kind: ReportKind = "week"
    user_id: str | None = None


# The old name of the refusal type, still imported by the report handler.
ReportError = ParseError


def parse_report_args(text: str) -> ReportArgs | ParseError:
    """Parse the words after `/deal report`; never raises."""
    kind: ReportKind | None = None
    user_id: str | None = None
    for word in text.split():
        folded = word.casefold()
        if folded in _KINDS and kind is None:
            kind = _KINDS[folded]
        elif folded in _TEAM and user_id is None:
            continue
        elif (mention := parse_mention(word)) is not None and user_id is None:
            user_id = mention
        else:
            return ParseError(
                _("I don't understand “{word}” in a report.").format(word=word[:40]), _(USAGE)
            )
    return ReportArgs(kind or "week", user_id)
