"""Time zones as Slack names them."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone(name: str) -> ZoneInfo:
    """The IANA zone, or UTC when Slack sent something unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
