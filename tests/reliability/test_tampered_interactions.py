"""1,000 tampered interactive payloads through signed HTTP (issue 15): every button and form the
app registers, with garbage values, tampered private_metadata and tampered form state, gets a
clean answer, never an exception, and writes nothing.

Values are random and hostile (non-numeric, huge, negative, floats, unicode, JSON fragments,
empty, missing, of the wrong type); where a value is well formed it names what the caller may
not touch (another member's deal, a team of another workspace), so any row written is a hole.
The callers: a member of the workspace in no team (U4) and an admin of another one (U9 of T9).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

import handlers
import models
from bot.clock import FrozenClock
from bot.config import Settings
from bot.dev.driver import Reply, SlackDriver
from bot.dev.standin import DevSlack
from bot.slack.app import Salesbot, create_app
from tests.conftest import SIGNING_SECRET
from tests.e2e.conftest import Drain, Say, drain

__all__ = ["drain"]

EXAMPLES = 100
PER_EXAMPLE = 10
# Bookkeeping that a refused request may write: the replay guard's signatures, and the
# refusal owed to the caller's DM (checked below: never to a channel).
UNCHECKED = {"seen_request", "outbox_message"}
# When a member last had their App Home in front of them: a page button that decodes is a
# look at it, tampered or not (it writes no business data).
UNCHECKED_COLUMNS = {("member", "home_seen_at")}


class Registered:
    """Records what handlers.register asks of a bolt app: the ids of buttons and forms."""

    def __init__(self) -> None:
        self.actions: list[str] = []
        self.views: list[str] = []

    def action(self, action_id: str) -> Callable[[Any], Any]:
        self.actions.append(action_id)
        return lambda listener: listener

    def view(self, callback_id: str) -> Callable[[Any], Any]:
        self.views.append(callback_id)
        return lambda listener: listener

    def command(self, _name: str) -> Callable[[Any], Any]:
        return lambda listener: listener

    def event(self, _event: object) -> Callable[[Any], Any]:
        return lambda listener: listener


def registered() -> Registered:
    found = Registered()
    handlers.register(found)  # type: ignore[arg-type]
    return found


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[Salesbot]:
    """The app, each listener finishing before its request is answered (as in the console),
    so the rows and the logs are final when a request returns."""
    salesbot = create_app(settings, clock=clock, engine=engine, wait_for_listeners=True)
    yield salesbot
    salesbot.listeners.shutdown(wait=True)
    salesbot.runtime.sender.stop()


@pytest.fixture
def world(
    team: None, say: Say, driver: SlackDriver, slack: DevSlack, drain: Drain
) -> dict[str, SlackDriver]:
    """#sales of T1 with bob's three deals; U4 of T1 in no team; U9, an admin of T9."""
    for deal in ("add Acme 12k proposal", "add Beta 5万 lead", "add Gamma 3k won"):
        assert "Added" in say("/deal", deal).text
    slack.add_user("U4", "hanmeimei", tz="Asia/Shanghai")
    slack.add_user("U9", "mallory", tz="UTC", is_admin=True)
    other = SlackDriver(driver.transport, SIGNING_SECRET, team_id="T9")
    # Each caller is known before the count starts (a first request adds its member row).
    assert driver.command("/deal", "list", user="U4").status == 200
    assert other.command("/deal", "list", user="U9", channel="C9").status == 200
    # Bob's App Home, drawn by the sender, writes the team's stand-up settings: before, too.
    drain()
    return {"U4": driver, "U9": other}


# --------------------------------------------------------------------------- strategies

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**31 - 2, max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
fragments = st.sampled_from(
    [
        "",
        "abc",
        "99999999999999999999",
        "1.5",
        "-1",
        "0",
        "01",
        "1e3",
        "NaN",
        "Infinity",
        "null",
        "true",
        "[]",
        "{}",
        '{"',
        '{"page":',
        "[" * 3000,
        '{"k":' * 50,
        "\x00",
        "🙂",
        "٣",
        "１",
        "<!channel>",
        "x" * 2001,
    ]
)
garbage = st.one_of(
    fragments,
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(str),
    json_values.map(json.dumps),
)
numbers = st.one_of(
    st.sampled_from(["1", "2", "3", "4", str(2**31 - 1), str(2**31), "-2", "2.0"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
# A JSON value for a field: mostly hostile, sometimes plausible.
field = st.one_of(json_values, garbage, numbers, st.sampled_from(["CNY", "EUR", "week", "U2"]))


def objects(*keys: str) -> st.SearchStrategy[str]:
    """JSON objects of (some of) the keys a button expects, each with a hostile value."""
    return st.dictionaries(st.sampled_from(keys), field, max_size=len(keys)).map(json.dumps)


GUARD_KEYS = st.sampled_from(["confirm:" + "ab" * 16, "view:V1", "confirm:x", ""])
guard_values = st.fixed_dictionaries(
    {"k": GUARD_KEYS},
    optional={
        "s": st.one_of(st.text(max_size=24), st.just("A" * 22)),
        "x": st.sampled_from(["add Sneaky 5k", "won #1", "#1 amount 5000万"]) | field,
        "f": st.dictionaries(st.sampled_from(["customer", "amount", "hijack"]), field, max_size=3),
        "m": st.sampled_from(["50000000 CNY", "-5 CNY", "5 cny", "lots"]) | field,
        "u": numbers | field,
        "another": field,
    },
).map(json.dumps)
DEAL_REF = numbers | garbage
VALUES: dict[str, st.SearchStrategy[str]] = {
    "home_advance": DEAL_REF,
    "home_won": DEAL_REF,
    "home_lost": DEAL_REF,
    "home_edit": DEAL_REF,
    "home_new_deal": garbage,
    "home_check_in": garbage,
    "home_log": DEAL_REF,
    "standup_check_in": DEAL_REF,
    "home_page": objects("page") | garbage,
    "deal_list_page": objects("text", "offset") | garbage,
    "report_share": objects("k", "u") | garbage,
    "salesbot_currency_confirm": objects("t", "o", "n", "r", "k") | garbage,
    "target_split_confirm": objects("t", "s") | garbage,
    "deal_guard_yes": guard_values | garbage,
    "deal_guard_instead": guard_values | garbage,
    "deal_guard_cancel": guard_values | garbage,
    "crm_disconnect": DEAL_REF,
    "crm_import_run": DEAL_REF,
}
# The value as sent: usually a string, sometimes of another JSON type, sometimes missing.
MISSING = object()


def text_input(value: Any) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def picked(value: Any) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


# A well-formed state for each form (with a sealed metadata it would be acted on, so it is
# only ever sent with tampered metadata), and its forms of tampering.
STATES: dict[str, dict[str, Any]] = {
    "deal_new": {
        "customer": text_input("Sneaky"),
        "amount": text_input("5k"),
        "stage": picked("lead"),
    },
    "deal_edit": {
        "customer": text_input("Hijacked"),
        "amount": text_input("1"),
        "stage": picked("won"),
    },
    "standup_check_in": {
        "q0": text_input("Called"),
        "q1": text_input("Close"),
        "q2": text_input("none"),
        "move0_deal": picked("1"),
        "move0_stage": picked("won"),
    },
    "log_activity": {
        "kind": picked("demo"),
        "count": text_input("5"),
        "note": text_input("Hijacked"),
    },
    "crm_connect": {
        "token": text_input("pat-hijacked"),
        "client_secret": text_input("secret"),
    },
    "standup_config": {
        "time": text_input("06:00"),
        "days": text_input("mon-fri"),
        "tz": text_input("Europe/Paris"),
        "questions": text_input("Hijacked?"),
        "reminder": text_input("10"),
        "close": text_input("20"),
    },
}
METADATA_DATA = {
    "deal_new": {"c": "C1"},
    "deal_edit": {"d": 1},
    "log_activity": {"d": 1},
    "standup_check_in": {"day": "2026-11-30"},
    "standup_config": {"t": 1},
    "crm_connect": {"t": 1, "k": "hubspot"},
}


@st.composite
def tampered_state(draw: st.DrawFn, callback: str) -> Any:
    state = dict(STATES[callback])
    block = draw(st.sampled_from(sorted(state)))
    how = draw(st.sampled_from(["element", "value", "long", "unknown", "actions", "date", "whole"]))
    if how == "element":
        state[block] = {"value": draw(json_values)}
    elif how == "value":
        state[block] = text_input(draw(json_values.filter(lambda v: not isinstance(v, str))))
    elif how == "long":
        state[block] = text_input("x" * draw(st.sampled_from([2001, 5000])))
    elif how == "unknown":
        state[draw(st.sampled_from(["hijack", "q9", "move7_deal", ""]))] = text_input("x")
    elif how == "actions":
        state[block] = draw(json_values.filter(lambda v: not isinstance(v, dict)))
    elif how == "date":
        state[block] = {"value": {"type": "datepicker", "selected_date": draw(garbage)}}
    else:
        return {"values": draw(json_values.filter(lambda v: not isinstance(v, dict)))}
    if callback == "standup_check_in" and how not in ("long", "unknown"):
        # A moved deal that is not a deal number.
        state["move1_deal"] = picked(draw(garbage.filter(lambda v: not v.isdigit())))
    return {"values": state}


@st.composite
def payloads(draw: st.DrawFn, apps: Registered, seal_for: Callable[..., str]) -> dict[str, Any]:
    """One tampered block_actions or view_submission payload, and who sends it."""
    user = draw(st.sampled_from(["U4", "U9"]))
    team = "T1" if user == "U4" else "T9"
    base: dict[str, Any] = {"team": {"id": team}, "user": {"id": user}}
    if draw(st.booleans()):
        action_id = draw(st.sampled_from(apps.actions))
        value: Any = draw(
            st.one_of(VALUES[action_id], json_values, st.just(MISSING))
            if draw(st.integers(0, 9)) == 0
            else VALUES[action_id]
        )
        action: dict[str, Any] = {"action_id": action_id, "type": "button"}
        if value is not MISSING:
            action["value"] = value
        payload = {**base, "type": "block_actions", "actions": [action]}
        where = draw(st.sampled_from(["message", "home", "odd"]))
        if where == "message":
            payload["channel"] = {"id": "C1" if team == "T1" else "C9"}
            payload["container"] = {"type": "message", "message_ts": "1764466260.000100"}
            payload["response_url"] = draw(st.sampled_from(["RESPONSE_URL", "RESPONSE_URL", "x"]))
        elif where == "odd":
            payload["channel"] = draw(json_values)
            payload["container"] = draw(json_values)
        return payload
    callback = draw(st.sampled_from(apps.views))
    metadata_kind = draw(
        st.sampled_from(["valid", "garbage", "unsealed", "other_user", "other_form", "edited"])
    )
    data = METADATA_DATA[callback]
    if metadata_kind == "valid":
        metadata: Any = seal_for(callback, team, user, data)
    elif metadata_kind == "garbage":
        metadata = draw(garbage | json_values)
    elif metadata_kind == "unsealed":
        metadata = json.dumps(data)
    elif metadata_kind == "other_user":
        metadata = seal_for(callback, "T1", "U2", data)
    elif metadata_kind == "other_form":
        metadata = seal_for(
            draw(st.sampled_from(sorted(set(METADATA_DATA) - {callback}))), team, user, data
        )
    else:
        sealed = seal_for(callback, team, user, data)
        _body, _dot, mac = sealed.rpartition(".")
        changed = {key: draw(field) for key in data}
        metadata = json.dumps(changed, separators=(",", ":"), sort_keys=True) + "." + mac
    # A well-formed state only with tampered metadata (with both valid the form is genuine).
    tamper_state = metadata_kind == "valid" or draw(st.booleans())
    state = draw(tampered_state(callback)) if tamper_state else {"values": STATES[callback]}
    view = {"id": "VT1", "type": "modal", "callback_id": callback, "private_metadata": metadata}
    return {**base, "type": "view_submission", "view": {**view, "state": state}}


# --------------------------------------------------------------------------------- checks


def business_rows(sessions: sessionmaker[Session]) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows but the replay guard's and the outbox's."""
    state = {}
    with sessions() as session:
        for table in models.Base.metadata.sorted_tables:
            if table.name not in UNCHECKED:
                columns = ", ".join(
                    c.name for c in table.columns if (table.name, c.name) not in UNCHECKED_COLUMNS
                )
                rows = session.execute(text(f"SELECT {columns} FROM {table.name} ORDER BY 1"))
                state[table.name] = [tuple(row) for row in rows]
    return state


def owed_to_channels(sessions: sessionmaker[Session], after: int) -> list[str]:
    """Messages owed since outbox row `after` to anywhere but a person's DM."""
    with sessions() as session:
        rows = session.execute(
            text("SELECT id, payload FROM outbox_message WHERE id > :after"), {"after": after}
        )
        payloads = [
            (row[0], row[1] if isinstance(row[1], dict) else json.loads(row[1])) for row in rows
        ]
    return [
        json.dumps(p)[:200]
        for _id, p in payloads
        if str(p.get("channel", "U")).startswith(("C", "G"))
    ]


def last_outbox(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(
            session.execute(text("SELECT COALESCE(MAX(id), 0) FROM outbox_message")).scalar_one()
        )


def apologised(text_of: str) -> bool:
    return "Sorry, something went wrong" in text_of or "error id" in text_of


def test_every_registered_button_and_form_is_fuzzed() -> None:
    """The strategies cover what the app registers, and nothing it does not."""
    found = registered()
    assert sorted(found.actions) == sorted(VALUES)
    assert sorted(found.views) == sorted(STATES)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_tampered_interactions_are_refused_cleanly_and_write_nothing(
    data: st.DataObject,
    world: dict[str, SlackDriver],
    app: Salesbot,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    seal = app.runtime.seal
    apps = registered()
    before = business_rows(sessions)
    outbox_before = last_outbox(sessions)
    calls_before = len(slack.calls(include_faults=True))
    replies: list[tuple[dict[str, Any], Reply]] = []
    for _ in range(PER_EXAMPLE):
        payload = data.draw(payloads(apps, seal.seal))
        if payload.get("response_url") == "RESPONSE_URL":
            payload["response_url"] = slack.response_url("fuzz", user_id=payload["user"]["id"])
        replies.append((payload, world[payload["user"]["id"]].interaction(payload)))

    for payload, reply in replies:
        shown = json.dumps(payload)[:300]
        assert reply.status in (200, 400), (reply.status, reply.body[:200], shown)
        assert not apologised(reply.body), (reply.body[:200], shown)
    said = [json.dumps(c.params) for c in slack.calls(include_faults=True)[calls_before:]]
    assert not [s for s in said if apologised(s)]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert business_rows(sessions) == before
    assert owed_to_channels(sessions, outbox_before) == []
    caplog.clear()
