"""Deal numbers are per workspace: each numbers its deals from #1, whatever other workspaces
hold, and every number a person sees or types is the workspace's: replies, lists, `/deal
#1`, App Home buttons, win posts and exports. Through signed HTTP, checked in the database.

Workspace A (T1) is conftest's team in #sales (C1). Workspace B (T2) has its own admin U21 and
rep U22 in #bravo (C2), set up with `/salesbot setup`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.driver import Reply, SlackDriver, http_transport
from bot.dev.standin import Call, DevSlack, blocks_to_text
from models import Deal, DealCounter
from tests.conftest import SIGNING_SECRET
from tests.e2e.conftest import Say, race

pytestmark = pytest.mark.usefixtures("team")

B = "T2"
B_ADMIN, B_REP, B_CHANNEL = "U21", "U22", "C2"


class Bravo:
    """Workspace B's side: its own signed commands and button presses."""

    def __init__(self, driver: SlackDriver, slack: DevSlack) -> None:
        self.driver = driver
        self.slack = slack

    def say(self, command: str, text: str, *, user: str = B_REP) -> Reply:
        reply = self.driver.command(
            command,
            text,
            user=user,
            channel=B_CHANNEL,
            response_url=self.slack.response_url(command, user_id=user, channel_id=B_CHANNEL),
        )
        assert reply.status == 200, reply
        return reply

    def press_on_home(self, view: dict[str, Any], action_id: str, value: str) -> None:
        payload = {
            "type": "block_actions",
            "team": {"id": B},
            "user": {"id": B_REP},
            "view": view,
            "actions": [{"action_id": action_id, "value": value}],
        }
        assert self.driver.interaction(payload).status == 200


@pytest.fixture
def bravo(server_url: str, slack: DevSlack) -> Bravo:
    """Workspace B, its team set up in #bravo by its admin."""
    slack.add_user(
        B_ADMIN, "carol", real_name="Carol Admin", tz="Asia/Shanghai", is_admin=True, team_id=B
    )
    slack.add_user(B_REP, "dave", real_name="Dave Rep", tz="Asia/Shanghai", team_id=B)
    slack.add_user("UBOT2", "salesbot", is_bot=True, team_id=B)
    slack.add_channel(B_CHANNEL, "bravo", [B_ADMIN, B_REP, "UBOT2"])
    driver = SlackDriver(http_transport(f"{server_url}/slack/events"), SIGNING_SECRET, team_id=B)
    bravo = Bravo(driver, slack)
    bravo.say("/salesbot", "setup CNY", user=B_ADMIN)
    slack.wait_for("response_url", lambda c: "#bravo is now a sales team" in str(c.params))
    return bravo


def numbers(sessions: sessionmaker[Session]) -> list[tuple[str, int, str]]:
    """(workspace, number, customer) of every deal, in the order they were added."""
    with sessions() as session:
        rows = session.execute(
            select(Deal.workspace_id, Deal.number, Deal.customer).order_by(Deal.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def added_number(reply: Reply) -> int:
    """The number an `Added` reply gives the new deal."""
    found = re.search(r"Added `#(\d+)`", reply.text)
    assert found is not None, reply.text
    return int(found.group(1))


def test_a_second_workspace_numbers_its_deals_from_one(
    say: Say, bravo: Bravo, sessions: sessionmaker[Session]
) -> None:
    assert "Added `#1` *Acme*" in say("/deal", "add Acme 12k proposal").text
    assert "Added `#2` *Initech*" in say("/deal", "add Initech 8k").text

    reply = bravo.say("/deal", "add Globex 5k lead")

    assert "Added `#1` *Globex*" in reply.text, reply.text
    assert "#3" not in reply.text
    assert numbers(sessions) == [("T1", 1, "Acme"), ("T1", 2, "Initech"), ("T2", 1, "Globex")]
    listed = bravo.say("/deal", "list").text
    assert "`#1` *Globex*" in listed and "Acme" not in listed and "#2" not in listed


def test_deal_one_in_each_workspace_is_its_own(
    say: Say, bravo: Bravo, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")
    bravo.say("/deal", "add Globex 5k lead")

    for text in ("show #1", "show 1"):
        a, b = say("/deal", text).text, bravo.say("/deal", text).text
        assert "Acme" in a and "Globex" not in a, (text, a)
        assert "Globex" in b and "Acme" not in b, (text, b)

    # Changing #1 in B changes B's deal only.
    reply = bravo.say("/deal", "#1 amount 6k stage proposal")
    assert "Updated `#1` *Globex*" in reply.text, reply.text
    with sessions() as session:
        acme, globex = session.scalars(select(Deal).order_by(Deal.id)).all()
        assert (acme.amount, acme.stage) == (12000, "proposal")
        assert (globex.amount, globex.stage) == (6000, "proposal")
    # A number B has not reached yet is B's to refuse, though A has such a deal.
    say("/deal", "add Hooli 1k")
    assert "There is no deal #2" in bravo.say("/deal", "show #2").text


def test_a_win_is_posted_with_the_workspaces_number(
    say: Say, bravo: Bravo, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")
    bravo.say("/deal", "add Globex 5k lead")

    reply = bravo.say("/deal", "won 1")

    assert "Won `#1` *Globex*" in reply.text, reply.text
    post = slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("channel") == B_CHANNEL and "won" in str(c)
    )[-1]
    assert "(deal #1)" in blocks_to_text(post.params["blocks"])
    assert "Acme" in say("/deal", "list").text  # A's #1 is still open

    # Undone: the post's correction names the deal by B's number too.
    assert "Undone" in bravo.say("/deal", "undo").text
    reply_in_thread = slack.wait_for(
        "chat.postMessage", lambda c: "thread_ts" in c.params and "Undone by" in str(c.params)
    )[-1]
    assert "deal #1 is back in Lead" in reply_in_thread.params["text"]


def _home_of(bravo: Bravo, slack: DevSlack, expect: str) -> dict[str, Any]:
    event = {"type": "app_home_opened", "user": B_REP, "tab": "home"}
    assert bravo.driver.event(event, event_id=f"Ev-b-{len(slack.calls())}").status == 200

    def shows(call: Call) -> bool:
        return call.params["user_id"] == B_REP and expect in blocks_to_text(
            call.params["view"]["blocks"]
        )

    view: dict[str, Any] = slack.wait_for("views.publish", shows)[-1].params["view"]
    return view


def _buttons(view: dict[str, Any]) -> dict[str, list[str]]:
    """Each button's action id with the values it carries, as the home shows them."""
    found: dict[str, list[str]] = {}
    for block in view["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found.setdefault(element["action_id"], []).append(element.get("value", ""))
    return found


def test_app_home_buttons_carry_the_workspaces_number(
    say: Say, bravo: Bravo, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")  # id 1, A's #1
    say("/deal", "add Initech 8k proposal")  # id 2, A's #2
    bravo.say("/deal", "add Globex 5k lead")  # id 3, B's #1

    view = _home_of(bravo, slack, "`#1` *Globex*")

    assert _buttons(view)["home_won"] == ["1"]
    bravo.press_on_home(view, "home_advance", "1")
    slack.wait_for("views.publish", lambda c: "*Globex* · ¥5k · Qualified" in str(c.params))
    bravo.press_on_home(view, "home_edit", "1")
    form = slack.wait_for("views.open")[-1].params["view"]
    # The form's metadata names the deal by its number, sealed (bot/domain/payloads.py).
    sealed_data, _seal = form["private_metadata"].rsplit(".", 1)
    assert json.loads(sealed_data) == {"d": 1} and "#1" in form["title"]["text"]
    with sessions() as session:
        stages = {c: s for c, s in session.execute(select(Deal.customer, Deal.stage))}
    assert stages == {"Acme": "proposal", "Initech": "proposal", "Globex": "qualified"}


def test_a_check_in_moves_the_deal_of_the_workspaces_number(
    say: Say, bravo: Bravo, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")  # id 1, A's #1
    bravo.say("/deal", "add Globex 5k lead")  # id 2, B's #1
    bravo.say("/standup", "")
    view = slack.wait_for("views.open")[-1].params["view"]
    offered = [
        (option["text"]["text"], option["value"])
        for block in view["blocks"]
        if block.get("block_id") == "move0_deal"
        for option in block["element"]["options"]
    ]
    assert offered == [("#1 Globex", "1")]

    values = {
        f"q{n}": {"value": {"type": "plain_text_input", "value": answer}}
        for n, answer in enumerate(["Called Globex", "Close it", "none"])
    }
    values["move0_deal"] = {"value": {"type": "static_select", "selected_option": {"value": "1"}}}
    values["move0_stage"] = {
        "value": {"type": "static_select", "selected_option": {"value": "won"}}
    }
    payload = {
        "type": "view_submission",
        "team": {"id": B},
        "user": {"id": B_REP},
        "view": {**view, "id": "VB1", "state": {"values": values}},
    }
    reply = bravo.driver.interaction(payload)

    assert reply.status == 200 and "errors" not in reply.body, reply.body
    with sessions() as session:
        stages = {c: s for c, s in session.execute(select(Deal.customer, Deal.stage))}
    assert stages == {"Acme": "proposal", "Globex": "won"}


def test_concurrent_adds_in_one_workspace_get_consecutive_numbers(
    say: Say, bravo: Bravo, sessions: sessionmaker[Session]
) -> None:
    # A has deals already: B's numbers do not follow A's.
    say("/deal", "add Acme 12k")
    count = 8

    replies = race(
        [
            (lambda n=n: bravo.say("/deal", f"add Customer{n} {n + 1}k"))  # type: ignore[misc]
            for n in range(count)
        ]
    )

    told = sorted(added_number(reply) for reply in replies)
    assert told == list(range(1, count + 1))
    stored = sorted(number for workspace, number, _ in numbers(sessions) if workspace == B)
    assert stored == list(range(1, count + 1))
    with sessions() as session:
        counter = session.get(DealCounter, B)
        assert counter is not None and counter.last_number == count
    assert "Added `#2`" in say("/deal", "add Hooli 1k").text


def test_the_export_numbers_deals_as_the_workspace_does(
    say: Say, bravo: Bravo, slack: DevSlack
) -> None:
    say("/deal", "add Acme 12k")
    say("/deal", "add Initech 8k")
    bravo.say("/deal", "add Globex 5k")
    bravo.say("/deal", "add Umbrella 7k")

    assert "2 deals" in bravo.say("/deal", "export").text

    slack.wait_for("files.completeUploadExternal")
    (content,) = slack.uploads().values()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(r["id"], r["team_id"], r["customer"]) for r in rows] == [
        ("1", "T2", "Globex"),
        ("2", "T2", "Umbrella"),
    ]
