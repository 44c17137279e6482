"""Many workspaces: OAuth v2 install, each workspace's own token, uninstall, no secret logged."""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import MissingSettingError, Settings, load_settings
from bot.dev.driver import Reply, SlackDriver, http_transport
from bot.dev.standin import DevSlack
from bot.slack.app import Salesbot, create_app
from bot.slack.oauth import BOT_SCOPES, INSTALLATION_METADATA, SalesbotInstallationStore
from models import OutboxMessage
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret-do-not-log-8c1f"
COOKIE = "slack-app-oauth-state"
BOTS = INSTALLATION_METADATA.tables["slack_bots"]
INSTALLATIONS = INSTALLATION_METADATA.tables["slack_installations"]
STATES = INSTALLATION_METADATA.tables["slack_oauth_states"]
# C1 is conftest's; C2 is the second workspace's (add_second_workspace).
CHANNEL_NAMES = {"C1": "sales", "C2": "sales-two"}


@pytest.fixture(autouse=True)
def no_installations(engine: Engine) -> None:
    """The installation and state tables, emptied before each test (conftest empties the rest)."""
    with engine.begin() as connection:
        for table in (BOTS, INSTALLATIONS, STATES):
            connection.execute(delete(table))


@pytest.fixture
def settings(database_url: str, slack: DevSlack) -> Settings:
    """Many-workspace mode: the app's client id and secret, and no SLACK_BOT_TOKEN."""
    return load_settings(
        {},
        database_url=database_url,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
    )


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FrozenClock) -> Salesbot:
    """The app without its sender thread: each test delivers the outbox when it wants to."""
    # Listeners finish before the HTTP answer, so every outbox row a request causes (some are
    # written after the ack) exists before the test delivers.
    return create_app(
        settings, clock=clock, engine=engine, start_sender=False, wait_for_listeners=True
    )


# ------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class Page:
    """One HTTP answer, redirects not followed."""

    status: int
    headers: http.client.HTTPMessage
    body: str


def get(url: str, *, cookie: str | None = None) -> Page:
    """GET without following redirects (the install redirect points at slack.com)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        target = f"{parts.path}?{parts.query}" if parts.query else parts.path
        connection.request("GET", target, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return Page(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def start_install(server_url: str) -> str:
    """GET /slack/install and return the state it issued."""
    page = get(f"{server_url}/slack/install")
    assert page.status == 302, page
    return parse_qs(urlsplit(page.headers["Location"]).query)["state"][0]


def finish_install(server_url: str, state: str, *, cookie: bool = True) -> Page:
    """Come back from Slack to /slack/oauth_redirect with a code, as the browser would."""
    query = urlencode({"code": f"code-{state[:8]}", "state": state})
    return get(
        f"{server_url}/slack/oauth_redirect?{query}",
        cookie=f"{COOKIE}={state}" if cookie else None,
    )


def install(server_url: str, slack: DevSlack, team_id: str = "T1") -> str:
    """A whole install into `team_id`; returns the bot token Slack issued for it."""
    slack.team_id = team_id  # the workspace oauth.v2.access reports
    page = finish_install(server_url, start_install(server_url))
    assert page.status == 200, page.body
    token = slack.last("oauth.v2.access").response["access_token"]
    assert isinstance(token, str) and team_id in token
    return token


def stored_tokens(engine: Engine, table_name: str, team_id: str) -> list[str]:
    """Bot tokens stored for a workspace in slack_bots or slack_installations."""
    table = INSTALLATION_METADATA.tables[table_name]
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.bot_token).where(table.c.team_id == team_id))
        return [str(token) for (token,) in rows]


def has_tokens(engine: Engine, team_id: str) -> bool:
    """Whether any bot or installation row of the workspace is left."""
    tables = ("slack_bots", "slack_installations")
    return any(stored_tokens(engine, table, team_id) for table in tables)


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for work bolt finishes after the ack."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def driver_for(server_url: str, team_id: str) -> SlackDriver:
    """Slack's side for one workspace."""
    return SlackDriver(
        http_transport(f"{server_url}/slack/events"), SIGNING_SECRET, team_id=team_id
    )


def command(
    driver: SlackDriver, slack: DevSlack, text: str, *, user: str, channel: str, name: str = "/deal"
) -> Reply:
    """A signed slash command from the driver's workspace."""
    url = slack.response_url(name, user_id=user, channel_id=channel)
    return driver.command(name, text, user=user, channel=channel, response_url=url)


def set_up_team(driver: SlackDriver, slack: DevSlack, *, manager: str, channel: str) -> None:
    """`/salesbot setup CNY` by a workspace admin, waited for."""
    reply = command(driver, slack, "setup CNY", user=manager, channel=channel, name="/salesbot")
    assert "Setting up" in reply.text, reply
    name = CHANNEL_NAMES[channel]
    slack.wait_for("response_url", lambda c: f"#{name} is now a sales team" in str(c.params))


def add_second_workspace(slack: DevSlack) -> None:
    """T2: its own admin, rep and channel in the stand-in's directory."""
    slack.add_user("U21", "carol", real_name="Carol Admin", tz="Asia/Shanghai", is_admin=True)
    slack.add_user("U22", "dave", real_name="Dave Rep", tz="Asia/Shanghai")
    slack.add_user("UBOT2", "salesbot", is_bot=True)
    slack.add_channel("C2", "sales-two", ["U21", "U22", "UBOT2"])


def announced_with(slack: DevSlack, channel: str) -> set[str | None]:
    """The tokens the channel's posts were made with, once the win announcement is among them."""
    posts = [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == channel]
    assert any("Acme" in str(c.params) for c in posts), posts
    return {c.token for c in posts}


# ------------------------------------------------------------------ the install flow


def test_install_redirects_to_slack_with_a_ten_minute_state(
    server_url: str, engine: Engine
) -> None:
    page = get(f"{server_url}/slack/install")
    assert page.status == 302
    location = urlsplit(page.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://slack.com/oauth/v2/authorize"
    )
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(BOT_SCOPES)]
    state = query["state"][0]
    assert f"{COOKIE}={state};" in page.headers["Set-Cookie"]
    assert "HttpOnly" in page.headers["Set-Cookie"]
    assert "Max-Age=600" in page.headers["Set-Cookie"]
    with engine.connect() as connection:
        expire_at = connection.scalar(select(STATES.c.expire_at).where(STATES.c.state == state))
    # The store keeps naive UTC.
    left = expire_at - datetime.now(UTC).replace(tzinfo=None)
    assert timedelta(seconds=590) < left <= timedelta(seconds=600)


def test_oauth_redirect_exchanges_the_code_and_stores_the_installation(
    server_url: str, slack: DevSlack, engine: Engine
) -> None:
    state = start_install(server_url)
    page = finish_install(server_url, state)
    assert page.status == 200
    assert "slack://app?team=T1" in page.body
    exchange = slack.last("oauth.v2.access")
    assert exchange.params["client_id"] == CLIENT_ID
    assert exchange.params["code"] == f"code-{state[:8]}"
    token = exchange.response["access_token"]
    assert stored_tokens(engine, "slack_bots", "T1") == [token]
    assert stored_tokens(engine, "slack_installations", "T1") == [token]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(STATES)) == 0


def test_a_state_works_only_once(server_url: str, slack: DevSlack, engine: Engine) -> None:
    state = start_install(server_url)
    assert finish_install(server_url, state).status == 200
    again = finish_install(server_url, state)
    assert again.status == 401
    assert "invalid_state" in again.body
    assert len(slack.calls("oauth.v2.access")) == 1
    assert len(stored_tokens(engine, "slack_bots", "T1")) == 1


def test_an_expired_state_is_refused(server_url: str, slack: DevSlack, engine: Engine) -> None:
    state = start_install(server_url)
    with engine.begin() as connection:
        past = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
        connection.execute(update(STATES).where(STATES.c.state == state).values(expire_at=past))
    page = finish_install(server_url, state)
    assert page.status == 401
    assert "invalid_state" in page.body
    assert slack.calls("oauth.v2.access") == []
    assert stored_tokens(engine, "slack_bots", "T1") == []


def test_a_state_without_its_browser_cookie_is_refused(server_url: str, slack: DevSlack) -> None:
    page = finish_install(server_url, start_install(server_url), cookie=False)
    assert page.status == 400
    assert slack.calls("oauth.v2.access") == []


# ------------------------------------------------------------------ each workspace's token


def test_an_installed_workspace_is_authorized_and_announced_with_its_token(
    app: Salesbot, server_url: str, slack: DevSlack
) -> None:
    token = install(server_url, slack)
    t1 = driver_for(server_url, "T1")
    set_up_team(t1, slack, manager="U1", channel="C1")
    assert {c.token for c in slack.calls("users.info")} == {token}

    command(t1, slack, "new", user="U2", channel="C1")  # opened with the listener's client
    assert slack.wait_for("views.open")[0].token == token

    reply = command(t1, slack, "add Acme 12k won", user="U2", channel="C1")
    assert "Acme" in reply.text
    app.runtime.sender.deliver_due()
    assert announced_with(slack, "C1") == {token}


def test_two_workspaces_side_by_side_each_use_their_own_token(
    app: Salesbot, server_url: str, slack: DevSlack
) -> None:
    add_second_workspace(slack)
    token_1 = install(server_url, slack, "T1")
    token_2 = install(server_url, slack, "T2")
    assert token_1 != token_2
    t1, t2 = driver_for(server_url, "T1"), driver_for(server_url, "T2")
    set_up_team(t1, slack, manager="U1", channel="C1")
    set_up_team(t2, slack, manager="U21", channel="C2")

    command(t1, slack, "add Acme 12k won", user="U2", channel="C1")
    command(t2, slack, "add Acme 30k won", user="U22", channel="C2")
    app.runtime.sender.deliver_due()

    assert announced_with(slack, "C1") == {token_1}
    assert announced_with(slack, "C2") == {token_2}
    workspace_token = dict.fromkeys(["U1", "U2", "U3", "UBOT"], token_1)
    workspace_token.update(dict.fromkeys(["U21", "U22", "UBOT2"], token_2))
    looked_up = {(c.params["user"], c.token) for c in slack.calls("users.info")}
    assert {("U1", token_1), ("U21", token_2)} <= looked_up
    assert all(token == workspace_token[user] for user, token in looked_up)


# ------------------------------------------------------------------ uninstall and revocation


def test_app_uninstalled_removes_the_workspace_tokens_only(
    server_url: str, slack: DevSlack, engine: Engine
) -> None:
    add_second_workspace(slack)
    install(server_url, slack, "T1")
    token_2 = install(server_url, slack, "T2")
    t1 = driver_for(server_url, "T1")

    assert t1.event({"type": "app_uninstalled"}, event_id="EvUNINSTALL").status == 200
    eventually(lambda: not has_tokens(engine, "T1"))
    assert stored_tokens(engine, "slack_bots", "T2") == [token_2]

    # A request from the uninstalled workspace is no longer authorized.
    reply = command(t1, slack, "list", user="U2", channel="C1")
    assert reply.status == 200
    refused = slack.wait_for("response_url", lambda c: "reinstall" in str(c.params))
    assert refused


def test_tokens_revoked_for_the_bot_removes_its_tokens(
    server_url: str, slack: DevSlack, engine: Engine
) -> None:
    install(server_url, slack, "T1")
    t1 = driver_for(server_url, "T1")
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    assert t1.event(event, event_id="EvREVOKED").status == 200
    eventually(lambda: not has_tokens(engine, "T1"))


def test_another_process_notices_an_uninstall_within_its_cache_time(
    app: Salesbot, server_url: str, slack: DevSlack, engine: Engine
) -> None:
    token = install(server_url, slack, "T1")
    clock_process = SalesbotInstallationStore(CLIENT_ID, engine, cache_seconds=0.3)
    assert clock_process.bot_token("T1") == token
    assert app.runtime.installations is not None
    app.runtime.installations.delete_all(enterprise_id=None, team_id="T1")
    assert app.runtime.installations.bot_token("T1") is None  # this process: at once
    assert clock_process.bot_token("T1") == token  # another: still cached...
    eventually(lambda: clock_process.bot_token("T1") is None, timeout=2)  # ...briefly


def _win_then_uninstall(app: Salesbot, server_url: str, slack: DevSlack, engine: Engine) -> None:
    """A win announcement is owed to T1 when the app is uninstalled from T1."""
    install(server_url, slack, "T1")
    t1 = driver_for(server_url, "T1")
    set_up_team(t1, slack, manager="U1", channel="C1")
    command(t1, slack, "add Acme 12k won", user="U2", channel="C1")
    t1.event({"type": "app_uninstalled"}, event_id="EvGONE")
    eventually(lambda: not has_tokens(engine, "T1"))
    slack.clear()
    app.runtime.sender.deliver_due()


def test_after_uninstall_the_outbox_calls_slack_without_a_token(
    app: Salesbot, server_url: str, slack: DevSlack, engine: Engine
) -> None:
    _win_then_uninstall(app, server_url, slack, engine)
    calls = [c for c in slack.calls() if c.method != "response_url"]
    assert calls, "the outbox made no call"
    assert {(c.token, c.response.get("error")) for c in calls} == {(None, "not_authed")}
    assert announced_with(slack, "C1") == {None}


def test_after_uninstall_the_outbox_gives_up_on_the_workspace(
    app: Salesbot, server_url: str, slack: DevSlack, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    _win_then_uninstall(app, server_url, slack, engine)
    with sessions() as session:
        rows = session.execute(
            select(OutboxMessage.status, OutboxMessage.last_error).where(
                OutboxMessage.workspace_id == "T1"
            )
        ).all()
    assert rows
    assert {status for status, _ in rows} == {"failed"}


# ------------------------------------------------------------------ secrets and settings


def test_no_token_or_client_secret_is_ever_logged(
    app: Salesbot,
    server_url: str,
    slack: DevSlack,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    token = install(server_url, slack, "T1")
    t1 = driver_for(server_url, "T1")
    set_up_team(t1, slack, manager="U1", channel="C1")
    command(t1, slack, "add Acme 12k won", user="U2", channel="C1")
    app.runtime.sender.deliver_due()
    t1.event({"type": "app_uninstalled"}, event_id="EvLOG")
    eventually(lambda: not has_tokens(engine, "T1"))

    # slack_sdk really was logging at DEBUG (its request lines), so the check below means it.
    assert any(
        r.name.startswith("slack_sdk") and r.levelno == logging.DEBUG for r in caplog.records
    )
    for record in caplog.records:
        line = record.getMessage() + (record.exc_text or "")
        assert token not in line, record.name
        assert CLIENT_SECRET not in line, record.name
    assert token not in caplog.text and CLIENT_SECRET not in caplog.text


def test_the_requested_scopes_are_the_manifest_bot_scopes(repo_root: Path) -> None:
    lines = (repo_root / "manifest.yml").read_text().splitlines()
    start = lines.index("    bot:") + 1
    scopes = []
    for line in lines[start:]:
        if not line.startswith("      - "):
            break
        scopes.append(line.removeprefix("      - ").strip())
    assert tuple(scopes) == BOT_SCOPES


def test_client_id_without_secret_is_refused(settings: Settings, engine: Engine) -> None:
    half = settings.model_copy(update={"slack_client_secret": None})
    with pytest.raises(MissingSettingError) as raised:
        create_app(half, engine=engine, start_sender=False)
    assert raised.value.name == "SLACK_CLIENT_SECRET"


def test_single_workspace_mode_has_no_install_routes(
    settings: Settings, engine: Engine, slack: DevSlack
) -> None:
    single = settings.model_copy(
        update={
            "slack_client_id": None,
            "slack_client_secret": None,
            "slack_bot_token": BOT_TOKEN,
        }
    )
    app = create_app(single, engine=engine, start_sender=False)
    assert app.bolt.oauth_flow is None
    assert app.runtime.installations is None
    assert app.runtime.client_for("T1").token == BOT_TOKEN
    environ: dict[str, object] = {"PATH_INFO": "/slack/install"}
    setup_testing_defaults(environ)
    statuses: list[str] = []
    app.wsgi()(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["404 Not Found"]
