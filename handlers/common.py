"""What every listener does the same way: run one unit of work as the caller, answer."""

from __future__ import annotations

from bot.domain.zones import local_zone
from bot.unit_of_work import (
    HOME,
    answer,
    as_caller,
    caller_language,
    in_caller_language,
    owe_home,
    render_home,
)

__all__ = [
    "HOME",
    "answer",
    "as_caller",
    "caller_language",
    "in_caller_language",
    "local_zone",
    "owe_home",
    "refresh_home",
    "render_home",
]


def refresh_home(runtime: object, workspace_id: str, user_id: str, page: int = 0) -> None:
    """Transitional: owe the member a fresh App Home."""
    from bot.runtime import Runtime

    assert isinstance(runtime, Runtime)
    owe_home(runtime, workspace_id, user_id, page)
