"""App Home: published on opening, after a change while the member may be looking at it, and
after every press of its buttons; with working buttons and paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import Call, DevSlack, blocks_to_text
from bot.services import outbox
from bot.slack.app import Salesbot
from models import Deal
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")


def open_home(driver: SlackDriver, slack: DevSlack, user: str, expect: str) -> dict[str, Any]:
    """Open the tab and wait for a published home showing `expect` (changes re-publish it
    in the background too, so the newest call is not necessarily this one)."""
    event = {"type": "app_home_opened", "user": user, "tab": "home"}
    assert driver.event(event, event_id=f"Ev-{user}-{len(slack.calls())}").status == 200

    def shows(call: Call) -> bool:
        text = blocks_to_text(call.params["view"]["blocks"])
        return call.params["user_id"] == user and expect in text

    view = slack.wait_for("views.publish", shows)[-1].params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    return view


def press(driver: SlackDriver, user: str, view: dict[str, Any], action_id: str, value: str) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "trigger_id": "trig",
        "view": view,
        "actions": [{"action_id": action_id, "value": value}],
    }
    assert driver.interaction(payload).status == 200


def test_rep_home_shows_targets_deals_check_in_and_top_five(
    say: Say, driver: SlackDriver, slack: DevSlack
) -> None:
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/deal", "add Acme 40k won")
    say("/deal", "add Beta 20k negotiation close 2026-12-02")
    text = blocks_to_text(open_home(driver, slack, "U2", "`#2` *Beta*")["blocks"])
    assert "Your targets" in text and "¥40k of ¥100k" in text
    assert "`#2` *Beta*" in text and "[Won] [Lost] [Edit]" in text
    assert "You have not checked in today" in text and "[Check in]" in text
    assert "Team · top five" in text and "[New deal]" in text
    assert "Today's blockers" not in text and "Stale deals" not in text


def test_manager_home_adds_team_totals_blockers_and_stale(
    say: Say, driver: SlackDriver, slack: DevSlack
) -> None:
    say("/target", "set team 300k", user="U1")
    say("/deal", "add Acme 40k won")
    say("/standup", "", user="U2")
    view = slack.wait_for("views.open")[-1].params["view"]
    values = {
        f"q{i}": {"value": {"type": "plain_text_input", "value": v}}
        for i, v in enumerate(["Called", "Close", "Legal is slow"])
    }
    driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U2"},
            "view": {**view, "id": "V1", "state": {"values": values}},
        }
    )
    text = blocks_to_text(open_home(driver, slack, "U1", "Legal is slow")["blocks"])
    assert "¥40k of ¥300k" in text
    assert "Today's blockers" in text and "Legal is slow" in text


def test_buttons_move_deals_and_the_home_is_republished(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 40k proposal")
    say("/deal", "add Beta 20k")
    view = open_home(driver, slack, "U2", "`#2` *Beta*")
    press(driver, "U2", view, "home_advance", "1")
    slack.wait_for("views.publish", lambda c: "*Acme* · ¥40k · Negotiation" in str(c.params))
    with sessions() as session:
        assert session.get(Deal, 1).stage == "negotiation"  # type: ignore[union-attr]
    press(driver, "U2", view, "home_won", "2")
    slack.wait_for("chat.postMessage", lambda c: ":trophy:" in str(c.params))
    press(driver, "U2", view, "home_lost", "2")  # already won: told in a DM, nothing changes
    slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "U2")
    with sessions() as session:
        assert session.get(Deal, 2).stage == "won"  # type: ignore[union-attr]
    # A change made anywhere re-publishes the home.
    published = len(slack.calls("views.publish"))
    say("/deal", "add Gamma 5k")
    slack.wait_for("views.publish", count=published + 1)


def test_edit_form_saves_or_reports_errors(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 40k proposal")
    press(driver, "U2", open_home(driver, slack, "U2", "`#1` *Acme*"), "home_edit", "1")
    form = slack.wait_for("views.open")[-1].params["view"]
    assert form["callback_id"] == "deal_edit"
    state = {
        block["block_id"]: {"value": _filled(block["element"])}
        for block in form["blocks"]
        if block.get("type") == "input"
    }
    state["amount"] = {"value": {"type": "plain_text_input", "value": "lots"}}
    bad = driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U2"},
            "view": {**form, "id": "V1", "state": {"values": state}},
        }
    )
    assert bad.json["response_action"] == "errors" and "amount" in bad.json["errors"]
    state["amount"] = {"value": {"type": "plain_text_input", "value": "45k"}}
    ok = driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U2"},
            "view": {**form, "id": "V1", "state": {"values": state}},
        }
    )
    assert ok.status == 200 and not ok.body
    with sessions() as session:
        assert str(session.get(Deal, 1).amount) == "45000.00"  # type: ignore[union-attr]


def _filled(element: dict[str, Any]) -> dict[str, Any]:
    if element["type"] == "static_select":
        return {"type": "static_select", "selected_option": element.get("initial_option")}
    if element["type"] == "datepicker":
        return {"type": "datepicker", "selected_date": element.get("initial_date")}
    return {"type": "plain_text_input", "value": element.get("initial_value")}


def test_deals_are_paged_ten_at_a_time(say: Say, driver: SlackDriver, slack: DevSlack) -> None:
    for n in range(23):
        say("/deal", f"add Customer{n} {n + 1}k")
    first = open_home(driver, slack, "U2", "Customer9*")
    assert blocks_to_text(first["blocks"]).count("`#") == 10
    press(driver, "U2", first, "home_page", '{"page": 2}')
    last = slack.wait_for("views.publish", lambda c: "Previous" in str(c.params))[-1]
    text = blocks_to_text(last.params["view"]["blocks"])
    assert text.count("`#") == 3 and "[← Previous]" in text and "[Next →]" not in text


def published_to(slack: DevSlack, user: str) -> list[Call]:
    return [c for c in slack.calls("views.publish") if c.params["user_id"] == user]


def test_a_burst_of_changes_is_one_publish_showing_all_of_them(
    say: Say, driver: SlackDriver, app: Salesbot, slack: DevSlack
) -> None:
    open_home(driver, slack, "U2", "Bob")
    before = len(published_to(slack, "U2"))
    app.runtime.sender.stop()  # the changes land before the sender's next pass
    for name in ("Acme", "Beta", "Gamma", "Delta", "Omega"):
        assert "Added" in say("/deal", f"add {name} 10k").text
    app.runtime.sender.deliver_due()
    published = published_to(slack, "U2")[before:]
    assert len(published) == 1
    text = blocks_to_text(published[0].params["view"]["blocks"])
    assert all(f"*{name}*" in text for name in ("Acme", "Beta", "Gamma", "Delta", "Omega"))


def test_a_change_after_the_home_was_taken_for_sending_is_published_again(
    say: Say,
    driver: SlackDriver,
    app: Salesbot,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    open_home(driver, slack, "U2", "Bob")
    app.runtime.sender.stop()
    say("/deal", "add Acme 10k")
    with sessions() as session, session.begin():
        # The sender has taken the home (and is drawing it) when the next change commits.
        taken = outbox.claim_due(session, now=clock.now(), limit=50)
        assert [m.payload.get(outbox.RENDER) for m in taken] == ["home"]
    say("/deal", "add Beta 10k")
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    app.runtime.sender.deliver_due()
    last = [c for c in slack.calls("views.publish") if c.params["user_id"] == "U2"][-1]
    assert "*Beta*" in blocks_to_text(last.params["view"]["blocks"])


def test_a_change_made_elsewhere_waits_for_the_home_to_be_opened(
    say: Say, driver: SlackDriver, app: Salesbot, slack: DevSlack, drain: Any
) -> None:
    """Slack shows the Home as last published and says when it is opened: a member who has
    not looked at it costs no redraw per change, and sees every change when they open it."""
    for name in ("Acme", "Beta"):
        assert "Added" in say("/deal", f"add {name} 10k").text
    drain()
    assert published_to(slack, "U2") == []
    text = blocks_to_text(open_home(driver, slack, "U2", "*Beta*")["blocks"])
    assert "*Acme*" in text and "*Beta*" in text


def test_the_home_is_redrawn_while_in_view_and_after_its_own_buttons(
    say: Say, driver: SlackDriver, slack: DevSlack, clock: FrozenClock, drain: Any
) -> None:
    view = open_home(driver, slack, "U2", "Bob")
    assert "Added" in say("/deal", "add Acme 10k").text
    # Opened a minute ago: the member may be looking, so the change is drawn at once.
    slack.wait_for("views.publish", lambda c: "*Acme*" in str(c.params))
    clock.advance(timedelta(minutes=31))
    seen = len(published_to(slack, "U2"))
    assert "Added" in say("/deal", "add Beta 10k").text
    drain()
    assert len(published_to(slack, "U2")) == seen  # left long ago: drawn when next opened
    # A button of the Home tab, however long it was open, redraws it: it is in front of them.
    press(driver, "U2", view, "home_won", "1")
    last = slack.wait_for("views.publish", lambda c: "*Beta*" in str(c.params))[-1]
    text = blocks_to_text(last.params["view"]["blocks"])
    assert "`#2` *Beta*" in text and "`#1` *Acme*" not in text  # won: no longer open
