"""A CRM export shared in the bot's DM, through signed HTTP events and interactions against the
Slack stand-in: the file fetched with the bot token, a dry run's summary with an Import
button, one import however often it is pressed, and nobody but a manager."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.slack.app import Salesbot
from bot.slack.client import CLIENT_RETRIES
from models import CrmRecord, Deal, DealImport, OutboxMessage
from tests.e2e.conftest import Drain, Say, race
from tests.redirect_catcher import catcher

DATA = Path(__file__).resolve().parents[2] / "data" / "crm"


def share(driver: SlackDriver, slack: DevSlack, name: str, *, user: str, text: str = "") -> str:
    """The user shares a file in their DM with the bot: the stand-in holds its bytes."""
    file_id = slack.add_file(name, (DATA / name).read_bytes(), user=user)
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": f"D{user}",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": "1700000000.000100",
        "files": [{"id": file_id, "name": name}],
    }
    assert driver.event(event, event_id=f"Ev-{file_id}").status == 200
    return file_id


def posted(slack: DevSlack, channel: str, needle: str, count: int = 1) -> list[Any]:
    return slack.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("channel") in (channel, channel[1:]) and needle in str(c.params),
        timeout=10,
        count=count,
    )


def press(driver: SlackDriver, user: str, button: dict[str, Any]) -> None:
    reply = driver.interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user, "team_id": "T1"},
            "channel": {"id": f"D{user}"},
            "container": {"type": "message", "message_ts": "1700000001.000200"},
            "actions": [{"action_id": button["action_id"], "value": button["value"]}],
        }
    )
    assert reply.status == 200


def button_of(call: Any) -> dict[str, Any]:
    blocks = call.params["blocks"]
    return next(e for b in blocks if b["type"] == "actions" for e in b["elements"])


def deal_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Deal)) or 0)


@pytest.mark.usefixtures("team")
def test_a_manager_previews_then_imports_once(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    # Without a default owner the preview refuses Pat Nobody's row, and offers no button.
    share(driver, slack, "hubspot.csv", user="U1")
    refused = posted(slack, "DU1", "1 of 4 rows refused")[-1]
    assert "Pat Nobody" in str(refused.params)
    assert not [b for b in refused.params["blocks"] if b["type"] == "actions"]
    # The bytes came from url_private with the bot token, after files.info.
    assert slack.calls("files.info")
    downloads = slack.calls("files.download")
    assert downloads and all(c.token for c in downloads)
    # Shared again with a default owner in the message: a preview with an Import button.
    share(driver, slack, "hubspot.csv", user="U1", text="hubspot, default owner <@U2>")
    ready = posted(slack, "DU1", "would create 4 and update 0")[-1]
    assert "Appointment Scheduled → lead" in str(ready.params)
    button = button_of(ready)
    drain()
    assert deal_count(sessions) == 0
    press(driver, "U1", button)
    posted(slack, "DU1", "4 created, 0 updated")
    drain()
    assert deal_count(sessions) == 4
    # The outcome is the press's one answer (no "importing…" after it).
    after_press = slack.calls("chat.postMessage")[-1]
    assert "4 created, 0 updated" in str(after_press.params), after_press.params
    # A second press does nothing twice, and says so; two at once import nothing more.
    press(driver, "U1", button)
    slack.wait_for("chat.postMessage", lambda c: "imported already" in str(c.params))
    race([lambda: driver.interaction(_payload("U1", button)) for _ in range(2)])
    drain()
    assert deal_count(sessions) == 4
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CrmRecord)) == 4
        statuses = sorted(session.scalars(select(DealImport.status)))
        assert statuses == ["imported", "refused"]
    imported = posted(slack, "DU1", "4 created, 0 updated")
    assert len([c for c in imported if "imported already" not in str(c.params)]) == 1


def _payload(user: str, button: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user, "team_id": "T1"},
        "channel": {"id": f"D{user}"},
        "actions": [{"action_id": button["action_id"], "value": button["value"]}],
    }


@pytest.mark.usefixtures("team")
def test_a_rep_is_refused_and_nothing_is_fetched(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    share(driver, slack, "pipedrive.csv", user="U2", text="default owner <@U2>")
    posted(slack, "DU2", "manager")
    drain()
    assert not slack.calls("files.info") and not slack.calls("files.download")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(DealImport)) == 0


@pytest.mark.usefixtures("team")
def test_a_rep_pressing_a_managers_button_is_refused(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    share(driver, slack, "fxiaoke.xlsx", user="U1", text="纷享销客 default owner <@U2>")
    ready = posted(slack, "DU1", "would create 4")[-1]
    press(driver, "U2", button_of(ready))
    slack.wait_for("chat.postMessage", lambda c: "manager" in str(c.params))
    drain()
    assert deal_count(sessions) == 0


@pytest.mark.usefixtures("team")
def test_what_the_export_says_is_shown_as_text_in_the_preview(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    # An owner called <!channel> pings nobody, and a stage <@U9> mentions nobody: the preview
    # escapes every value from the file where it becomes mrkdwn.
    data = (
        b'"Record ID","Deal Name","Deal Stage","Close Date","Deal owner","Amount"\n'
        b'"1","Acme","<@U9> & co","2026-12-20","Bob Rep","100"\n'
        b'"2","Globex","Appointment Scheduled","2026-12-20","<!channel> *Pat*","200"\n'
    )
    file_id = slack.add_file("hubspot.csv", data, user="U1")
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": "DU1",
        "channel_type": "im",
        "user": "U1",
        "text": "",
        "ts": "1700000000.000100",
        "files": [{"id": file_id, "name": "hubspot.csv"}],
    }
    assert driver.event(event, event_id=f"Ev-{file_id}").status == 200
    refused = posted(slack, "DU1", "2 of 2 rows refused")[-1]
    drain()
    shown = str(refused.params)
    assert "<!channel>" not in shown and "<@U9>" not in shown and "*Pat*" not in shown
    assert "nobody in Slack is &lt;!channel&gt; \u2217Pat\u2217" in shown
    assert "“&lt;@U9&gt; &amp; co” is no stage of this team" in shown
    assert deal_count(sessions) == 0


@pytest.mark.usefixtures("team")
def test_a_download_redirected_to_another_host_keeps_the_bot_token(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    with catcher() as (elsewhere, reached):
        slack.redirect_downloads(elsewhere + "/hubspot.csv")
        share(driver, slack, "hubspot.csv", user="U1")
        told = posted(slack, "DU1", "elsewhere")[-1]
    assert "127.0.0.1" in str(told.params)
    assert reached == []
    assert deal_count(sessions) == 0


def deliver_retries(app: Salesbot, clock: FrozenClock, rounds: int = 4) -> None:
    """What the sender's retries do over the next minutes."""
    for _ in range(rounds):
        clock.advance(timedelta(minutes=3))
        app.runtime.sender.deliver_due()


@pytest.mark.usefixtures("team")
def test_a_file_slack_will_not_serve_is_refused_once_in_words(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session], drain: Drain
) -> None:
    """The file server answers 404 (the file was deleted after it was shared): the manager
    is told once, in words, and the preview is not tried again."""
    slack.inject("files.download", status=404, times=5)
    share(driver, slack, "hubspot.csv", user="U1")
    told = posted(slack, "DU1", "Cannot import this file")[-1]
    assert "refused file" in str(told.params) and "HTTP 404" in str(told.params), told.params
    drain()
    with sessions() as session:
        assert list(session.scalars(select(DealImport.status))) == ["failed"]
    assert len(slack.calls("files.download", include_faults=True)) == 1


@pytest.mark.usefixtures("team")
def test_a_download_slack_fails_for_now_is_tried_again_and_previewed(
    driver: SlackDriver, slack: DevSlack, app: Salesbot, clock: FrozenClock
) -> None:
    slack.inject("files.download", status=503, times=1)
    share(driver, slack, "hubspot.csv", user="U1", text="default owner <@U2>")
    slack.wait_for("files.download", lambda c: True, timeout=10, include_faults=True)
    deliver_retries(app, clock)
    ready = posted(slack, "DU1", "would create 4 and update 0")
    assert len(ready) == 1 and button_of(ready[0])["action_id"]


@pytest.mark.usefixtures("team")
def test_a_preview_whose_post_failed_is_posted_again_as_it_was(
    driver: SlackDriver, slack: DevSlack, app: Salesbot, clock: FrozenClock
) -> None:
    """Slack refuses the preview's post (after the dry run was kept): the next try shows
    the same preview with its Import button, never a dead end."""
    slack.inject("chat.postMessage", status=500, times=CLIENT_RETRIES + 1)
    share(driver, slack, "hubspot.csv", user="U1", text="default owner <@U2>")
    slack.wait_for("chat.postMessage", lambda c: True, timeout=10, include_faults=True)
    deliver_retries(app, clock)
    ready = posted(slack, "DU1", "would create 4 and update 0")
    assert len(ready) == 1 and button_of(ready[0])["action_id"]
    assert "already previewed" not in str(slack.calls("chat.postMessage"))
    assert len(slack.calls("files.download")) == 1, "the kept bytes, not a second download"


@pytest.mark.usefixtures("team")
def test_an_import_that_failed_and_whose_post_failed_says_so_once(
    driver: SlackDriver,
    slack: DevSlack,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
    say: Say,
) -> None:
    """The default owner leaves the team between the preview and the press, so the import
    finds a problem and imports nothing; Slack refuses that answer: the next try says what
    to do, once, instead of failing (and being retried) for ever."""
    share(driver, slack, "hubspot.csv", user="U1", text="default owner <@U2>")
    ready = posted(slack, "DU1", "would create 4 and update 0")[-1]
    assert "Removed" in say("/salesbot", "team remove <@U2>", user="U1").text
    slack.inject("chat.postMessage", status=500, times=CLIENT_RETRIES + 1)
    press(driver, "U1", button_of(ready))
    slack.wait_for("chat.postMessage", lambda c: c.faulted, timeout=10, include_faults=True)
    deliver_retries(app, clock)
    told = posted(slack, "DU1", "share the file again")
    assert len(told) == 1, told
    assert "changed since the preview" in str(told[0].params)
    assert deal_count(sessions) == 0
    with sessions() as session:
        assert "failed" in list(session.scalars(select(DealImport.status)))
        waiting = session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.status == "pending")
        ).all()
    assert waiting == []
