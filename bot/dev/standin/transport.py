"""HTTP plumbing: the threaded server DevSlack listens with, and its request and reply types."""

from __future__ import annotations

import contextlib
import json
import socketserver
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """One HTTP request as the router sees it."""

    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True)
class Reply:
    """What to answer: status, body and headers."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, payload: Mapping[str, Any], status: int = 200, headers: dict[str, str] | None = None
    ) -> Reply:
        """A JSON body (Slack's Web API answers JSON even for errors)."""
        return cls(status, json.dumps(payload).encode(), headers=headers or {})

    @classmethod
    def text(cls, text: str, status: int = 200) -> Reply:
        """A plain-text body, as upload URLs answer."""
        return cls(status, text.encode(), content_type="text/plain; charset=utf-8")


class Server(ThreadingHTTPServer):
    """A threaded HTTP server on a numeric address that hands every request to ``route``."""

    daemon_threads = True
    # socketserver's default backlog of 5 drops SYNs under concurrent clients, and the kernel
    # only retransmits after a full second: benchmarks would measure TCP, not the bot.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], route: Callable[[Request], Reply]) -> None:
        self.route = route
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() calls socket.getfqdn(), a reverse DNS lookup that can stall
        # for seconds on machines with odd resolvers; we only ever need the numeric address.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    # HTTP/1.0: one request per connection, so pause() never leaves a kept-alive socket behind.
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; every request is recorded as a Call anyway."""

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            path=url.path,
            query=url.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        try:
            reply = self.server.route(request)
        except Exception as exc:  # a DevSlack bug must not look like a dropped connection
            reply = Reply.json({"ok": False, "error": "devslack_error", "detail": repr(exc)}, 500)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(reply.body)
