"""The wallboard's pure rules: token shape, digest, time left."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.admin_command import Wallboard, parse_admin_command
from bot.domain.grammar import ParseError
from bot.domain.wallboard import TOKEN_BYTES, TimeLeft, digest, is_token, time_left


def test_every_token_made_has_the_shape_looked_up() -> None:
    for _ in range(200):
        assert is_token(secrets.token_urlsafe(TOKEN_BYTES))
    for text in ["", "static", "A" * 42, "A" * 44, "A" * 42 + "/", "A" * 42 + "=", "李" * 43]:
        assert not is_token(text)


def test_the_digest_is_sha256_of_the_token() -> None:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assert digest(token) == hashlib.sha256(token.encode()).hexdigest() != token


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(days=3, hours=5, minutes=7, seconds=59), TimeLeft(3, 5, 7)),
        (timedelta(seconds=59), TimeLeft(0, 0, 0)),
        (timedelta(seconds=-10), TimeLeft(0, 0, 0)),
    ],
)
def test_time_left_rounds_down_to_the_minute(left: timedelta, expected: TimeLeft) -> None:
    now = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    assert time_left(now, now + left) == expected


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("wallboard", "new"),
        ("大屏", "new"),
        ("board", "new"),
        ("wallboard revoke", "revoke"),
        ("大屏 撤销", "revoke"),
        ("看板 收回", "revoke"),
    ],
)
def test_wallboard_words(text: str, action: str) -> None:
    assert parse_admin_command(text) == Wallboard(action)  # type: ignore[arg-type]


def test_anything_else_after_wallboard_is_refused_with_the_form() -> None:
    refused = parse_admin_command("wallboard now please")
    assert isinstance(refused, ParseError)
    assert "`/salesbot wallboard revoke`" in refused.usage
