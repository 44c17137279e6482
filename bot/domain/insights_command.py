"""`/deal insights [period] [@person|team] [by owner|field]` (Chinese `/deal 分析 本季度 按负责人`,
`/deal 分析 按行业`).

Rules worth knowing (all tested):

* A mention is the person; ``team``/``团队`` (or nothing) is the team.
* ``by <word>`` or ``按 <word>`` (also one word: ``按负责人``) splits the numbers into
  segments; the service knows which words name a dimension (``owner``, ``负责人``…, and
  each of the team's deal fields by its name or alias: ``industry``, ``行业``), so this
  grammar does not read the team's fields.
* Every other word is the period, read later against the team's today by
  ``bot.domain.periods.parse_period`` (what ``/target`` takes: ``quarter``, ``last month``,
  ``Q1 2027``, ``2026-10-01..2026-12-31``, ``上月``…); ``/deal report``'s own words work too
  (``monthly``, ``季度``). Without one, this month.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar import ParseError, quote_error, usage_line
from bot.domain.lexer import fold, lex, shown
from bot.domain.report_command import KIND_WORDS
from bot.domain.text import parse_mention
from bot.i18n import _

__all__ = ["OWNER_WORDS", "InsightsArgs", "parse_insights_args", "usage"]

_TEAM = frozenset({"team", "团队", "all", "全部"})
_BY = frozenset({"by", "per", "按"})
# The dimension every team has; the service maps these words to it.
OWNER_WORDS = frozenset({"owner", "owners", "rep", "reps", "person", "负责人", "销售", "人"})


@dataclass(frozen=True)
class InsightsArgs:
    """What to analyse: the period as typed (None: this month), for whom, split by what."""

    period_text: str | None = None
    user_id: str | None = None
    by: str | None = None


def usage() -> str:
    """The command's form and an example (mrkdwn)."""
    return usage_line(
        _("/deal insights [period] [@person|team] [by owner|field]"),
        _("/deal insights quarter by industry"),
        _("/deal insights last month by owner"),
    )


def parse_insights_args(text: str) -> InsightsArgs | ParseError:
    """Parse the words after `/deal insights`; never raises."""
    lexed = lex(text)
    if lexed.open_quote is not None:
        return quote_error(lexed, usage())
    period: list[str] = []
    user_id: str | None = None
    by: str | None = None
    tokens = list(lexed.tokens)
    index = 0
    while index < len(tokens):
        word = tokens[index].text
        folded = fold(word)
        index += 1
        if (mention := parse_mention(word)) is not None:
            if user_id is not None and mention != user_id:
                return ParseError(_("Name one person, or none for the whole team."), usage())
            user_id = mention
        elif folded in _TEAM:
            continue
        elif folded in _BY or (folded.startswith("按") and len(folded) > 1):
            if by is not None:
                return ParseError(_("Split by one thing at a time."), usage())
            if folded in _BY:
                if index >= len(tokens):
                    return ParseError(_("Split by what? Try `by owner`."), usage())
                folded = fold(tokens[index].text)
                index += 1
            else:
                folded = folded.removeprefix("按")
            by = folded
        else:
            period.append(word)
    period_text = " ".join(period) or None
    if period_text is not None and (kind := KIND_WORDS.get(fold(period_text))) is not None:
        period_text = kind
    if period_text is not None and len(period_text) > 60:
        return ParseError(
            _("I don't understand “{text}” in insights.").format(text=shown(period_text)),
            usage(),
        )
    return InsightsArgs(period_text, user_id, by)
