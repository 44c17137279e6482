"""Every value Salesbot reads back from an interaction, decoded in one place.

Slack hands back what the app put into a button's value, a form's private_metadata and a form's
fields, but a request is only as trustworthy as whoever could sign it, so nothing is taken on
faith: each value is read here into a small typed value within bounds (a deal reference is a
positive integer below 2**31, a page a bounded non-negative one, JSON an object of the keys and
types expected, strings no longer than the form allows), or refused with `Invalid(reason)`.
A handler answers that with the friendly "expired or not valid" refusal, logs the reason at
INFO, and writes nothing.

A form's private_metadata carries ids (a channel, a deal, a team), so it is sealed: an HMAC,
with a key derived from the signing secret (never the secret itself), over the form's callback
id, the workspace, the user and the data. Metadata edited, or moved to another form, person or
workspace, is refused. A guard question's buttons carry a proof of their key the same way.

Pure rules: no I/O (json, hmac and the Slack id shapes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain.amounts import MAX_AMOUNT, Money
from bot.domain.deal_fields import MAX_FIELDS
from bot.domain.deal_fields import VALUE_MAX as FIELD_VALUE_MAX
from bot.domain.report_command import ReportArgs, ReportKind
from bot.domain.slack_ids import is_id

# A database integer: anything above it is not a row of ours (and overflows PostgreSQL).
MAX_ID = 2**31 - 1
# Slack's limits: a button's value, a view's private_metadata, an action or callback id.
VALUE_MAX = 2000
METADATA_MAX = 3000
NAME_MAX = 255
# Further than anyone pages: a deal list's offset, an App Home page.
MAX_OFFSET = 1_000_000
MAX_PAGE = 100_000
# The New deal form's fields and their longest values (its inputs' max_length; a stage is
# picked by key, a date by the date picker).
DEAL_FORM: Mapping[str, int] = {
    "customer": 200,
    "title": 200,
    "amount": 40,
    "currency": 3,
    "stage": 80,
    "close": 10,
    "note": 2000,
    "next_step": 200,
    "next_step_date": 10,
}
# App Home's Log form: a kind (picked by key), how many, a note.
LOG_FORM: Mapping[str, int] = {"kind": 24, "count": 6, "note": 500}
# A deal field's input in those forms is `field_<its id>`; the ids a form was opened with are
# sealed in its metadata (`f`), and only those are read back.
FIELD_BLOCK = re.compile(r"field_([1-9][0-9]{0,9})")
# The check-in form: up to five answers, and up to MOVES deals to move (as many as the form
# offers: bot.results.standup.MAX_MOVES).
MOVES = 5
# The activity counters it offers (bot.results.standup.MAX_COUNTERS).
COUNTERS = 5
CHECK_IN_FORM: Mapping[str, int] = {
    **{f"q{i}": 2000 for i in range(5)},
    **{f"move{n}_{part}": 2000 for n in range(MOVES) for part in ("deal", "stage", "amount")},
    # A move's next step and its date (the date picker's).
    **{f"move{n}_next": 200 for n in range(MOVES)},
    **{f"move{n}_next_date": 10 for n in range(MOVES)},
    # On the report day: the rep's commit and why it differs from the suggestion.
    "commit": 40,
    "commit_reason": 500,
    # How many of each activity kind today (the kinds sealed in the metadata, `k`).
    **{f"act{n}": 6 for n in range(COUNTERS)},
}
CONFIG_FORM: Mapping[str, int] = {
    field: 2000 for field in ("time", "days", "tz", "questions", "reminder", "close")
}
# The CRM connect forms' fields and their longest values, by CRM (bot/views/crm.py), and all
# of them together (what a submitted connect form may carry).
CRM_FORMS: Mapping[str, Mapping[str, int]] = {
    "hubspot": {"token": 500, "client_secret": 200},
    "pipedrive": {"api_token": 200, "company_domain": 100},
    "zoho": {"client_id": 200, "client_secret": 200, "refresh_token": 500, "data_centre": 10},
}
CRM_FORM: Mapping[str, int] = {
    field: longest for fields in CRM_FORMS.values() for field, longest in fields.items()
}
# What a guard's proof of its key is signed for.
GUARD_PURPOSE = "deal_guard"
# A question's key, as the guards make them (the form's: its view id).
GUARD_KEY = re.compile(r"confirm:[0-9a-f]{32}|view:[A-Za-z0-9_-]{1,40}")
VIEW_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
CURRENCY = re.compile(r"[A-Z]{3}")
CURRENCY_KEY = re.compile(r"[0-9a-f]{32}")
TIMESTAMP = re.compile(r"[0-9]{1,12}\.[0-9]{1,8}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DIGITS = re.compile(r"[1-9][0-9]{0,9}")
REPORT_KINDS: Mapping[str, ReportKind] = {"week": "week", "month": "month", "quarter": "quarter"}
_MAC_BYTES = 16


class Invalid(ValueError):
    """A value that does not decode; `reason` names what, for the log (never the value)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- the envelope


def check_envelope(payload: Mapping[str, Any]) -> None:
    """What bolt itself reads of an interaction before any listener runs (its type, the first
    action, the view's callback id and type, the channel, enterprise and authorizations), so
    a malformed one is refused before bolt can trip over it."""
    kind = payload.get("type")
    if not isinstance(kind, str) or len(kind) > NAME_MAX:
        raise Invalid("type")
    for part in ("channel", "enterprise", "team", "user"):
        if payload.get(part) is not None and not isinstance(payload[part], dict):
            raise Invalid(part)
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        raise Invalid("authorizations")
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
            raise Invalid("actions")
        if not _name(actions[0].get("action_id")):
            raise Invalid("action_id")
        if actions[0].get("block_id") is not None and not _name(actions[0]["block_id"]):
            raise Invalid("block_id")
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict):
            raise Invalid("view")
        if not _name(view.get("callback_id")) or not _name(view.get("type")):
            raise Invalid("view")


def caller(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """The workspace and user of an interaction, when they are shaped as Slack's."""
    workspace_id = _inner(body, "team", "id")
    user_id = _inner(body, "user", "id")
    if is_id("team", workspace_id) and is_id("user", user_id):
        return str(workspace_id), str(user_id)
    return None


def reply_url(body: Mapping[str, Any]) -> str | None:
    """The response_url to answer a press on, when it is one."""
    url = body.get("response_url")
    if isinstance(url, str) and len(url) <= VALUE_MAX and url.startswith(("https://", "http://")):
        return url
    return None


@dataclass(frozen=True)
class Press:
    """A button pressed: by whom, where, which one, and its value (decoded further below)."""

    workspace_id: str
    user_id: str
    channel_id: str | None
    action_id: str
    value: str
    trigger_id: str | None
    response_url: str | None
    # The message the button is on (its ts), where it has one.
    message_ts: str | None


def press(body: Mapping[str, Any]) -> Press:
    """A block_actions payload's caller and first action."""
    ids = caller(body)
    if ids is None:
        raise Invalid("caller")
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(action, dict) or not _name(action.get("action_id")):
        raise Invalid("actions")
    value = action.get("value", "")
    if not isinstance(value, str) or len(value) > VALUE_MAX:
        raise Invalid("value")
    trigger_id = body.get("trigger_id")
    if trigger_id is not None and not _name(trigger_id):
        raise Invalid("trigger_id")
    container = body.get("container")
    message_ts = container.get("message_ts") if isinstance(container, dict) else None
    if message_ts is None:
        message_ts = action.get("action_ts")
    if message_ts is not None and not (
        isinstance(message_ts, str) and TIMESTAMP.fullmatch(message_ts)
    ):
        raise Invalid("message_ts")
    return Press(
        workspace_id=ids[0],
        user_id=ids[1],
        channel_id=_channel(body),
        action_id=action["action_id"],
        value=value,
        trigger_id=trigger_id,
        response_url=reply_url(body),
        message_ts=message_ts,
    )


@dataclass(frozen=True)
class Submission:
    """A form submitted: by whom, which form, its metadata (still sealed) and its fields."""

    workspace_id: str
    user_id: str
    callback_id: str
    view_id: str | None
    metadata: str
    # Every field by block id ('' when left empty or not sent).
    values: Mapping[str, str]


def submission(
    body: Mapping[str, Any], fields: Mapping[str, int], *, state: bool = True
) -> Submission:
    """A view_submission payload, its fields read as `fields` allows (block id: longest);
    `state` False: its envelope only (values empty), for a form whose metadata says more."""
    ids = caller(body)
    if ids is None:
        raise Invalid("caller")
    view = body.get("view")
    if not isinstance(view, dict) or not _name(view.get("callback_id")):
        raise Invalid("view")
    view_id = view.get("id")
    if view_id is not None and not (isinstance(view_id, str) and VIEW_ID.fullmatch(view_id)):
        raise Invalid("view_id")
    metadata = view.get("private_metadata", "")
    if not isinstance(metadata, str) or len(metadata) > METADATA_MAX:
        raise Invalid("metadata")
    return Submission(
        workspace_id=ids[0],
        user_id=ids[1],
        callback_id=view["callback_id"],
        view_id=view_id,
        metadata=metadata,
        values=_state(view.get("state", {}), fields) if state else {},
    )


def deal_submission(body: Mapping[str, Any], seal: Seal) -> Submission:
    """A submitted New or Edit deal form: DEAL_FORM's fields and the deal fields it was opened
    with (their ids sealed in its metadata, bot.domain.payloads.deal_fields_of)."""
    opened = submission(body, DEAL_FORM, state=False)
    ids = deal_fields_of(seal, opened)
    view = body["view"]
    fields = {**DEAL_FORM, **{field_block(i): FIELD_VALUE_MAX for i in ids}}
    return Submission(
        workspace_id=opened.workspace_id,
        user_id=opened.user_id,
        callback_id=opened.callback_id,
        view_id=opened.view_id,
        metadata=opened.metadata,
        values=_state(view.get("state", {}), fields),
    )


def log_submission(body: Mapping[str, Any], seal: Seal) -> tuple[Submission, int, int]:
    """A submitted Log form, the deal it logs on (sealed in its metadata) and how many."""
    submitted = submission(body, LOG_FORM)
    deal = deal_of(seal, submitted)
    count = submitted.values["count"].strip()
    if not (count.isascii() and count.isdigit() and len(count) <= 3 and 1 <= int(count) <= 100):
        raise Invalid("count")
    if not submitted.values["kind"]:
        raise Invalid("kind")
    return submitted, deal, int(count)


def field_block(field_id: int) -> str:
    """The block id of a deal field's input in the deal forms."""
    return f"field_{field_id}"


def field_block_id(block_id: str) -> int | None:
    """The deal field a form's block id is the input of, or None."""
    match = FIELD_BLOCK.fullmatch(block_id)
    return int(match[1]) if match else None


def deal_fields_of(seal: Seal, submitted: Submission) -> tuple[int, ...]:
    """The deal fields a deal form was opened with (none when its metadata names none)."""
    ids = seal.open(submitted).get("f", [])
    if not isinstance(ids, list) or len(ids) > MAX_FIELDS:
        raise Invalid("metadata")
    return tuple(_id(i) for i in ids)


def _state(state: object, fields: Mapping[str, int]) -> dict[str, str]:
    if not isinstance(state, dict):
        raise Invalid("state")
    blocks = state.get("values", {})
    if not isinstance(blocks, dict):
        raise Invalid("state")
    values = dict.fromkeys(fields, "")
    for block_id, actions in blocks.items():
        if block_id not in fields:
            raise Invalid("unknown_field")
        # Each of our inputs has one element, whose action id is "value".
        if not isinstance(actions, dict) or set(actions) - {"value"}:
            raise Invalid("field")
        text = _element(actions.get("value", {}))
        if len(text) > fields[block_id]:
            raise Invalid("field_too_long")
        values[block_id] = text
    return values


def _element(element: object) -> str:
    """What one input holds: typed text, the picked option's value or the picked date."""
    if not isinstance(element, dict):
        raise Invalid("field")
    if "selected_option" in element:
        option = element["selected_option"]
        if option is None:
            return ""
        if not isinstance(option, dict):
            raise Invalid("field")
        return _text(option.get("value"), VALUE_MAX, "field")
    if "selected_date" in element:
        picked = element["selected_date"]
        if picked is None:
            return ""
        if not (isinstance(picked, str) and ISO_DATE.fullmatch(picked)):
            raise Invalid("field")
        return picked
    return _text(element.get("value"), VALUE_MAX, "field")


# ------------------------------------------------------------------------- sealed metadata


@dataclass(frozen=True)
class Seal:
    """Signs what the app hands out and must get back unchanged (a form's private_metadata, a
    question's key), for one purpose, workspace and user."""

    key: bytes

    @classmethod
    def derived_from(cls, signing_secret: str) -> Seal:
        """The seal of a deployment: its own key, derived so the signing secret is not reused."""
        return cls(hmac.new(signing_secret.encode(), b"private_metadata", hashlib.sha256).digest())

    def sign(self, purpose: str, workspace_id: str, user_id: str, text: str) -> str:
        """A short MAC of `text` for this purpose, workspace and user."""
        message = json.dumps([purpose, workspace_id, user_id, text]).encode()
        mac = hmac.new(self.key, message, hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def verify(self, purpose: str, workspace_id: str, user_id: str, text: str, mac: object) -> None:
        """Invalid unless `mac` is this seal's for the same purpose, workspace, user and text."""
        expected = self.sign(purpose, workspace_id, user_id, text)
        if not (isinstance(mac, str) and hmac.compare_digest(mac.encode(), expected.encode())):
            raise Invalid("signature")

    def seal(self, purpose: str, workspace_id: str, user_id: str, data: Mapping[str, Any]) -> str:
        """`data` as sealed private_metadata: its JSON, a dot, its MAC."""
        text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        return f"{text}.{self.sign(purpose, workspace_id, user_id, text)}"

    def open(self, submitted: Submission) -> dict[str, Any]:
        """The data sealed into a submitted form's metadata, for that form, workspace and user."""
        text, dot, mac = submitted.metadata.rpartition(".")
        if not dot:
            raise Invalid("unsigned_metadata")
        self.verify(submitted.callback_id, submitted.workspace_id, submitted.user_id, text, mac)
        return _object(text)


def new_deal_metadata(
    seal: Seal,
    purpose: str,
    workspace_id: str,
    user_id: str,
    to: str,
    fields: tuple[int, ...] = (),
) -> str:
    """The New deal form's metadata: where its confirmation goes (a channel, or the DM), and
    the deal fields it shows."""
    data: dict[str, Any] = {"c": to}
    if fields:
        data["f"] = list(fields)
    return seal.seal(purpose, workspace_id, user_id, data)


def new_deal_destination(seal: Seal, submitted: Submission) -> str:
    """Where a submitted New deal form's confirmation goes: the channel it was opened in, or
    the caller's own DM (App Home)."""
    to = seal.open(submitted).get("c")
    if is_id("channel", to) or to == submitted.user_id:
        return str(to)
    raise Invalid("metadata")


def deal_metadata(
    seal: Seal,
    purpose: str,
    workspace_id: str,
    user_id: str,
    deal_id: int,
    fields: tuple[int, ...] = (),
) -> str:
    """The Edit deal form's metadata: the deal it edits, and the deal fields it shows."""
    data: dict[str, Any] = {"d": deal_id}
    if fields:
        data["f"] = list(fields)
    return seal.seal(purpose, workspace_id, user_id, data)


def deal_of(seal: Seal, submitted: Submission) -> int:
    """The deal a submitted Edit deal form edits."""
    return _id(seal.open(submitted).get("d"))


def team_metadata(seal: Seal, purpose: str, workspace_id: str, user_id: str, team_id: int) -> str:
    """The stand-up settings form's metadata: the team whose settings it shows."""
    return seal.seal(purpose, workspace_id, user_id, {"t": team_id})


def team_of(seal: Seal, submitted: Submission) -> int:
    """The team a submitted stand-up settings form is for."""
    return _id(seal.open(submitted).get("t"))


def day_metadata(
    seal: Seal,
    purpose: str,
    workspace_id: str,
    user_id: str,
    day: date,
    kinds: tuple[str, ...] = (),
) -> str:
    """The check-in form's metadata: the day it was opened for, and the activity kinds of its
    counters (`act0`, `act1`, … in this order)."""
    data: dict[str, Any] = {"day": day.isoformat()}
    if kinds:
        data["k"] = list(kinds[:COUNTERS])
    return seal.seal(purpose, workspace_id, user_id, data)


def counter_kinds(seal: Seal, submitted: Submission) -> tuple[str, ...]:
    """The activity kinds of a submitted check-in form's counters (none: it had none)."""
    kinds = seal.open(submitted).get("k", [])
    if not (
        isinstance(kinds, list)
        and len(kinds) <= COUNTERS
        and all(isinstance(k, str) and 0 < len(k) <= 24 for k in kinds)
    ):
        raise Invalid("metadata")
    return tuple(kinds)


def day_of(seal: Seal, submitted: Submission) -> date:
    """The day a submitted check-in form was opened for."""
    day = seal.open(submitted).get("day")
    if not (isinstance(day, str) and ISO_DATE.fullmatch(day)):
        raise Invalid("metadata")
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise Invalid("metadata") from None


def crm_metadata(
    seal: Seal, purpose: str, workspace_id: str, user_id: str, team_id: int, crm: str
) -> str:
    """A CRM connect form's metadata: the team it connects, and to which CRM."""
    return seal.seal(purpose, workspace_id, user_id, {"t": team_id, "k": crm})


@dataclass(frozen=True)
class CrmForm:
    """A submitted CRM connect form: the team, the CRM, and the credentials as typed
    (surrounding spaces dropped; '' when left empty)."""

    team_id: int
    crm: str
    credentials: Mapping[str, str]


def crm_form(seal: Seal, submitted: Submission) -> CrmForm:
    """A CRM connect form's team, CRM and credentials (only that CRM's fields)."""
    data = seal.open(submitted)
    crm = data.get("k")
    if not isinstance(crm, str) or crm not in CRM_FORMS:
        raise Invalid("crm")
    fields = CRM_FORMS[crm]
    if any(submitted.values.get(field) for field in set(CRM_FORM) - set(fields)):
        raise Invalid("unknown_field")
    credentials = {field: submitted.values.get(field, "").strip() for field in fields}
    return CrmForm(_id(data.get("t")), crm, credentials)


def team_ref(value: str) -> int:
    """A button's team (the CRM state's Disconnect)."""
    return _digits(value)


def check_in_values(submitted: Submission) -> Mapping[str, str]:
    """A check-in form's answers and moves; a move's deal is one of the form's options, a deal
    number."""
    for n in range(MOVES):
        picked = submitted.values.get(f"move{n}_deal", "")
        if picked:
            _digits(picked)
    return submitted.values


# ---------------------------------------------------------------------------- button values


def deal_ref(value: str) -> int:
    """A button's deal number (App Home): digits, from 1 to MAX_ID."""
    return _digits(value)


def import_ref(value: str) -> int:
    """The Import button's import (a CRM export shared in the DM)."""
    return _digits(value)


def prompt_ref(value: str) -> int:
    """The check-in button's stand-up prompt."""
    return _digits(value)


def constant(value: str, expected: str) -> None:
    """A button whose value is always the same (New deal, Check in)."""
    if value != expected:
        raise Invalid("value")


def home_page(value: str) -> int:
    """An App Home pager's page: `{"page": n}`, 0 to MAX_PAGE."""
    state = _object(value)
    return _bounded(state.get("page"), 0, MAX_PAGE)


@dataclass(frozen=True)
class ListPage:
    """A deal list's Next page: the command that listed, and where the page starts."""

    text: str
    offset: int


def list_page(value: str) -> ListPage:
    """A deal list's Next page button."""
    state = _object(value)
    return ListPage(
        _text(state.get("text"), VALUE_MAX, "text"), _bounded(state.get("offset"), 0, MAX_OFFSET)
    )


def report_share(value: str) -> ReportArgs:
    """A report's Share button: the kind of report, and whose (None: the team's)."""
    state = _object(value)
    kind = state.get("k")
    user_id = state.get("u")
    if not isinstance(kind, str) or kind not in REPORT_KINDS:
        raise Invalid("report_kind")
    if user_id is not None and not is_id("user", user_id):
        raise Invalid("user_id")
    return ReportArgs(REPORT_KINDS[kind], user_id)


@dataclass(frozen=True)
class CurrencySwitch:
    """A currency switch's Confirm: the team, from and to which currency, at what rate, and
    the proposal's key."""

    team_id: int
    old: str
    new: str
    rate: Decimal
    key: str


def currency_switch(value: str) -> CurrencySwitch:
    """A currency switch's Confirm button."""
    state = _object(value)
    old, new, key = state.get("o"), state.get("n"), state.get("k")
    if not (isinstance(old, str) and CURRENCY.fullmatch(old)):
        raise Invalid("currency")
    if not (isinstance(new, str) and CURRENCY.fullmatch(new)):
        raise Invalid("currency")
    if not (isinstance(key, str) and CURRENCY_KEY.fullmatch(key)):
        raise Invalid("key")
    rate = _decimal(state.get("r"), "rate")
    if rate <= 0 or rate > MAX_AMOUNT:
        raise Invalid("rate")
    return CurrencySwitch(_id(state.get("t")), old, new, rate, key)


@dataclass(frozen=True)
class Split:
    """A target split's Confirm: the team target, and each member's share of it."""

    target_id: int
    shares: Mapping[int, Decimal]


# More members than one button's value could name.
MAX_SHARES = 200


def split(value: str) -> Split:
    """A target split's Confirm button."""
    state = _object(value)
    shares = state.get("s")
    if not isinstance(shares, dict) or len(shares) > MAX_SHARES:
        raise Invalid("shares")
    read: dict[int, Decimal] = {}
    for member, amount in shares.items():
        share = _decimal(amount, "share")
        if share < 0 or share > MAX_AMOUNT:
            raise Invalid("share")
        read[_digits(member)] = share
    return Split(_id(state.get("t")), read)


@dataclass(frozen=True)
class GuardAnswer:
    """A press of a guard question's button: the question's key, what was typed (the
    command's text, or the form's values) and what the button says yes to."""

    key: str
    typed: str | None
    form: Mapping[str, str] | None
    another: bool
    amount: Money | None
    instead_of: int | None

    def carried(self) -> dict[str, Any]:
        """What the question's buttons carry when it is asked again (all but the key)."""
        again: dict[str, Any] = {}
        if self.typed is not None:
            again["x"] = self.typed
        if self.form is not None:
            again["f"] = dict(self.form)
        if self.amount is not None:
            again["m"] = encode_amount(self.amount)
        if self.another:
            again["another"] = 1
        if self.instead_of is not None:
            again["u"] = self.instead_of
        return again


def guard_proof(seal: Seal, workspace_id: str, user_id: str, key: str) -> str:
    """What a question's buttons carry (`s`) to show their key is the app's, for this caller."""
    return seal.sign(GUARD_PURPOSE, workspace_id, user_id, key)


def guard_answer(seal: Seal, pressed: Press, *, cancelling: bool) -> GuardAnswer:
    """A guard question's button: its key proven for the caller; a Cancel carries only that,
    the others what was typed (`x` or `f`) and what they say yes to."""
    state = _object(pressed.value)
    key = state.get("k")
    if not (isinstance(key, str) and GUARD_KEY.fullmatch(key)):
        raise Invalid("key")
    seal.verify(GUARD_PURPOSE, pressed.workspace_id, pressed.user_id, key, state.get("s"))
    if cancelling:
        return GuardAnswer(key, None, None, False, None, None)
    typed = state.get("x")
    given = state.get("f")
    if (typed is None) == (given is None):
        raise Invalid("typed")
    another = state.get("another", 0)
    if another not in (0, 1):
        raise Invalid("another")
    return GuardAnswer(
        key=key,
        typed=None if typed is None else _text(typed, VALUE_MAX, "typed"),
        form=None if given is None else _form(given),
        another=bool(another),
        amount=None if state.get("m") is None else _money(state.get("m")),
        instead_of=None if state.get("u") is None else _id(state.get("u")),
    )


def _form(given: object) -> dict[str, str]:
    """A form's values a question carries: DEAL_FORM's, and up to MAX_FIELDS deal fields'
    (which the service reads against the caller's team's fields, as from the form)."""
    if not isinstance(given, dict) or len(given) > len(DEAL_FORM) + MAX_FIELDS:
        raise Invalid("form")
    form = {}
    for field, text in given.items():
        if not isinstance(field, str):
            raise Invalid("form")
        if field in DEAL_FORM:
            form[field] = _text(text, DEAL_FORM[field], "form")
        elif FIELD_BLOCK.fullmatch(field):
            form[field] = _text(text, FIELD_VALUE_MAX, "form")
        else:
            raise Invalid("form")
    return form


def encode_amount(amount: Money) -> str:
    """A question's large amount (`m`), what its Yes button says yes to: `50000000 CNY`."""
    return f"{amount.amount} {amount.currency}"


def _money(text: object) -> Money:
    """A question's large amount, as `encode_amount` wrote it."""
    if not isinstance(text, str) or len(text) > 60:
        raise Invalid("amount")
    number, _space, currency = text.partition(" ")
    if not CURRENCY.fullmatch(currency):
        raise Invalid("amount")
    amount = _decimal(number, "amount")
    if amount <= 0 or amount > MAX_AMOUNT:
        raise Invalid("amount")
    return Money(amount, currency)


# ---------------------------------------------------------------------------------- scalars


def _object(text: str) -> dict[str, Any]:
    """A JSON object (numbers as they are written: no float is read back as one)."""
    if len(text) > METADATA_MAX:
        raise Invalid("too_long")
    try:
        value = json.loads(text, parse_float=_no_float, parse_constant=_no_float)
    except (ValueError, RecursionError):
        raise Invalid("json") from None
    if not isinstance(value, dict):
        raise Invalid("json")
    return value


def _no_float(text: str) -> Any:
    raise Invalid("json")


def _id(value: object) -> int:
    return _bounded(value, 1, MAX_ID)


def _bounded(value: object, low: int, high: int) -> int:
    """A JSON integer from `low` to `high` (booleans are not integers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid("number")
    return value


def _digits(value: object) -> int:
    """A positive integer written in ASCII digits (no sign, no space, no leading zero)."""
    if not (isinstance(value, str) and DIGITS.fullmatch(value)):
        raise Invalid("number")
    return _id(int(value))


def _decimal(value: object, reason: str) -> Decimal:
    """A finite decimal written as a short string."""
    if not isinstance(value, str) or not 0 < len(value) <= 40:
        raise Invalid(reason)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Invalid(reason) from None
    # Finite, and within twelve orders of magnitude either way (1E+999999 is a "number" too).
    if not number.is_finite() or (number and not -12 <= number.adjusted() <= 12):
        raise Invalid(reason)
    return number


def _text(value: object, longest: int, reason: str) -> str:
    """A string (None: empty) no longer than `longest`."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > longest:
        raise Invalid(reason)
    return value


def _name(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= NAME_MAX


def _inner(body: Mapping[str, Any], outer: str, inner: str) -> object:
    value = body.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _channel(body: Mapping[str, Any]) -> str | None:
    """The channel a press came from: None when it came from App Home or a form."""
    channel = body.get("channel")
    if channel is None:
        return None
    if not isinstance(channel, dict):
        raise Invalid("channel")
    channel_id = channel.get("id")
    if channel_id is None:
        return None
    if not is_id("channel", channel_id):
        raise Invalid("channel")
    return str(channel_id)
