"""`salesbot crm` on the command line: connect a team (credentials from standard input, never
from the arguments), see every connection, rotate the key, disconnect."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.config import Settings
from bot.crm.secrets import Vault, new_key
from bot.dev.hubspot import DEFAULT_SECRET, DEFAULT_TOKEN, DevHubSpot
from models import CrmConnection


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    for name in ("database_url", "slack_bot_token", "slack_signing_secret", "slack_api_url"):
        monkeypatch.setenv(name.upper(), str(getattr(settings, name)))
    monkeypatch.setenv("HUBSPOT_API_URL", settings.hubspot_api_url)
    monkeypatch.setenv("SALESBOT_SECRET_KEY", settings.salesbot_secret_key or "")


@pytest.mark.usefixtures("team", "env")
def test_connect_status_rotate_and_disconnect(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sessions: sessionmaker[Session],
    hubspot: DevHubSpot,
    settings: Settings,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{DEFAULT_TOKEN}\n{DEFAULT_SECRET}\n"))
    assert main(["crm", "connect", "hubspot", "--team", "C1"]) == 0
    out = capsys.readouterr().out
    assert f"to hubspot account {hubspot.portal_id}" in out and "2 of 3 owners" in out
    assert DEFAULT_TOKEN not in out
    assert main(["crm", "status"]) == 0
    assert "C1 sales: hubspot 4242 active" in capsys.readouterr().out
    # Rotation: a new key in front, the old one after it, then rotate.
    newer = new_key()
    monkeypatch.setenv("SALESBOT_SECRET_KEY", f"{newer},{settings.salesbot_secret_key}")
    assert main(["crm", "rotate-key"]) == 0
    assert "re-encrypted 1" in capsys.readouterr().out
    with sessions() as session:
        sealed = session.scalars(select(CrmConnection.credentials)).one()
        assert sealed is not None and Vault(newer).open(sealed)["token"] == DEFAULT_TOKEN
    assert main(["crm", "disconnect", "--team", "C1"]) == 0
    assert "disconnected sales from hubspot" in capsys.readouterr().out


@pytest.mark.usefixtures("team", "env")
def test_a_refused_token_exits_1_and_stores_nothing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sessions: sessionmaker[Session],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("pat-wrong\nsecret\n"))
    assert main(["crm", "connect", "hubspot", "--team", "C1"]) == 1
    assert "refused the token" in capsys.readouterr().err
    assert main(["crm", "connect", "hubspot", "--team", "C9"]) == 1
    assert "no sales team in channel C9" in capsys.readouterr().err
    with sessions() as session:
        assert session.scalars(select(CrmConnection)).all() == []
