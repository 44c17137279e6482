"""Workspaces, members and sales teams: who is who, and who may do what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.stages import DEFAULT_STAGES
from bot.services.memo import kept, note_settings_version
from bot.services.once import insert_once
from models import Member, SalesTeam, StageDef, Workspace

PROFILE_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class Profile:
    """What Slack's users.info tells about a user."""

    user_id: str
    name: str
    timezone: str = "UTC"
    is_admin: bool = False
    is_bot: bool = False
    is_deleted: bool = False
    locale: str | None = None
    # The Slack workspace the user belongs to (None when Slack did not say).
    workspace_id: str | None = None


# Why a person named in a command cannot be given a team, a manager's role, a deal or a target.
RosterProblem = Literal["not_found", "deactivated", "bot", "elsewhere", "unreachable"]


def roster_problem(profile: Profile, workspace_id: str) -> RosterProblem | None:
    """What rules out the person Slack described, if anything."""
    if profile.is_deleted:
        return "deactivated"
    if profile.is_bot:
        return "bot"
    if profile.workspace_id is not None and profile.workspace_id != workspace_id:
        return "elsewhere"
    return None


def ensure_workspace(session: Session, workspace_id: str, *, now: datetime) -> Workspace:
    """The workspace row, created with the default stages on first contact."""
    values = {"id": workspace_id, "name": "", "fiscal_year_start_month": 1, "created_at": now}
    if insert_once(session, Workspace, values, ["id"]):
        for stage in DEFAULT_STAGES:
            session.add(
                StageDef(
                    workspace_id=workspace_id,
                    key=stage.key,
                    label=stage.label,
                    probability=stage.probability,
                    kind=stage.kind,
                    position=stage.position,
                )
            )
        session.flush()
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    return workspace


def ensure_member(session: Session, workspace_id: str, user_id: str, *, now: datetime) -> Member:
    """The member row for a Slack user, created on first contact."""
    # Looked for first: an INSERT … ON CONFLICT is a write, and most callers are known.
    if (member := find_member(session, workspace_id, user_id)) is not None:
        return member
    ensure_workspace(session, workspace_id, now=now)
    values = {
        "workspace_id": workspace_id,
        "slack_user_id": user_id,
        "name": user_id,
        "timezone": "UTC",
        "is_slack_admin": False,
        "is_manager": False,
        "is_bot": False,
        "is_deleted": False,
        "updated_at": now,
        "created_at": now,
    }
    insert_once(session, Member, values, ["workspace_id", "slack_user_id"])
    member = find_member(session, workspace_id, user_id)
    assert member is not None
    return member


def find_member(session: Session, workspace_id: str, user_id: str) -> Member | None:
    """A known member of this workspace, or None."""
    query = select(Member).where(
        Member.workspace_id == workspace_id, Member.slack_user_id == user_id
    )
    return session.scalars(query).one_or_none()


_CALLER_ROWS = "salesbot.caller_rows"
# Every request runs it: built once, its values bound (building it cost more than running it).
_CALLER = (
    # The version as a plain column: a mapped Workspace already in the session is not reloaded.
    select(Member, SalesTeam, Workspace, Workspace.settings_version)
    .join(Workspace, Workspace.id == Member.workspace_id)
    .outerjoin(SalesTeam, SalesTeam.id == Member.team_id)
    .where(
        Member.workspace_id == bindparam("workspace_id"),
        Member.slack_user_id == bindparam("user_id"),
    )
)


def find_caller(session: Session, workspace_id: str, user_id: str) -> Member | None:
    """`find_member` for the one who sent a request, with their team and workspace read in the
    same statement: every command asks for both next (its team, its language), and then finds
    them in the session instead of asking the database twice more."""
    row = session.execute(_CALLER, {"workspace_id": workspace_id, "user_id": user_id}).one_or_none()
    if row is None:
        return None
    # The session's identity map holds rows weakly: the team and workspace are kept alive
    # here for the transaction, or the next `session.get` would read them again.
    session.info[_CALLER_ROWS] = tuple(row)
    note_settings_version(session, workspace_id, row[3])
    return row[0]


def profile_is_stale(member: Member, *, now: datetime) -> bool:
    """True when Slack should be asked again about this member."""
    refreshed = member.profile_refreshed_at
    return refreshed is None or now - refreshed > PROFILE_MAX_AGE


def apply_profile(member: Member, profile: Profile, *, now: datetime) -> None:
    """Copy what Slack said about a user onto the member."""
    member.name = profile.name[:200]
    member.timezone = profile.timezone or "UTC"
    member.is_slack_admin = profile.is_admin
    member.is_bot = profile.is_bot
    member.is_deleted = profile.is_deleted
    member.locale = profile.locale
    member.profile_refreshed_at = now
    member.updated_at = now


def team_of(session: Session, member: Member) -> SalesTeam | None:
    """The sales team a member belongs to, if any."""
    if member.team_id is None:
        return None
    return session.get(SalesTeam, member.team_id)


def team_for_channel(session: Session, workspace_id: str, channel_id: str) -> SalesTeam | None:
    """The sales team bound to a channel, if any."""
    query = select(SalesTeam).where(
        SalesTeam.workspace_id == workspace_id, SalesTeam.channel_id == channel_id
    )
    return session.scalars(query).one_or_none()


def member_of(team_id: int | SQLColumnExpression[int]) -> ColumnElement[bool]:
    """The one rule of who is a team's member, as SQL: a person whose team it is, not a bot
    and not deactivated in Slack. Managers are not members by being managers, and someone a
    manager (or the daily refresh) removed is no longer one."""
    return and_(Member.team_id == team_id, Member.is_bot.is_(False), Member.is_deleted.is_(False))


def team_members(session: Session, team: SalesTeam) -> list[Member]:
    """The team's members by name, as setup, `/salesbot team`, the stand-up, targets and
    reports all count them."""
    query = (
        select(Member)
        .where(Member.workspace_id == team.workspace_id, member_of(team.id))
        .order_by(Member.name, Member.slack_user_id)
    )
    return list(session.scalars(query))


def team_managers(session: Session, team: SalesTeam) -> list[Member]:
    """Who is told what a team's managers must know (blockers, members leaving): everyone
    who may manage it, member of the team or not. Managers are the workspace's (named with
    `/salesbot managers add`, or Slack admins and owners), people and not deactivated."""
    query = (
        select(Member)
        .where(
            Member.workspace_id == team.workspace_id,
            or_(Member.is_manager.is_(True), Member.is_slack_admin.is_(True)),
            Member.is_bot.is_(False),
            Member.is_deleted.is_(False),
        )
        .order_by(Member.name, Member.slack_user_id)
    )
    return list(session.scalars(query))


def setup_team(
    session: Session,
    *,
    workspace_id: str,
    channel_id: str,
    channel_name: str,
    timezone: str,
    now: datetime,
) -> tuple[SalesTeam, bool]:
    """Make a channel a sales team; returns the team and whether it is new."""
    existing = team_for_channel(session, workspace_id, channel_id)
    if existing is not None:
        return existing, False
    team = SalesTeam(
        workspace_id=workspace_id,
        channel_id=channel_id,
        name=channel_name[:200] or channel_id,
        currency="CNY",
        timezone=timezone,
        stale_days=14,
        created_at=now,
    )
    session.add(team)
    session.flush()
    return team, True


def sync_team_members(
    session: Session,
    team: SalesTeam,
    channel: Sequence[Profile],
    *,
    others: Sequence[Profile] = (),
    now: datetime,
) -> list[Member]:
    """Bring the team in line with Slack; returns the members taken out because Slack
    deactivated them (each once, however many refreshes race).

    `channel`: the channel's members. Its people join the team, unless they are in another
    team (a rep belongs to one) or a manager removed them from this one. Members who leave
    the channel stay in the team until a manager removes them, so a hand-added member is kept.
    `others`: what Slack says about the team's members who are not in the channel.
    Everyone's profile is refreshed; a deactivated member is removed as `team remove` does.
    """
    deactivated: list[Member] = []
    in_channel = {profile.user_id for profile in channel}
    for profile in (*channel, *(p for p in others if p.user_id not in in_channel)):
        member = ensure_member(session, team.workspace_id, profile.user_id, now=now)
        apply_profile(member, profile, now=now)
        if profile.is_deleted:
            if _take_out(session, team, member, now=now):
                deactivated.append(member)
            continue
        if profile.is_bot:
            if member.team_id == team.id:
                member.team_id = None
            continue
        joins = profile.user_id in in_channel and member.team_id is None
        if joins and member.removed_from_team_id != team.id:
            member.team_id = team.id
    team.members_refreshed_at = now
    return deactivated


def _take_out(session: Session, team: SalesTeam, member: Member, *, now: datetime) -> bool:
    """Remove a member from the team as a manager would; False if they were not in it.

    The conditional update is the claim: of two refreshes racing, one changes the row."""
    claimed = session.execute(
        update(Member)
        .where(Member.id == member.id, Member.team_id == team.id)
        .values(team_id=None, removed_from_team_id=team.id, updated_at=now)
        .returning(Member.id)
        .execution_options(synchronize_session=False)
    ).first()
    session.expire(member)
    return claimed is not None


@dataclass(frozen=True)
class StageRow:
    """A workspace's stage as stored (its label as the workspace named it, or the default's
    English): what `stages_of` hands out, the same to every thread of the process."""

    id: int
    workspace_id: str
    key: str
    label: str
    probability: Decimal
    kind: str
    position: int
    forecast: str | None


_STAGES = (
    select(
        StageDef.id,
        StageDef.workspace_id,
        StageDef.key,
        StageDef.label,
        StageDef.probability,
        StageDef.kind,
        StageDef.position,
        StageDef.forecast,
    )
    .where(StageDef.workspace_id == bindparam("workspace_id"))
    .order_by(StageDef.position)
)


def stages_of(session: Session, workspace_id: str) -> tuple[StageRow, ...]:
    """A workspace's stages in pipeline order (kept by the process while they are unchanged:
    bot.services.memo.kept)."""

    def read() -> tuple[StageRow, ...]:
        rows = session.execute(_STAGES, {"workspace_id": workspace_id})
        return tuple(StageRow(*row) for row in rows)

    return kept(session, workspace_id, ("stages", workspace_id), read)
