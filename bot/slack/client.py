"""The one place Slack Web API clients are built: base URL from settings, retries on."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

# The outbox retries with its own backoff; the client only smooths over short blips so the
# request path is never held for long.
CLIENT_RETRIES = 2
CLIENT_TIMEOUT_SECONDS = 10


def make_web_client(
    token: str | None,
    base_url: str,
    *,
    retries: int = CLIENT_RETRIES,
    timeout: int = CLIENT_TIMEOUT_SECONDS,
) -> WebClient:
    """A WebClient that retries connection errors, 429 (honouring Retry-After) and 5xx."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )
