"""Tampered interactive values over signed HTTP (issue 15): a button's value, a form's
private_metadata and its fields that do not decode are refused with the friendly "expired or
not valid", logged at INFO in one line, never raised, and write nothing; a form's metadata is
sealed to its form, workspace and user, so a forged one cannot send anything elsewhere."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.driver import Reply, SlackDriver
from bot.dev.standin import DevSlack
from bot.slack.app import Salesbot
from tests.conftest import SIGNING_SECRET
from tests.e2e.conftest import Drain, Say
from tests.reliability.test_bad_input import database_state

pytestmark = pytest.mark.usefixtures("team")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def errors_logged(logs: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in logs.records if r.levelno >= logging.ERROR]


def refusals_logged(logs: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in logs.records if r.getMessage().startswith("interaction.")]


def text_input(value: Any) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def deal_state(customer: str = "Forged", amount: str = "5k") -> dict[str, Any]:
    return {
        "customer": text_input(customer),
        "amount": text_input(amount),
        "stage": {"value": {"type": "static_select", "selected_option": {"value": "lead"}}},
    }


def submit(
    driver: SlackDriver, view: dict[str, Any], values: dict[str, Any], *, user: str = "U2"
) -> Reply:
    return driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": driver.team_id},
            "user": {"id": user},
            "view": {"id": "VX1", **view, "state": {"values": values}},
        }
    )


def press(
    driver: SlackDriver, action_id: str, value: Any, *, user: str = "U2", **extra: Any
) -> Reply:
    payload = {
        "type": "block_actions",
        "team": {"id": driver.team_id},
        "user": {"id": user},
        "actions": [{"action_id": action_id, "value": value}],
        **extra,
    }
    return driver.interaction(payload)


def open_new_deal(driver: SlackDriver, slack: DevSlack, *, user: str, channel: str) -> Any:
    """The New deal form `user` opened in `channel` (its metadata names the channel)."""
    driver.command("/deal", "new", user=user, channel=channel)

    def opened_here(call: Any) -> bool:
        view = call.params["view"]
        return view["callback_id"] == "deal_new" and f'"c":"{channel}"' in view["private_metadata"]

    return slack.wait_for("views.open", opened_here)[-1].params["view"]


def posts_to(slack: DevSlack, channel: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.calls()
        if c.method.startswith("chat.") and c.params.get("channel") == channel
    ]


def test_a_forged_private_metadata_cannot_send_the_new_deal_confirmation_elsewhere(
    driver: SlackDriver,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    drain: Drain,
    logs: pytest.LogCaptureFixture,
) -> None:
    """The testers' finding: the form's metadata named another workspace's channel, and the
    confirmation went there. Now each forgery is refused on the form, nothing is written and
    nothing is posted there; the form as opened still saves, and confirms in #sales."""
    view = open_new_deal(driver, slack, user="U2", channel="C1")
    # The same form, opened in another workspace (T9) by its own member, in its channel C9.
    elsewhere = SlackDriver(driver.transport, SIGNING_SECRET, team_id="T9")
    slack.add_user("U9", "mallory", tz="UTC")
    slack.add_channel("C9", "other", ["U9"])
    their_view = open_new_deal(elsewhere, slack, user="U9", channel="C9")
    genuine = view["private_metadata"]
    before = database_state(sessions)

    forgeries = [
        "C9",  # what the testers sent: a bare channel id
        genuine.replace('"C1"', '"C9"'),  # the channel changed under the seal
        their_view["private_metadata"],  # sealed, but for T9's member
        genuine.rpartition(".")[0],  # the seal cut off
        "",
        "x" * 3001,
    ]
    for forged in forgeries:
        reply = submit(driver, {**view, "private_metadata": forged}, deal_state())
        assert reply.status == 200
        assert reply.json["response_action"] == "errors", forged
        assert "not valid" in reply.json["errors"]["customer"]
    drain()

    assert database_state(sessions) == before
    assert posts_to(slack, "C9") == []
    assert errors_logged(logs) == []
    assert len(refusals_logged(logs)) == len(forgeries)
    assert all("callback_id='deal_new'" in line for line in refusals_logged(logs))

    saved = submit(driver, view, deal_state("Genuine"))
    assert saved.status == 200 and not saved.body
    confirmed = slack.wait_for("chat.postEphemeral", lambda c: "Genuine" in str(c.params))
    assert [c.params["channel"] for c in confirmed] == ["C1"]


@pytest.mark.parametrize("action_id", ["home_won", "home_lost", "home_advance", "home_edit"])
def test_home_buttons_with_tampered_deal_numbers_are_refused_and_write_nothing(
    action_id: str,
    say: Say,
    driver: SlackDriver,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    drain: Drain,
    logs: pytest.LogCaptureFixture,
) -> None:
    """`abc`, `99999999999999999999`, `1.5` (the testers'), and their cousins."""
    assert "Added" in say("/deal", "add Acme 12k proposal").text
    drain()
    before = database_state(sessions)
    values = ["abc", "99999999999999999999", "1.5", "-1", "0", "", "1e3", 1, None, ["1"]]
    for value in values:
        assert press(driver, action_id, value).status == 200
    told = slack.wait_for(
        "chat.postMessage",
        lambda c: c.params["channel"] == "U2" and "not valid" in c.params["text"],
        count=len(values),
    )

    assert len(told) == len(values)
    assert "open the Home tab again" in told[0].params["text"]
    assert database_state(sessions) == before
    assert errors_logged(logs) == []
    refused = refusals_logged(logs)
    assert len(refused) == len(values)
    assert refused[0] == f"interaction.refused reason=number action_id='{action_id}'"
    assert not slack.calls("views.open")


def test_a_home_page_beyond_reason_is_refused(
    driver: SlackDriver, slack: DevSlack, drain: Drain, logs: pytest.LogCaptureFixture
) -> None:
    for value in ('{"page": 1e999}', '{"page": 99999999999}', '{"page": -1}', "[]", "{"):
        assert press(driver, "home_page", value).status == 200
    drain()
    assert errors_logged(logs) == []
    assert len(refusals_logged(logs)) == 5
    assert not slack.calls("views.publish")


def test_each_forms_metadata_is_sealed_to_the_person_who_opened_it(
    say: Say,
    driver: SlackDriver,
    slack: DevSlack,
    app: Salesbot,
    sessions: sessionmaker[Session],
    drain: Drain,
    logs: pytest.LogCaptureFixture,
) -> None:
    """The stand-up settings (a team id), the check-in (a day) and the Edit deal form (a deal
    id): opened by one person, submitted by another or edited, each is refused."""
    say("/standup", "config", user="U1")
    config = slack.wait_for("views.open")[-1].params["view"]
    say("/standup", "", user="U2")
    check_in = slack.wait_for("views.open", count=2)[-1].params["view"]
    assert "Added" in say("/deal", "add Acme 12k").text
    metadata = app.runtime.seal.seal("deal_edit", "T1", "U1", {"d": 1})
    edit = {"callback_id": "deal_edit", "type": "modal", "private_metadata": metadata}
    drain()
    before = database_state(sessions)

    settings = {"time": text_input("06:00"), "days": text_input("mon-fri")}
    answers = {"q0": text_input("Called"), "q1": text_input("Close"), "q2": text_input("none")}
    sealed, _dot, mac = config["private_metadata"].rpartition(".")
    # Another team's id, under the original seal.
    edited = json.dumps(json.loads(sealed) | {"t": 2}, separators=(",", ":")) + "." + mac
    tried = [
        (config, settings, "U3", "time"),  # a rep submitting the manager's form
        ({**config, "private_metadata": edited}, settings, "U1", "time"),
        (check_in, answers, "U3", "q0"),
        ({**check_in, "private_metadata": "2026-11-30"}, answers, "U2", "q0"),
        (edit, deal_state(), "U2", "customer"),  # sealed for the manager, sent by bob
    ]
    for view, values, user, field in tried:
        reply = submit(driver, view, values, user=user)
        assert reply.json["response_action"] == "errors", (view["callback_id"], user)
        assert "not valid" in reply.json["errors"][field]
    drain()

    assert database_state(sessions) == before
    assert errors_logged(logs) == []
    assert len(refusals_logged(logs)) == len(tried)


def test_a_question_key_the_app_did_not_hand_out_is_refused(
    driver: SlackDriver,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    drain: Drain,
    logs: pytest.LogCaptureFixture,
) -> None:
    """A made-up key for a guard's Cancel (or a Yes carrying a command) claims nothing."""
    before = database_state(sessions)
    url = slack.response_url("guard", user_id="U2", channel_id="C1")
    key = "confirm:" + "ab" * 16
    for action_id, value in (
        ("deal_guard_cancel", {"k": key}),
        ("deal_guard_cancel", {"k": key, "s": "AAAAAAAAAAAAAAAAAAAAAA"}),
        ("deal_guard_yes", {"k": key, "x": "add Sneaky 5k", "another": 1}),
        ("deal_guard_instead", {"k": "view:V1", "f": {"customer": "Sneaky", "amount": "5k"}}),
    ):
        reply = press(driver, action_id, json.dumps(value), response_url=url, channel={"id": "C1"})
        assert reply.status == 200
    answers = slack.wait_for("response_url", lambda c: c.params["url"] == url, count=4)
    drain()

    assert all("has expired" in str(a.params) for a in answers)
    assert database_state(sessions) == before
    assert errors_logged(logs) == []
    assert [line.split()[1] for line in refusals_logged(logs)] == ["reason=signature"] * 4
