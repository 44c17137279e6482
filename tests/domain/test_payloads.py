"""The decoder of interactive values: what decodes, and everything that must not."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.domain import payloads
from bot.domain.amounts import Money
from bot.domain.payloads import Invalid, Seal
from bot.domain.stages import DEFAULT_STAGES
from bot.results.standup import MAX_MOVES
from bot.views.deal_modal import NEW_DEAL_CALLBACK, new_deal_modal

SEAL = Seal.derived_from("test-signing-secret")
NOT_NUMBERS = [
    "",
    "abc",
    "99999999999999999999",
    "2147483648",
    "1.5",
    "-1",
    "0",
    "01",
    " 1",
    "1 ",
    "+1",
    "1e3",
    "１",  # a full-width digit
    "٣",  # an Arabic-Indic digit
    "0x10",
    "1_000",
    "NaN",
    '{"page": 1}',
]


@pytest.mark.parametrize("value", ["1", "42", str(2**31 - 1)])
def test_a_deal_reference_is_a_positive_number_below_2_31(value: str) -> None:
    assert payloads.deal_ref(value) == int(value)


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_anything_else_is_not_a_deal_reference(value: str) -> None:
    with pytest.raises(Invalid):
        payloads.deal_ref(value)


NOT_PAGES = [
    '{"page": -1}',
    '{"page": 1.5}',
    '{"page": 1e999}',
    '{"page": NaN}',
    '{"page": Infinity}',
    '{"page": true}',
    '{"page": "1"}',
    '{"page": null}',
    '{"page": 100001}',
    '{"page": 99999999999999999999999}',
    "{}",
    "[]",
    "null",
    "1",
    '"page"',
    "{",
    '{"page": 1',
    "[" * 5000 + "]" * 5000,
    '{"page": ' + "1" * 5000 + "}",
]


def test_a_page_is_a_bounded_non_negative_number() -> None:
    assert payloads.home_page('{"page": 0}') == 0
    assert payloads.home_page(json.dumps({"page": 100_000})) == 100_000


@pytest.mark.parametrize("value", NOT_PAGES, ids=lambda v: v[:30])
def test_anything_else_is_not_a_page(value: str) -> None:
    with pytest.raises(Invalid):
        payloads.home_page(value)


def test_a_list_page_carries_the_command_and_an_offset() -> None:
    page = payloads.list_page(json.dumps({"text": "list team", "offset": 10}))
    assert (page.text, page.offset) == ("list team", 10)
    for bad in (
        {"text": 5, "offset": 10},
        {"text": "list", "offset": -10},
        {"text": "list", "offset": 10**7},
        {"text": "list", "offset": "10"},
        {"text": "x" * 2001, "offset": 0},
        {"offset": 0, "text": ["list"]},
        {"text": "list"},
    ):
        with pytest.raises(Invalid):
            payloads.list_page(json.dumps(bad))


def test_a_report_share_names_a_kind_and_maybe_a_person() -> None:
    assert payloads.report_share('{"k":"month","u":"U2"}').user_id == "U2"
    assert payloads.report_share('{"k":"week"}').kind == "week"
    for bad in ('{"k":"year"}', '{"k":"week","u":"bob"}', '{"k":1}', '{"u":"U2"}', "week"):
        with pytest.raises(Invalid):
            payloads.report_share(bad)


def currency(**changes: Any) -> str:
    value = {"t": 1, "o": "CNY", "n": "EUR", "r": "0.128", "k": "a" * 32, **changes}
    return json.dumps({k: v for k, v in value.items() if v is not None})


def test_a_currency_switch_decodes_its_team_currencies_rate_and_key() -> None:
    switch = payloads.currency_switch(currency())
    assert (switch.team_id, switch.old, switch.new, switch.rate) == (
        1,
        "CNY",
        "EUR",
        Decimal("0.128"),
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"t": 2**31},
        {"t": 0},
        {"t": "1"},
        {"t": None},
        {"o": "cny"},
        {"n": "EURO"},
        {"n": 7},
        {"r": "NaN"},
        {"r": "Infinity"},
        {"r": "-0.128"},
        {"r": "0"},
        {"r": "1E+999999"},
        {"r": "1E-999999"},
        {"r": 0.128},
        {"r": "0.1" + "0" * 60},
        {"k": "a" * 2000},
        {"k": "confirm:x"},
        {"k": None},
    ],
    ids=str,
)
def test_a_tampered_currency_switch_does_not_decode(changes: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        payloads.currency_switch(currency(**changes))


def test_a_split_decodes_member_shares() -> None:
    split = payloads.split('{"t":3,"s":{"1":"5000.00","2":"0"}}')
    assert (split.target_id, dict(split.shares)) == (3, {1: Decimal("5000.00"), 2: Decimal(0)})
    for bad in (
        '{"t":3,"s":{"1":"-5"}}',
        '{"t":3,"s":{"1":"NaN"}}',
        '{"t":3,"s":{"1":5}}',
        '{"t":3,"s":{"abc":"5"}}',
        '{"t":3,"s":{"99999999999":"5"}}',
        '{"t":3,"s":{"1":"1E+20"}}',
        '{"t":3,"s":[]}',
        '{"t":"3","s":{}}',
        json.dumps({"t": 3, "s": {str(n): "1" for n in range(1, 300)}}),
    ):
        with pytest.raises(Invalid):
            payloads.split(bad)


# ------------------------------------------------------------------------------- sealing


def submission(
    metadata: str, *, user: str = "U2", team: str = "T1", callback: str = "deal_new"
) -> payloads.Submission:
    body = {
        "team": {"id": team},
        "user": {"id": user},
        "view": {"callback_id": callback, "type": "modal", "private_metadata": metadata},
    }
    return payloads.submission(body, payloads.DEAL_FORM)


def test_sealed_metadata_opens_for_its_form_workspace_and_user_only() -> None:
    sealed = payloads.new_deal_metadata(SEAL, "deal_new", "T1", "U2", "C1")
    assert payloads.new_deal_destination(SEAL, submission(sealed)) == "C1"
    others = [
        submission(sealed, user="U3"),
        submission(sealed, team="T2"),
        submission(sealed, callback="deal_edit"),
        submission(sealed.replace("C1", "C2")),
        submission(sealed[:-1]),
        submission("C1"),
        submission(""),
        submission("{}."),
    ]
    for other in others:
        with pytest.raises(Invalid):
            payloads.new_deal_destination(SEAL, other)
    with pytest.raises(Invalid):
        payloads.new_deal_destination(Seal.derived_from("another secret"), submission(sealed))


def test_the_seal_is_not_the_signing_secret() -> None:
    assert SEAL.key != b"test-signing-secret"
    assert len(SEAL.key) == 32


def test_a_new_deal_form_confirms_in_a_channel_or_the_callers_own_dm() -> None:
    own = payloads.new_deal_metadata(SEAL, "deal_new", "T1", "U2", "U2")
    assert payloads.new_deal_destination(SEAL, submission(own)) == "U2"
    for to in ("U3", "T1", "", "C1\n", "#general"):
        sealed = payloads.new_deal_metadata(SEAL, "deal_new", "T1", "U2", to)
        with pytest.raises(Invalid):
            payloads.new_deal_destination(SEAL, submission(sealed))


def test_each_forms_metadata_round_trips() -> None:
    edit = payloads.deal_metadata(SEAL, "deal_edit", "T1", "U2", 12)
    assert payloads.deal_of(SEAL, submission(edit, callback="deal_edit")) == 12
    config = payloads.team_metadata(SEAL, "standup_config", "T1", "U2", 3)
    assert payloads.team_of(SEAL, submission(config, callback="standup_config")) == 3
    day = payloads.day_metadata(SEAL, "standup_check_in", "T1", "U2", date(2026, 12, 1))
    assert payloads.day_of(SEAL, submission(day, callback="standup_check_in")) == date(2026, 12, 1)
    huge = SEAL.seal("deal_edit", "T1", "U2", {"d": 2**40})
    with pytest.raises(Invalid):
        payloads.deal_of(SEAL, submission(huge, callback="deal_edit"))


# ------------------------------------------------------------------------- a form's fields


def state(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "view": {"callback_id": "deal_new", "type": "modal", "state": {"values": values}},
    }


def text(value: Any) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def test_a_forms_fields_read_as_text_picked_options_and_dates() -> None:
    read = payloads.submission(
        state(
            {
                "customer": text("Acme"),
                "title": text(None),
                "stage": {"value": {"type": "static_select", "selected_option": {"value": "lead"}}},
                "close": {"value": {"type": "datepicker", "selected_date": "2026-12-15"}},
            }
        ),
        payloads.DEAL_FORM,
    )
    assert read.values["customer"] == "Acme" and read.values["stage"] == "lead"
    assert (
        read.values["close"] == "2026-12-15" and read.values["title"] == read.values["note"] == ""
    )


@pytest.mark.parametrize(
    "values",
    [
        {"customer": text(5)},
        {"customer": text(["Acme"])},
        {"customer": text({"a": 1})},
        {"customer": text("x" * 201)},
        {"currency": text("EURO")},
        {"amount": text("1" * 41)},
        {"note": text("n" * 2001)},
        {"hijack": text("x")},
        {"customer": "Acme"},
        {"customer": {"value": "Acme"}},
        {"customer": {"value": {"type": "plain_text_input", "value": "Acme"}, "other": {}}},
        {"stage": {"value": {"type": "static_select", "selected_option": "lead"}}},
        {"stage": {"value": {"type": "static_select", "selected_option": {"value": 1}}}},
        {"close": {"value": {"type": "datepicker", "selected_date": "tomorrow"}}},
        {"close": {"value": {"type": "datepicker", "selected_date": 20261215}}},
    ],
    ids=str,
)
def test_a_tampered_field_refuses_the_whole_form(values: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        payloads.submission(state(values), payloads.DEAL_FORM)


@pytest.mark.parametrize("view_state", ["x", [], {"values": "x"}, {"values": []}, 5])
def test_a_tampered_state_refuses_the_form(view_state: Any) -> None:
    body = state({})
    body["view"]["state"] = view_state
    with pytest.raises(Invalid):
        payloads.submission(body, payloads.DEAL_FORM)


def test_a_check_in_moves_deals_by_number() -> None:
    def check_in(deal: str) -> payloads.Submission:
        picked = {"value": {"type": "static_select", "selected_option": {"value": deal}}}
        return payloads.submission(
            state({"q0": text("done"), "move0_deal": picked}), payloads.CHECK_IN_FORM
        )

    assert payloads.check_in_values(check_in("12"))["move0_deal"] == "12"
    for bad in ("abc", "99999999999999999999", "-1", "1.5"):
        with pytest.raises(Invalid):
            payloads.check_in_values(check_in(bad))


def test_the_check_in_form_offers_as_many_moves_as_the_decoder_reads() -> None:
    assert payloads.MOVES == MAX_MOVES


def test_the_new_deal_form_allows_no_more_than_the_decoder_reads() -> None:
    view = new_deal_modal(DEFAULT_STAGES, "CNY", "m")
    limits = {
        block["block_id"]: block["element"]["max_length"]
        for block in view["blocks"]
        if block["element"]["type"] == "plain_text_input"
    }
    assert view["callback_id"] == NEW_DEAL_CALLBACK
    assert limits == {k: v for k, v in payloads.DEAL_FORM.items() if k in limits}
    assert set(limits) == {"customer", "title", "amount", "currency", "note", "next_step"}


# ------------------------------------------------------------------------------- envelope


@pytest.mark.parametrize(
    "payload",
    [
        {"type": 5},
        {"type": "block_actions"},
        {"type": "block_actions", "actions": []},
        {"type": "block_actions", "actions": "x"},
        {"type": "block_actions", "actions": ["x"]},
        {"type": "block_actions", "actions": [{"value": "1"}]},
        {"type": "block_actions", "actions": [{"action_id": 5}]},
        {"type": "block_actions", "actions": [{"action_id": "a" * 256}]},
        {"type": "block_actions", "actions": [{"action_id": "a", "block_id": 5}]},
        {"type": "view_submission", "view": "x"},
        {"type": "view_submission", "view": {"type": "modal"}},
        {"type": "view_submission", "view": {"callback_id": "deal_new"}},
        {"type": "view_closed", "view": {"callback_id": ["deal_new"], "type": "modal"}},
        {"type": "block_actions", "actions": [{"action_id": "a"}], "authorizations": "x"},
    ],
    ids=str,
)
def test_an_envelope_bolt_would_trip_over_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        payloads.check_envelope(payload)


def test_a_press_reads_its_caller_channel_and_value() -> None:
    body = {
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "channel": {"id": "C1"},
        "response_url": "https://hooks.slack.com/actions/T1/1/x",
        "container": {"type": "message", "message_ts": "1700000000.000100"},
        "actions": [{"action_id": "home_won", "value": "12"}],
    }
    pressed = payloads.press(body)
    assert (pressed.workspace_id, pressed.user_id, pressed.channel_id) == ("T1", "U2", "C1")
    assert pressed.value == "12" and pressed.message_ts == "1700000000.000100"
    assert pressed.response_url is not None
    for changes in (
        {"channel": "C1"},
        {"channel": {"id": "general"}},
        {"actions": [{"action_id": "home_won", "value": 12}]},
        {"actions": [{"action_id": "home_won", "value": "x" * 2001}]},
        {"container": {"message_ts": "yesterday"}},
        {"trigger_id": ["t"]},
        {"user": {"id": ""}},
    ):
        with pytest.raises(Invalid):
            payloads.press({**body, **changes})
    assert payloads.press({**body, "response_url": "javascript:x"}).response_url is None


# ------------------------------------------------------------------------------- a guard


def pressed(value: dict[str, Any], *, user: str = "U2") -> payloads.Press:
    return payloads.Press("T1", user, "C1", "deal_guard_yes", json.dumps(value), None, None, None)


def test_a_guard_answer_carries_its_proven_key_and_what_was_typed() -> None:
    key = "confirm:" + "0" * 32
    proof = payloads.guard_proof(SEAL, "T1", "U2", key)
    said = payloads.guard_answer(
        SEAL,
        pressed({"k": key, "s": proof, "x": "add Acme 5000万", "m": "50000000 CNY", "u": 12}),
        cancelling=False,
    )
    assert (said.typed, said.amount, said.instead_of) == (
        "add Acme 5000万",
        Money(Decimal(50000000), "CNY"),
        12,
    )
    assert said.carried() == {"x": "add Acme 5000万", "m": "50000000 CNY", "u": 12}
    assert payloads.guard_answer(SEAL, pressed({"k": key, "s": proof}), cancelling=True).key == key


def test_a_guard_key_without_its_proof_is_refused() -> None:
    key = "confirm:" + "0" * 32
    proof = payloads.guard_proof(SEAL, "T1", "U2", key)
    other = "confirm:" + "1" * 32
    for value, user in (
        ({"k": key}, "U2"),
        ({"k": key, "s": "x"}, "U2"),
        ({"k": other, "s": proof}, "U2"),
        ({"k": key, "s": proof}, "U3"),
        ({"k": key + "0", "s": proof}, "U2"),
    ):
        with pytest.raises(Invalid):
            payloads.guard_answer(SEAL, pressed(value, user=user), cancelling=True)


@pytest.mark.parametrize(
    "rest",
    [
        {},
        {"x": "add A 1", "f": {"customer": "A"}},
        {"x": 5},
        {"f": {"customer": 5}},
        {"f": {"hijack": "x"}},
        {"f": ["customer"]},
        {"x": "add A 1", "m": "lots"},
        {"x": "add A 1", "m": "-5 CNY"},
        {"x": "add A 1", "m": "5 cny"},
        {"x": "add A 1", "u": 2**31},
        {"x": "add A 1", "u": "12"},
        {"x": "add A 1", "another": 2},
    ],
    ids=str,
)
def test_a_tampered_guard_answer_is_refused(rest: dict[str, Any]) -> None:
    key = "view:V1"
    value = {"k": key, "s": payloads.guard_proof(SEAL, "T1", "U2", key), **rest}
    with pytest.raises(Invalid):
        payloads.guard_answer(SEAL, pressed(value), cancelling=False)
