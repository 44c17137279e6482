"""What a change owes the outside world, recorded by services and rendered by views.

A notice names its audience (a channel, a member) and the language it must be said in; the
unit of work renders each one into outbox rows in the change's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.domain.periods import Period
from bot.domain.progress import Progress, Tier
from bot.results.reports import Report
from bot.results.standup import DaySummary, MovedDeal, PromptFacts


@dataclass(frozen=True)
class Notice:
    """Something owed to Slack within workspace `workspace_id`."""

    workspace_id: str


@dataclass(frozen=True)
class Said(Notice):
    """A message worded in `language` (the audience's, not always the caller's)."""

    language: str


@dataclass(frozen=True)
class Standing:
    """Where a win leaves one target: shown under the win announcement."""

    team_target: bool
    metric: str
    period: Period
    progress: Progress


@dataclass(frozen=True)
class WinAnnounced(Said):
    """A deal was won just now: the team channel hears who won what."""

    channel_id: str
    owner_user_id: str
    owner_name: str
    customer: str
    amount: Decimal
    currency: str
    deal_id: int
    standings: tuple[Standing, ...]


@dataclass(frozen=True)
class TierReached(Said):
    """A reward tier was granted: the team channel celebrates it."""

    channel_id: str
    # None for a team target.
    member_user_id: str | None
    team_name: str
    tier: Tier
    metric: str
    period: Period
    progress: Progress
    currency: str


@dataclass(frozen=True)
class FirstWinOfMonth(Said):
    """A member's first win of a month."""

    channel_id: str
    owner_user_id: str
    month: date
    customer: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class PromptDue(Said):
    """A member's morning stand-up DM, with their briefing."""

    member_user_id: str
    facts: PromptFacts


@dataclass(frozen=True)
class ReminderDue(Said):
    """The one nudge to a prompted member who has not checked in yet."""

    member_user_id: str
    prompt_id: int


@dataclass(frozen=True)
class DayOpened(Said):
    """A team's stand-up day began: its message is posted to the team channel (once)."""

    channel_id: str
    day_id: int
    summary: DaySummary


@dataclass(frozen=True)
class DayUpdated(Said):
    """The day message no longer shows who checked in, is waiting or missed: update it."""

    channel_id: str
    day_id: int
    summary: DaySummary


@dataclass(frozen=True)
class CheckInPosted(Said):
    """A member checked in: their answers go to the day message's thread."""

    channel_id: str
    day_id: int
    user_id: str
    answers: tuple[tuple[str, str], ...]
    moved: tuple[MovedDeal, ...]
    blocker: str
    # Managers to call on a blocker.
    managers: tuple[str, ...]
    # Checked in after the day message had said who missed.
    late: bool = False


@dataclass(frozen=True)
class StreakReached(Said):
    """A check-in streak reward was granted: the team channel celebrates it."""

    channel_id: str
    member_user_id: str
    days: int
    name: str
    bonus: Decimal | None
    currency: str


@dataclass(frozen=True)
class HomeChanged(Notice):
    """A member's App Home no longer shows what is committed (drawn, in their language, when
    it is sent)."""

    user_id: str
    page: int = 0


@dataclass(frozen=True)
class ReportPosted(Said):
    """A report's numbers posted to a team channel: the weekly report, or one shared."""

    report: Report
    channel_id: str
    # The weekly report's title differs from an on-demand report's.
    weekly: bool
    # An on-demand report about one member.
    subject_user_id: str | None
    dedupe_key: str


@dataclass(frozen=True)
class ChartsDue(Said):
    """A report's charts, drawn by the sender when it sends them (slow work, never on the
    request path), from what is committed then, as of `at`."""

    team_id: int
    # "weekly" (the week starting `week_start`), or an on-demand kind: week, month, quarter.
    kind: str
    subject_user_id: str | None
    week_start: date | None
    at: datetime
    # One of the two: a channel, or a member's DM.
    channel_id: str | None
    dm_user_id: str | None
    dedupe_key: str | None


@dataclass(frozen=True)
class ExportReady(Said):
    """A CSV export, uploaded to the caller's DM."""

    user_id: str
    count: int
    team_name: str | None
    day: date
    filename: str
    content: bytes


@dataclass(frozen=True)
class DealAssigned(Said):
    """A deal changed hands: its new owner (`received`) or its previous one hears in a DM."""

    user_id: str
    received: bool
    deal_id: int
    customer: str
    amount: Decimal
    currency: str
    by_user_id: str
    to_user_id: str


@dataclass(frozen=True)
class MemberDeactivated(Said):
    """Slack deactivated a team member and the daily refresh took them out of the team: one
    of the team's managers hears it in a DM (`removal`: which removal, so it is said once)."""

    manager_user_id: str
    member_user_id: str
    member_name: str
    channel_id: str
    removal: str


@dataclass(frozen=True)
class BlockerRaised(Said):
    """A check-in raised a blocker: one of the team's managers hears it in a DM, once."""

    manager_user_id: str
    member_user_id: str
    channel_id: str
    local_date: date
    blocker: str
    blocker_id: int


@dataclass(frozen=True)
class BlockerAdded(Said):
    """A member checked in again with a new blocker: it goes to the day message's thread,
    with the team's managers mentioned, once."""

    channel_id: str
    day_id: int
    user_id: str
    blocker: str
    blocker_id: int
    managers: tuple[str, ...]
