"""The outbox sender: delivers owed Slack calls after commit, off the request path, with retries."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import reading, transaction
from bot.results.calls import DM_OF
from bot.services import outbox
from models import OutboxMessage

log = logging.getLogger(__name__)

ClientFor = Callable[[str], WebClient]
# (workspace id, the stored payload) -> the payload to send.
Renderer = Callable[[str, dict[str, Any]], dict[str, Any]]
# Called in the transaction that gives a row up: what that owes (managers told) is written
# with it.
GivenUp = Callable[[Session, OutboxMessage, datetime], None]


@dataclass(frozen=True)
class Delivered:
    """How a delivery that is not a Slack call went (a CRM write or fetch, bot/sync/deliver.py):
    "sent" (done, or nothing left to do), "retry" (with backoff, or after `after` seconds when
    the other side said so), "failed" (for good) or "wait" (not yet: try after `after` seconds
    without counting an attempt)."""

    status: str
    error: str = ""
    after: float | None = None
    result: dict[str, Any] | None = None


# Delivers one outbox row whose method is not Slack's ("crm.push", "crm.pull").
Deliverer = Callable[[OutboxMessage], Delivered]
# Methods with this prefix are CRM deliveries.
CRM_METHODS = "crm."

# Slack errors that no retry will fix; anything else (rate limits, 5xx, network) is retried.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "missing_scope",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_arguments",
    }
)
BATCH = 50
KICK_SETTLE_SECONDS = 0.02
# Errors raised while waiting for Slack's answer, after the request was sent: Slack may have
# posted. (urllib raises URLError when a request could not be sent; the client retries that.)
OUTCOME_UNKNOWN = (TimeoutError, ConnectionError, HTTPException)
UNKNOWN = "outcome_unknown"
# Every message the sender posts carries its outbox id here, so a post whose answer was lost
# can be found in the conversation instead of being posted twice.
POSTED_BY = "salesbot_outbox"


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0


def call_slack(
    client: WebClient,
    method: str,
    payload: dict[str, Any],
    *,
    outbox_id: int | None = None,
    look_first: bool = False,
) -> dict[str, Any]:
    """Make one owed call; file uploads go through files_upload_v2's three steps.

    A post is marked with its outbox id; with `look_first` (an earlier attempt's outcome is
    unknown) the conversation is searched for that mark first, and a post found there is not
    made again.
    """
    if DM_OF in payload:
        payload = dict(payload)
        opened = client.conversations_open(users=payload.pop(DM_OF))
        payload["channel"] = opened["channel"]["id"]
    if method == "chat.postMessage" and outbox_id is not None:
        payload = {**payload, "metadata": posted_mark(outbox_id)}
        if look_first:
            found = find_posted(client, payload, outbox_id)
            if found is not None:
                return found
    if method == "files.upload_v2":
        # Binary content travels through the outbox's JSON as hex.
        args = _unhex(payload)
        if "file_uploads" in args:
            args["file_uploads"] = [_unhex(item) for item in args["file_uploads"]]
        response = client.files_upload_v2(**args)
    else:
        response = client.api_call(method, json=payload)
    data = response.data
    return dict(data) if isinstance(data, dict) else {}


def posted_mark(outbox_id: int) -> dict[str, Any]:
    """Slack message metadata naming the outbox row a post was made for."""
    return {"event_type": POSTED_BY, "event_payload": {"outbox_id": outbox_id}}


def find_posted(
    client: WebClient, payload: dict[str, Any], outbox_id: int
) -> dict[str, Any] | None:
    """The post made for `outbox_id`, if it is in the conversation (or the thread) it was for."""
    channel = str(payload.get("channel", ""))
    if channel[:1] in ("U", "W"):
        # Posted "to a user": their DM with the bot is the conversation to search.
        channel = client.conversations_open(users=channel)["channel"]["id"]
    if payload.get("thread_ts"):
        response = client.conversations_replies(
            channel=channel, ts=payload["thread_ts"], include_all_metadata=True, limit=200
        )
    else:
        response = client.conversations_history(
            channel=channel, include_all_metadata=True, limit=100
        )
    for message in response.get("messages") or []:
        if message.get("metadata") == posted_mark(outbox_id):
            return {"ok": True, "channel": channel, "ts": message.get("ts")}
    return None


def _unhex(item: dict[str, Any]) -> dict[str, Any]:
    args = dict(item)
    if "content_hex" in args:
        args["content"] = bytes.fromhex(args.pop("content_hex"))
    return args


def summarise(method: str, data: dict[str, Any]) -> dict[str, Any]:
    """Keep what later work needs from Slack's answer (message ts, channel, file ids)."""
    keep: dict[str, Any] = {key: data[key] for key in ("ts", "channel") if key in data}
    if "files" in data:
        keep["files"] = [{"id": f.get("id")} for f in data["files"] if isinstance(f, dict)]
    return keep


class OutboxSender:
    """Sends pending outbox rows; one pass on demand, or continuously from a thread."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        client_for: ClientFor,
        clock: Clock,
        renderers: Mapping[str, Renderer] | None = None,
    ) -> None:
        self._factory = factory
        self._client_for = client_for
        self._clock = clock
        self.renderers: dict[str, Renderer] = dict(renderers or {})
        self.given_up: GivenUp | None = None
        # CRM deliveries (bot/sync/deliver.py), set by create_app.
        self.crm: Deliverer | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pass_lock = threading.Lock()

    def deliver_due(self) -> DeliveryReport:
        """Send every message due now; each is leased first so parallel senders never share it."""
        report = DeliveryReport()
        with self._pass_lock:
            while True:
                with transaction(self._factory) as session:
                    claimed = outbox.claim_due(session, now=self._clock.now(), limit=BATCH)
                if not claimed:
                    return report
                for message in claimed:
                    self._deliver_one(message, report)
                if len(claimed) < BATCH:
                    return report

    def _deliver_one(self, message: OutboxMessage, report: DeliveryReport) -> None:
        if message.method.startswith(CRM_METHODS):
            self._deliver_elsewhere(message, report)
            return
        payload = message.payload
        try:
            if outbox.refers(payload):
                with reading(self._factory) as session:
                    payload = outbox.resolve(session, payload)
        except outbox.NotYet:
            with transaction(self._factory) as session:
                outbox.defer(session, message.id, now=self._clock.now())
            report.waiting += 1
            return
        if outbox.RENDER in payload:
            try:
                payload = self._render(message.workspace_id, payload)
            except Exception as error:
                log.exception("outbox.render_failed id=%s", message.id)
                self._record_failure(message, f"render: {type(error).__name__}", permanent=False)
                report.retried += 1
                return
        if message.method == "chat.update" and "ts" not in payload:
            # The message to update was never posted: nothing to update.
            self._record_failure(message, "nothing to update", permanent=True)
            report.failed += 1
            return
        look_first = (message.last_error or "").startswith(UNKNOWN)
        try:
            client = self._client_for(message.workspace_id)
            data = call_slack(
                client, message.method, payload, outbox_id=message.id, look_first=look_first
            )
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response else ""
            self._record_failure(message, f"slack:{code or error}", code in PERMANENT_ERRORS)
            report.failed += code in PERMANENT_ERRORS
            report.retried += code not in PERMANENT_ERRORS
            return
        except OUTCOME_UNKNOWN as error:
            # Slack may have done it: the next attempt looks before it posts again.
            self._record_failure(message, f"{UNKNOWN}: {type(error).__name__}", permanent=False)
            report.retried += 1
            return
        except Exception as error:
            self._record_failure(message, f"{type(error).__name__}: {error}", permanent=False)
            report.retried += 1
            return
        with transaction(self._factory) as session:
            outbox.mark_sent(
                session, message.id, now=self._clock.now(), result=summarise(message.method, data)
            )
        report.sent += 1
        log.info("outbox.sent id=%s method=%s", message.id, message.method)

    def _deliver_elsewhere(self, message: OutboxMessage, report: DeliveryReport) -> None:
        """A CRM delivery: the deliverer does the work; the row is settled here, as a Slack
        call's is (sent once, retried with backoff, given up, or waiting)."""
        if self.crm is None:
            self._record_failure(message, "no CRM deliverer in this sender", permanent=False)
            report.retried += 1
            return
        try:
            outcome = self.crm(message)
        except Exception as error:
            log.exception("outbox.crm_failed id=%s method=%s", message.id, message.method)
            outcome = Delivered("retry", f"{type(error).__name__}")
        now = self._clock.now()
        if outcome.status == "sent":
            with transaction(self._factory) as session:
                outbox.mark_sent(session, message.id, now=now, result=outcome.result or {})
            report.sent += 1
            log.info("outbox.sent id=%s method=%s", message.id, message.method)
        elif outcome.status == "wait":
            with transaction(self._factory) as session:
                outbox.defer(
                    session,
                    message.id,
                    now=now,
                    wait=timedelta(seconds=outcome.after) if outcome.after is not None else None,
                )
            report.waiting += 1
        else:
            permanent = outcome.status == "failed"
            self._record_failure(message, outcome.error, permanent, retry_after=outcome.after)
            report.failed += permanent
            report.retried += not permanent

    def _render(self, workspace_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        args = dict(payload)
        name = args.pop(outbox.RENDER)
        renderer = self.renderers.get(name)
        if renderer is None:
            raise LookupError(f"no renderer {name!r} in this sender")
        return renderer(workspace_id, args)

    def _record_failure(
        self,
        message: OutboxMessage,
        error: str,
        permanent: bool,
        *,
        retry_after: float | None = None,
    ) -> None:
        log.warning(
            "outbox.%s id=%s method=%s error=%s",
            "gave_up" if permanent else "retry",
            message.id,
            message.method,
            error,
        )
        with transaction(self._factory) as session:
            outbox.mark_failed(
                session,
                message.id,
                now=self._clock.now(),
                error=error,
                permanent=permanent,
                retry_after=None if retry_after is None else timedelta(seconds=retry_after),
            )
            row = session.get(OutboxMessage, message.id)
            if permanent and self.given_up is not None and row is not None:
                self.given_up(session, row, self._clock.now())
        if permanent:
            self.kick()

    def kick(self) -> None:
        """Ask the background thread for a pass now (after a commit that owes Slack something)."""
        self._wake.set()

    def start(self, interval: float = 5.0) -> None:
        """Deliver in a daemon thread: on every kick, and every `interval` seconds for retries."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._loop, args=(interval,), name="outbox-sender", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self, interval: float) -> None:
        while not self._stop.is_set():
            if self._wake.wait(timeout=interval):
                # The commit that kicked us is answered in its ack just after: let the ack go
                # out first (on SQLite, our claim would queue it behind the write lock), and
                # take a burst of commits in one pass.
                self._stop.wait(KICK_SETTLE_SECONDS)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.deliver_due()
            except Exception:
                log.exception("outbox.pass_failed")
