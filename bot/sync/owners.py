"""CRM owners to Slack users, by e-mail address (users.lookupByEmail), asked outside any
transaction."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.crm import RemoteOwner
from bot.runtime import Runtime
from bot.slack.directory import look_up_email


def match_owners(
    runtime: Runtime, workspace_id: str, owners: Sequence[RemoteOwner]
) -> list[tuple[RemoteOwner, str | None]]:
    """Each owner with the Slack user of their e-mail address (None: nobody, or Slack did not
    answer: asked again at the next refresh)."""
    matched: list[tuple[RemoteOwner, str | None]] = []
    for owner in owners:
        found = look_up_email(runtime, workspace_id, owner.email) if owner.email else "not_found"
        user_id = None if isinstance(found, str) else found.user_id
        if not isinstance(found, str) and (found.is_bot or found.is_deleted):
            user_id = None
        matched.append((owner, user_id))
    return matched
