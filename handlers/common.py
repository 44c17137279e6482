"""What every listener does the same way: know the caller, run one unit of work, answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.db import transaction
from bot.runtime import Runtime
from bot.services.actor import Actor
from bot.services.directory import (
    apply_profile,
    ensure_member,
    find_member,
    profile_is_stale,
    team_for_channel,
    team_of,
)
from bot.slack_directory import fetch_profile
from models import Member, SalesTeam

log = logging.getLogger(__name__)

T = TypeVar("T")


def local_zone(name: str) -> ZoneInfo:
    """The IANA zone, or UTC when Slack sent something unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def as_caller(
    runtime: Runtime,
    workspace_id: str,
    user_id: str,
    work: Callable[[Session, Actor], T],
    *,
    channel_id: str | None = None,
) -> T:
    """Run `work` for the caller in one transaction: all of it is written, or none of it.

    A manager typing in a team's channel acts for that team (a manager may run several teams,
    or none as a member); everyone else acts for their own team.

    The caller's Slack profile (name, time zone, admin flag) is looked up first, outside the
    transaction, when we have none or it is a day old, so no lock is held while Slack answers.
    """
    now = runtime.clock.now()
    with runtime.sessions() as session:
        known = find_member(session, workspace_id, user_id)
        stale = known is None or profile_is_stale(known, now=now)
    profile = fetch_profile(runtime, workspace_id, user_id) if stale else None
    with transaction(runtime.sessions) as session:
        member = ensure_member(session, workspace_id, user_id, now=now)
        if profile is not None:
            apply_profile(member, profile, now=now)
        actor = Actor(
            member=member,
            team=team_in_context(session, member, channel_id),
            now=now,
            today=now.astimezone(local_zone(member.timezone)).date(),
        )
        result = work(session, actor)
    runtime.sender.kick()
    return result


def team_in_context(session: Session, member: Member, channel_id: str | None) -> SalesTeam | None:
    """The channel's team for a manager typing in one, else the member's own team."""
    if channel_id and member.can_manage:
        here = team_for_channel(session, member.workspace_id, channel_id)
        if here is not None:
            return here
    return team_of(session, member)


def local_now(now: datetime, zone: str) -> datetime:
    """`now` in a member's or team's zone."""
    return now.astimezone(local_zone(zone))
