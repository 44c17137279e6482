"""The weekly forecast call: forecast categories, which one a deal is in, what counts towards a
period, and how accurate a call was.

Rules (written down here, tested in tests/domain/test_forecast.py):

* Every open deal is in one category: ``commit``, ``best_case``, ``pipeline`` or ``omitted``.
  A rep may choose one for a deal; otherwise it follows the deal's stage: the stage's own
  category if a manager set one, else the default: the ``negotiation`` stage and every open
  stage after it is ``best_case``, every stage before it ``pipeline``.
* An open deal counts towards a period unless its close date falls after the period's end
  (overdue deals and deals without a close date count: they can still close in it); for a
  period that has not begun, deals due before its start do not count.
* A commit is what the rep expects to have won by the end of the period, so it includes what
  they have won in it already: the pre-filled commit is won so far + their open commit deals.
  Best case is won + commit deals + best-case deals. The weighted pipeline is every open deal
  that is not omitted, times its stage's probability.
* The gap to target is target − commit (negative: the commit is above the target).
* Accuracy is won ÷ commit × 100, rounded half-up to one decimal (``96.0%``), the same rule
  as a percent of target: 100.0% means the rep won exactly what they called, below means they
  called more than they won, above that they won more than they called.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bot.domain.grammar import ParseError
from bot.domain.periods import Period
from bot.domain.stages import Stage
from bot.domain.text import parse_mention
from bot.i18n import N_, _

Category = Literal["commit", "best_case", "pipeline", "omitted"]
CATEGORIES: tuple[Category, ...] = ("commit", "best_case", "pipeline", "omitted")
# What a rep or a manager types to go back to the stage's (or the default) category.
AUTO = "auto"
# The first stage of the default best case; every open stage after it is best case too.
BEST_CASE_FROM = "negotiation"

CATEGORY_NAMES: dict[Category, str] = {
    "commit": N_("Commit"),
    "best_case": N_("Best case"),
    "pipeline": N_("Pipeline"),
    "omitted": N_("Omitted"),
}
_WORDS: dict[str, Category | Literal["auto"]] = {
    "commit": "commit",
    "committed": "commit",
    "承诺": "commit",
    "best case": "best_case",
    "best_case": "best_case",
    "best-case": "best_case",
    "bestcase": "best_case",
    "best": "best_case",
    "最佳": "best_case",
    "最佳情况": "best_case",
    "pipeline": "pipeline",
    "管道": "pipeline",
    "omitted": "omitted",
    "omit": "omitted",
    "排除": "omitted",
    "auto": "auto",
    "自动": "auto",
    "default": "auto",
    "默认": "auto",
}
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


def category_name(category: Category) -> str:
    """A category as people call it, in the current language."""
    return _(CATEGORY_NAMES[category])


class CategoryError(ValueError):
    """A typed forecast category was not recognised; the message names the choices."""


def parse_category(text: str) -> Category | Literal["auto"]:
    """`commit`, `best case`, `pipeline`, `omitted` or `auto` (in English or Chinese)."""
    word = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    found = _WORDS.get(word)
    if found is None:
        raise CategoryError(
            _(
                "“{text}” is not a forecast category. Use commit, best case, pipeline, omitted "
                "or auto (承诺, 最佳, 管道, 排除, 自动)."
            ).format(text=text.strip()[:40])
        )
    return found


def category_of(value: str | None) -> Category | None:
    """A stored category (None: none stored, or one this version does not know)."""
    return next((c for c in CATEGORIES if c == value), None)


def default_category(stage: Stage, stages: Sequence[Stage]) -> Category:
    """The category a stage gives its deals when no manager chose one for it."""
    start = next((s.position for s in stages if s.key == BEST_CASE_FROM), None)
    if start is not None and stage.kind == "open" and stage.position >= start:
        return "best_case"
    return "pipeline"


def stage_category(stage: Stage, stages: Sequence[Stage], chosen: str | None) -> Category:
    """The category of a stage: the one a manager chose for it, else the default."""
    return category_of(chosen) or default_category(stage, stages)


def counts_in(close_date: date | None, period: Period, today: date) -> bool:
    """An open deal counts towards a period unless it is due to close after it, or, for a
    period not begun yet, before it (bot.services.forecast asks the database the same)."""
    if close_date is None:
        return True
    if close_date > period.end:
        return False
    return period.start <= today or close_date >= period.start


def week_of(day: date) -> date:
    """The Monday of the week a day is in: a forecast call is one per rep per week."""
    return day - timedelta(days=day.weekday())


def accuracy(won: Decimal, commit: Decimal) -> Decimal | None:
    """Won as a percent of the commit, half-up to 0.1 (None: nothing was committed)."""
    if commit <= 0:
        return None
    return (won * 100 / commit).quantize(_TENTH, rounding=ROUND_HALF_UP)


def weighted(value: Decimal, probability: Decimal) -> Decimal:
    """A value times its stage's probability, half-up to the cent."""
    return (value * probability).quantize(_CENT, rounding=ROUND_HALF_UP)


# --- `/deal forecast [period] [@person|team|mine]` -----------------------------------------

USAGE = N_(
    "`/deal forecast [period] [@person|team|mine]` — e.g. `/deal forecast`, "
    "`/deal forecast next month @maria`, `/deal 预测 本季度 团队`: target, won, commit, best "
    "case and weighted pipeline per rep, with last week's commit"
)
_TEAM = frozenset({"team", "all", "团队", "全部", "所有"})
_MINE = frozenset({"mine", "me", "my", "我的", "我"})


@dataclass(frozen=True)
class ForecastArgs:
    """Whose forecast (None: the team's; `mine`: the caller's) for which period (None: the
    current target period, as typed otherwise)."""

    period_text: str | None = None
    user_id: str | None = None
    mine: bool = False


def parse_forecast_args(text: str) -> ForecastArgs | ParseError:
    """The words after `/deal forecast`: a person, `team` or `mine`, and a period (the rest)."""
    user_id: str | None = None
    mine = False
    rest: list[str] = []
    for word in text.split():
        folded = word.casefold()
        mention = parse_mention(word)
        if mention is not None or folded in _TEAM or folded in _MINE:
            if user_id is not None or mine:
                return ParseError(_("Name one person, team or mine, not two."), _(USAGE))
            user_id, mine = mention, folded in _MINE
        elif word.startswith(("@", "＠")):
            return ParseError(
                _("“{word}” is not a mention: pick the person from Slack's list.").format(
                    word=word[:40]
                ),
                _(USAGE),
            )
        else:
            rest.append(word)
    return ForecastArgs(" ".join(rest) or None, user_id, mine)
