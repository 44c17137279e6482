"""The one place Slack Web API clients are built: base URL from settings, retries on."""

from __future__ import annotations

from urllib.error import URLError

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
    """A WebClient that retries a request that never reached Slack, 429 (honouring
    Retry-After) and 5xx."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            # Only URLError: urllib raises it when the request could not be sent. A connection
            # dropped or timed out while waiting for the answer may follow a post Slack made:
            # the outbox sender decides about those, looking before it posts again.
            ConnectionErrorRetryHandler(max_retry_count=retries, error_types=[URLError]),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )
