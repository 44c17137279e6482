"""Slack's retries: an event delivered again (X-Slack-Retry-Num) is handled once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.jobs.due import run_scheduled
from bot.slack.app import Salesbot
from models import Deal

pytestmark = pytest.mark.usefixtures("team")


def test_a_retried_dm_check_in_is_handled_once(
    app: Salesbot, clock: FrozenClock, slack: DevSlack, driver: SlackDriver
) -> None:
    morning = datetime(2026, 11, 30, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    clock.set(morning)
    run_scheduled(app.runtime, now=morning)
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DU2",
        "user": "U2",
        "text": "Closed Acme",
        "ts": "1.1",
    }
    assert driver.event(event, event_id="EvRetry").status == 200
    for attempt in (1, 2):
        retry = driver.event(
            event,
            event_id="EvRetry",
            headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert retry.status == 200
    slack.wait_for("chat.postMessage", lambda c: "checked in" in str(c.params))
    app.listeners.shutdown(wait=True)
    # The reply is owed through the outbox: whatever the listeners owed is delivered first.
    app.runtime.sender.deliver_due()
    replies = [c for c in slack.calls("chat.postMessage") if c.params["channel"] == "DU2"]
    assert len(replies) == 1, "one reply: the retries were skipped, not answered with a hint"


def test_a_double_clicked_new_deal_form_saves_one_deal(
    app: Salesbot, slack: DevSlack, driver: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    reply = driver.command("/deal", "new", user="U2", response_url=slack.response_url("new"))
    assert reply.status == 200
    view = slack.wait_for("views.open")[-1].params["view"]
    state = {
        "customer": {"value": {"type": "plain_text_input", "value": "Initech"}},
        "amount": {"value": {"type": "plain_text_input", "value": "12k"}},
        "stage": {"value": {"type": "static_select", "selected_option": {"value": "lead"}}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U2"},
        "view": {**view, "id": "V42", "state": {"values": state}},
    }
    assert driver.interaction(payload).status == 200
    assert driver.interaction(payload).status == 200
    app.listeners.shutdown(wait=True)
    with sessions() as session:
        assert session.scalar(select(func.count(Deal.id))) == 1
