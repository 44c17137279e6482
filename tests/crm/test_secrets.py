"""Credentials at rest: Fernet, keyed by SALESBOT_SECRET_KEY, rotated with an older key."""

from __future__ import annotations

import pytest

from bot.config import SettingsError
from bot.crm.secrets import Unreadable, Vault, new_key


def test_sealed_credentials_open_only_with_the_key() -> None:
    key = new_key()
    sealed = Vault(key).seal({"token": "pat-secret-value", "client_secret": "cs"})
    assert "pat-secret-value" not in sealed
    assert Vault(key).open(sealed) == {"token": "pat-secret-value", "client_secret": "cs"}
    with pytest.raises(Unreadable):
        Vault(new_key()).open(sealed)


def test_rotation_keeps_old_credentials_readable_until_rotated() -> None:
    old, new = new_key(), new_key()
    sealed = Vault(old).seal({"token": "t"})
    both = Vault(f"{new},{old}")
    assert both.open(sealed) == {"token": "t"}
    rotated = both.rotate(sealed)
    assert Vault(new).open(rotated) == {"token": "t"}
    with pytest.raises(Unreadable):
        Vault(old).open(rotated)


def test_a_malformed_key_names_the_setting_not_the_value() -> None:
    with pytest.raises(SettingsError) as error:
        Vault("not-a-fernet-key")
    assert "SALESBOT_SECRET_KEY" in str(error.value)
    assert "not-a-fernet-key" not in str(error.value)
