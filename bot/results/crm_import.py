"""What an import of a CRM's own deals export did (or, in a dry run, would do)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.domain.text import Wording

# Why an export's owner has no Salesbot owner.
OwnerProblem: TypeAlias = Literal["not_in_slack", "ambiguous", "unreachable", "not_in_team"]


@dataclass(frozen=True)
class OwnerMatch:
    """Who in Slack an export's owner (an e-mail address or a name) is (None: nobody)."""

    user_id: str | None
    problem: OwnerProblem | None = None


@dataclass(frozen=True)
class OwnerLine:
    """An owner of the export: the member their deals go to (None: nobody) and how many."""

    owner: str
    user_id: str | None
    problem: OwnerProblem | None
    rows: int
    # True when their deals go to --default-owner.
    defaulted: bool = False


@dataclass(frozen=True)
class StageLine:
    """One of the export's stages, the Salesbot stage it maps to, why, and how many rows."""

    label: str
    key: str | None
    how: str
    rows: int


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or the header, row 1) was refused, and in which column."""

    row: int
    column: str
    # Salesbot's words and the values for them as they are (a cell, an owner, a team name):
    # the view escapes them for mrkdwn and keeps them as typed for the CLI.
    reason: Wording


@dataclass(frozen=True)
class CrmImportReport:
    """An import of a CRM's export: every row went in, or (any problem) none did."""

    crm: str
    crm_name: str
    team_name: str
    rows: int
    created: int
    updated: int
    owners: tuple[OwnerLine, ...]
    stages: tuple[StageLine, ...]
    # Columns that are neither a field Salesbot reads nor one of the team's deal fields.
    ignored: tuple[str, ...]
    problems: tuple[RowProblem, ...]
    dry_run: bool

    @property
    def refused_rows(self) -> int:
        """How many rows have at least one problem (the header counts as one)."""
        return len({problem.row for problem in self.problems})


# The sender's renderers of a DM import (bot/sync/exports.py): the dry run's preview, and the
# import once Import is pressed. Both are slow work, so neither runs on the request path.
PREVIEW = "crm-import-preview"
RUN = "crm-import-run"


@dataclass(frozen=True)
class ImportShared:
    """A file shared in the bot's DM, taken for a preview (new: False when Slack sent the
    same file's message again)."""

    import_id: int
    team_name: str
    new: bool


@dataclass(frozen=True)
class ImportClaim:
    """What a press of Import did: claimed (the import is owed), underway, already imported,
    or nothing to import (its preview refused rows, or failed)."""

    state: Literal["claimed", "underway", "imported", "not_ready"]
    created: int = 0
    updated: int = 0
