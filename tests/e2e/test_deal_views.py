"""/deal lists, paging, history, pipeline, undo, assign, the New deal modal, escaping,
workspace isolation and the error handler: end to end over HTTP, checked in the database."""

from __future__ import annotations

import json
import logging
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NoReturn

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import bot.services.deal_commands
from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver, http_transport
from bot.dev.standin import DevSlack, blocks_to_text
from bot.services.export import deal_rows
from models import Deal, DealEvent, Member
from tests.conftest import SIGNING_SECRET
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50


# --------------------------------------------------------------------------- helpers


def ids_in(text: str) -> list[int]:
    """Deal numbers in the order a list shows them (each line starts with `#N`)."""
    return [int(n) for n in re.findall(r"^`#(\d+)`", text, re.MULTILINE)]


def line_of(text: str, deal_id: int) -> str:
    """The one line of a list about deal #N."""
    lines = [line for line in text.splitlines() if line.startswith(f"`#{deal_id}`")]
    assert len(lines) == 1, text
    return lines[0]


def deal(sessions: sessionmaker[Session], deal_id: int) -> Deal:
    with sessions() as session:
        found = session.get(Deal, deal_id)
        assert found is not None
        return found


def owner_of(sessions: sessionmaker[Session], deal_id: int) -> str:
    with sessions() as session:
        found = session.get(Deal, deal_id)
        assert found is not None
        owner = session.get(Member, found.owner_id)
        assert owner is not None
        return owner.slack_user_id


def snapshot(sessions: sessionmaker[Session]) -> list[dict[str, str]]:
    """Every deal as exported, plus the number of history events."""
    with sessions() as session:
        rows = list(deal_rows(session))
        events = session.scalar(select(func.count(DealEvent.id)))
    return [*rows, {"events": str(events)}]


def events_of(sessions: sessionmaker[Session], deal_id: int) -> list[DealEvent]:
    with sessions() as session:
        query = select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id)
        return list(session.scalars(query))


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    """Slack refuses messages with more than 50 blocks or a section over 3000 characters."""
    assert len(blocks) <= BLOCK_LIMIT, len(blocks)
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_LIMIT, len(block["text"]["text"])


def next_page_button(reply_blocks: list[dict[str, Any]]) -> dict[str, Any]:
    buttons: list[dict[str, Any]] = [
        element
        for block in reply_blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") == "deal_list_page"
    ]
    assert len(buttons) == 1, reply_blocks
    return buttons[0]


def block_actions(button: dict[str, Any], *, response_url: str, user: str = "U2") -> dict[str, Any]:
    """What Slack posts when someone clicks a button in an ephemeral reply."""
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "salesbot-dev"},
        "user": {"id": user, "username": "bob", "name": "bob", "team_id": "T1"},
        "api_app_id": "A0SALESBOT",
        "token": "devslack-verification-token",
        "trigger_id": "4242.42.devslack",
        "container": {
            "type": "message",
            "message_ts": "1764466200.000100",
            "channel_id": "C1",
            "is_ephemeral": True,
        },
        "channel": {"id": "C1", "name": "sales"},
        "is_enterprise_install": False,
        "enterprise": None,
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "block_id": "page",
                "action_id": button["action_id"],
                "text": button["text"],
                "value": button["value"],
                "action_ts": "1764466260.000200",
            }
        ],
    }


# --------------------------------------------------------------------------- /deal list


def test_my_list_shows_open_deals_by_close_date_undated_last(say: Say, clock: FrozenClock) -> None:
    say("/deal", "add Acme 12k proposal close 2026-12-20")  # 1
    say("/deal", "add Initech 8k")  # 2, no close date
    say("/deal", "add 华为 5万 谈判 close 2026-12-05")  # 3
    say("/deal", "add Hooli 9k won")  # 4, closed
    say("/deal", "add Soylent 3k close 2026-12-10")  # 5
    say("/deal", "lost #5 budget cut")  # closed
    say("/deal", "add Globex 20k close 2026-12-01", user="U3")  # 6, not bob's
    clock.advance(timedelta(days=3))
    say("/deal", "#1 note Sent the quote")

    reply = say("/deal", "list")

    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert ids_in(reply.text) == [3, 1, 2], reply.text
    huawei = line_of(reply.text, 3)
    for part in ("华为", "¥50k", "Negotiation", "closes Dec 5", "3d since update"):
        assert part in huawei, huawei
    acme = line_of(reply.text, 1)
    for part in ("Acme", "¥12k", "Proposal", "closes Dec 20", "updated today"):
        assert part in acme, acme
    initech = line_of(reply.text, 2)
    for part in ("Initech", "¥8k", "Lead", "no close date", "3d since update"):
        assert part in initech, initech


def test_team_list_shows_everyones_open_deals_with_their_owner(say: Say) -> None:
    say("/deal", "add Acme 12k proposal close 2026-12-20")  # 1
    say("/deal", "add Globex 20k close 2026-12-03", user="U3")  # 2
    say("/deal", "add Hooli 9k won", user="U3")  # 3, closed
    say("/deal", "add Initech 8k")  # 4

    reply = say("/deal", "list team")

    assert ids_in(reply.text) == [2, 1, 4], reply.text
    assert "<@U3>" in line_of(reply.text, 2) and "Globex" in line_of(reply.text, 2)
    assert "<@U2>" in line_of(reply.text, 1)
    assert "Hooli" not in reply.text


def test_list_of_a_person_shows_only_their_open_deals(say: Say) -> None:
    say("/deal", "add Acme 12k")  # 1, bob's
    say("/deal", "add Globex 20k proposal", user="U3")  # 2
    say("/deal", "add Umbrella 4k close 2026-12-02", user="U3")  # 3
    say("/deal", "lost #2 no budget", user="U3")

    reply = say("/deal", "list <@U3|lilei>")

    assert ids_in(reply.text) == [3], reply.text
    assert "<@U3>" in reply.text and "Umbrella" in reply.text


def test_list_of_a_stage_shows_the_teams_open_deals_in_that_stage(say: Say) -> None:
    say("/deal", "add Acme 12k proposal close 2026-12-20")  # 1
    say("/deal", "add Initech 8k")  # 2, lead
    say("/deal", "add Globex 20k proposal close 2026-12-10", user="U3")  # 3
    say("/deal", "add Hooli 9k proposal")  # 4
    say("/deal", "won #4")

    reply = say("/deal", "list proposal")

    assert ids_in(reply.text) == [3, 1], reply.text
    assert "Proposal" in reply.text


def test_stale_list_shows_deals_untouched_for_the_stale_period(
    say: Say, clock: FrozenClock
) -> None:
    say("/deal", "add Acme 12k proposal close 2026-12-20")  # 1
    say("/deal", "add Initech 8k")  # 2
    say("/deal", "add Globex 20k close 2026-12-18", user="U3")  # 3
    say("/deal", "add Hooli 9k")  # 4
    say("/deal", "lost #4")  # closed: never stale
    clock.advance(timedelta(days=15))
    say("/deal", "#2 note Called, still interested")

    reply = say("/deal", "list stale")

    assert ids_in(reply.text) == [3, 1], reply.text
    assert "15d since update" in line_of(reply.text, 1)
    assert "15d since update" in line_of(reply.text, 3)
    assert "14 days" in reply.text


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("list", "no open deals"),
        ("list team", "no open deals"),
        ("list <@U3|lilei>", "no open deals"),
        ("list proposal", "no open deals in proposal"),
        ("list stale", "nothing stale"),
    ],
)
def test_empty_lists_give_a_friendly_hint(say: Say, text: str, hint: str) -> None:
    say("/deal", "add Hooli 9k won")  # closed deals never count
    say("/deal", "add Soylent 9k won", user="U3")

    reply = say("/deal", text)

    assert reply.status == 200
    assert ":warning:" not in reply.text
    assert hint in reply.text.casefold(), reply.text
    assert ids_in(reply.text) == []


# --------------------------------------------------------------------------- paging


def test_long_list_pages_with_a_next_page_button(
    say: Say, slack: DevSlack, driver: SlackDriver
) -> None:
    for n in range(1, 31):
        assert "Added" in say("/deal", f"add Customer{n:02d} {n}k close 2026-12-{n:02d}").text

    first = say("/deal", "list")

    assert ids_in(first.text) == list(range(1, 26))
    assert "Showing 1–25 of 30" in first.text
    button = next_page_button(first.json["blocks"])
    assert button["text"]["text"] == "Next page"

    url = slack.response_url("/deal", user_id="U2", channel_id="C1")
    clicked = driver.interaction(block_actions(button, response_url=url))

    assert clicked.status == 200
    posted = slack.wait_for("response_url", lambda c: c.params["url"] == url)[0].params
    assert posted["replace_original"] in (True, "true")
    page_two = blocks_to_text(posted["blocks"])
    assert ids_in(page_two) == [26, 27, 28, 29, 30], page_two
    assert "Showing 26–30 of 30" in page_two
    assert "Next page" not in page_two


def test_long_customer_names_stay_within_slack_limits(
    say: Say, slack: DevSlack, driver: SlackDriver
) -> None:
    # 200 characters, the most a name may have; "&" is 5 characters once escaped (&amp;).
    names = [f"N{n:02d}" + "&" * 197 for n in range(1, 31)]
    for name in names:
        assert "Added" in say("/deal", f"add {name} 12k").text

    first = say("/deal", "list")

    assert ids_in(first.text) == list(range(1, 26))
    assert_within_slack_limits(first.json["blocks"])
    url = slack.response_url("/deal", user_id="U2", channel_id="C1")
    driver.interaction(block_actions(next_page_button(first.json["blocks"]), response_url=url))
    posted = slack.wait_for("response_url", lambda c: c.params["url"] == url)[0].params
    assert ids_in(blocks_to_text(posted["blocks"])) == [26, 27, 28, 29, 30]
    assert_within_slack_limits(posted["blocks"])

    for text in ("list team", "show #1"):
        reply = say("/deal", text)
        assert reply.status == 200 and ":warning:" not in reply.text
        assert_within_slack_limits(reply.json["blocks"])


# --------------------------------------------------------------------------- /deal show


def test_show_tells_the_whole_history_with_who_when_and_what(say: Say, clock: FrozenClock) -> None:
    say("/deal", "add Acme 12k")  # Nov 30 09:30, bob
    clock.advance(timedelta(minutes=5))
    say("/deal", "#1 stage proposal amount 15k close 2026-12-15")  # 09:35, bob
    clock.advance(timedelta(hours=1))
    say("/deal", "#1 stage negotiation", user="U1")  # 10:35, alice (manager)
    clock.advance(timedelta(minutes=20))
    say("/deal", "#1 close 2026-12-20")  # 10:55, bob
    clock.advance(timedelta(minutes=2))
    assert "Undone" in say("/deal", "undo").text  # 10:57, bob

    reply = say("/deal", "show #1")

    assert reply.status == 200
    text = reply.text
    assert "Acme" in text and "Negotiation" in text and "<@U2>" in text
    assert "Amount: ¥15,000\n" in text
    history = text[text.index("History") :]
    expected = [
        r"Nov 30 09:30 · Bob Rep · created the deal",
        r"Nov 30 09:35 · Bob Rep · close date: — → Dec 15(, 2026)?",
        r"Nov 30 09:35 · Bob Rep · amount: 12,000(\.00)? → 15,000(\.00)?",
        r"Nov 30 09:35 · Bob Rep · stage: Lead → Proposal",
        r"Nov 30 10:35 · Alice Admin · stage: Proposal → Negotiation",
        r"Nov 30 10:55 · Bob Rep · close date: Dec 15(, 2026)? → Dec 20(, 2026)?",
        r"Nov 30 10:57 · Bob Rep · close date: Dec 20(, 2026)? → Dec 15(, 2026)? \(undo\)",
    ]
    positions = []
    for pattern in expected:
        match = re.search(pattern, history)
        assert match is not None, f"{pattern!r} not in\n{history}"
        positions.append(match.start())
    assert positions == sorted(positions), history


def test_show_of_a_long_history_keeps_the_newest_changes(say: Say) -> None:
    say("/deal", "add Acme 12k")
    # Each change writes two history lines of ~820 characters (values are shown up to 80
    # characters and "&" is 5 once escaped), so three fit a section: 160 such lines need
    # more than 50 blocks.
    for n in range(80):
        name, note = f"C{n:02d}" + "&" * 100, f"N{n:02d}" + "&" * 100
        assert "Updated" in say("/deal", f"#1 customer {name} note {note}").text
    say("/deal", "#1 close 2026-12-24")

    reply = say("/deal", "show #1")

    assert_within_slack_limits(reply.json["blocks"])
    assert "close date: — → Dec 24" in reply.text, reply.text[-300:]


# --------------------------------------------------------------------------- /deal pipeline


@pytest.fixture
def pipeline_deals(team: None, say: Say) -> None:
    """bob: Acme ¥12k proposal, 华为 ¥5万 negotiation, Initech ¥8k lead, Hooli ¥9k won;
    李雷: Globex ¥20k proposal, Umbrella ¥4k qualified, Soylent ¥7k lost."""
    for text, user in [
        ("add Acme 12k proposal", "U2"),
        ("add 华为 5万 谈判", "U2"),
        ("add Initech 8k", "U2"),
        ("add Hooli 9k won", "U2"),
        ("add Globex 20k proposal", "U3"),
        ("add Umbrella 4k qualified", "U3"),
        ("add Soylent 7k lost", "U3"),
    ]:
        assert "Added" in say("/deal", text, user=user).text


@pytest.mark.usefixtures("pipeline_deals")
@pytest.mark.parametrize(
    ("text", "user", "title", "lines", "forecast"),
    [
        (
            # lead 8k×10% = 800; qualified 4k×25% = 1k; proposal 32k×50% = 16k;
            # negotiation 50k×75% = 37.5k. Open 94k, weighted 55.3k.
            "pipeline",
            "U2",
            "Team pipeline",
            [
                "*Lead* (10%): 1 deal, ¥8k → ¥800",
                "*Qualified* (25%): 1 deal, ¥4k → ¥1k",
                "*Proposal* (50%): 2 deals, ¥32k → ¥16k",
                "*Negotiation* (75%): 1 deal, ¥50k → ¥37.5k",
            ],
            "¥94k open, *¥55.3k weighted*",
        ),
        (
            # 8k×10% + 12k×50% + 50k×75% = 800 + 6k + 37.5k = 44.3k of 70k.
            "pipeline <@U2|bob>",
            "U3",
            "Pipeline of <@U2>",
            [
                "*Lead* (10%): 1 deal, ¥8k → ¥800",
                "*Proposal* (50%): 1 deal, ¥12k → ¥6k",
                "*Negotiation* (75%): 1 deal, ¥50k → ¥37.5k",
            ],
            "¥70k open, *¥44.3k weighted*",
        ),
        (
            # 4k×25% + 20k×50% = 1k + 10k = 11k of 24k.
            "pipeline mine",
            "U3",
            "Your pipeline",
            [
                "*Qualified* (25%): 1 deal, ¥4k → ¥1k",
                "*Proposal* (50%): 1 deal, ¥20k → ¥10k",
            ],
            "¥24k open, *¥11k weighted*",
        ),
    ],
    ids=["team", "person", "mine"],
)
def test_pipeline_counts_totals_and_weights_open_deals_per_stage(
    say: Say, text: str, user: str, title: str, lines: list[str], forecast: str
) -> None:
    reply = say("/deal", text, user=user)

    assert reply.status == 200
    assert title in reply.text
    stage_lines = [line for line in reply.text.splitlines() if re.match(r"\*\w+\* \(\d+%\)", line)]
    assert stage_lines == lines, reply.text
    assert f"Forecast: {forecast}" in reply.text
    assert "Won" not in reply.text and "Lost" not in reply.text


def test_pipeline_is_one_line_per_stage_in_the_team_currency(say: Say) -> None:
    assert ":warning:" not in say("/salesbot", "fx USD 7.2", user="U1").text
    assert "Added" in say("/deal", "add Acme 12k proposal").text
    assert "Added" in say("/deal", "add Globex $30k proposal", user="U3").text
    assert "Added" in say("/deal", "add Initech $5k lead", user="U3").text

    reply = say("/deal", "pipeline team")

    # 30k × 7.2 = 216k; with Acme 228k, half of it weighted. Initech: 5k × 7.2 = 36k, 10%.
    stage_lines = [line for line in reply.text.splitlines() if line.startswith("*Proposal*")]
    assert stage_lines == ["*Proposal* (50%): 2 deals, ¥228k → ¥114k (incl. $30k ≈ ¥216k)"]
    assert "*Lead* (10%): 1 deal, ¥36k → ¥3.6k (incl. $5k ≈ ¥36k)" in reply.text
    assert "Forecast: ¥264k open, *¥118k weighted*" in reply.text
    assert "$30k open" not in reply.text


# --------------------------------------------------------------------------- /deal undo


def test_undo_reverts_every_field_of_my_last_command_and_is_recorded(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k")
    say("/deal", "#1 stage proposal amount 15k close 2026-12-15")

    reply = say("/deal", "undo")

    assert reply.status == 200 and "Undone" in reply.text, reply.text
    stored = deal(sessions, 1)
    assert (stored.stage, stored.amount, stored.close_date) == ("lead", Decimal("12000"), None)
    events = events_of(sessions, 1)
    undos = [e for e in events if e.action == "undo"]
    assert sorted(e.field for e in undos) == ["amount", "close_date", "stage"]
    assert len({e.change_id for e in undos}) == 1
    undone = [e for e in events if e.action == "update"]
    assert all(e.undone_by == undos[0].change_id for e in undone)
    assert "(undo)" in say("/deal", "show #1").text


def test_undoing_an_add_hides_the_deal(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/deal", "add Acme 12k proposal")

    reply = say("/deal", "undo")

    assert "Undone" in reply.text
    assert deal(sessions, 1).deleted_at is not None
    assert "no open deals" in say("/deal", "list").text
    assert "no open deals" in say("/deal", "list team").text
    assert "No open deals yet" in say("/deal", "pipeline").text
    assert "no deal #1" in say("/deal", "show #1").text
    assert "no deal #1" in say("/deal", "#1 stage negotiation").text
    assert "Nothing to undo" in say("/deal", "undo").text


def test_after_ten_minutes_there_is_nothing_to_undo(
    say: Say, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    say("/deal", "add Acme 12k")
    say("/deal", "#1 stage proposal")
    clock.advance(timedelta(minutes=10, seconds=1))
    before = snapshot(sessions)

    reply = say("/deal", "undo")

    assert "Nothing to undo" in reply.text
    assert snapshot(sessions) == before
    assert deal(sessions, 1).stage == "proposal"


def test_my_undo_never_touches_someone_elses_change(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k")  # bob's #1
    say("/deal", "add Globex 20k", user="U3")  # 李雷's #2
    say("/deal", "#1 amount 15k")  # bob, last of all

    assert "Undone" in say("/deal", "undo", user="U3").text

    assert deal(sessions, 2).deleted_at is not None
    bobs = deal(sessions, 1)
    assert (bobs.deleted_at, bobs.amount) == (None, Decimal("15000"))
    assert "Nothing to undo" in say("/deal", "undo", user="U3").text
    assert deal(sessions, 1).amount == Decimal("15000")


def test_my_undo_does_not_revert_a_later_change_by_someone_else(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k")
    say("/deal", "#1 stage proposal")  # bob
    say("/deal", "#1 stage negotiation", user="U1")  # then the manager moves it on

    say("/deal", "undo")  # bob undoes his own change only

    assert deal(sessions, 1).stage == "negotiation"


# --------------------------------------------------------------------------- /deal assign


def test_manager_assigns_a_deal_to_another_rep(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/deal", "add Acme 12k")

    reply = say("/deal", "assign #1 <@U3|lilei>", user="U1")

    assert reply.status == 200 and "Assigned" in reply.text, reply.text
    assert owner_of(sessions, 1) == "U3"
    assert "Alice Admin · owner: <@U2> → <@U3>" in say("/deal", "show #1").text
    assert ids_in(say("/deal", "list", user="U3").text) == [1]
    assert ids_in(say("/deal", "list").text) == []
    assert "Updated" in say("/deal", "#1 stage proposal", user="U3").text
    refused = say("/deal", "#1 stage negotiation")
    assert "belongs to someone else" in refused.text
    assert deal(sessions, 1).stage == "proposal"


def test_assign_confirmation_names_the_old_and_new_owner(say: Say) -> None:
    say("/deal", "add Acme 12k")

    reply = say("/deal", "assign #1 <@U3|lilei>", user="U1")

    assert "owner: <@U2> → <@U3>" in reply.text, reply.text


def test_assign_tells_the_new_and_the_previous_owner_in_a_dm(say: Say, slack: DevSlack) -> None:
    say("/deal", "add Acme 12k proposal")  # bob's
    say("/salesbot", "language zh", user="U3")  # 李雷 reads Chinese

    assert "<@U3>" in say("/deal", "assign #1 <@U3|lilei>", user="U1").text

    to_new = slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "U3")[0]
    to_old = slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "U2")[0]
    assert "<@U1>" in to_new.params["text"] and "*Acme*" in to_new.params["text"]
    assert "商机" in to_new.params["text"]  # in the new owner's language
    assert "gave your deal" in to_old.params["text"] and "<@U3>" in to_old.params["text"]
    # Whoever assigned it is told in the reply, not by DM.
    assert not [c for c in slack.calls("chat.postMessage") if c.params["channel"] == "U1"]


def test_after_assignment_the_old_owner_cannot_undo_on_that_deal(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k")
    say("/deal", "#1 amount 15k")
    say("/deal", "assign #1 <@U3|lilei>", user="U1")
    before = snapshot(sessions)

    say("/deal", "undo")

    assert snapshot(sessions) == before


def test_rep_cannot_assign(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/deal", "add Acme 12k")
    before = snapshot(sessions)

    reply = say("/deal", "assign #1 <@U3|lilei>")

    assert ":warning:" in reply.text and "managers" in reply.text
    assert snapshot(sessions) == before
    assert owner_of(sessions, 1) == "U2"


# --------------------------------------------------------------------------- /deal new


def form_state(
    *, customer: str | None, amount: str | None, stage: dict[str, Any], close: str | None
) -> dict[str, Any]:
    """view.state as Slack sends it: values[block_id][action_id] per input."""

    def text(value: str | None) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value}

    return {
        "values": {
            "customer": {"value": text(customer)},
            "title": {"value": text(None)},
            "amount": {"value": text(amount)},
            "currency": {"value": text("CNY")},
            "stage": {"value": {"type": "static_select", "selected_option": stage}},
            "close": {"value": {"type": "datepicker", "selected_date": close}},
            "note": {"value": text(None)},
        }
    }


def view_submission(view: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "salesbot-dev"},
        "user": {"id": "U2", "username": "bob", "name": "bob", "team_id": "T1"},
        "api_app_id": "A0SALESBOT",
        "token": "devslack-verification-token",
        "trigger_id": "5151.51.devslack",
        "view": {**view, "state": state},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def test_new_deal_modal_validates_then_saves(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    url = slack.response_url("/deal", user_id="U2", channel_id="C1")
    opened = driver.command("/deal", "new", user="U2", response_url=url, trigger_id="777.1.abc")

    assert (opened.status, opened.body) == (200, "")
    call = slack.wait_for("views.open")[0]
    assert call.params["trigger_id"] == "777.1.abc"
    view = call.response["view"]
    assert view["callback_id"] == "deal_new"
    # Where the confirmation goes, sealed (bot.domain.payloads): C1, as the end shows.
    assert view["private_metadata"].startswith('{"c":"C1"}.')
    stage_block = next(b for b in view["blocks"] if b["block_id"] == "stage")
    proposal = next(o for o in stage_block["element"]["options"] if o["value"] == "proposal")

    before = snapshot(sessions)
    bad = driver.interaction(
        view_submission(view, form_state(customer="   ", amount="lots", stage=proposal, close=None))
    )

    assert bad.status == 200
    assert bad.json["response_action"] == "errors"
    assert set(bad.json["errors"]) == {"customer", "amount"}, bad.json
    assert snapshot(sessions) == before

    good = driver.interaction(
        view_submission(
            view, form_state(customer="Initech", amount="12k", stage=proposal, close="2026-12-15")
        )
    )

    assert good.status == 200
    assert not good.body or "errors" not in good.json
    stored = deal(sessions, 1)
    assert (stored.customer, stored.amount, stored.currency, stored.stage, stored.close_date) == (
        "Initech",
        Decimal("12000"),
        "CNY",
        "proposal",
        date(2026, 12, 15),
    )
    assert owner_of(sessions, 1) == "U2"
    confirmation = slack.wait_for("chat.postEphemeral")[0].params
    assert (confirmation["channel"], confirmation["user"]) == ("C1", "U2")
    assert "Added" in confirmation["text"] and "Initech" in confirmation["text"]


# --------------------------------------------------------------------------- escaping

NASTY = "<!here> *bold* <@U1>"


def test_customer_markup_is_escaped_in_list_show_and_announcement(
    say: Say, slack: DevSlack
) -> None:
    assert "Added" in say("/deal", f"add {NASTY} 12k").text

    for text in ("list", "list team", "show #1"):
        blocks = json.dumps(say("/deal", text).json["blocks"], ensure_ascii=False)
        assert "<!here>" not in blocks and "<@U1>" not in blocks, (text, blocks)
        assert "&lt;!here&gt;" in blocks and "&lt;@U1&gt;" in blocks, (text, blocks)
        assert "*bold*" not in blocks

    say("/deal", "won #1")
    post = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C1")[0]
    blocks = json.dumps(post.params["blocks"], ensure_ascii=False)
    assert "<!here>" not in blocks and "<@U1>" not in blocks and "*bold*" not in blocks
    assert "&lt;!here&gt;" in blocks


def test_win_announcement_fallback_text_is_escaped(say: Say, slack: DevSlack) -> None:
    say("/deal", f"add {NASTY} 12k")
    say("/deal", "won #1")

    post = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C1")[0]

    assert "<!here>" not in post.params["text"] and "<@U1>" not in post.params["text"]


def test_show_fallback_text_is_escaped(say: Say) -> None:
    say("/deal", f"add {NASTY} 12k")

    reply = say("/deal", "show #1")

    assert "<!here>" not in reply.json["text"] and "<@U1>" not in reply.json["text"]


# --------------------------------------------------------------------------- workspaces


def test_another_workspace_cannot_see_or_change_a_deal(
    say: Say, server_url: str, sessions: sessionmaker[Session], slack: DevSlack
) -> None:
    # Deals are given only to people of the workspace giving them: T2's own rep.
    slack.add_user("U22", "dave", team_id="T2")
    say("/deal", "add Acme 12k proposal")
    say("/deal", "#1 amount 15k")  # bob's last change in T1, undoable for 10 minutes
    before = snapshot(sessions)
    other = SlackDriver(http_transport(f"{server_url}/slack/events"), SIGNING_SECRET, team_id="T2")

    for text, user in [
        ("show #1", "U2"),
        ("won #1", "U2"),
        ("#1 stage lost", "U2"),
        ("assign #1 <@U22>", "U1"),  # a Slack admin there is a manager there, not here
    ]:
        reply = other.command("/deal", text, user=user)
        assert reply.status == 200
        assert "no deal #1" in reply.text, (text, reply.text)

    assert "no open deals" in other.command("/deal", "list", user="U2").text
    assert "Nothing to undo" in other.command("/deal", "undo", user="U2").text
    assert snapshot(sessions) == before
    assert "Acme" not in other.command("/deal", "list proposal", user="U2").text


# --------------------------------------------------------------------------- errors


def test_unexpected_error_apologises_with_an_id_that_is_in_the_log(
    say: Say,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.services.deal_commands, "execute", broken)
    caplog.set_level(logging.ERROR)

    reply = say("/deal", "list")

    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert "Sorry" in reply.text
    found = re.search(r"error id `([0-9a-f]+)`", reply.text)
    assert found is not None, reply.text
    error_id = found[1]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert len(logged) == 1, caplog.text
    assert logged[0].exc_info is not None
    assert logged[0].exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "database on fire" in caplog.text
    with sessions() as session:
        assert session.scalar(select(func.count(Deal.id))) == 0
