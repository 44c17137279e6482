"""What a change owes the outside world, recorded by services and rendered by views.

A notice names its audience (a channel, a member) and the language it must be said in; the
unit of work renders each one into outbox rows in the change's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.domain.amounts import Money
from bot.domain.periods import Period
from bot.domain.progress import Progress, Tier
from bot.results.reports import Report
from bot.results.standup import DaySummary, MovedDeal, PromptFacts, StepLine


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
    """A deal was won just now: one post tells the team channel who won what, where that
    leaves their targets, the tiers it crossed and whether it was their first win this month."""

    channel_id: str
    # The post's outbox key: its corrections edit it and reply in its thread.
    post_key: str
    owner_user_id: str
    owner_name: str
    customer: str
    amount: Decimal
    currency: str
    # What it counts for in the team currency, when it was entered in another one.
    value: Money | None
    # The deal's number in its workspace (`#12`).
    deal_number: int
    standings: tuple[Standing, ...]
    # The member's tiers this win crossed, highest first; bonuses are in `team_currency`.
    tiers: tuple[Tier, ...]
    team_currency: str
    # The month of which this is the member's first win, if it is.
    first_win_of: date | None


@dataclass(frozen=True)
class TierReached(Said):
    """Reward tiers were granted without a win to carry them (a team's tiers, or a member's
    reached by a change to a won deal): one post celebrates the highest and lists the others."""

    channel_id: str
    post_key: str
    # None for a team target.
    member_user_id: str | None
    team_name: str
    # Highest first.
    tiers: tuple[Tier, ...]
    metric: str
    period: Period
    progress: Progress
    currency: str


@dataclass(frozen=True)
class Because:
    """The change that took something back, for the correction's reply: who did what."""

    actor_user_id: str
    undo: bool
    # "removed", "stage", "owner", "amount", "date" (a deal's), or "target".
    kind: str
    deal_number: int | None = None
    stage_label: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    owner_user_id: str | None = None
    metric: str | None = None


@dataclass(frozen=True)
class PostedReward:
    """A reward as a corrected post now shows it."""

    name: str
    bonus: Decimal | None
    taken_back: bool


@dataclass(frozen=True)
class WonFacts:
    """The win a post announced."""

    owner_user_id: str
    customer: str
    amount: Decimal
    currency: str
    value: Money | None
    deal_number: int
    taken_back: bool


@dataclass(frozen=True)
class PostCorrected(Said):
    """Something a channel post celebrated was taken back: the post is edited to say so, and
    one reply in its thread says why."""

    channel_id: str
    post_key: str
    # Unique per correction: a retried command does not correct the same post twice.
    correction_key: str
    won: WonFacts | None
    # Whose tiers a tier post celebrated (None with `won`, or for the team's).
    member_user_id: str | None
    team_name: str
    rewards: tuple[PostedReward, ...]
    currency: str
    because: Because


@dataclass(frozen=True)
class PromptDue(Said):
    """A member's morning stand-up DM, with their briefing."""

    member_user_id: str
    facts: PromptFacts


@dataclass(frozen=True)
class NextStepsDue(Said):
    """A member's next steps due on a day they have no stand-up, told in one DM; `key`: the
    outbox key (the first of the steps' reminders), so it is owed once."""

    member_user_id: str
    local_date: date
    steps: tuple[StepLine, ...]
    key: str


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
    post_key: str
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
    deal_number: int
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


@dataclass(frozen=True)
class KeyDealQuiet(Said):
    """A key deal has had no change for the team's quiet days: one of its managers hears it in
    a DM, once per quiet spell (`quiet_since`, the local day of its last change)."""

    manager_user_id: str
    deal_id: int
    deal_number: int
    customer: str
    amount: Decimal
    currency: str
    # Its value in the team currency, when it was entered in another one.
    value: Money | None
    stage_key: str
    stage_label: str
    owner_user_id: str
    quiet_since: date
    quiet_days: int
    close_date: date | None
    channel_id: str
