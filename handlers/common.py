"""What every listener does the same way: know the caller, run one unit of work, answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.db import transaction
from bot.i18n import use_language
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.actor import Actor
from bot.services.directory import (
    apply_profile,
    ensure_member,
    find_member,
    profile_is_stale,
    team_for_channel,
    team_of,
)
from bot.services.home import home
from bot.services.language import member_language, workspace_language
from bot.slack_directory import fetch_profile
from bot.views import home as home_views
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
        with use_language(member_language(session, member)):
            result = work(session, actor)
    runtime.sender.kick()
    return result


def caller_language(runtime: Runtime, workspace_id: str, user_id: str) -> str:
    """The language to answer a member in, from what we know of them (no call to Slack)."""
    with runtime.sessions() as session:
        member = find_member(session, workspace_id, user_id)
        if member is None:
            return workspace_language(session, workspace_id)
        return member_language(session, member)


@contextmanager
def in_caller_language(runtime: Runtime, workspace_id: str, user_id: str) -> Iterator[None]:
    """Build what is said outside `as_caller` (usage, parse errors, expired buttons) in the
    caller's language."""
    with use_language(caller_language(runtime, workspace_id, user_id)):
        yield


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


def refresh_home(runtime: Runtime, workspace_id: str, user_id: str, page: int = 0) -> None:
    """Owe Slack a fresh App Home for the member (after a change, wherever they made it)."""

    def work(session: Session, actor: Actor) -> None:
        view = home_views.home_view(home(session, actor, page=page))
        outbox.enqueue(
            session,
            workspace_id=workspace_id,
            method="views.publish",
            payload={"user_id": user_id, "view": view},
            now=actor.now,
        )

    as_caller(runtime, workspace_id, user_id, work)
