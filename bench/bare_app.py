"""The floor under Salesbot's ack latency: a bare slack-bolt app whose `/deal` only acks.

Served exactly as `salesbot serve` serves Salesbot (gunicorn, gthread, the same workers and
threads, ``bot.slack.gunicorn_config``), with the same bolt settings: signing secret verification
on, an authorize function that never calls Slack, the listener run on the request thread
(``process_before_response``). Whatever Salesbot's latency adds on top of this app's is
Salesbot's own work.

With ``BARE_POLLED=1`` it runs in bolt's default mode instead, as Salesbot did until issue 20:
the listener in bolt's pool, the request thread checking every 10 ms whether it has acked.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… gunicorn --config python:bot.slack.gunicorn_config \
        --bind 127.0.0.1:3001 bench.bare_app:application
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
    # As Salesbot's single-workspace authorize: no auth.test call to Slack.
    return AuthorizeResult(
        enterprise_id=enterprise_id, team_id=team_id, bot_token=os.environ.get("SLACK_BOT_TOKEN")
    )


def create_bare_app(
    signing_secret: str | None = None,
    listener_executor: Executor | None = None,
    *,
    polled: bool = False,
) -> App:
    """A bolt app with one `/deal` listener that acks and does nothing else (`bench cpu` hands
    it the secret and a listener pool it can wait on; gunicorn's worker reads the secret from
    the environment and keeps bolt's own pool)."""
    app = App(
        signing_secret=signing_secret or os.environ["SLACK_SIGNING_SECRET"],
        authorize=_authorize,
        process_before_response=not polled,
        raise_error_for_unhandled_request=False,
        ignoring_self_events_enabled=False,
        listener_executor=listener_executor,
    )

    def deal(ack: Ack) -> None:
        ack()

    app.command("/deal")(deal)
    return app


def wsgi(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """/slack/events through bolt, /healthz answered directly (as Salesbot's, minus the DB)."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            body = json.dumps({"status": "ok"}).encode()
            start_response(
                "200 OK",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return slack(environ, start_response)  # type: ignore[arg-type]

    return application


if os.environ.get("SLACK_SIGNING_SECRET"):
    # Served by gunicorn (`bench.bare_app:application`); importing it elsewhere builds nothing.
    application = wsgi(create_bare_app(polled=os.environ.get("BARE_POLLED") == "1"))
