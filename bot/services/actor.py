"""Who is acting, where and when: what every service call needs to know of its caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models import Member, SalesTeam


@dataclass(frozen=True)
class Actor:
    """Who is acting, where, and when."""

    member: Member
    team: SalesTeam | None
    now: datetime
    today: date

    @property
    def workspace_id(self) -> str:
        """The Slack team id every query is scoped to."""
        return self.member.workspace_id
