"""What every listener does the same way: know the caller, run one unit of work, answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db import reading, transaction
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
from bot.slack.directory import fetch_profile
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
    read_only: bool = False,
) -> T:
    """Run `work` for the caller in one transaction: all of it is written, or none of it.

    read_only: `work` only reads (a write raises), so for a known member the transaction
    takes no write lock on SQLite.

    A manager typing in a team's channel acts for that team (a manager may run several teams,
    or none as a member); everyone else acts for their own team.

    The caller's Slack profile (name, time zone, admin flag) is looked up first, outside the
    transaction, when we have none or it is a day old, so no lock is held while Slack answers.
    """
    now = runtime.clock.now()
    with transaction(runtime.sessions, read_only=read_only) as session:
        member = find_member(session, workspace_id, user_id)
        known = member is not None and not profile_is_stale(member, now=now)
        if member is not None and known:
            result = _act(session, member, work, channel_id, now)
        owes_slack = outbox.owes_slack(session)
    if not known:
        # Nothing was written above: the work is done again, with the profile, from scratch.
        profile = fetch_profile(runtime, workspace_id, user_id)
        with transaction(runtime.sessions) as session:
            member = ensure_member(session, workspace_id, user_id, now=now)
            if profile is not None:
                apply_profile(member, profile, now=now)
            result = _act(session, member, work, channel_id, now)
            owes_slack = outbox.owes_slack(session)
    if owes_slack:
        runtime.sender.kick()
    return result


def _act(
    session: Session,
    member: Member,
    work: Callable[[Session, Actor], T],
    channel_id: str | None,
    now: datetime,
) -> T:
    actor = Actor(
        member=member,
        team=team_in_context(session, member, channel_id),
        now=now,
        today=now.astimezone(local_zone(member.timezone)).date(),
    )
    with use_language(member_language(session, member)):
        return work(session, actor)


def caller_language(runtime: Runtime, workspace_id: str, user_id: str) -> str:
    """The language to answer a member in, from what we know of them (no call to Slack)."""
    with reading(runtime.sessions) as session:
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


HOME = "home"


def refresh_home(runtime: Runtime, workspace_id: str, user_id: str, page: int = 0) -> None:
    """Owe Slack a fresh App Home for the member (after a change, wherever they made it).

    The view is drawn when it is sent, not now: off the request's worker, and once for a burst
    of changes (a rep adding five deals in a row gets one view.publish showing all five).

    Runs after the ack: if the database is gone by now, the change itself was committed and
    answered, so this logs rather than raise (the error handler would tell the member to try
    again, and they would make the change twice). The home catches up at the next change.
    """
    try:
        with transaction(runtime.sessions) as session:
            outbox.owe_rendered(
                session,
                workspace_id=workspace_id,
                method="views.publish",
                render=HOME,
                args={"user_id": user_id, "page": page},
                coalesce_key=f"{workspace_id}:{user_id}:{page}",
                now=runtime.clock.now(),
            )
    except SQLAlchemyError as error:
        log.warning("home.not_refreshed user=%s error=%s", user_id, type(error).__name__)
        return
    runtime.sender.kick()


def render_home(runtime: Runtime, workspace_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """The views.publish payload of a member's App Home as it is now (a sender renderer)."""
    user_id = str(args["user_id"])

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return home_views.home_view(home(session, actor, page=int(args.get("page", 0))))

    return {"user_id": user_id, "view": as_caller(runtime, workspace_id, user_id, work)}
