"""What every CRM stand-in (bot/dev/hubspot.py, pipedrive.py, zoho.py) does alike: listen on a
loopback port, read each request's JSON, record it as a Call, answer from the CRM's own routes,
and go down (503) on demand. Each CRM's module says only what its API answers."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from bot.crm.values import exact_json, exact_loads

# (status, JSON body or None for an empty one, extra response headers)
Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Call:
    """One request a stand-in answered (headers with lower-case names)."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class CrmStandIn:
    """A local CRM API on a free loopback port; subclasses answer `_route`."""

    # The JSON content type the CRM answers with.
    content_type = "application/json"

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        # A condition, so tests can wait for a call; held while a request is answered.
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._down = 0
        # Answers held back until a test lets them go: (method, the event that releases it).
        self._holds: list[tuple[str, threading.Event]] = []
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on a free loopback port."""
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                stand_in._serve(self, "GET")

            def do_POST(self) -> None:
                stand_in._serve(self, "POST")

            def do_PUT(self) -> None:
                stand_in._serve(self, "PUT")

            def do_PATCH(self) -> None:
                stand_in._serve(self, "PATCH")

            def log_message(self, format: str, *args: Any) -> None:
                """Recorded as Calls instead."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True).start()

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """Where it listens."""
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def go_down(self, calls: int = 1_000_000) -> None:
        """Answer the next `calls` requests with 503, as during an outage."""
        with self._lock:
            self._down = calls

    def come_back(self) -> None:
        """End the outage."""
        with self._lock:
            self._down = 0

    def hold(self, method: str) -> threading.Event:
        """Carry out the next `method` request, then hold its answer until the returned event
        is set: a CRM slow to answer a write it has already made."""
        release = threading.Event()
        with self._lock:
            self._holds.append((method, release))
        return release

    def calls(self, method: str | None = None, path_prefix: str = "") -> list[Call]:
        """What was asked so far (of one method, under one path)."""
        with self._lock:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method) and c.path.startswith(path_prefix)
            ]

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
    ) -> Answer:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            # Numbers as the client wrote them (a CRM keeps an amount's digits).
            body = exact_loads(raw) if raw else None
        except ValueError:
            body = None
        query = parse_qs(url.query)
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            status, answer, extra = self._route(method, url.path, query, body, headers)
            self._calls.append(Call(method, url.path, query, body, status, headers))
            self._lock.notify_all()
            held = next((h for h in self._holds if h[0] == method), None)
            if held is not None:
                self._holds.remove(held)
        if held is not None:
            held[1].wait(timeout=30)
        data = b"" if answer is None else exact_json(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            handler.send_header(name, value)
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(data)
