"""create_app(settings): the bolt app, its runtime and the WSGI entry point, built in one place."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import database_answers, make_engine, make_session_factory, transaction
from bot.i18n import DEFAULT, use_language
from bot.jobs.contests import render_board
from bot.jobs.report_charts import render_charts
from bot.results.crm_import import PREVIEW, RUN
from bot.runtime import RUNTIME_KEY, Runtime
from bot.services.events import first_delivery
from bot.slack.after_ack import AFTER_ACK_KEY, AfterAck
from bot.slack.client import CLIENT_RETRIES, make_web_client
from bot.slack.guard import Guard
from bot.slack.oauth import (
    SalesbotInstallationStore,
    StoreAuthorize,
    clients_for,
    oauth_enabled,
    oauth_flow,
)
from bot.slack.sender import ClientFor, OutboxSender
from bot.sync import exports
from bot.sync.deliver import deliver as deliver_crm
from bot.sync.webhook import Webhooks, is_webhook
from bot.unit_of_work import HOME, caller_language, given_up, render_home
from bot.views import contests as contest_views
from bot.views.common import apology, try_again
from bot.views.notices import CHARTS
from bot.web.board import Boards, is_board

log = logging.getLogger(__name__)

LISTENER_THREADS = 16

# A profile look-up happens while the user waits for the ack: give up quickly.
LOOKUP_TIMEOUT = 2

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class Salesbot:
    """A configured Salesbot: the bolt app and the runtime its listeners share."""

    bolt: App
    runtime: Runtime
    # The listener threads: they do what a listener owes after its ack (bot/slack/after_ack.py).
    listeners: ThreadPoolExecutor

    def wsgi(self) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
        """The WSGI application: Slack's paths through bolt, /healthz for load balancers, the
        CRMs' webhooks, and the wallboard under /board/."""
        # bolt's handler also answers GET /slack/install and /slack/oauth_redirect with OAuth.
        bolt = SlackRequestHandler(self.bolt, path="/slack/events")
        slack = Guard(
            bolt,  # type: ignore[arg-type]
            signing_secret=self.runtime.settings.slack_signing_secret or "",
            engine=self.runtime.engine,
        )
        engine = self.runtime.engine
        crm = Webhooks(self.runtime)
        boards = Boards(self.runtime)

        def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            path = str(environ.get("PATH_INFO", ""))
            if path == "/healthz":
                return healthz(engine, start_response)
            if is_webhook(path):
                return crm(environ, start_response)
            if is_board(path):
                return boards(environ, start_response)
            return slack(environ, start_response)

        return application


def healthz(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    """200 with a small JSON when the database answers, 503 when it does not."""
    ok = database_answers(engine)
    body = json.dumps({"status": "ok" if ok else "unavailable", "database": ok}).encode()
    status = "200 OK" if ok else "503 Service Unavailable"
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    start_sender: bool = True,
    wait_for_listeners: bool = False,
) -> Salesbot:
    """Build the app from settings; tests inject a clock and may share an engine.

    With `wait_for_listeners` what a listener owes after its ack is done before bolt answers
    (the console, the demo); else it is left to the listener pool.
    """
    engine = engine or make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    clock = clock or SystemClock()
    slack = (
        _many_workspaces(settings, engine) if oauth_enabled(settings) else _one_workspace(settings)
    )
    sender = OutboxSender(sessions, slack.client_for, clock)
    runtime = Runtime(
        settings,
        engine,
        sessions,
        clock,
        slack.client_for,
        slack.lookup_client_for,
        sender,
        installations=slack.installations,
    )
    listeners = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
    bolt = App(
        # Given explicitly (never None) so bolt does not fall back to reading the environment.
        signing_secret=settings.slack_signing_secret or "",
        # Listeners get a copy carrying the token that authorize() returns.
        client=make_web_client(None, settings.slack_api_url),
        # bolt's annotation says authorize never returns None, but it answers None (a workspace
        # that is not installed) with its "please reinstall" message.
        authorize=cast("Callable[..., AuthorizeResult]", slack.authorize),
        # Both or neither: without oauth_settings bolt would build its own from SLACK_CLIENT_ID
        # and SLACK_CLIENT_SECRET in the environment, with file-based stores.
        oauth_settings=slack.flow.settings if slack.flow is not None else None,
        oauth_flow=slack.flow,
        # Listeners run on the request thread and what they owe after the ack goes to the
        # listener pool (bot/slack/after_ack.py): bolt's other mode polls for the ack every
        # 10 ms. The console and the demo wait for that work too, so transcripts print in order.
        process_before_response=True,
        # bolt would start a pool of its own for lazy listeners (Salesbot has none) otherwise.
        listener_executor=listeners,
        raise_error_for_unhandled_request=False,
        # The guard in front of bolt (bot/slack/guard.py) verified the signature on the raw
        # bytes before bolt parsed them; the console and the demo hand bolt requests they made.
        request_verification_enabled=False,
        ignoring_self_events_enabled=False,
    )
    later = AfterAck(None if wait_for_listeners else listeners, _on_error)
    bolt.use(_inject_runtime(runtime, later))
    bolt.use(_skip_retried_events(runtime))
    bolt.error(_on_error)
    handlers.register(bolt)
    sender.renderers[HOME] = partial(render_home, runtime)
    sender.renderers[CHARTS] = partial(render_charts, runtime)
    sender.renderers[contest_views.BOARD] = partial(render_board, runtime)
    sender.renderers[PREVIEW] = partial(exports.render_preview, runtime)
    sender.renderers[RUN] = partial(exports.render_run, runtime)
    sender.given_up = given_up
    sender.crm = partial(deliver_crm, runtime)
    if start_sender:
        sender.start()
    return Salesbot(bolt=bolt, runtime=runtime, listeners=listeners)


@dataclass(frozen=True)
class _SlackAccess:
    """How this deployment reaches Slack: per-workspace clients and request authorization."""

    client_for: ClientFor
    lookup_client_for: ClientFor
    authorize: Callable[..., AuthorizeResult | None]
    flow: OAuthFlow | None = None
    installations: SalesbotInstallationStore | None = None


def _one_workspace(settings: Settings) -> _SlackAccess:
    """SLACK_BOT_TOKEN for everything, as when the app is installed from its config page."""
    client = make_web_client(
        settings.slack_bot_token, settings.slack_api_url, timeout=settings.slack_timeout
    )
    lookup_client = make_web_client(
        settings.slack_bot_token, settings.slack_api_url, retries=0, timeout=LOOKUP_TIMEOUT
    )

    def client_for(_workspace_id: str) -> WebClient:
        return client

    def lookup_client_for(_workspace_id: str) -> WebClient:
        return lookup_client

    return _SlackAccess(
        client_for, lookup_client_for, _single_workspace_authorize(settings.slack_bot_token)
    )


def _many_workspaces(settings: Settings, engine: Engine) -> _SlackAccess:
    """Installed through /slack/install: each workspace's bot token from the installation store."""
    assert settings.slack_client_id is not None  # oauth_enabled() checked both
    store = SalesbotInstallationStore(settings.slack_client_id, engine)
    url = settings.slack_api_url
    return _SlackAccess(
        client_for=clients_for(store, url, retries=CLIENT_RETRIES, timeout=settings.slack_timeout),
        lookup_client_for=clients_for(store, url, retries=0, timeout=LOOKUP_TIMEOUT),
        authorize=StoreAuthorize(store),
        flow=oauth_flow(settings, engine, store),
        installations=store,
    )


def _single_workspace_authorize(token: str | None) -> Callable[..., AuthorizeResult]:
    # bolt's default single-workspace authorization calls auth.test on the first request; this
    # one never calls Slack, so the ack path does not depend on Slack's API being up.
    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    return authorize


def _inject_runtime(runtime: Runtime, later: AfterAck) -> Callable[..., Any]:
    def middleware(context: Any, next: Callable[[], Any]) -> Any:
        context[RUNTIME_KEY] = runtime
        context[AFTER_ACK_KEY] = later
        return next()

    return middleware


def _skip_retried_events(runtime: Runtime) -> Callable[..., Any]:
    """Handle each Events API event once: Slack retries (X-Slack-Retry-Num) what it thinks was
    lost, and a retry of an event already recorded is acknowledged and skipped."""

    def middleware(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not event_id:
            return next()
        with transaction(runtime.sessions) as session:
            first = first_delivery(
                session,
                event_id=str(event_id),
                workspace_id=str(body.get("team_id") or ""),
                now=runtime.clock.now(),
            )
        if not first:
            log.info("event.duplicate event_id=%s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return middleware


def _on_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, context: Any
) -> BoltResponse | None:
    """Log with traceback and an error id; tell the user a short apology with that id."""
    error_id = uuid.uuid4().hex[:8]
    log.error("listener.failed error_id=%s", error_id, exc_info=error)
    if body.get("type") in ("view_submission", "block_suggestion"):
        # Slack wants an empty 200 or a response_action here; the log has the details.
        return BoltResponse(status=200, body="") if response is not None else None
    if isinstance(error, DBAPIError) and (
        error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    ):
        # The database is restarting or out of reach: nothing was written; say so plainly.
        message = try_again()
    else:
        with use_language(_apology_language(body, context)):
            message = apology(error_id)
    if response is not None:
        return BoltResponse(
            status=200, body=json.dumps(message), headers={"content-type": "application/json"}
        )
    respond = context.get("respond")
    if respond is not None:
        respond(**message)
    return None


def _apology_language(body: dict[str, Any], context: Any) -> str:
    """The caller's language for the apology; English when even that cannot be looked up."""
    runtime = context.get(RUNTIME_KEY)
    team_id = body.get("team_id") or (body.get("team") or {}).get("id")
    user_id = body.get("user_id") or (body.get("user") or {}).get("id")
    if runtime is None or not team_id or not user_id:
        return DEFAULT
    try:
        return caller_language(runtime, str(team_id), str(user_id))
    except Exception:  # the database may be what failed
        log.warning("listener.apology_language_unknown", exc_info=True)
        return DEFAULT
