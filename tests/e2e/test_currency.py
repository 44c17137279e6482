"""Money in one currency: switching a team's currency with Confirm, totals in the team
currency, and one rounding rule for percentages everywhere."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.charts.member_progress import build_member_progress
from bot.clock import FrozenClock
from bot.dev.driver import Reply, SlackDriver
from bot.dev.standin import DevSlack, blocks_to_text
from bot.i18n import use_language
from bot.jobs.due import run_scheduled
from bot.jobs.report_charts import member_bars
from bot.services.reports import report_of_team
from bot.slack.app import Salesbot
from models import FxRate, RewardRule, SalesTeam, Target, TargetEvent
from tests.charts.helpers import drawn, strings
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")

PERCENT = re.compile(r"\d+\.\d%")


def confirm_button(reply: Reply) -> dict[str, Any]:
    actions = [b for b in reply.json["blocks"] if b["type"] == "actions"]
    assert actions, reply.text
    button: dict[str, Any] = actions[0]["elements"][0]
    assert button["text"]["text"] == "Confirm"
    return button


def press(
    driver: SlackDriver, slack: DevSlack, button: dict[str, Any], *, user: str = "U1"
) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "channel": {"id": "C1"},
        "response_url": slack.response_url("currency", user_id=user),
        "actions": [{"action_id": button["action_id"], "value": button["value"]}],
    }
    assert driver.interaction(payload).status == 200


def answers(slack: DevSlack) -> list[str]:
    return [str(c.params) for c in slack.calls("response_url")]


def team_row(sessions: sessionmaker[Session]) -> SalesTeam:
    with sessions() as session:
        team = session.scalars(select(SalesTeam)).one()
        session.expunge(team)
        return team


def rates(sessions: sessionmaker[Session]) -> dict[str, Decimal]:
    with sessions() as session:
        rows = session.execute(select(FxRate.currency, FxRate.rate))
        return {currency: rate.normalize() for currency, rate in rows}


def target_amounts(sessions: sessionmaker[Session]) -> list[Decimal]:
    with sessions() as session:
        return [a.normalize() for a in session.scalars(select(Target.amount).order_by(Target.id))]


def currency_events(sessions: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with sessions() as session:
        rows = session.execute(
            select(
                TargetEvent.target_id,
                TargetEvent.old_amount,
                TargetEvent.new_amount,
                TargetEvent.old_currency,
                TargetEvent.new_currency,
                TargetEvent.rate,
            )
            .where(TargetEvent.kind == "currency")
            .order_by(TargetEvent.target_id)
        )
        return [
            (t, o.normalize(), n.normalize(), oc, nc, r.normalize()) for t, o, n, oc, nc, r in rows
        ]


@pytest.fixture
def cny_team(team: None, say: Say, clock: FrozenClock) -> None:
    """A CNY team with rates for USD and EUR, bob's October and November targets, the team's,
    a bonus, and won deals in CNY and USD: bob at 49.0% of ¥100k."""
    for text in ("fx USD 7.1", "fx EUR 7.8"):
        assert ":warning:" not in say("/salesbot", text, user="U1").text
    now = clock.now()
    clock.set(datetime(2026, 10, 15, 3, 0, tzinfo=UTC))
    assert "Added" in say("/deal", "add Oldco 30k won").text
    clock.set(now)
    assert "October 2026" in say("/target", "set <@U2|bob> 50k october", user="U1").text
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/target", "set <@U3|lilei> 20k", user="U1")
    say("/target", "set team 300k", user="U1")
    assert "Added reward" in say("/target", "reward add 120% Rocket bonus 2k", user="U1").text
    # 41.9k + $1k × 7.1 = 49k of bob's 100k; 李雷: $1k = 7.1k of 20k = 35.5%.
    for text, user in (
        ("add Acme 41.9k won", "U2"),
        ("add Globex $1k won", "U2"),
        ("add Initech $1k won", "U3"),
        ("add Hooli 12k proposal", "U2"),
        ("add Umbrella $5k proposal", "U3"),
    ):
        assert "Added" in say("/deal", text, user=user).text


def percents(text: str) -> list[str]:
    return PERCENT.findall(text)


@pytest.mark.usefixtures("cny_team")
def test_a_switch_with_a_rate_converts_after_confirm_and_keeps_every_percentage(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    before = {
        "mine": say("/target", "", user="U2").text,
        "team": say("/target", "team", user="U1").text,
        "board": say("/deal", "leaderboard", user="U2").text,
        "history": say("/target", "history <@U2|bob>", user="U1").text,
    }
    assert "*49.0%*" in before["mine"] and "(60.0%)" in before["history"]
    amounts_before = target_amounts(sessions)

    reply = say("/salesbot", "currency EUR 0.128", user="U1")

    text = reply.text
    assert "Switch sales from CNY to EUR at 1 CNY = 0.128 EUR?" in text, text
    assert "<@U2> · November 2026 revenue target: ¥100k → €12.8k" in text
    assert "the team · November 2026 revenue target: ¥300k → €38.4k" in text
    assert "<@U2> · October 2026 revenue target: ¥50k → €6.4k" in text
    assert "1 USD = 7.1 CNY → 1 USD = 0.9088 EUR" in text
    assert "1 CNY = 0.128 EUR, new: deals in CNY keep counting" in text
    assert "1 EUR = 7.8 CNY: dropped, EUR is the team currency" in text
    assert "Rocket: ¥2k → €256" in text
    assert "3 in CNY, 3 in USD" in text
    assert "Nothing changes until you press Confirm" in text
    # Nothing is written until Confirm.
    assert team_row(sessions).currency == "CNY"
    assert target_amounts(sessions) == amounts_before
    assert rates(sessions) == {"USD": Decimal("7.1"), "EUR": Decimal("7.8")}
    assert currency_events(sessions) == []

    press(driver, slack, confirm_button(reply))

    done = slack.wait_for("response_url", lambda c: "now reports in EUR" in str(c.params))
    assert done[0].params["replace_original"] is True
    assert team_row(sessions).currency == "EUR"
    assert target_amounts(sessions) == [Decimal(a) for a in ("6400", "12800", "2560", "38400")]
    assert rates(sessions) == {"USD": Decimal("0.9088"), "CNY": Decimal("0.128")}
    with sessions() as session:
        assert session.scalars(select(RewardRule.bonus)).one() == Decimal("256")
    assert currency_events(sessions) == [
        (1, Decimal("50000"), Decimal("6400"), "CNY", "EUR", Decimal("0.128")),
        (2, Decimal("100000"), Decimal("12800"), "CNY", "EUR", Decimal("0.128")),
        (3, Decimal("20000"), Decimal("2560"), "CNY", "EUR", Decimal("0.128")),
        (4, Decimal("300000"), Decimal("38400"), "CNY", "EUR", Decimal("0.128")),
    ]

    after = {
        "mine": say("/target", "", user="U2").text,
        "team": say("/target", "team", user="U1").text,
        "board": say("/deal", "leaderboard", user="U2").text,
        "history": say("/target", "history <@U2|bob>", user="U1").text,
    }
    for where, text in before.items():
        assert percents(after[where]) == percents(text), where
    # 49k CNY-worth is €6,272: the same 49.0% of €12.8k.
    assert "€6.27k of €12.8k · *49.0%*" in after["mine"]
    assert "converted from ¥50k at 1 CNY = 0.128 EUR" in after["history"]
    assert "1 CNY = 0.128 EUR" in say("/salesbot", "fx", user="U1").text
    # Deals kept their currency: CNY deals now show what they are worth in EUR.
    pipeline = say("/deal", "pipeline team", user="U1").text
    assert (
        "*Proposal* (50%): 2 deals, €6.08k → €3.04k (incl. ¥12k ≈ €1.54k, $5k ≈ €4.54k)" in pipeline
    ), pipeline
    assert "`#5` *Hooli* · ¥12k ≈ €1.54k · Proposal" in say("/deal", "list", user="U2").text


@pytest.mark.usefixtures("cny_team")
def test_a_switch_without_a_rate_is_refused_and_nothing_is_written(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    amounts = target_amounts(sessions)

    reply = say("/salesbot", "currency EUR", user="U1")

    assert ":warning:" in reply.text
    assert "give the rate to convert them at: how many EUR one CNY is worth" in reply.text
    # The table's own EUR rate, turned around, is offered.
    assert "1 EUR = 7.8 CNY, that is `/salesbot currency EUR 0.128205`" in reply.text
    assert "/salesbot currency EUR 0.128" in str(reply.json["blocks"])
    assert not [b for b in reply.json["blocks"] if b["type"] == "actions"]
    assert team_row(sessions).currency == "CNY"
    assert target_amounts(sessions) == amounts
    assert rates(sessions) == {"USD": Decimal("7.1"), "EUR": Decimal("7.8")}
    assert currency_events(sessions) == []


def test_a_team_with_nothing_to_convert_switches_at_once(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    assert "reports in USD" in say("/salesbot", "currency USD", user="U1").text
    assert team_row(sessions).currency == "USD"
    assert "already reports in USD" in say("/salesbot", "currency USD", user="U1").text


@pytest.mark.usefixtures("cny_team")
def test_confirm_pressed_twice_converts_once(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    button = confirm_button(say("/salesbot", "currency EUR 0.128", user="U1"))

    press(driver, slack, button)
    slack.wait_for("response_url", lambda c: "now reports in EUR" in str(c.params))
    press(driver, slack, button)

    again = slack.wait_for("response_url", lambda c: "Already done" in str(c.params))
    assert "sales reports in EUR. Nothing changed." in str(again[0].params)
    assert target_amounts(sessions) == [Decimal(a) for a in ("6400", "12800", "2560", "38400")]
    assert rates(sessions) == {"USD": Decimal("0.9088"), "CNY": Decimal("0.128")}
    assert len(currency_events(sessions)) == 4


@pytest.mark.usefixtures("cny_team")
def test_confirm_pressed_twice_at_once_converts_once(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    button = confirm_button(say("/salesbot", "currency EUR 0.128", user="U1"))
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        press(driver, slack, button)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    said = slack.wait_for("response_url", lambda c: "/currency" in c.params["url"], count=2)
    texts = [str(c.params) for c in said]
    assert sum("now reports in EUR" in t for t in texts) == 1, texts
    assert sum("Already done" in t for t in texts) == 1, texts
    assert target_amounts(sessions) == [Decimal(a) for a in ("6400", "12800", "2560", "38400")]
    assert rates(sessions) == {"USD": Decimal("0.9088"), "CNY": Decimal("0.128")}
    assert len(currency_events(sessions)) == 4


@pytest.mark.usefixtures("cny_team")
def test_an_old_confirm_does_not_switch_back(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    """A Confirm of a proposal made before another switch changes nothing."""
    to_eur = confirm_button(say("/salesbot", "currency EUR 0.128", user="U1"))
    to_usd = confirm_button(say("/salesbot", "currency USD 0.14", user="U1"))
    press(driver, slack, to_usd)
    slack.wait_for("response_url", lambda c: "now reports in USD" in str(c.params))

    press(driver, slack, to_eur)

    refused = slack.wait_for("response_url", lambda c: "reports in USD now" in str(c.params))
    assert "not CNY, so I changed nothing" in str(refused[0].params)
    assert team_row(sessions).currency == "USD"
    assert len(currency_events(sessions)) == 4


@pytest.mark.usefixtures("cny_team")
def test_a_non_manager_can_neither_propose_nor_confirm(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    assert "Only managers" in say("/salesbot", "currency EUR 0.128", user="U2").text
    button = confirm_button(say("/salesbot", "currency EUR 0.128", user="U1"))

    press(driver, slack, button, user="U2")

    slack.wait_for("response_url", lambda c: "Only managers" in str(c.params))
    assert team_row(sessions).currency == "CNY"
    assert currency_events(sessions) == []


def test_setup_again_with_another_currency_asks_for_the_currency_command(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k")
    say("/salesbot", "setup EUR", user="U1")
    slack.wait_for("response_url", lambda c: "/salesbot currency EUR &lt;rate&gt;" in str(c.params))
    assert team_row(sessions).currency == "CNY"


def test_a_forged_or_garbled_confirm_is_refused(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    press(driver, slack, {"action_id": "salesbot_currency_confirm", "value": "{not json"})
    slack.wait_for("response_url", lambda c: "That button has expired" in str(c.params))
    forged = '{"t":999,"o":"CNY","n":"EUR","r":"0.128","k":"x"}'
    press(driver, slack, {"action_id": "salesbot_currency_confirm", "value": forged})
    slack.wait_for("response_url", lambda c: "run `/salesbot currency` again" in str(c.params))
    assert team_row(sessions).currency == "CNY"


def test_the_same_percent_everywhere(
    say: Say,
    driver: SlackDriver,
    slack: DevSlack,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    """bob at 62.45% of ¥100k (a USD deal among his wins) reads 62.5% in /target, the
    leaderboard, App Home, the win announcement (with its tier), the stand-up pace and the
    chart: half-up to one decimal, everywhere (it used to be 62.5%, 62% and 62%)."""
    say("/salesbot", "fx USD 7.1", user="U1")
    say("/target", "set <@U2|bob> 100k", user="U1")
    say("/deal", "add Globex $1k won", user="U2")  # 7.1k
    say("/deal", "add Acme 55.35k won", user="U2")  # 62.45k in all: Halfway there
    shown = "62.5%"

    assert f"*{shown}*" in say("/target", "", user="U2").text
    assert f"*{shown}*" in say("/deal", "leaderboard", user="U2").text

    event = {"type": "app_home_opened", "user": "U2", "tab": "home"}
    assert driver.event(event, event_id="Ev-home").status == 200
    # App Home is published after each change, drawn from what is committed when it is sent:
    # an earlier publish (after the first win, 7.1%) can still be the latest to have arrived,
    # so wait for the one that shows both wins; it times out if none ever does.
    slack.wait_for(
        "views.publish",
        lambda c: (
            c.params["user_id"] == "U2"
            and "Your targets" in blocks_to_text(c.params["view"]["blocks"])
            and f"*{shown}*" in blocks_to_text(c.params["view"]["blocks"])
        ),
    )

    win = slack.wait_for("chat.postMessage", lambda c: "won *Acme*" in str(c.params))[0]
    assert f"{shown} of their November 2026 revenue target" in str(win.params)
    assert ":gift: *Halfway there*" in str(win.params), "the tier rides on the win's post"

    run_scheduled(app.runtime, now=clock.now())
    app.runtime.sender.deliver_due()
    prompt = slack.wait_for("chat.postMessage", lambda c: "Good morning, Bob" in str(c.params))
    assert f"¥62.5k of ¥100k, {shown}," in str(prompt[0].params)

    with sessions() as session, use_language("en"):
        team = session.scalars(select(SalesTeam)).one()
        report = report_of_team(session, team, kind="month", owner=None, now=clock.now())
        labels = strings(
            drawn(build_member_progress(member_bars(report), title="T", currency="CNY"))
        )
    assert f"{shown}  ¥62.5k / ¥100k" in labels


def test_a_report_shows_a_foreign_deal_as_entered_beside_its_value(say: Say) -> None:
    say("/salesbot", "fx USD 7.1", user="U1")
    say("/deal", "add Globex $5k won", user="U2")
    report = say("/deal", "report month", user="U1").text
    assert "`#1` *Globex* $5k ≈ ¥35.5k <@U2>" in report
    assert "¥35.5k (1 deal)" in report


def test_a_bonus_granted_before_a_switch_keeps_its_currency(
    say: Say, driver: SlackDriver, slack: DevSlack
) -> None:
    """The bonus rule is converted for the future; the ¥2k already granted stays ¥2k, and the
    ledger pays what it is worth now (¥2k at 0.128 = €256), not "€2k"."""
    say("/target", "reward add 100% Target hit bonus 2k", user="U1")
    say("/target", "set <@U2|bob> 50k", user="U1")
    say("/deal", "add Acme 60k won", user="U2")
    press(driver, slack, confirm_button(say("/salesbot", "currency EUR 0.128", user="U1")))
    slack.wait_for("response_url", lambda c: "now reports in EUR" in str(c.params))
    ledger = say("/target", "rewards", user="U1").text
    assert "bonus ¥2k ≈ €256" in ledger
    assert "Bonuses to pay: €256" in ledger


def test_a_foreign_win_is_announced_as_entered_beside_its_value(say: Say, slack: DevSlack) -> None:
    say("/salesbot", "fx USD 7.1", user="U1")
    say("/deal", "add Globex $5k won", user="U2")
    win = slack.wait_for("chat.postMessage", lambda c: ":trophy:" in str(c.params))[0]
    assert "won *Globex* for *$5k ≈ ¥35.5k*" in str(win.params)
