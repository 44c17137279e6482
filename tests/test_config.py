"""Settings: URL forms from hosting platforms, validation, and the missing-secret exit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import SettingsError, load_settings


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:///salesbot.db", "sqlite:///salesbot.db"),
    ],
)
def test_database_url_forms_work_as_given(given: str, expected: str) -> None:
    assert load_settings({"DATABASE_URL": given}).database_url == expected


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite:///salesbot.db"
    assert settings.port == 3000
    assert settings.slack_api_url == "https://slack.com/api/"


def test_api_url_gets_its_trailing_slash() -> None:
    assert load_settings({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url.endswith("/")


def test_bad_port_is_one_clear_error() -> None:
    with pytest.raises(SettingsError, match="PORT"):
        load_settings({"PORT": "eighty"})


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("serve", "SLACK_SIGNING_SECRET"),
        ("socket", "SLACK_APP_TOKEN"),
        ("clock", "SLACK_BOT_TOKEN"),
    ],
)
def test_missing_secret_exits_2_with_one_line(command: str, missing: str, tmp_path: object) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/x.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", command], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert missing in lines[0]
    assert "Traceback" not in result.stderr
