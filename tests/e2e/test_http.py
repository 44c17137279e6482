"""The HTTP surface: signed posts to /slack/events, signature checks, /healthz."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from bot.config import Settings
from bot.db import make_engine
from bot.dev.driver import SlackDriver
from bot.dev.standin import slash_command_body
from bot.slack.app import create_app


def test_signed_deal_help_gets_help_text(driver: SlackDriver) -> None:
    reply = driver.command("/deal", "help", user="U2")
    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert "/deal add" in reply.text


def test_unsigned_request_is_refused(driver: SlackDriver) -> None:
    body = slash_command_body(
        "/deal", "help", user_id="U2", team_id="T1", channel_id="C1", response_url=""
    )
    reply = driver.post(body, "application/x-www-form-urlencoded", signed=False)
    assert reply.status == 401


def test_wrong_signature_is_refused(driver: SlackDriver) -> None:
    body = slash_command_body(
        "/deal", "help", user_id="U2", team_id="T1", channel_id="C1", response_url=""
    )
    reply = driver.post(
        body, "application/x-www-form-urlencoded", headers={"X-Slack-Signature": "v0=" + "0" * 64}
    )
    assert reply.status == 401


def test_stale_timestamp_is_refused(driver: SlackDriver) -> None:
    body = slash_command_body(
        "/deal", "help", user_id="U2", team_id="T1", channel_id="C1", response_url=""
    )
    reply = driver.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60
    )
    assert reply.status == 401


def test_healthz_answers_when_the_database_does(server_url: str) -> None:
    with urllib.request.urlopen(f"{server_url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok", "database": True}


def test_healthz_is_503_when_the_database_is_down(settings: Settings) -> None:
    down = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    app = create_app(down, engine=make_engine(down.database_url), start_sender=False)
    statuses: list[str] = []
    body = b"".join(
        app.wsgi()(
            {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"},
            lambda status, headers: statuses.append(status),
        )
    )
    assert statuses == ["503 Service Unavailable"]
    assert json.loads(body)["database"] is False


def test_unknown_path_is_404(server_url: str) -> None:
    try:
        urllib.request.urlopen(f"{server_url}/nope", timeout=5)
    except urllib.error.HTTPError as error:
        assert error.code == 404
    else:
        raise AssertionError("expected 404")
