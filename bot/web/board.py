"""`GET /board/<token>`: a team's wallboard page; `GET /board/<token>/state`: what it shows now,
as JSON (the page asks for it every two seconds and swaps in the rendered board); and
`/board/static/…`: the page's script, stylesheet and CJK font, from the package.

Short polling rather than server-sent events: each poll is one short read-only transaction and
an ordinary request, so a TV holds no gunicorn thread open, and a restarted server (or a
dropped Wi-Fi) is simply answered by the next poll, with no reconnection protocol to get right.

A token that is malformed, unknown, replaced or revoked gets the same plain 404 as any other
path here: the answer says nothing about which it was.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.charts import style
from bot.db import reading
from bot.runtime import Runtime
from bot.services import wallboard
from bot.views import wallboard as views

log = logging.getLogger(__name__)

PREFIX = "/board/"
STATIC = "/board/static/"
StartResponse = Callable[[str, list[tuple[str, str]]], Any]

# Nothing from anywhere else: scripts, styles, fonts and the poll all come from this server.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_PRIVATE = [
    ("Cache-Control", "no-store"),
    # The token is in the URL: never hand it on to another site, nor to a search engine.
    ("Referrer-Policy", "no-referrer"),
    ("X-Robots-Tag", "noindex, nofollow"),
    ("X-Content-Type-Options", "nosniff"),
]
_NOT_FOUND = b"Not Found"
_UNAVAILABLE = b"Service Unavailable"


def is_board(path: str) -> bool:
    """A path the board answers (every one under /board/)."""
    return path.startswith(PREFIX)


def loggable_path(path: str) -> str:
    """A request path fit for the access log: a board's token is a secret, so it is cut."""
    if path.startswith(PREFIX) and not path.startswith(STATIC) and path != PREFIX:
        return PREFIX + "…"
    return path


@dataclass(frozen=True)
class Asset:
    """A file the page loads, and how long browsers may keep it."""

    content_type: str
    path: Path | None = None
    template: str | None = None


_FONT = style.CJK_FONT_FILE
ASSETS = {
    "board.js": Asset("text/javascript; charset=utf-8", path=Path("static") / "board.js"),
    "board.css": Asset("text/css; charset=utf-8", template="board.css"),
    # The charts' Noto Sans CJK subset (every CJK code point): TVs without CJK fonts still
    # show Chinese, Japanese and Korean names; browsers fetch it only for those characters.
    "cjk.otf": Asset("font/otf", path=_FONT),
}


def palette() -> dict[str, str]:
    """The charts' colour-blind-safe (Okabe–Ito) colours, by name, for the stylesheet."""
    names = ("BLACK", "ORANGE", "SKY_BLUE", "GREEN", "BLUE", "VERMILLION", "GREY", "GRID", "CARD")
    return {name.lower(): str(getattr(style, name)) for name in names}


class Boards:
    """The WSGI app for every path under /board/."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._templates = Environment(
            loader=PackageLoader("bot.web", "templates"),
            # Every value is escaped, in every template (names and customers are typed by people).
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @cached_property
    def _stylesheet(self) -> bytes:
        return self._templates.get_template("board.css").render(colours=palette()).encode()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The answer to one request; a failure (the database restarting) is one log line
        without the token and a plain 503, which the page's next poll simply retries."""
        try:
            return self._serve(environ, start_response)
        except Exception as error:  # the board answers every failure alike
            # No traceback and no exception text: either may carry the path, and its token.
            log.error(
                "The board could not answer %s %s: %s",
                environ.get("REQUEST_METHOD"),
                loggable_path(str(environ.get("PATH_INFO", ""))),
                type(error).__name__,
            )
            return _unavailable(start_response)

    def _serve(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return _not_found(start_response)
        if path.startswith(STATIC):
            return self._asset(environ, path[len(STATIC) :], start_response)
        token, _slash, rest = path[len(PREFIX) :].partition("/")
        if rest not in ("", "state"):
            return _not_found(start_response)
        context = self._context(token)
        if context is None:
            return _not_found(start_response)
        fragment = self._templates.get_template("_board.html").render(b=context)
        if rest == "state":
            body = json.dumps({"board": context, "html": fragment}, ensure_ascii=False).encode()
            return _answer(start_response, "application/json", body, _PRIVATE, method)
        theme = "light" if _query(environ, "theme") == "light" else "dark"
        page = self._templates.get_template("board.html").render(
            b=context, fragment=fragment, theme=theme
        )
        headers = [*_PRIVATE, ("Content-Security-Policy", _CSP)]
        return _answer(start_response, "text/html; charset=utf-8", page.encode(), headers, method)

    def _context(self, token: str) -> dict[str, Any] | None:
        """The board of the token's team, read in one short read-only transaction."""
        now = self._runtime.clock.now()
        with reading(self._runtime.sessions) as session:
            team = wallboard.team_of_token(session, token)
            if team is None:
                return None
            state = wallboard.state(session, team, now=now)
        return views.board(state)

    def _asset(
        self, environ: dict[str, Any], name: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        asset = ASSETS.get(name)
        if asset is None:
            return _not_found(start_response)
        cache = [("Cache-Control", "public, max-age=86400"), ("X-Content-Type-Options", "nosniff")]
        method = str(environ.get("REQUEST_METHOD"))
        if asset.template is not None:
            return _answer(start_response, asset.content_type, self._stylesheet, cache, method)
        assert asset.path is not None
        file = _package_file(asset.path)
        size = file.stat().st_size
        start_response(
            "200 OK",
            [("Content-Type", asset.content_type), ("Content-Length", str(size)), *cache],
        )
        if method == "HEAD":
            return [b""]
        handle = file.open("rb")
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None:
            return wrapper(handle, 64 * 1024)  # type: ignore[no-any-return]
        return _chunks(handle)


def _package_file(path: Path) -> Path:
    if path.is_absolute():
        return path
    return Path(str(resources.files("bot.web").joinpath(str(path))))


def _chunks(handle: Any) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(64 * 1024):
            yield chunk


def _query(environ: dict[str, Any], name: str) -> str:
    values = parse_qs(str(environ.get("QUERY_STRING", "")), max_num_fields=10)
    return values.get(name, [""])[0]


def _answer(
    start_response: StartResponse,
    content_type: str,
    body: bytes,
    headers: list[tuple[str, str]],
    method: str | None,
) -> Iterable[bytes]:
    start_response(
        "200 OK",
        [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers],
    )
    return [b""] if method == "HEAD" else [body]


def _not_found(start_response: StartResponse) -> Iterable[bytes]:
    """The one answer for anything that is not a board: it names no reason."""
    start_response(
        "404 Not Found",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(_NOT_FOUND))),
            *_PRIVATE,
        ],
    )
    return [_NOT_FOUND]


def _unavailable(start_response: StartResponse) -> Iterable[bytes]:
    """The answer when the board cannot be read now; the page keeps its board and retries."""
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(_UNAVAILABLE))),
            ("Retry-After", "2"),
            *_PRIVATE,
        ],
    )
    return [_UNAVAILABLE]
