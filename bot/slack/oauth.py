"""Many workspaces: Slack's OAuth v2 install flow, with installations kept in our own database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, select

from bot.config import MissingSettingError, Settings
from bot.slack.client import CLIENT_TIMEOUT_SECONDS, make_web_client
from models.base import NAMING_CONVENTION

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# An install link is good for ten minutes, and only once.
STATE_EXPIRATION_SECONDS = 600
# Other processes (the clock, other web workers) notice an uninstall within this long.
TOKEN_CACHE_SECONDS = 60
# The bot scopes of manifest.yml (tests/e2e/test_oauth.py keeps the two in step).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
    # A CRM deal's owner is found by e-mail address (live CRM sync).
    "users:read.email",
    "files:write",
    # A CRM export shared in the bot's DM is read through files.info (salesbot import).
    "files:read",
)
BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name

# slack_sdk logs whole request bodies (auth.test carries the new token there) and response
# bodies (oauth.v2.access returns it) at DEBUG whenever its logger's *own* level is DEBUG or
# unset; the OAuth flow's client logs through this logger, pinned at INFO, so it never does.
_OAUTH_API_LOG = logging.getLogger("bot.slack.oauth.slack_api")
_OAUTH_API_LOG.setLevel(logging.INFO)


def installation_metadata() -> MetaData:
    """The tables slack-sdk's stores use, as Alembic sees them (migration 0005 creates them)."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
    SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, STATES_TABLE)
    return metadata


INSTALLATION_METADATA = installation_metadata()


def oauth_enabled(settings: Settings) -> bool:
    """True with both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET; one without the other is refused."""
    if settings.slack_client_id and settings.slack_client_secret:
        return True
    if settings.slack_client_id or settings.slack_client_secret:
        missing = "SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"
        raise MissingSettingError(
            missing, "many-workspace mode needs both the app's client id and client secret"
        )
    return False


@dataclass
class _Entry:
    bot: Bot | None
    expires: float


class _BotCache:
    """Workspace id -> its bot, for a few seconds; any write drops what a racing read loaded."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._entries: dict[str, _Entry] = {}
        self._epoch = 0
        self._lock = threading.Lock()

    def get(self, workspace_id: str, load: Callable[[], Bot | None]) -> Bot | None:
        """The cached bot, or load it (outside the lock) and remember it."""
        with self._lock:
            entry = self._entries.get(workspace_id)
            if entry is not None and entry.expires > time.monotonic():
                return entry.bot
            epoch = self._epoch
        bot = load()
        with self._lock:
            # A save or delete ran meanwhile: what we loaded may be stale, so do not keep it.
            if self._epoch == epoch:
                self._entries[workspace_id] = _Entry(bot, time.monotonic() + self._seconds)
        return bot

    def drop(self, workspace_id: str | None) -> None:
        """Forget a workspace (all of them for None) after its installation changed."""
        with self._lock:
            self._epoch += 1
            if workspace_id is None:
                self._entries.clear()
            else:
                self._entries.pop(workspace_id, None)


class SalesbotInstallationStore(SQLAlchemyInstallationStore):
    """slack-sdk's SQLAlchemy installation store, plus a brief per-workspace cache of the bot."""

    def __init__(
        self, client_id: str, engine: Engine, *, cache_seconds: float = TOKEN_CACHE_SECONDS
    ) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self._cache = _BotCache(cache_seconds)

    def workspace_bot(self, workspace_id: str) -> Bot | None:
        """The bot most recently installed in this workspace, or None when there is none."""
        return self._cache.get(workspace_id, lambda: self._latest_bot(workspace_id))

    def bot_token(self, workspace_id: str) -> str | None:
        """The workspace's bot token, or None when the app is not (or no longer) installed."""
        bot = self.workspace_bot(workspace_id)
        return bot.bot_token if bot is not None else None

    def _latest_bot(self, workspace_id: str) -> Bot | None:
        # By team id alone: a workspace in an Enterprise Grid org is saved with its enterprise
        # id, which the outbox (keyed by workspace) does not know.
        c = self.bots.c
        query = (
            select(self.bots)
            .where(c.client_id == self.client_id, c.team_id == workspace_id)
            .where(c.bot_token.is_not(None))
            .order_by(c.installed_at.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return self.build_bot_entity(row) if row is not None else None

    def save(self, installation: Installation) -> None:
        """Store an installation (and its bot), then log which workspace it was, never tokens."""
        super().save(installation)
        log.info(
            "workspace.installed workspace=%s enterprise=%s",
            installation.team_id,
            installation.enterprise_id,
        )

    def save_bot(self, bot: Bot) -> None:
        """Store a bot and drop the cached one."""
        super().save_bot(bot)
        self._cache.drop(bot.team_id)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Delete the workspace's bots and drop the cached one."""
        super().delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self._cache.drop(team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Delete the workspace's installations (one user's, with user_id) and drop the cache."""
        super().delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        self._cache.drop(team_id)


class StoreAuthorize(Authorize):
    """Authorize a request with its workspace's bot from the installation store."""

    # bolt's InstallationStoreAuthorize calls auth.test on every request (with the token in the
    # body, which slack_sdk logs at DEBUG); like the single-workspace authorize, this one never
    # calls Slack, so acks do not wait on Slack's API.

    def __init__(self, store: SalesbotInstallationStore) -> None:
        self.store = store

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult | None:
        """The request's workspace with its stored bot token; None when it is not installed."""
        bot = self.store.workspace_bot(team_id) if team_id else None
        if bot is None:
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


def clients_for(
    store: SalesbotInstallationStore, base_url: str, *, retries: int, timeout: int
) -> Callable[[str], WebClient]:
    """Per-workspace clients, each with its workspace's bot token from the store."""

    # Without an installation the client has no token: Slack answers not_authed (a permanent
    # error for the outbox) rather than this raising.
    def client_for(workspace_id: str) -> WebClient:
        token = store.bot_token(workspace_id)
        return make_web_client(token, base_url, retries=retries, timeout=timeout)

    return client_for


def oauth_client(base_url: str) -> WebClient:
    """The OAuth flow's client: oauth.v2.access and auth.test on our base URL, a quiet logger."""
    # Built here rather than by make_web_client, which takes no logger (see _OAUTH_API_LOG).
    return WebClient(base_url=base_url, timeout=CLIENT_TIMEOUT_SECONDS, logger=_OAUTH_API_LOG)


def oauth_flow(settings: Settings, engine: Engine, store: SalesbotInstallationStore) -> OAuthFlow:
    """GET /slack/install redirects to Slack; /slack/oauth_redirect stores the installation."""
    state_store = SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=log
    )
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        # A plain redirect, so /slack/install works as the app directory's direct install URL.
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        state_store=state_store,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        logger=log,
    )
    return OAuthFlow(
        client=oauth_client(settings.slack_api_url), logger=log, settings=oauth_settings
    )
