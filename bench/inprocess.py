"""Salesbot and the bare bolt app in this process, fed signed requests through their WSGI apps.

No sockets between "Slack" and the app: a request is a WSGI environ with the signed body, the
headers gunicorn would have put there, handed to the same WSGI callable `salesbot serve` gives
gunicorn (`Salesbot.wsgi()`: the guard, then bolt's handler). Listeners run on the request
thread and leave what they owe after the ack to the listener pool, as under gunicorn;
:class:`TrackedPool` lets the benchmark wait until that work has finished, so all the work a
request caused is done before the clock is read.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from wsgiref.util import setup_testing_defaults

from sqlalchemy import Engine, event

import bot.slack.app as salesbot_app
from bench.common import BOT_TOKEN, SIGNING_SECRET
from bot.config import load_settings
from bot.db import make_engine
from bot.dev.driver import Reply, Transport
from bot.slack.app import Salesbot, create_app

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Wraps each listener call (the profile hook of the cProfile fallback).
Wrapper = Callable[[Callable[..., Any]], Callable[..., Any]]


def wsgi_transport(application: WSGIApp) -> Transport:
    """Send a signed body to a WSGI app as gunicorn would hand it over: one environ per request."""

    def send(body: str, headers: dict[str, str]) -> Reply:
        data = body.encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        setup_testing_defaults(environ)
        status: list[str] = []

        def start_response(line: str, _headers: list[tuple[str, str]], _exc: Any = None) -> None:
            status.append(line)

        chunks = application(environ, start_response)
        try:
            answer = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return Reply(int(status[0].split()[0]), answer.decode())

    return send


class TrackedPool(ThreadPoolExecutor):
    """The listener pool, which says when everything it was given has finished."""

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._busy = 0
        self._changed = threading.Condition()
        self.wrap: Wrapper | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._changed:
            self._busy += 1
        call = self.wrap(fn) if self.wrap is not None else fn
        try:
            future = super().submit(call, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future[Any] | None) -> None:
        with self._changed:
            self._busy -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float = 30) -> None:
        """Block until no listener is running or queued."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._busy == 0, timeout=timeout):
                raise RuntimeError(f"listeners still busy after {timeout:g} s")


@dataclass
class Statements:
    """SQL statements (BEGIN left out, as tests/e2e/test_request_path.py counts) and
    transactions, counted into whichever phase is current."""

    phase: str = "request"
    counts: dict[str, int] = field(default_factory=dict)
    transactions: dict[str, int] = field(default_factory=dict)

    def take(self) -> tuple[dict[str, int], dict[str, int]]:
        """The counts so far, reset to zero."""
        counts, transactions = self.counts, self.transactions
        self.counts, self.transactions = {}, {}
        return counts, transactions


@contextmanager
def counting(engine: Engine) -> Iterator[Statements]:
    """Count the engine's statements (before_cursor_execute) and transactions (begin)."""
    seen = Statements()

    def statement(_conn: object, _cursor: object, sql: str, *_: Any) -> None:
        if not sql.startswith("BEGIN"):
            seen.counts[seen.phase] = seen.counts.get(seen.phase, 0) + 1

    def begin(_conn: object) -> None:
        seen.transactions[seen.phase] = seen.transactions.get(seen.phase, 0) + 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)


@dataclass
class InProcess:
    """Salesbot built as `salesbot serve` builds it, minus the sender's thread."""

    salesbot: Salesbot
    listeners: TrackedPool
    engine: Engine
    send: Transport

    def close(self) -> None:
        self.listeners.shutdown(wait=True)
        self.salesbot.runtime.sender.stop()
        self.engine.dispose()


def salesbot_in_process(database_url: str, api_url: str) -> InProcess:
    """create_app with the serve settings; the sender is not started, so the benchmark runs
    its passes (`runtime.sender.deliver_due()`) itself and can tell their cost apart."""
    settings = load_settings(
        {},
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=api_url,
    )
    engine = make_engine(settings.database_url)
    pools: list[TrackedPool] = []

    def pool(**kwargs: Any) -> TrackedPool:
        pools.append(TrackedPool(**kwargs))
        return pools[-1]

    # create_app builds its listener pool itself; this one is the same pool, tracked.
    with mock.patch.object(salesbot_app, "ThreadPoolExecutor", pool):
        salesbot = create_app(settings, engine=engine, start_sender=False)
    return InProcess(salesbot, pools[0], engine, wsgi_transport(salesbot.wsgi()))
