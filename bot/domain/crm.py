"""What a CRM's deal looks like to Salesbot, and the rules that reconcile the two sides.

Pure: no I/O. The connectors (bot/crm/) turn a CRM's answers into these values; the sync
service (bot/services/crm.py) merges them into deals.

A linked deal remembers the value of each synced field both sides last agreed on (`synced`).
A side whose value differs from it changed that field; when both changed it to different
values, the later change wins (the CRM's time is the field's own change time when the CRM
says it, else the record's last modification).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, TypeAlias

# The fields that sync, in the order history records them. An amount carries its currency.
SYNCED_FIELDS = ("customer", "amount", "stage", "close_date", "owner", "next_step", "forecast")
SyncedField: TypeAlias = Literal[
    "customer", "amount", "stage", "close_date", "owner", "next_step", "forecast"
]
# What every CRM carries.
BASE_FIELDS = ("customer", "amount", "stage", "close_date", "owner")
# Field -> value as text (None: empty); what `CrmDealState.synced` stores.
Snapshot: TypeAlias = dict[str, str | None]
StageKind: TypeAlias = Literal["open", "won", "lost"]

CENT = Decimal("0.01")
# The CRMs a team can connect to live (bot/crm/registry.py has their connectors).
LIVE_CRMS = ("hubspot", "pipedrive", "zoho")
# The synced fields each CRM has beyond the base ones: HubSpot's `hs_next_step` and
# `hs_forecast_category`, Zoho's `Next_Step`. Pipedrive has neither on a deal (its "next
# activity" is read-only, made from activities), and none of them has a next step's date.
CRM_FIELDS: Mapping[str, tuple[str, ...]] = {
    "hubspot": (*BASE_FIELDS, "next_step", "forecast"),
    "pipedrive": BASE_FIELDS,
    "zoho": (*BASE_FIELDS, "next_step"),
}


def fields_of(crm: str) -> tuple[str, ...]:
    """The synced fields a CRM carries."""
    return CRM_FIELDS.get(crm, BASE_FIELDS)


@dataclass(frozen=True)
class RemoteDeal:
    """A deal as the CRM has it now."""

    record_id: str
    name: str
    amount: Decimal | None
    currency: str | None
    stage_id: str | None
    pipeline_id: str | None
    close_date: date | None
    owner_id: str | None
    modified_at: datetime
    # When each field last changed, where the CRM says (HubSpot's property history).
    changed_at: Mapping[str, datetime] = field(default_factory=dict)
    # The next step's text ("" none) and the forecast category (bot.domain.forecast; "" none
    # chosen), where the CRM has them (None: it does not).
    next_step: str | None = None
    forecast: str | None = None
    # The CRM's own values of the deal fields asked for, by the field's key (an enumeration's
    # raw option value; None or "": empty); a key left out was not read. `changed_at` holds
    # when one last changed as `custom:<key>`, where the CRM says.
    custom: Mapping[str, str | int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteField:
    """A deal field of the CRM's (a HubSpot deal property, a Pipedrive custom field, a Zoho
    Deals field): its key (internal name, 40-hex key, `api_name`), its label, and its options
    (raw value, label) where only those are values."""

    key: str
    label: str
    options: tuple[tuple[str | int, str], ...] = ()

    def label_of(self, raw: str | int | None) -> str | None:
        """The display value of a raw value (an option's label; None: empty)."""
        if raw is None or raw == "":
            return None
        for value, label in self.options:
            if str(value) == str(raw):
                return label
        return str(raw)

    def raw_of(self, value: str | None) -> str | int | None:
        """The raw value to write for a display value ("" : empty); None when the CRM has no
        option of that name."""
        if value is None or value == "":
            return ""
        if not self.options:
            return value
        wanted = field_word(value)
        for raw, label in self.options:
            if field_word(label) == wanted or field_word(str(raw)) == wanted:
                return raw
        return None


# A team field's value in a snapshot: `field:<name>`, as its history records it.
FIELD_KEY = "field:"
_IGNORED_IN_NAMES = re.compile(r"[\s_\-]+")


def field_word(text: str) -> str:
    """A name as matching compares it: NFKC, any case, without spaces, `_` or `-`."""
    return _IGNORED_IN_NAMES.sub("", unicodedata.normalize("NFKC", text).casefold())


def match_field(words: Sequence[str], remote: Sequence[RemoteField]) -> RemoteField | None:
    """The CRM field a team field (its name and alias) syncs with: the first whose key, else
    whose label, is the same name (case, spaces and underscores aside)."""
    wanted = [field_word(word) for word in words]
    for attribute in ("key", "label"):
        for word in wanted:
            for candidate in remote:
                if field_word(getattr(candidate, attribute)) == word:
                    return candidate
    return None


def fields_to_json(fields: Sequence[RemoteField]) -> list[dict[str, object]]:
    """CRM fields as the connection stores them."""
    return [
        {"key": f.key, "label": f.label, "options": [list(option) for option in f.options]}
        for f in fields
    ]


def fields_of_json(stored: object) -> list[RemoteField]:
    """CRM fields as the connection stored them (none when never read)."""
    if not isinstance(stored, list):
        return []
    return [
        RemoteField(
            str(item["key"]),
            str(item.get("label") or item["key"]),
            tuple((raw, str(label)) for raw, label in item.get("options") or []),
        )
        for item in stored
        if isinstance(item, dict) and "key" in item
    ]


@dataclass(frozen=True)
class RemoteStage:
    """A stage of one of the CRM's pipelines."""

    remote_id: str
    pipeline_id: str
    label: str
    position: int
    kind: StageKind
    probability: Decimal | None = None


@dataclass(frozen=True)
class RemoteOwner:
    """A CRM user who can own deals."""

    remote_id: str
    email: str
    name: str


@dataclass(frozen=True)
class WebhookEvent:
    """One change a webhook told of: which record, when, and the event's own id (retries of
    a delivery carry the same id)."""

    event_id: str
    record_id: str
    occurred_at: datetime
    account_id: str | None = None


@dataclass(frozen=True)
class Page:
    """Deals changed since a cursor, and the cursor to go on from once they are applied."""

    deals: tuple[RemoteDeal, ...]
    cursor: str | None


@dataclass(frozen=True)
class LocalStage:
    """A Salesbot stage as the default stage mapping sees it."""

    key: str
    label: str
    kind: str
    probability: Decimal
    position: int


def money_text(amount: Decimal, currency: str) -> str:
    """An amount as a snapshot holds it: to the cent, with its currency (`12000.00 CNY`)."""
    return f"{amount.quantize(CENT, ROUND_HALF_UP)} {currency}"


def money_of(text: str | None) -> tuple[Decimal, str] | None:
    """The amount and currency of a snapshot's `amount`."""
    if not text:
        return None
    number, _space, currency = text.partition(" ")
    return Decimal(number), currency


def snapshot(
    *,
    customer: str,
    amount: Decimal | None,
    currency: str,
    stage: str | None,
    close_date: date | None,
    owner: str | None,
    next_step: str | None = None,
    forecast: str | None = None,
    fields: Sequence[str] = BASE_FIELDS,
) -> Snapshot:
    """The synced fields of one side as text, comparable with the other side's: those in
    `fields` (the CRM's); an empty next step or forecast is None."""
    every: Snapshot = {
        "customer": customer,
        "amount": money_text(amount, currency) if amount is not None else None,
        "stage": stage,
        "close_date": close_date.isoformat() if close_date is not None else None,
        "owner": owner,
        "next_step": next_step or None,
        "forecast": forecast or None,
    }
    return {name: every[name] for name in fields}


@dataclass(frozen=True)
class Merge:
    """What reconciling one record does."""

    # Fields to set in Salesbot from the CRM.
    take: Snapshot
    # Fields both sides changed where Salesbot's later change won: the CRM's value, which
    # history records as overridden (and the push writes Salesbot's over it).
    overridden: Snapshot
    # What both sides agree on once this merge and the push it owes are done.
    synced: Snapshot
    # Salesbot holds a value the CRM does not have yet: a push is owed.
    push: bool


def merge(
    base: Mapping[str, str | None],
    local: Mapping[str, str | None],
    remote: Mapping[str, str | None],
    *,
    local_at: Mapping[str, datetime | None],
    remote_at: Mapping[str, datetime],
) -> Merge:
    """Reconcile one record, field by field, against what both sides last agreed on.

    Only fields in `remote` are considered (one the CRM's side could not be read for, an
    owner nobody in Slack has, is left out). A field only one side changed takes that side's
    value; both changed to the same value is agreement; both to different values: the later
    change wins (a tie goes to the CRM, whose change Salesbot learnt of last)."""
    take: Snapshot = {}
    overridden: Snapshot = {}
    synced: Snapshot = dict(base)
    push = False
    for name, theirs in remote.items():
        ours = local.get(name)
        # A field never agreed on (newly synced) counts as unchanged in the CRM.
        agreed = base.get(name, theirs)
        if theirs == ours:
            synced[name] = theirs
            continue
        crm_changed = theirs != agreed
        we_changed = ours != agreed
        if crm_changed and not we_changed:
            take[name] = theirs
            synced[name] = theirs
        elif we_changed and not crm_changed:
            push = True
        else:
            ours_at = local_at.get(name)
            if ours_at is not None and ours_at > remote_at[name]:
                overridden[name] = theirs
                synced[name] = theirs
                push = True
            else:
                take[name] = theirs
                synced[name] = theirs
    for name, ours in local.items():
        if name not in remote and name in base and ours != base[name]:
            push = True
    return Merge(take, overridden, synced, push)


def pending_push(base: Mapping[str, str | None], local: Mapping[str, str | None]) -> Snapshot:
    """The fields Salesbot holds that the CRM has not been told of yet."""
    return {name: value for name, value in local.items() if base.get(name) != value}


def default_stage_map(
    remote: Sequence[RemoteStage], local: Sequence[LocalStage]
) -> dict[str, str | None]:
    """Each CRM stage's Salesbot stage: won to won and lost to lost, an open one by name
    (key or label, any case), else by win probability (the nearest), else by position."""
    mapped: dict[str, str | None] = {}
    by_kind = {kind: [s for s in local if s.kind == kind] for kind in ("open", "won", "lost")}
    names = {name.casefold(): s.key for s in local for name in (s.key, s.label)}
    for stage in remote:
        if stage.kind != "open":
            closing = by_kind[stage.kind]
            mapped[stage.remote_id] = closing[0].key if closing else None
            continue
        named = names.get(stage.label.casefold())
        opened = by_kind["open"]
        if named is not None and named in {s.key for s in opened}:
            mapped[stage.remote_id] = named
        elif not opened:
            mapped[stage.remote_id] = None
        elif stage.probability is not None:
            probability = stage.probability
            nearest = min(opened, key=lambda s: (abs(s.probability - probability), s.position))
            mapped[stage.remote_id] = nearest.key
        else:
            same_pipeline = [s for s in remote if s.pipeline_id == stage.pipeline_id]
            open_ones = [s for s in same_pipeline if s.kind == "open"]
            index = open_ones.index(stage) if stage in open_ones else 0
            share = index / max(len(open_ones) - 1, 1)
            mapped[stage.remote_id] = opened[round(share * (len(opened) - 1))].key
    return mapped


def remote_stage_for(
    key: str,
    stages: Sequence[tuple[str, str, str | None]],
    pipeline_id: str | None,
    positions: Mapping[str, int] | None = None,
) -> tuple[str, str] | None:
    """The CRM stage (id, pipeline) to write for Salesbot stage `key`: the first mapped to it
    in the deal's pipeline, else in any pipeline; when none is mapped to it (several CRM stages
    may map to one of ours, and one of ours to none), the one whose Salesbot stage is nearest
    in the pipeline's order (`positions`: each Salesbot stage's). `stages`: (remote id,
    pipeline, Salesbot key), in the CRM's order."""

    def ranked(candidates: list[tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
        here = [s for s in candidates if s[1] == pipeline_id]
        return here + [s for s in candidates if s[1] != pipeline_id]

    for remote_id, pipeline, mapped in ranked(list(stages)):
        if mapped == key:
            return remote_id, pipeline
    if positions is None or key not in positions:
        return None
    mapped_ones = [s for s in ranked(list(stages)) if s[2] is not None and s[2] in positions]
    same_pipeline = [s for s in mapped_ones if s[1] == pipeline_id] or mapped_ones
    if not same_pipeline:
        return None
    nearest = min(same_pipeline, key=lambda s: abs(positions[str(s[2])] - positions[key]))
    return nearest[0], nearest[1]
