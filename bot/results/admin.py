"""What /salesbot commands hand to views: teams, managers, stages, team settings, language.

Names a manager or a Slack channel chose (team names, stage labels) are carried as written;
the view escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain.amounts import Money
from bot.domain.deal_fields import DealField
from bot.domain.periods import Period
from bot.domain.stages import Stage
from bot.results.activities import KindsListed
from bot.results.facts import Person, TargetFacts
from bot.results.forecast import ForecastMapped, ForecastMapping


@dataclass(frozen=True)
class TeamSetUp:
    """A channel was made a sales team (or already was: `created` False), members brought in."""

    team_name: str
    created: bool
    member_user_ids: tuple[str, ...]
    currency: str
    timezone: str


@dataclass(frozen=True)
class TeamListed:
    """Who is in a team."""

    team_name: str
    member_user_ids: tuple[str, ...]


@dataclass(frozen=True)
class AddedToTeam:
    """A member was put into a team (`already`: they were in it; `moved`: they left another)."""

    user_id: str
    team_name: str
    already: bool = False
    moved: bool = False


@dataclass(frozen=True)
class RemovedFromTeam:
    """A member was taken out of a team (`removed` False: they were not in it)."""

    user_id: str
    team_name: str
    removed: bool


@dataclass(frozen=True)
class ManagerChanged:
    """A member was named (`manager`) or un-named a manager.

    `changed` False: they already were (or were not). `slack_admin`: un-naming a Slack
    workspace admin changes nothing, they are always a manager.
    """

    user_id: str
    manager: bool
    changed: bool
    slack_admin: bool = False


@dataclass(frozen=True)
class ManagersListed:
    """Everyone named a manager or a Slack workspace admin (empty: only Slack admins)."""

    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class StagesListed:
    """The workspace's stages, in pipeline order (labels as shown)."""

    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class StageAdded:
    """A new open stage, and the stages with it."""

    label: str
    probability: Decimal
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class StageReweighted:
    """A stage's probability changed (label as shown)."""

    label: str
    probability: Decimal


@dataclass(frozen=True)
class StageRenamed:
    """A stage's display name changed (old label as shown, new one as typed)."""

    old_label: str
    new_label: str


@dataclass(frozen=True)
class KeyDealSetting:
    """A team's key-deal alerts: open deals worth at least `size` (None: off) with no change
    for `days` are told to the managers. `changed`: what the command set ("" when shown)."""

    team_name: str
    size: Money | None
    days: int
    changed: str = ""


@dataclass(frozen=True)
class CurrencySet:
    """A team's reporting currency changed at once (it had nothing to convert), or already
    was this one (`already`)."""

    team_name: str
    currency: str
    already: bool = False


@dataclass(frozen=True)
class TargetConverted:
    """A money target in the old team currency and in the new (`member` None: the team's)."""

    target: TargetFacts
    member: Person | None
    period: Period
    old_amount: Decimal
    new_amount: Decimal


@dataclass(frozen=True)
class RateRebased:
    """One row of the rate table: 1 `currency` = `old_rate` of the old team currency, and
    `new_rate` of the new one (old None: a new row, for the old team currency; new None:
    dropped, it is the new team currency)."""

    currency: str
    old_rate: Decimal | None
    new_rate: Decimal | None


@dataclass(frozen=True)
class BonusConverted:
    """A reward tier's bonus in the old team currency and in the new."""

    rule_id: int
    name: str
    old_bonus: Decimal
    new_bonus: Decimal


@dataclass(frozen=True)
class CurrencyChange:
    """What switching a team's currency converts: proposed (`done` False: nothing written
    until Confirm, which carries `key` so it is done once) or done.

    `rate`: how much of the new currency one unit of the old is worth. `deals`: the team's
    deals per currency as entered (they keep their amounts and count through the rates)."""

    team_id: int
    team_name: str
    old_currency: str
    new_currency: str
    rate: Decimal
    targets: tuple[TargetConverted, ...]
    rates: tuple[RateRebased, ...]
    bonuses: tuple[BonusConverted, ...]
    deals: tuple[tuple[str, int], ...]
    key: str
    done: bool = False
    # The key-deal size (`/salesbot keydeal`), old and converted (None: alerts are off).
    key_deal: tuple[Decimal, Decimal] | None = None


@dataclass(frozen=True)
class CurrencyAlreadyChanged:
    """Confirm was pressed for a switch that is already done (a second press, a retry)."""

    team_name: str
    currency: str


@dataclass(frozen=True)
class StaleDaysSet:
    """After how many idle days a team's deal counts as stale."""

    days: int


@dataclass(frozen=True)
class FxRate:
    """One unit of `currency` is worth `rate` of the team currency."""

    currency: str
    rate: Decimal


@dataclass(frozen=True)
class FxRateSet:
    """A team's exchange rate was set."""

    team_name: str
    team_currency: str
    rate: FxRate


@dataclass(frozen=True)
class FxRatesListed:
    """A team's exchange rates, by currency."""

    team_currency: str
    rates: tuple[FxRate, ...]


@dataclass(frozen=True)
class FieldsListed:
    """A team's deal fields, in order (names and choices as stored, for the view to escape)."""

    team_name: str
    fields: tuple[DealField, ...]


@dataclass(frozen=True)
class FieldAdded:
    """A deal field was added to a team; `fields`: all of them now."""

    team_name: str
    added: DealField
    fields: tuple[DealField, ...]


@dataclass(frozen=True)
class FieldRemoved:
    """A deal field was removed, with the values `values` deals had for it."""

    team_name: str
    name: str
    values: int
    fields: tuple[DealField, ...]


@dataclass(frozen=True)
class LanguageShown:
    """The language the caller is answered in."""

    language: str


@dataclass(frozen=True)
class LanguageSet:
    """A language was chosen, for the caller or (`workspace`) the workspace's default."""

    language: str
    workspace: bool


Result = (
    KeyDealSetting
    | TeamSetUp
    | TeamListed
    | AddedToTeam
    | RemovedFromTeam
    | ManagerChanged
    | ManagersListed
    | StagesListed
    | StageAdded
    | StageReweighted
    | StageRenamed
    | CurrencySet
    | CurrencyChange
    | CurrencyAlreadyChanged
    | StaleDaysSet
    | FxRateSet
    | FxRatesListed
    | LanguageShown
    | LanguageSet
    | FieldsListed
    | FieldAdded
    | FieldRemoved
    | ForecastMapping
    | ForecastMapped
    | KindsListed
)
