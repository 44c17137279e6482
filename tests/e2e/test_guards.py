"""Guards against fat fingers, end to end over signed HTTP: a second open deal for one
customer and an amount far above what the team has won are asked about first, nothing is
written until a button is pressed, and a question is answered once however often it is
pressed."""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.driver import Reply, SlackDriver
from bot.dev.standin import DevSlack, blocks_to_text
from bot.services.export import deal_rows
from models import Deal, DealEvent, OutboxMessage
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")

Button = dict[str, Any]


# --------------------------------------------------------------------------- helpers


def snapshot(sessions: sessionmaker[Session]) -> list[dict[str, str]]:
    """Every deal as exported, and the number of history events."""
    with sessions() as session:
        rows = list(deal_rows(session))
        events = session.scalar(select(func.count(DealEvent.id)))
    return [*rows, {"events": str(events)}]


def deal_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(Deal.id)).where(Deal.deleted_at.is_(None))) or 0


def stored(sessions: sessionmaker[Session], deal_id: int) -> Deal:
    with sessions() as session:
        found = session.get(Deal, deal_id)
        assert found is not None
        return found


def outbox_size(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(OutboxMessage.id))) or 0


def buttons_of(blocks: list[dict[str, Any]]) -> list[Button]:
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def labels(blocks: list[dict[str, Any]]) -> list[str]:
    return [button["text"]["text"] for button in buttons_of(blocks)]


def button(blocks: list[dict[str, Any]], label: str) -> Button:
    found = [b for b in buttons_of(blocks) if b["text"]["text"] == label]
    assert len(found) == 1, labels(blocks)
    return found[0]


def block_actions(pressed: Button, *, response_url: str, user: str = "U2") -> dict[str, Any]:
    """What Slack posts when someone presses a button in an ephemeral message."""
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "salesbot-dev"},
        "user": {"id": user, "username": "bob", "name": "bob", "team_id": "T1"},
        "api_app_id": "A0SALESBOT",
        "token": "devslack-verification-token",
        "trigger_id": "4242.42.devslack",
        "container": {"type": "message", "channel_id": "C1", "is_ephemeral": True},
        "channel": {"id": "C1", "name": "sales"},
        "is_enterprise_install": False,
        "enterprise": None,
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "block_id": "guard",
                "action_id": pressed["action_id"],
                "text": pressed["text"],
                "value": pressed["value"],
                "action_ts": "1764466260.000200",
            }
        ],
    }


def press(driver: SlackDriver, slack: DevSlack, pressed: Button, *, user: str = "U2") -> Any:
    """Press a button and return what the bot answered on the press's response_url."""
    url = slack.response_url("guard", user_id=user, channel_id="C1")
    assert driver.interaction(block_actions(pressed, response_url=url, user=user)).status == 200
    return slack.wait_for("response_url", lambda c: c.params["url"] == url)[0].params


def answered(params: Any) -> str:
    blocks = params.get("blocks")
    return blocks_to_text(blocks) if blocks else str(params.get("text", ""))


def asked(reply: Reply) -> list[dict[str, Any]]:
    """The question's blocks; fails when the reply is not a question."""
    assert reply.status == 200
    blocks = reply.json.get("blocks") or []
    assert buttons_of(blocks), reply.text
    assert reply.json["response_type"] == "ephemeral"
    return list(blocks)


@pytest.fixture
def huawei(say: Say) -> None:
    """Bob's #1 华为 ¥5万 in negotiation."""
    assert "Added" in say("/deal", "add 华为 5万 谈判").text


# --------------------------------------------------------------------------- duplicates


@pytest.mark.usefixtures("huawei")
@pytest.mark.parametrize(
    "typed",
    [
        "add 华为有限公司 8万 方案",
        "add 华为 8万 方案",
        "add 华为股份有限公司 8万 方案",
        'add "华为 公司" 8万 方案',
        "add ＨＵＡＷＥＩ 8万",
    ],
)
def test_a_duplicate_add_asks_with_buttons_and_writes_nothing(
    say: Say, sessions: sessionmaker[Session], typed: str
) -> None:
    if "ＨＵＡＷＥＩ" in typed:
        say("/deal", "#1 customer Huawei Ltd.")
    before = snapshot(sessions)
    queued = outbox_size(sessions)

    reply = say("/deal", typed)

    blocks = asked(reply)
    assert "already have an open deal" in reply.text and "`#1`" in reply.text
    assert "Add another, or update #1?" in reply.text
    assert labels(blocks) == ["Add another", "Update #1", "Cancel"]
    assert snapshot(sessions) == before
    # Not even an App Home refresh is owed: the question rolled back what it did.
    assert outbox_size(sessions) == queued


@pytest.mark.usefixtures("huawei")
def test_not_a_duplicate_another_owners_or_a_closed_deal_or_another_name(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    assert "Added" in say("/deal", "add 华为 3万", user="U3").text  # someone else's
    assert "Added" in say("/deal", "add 华为云 3万").text  # another customer
    assert "Added" in say("/deal", "add 华为技术有限公司 3万").text  # 华为技术, not 华为
    say("/deal", "won #1")
    assert "Added" in say("/deal", "add 华为 2万").text  # #1 is closed now
    assert deal_count(sessions) == 5


@pytest.mark.usefixtures("huawei")
def test_add_another_adds_a_second_deal_once(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    blocks = asked(say("/deal", "add 华为有限公司 8万 方案 close 2026-12-20 note second site"))

    done = press(driver, slack, button(blocks, "Add another"))

    assert done["replace_original"] in (True, "true")
    assert "Added" in answered(done) and "#2" in answered(done)
    second = stored(sessions, 2)
    assert (second.customer, second.amount, second.stage, second.close_date, second.note) == (
        "华为有限公司",
        Decimal("80000"),
        "proposal",
        date(2026, 12, 20),
        "second site",
    )
    assert stored(sessions, 1).amount == Decimal("50000")
    before = snapshot(sessions)

    again = press(driver, slack, button(blocks, "Add another"))
    other = press(driver, slack, button(blocks, "Update #1"))

    assert "already answered" in answered(again) and "already answered" in answered(other)
    # The first answer stays where it is: the second press does not replace it.
    assert again["replace_original"] in (False, "false")
    assert snapshot(sessions) == before


@pytest.mark.usefixtures("huawei")
def test_update_instead_applies_what_was_typed_to_the_open_deal(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    blocks = asked(say("/deal", "add 华为有限公司 8万 方案 close 2026-12-20"))

    done = press(driver, slack, button(blocks, "Update #1"))

    assert "Updated" in answered(done) and "#1" in answered(done)
    first = stored(sessions, 1)
    assert (first.customer, first.amount, first.stage, first.close_date) == (
        "华为",
        Decimal("80000"),
        "proposal",
        date(2026, 12, 20),
    )
    assert deal_count(sessions) == 1
    # An ordinary change: in the history, and undone by /deal undo.
    assert "Undone" in say("/deal", "undo").text
    assert stored(sessions, 1).amount == Decimal("50000")


@pytest.mark.usefixtures("huawei")
def test_update_instead_of_a_deal_closed_since_is_refused(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    blocks = asked(say("/deal", "add 华为 8万"))
    say("/deal", "lost #1")
    before = snapshot(sessions)

    done = press(driver, slack, button(blocks, "Update #1"))

    assert ":warning:" in answered(done) and "no longer open" in answered(done)
    assert snapshot(sessions) == before
    # Refused, so not answered: Add another still works.
    assert "Added" in answered(press(driver, slack, button(blocks, "Add another")))
    assert deal_count(sessions) == 2


@pytest.mark.usefixtures("huawei")
def test_cancel_writes_nothing_and_answers_the_question(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    blocks = asked(say("/deal", "add 华为 8万"))
    before = snapshot(sessions)

    done = press(driver, slack, button(blocks, "Cancel"))
    late = press(driver, slack, button(blocks, "Add another"))

    assert "Cancelled" in answered(done) and done["replace_original"] in (True, "true")
    assert "already answered" in answered(late)
    assert snapshot(sessions) == before


# --------------------------------------------------------------------------- large amounts


def test_a_huge_amount_asks_and_is_written_once_however_often_it_is_pressed(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    reply = say("/deal", "add Acme 5000万")

    blocks = asked(reply)
    # No win yet to compare it with: at a million and more, it is asked about.
    assert "won no deal yet" in reply.text
    assert labels(blocks) == ["Yes, add ¥50,000,000", "Cancel"]
    assert deal_count(sessions) == 0

    done = press(driver, slack, button(blocks, "Yes, add ¥50,000,000"))
    again = press(driver, slack, button(blocks, "Yes, add ¥50,000,000"))

    assert "Added" in answered(done)
    assert "already answered" in answered(again)
    assert deal_count(sessions) == 1
    assert stored(sessions, 1).amount == Decimal("50000000")


def test_two_presses_at_the_same_moment_write_one_deal(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    yes = button(asked(say("/deal", "add Acme 5000万")), "Yes, add ¥50,000,000")
    urls = [slack.response_url("guard", user_id="U2", channel_id="C1") for _ in range(4)]
    barrier = threading.Barrier(len(urls))

    def run(url: str) -> None:
        barrier.wait()
        driver.interaction(block_actions(yes, response_url=url))

    threads = [threading.Thread(target=run, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = [
        answered(slack.wait_for("response_url", lambda c, u=url: c.params["url"] == u)[0].params)
        for url in urls
    ]

    assert sum("Added" in a for a in answers) == 1, answers
    assert sum("already answered" in a for a in answers) == len(urls) - 1, answers
    assert deal_count(sessions) == 1


def test_cancel_of_a_huge_amount_writes_nothing(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    blocks = asked(say("/deal", "add Acme 5000万"))

    assert "Cancelled" in answered(press(driver, slack, button(blocks, "Cancel")))
    assert "already answered" in answered(
        press(driver, slack, button(blocks, "Yes, add ¥50,000,000"))
    )
    assert deal_count(sessions) == 0


@pytest.mark.parametrize(
    ("won", "typed", "asks"),
    [
        # More than ten times the largest win, and at least a million: asked.
        ("12k", "add Acme 2M", True),
        # Ten times a ¥120k win is ¥1.2M: not more than that.
        ("120k", "add Acme 1.2M", False),
        ("120k", "add Acme 1.21M", True),
        # Far above a small win, but below a million: not asked.
        ("1k", "add Acme 999999", False),
        # Below ten times a large win: not asked.
        ("500k", "add Acme 4M", False),
        # Converted to the team currency first: $200k is ¥1.42M.
        ("12k", "add Acme $200k", True),
        ("12k", "add Acme $100k", False),
    ],
)
def test_large_means_ten_times_the_largest_win_and_a_million(
    say: Say, sessions: sessionmaker[Session], won: str, typed: str, asks: bool
) -> None:
    say("/salesbot", "fx USD 7.1", user="U1")
    assert "Won" in say("/deal", f"add Winner {won} won", user="U3").text

    reply = say("/deal", typed)

    assert bool(buttons_of(reply.json.get("blocks") or [])) == asks, reply.text
    assert deal_count(sessions) == (1 if asks else 2)
    if asks:
        assert "more than 10 times the team's largest win" in reply.text


def test_a_foreign_amount_is_shown_as_typed_and_converted(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "fx USD 7.1", user="U1")

    reply = say("/deal", "add Acme $200k")

    assert "$200,000 (≈ ¥1,420,000)" in reply.text
    done = press(driver, slack, button(asked(reply), "Yes, add $200,000"))
    assert "Added" in answered(done)
    assert (stored(sessions, 1).amount, stored(sessions, 1).currency) == (Decimal(200000), "USD")


@pytest.mark.usefixtures("huawei")
def test_both_guards_ask_once_and_one_press_answers_both(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    before = snapshot(sessions)

    reply = say("/deal", "add 华为 5000万")

    blocks = asked(reply)
    assert "already have an open deal" in reply.text and "won no deal yet" in reply.text
    assert labels(blocks) == [
        "Add another, ¥50,000,000",
        "Update #1 to ¥50,000,000",
        "Cancel",
    ]
    assert snapshot(sessions) == before

    done = press(driver, slack, button(blocks, "Update #1 to ¥50,000,000"))

    assert "Updated" in answered(done)
    assert stored(sessions, 1).amount == Decimal("50000000")
    assert deal_count(sessions) == 1
    assert "already answered" in answered(
        press(driver, slack, button(blocks, "Add another, ¥50,000,000"))
    )
    assert deal_count(sessions) == 1


@pytest.mark.usefixtures("huawei")
def test_a_stale_button_is_checked_again(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    # Asked about the amount only; by the time it is pressed, the customer has an open deal.
    blocks = asked(say("/deal", "add 华为云 5000万"))
    say("/deal", "#1 customer 华为云")
    before = snapshot(sessions)

    again = press(driver, slack, button(blocks, "Yes, add ¥50,000,000"))

    # Asked again about what is new; the amount it already said yes to is not asked again.
    text = answered(again)
    assert "already have an open deal" in text and "won no deal yet" not in text, text
    assert labels(again["blocks"]) == ["Add another", "Update #1", "Cancel"]
    assert snapshot(sessions) == before
    assert "Added" in answered(press(driver, slack, button(again["blocks"], "Add another")))
    assert stored(sessions, 2).amount == Decimal("50000000")


def test_an_amount_change_asks_too(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k")
    before = snapshot(sessions)

    update = say("/deal", "#1 amount 5000万")
    won = say("/deal", "won #1 5000万")

    assert labels(asked(update)) == ["Yes, set #1 to ¥50,000,000", "Cancel"]
    assert labels(asked(won)) == ["Yes, win #1 at ¥50,000,000", "Cancel"]
    assert snapshot(sessions) == before
    assert "Updated" in answered(
        press(driver, slack, button(update.json["blocks"], "Yes, set #1 to ¥50,000,000"))
    )
    assert stored(sessions, 1).amount == Decimal("50000000")
    # The same amount again is no change to ask about.
    assert "Updated" in say("/deal", "#1 amount 5000万 stage proposal").text


def test_a_forged_or_broken_button_changes_nothing(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    yes = button(asked(say("/deal", "add Acme 5000万")), "Yes, add ¥50,000,000")
    value = json.loads(yes["value"])
    forged = [
        "not json",
        json.dumps({**value, "k": "x" * 300}),
        json.dumps({**value, "x": "list"}),
        json.dumps({**value, "m": "lots"}),
        json.dumps({"x": value["x"]}),
    ]

    for broken in forged:
        assert "expired" in answered(press(driver, slack, {**yes, "value": broken}))

    # Without the amount it said yes to, the press asks again.
    unsure = press(driver, slack, {**yes, "value": json.dumps({**value, "m": "1 CNY"})})
    assert labels(unsure["blocks"]) == ["Yes, add ¥50,000,000", "Cancel"]
    assert deal_count(sessions) == 0


def test_the_question_is_asked_in_the_callers_language(say: Say) -> None:
    say("/salesbot", "language zh", user="U2")
    say("/deal", "add 华为 5万")

    reply = say("/deal", "add 华为有限公司 5000万")

    assert "再加一笔" in reply.text and "更新 #1" in reply.text, reply.text
    assert labels(asked(reply)) == ["再加一笔，¥50,000,000", "更新 #1 为 ¥50,000,000", "取消"]


# --------------------------------------------------------------------------- the form


def open_form(driver: SlackDriver, slack: DevSlack) -> dict[str, Any]:
    url = slack.response_url("/deal", user_id="U2", channel_id="C1")
    driver.command("/deal", "new", user="U2", response_url=url, trigger_id="777.1.abc")
    view: dict[str, Any] = slack.wait_for("views.open")[-1].response["view"]
    return view


def submit(driver: SlackDriver, view: dict[str, Any], customer: str, amount: str) -> Reply:
    def text(value: str | None) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value}

    state = {
        "values": {
            "customer": {"value": text(customer)},
            "title": {"value": text(None)},
            "amount": {"value": text(amount)},
            "currency": {"value": text("CNY")},
            "stage": {"value": {"type": "static_select", "selected_option": {"value": "proposal"}}},
            "close": {"value": {"type": "datepicker", "selected_date": None}},
            "note": {"value": text(None)},
        }
    }
    return driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U2", "team_id": "T1"},
            "view": {**view, "state": state},
        }
    )


@pytest.mark.usefixtures("huawei")
def test_the_form_asks_in_the_channel_and_its_buttons_save_once(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    view = open_form(driver, slack)
    before = snapshot(sessions)

    closed = submit(driver, view, "华为有限公司", "5000万")

    assert closed.status == 200 and "errors" not in (closed.body or "")
    question = slack.wait_for("chat.postEphemeral", lambda c: "Add another" in str(c.params))
    params = question[0].params
    assert (params["channel"], params["user"]) == ("C1", "U2")
    assert labels(params["blocks"]) == [
        "Add another, ¥50,000,000",
        "Update #1 to ¥50,000,000",
        "Cancel",
    ]
    assert snapshot(sessions) == before

    done = press(driver, slack, button(params["blocks"], "Add another, ¥50,000,000"))

    assert "Added" in answered(done)
    added = stored(sessions, 2)
    assert (added.customer, added.amount, added.stage) == (
        "华为有限公司",
        Decimal("50000000"),
        "proposal",
    )
    # Its other button, a second press and a resubmit of the same form add nothing more.
    assert "already answered" in answered(
        press(driver, slack, button(params["blocks"], "Update #1 to ¥50,000,000"))
    )
    submit(driver, view, "华为有限公司", "5000万")
    assert deal_count(sessions) == 2


def test_the_form_with_a_huge_amount_is_confirmed(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    view = open_form(driver, slack)

    submit(driver, view, "Initech", "3M")

    params = slack.wait_for("chat.postEphemeral", lambda c: "Yes, add" in str(c.params))[0].params
    assert labels(params["blocks"]) == ["Yes, add ¥3,000,000", "Cancel"]
    assert deal_count(sessions) == 0
    yes = button(params["blocks"], "Yes, add ¥3,000,000")
    assert "Added" in answered(press(driver, slack, yes))
    assert (stored(sessions, 1).customer, stored(sessions, 1).amount) == (
        "Initech",
        Decimal("3000000"),
    )


def test_a_note_too_long_for_a_button_is_refused_not_lost(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    reply = say("/deal", "add Acme 5000万 note " + "长" * 1990)

    assert ":warning:" in reply.text and "too long" in reply.text
    assert not buttons_of(reply.json.get("blocks") or [])
    assert deal_count(sessions) == 0
