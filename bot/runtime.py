"""What every listener needs besides the Slack payload: database, clock, Slack clients, sender."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.domain.payloads import Seal
from bot.slack.oauth import SalesbotInstallationStore
from bot.slack.sender import OutboxSender

RUNTIME_KEY = "salesbot"


@dataclass
class Runtime:
    """The process-wide dependencies, built once by create_app."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    # For outbox delivery: retries 429/5xx/connection errors.
    client_for: Callable[[str], WebClient]
    # For look-ups made while a user waits: no retries, short timeout.
    lookup_client_for: Callable[[str], WebClient]
    sender: OutboxSender
    # Many-workspace mode only: where each workspace's bot token lives (None with SLACK_BOT_TOKEN).
    installations: SalesbotInstallationStore | None = None

    @cached_property
    def seal(self) -> Seal:
        """Signs what the app hands out and reads back (forms' private_metadata, a question's
        key), with a key derived from the signing secret."""
        return Seal.derived_from(self.settings.slack_signing_secret or "")


def runtime_of(context: Any) -> Runtime:
    """The Runtime that the app's middleware put into a bolt context."""
    runtime = context[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    return runtime
