"""gunicorn settings for `salesbot serve` and the Procfile's web process."""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.glogging import Logger

from bot.cli import bot_token_unless_oauth
from bot.config import MissingSettingError, SettingsError, load_settings
from bot.heap import freeze_startup_objects
from bot.web.board import loggable_path

try:
    _settings = load_settings()
except SettingsError as _error:
    print(f"salesbot: {_error}", file=sys.stderr)
    raise SystemExit(2) from None

bind = f"0.0.0.0:{_settings.port}"
worker_class = "gthread"
workers = _settings.web_concurrency
threads = 8
# Each worker builds its own app after the fork: engines and the outbox thread must not be shared.
preload_app = False
accesslog = "-"
# Slack's payloads carry the user's text, and /slack/oauth_redirect's query string the OAuth
# code and state: the access log keeps the method, the path without its query, and the status.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
timeout = 30


class AccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with a wallboard's secret token cut from the logged path (a TV polls
    `/board/<token>/state` every two seconds)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["U"] = loggable_path(str(atoms.get("U", "")))
        return atoms


logger_class = AccessLogger


def on_starting(_server: Any) -> None:
    """Refuse to start without the secrets the web process needs."""
    try:
        _settings.require("slack_signing_secret", *bot_token_unless_oauth(_settings))
    except MissingSettingError as error:
        print(f"salesbot: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def post_worker_init(_worker: Any) -> None:
    """The worker has built its app: what it built lives as long as the worker."""
    freeze_startup_objects()
