"""The guard in front of bolt: nothing is parsed before it is verified, a replay is refused, a
body too big is never read whole, and ids that are not Slack's never reach a row."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.standin import DevSlack, slash_command_body
from bot.slack.guard import MAX_BODY_BYTES
from models import Deal, Member, Workspace
from tests.conftest import SIGNING_SECRET
from tests.e2e.conftest import Say


def post(
    server_url: str,
    body: bytes,
    *,
    content_type: str = "application/x-www-form-urlencoded",
    timestamp: str | None = None,
    signed: bool = True,
    length: int | None = None,
) -> tuple[int, bytes]:
    """POST raw bytes to /slack/events, signed over those exact bytes."""
    stamp = timestamp if timestamp is not None else str(int(time.time()))
    headers = {"Content-Type": content_type, "Content-Length": str(length or len(body))}
    if signed:
        base = b"v0:" + stamp.encode() + b":" + body
        digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
        headers |= {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
    where = urlsplit(server_url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def command(text: str, **ids: str) -> bytes:
    fields = {"team_id": "T1", "user_id": "U2", "channel_id": "C1", **ids}
    body = slash_command_body(
        "/deal",
        text,
        user_id=fields["user_id"],
        team_id=fields["team_id"],
        channel_id=fields["channel_id"],
        response_url="",
    )
    return body.encode()


def counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count(Workspace.id))) or 0,
            session.scalar(select(func.count(Member.id))) or 0,
            session.scalar(select(func.count(Deal.id))) or 0,
        )


@pytest.mark.usefixtures("team")
def test_a_replayed_command_is_refused_and_runs_once(
    server_url: str, sessions: sessionmaker[Session]
) -> None:
    """The testers' finding: the same signed /deal add posted three times made three deals."""
    body = command("add Replayco 12k")
    stamp = str(int(time.time()))
    answers = [post(server_url, body, timestamp=stamp) for _ in range(3)]
    assert [status for status, _body in answers] == [200, 409, 409]
    assert b"Added" in answers[0][1]
    with sessions() as session:
        assert session.scalars(select(Deal.customer)).all() == ["Replayco"]


@pytest.mark.usefixtures("team")
def test_the_same_command_typed_twice_is_two_requests(say: Say) -> None:
    """Slack gives every invocation its own trigger id: nothing legitimate looks like a replay."""
    first, second = say("/deal", "pipeline"), say("/deal", "pipeline")
    assert (first.status, second.status) == (200, 200)
    assert first.text == second.text and "Team pipeline" in first.text


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"text=\xff\xfe&team_id=T1", "application/x-www-form-urlencoded", "not_utf8"),
        (
            urlencode({"payload": "{not json"}).encode(),
            "application/x-www-form-urlencoded",
            "invalid_json",
        ),
        (
            urlencode({"payload": "[1, 2]"}).encode(),
            "application/x-www-form-urlencoded",
            "invalid_json",
        ),
        (b'{"type": "event_callback", ', "application/json", "invalid_json"),
        (b'{"type": "event_callback", "team_id": "T1"}', "application/json", "malformed_event"),
    ],
)
def test_a_signed_malformed_body_is_a_400_never_a_500(
    server_url: str,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    reason: str,
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.slack.guard"):
        status, answer = post(server_url, body, content_type=content_type)
    assert (status, json.loads(answer)) == (400, {"ok": False, "error": reason})
    assert f"request.refused reason={reason} status=400 size={len(body)}" in caplog.text
    assert counts(sessions) == (0, 0, 0)


@pytest.mark.parametrize(
    ("stamp", "signed", "reason"),
    [
        ("", False, "unsigned"),
        ("soon", True, "malformed_timestamp"),
        ("1e9", True, "malformed_timestamp"),
        (-6 * 60, True, "stale_timestamp"),
        (6 * 60, True, "stale_timestamp"),
    ],
)
def test_unsigned_stale_or_oddly_stamped_requests_are_401(
    server_url: str, stamp: str | int, signed: bool, reason: str
) -> None:
    """Before, a non-numeric timestamp got a 200 apology. (A number is seconds from now,
    taken when the test runs, not when it is collected.)"""
    timestamp = str(int(time.time()) + stamp) if isinstance(stamp, int) else stamp
    status, answer = post(server_url, b"\xff not even utf-8", timestamp=timestamp, signed=signed)
    assert (status, json.loads(answer)["error"]) == (401, reason)


def test_a_huge_body_is_refused_unread_and_not_logged(
    server_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Before, a 50 MB unsigned body was answered 401 and written whole into the log. The
    guard answers from the declared length, before a byte of the body is read: the client
    here sends none of it, and still hears 413 at once."""
    where = urlsplit(server_url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    declared = 50 * 1024 * 1024
    with caplog.at_level(logging.DEBUG):
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(declared))
        connection.endheaders()
        response = connection.getresponse()
        status, answer = response.status, response.read()
    connection.close()
    assert (status, json.loads(answer)["error"]) == (413, "too_large")
    assert f"reason=too_large status=413 size={declared}" in caplog.text


def test_a_body_just_over_the_limit_is_refused(server_url: str) -> None:
    status, answer = post(server_url, b"", length=MAX_BODY_BYTES + 1, signed=False)
    assert (status, json.loads(answer)["error"]) == (413, "too_large")


@pytest.mark.parametrize(
    "ids",
    [
        {"team_id": ""},
        {"user_id": ""},
        {"user_id": "U" + "1" * 5000},
        {"team_id": "T1\x00"},
        {"channel_id": "general"},
        {"user_id": "u2"},
    ],
)
def test_ids_not_shaped_as_slacks_write_nothing(
    server_url: str, sessions: sessionmaker[Session], slack: DevSlack, ids: dict[str, str]
) -> None:
    status, answer = post(server_url, command("add Ghost 1k", **ids))
    assert status == 400 and json.loads(answer)["error"].startswith("malformed_")
    assert counts(sessions) == (0, 0, 0)


@pytest.mark.usefixtures("team")
def test_the_word_payload_in_a_command_is_just_text(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    """bolt took any form body containing "payload" for an interaction: a 404 for the user."""
    reply = say("/deal", "add payload 5k")
    assert reply.status == 200 and "Added" in reply.text
    with sessions() as session:
        assert session.scalars(select(Deal.customer)).all() == ["payload"]
