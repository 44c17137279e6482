"""create_app(settings): the bolt app, its runtime and the WSGI entry point, built in one place."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from sqlalchemy import Engine

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import database_answers, make_engine, make_session_factory
from bot.delivery import OutboxSender
from bot.runtime import RUNTIME_KEY, Runtime
from bot.slack_client import make_web_client
from bot.views.common import apology

log = logging.getLogger(__name__)

# A profile look-up happens while the user waits for the ack: give up quickly.
LOOKUP_TIMEOUT = 2

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class Salesbot:
    """A configured Salesbot: the bolt app and the runtime its listeners share."""

    bolt: App
    runtime: Runtime

    def wsgi(self) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
        """The WSGI application: /slack/events through bolt, /healthz for load balancers."""
        slack = SlackRequestHandler(self.bolt, path="/slack/events")
        engine = self.runtime.engine

        def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            if environ.get("PATH_INFO") == "/healthz":
                return healthz(engine, start_response)
            return slack(environ, start_response)  # type: ignore[arg-type]

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
    """Build the app from settings; tests inject a clock and may share an engine."""
    engine = engine or make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    clock = clock or SystemClock()
    client = make_web_client(settings.slack_bot_token, settings.slack_api_url)
    lookup_client = make_web_client(
        settings.slack_bot_token, settings.slack_api_url, retries=0, timeout=LOOKUP_TIMEOUT
    )

    def client_for(_workspace_id: str) -> WebClient:
        return client

    def lookup_client_for(_workspace_id: str) -> WebClient:
        return lookup_client

    sender = OutboxSender(sessions, client_for, clock)
    runtime = Runtime(settings, engine, sessions, clock, client_for, lookup_client_for, sender)
    bolt = App(
        # Given explicitly (never None) so bolt does not fall back to reading the environment.
        signing_secret=settings.slack_signing_secret or "",
        # Listeners get a copy carrying the token that authorize() returns.
        client=make_web_client(None, settings.slack_api_url),
        authorize=_single_workspace_authorize(settings.slack_bot_token),
        # In production bolt returns the ack to Slack at once and the listener finishes in its
        # thread; the console waits for the whole listener so its transcript prints in order.
        process_before_response=wait_for_listeners,
        raise_error_for_unhandled_request=False,
        ignoring_self_events_enabled=False,
    )
    bolt.use(_inject_runtime(runtime))
    bolt.error(_on_error)
    handlers.register(bolt)
    if start_sender:
        sender.start()
    return Salesbot(bolt=bolt, runtime=runtime)


def _single_workspace_authorize(token: str | None) -> Callable[..., AuthorizeResult]:
    # bolt's default single-workspace authorization calls auth.test on the first request; this
    # one never calls Slack, so the ack path does not depend on Slack's API being up.
    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    return authorize


def _inject_runtime(runtime: Runtime) -> Callable[..., Any]:
    def middleware(context: Any, next: Callable[[], Any]) -> Any:
        context[RUNTIME_KEY] = runtime
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
    message = apology(error_id)
    if response is not None:
        return BoltResponse(
            status=200, body=json.dumps(message), headers={"content-type": "application/json"}
        )
    respond = context.get("respond")
    if respond is not None:
        respond(**message)
    return None
