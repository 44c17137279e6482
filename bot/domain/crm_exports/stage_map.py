"""Which Salesbot stage each of an export's stages is: the manager's `--stage` first; a won or
lost stage (or status) to the team's won and lost; an open one by name (key, label or Chinese
alias), else by its place in the CRM's default pipeline; anything else is not mapped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.domain.crm_exports import ExportFormat
from bot.domain.deal_fields import fold
from bot.domain.stages import Stage, StageError, resolve_stage

How: TypeAlias = Literal["given", "won", "lost", "name", "position", "unmapped"]


@dataclass(frozen=True)
class Mapped:
    """One export stage's Salesbot stage (None: not mapped) and why."""

    label: str
    key: str | None
    how: How


class OverrideError(ValueError):
    """A `--stage` is not of the form `CRM stage=Salesbot stage`; the message says why."""


def parse_overrides(texts: Sequence[str], stages: Sequence[Stage]) -> dict[str, str]:
    """`Appointment Scheduled=qualified` (repeatable): the folded CRM stage -> a stage key."""
    found: dict[str, str] = {}
    for text in texts:
        label, equals, target = text.rpartition("=")
        if not equals or not label.strip() or not target.strip():
            raise OverrideError(
                f"“{text}” is not CRM stage=Salesbot stage, e.g. `Appointment Scheduled=qualified`"
            )
        try:
            found[fold(label)] = resolve_stage(target, stages).key
        except StageError as error:
            raise OverrideError(f"“{text}”: {error}") from None
    return found


def map_stage(
    label: str,
    export: ExportFormat,
    stages: Sequence[Stage],
    overrides: Mapping[str, str],
) -> Mapped:
    """The Salesbot stage for one of the export's stage names."""
    given = overrides.get(fold(label))
    if given is not None:
        return Mapped(label, given, "given")
    kind = export.kind_of(label)
    if kind in ("won", "lost"):
        closing = [s for s in stages if s.kind == kind]
        return Mapped(label, closing[0].key if closing else None, kind if closing else "unmapped")
    opened = [s for s in stages if s.kind == "open"]
    named = _by_name(label, opened)
    if named is not None:
        return Mapped(label, named.key, "name")
    pipeline = [fold(name) for name in export.open_stages]
    if fold(label) in pipeline and opened:
        share = pipeline.index(fold(label)) / max(len(pipeline) - 1, 1)
        return Mapped(label, opened[round(share * (len(opened) - 1))].key, "position")
    return Mapped(label, None, "unmapped")


def _by_name(label: str, opened: Sequence[Stage]) -> Stage | None:
    try:
        found = resolve_stage(label, opened)
    except StageError:
        return None
    # A prefix ("Qual…") is a guess at what a person typed; an export's name is exact.
    exact = {fold(found.key), fold(found.label)}
    return found if fold(label) in exact or not label.isascii() else None
