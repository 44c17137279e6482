"""Deal stages: the default funnel and resolving what a user typed to a stage."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.i18n import N_, _

__all__ = [
    "DEFAULT_STAGES",
    "Stage",
    "StageError",
    "StageKind",
    "is_stage_word",
    "resolve_stage",
    "shown_label",
]

StageKind = Literal["open", "won", "lost"]

# A shorter prefix ("pr", "lo") is too easy to hit by accident.
_MIN_PREFIX = 3


@dataclass(frozen=True)
class Stage:
    """One step of a team's funnel; probability is a fraction (0.25 means 25%)."""

    key: str
    label: str
    probability: Decimal
    kind: StageKind
    position: int


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("lead", N_("Lead"), Decimal("0.10"), "open", 1),
    Stage("qualified", N_("Qualified"), Decimal("0.25"), "open", 2),
    Stage("proposal", N_("Proposal"), Decimal("0.50"), "open", 3),
    Stage("negotiation", N_("Negotiation"), Decimal("0.75"), "open", 4),
    Stage("won", N_("Won"), Decimal("1.00"), "won", 5),
    Stage("lost", N_("Lost"), Decimal("0.00"), "lost", 6),
)
_DEFAULT_LABELS = frozenset((s.key, s.label) for s in DEFAULT_STAGES)

# Chinese words map to default stage keys; they only apply when the team has that key.
_ALIASES: dict[str, str] = {
    "线索": "lead",
    "商机": "qualified",
    "需求确认": "qualified",
    "方案": "proposal",
    "谈判": "negotiation",
    "赢单": "won",
    "成交": "won",
    "输单": "lost",
    "丢单": "lost",
}


class StageError(ValueError):
    """A typed stage was not recognised; the message lists the valid stages, and `meant` is
    the stage word a typo most likely meant (None when nothing is close)."""

    def __init__(self, message: str, meant: str | None = None) -> None:
        super().__init__(message)
        self.meant = meant


def resolve_stage(text: str, stages: Sequence[Stage]) -> Stage:
    """Find the stage a user meant by key, label, Chinese alias or unique 3+ letter prefix."""
    word = _fold(text)
    if not word:
        raise StageError(
            _("Please name a stage. Use one of: {stages}.").format(stages=_choices(stages))
        )
    found = _exact(word, stages) or _by_alias(word, stages)
    if found is not None:
        return found
    return _by_prefix(word, text.strip(), stages)


def shown_label(key: str, label: str) -> str:
    """A stage's name in the current language: a default stage's own label is translated, a
    label a manager chose is shown as written."""
    return _(label) if (key, label) in _DEFAULT_LABELS else label


def is_stage_word(text: str, stages: Sequence[Stage]) -> bool:
    """Tell whether the text names one of the stages."""
    try:
        resolve_stage(text, stages)
    except StageError:
        return False
    return True


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _exact(word: str, stages: Sequence[Stage]) -> Stage | None:
    return next((s for s in stages if word in (_fold(s.key), _fold(s.label))), None)


def _by_alias(word: str, stages: Sequence[Stage]) -> Stage | None:
    key = _ALIASES.get(word)
    return next((s for s in stages if s.key == key), None)


def _by_prefix(word: str, shown: str, stages: Sequence[Stage]) -> Stage:
    if len(word) >= _MIN_PREFIX:
        matches = [s for s in stages if _fold(s.key).startswith(word)]
        matches += [s for s in stages if _fold(s.label).startswith(word) and s not in matches]
        if len(matches) == 1:
            return matches[0]
        if matches:
            keys = [s.key for s in _ordered(matches)]
            names = _("{some} or {last}").format(some=", ".join(keys[:-1]), last=keys[-1])
            raise StageError(
                _("“{text}” could be {names}. Use one of: {stages}.").format(
                    text=shown, names=names, stages=_choices(stages)
                )
            )
    raise StageError(
        _("“{text}” is not a stage. Use one of: {stages}.").format(
            text=shown, stages=_choices(stages)
        ),
        meant=_closest(word, stages),
    )


def _closest(word: str, stages: Sequence[Stage]) -> str | None:
    """The stage key (or Chinese word) a typo most likely meant."""
    keys = {_fold(s.key) for s in stages}
    words = [*keys, *(w for w, key in _ALIASES.items() if key in keys)]
    found = difflib.get_close_matches(word, words, n=1, cutoff=0.7)
    return found[0] if found else None


def _ordered(stages: Sequence[Stage]) -> list[Stage]:
    return sorted(stages, key=lambda s: s.position)


def _choices(stages: Sequence[Stage]) -> str:
    return ", ".join(s.key for s in _ordered(stages))


def next_open(stages: Sequence[Stage], key: str) -> Stage | None:
    """The open stage after `key` (None after the last open one, or for a closed stage)."""
    open_stages = [s for s in stages if s.kind == "open"]
    keys = [s.key for s in open_stages]
    if key not in keys[:-1]:
        return None
    return open_stages[keys.index(key) + 1]
