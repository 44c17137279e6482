"""CRM credentials at rest: encrypted with Fernet, keyed by SALESBOT_SECRET_KEY.

The setting holds one or more keys, comma-separated, newest first: the first encrypts, each
of them decrypts (MultiFernet), so a key is rotated by putting a new one in front, running
`salesbot crm rotate-key` (every connection re-encrypted with the first), then dropping the
old one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import MissingSettingError, Settings, SettingsError


class Unreadable(Exception):
    """Credentials that none of the keys decrypt (a key was dropped too soon)."""


def new_key() -> str:
    """A fresh key for SALESBOT_SECRET_KEY."""
    return Fernet.generate_key().decode()


class Vault:
    """Seals and opens a connection's credentials."""

    def __init__(self, keys: str) -> None:
        parts = [part.strip() for part in keys.split(",") if part.strip()]
        try:
            self._fernet = MultiFernet([Fernet(part.encode()) for part in parts])
        except (ValueError, TypeError):
            # The message names the setting, never its value.
            raise SettingsError(
                "SALESBOT_SECRET_KEY: each key must be 32 url-safe base64-encoded bytes "
                "(make one with `salesbot crm new-key`)"
            ) from None

    @classmethod
    def of(cls, settings: Settings) -> Vault:
        """The deployment's vault; SALESBOT_SECRET_KEY must be set."""
        settings.require("salesbot_secret_key")
        assert settings.salesbot_secret_key is not None
        return cls(settings.salesbot_secret_key)

    def seal(self, credentials: Mapping[str, str]) -> str:
        """The credentials encrypted with the newest key."""
        return self._fernet.encrypt(json.dumps(dict(credentials)).encode()).decode()

    def open(self, sealed: str) -> dict[str, str]:
        """The credentials a token holds."""
        try:
            data = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken:
            raise Unreadable("no key in SALESBOT_SECRET_KEY decrypts these credentials") from None
        return {str(key): str(value) for key, value in data.items()}

    def rotate(self, sealed: str) -> str:
        """The same credentials, encrypted with the newest key."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise Unreadable("no key in SALESBOT_SECRET_KEY decrypts these credentials") from None


__all__ = ["MissingSettingError", "Unreadable", "Vault", "new_key"]
