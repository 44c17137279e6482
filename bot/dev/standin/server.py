"""DevSlack: a local stand-in for Slack's Web API that records every call and can misbehave.

One in-process HTTP server on 127.0.0.1 answers the Web API methods Salesbot uses with
Slack-shaped responses, records every call, refuses the Block Kit Slack would refuse (see
validate.py), and can misbehave on purpose (429s, 5xx, refused connections, rate limits) so
retry paths get exercised for real. The test suite, the
``salesbot console`` REPL, the demo and the benchmarks all share it, so it favours being
faithful to what ``slack_sdk`` actually sends over being clever.

How ``slack_sdk`` (3.x, urllib-based ``WebClient``) talks to it:

* every method is a POST to ``{base_url}{method}``, even the ones the SDK calls "GET";
* the token travels in ``Authorization: Bearer ...``, never in the body;
* ``chat.postMessage``/``chat.update``/``chat.postEphemeral``/``views.*`` send a JSON body, so
  ``blocks`` arrive as objects; everything else is form-encoded, so JSON-typed arguments such
  as ``files`` (``files.completeUploadExternal``) arrive as JSON *strings*, and booleans
  arrive as ``"1"``/``"0"``;
* ``oauth.v2.access`` authenticates with HTTP Basic (client id/secret), not a token;
* ``files_upload_v2`` POSTs the raw bytes, without headers, to the ``upload_url`` it was given.

Usage::

    with DevSlack() as dev:
        dev.add_user("U1", "alice")
        client = WebClient(token="xoxb-test", base_url=dev.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert dev.last("chat.postMessage").params["text"] == "hi"
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.dev.standin.decode import (
    decode_api_request,
    flag,
    int_param,
    normalise,
    paginate,
    parse_body,
)
from bot.dev.standin.faults import Faults
from bot.dev.standin.records import (
    DEFAULT_APP_ID,
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_SCOPES,
    DEFAULT_TEAM_DOMAIN,
    DEFAULT_TEAM_ID,
    DEFAULT_TEAM_NAME,
    Call,
    Channel,
    File,
    ResponseContext,
    SlackError,
    User,
)
from bot.dev.standin.render import Transcriber
from bot.dev.standin.transport import Reply, Request, Server
from bot.dev.standin.validate import check_message, check_view

log = logging.getLogger(__name__)

# Methods that authenticate some other way than a bearer token.
_NO_TOKEN_METHODS = frozenset({"oauth.v2.access"})
# Slack's default page size for conversations.members; users.list returns everyone by default.
_MEMBERS_PAGE = 100
# serve_forever() only notices shutdown() between polls; keep stop()/pause() snappy.
_POLL_INTERVAL = 0.01

# --------------------------------------------------------------------------- the server


class DevSlack:
    """A fake Slack Web API on 127.0.0.1 that records calls and answers like Slack.

    Start it (``start()`` or ``with DevSlack() as dev``), point a ``WebClient`` at
    :attr:`api_url`, then inspect :meth:`calls`, :meth:`wait_for` or :meth:`transcript`.
    All public methods are thread-safe.
    """

    def __init__(
        self,
        *,
        team_id: str = DEFAULT_TEAM_ID,
        team_name: str = DEFAULT_TEAM_NAME,
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        app_id: str = DEFAULT_APP_ID,
        installer_user_id: str = "U1",
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.installer_user_id = installer_user_id

        # One condition guards all state below; wait_for() sleeps on it.
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._dms: dict[str, str] = {}  # D-channel id -> user id
        self._views: dict[str, dict[str, Any]] = {}
        self._files: dict[str, File] = {}
        # Where a file's url_private redirects (a test of who follows a redirect where).
        self._download_redirect: str | None = None
        self._response_urls: dict[str, ResponseContext] = {}
        self._faults = Faults()  # its own lock: fault set-up never waits on a request
        self._last_ts_us = 0
        self._ids = itertools.count(1)

        self._port = 0  # 0 until first start; then kept so pause()/resume() reuse it
        self._httpd: Server | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

        self._handlers: dict[str, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.members": self._conversations_members,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
            "oauth.v2.access": self._oauth_v2_access,
            "reactions.add": self._reactions_add,
        }

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind 127.0.0.1 (an OS-chosen port the first time) and serve from a daemon thread."""
        with self._lifecycle:
            if self._httpd is not None:
                raise RuntimeError("DevSlack is already running")
            self._listen()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket. Idempotent; start() again reuses the port."""
        with self._lifecycle:
            self._close()

    def pause(self) -> None:
        """Close the listening socket so new connections are refused (port is kept)."""
        with self._lifecycle:
            if self._httpd is None:
                raise RuntimeError("DevSlack is not running")
            self._close()

    def resume(self) -> None:
        """Listen again on the same port after pause(), so api_url stays valid."""
        with self._lifecycle:
            if self._httpd is not None:
                raise RuntimeError("DevSlack is already running")
            if not self._port:
                raise RuntimeError("DevSlack was never started")
            self._listen()

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """Refuse connections inside the block, like Slack being unreachable."""
        self.pause()
        try:
            yield
        finally:
            self.resume()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _listen(self) -> None:
        # Re-binding the same port right after close works because HTTPServer sets
        # SO_REUSEADDR; the small window in which another process could grab it is accepted.
        httpd = Server(("127.0.0.1", self._port), self._route)
        self._port = int(httpd.server_address[1])
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"devslack-{self._port}",
            daemon=True,
        )
        thread.start()
        self._httpd, self._thread = httpd, thread

    def _close(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd, self._thread = None, None

    @property
    def running(self) -> bool:
        """True while the socket is listening (False when stopped or paused)."""
        return self._httpd is not None

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("DevSlack has not been started")
        return self._port

    @property
    def url(self) -> str:
        """Server root, with a trailing slash: ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``; slack_sdk appends the method name."""
        return f"{self.url}api/"

    # ----------------------------------------------------------------- directory

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        locale: str = "en-US",
        team_id: str = DEFAULT_TEAM_ID,
        email: str | None = None,
    ) -> None:
        """Add (or replace) a workspace member served by users.info / users.list."""
        user = User(
            user_id=user_id,
            name=name,
            real_name=real_name if real_name is not None else name.title(),
            tz=tz,
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            deleted=deleted,
            locale=locale,
            team_id=team_id,
            email=email if email is not None else f"{name}@example.com",
        )
        with self._cond:
            self._users[user_id] = user

    def add_channel(self, channel_id: str, name: str, members: list[str]) -> None:
        """Add (or replace) a channel served by conversations.info / conversations.members."""
        with self._cond:
            self._channels[channel_id] = Channel(name=name, members=list(members))

    def set_members(self, channel_id: str, members: list[str]) -> None:
        """Replace a channel's members, creating the channel if it is new."""
        with self._cond:
            channel = self._channels.setdefault(channel_id, Channel(channel_id.lower(), []))
            channel.members = list(members)

    # ----------------------------------------------------------------- recorded calls

    def add_file(self, filename: str, data: bytes, *, user: str) -> str:
        """A file a user shared (served by files.info and its url_private); its id."""
        with self._cond:
            file_id = self._next_id("F")
            self._files[file_id] = File(filename=filename, length=len(data), data=data, user=user)
        return file_id

    def redirect_downloads(self, location: str | None) -> None:
        """Answer every file download with 302 to `location` (None: serve the bytes again)."""
        with self._cond:
            self._download_redirect = location

    def calls(self, method: str | None = None, *, include_faults: bool = False) -> list[Call]:
        """Recorded calls in order, optionally for one method; faulted ones only on request."""
        with self._cond:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method) and (include_faults or not c.faulted)
            ]

    def last(self, method: str | None = None) -> Call:
        """The most recent (non-faulted) call, optionally of one method."""
        with self._cond:
            found = self.calls(method)
            if not found:
                raise AssertionError(f"no {method or 'API'} call recorded\n{self._listing()}")
            return found[-1]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        count: int = 1,
        *,
        include_faults: bool = False,
    ) -> list[Call]:
        """Block until ``count`` matching calls exist; return all matching calls so far
        (faulted ones only on request).

        Bots answer Slack asynchronously (bolt acks first, works later), so tests wait rather
        than sleep. Raises AssertionError listing every recorded call on timeout.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [
                    c
                    for c in self._calls
                    if c.method == method
                    and (include_faults or not c.faulted)
                    and (predicate is None or predicate(c))
                ]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    what = f"{count} {method} call(s)" + (" matching" if predicate else "")
                    raise AssertionError(
                        f"timed out after {timeout:g}s waiting for {what}; "
                        f"got {len(matching)}\n{self._listing()}"
                    )
                self._cond.wait(remaining)

    def clear(self) -> None:
        """Forget recorded calls and uploaded bytes (directory, faults and limits stay)."""
        with self._cond:
            self._calls.clear()
            for file in self._files.values():
                file.data = None

    def uploads(self) -> dict[str, bytes]:
        """Bytes POSTed to upload URLs, by file id."""
        with self._cond:
            return {
                fid: f.data for fid, f in self._files.items() if f.data is not None and not f.user
            }

    def _listing(self, limit: int = 50) -> str:
        with self._cond:
            calls = self._calls[-limit:]
            skipped = len(self._calls) - len(calls)
        if not calls:
            return "recorded calls: none"
        lines = [f"recorded calls ({len(calls) + skipped}):"]
        if skipped:
            lines.append(f"  ... {skipped} earlier call(s) omitted")
        for call in calls:
            params = json.dumps(call.params, default=str)
            if len(params) > 160:
                params = params[:157] + "..."
            flag = " [faulted]" if call.faulted else ""
            lines.append(f"  {call.method}{flag}{_refusal(call)} {params}")
        return "\n".join(lines)

    # ----------------------------------------------------------------- faults and limits

    def inject(
        self,
        method: str = "*",
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` ("*" = any) with HTTP ``status``.

        429 carries ``Retry-After: retry_after`` (omitted when None); other statuses carry
        Slack's error body. Faulted calls are recorded with ``faulted=True``. ``method`` may
        also be ``"response_url"`` or ``"files.download"`` (a file's url_private; "*" covers both);
        upload_url POSTs are never faulted.
        """
        self._faults.inject(method, status=status, times=times, retry_after=retry_after)

    def slow(self, method: str = "*", *, seconds: float, times: int = 1) -> None:
        """Make the next ``times`` calls to ``method`` hang for ``seconds``, then fail with 504
        (as a gateway timeout does): a client with a shorter timeout sees a timeout, and the
        call has no effect. Recorded with ``faulted=True``."""
        self._faults.slow(method, seconds=seconds, times=times)

    def late(self, method: str = "*", *, seconds: float, times: int = 1) -> None:
        """Carry out the next ``times`` calls to ``method`` (recorded, with effect), then hold
        the answer for ``seconds``: a client with a shorter timeout never hears that it worked,
        as when Slack accepts a post and its answer is lost."""
        self._faults.late(method, seconds=seconds, times=times)

    def rate_limit(
        self, method: str, per_second: float, burst: int, per_key: str | None = None
    ) -> None:
        """Emulate Slack's rate limits: a token bucket per value of param ``per_key``.

        Calls beyond the budget get 429 with Retry-After and are recorded as faulted.
        Calling again for the same method replaces its limit.
        """
        self._faults.rate_limit(method, per_second, burst, per_key)

    def clear_faults(self) -> None:
        """Drop pending injected faults and all rate limits."""
        self._faults.clear()

    def _fault_reply(self, method: str, params: dict[str, Any], token: str | None) -> Reply | None:
        """If an injected fault or the rate limiter claims this call: record it, and the reply."""
        failure = self._faults.take(method, params)
        if failure is None:
            return None
        self._record(method, params, token, failure.body, faulted=True)
        return Reply.json(failure.body, failure.status, failure.headers)

    # ----------------------------------------------------------------- response_url

    def response_url(
        self, tag: str = "", *, user_id: str | None = None, channel_id: str | None = None
    ) -> str:
        """A fresh response_url on this server; POSTs to it are recorded as "response_url".

        ``user_id``/``channel_id`` only tell the transcript who would see the reply.
        """
        with self._cond:
            path = f"response/{next(self._ids)}"
            if tag:
                path += "/" + quote(tag, safe="")
            url = self.url + path
            self._response_urls[url] = ResponseContext(tag, user_id, channel_id)
        return url

    # ----------------------------------------------------------------- routing

    def _route(self, request: Request) -> Reply:
        head, _, rest = request.path.lstrip("/").partition("/")
        if head == "api" and rest and "/" not in rest:
            return self._serve_api(rest, request)
        if head == "upload" and rest:
            return self._serve_upload(rest, request)
        if head == "files" and rest:
            return self._serve_download(rest.partition("/")[0], request)
        if head == "response" and rest:
            return self._serve_response_url(request)
        return Reply.json({"ok": False, "error": "not_found"}, 404)

    def _serve_api(self, method: str, request: Request) -> Reply:
        params, token, error = decode_api_request(request)
        pause = self._faults.take_hang(method)
        if pause:
            time.sleep(pause)
            self._record(method, dict(params), token, {}, faulted=True)
            return Reply.json({"ok": False, "error": "gateway_timeout"}, 504)
        with self._cond:
            fault = self._fault_reply(method, params, token)
            if fault is not None:
                return fault
            try:
                if error is not None:
                    raise SlackError(error)
                body = {"ok": True, **self._dispatch(method, params, token)}
            except SlackError as exc:
                # Slack reports API-level errors with HTTP 200 and ok=false.
                body = exc.body()
                if exc.reason:  # a refused payload: say why where a failing test shows it
                    log.warning("devslack.refused method=%s %s", method, exc)
            self._record(method, params, token, body)
        delay = self._faults.take_late(method)
        if delay:
            time.sleep(delay)
        return Reply.json(body)

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        handler = self._handlers.get(method)
        if handler is None:
            raise SlackError("unknown_method")
        if token is None and method not in _NO_TOKEN_METHODS:
            raise SlackError("not_authed")
        return handler(params, token)

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        token: str | None,
        response: dict[str, Any],
        *,
        faulted: bool = False,
    ) -> None:
        call = Call(method, params, token, time.time(), faulted=faulted, response=response)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _serve_upload(self, file_id: str, request: Request) -> Reply:
        """The upload_url leg of files_upload_v2: raw bytes in, "OK - <size>" out."""
        with self._cond:
            file = self._files.get(file_id)
            if file is None:
                return Reply.text("not found", 404)
            file.data = request.body
        return Reply.text(f"OK - {len(request.body)}")

    def _serve_download(self, file_id: str, request: Request) -> Reply:
        """A file's url_private: its bytes, to a request carrying a bot token only (as Slack
        answers a download without one with its login page)."""
        authorization = request.headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or None
        with self._cond:
            # Faults injected for "files.download" answer here as they do for API methods.
            fault = self._fault_reply("files.download", {"file": file_id}, token)
            if fault is not None:
                return fault
            file = self._files.get(file_id)
            self._record("files.download", {"file": file_id}, token, {"ok": bool(token)})
            if file is None or file.data is None:
                return Reply.text("not found", 404)
            if token is None:
                return Reply.text("login required", 302)
            if self._download_redirect is not None:
                return Reply(302, b"", headers={"Location": self._download_redirect})
            return Reply(200, file.data, content_type="application/octet-stream")

    def _serve_response_url(self, request: Request) -> Reply:
        url = self.url + request.path.lstrip("/")
        try:
            params = normalise(parse_body(request.headers.get("content-type", ""), request.body))
        except SlackError as exc:
            return Reply.json({"ok": False, "error": exc.error}, 400)
        params["url"] = url
        with self._cond:
            fault = self._fault_reply("response_url", params, None)
            if fault is not None:
                return fault
            try:
                check_message(params)
            except SlackError as exc:
                log.warning("devslack.refused method=response_url %s", exc)
                self._record("response_url", params, None, exc.body())
                # response_urls answer like incoming webhooks: HTTP 400 for a bad payload.
                return Reply.json(exc.body(), 400)
            self._record("response_url", params, None, {"ok": True})
        return Reply.json({"ok": True})

    # ----------------------------------------------------------------- id and ts helpers

    def _next_ts(self) -> str:
        """A message ts from the wall clock, strictly increasing even within a microsecond."""
        now_us = time.time_ns() // 1000
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    def _resolve_channel(self, value: Any) -> str:
        """Channel id for a post: user ids become their DM, ``#name`` is looked up."""
        channel = str(value or "")
        if not channel:
            raise SlackError("channel_not_found")
        if channel.startswith("#"):
            for channel_id, info in self._channels.items():
                if info.name == channel[1:]:
                    return channel_id
            raise SlackError("channel_not_found")
        if channel[0] in "UW":
            return self._open_dm(channel)
        return channel

    def _open_dm(self, user_id: str) -> str:
        user = self._users.get(user_id)
        if user is not None and user.deleted:
            raise SlackError("user_disabled")
        channel_id = f"D{user_id}"
        self._dms[channel_id] = user_id
        return channel_id

    def _message(self, params: Mapping[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key):
                message[key] = params[key]
        return message

    # ----------------------------------------------------------------- Web API methods

    def _auth_test(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {
            "url": f"https://{DEFAULT_TEAM_DOMAIN}.slack.com/",
            "team": self.team_name,
            "user": "salesbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        if not any(params.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")
        check_message(params)
        ts = self._next_ts()
        return {"channel": channel, "ts": ts, "message": self._message(params, ts)}

    def _chat_post_ephemeral(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        self._resolve_channel(params.get("channel"))
        if not params.get("user"):
            raise SlackError("user_not_found")
        if not any(params.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")
        check_message(params)
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        ts = str(params.get("ts") or "")
        if not ts:
            raise SlackError("message_not_found")
        check_message(params)
        return {
            "channel": channel,
            "ts": ts,
            "text": params.get("text", ""),
            "message": self._message(params, ts),
        }

    def _chat_delete(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        ts = str(params.get("ts") or "")
        if not ts:
            raise SlackError("message_not_found")
        return {"channel": channel, "ts": ts}

    def _reactions_add(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        self._resolve_channel(params.get("channel"))
        if not params.get("name"):
            raise SlackError("invalid_name")
        if not params.get("timestamp"):
            raise SlackError("message_not_found")
        return {}

    def _conversations_open(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if params.get("channel"):
            return {"no_op": True, "already_open": True, "channel": {"id": params["channel"]}}
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:  # a group DM; Slack's ids start with G for these
            return {"channel": {"id": "G" + "".join(sorted(users))}}
        already = f"D{users[0]}" in self._dms
        channel_id = self._open_dm(users[0])
        return {"no_op": already, "already_open": already, "channel": {"id": channel_id}}

    def _conversations_members(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        members = self._channel_members(str(params.get("channel") or ""))
        page, next_cursor = paginate(members, params, _MEMBERS_PAGE)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _channel_members(self, channel_id: str) -> list[str]:
        if channel_id in self._channels:
            return list(self._channels[channel_id].members)
        if channel_id in self._dms:
            return [self._dms[channel_id], self.bot_user_id]
        raise SlackError("channel_not_found")

    def _posted(self, channel_id: str, *, with_metadata: bool) -> list[dict[str, Any]]:
        """Messages posted to a channel so far, oldest first (metadata only on request)."""
        messages = []
        for call in self._calls:
            response = call.response
            if call.method != "chat.postMessage" or call.faulted or not response.get("ok"):
                continue
            if response.get("channel") != channel_id:
                continue
            message = dict(response["message"])
            if not with_metadata:
                message.pop("metadata", None)
            messages.append(message)
        return messages

    def _conversations_history(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel_id = self._known_conversation(params)
        posted = self._posted(channel_id, with_metadata=_flag(params.get("include_all_metadata")))
        top = [m for m in posted if "thread_ts" not in m]
        limit = int(params.get("limit") or 100)
        return {"messages": list(reversed(top))[:limit], "has_more": len(top) > limit}

    def _conversations_replies(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel_id = self._known_conversation(params)
        ts = str(params.get("ts") or "")
        posted = self._posted(channel_id, with_metadata=_flag(params.get("include_all_metadata")))
        thread = [m for m in posted if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            raise SlackError("thread_not_found")
        return {"messages": thread, "has_more": False}

    def _known_conversation(self, params: dict[str, Any]) -> str:
        channel_id = str(params.get("channel") or "")
        if channel_id not in self._channels and channel_id not in self._dms:
            raise SlackError("channel_not_found")
        return channel_id

    def _conversations_info(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel_id = str(params.get("channel") or "")
        if channel_id in self._dms:
            channel: dict[str, Any] = {
                "id": channel_id,
                "is_im": True,
                "user": self._dms[channel_id],
                "is_user_deleted": False,
                "created": 1700000000,
            }
            return {"channel": channel}
        info = self._channels.get(channel_id)
        if info is None:
            raise SlackError("channel_not_found")
        channel = {
            "id": channel_id,
            "name": info.name,
            "name_normalized": info.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": False,
            "is_archived": False,
            "is_general": info.name == "general",
            "is_member": self.bot_user_id in info.members,
            "created": 1700000000,
            "creator": self.installer_user_id,
            "num_members": len(info.members),
        }
        return {"channel": channel}

    def _users_info(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        user = self._users.get(str(params.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": _user_json(user, include_locale=flag(params.get("include_locale")))}

    def _users_lookup_by_email(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        email = str(params.get("email") or "").casefold()
        for user in self._users.values():
            if user.email.casefold() == email and email:
                return {"user": _user_json(user, include_locale=False)}
        raise SlackError("users_not_found")

    def _users_list(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        include_locale = flag(params.get("include_locale"))
        page, next_cursor = paginate(list(self._users.values()), params, 0)
        return {
            "members": [_user_json(u, include_locale=include_locale) for u in page],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _views_open(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            raise SlackError("invalid_arguments")
        return {"view": self._store_view(params)}

    def _views_push(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self._views_open(params, token)

    def _views_update(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        view_id = str(params.get("view_id") or "")
        external_id = params.get("external_id")
        if not view_id and external_id:
            matches = [
                v for v, view in self._views.items() if view.get("external_id") == external_id
            ]
            if not matches:
                raise SlackError("not_found")
            view_id = matches[-1]
        if not view_id:
            raise SlackError("invalid_arguments")
        # Lenient on unknown ids: tests often hand-craft view_submission payloads.
        return {"view": self._store_view(params, view_id=view_id)}

    def _views_publish(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not params.get("user_id"):
            raise SlackError("invalid_arguments")
        return {"view": self._store_view(params)}

    def _store_view(self, params: Mapping[str, Any], view_id: str | None = None) -> dict[str, Any]:
        """Echo the submitted view with the fields Slack adds (id, hash, state, ...)."""
        submitted = params.get("view")
        if not isinstance(submitted, Mapping):
            raise SlackError("invalid_arguments")
        check_view(submitted)
        view_id = view_id or self._next_id("V")
        previous = self._views.get(view_id, {})
        view: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": previous.get("root_view_id", view_id),
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
            **submitted,
        }
        view["id"] = view_id
        view["hash"] = f"{int(time.time())}.{view_id}"
        self._views[view_id] = view
        return view

    def _files_get_upload_url(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        filename = str(params.get("filename") or "")
        length = int_param(params, "length", -1, "invalid_arguments")
        if not filename or length < 0:
            raise SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self._files[file_id] = File(filename=filename, length=length)
        return {"upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        completed = []
        for entry in files:
            file = self._files.get(str(entry.get("id"))) if isinstance(entry, Mapping) else None
            if file is None or not isinstance(entry, Mapping):
                raise SlackError("file_not_found")
            completed.append(
                {
                    "id": entry["id"],
                    "title": entry.get("title") or file.filename,
                    "name": file.filename,
                    "size": len(file.data or b""),
                }
            )
        return {"files": completed}

    def _files_info(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        file_id = str(params.get("file") or "")
        file = self._files.get(file_id)
        if file is None:
            raise SlackError("file_not_found")
        url = f"{self.url}files/{file_id}/{file.filename}"
        return {
            "file": {
                "id": file_id,
                "name": file.filename,
                "title": file.filename,
                "size": len(file.data or b""),
                "user": file.user,
                "url_private": url,
                "url_private_download": f"{url}?download=1",
            }
        }

    def _oauth_v2_access(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        refreshing = params.get("grant_type") == "refresh_token"
        if not params.get("client_id"):
            raise SlackError("invalid_client_id")
        if not (params.get("code") or (refreshing and params.get("refresh_token"))):
            raise SlackError("invalid_code")
        return {
            "access_token": f"xoxb-{self.team_id}-{next(self._ids)}-devslack",
            "token_type": "bot",
            "scope": DEFAULT_SCOPES,
            "bot_user_id": self.bot_user_id,
            "app_id": self.app_id,
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": self.installer_user_id},
        }

    # ----------------------------------------------------------------- transcript

    def transcript(self) -> list[str]:
        """What the bot visibly did, in order, one entry per message (entries may be multi-line).

        ``#C1: text``, ``#C1 (thread ts): text``, ``DM U1: text``, ``(only U1 sees) text``,
        ``[updated #C1 ts] text``, ``[modal opened: Title]``, ``[home published for U1]``,
        ``[file uploaded: name to #C1]``. Failed and faulted calls are left out.
        """
        with self._cond:
            calls = [c for c in self._calls if not c.faulted and c.response.get("ok")]
            transcriber = Transcriber(self._dms, self._files, self._response_urls)
            return [line for line in map(transcriber.line, calls) if line is not None]


def _refusal(call: Call) -> str:
    """`` -> error (why)`` for a call answered ok=false, so listings say what Slack refused."""
    if call.faulted or call.response.get("ok", True):
        return ""
    reasons = call.response.get("errors") or []
    why = f" ({'; '.join(map(str, reasons))})" if reasons else ""
    return f" -> {call.response.get('error')}{why}"


def _user_json(user: User, *, include_locale: bool) -> dict[str, Any]:
    """A users.info / users.list member object."""
    tz_offset, tz_label = _tz_details(user.tz)
    data: dict[str, Any] = {
        "id": user.user_id,
        "team_id": user.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": tz_label,
        "tz_offset": tz_offset,
        "profile": {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.name,
            "display_name_normalized": user.name,
            "email": user.email,
            "team": user.team_id,
        },
        "is_admin": user.is_admin,
        "is_owner": user.is_owner,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": 1700000000,
    }
    if include_locale:
        data["locale"] = user.locale
    return data


def _tz_details(tz: str) -> tuple[int, str]:
    """(offset in seconds, label) for an IANA zone; unknown zones count as UTC."""
    try:
        local = datetime.now(UTC).astimezone(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return 0, tz
    offset = local.utcoffset()
    return int(offset.total_seconds()) if offset else 0, local.tzname() or tz


def _flag(value: Any) -> bool:
    """A boolean Web API argument, as a form or JSON body carries it."""
    return value is True or str(value).lower() in ("1", "true")
