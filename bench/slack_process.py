"""The Slack stand-in in a process of its own, for benchmarks that time this process's CPU.

`bench cpu` reads this process's CPU time (all its threads); DevSlack answering the sender's
calls in the same process would be counted as Salesbot's. Here it runs in a spawned
multiprocessing manager, and this process talks to it through a proxy whose methods take and
return plain values (no predicates, no Call objects), so nothing here has to pickle code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import get_context
from multiprocessing.managers import BaseManager
from typing import Any

from bot.dev.standin import DevSlack


class Standin:
    """DevSlack, started, with answers that pickle (used in the manager's process)."""

    def __init__(self) -> None:
        self.dev = DevSlack().start()

    def api_url(self) -> str:
        return self.dev.api_url

    def response_url(self, command: str, user_id: str, channel_id: str) -> str:
        return self.dev.response_url(command, user_id=user_id, channel_id=channel_id)

    def add_user(self, user_id: str, name: str, **details: Any) -> None:
        self.dev.add_user(user_id, name, **details)

    def add_channel(self, channel_id: str, name: str, members: list[str]) -> None:
        self.dev.add_channel(channel_id, name, members)

    def count(self, method: str, contains: str = "") -> int:
        """How many calls of `method` were made (whose params contain `contains`)."""
        return sum(1 for c in self.dev.calls(method) if contains in str(c.params))

    def params(self, method: str, index: int = -1) -> dict[str, Any]:
        """The params of one recorded call of `method` (the last by default)."""
        return dict(self.dev.calls(method)[index].params)

    def wait_for(self, method: str, contains: str = "", count: int = 1, timeout: float = 30) -> int:
        """Wait until `count` calls of `method` contain `contains`; how many do."""
        found = self.dev.wait_for(
            method, lambda c: contains in str(c.params), timeout=timeout, count=count
        )
        return len(found)

    def clear(self) -> None:
        self.dev.clear()

    def stop(self) -> None:
        self.dev.stop()


class _Manager(BaseManager):
    pass


_Manager.register("Standin", Standin)


@contextmanager
def slack_process() -> Iterator[Standin]:
    """A started stand-in in its own process (a proxy with Standin's methods) for the block."""
    manager = _Manager(ctx=get_context("spawn"))
    manager.start()
    try:
        standin: Standin = manager.Standin()  # type: ignore[attr-defined]
        try:
            yield standin
        finally:
            standin.stop()
    finally:
        manager.shutdown()
