"""The contest job: each minute, every contest's start posts, standings edit, result and
corrections, one unit of work per contest (each guarded by its own unique keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db import reading
from bot.i18n import dated, use_language
from bot.runtime import Runtime
from bot.services import contests
from bot.services.language import workspace_language
from bot.unit_of_work import unit
from bot.views import contests as views


def run_contests(runtime: Runtime, now: datetime) -> int:
    """Advance each contest at `now`; how many posts and edits they owed."""
    with reading(runtime.sessions) as session:
        due = contests.due(session, now)
    owed = 0
    for contest_id in due:
        with unit(runtime, now=now) as session:
            owed += contests.advance(session, contest_id, now)
    return owed


def render_board(runtime: Runtime, workspace_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """The chat.update of a channel's standings message as they stand now (the sender's
    renderer for views.contests.BOARD): however late it is sent, it shows the latest."""
    now = runtime.clock.now()
    with reading(runtime.sessions) as session:
        standings = contests.board(session, int(args["contest_id"]), now)
        if standings is None:
            raise LookupError(f"no contest {args['contest_id']}")
        language = workspace_language(session, workspace_id)
        with use_language(language), dated(now.date()):
            return views.board_payload(args, standings)
