"""Who is acting, where and when: what every service call needs to know of its caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.i18n import N_, _
from bot.services.errors import Refused
from models import Member, SalesTeam

MANAGERS_ONLY = N_(
    "Only managers can do that. Slack workspace admins and owners are managers, and they can "
    "name others with `/salesbot managers add @person`."
)


@dataclass(frozen=True)
class Actor:
    """Who is acting, where, and when."""

    member: Member
    team: SalesTeam | None
    now: datetime
    today: date
    # The CRM a change comes from ("hubspot": the sync acting for the deal's owner), recorded
    # with it and never written back there; None: a person in Slack.
    source: str | None = None

    @property
    def workspace_id(self) -> str:
        """The Slack team id every query is scoped to."""
        return self.member.workspace_id


def require_manager(actor: Actor) -> None:
    """Refuse anyone who is not a manager."""
    if not actor.member.can_manage:
        raise Refused(_(MANAGERS_ONLY))
