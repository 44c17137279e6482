"""One validated settings object, read from the environment in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
# The CRMs' API base URLs (tests point them at local stand-ins).
HUBSPOT_API_DEFAULT = "https://api.hubapi.com"
PIPEDRIVE_API_DEFAULT = "https://api.pipedrive.com"
ZOHO_API_DEFAULT = "https://www.zohoapis.com"
ZOHO_ACCOUNTS_DEFAULT = "https://accounts.zoho.com"


class MissingSettingError(Exception):
    """A secret the chosen command needs is not set."""

    def __init__(self, name: str, purpose: str) -> None:
        super().__init__(f"{name} is not set: {purpose}.")
        self.name = name


class SettingsError(Exception):
    """An environment variable has a value Salesbot cannot use."""


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting platforms hand out and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Settings(BaseSettings):
    """Everything Salesbot reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = "sqlite:///salesbot.db"
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    # Seconds to wait for Slack's answer to one call; an answer later than this is "unknown"
    # to the sender, which looks before it posts again.
    slack_timeout: int = Field(default=10, ge=1, le=120)
    # Fernet keys (comma-separated, newest first) that encrypt CRM credentials; required once
    # a CRM is connected. An older key after the first still decrypts (rotation).
    salesbot_secret_key: str | None = None
    hubspot_api_url: str = HUBSPOT_API_DEFAULT
    pipedrive_api_url: str = PIPEDRIVE_API_DEFAULT
    zoho_api_url: str = ZOHO_API_DEFAULT
    zoho_accounts_url: str = ZOHO_ACCOUNTS_DEFAULT
    # Where Salesbot is reached from the internet (https://salesbot.example.com): the address
    # it registers for the CRM notifications it subscribes to itself (Zoho CRM's).
    salesbot_public_url: str | None = None
    # Seconds to wait for a CRM's answer to one call.
    crm_timeout: int = Field(default=15, ge=1, le=120)
    port: int = Field(default=3000, ge=1, le=65535)
    web_concurrency: int = Field(default=2, ge=1, le=64)
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        # slack_sdk appends the method name to the base URL, so it must end with a slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("hubspot_api_url", "pipedrive_api_url", "zoho_api_url", "zoho_accounts_url")
    @classmethod
    def _crm_url(cls, value: str) -> str:
        # Paths are appended with their own leading slash.
        return value.rstrip("/")

    @field_validator("salesbot_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https://")
        return value.rstrip("/")

    def require(self, *names: str) -> None:
        """Raise MissingSettingError for the first of these settings that is empty."""
        purposes = {
            "slack_bot_token": "the bot's token (xoxb-…) from the Slack app's OAuth page",
            "slack_signing_secret": "the signing secret from the app's Basic Information page",
            "slack_app_token": "an app-level token (xapp-…) with connections:write (Socket Mode)",
            "salesbot_secret_key": (
                "a key that encrypts CRM credentials; make one with `salesbot crm new-key`"
            ),
        }
        for name in names:
            if not getattr(self, name):
                raise MissingSettingError(name.upper(), purposes.get(name, "required"))


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from the environment (or a given mapping), with explicit overrides."""
    try:
        if environ is None:
            return Settings(**overrides)
        values: dict[str, Any] = {k.lower(): v for k, v in environ.items()}
        values.update(overrides)
        return Settings.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]).upper()
        raise SettingsError(f"{field}: {first['msg']}") from None
