"""Next steps end to end: set, shown, listed, undone, in the forms and the check-in, in the
morning prompt, told in a DM on a day without stand-up (once, however many clocks race), counted
in the report; results read back from the database."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack, blocks_to_text
from bot.jobs.due import run_scheduled
from bot.jobs.next_steps import run_next_steps
from bot.services.export import deal_rows
from bot.services.next_steps import teams_to_remind
from bot.slack.app import Salesbot
from models import Deal, DealEvent, NextStepReminder
from tests.conftest import START
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = START.astimezone(SHANGHAI).date()  # Monday 30 November 2026


def on_weekday(weekday: int, weeks: int = 0) -> date:
    """The next such weekday from TODAY, today included (as `friday` reads), `weeks` later."""
    return TODAY + timedelta(days=(weekday - TODAY.weekday()) % 7, weeks=weeks)


FRIDAY = on_weekday(4)
SATURDAY = on_weekday(5)
SUNDAY = on_weekday(6)


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def stored(sessions: sessionmaker[Session], number: int) -> Deal:
    with sessions() as session:
        deal = session.scalars(select(Deal).where(Deal.number == number)).one()
        session.expunge(deal)
        return deal


def step_of(sessions: sessionmaker[Session], number: int) -> tuple[str, date | None]:
    deal = stored(sessions, number)
    return deal.next_step, deal.next_step_date


def snapshot(sessions: sessionmaker[Session]) -> list[dict[str, str]]:
    with sessions() as session:
        rows = list(deal_rows(session))
        events = session.scalar(select(func.count(DealEvent.id)))
    return [*rows, {"events": str(events)}]


@pytest.fixture
def tick(app: Salesbot, clock: FrozenClock) -> Callable[[datetime], None]:
    """Run what is due at an instant, as the clock would, and deliver what it owes Slack."""

    def run(at: datetime) -> None:
        clock.set(at)
        run_scheduled(app.runtime, now=at)
        app.runtime.sender.deliver_due()

    return run


def step_dms(slack: DevSlack) -> Counter[str]:
    return Counter(
        c.params["channel"]
        for c in slack.calls("chat.postMessage")
        if "Next steps due today" in str(c.params.get("text", ""))
    )


def prompt_to(slack: DevSlack, user: str) -> str:
    (prompt,) = [
        c
        for c in slack.calls("chat.postMessage")
        if c.params["channel"] == user and "Good morning" in str(c.params)
    ]
    return blocks_to_text(prompt.params["blocks"])


# ----------------------------------------------------------------------- set, show, clear


def test_a_next_step_is_set_shown_and_cleared(say: Say, sessions: sessionmaker[Session]) -> None:
    assert "Added" in say("/deal", "add Acme 12k proposal").text

    reply = say("/deal", '#1 next "send the proposal" friday')

    assert "Updated" in reply.text and "next step: — → send the proposal" in reply.text
    assert step_of(sessions, 1) == ("send the proposal", FRIDAY)
    shown = say("/deal", "show #1").text
    assert "Next step: :arrow_right: send the proposal (Fri Dec 4)" in shown
    assert "next step: — → send the proposal" in shown, "the history says who set it"
    listed = say("/deal", "list").text
    assert "`#1` *Acme*" in listed and "send the proposal (Fri Dec 4)" in listed

    reply = say("/deal", "#1 next done")

    assert "next step: send the proposal (Fri Dec 4) → —" in reply.text
    assert step_of(sessions, 1) == ("", None)
    assert (
        'Next step: none yet (`/deal #1 next "send the proposal" friday`)'
        in say("/deal", "#1").text
    )
    with sessions() as session:
        fields = [
            (e.field, e.old_value, e.new_value)
            for e in session.scalars(
                select(DealEvent).where(DealEvent.field.like("next_step%")).order_by(DealEvent.id)
            )
        ]
    assert fields == [
        ("next_step", "", "send the proposal"),
        ("next_step_date", None, FRIDAY.isoformat()),
        ("next_step", "send the proposal", ""),
        ("next_step_date", FRIDAY.isoformat(), None),
    ]


@pytest.mark.parametrize(
    ("typed", "step", "due"),
    [
        ('next "send the proposal" friday', "send the proposal", FRIDAY),
        ("next send the proposal next friday", "send the proposal", on_weekday(4, weeks=1)),
        ("next call them in 2 weeks", "call them", TODAY + timedelta(weeks=2)),
        ("nextstep demo 2026-12-15", "demo", date(2026, 12, 15)),
        ("next: book the demo 12/15", "book the demo", date(2026, 12, 15)),
        ('下一步 "发报价" 周五', "发报价", FRIDAY),
        ("下一步 发报价 下周五", "发报价", on_weekday(4, weeks=1)),
        ("下一步：约客户 12月15日", "约客户", date(2026, 12, 15)),
        ('stage negotiation next "send the contract" eom', "send the contract", date(2026, 11, 30)),
    ],
)
def test_next_steps_as_people_type_them(
    say: Say, sessions: sessionmaker[Session], typed: str, step: str, due: date
) -> None:
    say("/deal", "add Acme 12k proposal")

    reply = say("/deal", f"#1 {typed}")

    assert "Updated" in reply.text, reply.text
    assert step_of(sessions, 1) == (step, due)


def test_a_close_date_of_next_friday_is_still_a_close_date(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")

    say("/deal", "#1 close next friday")

    deal = stored(sessions, 1)
    assert (deal.close_date, deal.next_step) == (on_weekday(4, weeks=1), "")


def test_in_chinese_the_reply_and_the_show_are_chinese(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "language zh", user="U3")
    say("/deal", "add 华为 5万 谈判", user="U3")

    reply = say("/deal", '#1 下一步 "发报价" 周五', user="U3")

    assert "下一步：— → 发报价" in reply.text, reply.text
    assert step_of(sessions, 1) == ("发报价", FRIDAY)
    assert "下一步：:arrow_right: 发报价（12月4日周五）" in say("/deal", "#1", user="U3").text
    assert "下一步：发报价（12月4日周五） → —" in say("/deal", "#1 下一步 完成", user="U3").text
    assert step_of(sessions, 1) == ("", None)


REFUSED = [
    ('#1 next "send the proposal"', "When is “send the proposal” due?"),
    ("#1 next send the proposal", "When is “send the proposal” due? Put the date last"),
    ("#1 next friday", "What is the next step on friday?"),
    ('#1 next "send" someday', "“someday” isn't a date I understand."),
    ('#1 next "send" 15/12', "no month 15"),
    ("#1 next", "“next” needs a value after it."),
    ('#1 next "a" friday next "b" monday', "“next” is given twice."),
    ('#1 next "' + "x" * 201 + '" friday', "The next step is too long: 200 characters at most."),
    ('#1 next "send friday', 'opening quote " with no closing quote'),
    ('#9 next "send" friday', "There is no deal #9."),
]


@pytest.mark.parametrize(("typed", "message"), REFUSED)
def test_a_wrong_next_step_names_the_problem_and_writes_nothing(
    say: Say, sessions: sessionmaker[Session], typed: str, message: str
) -> None:
    say("/deal", "add Acme 12k proposal")
    before = snapshot(sessions)

    reply = say("/deal", typed)

    assert message in reply.text, reply.text
    assert reply.json["response_type"] == "ephemeral"
    assert snapshot(sessions) == before


def test_the_refusal_shows_the_next_step_form(say: Say) -> None:
    say("/deal", "add Acme 12k proposal")

    reply = say("/deal", "#1 next friday")

    assert '`/deal #12 next "send the proposal" friday`' in reply.text
    assert "`/deal #12 next done`" in reply.text


def test_the_chinese_help_gives_a_next_step_that_works_as_shown(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "language zh")
    say("/deal", "add 华为 5万 谈判")
    help_text = say("/deal", "help 下一步").text
    example = '/deal #12 下一步 "发报价" 周五'
    assert example in help_text and "/deal #12 下一步 完成" in help_text

    reply = say("/deal", example.removeprefix("/deal ").replace("#12", "#1"))

    assert ":warning:" not in reply.text, reply.text
    assert step_of(sessions, 1) == ("发报价", FRIDAY)


def test_only_the_owner_or_a_manager_sets_a_deals_next_step(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")

    assert "belongs to someone else" in say("/deal", '#1 next "call" friday', user="U3").text
    assert step_of(sessions, 1) == ("", None)
    assert "Updated" in say("/deal", '#1 next "call" friday', user="U1").text
    assert step_of(sessions, 1) == ("call", FRIDAY)


def test_a_past_date_is_taken_with_a_warning_and_shown_overdue(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")

    reply = say("/deal", '#1 next "call them" 2026-11-20')

    assert "The next step's date Nov 20 is in the past." in reply.text
    assert step_of(sessions, 1) == ("call them", date(2026, 11, 20))
    assert ":warning: call them (overdue, Fri Nov 20)" in say("/deal", "show #1").text


def test_undo_puts_the_previous_next_step_back(
    say: Say, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    say("/deal", "add Acme 12k proposal")
    say("/deal", '#1 next "send the proposal" friday')
    clock.advance(timedelta(minutes=1))
    say("/deal", '#1 next "call the buyer" 2026-12-15')

    reply = say("/deal", "undo")

    assert "Undone" in reply.text
    assert "next step back to send the proposal (Fri Dec 4)" in reply.text
    assert step_of(sessions, 1) == ("send the proposal", FRIDAY)
    history = say("/deal", "show #1").text
    assert "next step: call the buyer → send the proposal (undo)" in history


# ---------------------------------------------------------------------------- the list


@pytest.fixture
def planned(say: Say) -> dict[int, str]:
    """Deals whose next steps are planned (or not), and which of them `/deal list nextstep`
    must show on Monday: bob's #1 Gamma (overdue since Saturday), #2 Acme (Friday), #3 Beta
    (none), #4 Delta (won, none), #5 Epsilon (today); 李雷's #6 华为 (none), #7 小米
    (Friday)."""
    commands = [
        ("U2", "add Gamma 7k"),
        ("U2", '#1 next "old call" 2026-11-28'),
        ("U2", "add Acme 12k proposal"),
        ("U2", '#2 next "send the proposal" friday'),
        ("U2", "add Beta 8k"),
        ("U2", "add Delta 9k won"),
        ("U2", "add Epsilon 3k"),
        ("U2", '#5 next "call" today'),
        ("U3", "add 华为 5万 谈判"),
        ("U3", "add 小米 2万"),
        ("U3", '#7 下一步 "发报价" 周五'),
    ]
    for user, text in commands:
        assert "Added" in (reply := say("/deal", text, user=user).text) or "Updated" in reply
    return {1: "Gamma", 3: "Beta", 6: "华为"}


@pytest.mark.parametrize("word", ["nextstep", "missing", "下一步", "next", "缺少下一步"])
def test_list_nextstep_shows_open_deals_without_a_step_or_overdue(
    say: Say, planned: dict[int, str], word: str
) -> None:
    reply = say("/deal", f"list {word}")

    text = reply.text
    assert "Open deals with no next step or an overdue one" in text
    shown = {int(n) for n in re.findall(r"`#(\d+)`", text)}
    assert shown == set(planned)
    assert ":grey_question: _no next step_" in text
    assert ":warning: old call (overdue, Sat Nov 28)" in text


def test_the_report_counts_them_per_rep(say: Say, planned: dict[int, str]) -> None:
    reply = say("/deal", "report", user="U1")

    # bob: Gamma overdue, Beta without; 李雷: 华为 without (Delta is won, Acme and 小米 are
    # planned, Epsilon is due today).
    assert "*Without a next step, or overdue:* <@U2> 2 (1 overdue) · <@U3> 1" in reply.text
    assert "See them with `/deal list nextstep`." in reply.text


def test_the_weekly_report_in_the_channel_counts_them(
    planned: dict[int, str], tick: Callable[[datetime], None], slack: DevSlack
) -> None:
    monday = on_weekday(0, weeks=1)

    tick(at_local(monday, 9, 0))

    (post,) = [
        c
        for c in slack.calls("chat.postMessage")
        if c.params["channel"] == "C1" and "Weekly report" in str(c.params)
    ]
    text = blocks_to_text(post.params["blocks"])
    # A week on, every step is overdue: bob has Gamma, Acme and Epsilon overdue and Beta
    # without (Delta is won); 李雷 has 小米 overdue and 华为 without.
    assert "*Without a next step, or overdue:* <@U2> 4 (3 overdue) · <@U3> 2 (1 overdue)" in text


# --------------------------------------------------------------------- forms and check-in


def text_value(text: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": text}}


def date_value(day: str | None) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": day}}


def submit(driver: SlackDriver, view: dict[str, Any], values: dict[str, Any], user: str = "U2"):  # type: ignore[no-untyped-def]
    return driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": user},
            "view": {**view, "id": f"V{len(values)}{user}", "state": {"values": values}},
        }
    )


def new_deal_values(view: dict[str, Any], **given: dict[str, Any]) -> dict[str, Any]:
    stage = next(b for b in view["blocks"] if b["block_id"] == "stage")
    values = {
        "customer": text_value("Initech"),
        "title": text_value(None),
        "amount": text_value("12k"),
        "currency": text_value("CNY"),
        "stage": {
            "value": {"type": "static_select", "selected_option": stage["element"]["options"][2]}
        },
        "close": date_value(None),
        "note": text_value(None),
        "next_step": text_value(None),
        "next_step_date": date_value(None),
    }
    return {**values, **given}


def test_the_new_deal_form_takes_a_next_step_with_its_date(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    url = slack.response_url("/deal", user_id="U2", channel_id="C1")
    driver.command("/deal", "new", user="U2", response_url=url, trigger_id="1.1.a")
    view = slack.wait_for("views.open")[0].response["view"]
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert "Next step" in labels and "Next step date" in labels
    before = snapshot(sessions)

    no_date = submit(driver, view, new_deal_values(view, next_step=text_value("Send it")))
    no_step = submit(driver, view, new_deal_values(view, next_step_date=date_value("2026-12-04")))

    assert no_date.json["errors"] == {"next_step_date": "When is the next step due? Pick its date."}
    assert no_step.json["errors"] == {"next_step": "What is the next step?"}
    assert snapshot(sessions) == before

    both = new_deal_values(
        view, next_step=text_value("Send the proposal"), next_step_date=date_value("2026-12-04")
    )
    assert submit(driver, view, both).status == 200

    assert step_of(sessions, 1) == ("Send the proposal", date(2026, 12, 4))


def test_the_edit_form_shows_changes_and_clears_the_next_step(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 40k proposal")
    say("/deal", '#1 next "send the proposal" friday')
    event = {"type": "app_home_opened", "user": "U2", "tab": "home"}
    driver.event(event, event_id="Ev-home")
    home = slack.wait_for("views.publish", lambda c: "send the proposal" in str(c.params))
    assert "send the proposal (Fri Dec 4)" in blocks_to_text(home[-1].params["view"]["blocks"])
    press = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "trigger_id": "trig",
        "actions": [{"action_id": "home_edit", "value": "1"}],
    }
    assert driver.interaction(press).status == 200
    form = slack.wait_for("views.open")[-1].params["view"]
    blocks = {b["block_id"]: b for b in form["blocks"] if b["type"] == "input"}
    assert blocks["next_step"]["element"]["initial_value"] == "send the proposal"
    assert blocks["next_step_date"]["element"]["initial_date"] == FRIDAY.isoformat()
    state = {block_id: {"value": _filled(block["element"])} for block_id, block in blocks.items()}

    state["next_step"] = text_value("Call the buyer")
    state["next_step_date"] = date_value("2026-12-08")
    assert submit(driver, form, state).status == 200
    assert step_of(sessions, 1) == ("Call the buyer", date(2026, 12, 8))

    state["next_step"] = text_value("")
    state["next_step_date"] = date_value(None)
    assert submit(driver, form, state, user="U2").status == 200
    assert step_of(sessions, 1) == ("", None)


def _filled(element: dict[str, Any]) -> dict[str, Any]:
    if element["type"] == "static_select":
        return {"type": "static_select", "selected_option": element.get("initial_option")}
    if element["type"] == "datepicker":
        return {"type": "datepicker", "selected_date": element.get("initial_date")}
    return {"type": "plain_text_input", "value": element.get("initial_value")}


def test_the_check_in_sets_a_next_step_on_a_deal_it_moves(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")
    say("/deal", "add Beta 8k")
    say("/standup", "", user="U2")
    view = slack.wait_for("views.open")[-1].params["view"]
    ids = [b.get("block_id") for b in view["blocks"]]
    assert {"move0_next", "move0_next_date", "move1_next", "move1_next_date"} <= set(ids)

    def picked(value: str) -> dict[str, Any]:
        return {"value": {"type": "static_select", "selected_option": {"value": value}}}

    values = {
        "q0": text_value("Met Acme"),
        "move0_deal": picked("1"),
        "move0_next": text_value("Send the contract"),
        "move0_next_date": date_value("2026-12-03"),
        "move1_deal": picked("2"),
        "move1_stage": picked("qualified"),
    }
    no_deal = {"q0": text_value("x"), "move1_next": text_value("Orphan step")}
    refused = submit(driver, view, no_deal)
    assert refused.json["errors"] == {"move1_deal": "Pick the deal to move."}

    assert submit(driver, view, values).status == 200

    assert step_of(sessions, 1) == ("Send the contract", date(2026, 12, 3))
    assert (stored(sessions, 2).stage, step_of(sessions, 2)) == ("qualified", ("", None))
    post = slack.wait_for("chat.postMessage", lambda c: "thread_ts" in c.params)[-1]
    assert "next: Send the contract (Thu Dec 3)" in blocks_to_text(post.params["blocks"])


# ----------------------------------------------------------------- the prompt and the DM


def test_the_prompt_lists_overdue_steps_first_then_todays(
    say: Say, tick: Callable[[datetime], None], slack: DevSlack
) -> None:
    tuesday = on_weekday(1)
    for text in (
        "add Acme 12k proposal",  # #1: due Tuesday
        "add Beta 8k",  # #2: due Monday, overdue on Tuesday
        "add Gamma 7k",  # #3: due Wednesday, not yet
        "add Delta 9k",  # #4: due long ago
    ):
        say("/deal", text)
    say("/deal", f'#1 next "send the proposal" {tuesday.isoformat()}')
    say("/deal", '#2 next "call the buyer" today')
    say("/deal", f'#3 next "book the demo" {on_weekday(2).isoformat()}')
    say("/deal", '#4 next "chase the invoice" 2026-11-20')

    tick(at_local(tuesday, 9, 30))

    text = prompt_to(slack, "U2")
    lines = [line for line in text.splitlines() if line.startswith("• ") and ": " in line]
    steps = [line for line in lines if "overdue since" in line or line.endswith("· today")]
    assert steps == [
        "• :warning: `#4` *Delta*: chase the invoice · overdue since Fri Nov 20",
        "• :warning: `#2` *Beta*: call the buyer · overdue since Mon Nov 30",
        "• :arrow_right: `#1` *Acme*: send the proposal · today",
    ]
    assert text.index("Next steps due") < text.index("Check in")
    assert "book the demo" not in text
    assert step_dms(slack) == {}, "a stand-up day's steps are in the prompt, not a DM"


def test_a_step_due_on_a_weekend_is_told_once_at_stand_up_time(
    say: Say, tick: Callable[[datetime], None], slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k proposal")
    say("/deal", "add Beta 8k")
    say("/deal", "add Gamma 7k")
    say("/deal", '#1 next "send the proposal" saturday')
    say("/deal", '#2 next "call the buyer" saturday')
    say("/deal", '#3 next "book the demo" sunday')
    say("/deal", "add 华为 5万", user="U3")
    say("/deal", '#4 下一步 "发报价" 周六', user="U3")
    say("/standup", "away until 2026-12-06", user="U3")

    tick(at_local(SATURDAY, 9, 0))
    assert step_dms(slack) == {}, "not before the team's stand-up time"
    for minute in (30, 31, 45):
        tick(at_local(SATURDAY, 9, minute))
    tick(at_local(SATURDAY, 11, 30))
    tick(at_local(SATURDAY, 12, 0))

    assert step_dms(slack) == {"U2": 1}, "李雷 is away"
    (dm,) = [c for c in slack.calls("chat.postMessage") if "Next steps due" in str(c.params)]
    text = blocks_to_text(dm.params["blocks"])
    assert "Next steps due today, Sat Dec 5" in text
    assert "`#1` *Acme*: send the proposal · today" in text
    assert "`#2` *Beta*: call the buyer · today" in text
    assert "book the demo" not in text
    assert "/deal #1 next done" in text

    tick(at_local(SUNDAY, 9, 30))
    tick(at_local(SUNDAY, 10, 0))

    assert step_dms(slack) == {"U2": 2}
    with sessions() as session:
        told = sorted((r.deal_id, r.local_date) for r in session.scalars(select(NextStepReminder)))
    assert told == [(1, SATURDAY), (2, SATURDAY), (3, SUNDAY)]


def test_a_paused_team_or_a_holiday_gets_the_dm_on_a_weekday(
    say: Say, tick: Callable[[datetime], None], slack: DevSlack
) -> None:
    tuesday, wednesday = on_weekday(1), on_weekday(2)
    say("/deal", "add Acme 12k proposal")
    say("/deal", "add Beta 8k")
    say("/deal", f'#1 next "send the proposal" {tuesday.isoformat()}')
    say("/deal", f'#2 next "call the buyer" {wednesday.isoformat()}')
    say("/standup", "pause", user="U1")
    say("/standup", f"holiday {wednesday.isoformat()} Founders day", user="U1")

    tick(at_local(tuesday, 9, 30))

    assert step_dms(slack) == {"U2": 1}
    assert not [c for c in slack.calls("chat.postMessage") if "Good morning" in str(c.params)]

    say("/standup", "resume", user="U1")
    tick(at_local(wednesday, 9, 30))

    assert step_dms(slack) == {"U2": 2}, "a holiday has no stand-up either"


def test_several_clocks_at_once_tell_each_step_once(
    say: Say,
    app: Salesbot,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    """Four clocks at 09:30:00, :10, :20 and :40 on a Saturday (different run keys, so each
    runs the job): the unique key per step and day lets one of them tell each step."""
    for text, user in (
        ("add Acme 12k proposal", "U2"),
        ("add Beta 8k", "U2"),
        ("add 华为 5万", "U3"),
        ("add Globex 3k", "U1"),
    ):
        say("/deal", text, user=user)
    for number, user in ((1, "U2"), (2, "U2"), (3, "U3"), (4, "U1")):
        say("/deal", f'#{number} next "step {number}" saturday', user=user)
    base = at_local(SATURDAY, 9, 30)
    clock.set(base + timedelta(minutes=1))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    told: list[int] = []

    def run(offset: int) -> None:
        try:
            barrier.wait()
            told.append(run_next_steps(app.runtime, base + timedelta(seconds=offset)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in (0, 10, 20, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.runtime.sender.deliver_due()

    assert errors == []
    assert sum(told) == 4
    assert step_dms(slack) == {"U1": 1, "U2": 1, "U3": 1}
    with sessions() as session:
        assert session.scalar(select(func.count(NextStepReminder.id))) == 4


def test_only_teams_with_a_day_off_at_stand_up_time_are_looked_at(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    """A quiet minute writes nothing: a team in one zone is looked at (in a transaction that
    may write) only at its stand-up time on a day without stand-up."""
    tuesday, wednesday = on_weekday(1), on_weekday(2)

    def looked_at(at: datetime) -> list[int]:
        with sessions() as session:
            return teams_to_remind(session, at)

    assert looked_at(at_local(tuesday, 9, 30)) == [], "a stand-up day: the prompt lists steps"
    assert looked_at(at_local(SATURDAY, 9, 29)) == []
    assert looked_at(at_local(SATURDAY, 9, 30)) == [1]
    assert looked_at(at_local(SATURDAY, 11, 31)) == [], "past the two-hour catch-up"
    say("/standup", f"holiday {wednesday.isoformat()} Founders day", user="U1")
    assert looked_at(at_local(wednesday, 10, 0)) == [1]
    say("/standup", "pause", user="U1")
    assert looked_at(at_local(tuesday, 9, 30)) == [1]
    say("/standup", "resume", user="U1")
    say("/standup", "tz member", user="U1")
    assert looked_at(at_local(tuesday, 3, 0)) == [1], "each member's own zone: always looked at"
