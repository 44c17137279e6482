"""One unit of work per command and per scheduled job.

It opens the transaction, knows the caller, runs the service, renders every notice the service
recorded into outbox rows in the same transaction, commits, then wakes the sender. Handlers and
jobs go through here; nothing else opens a transaction that owes Slack anything.

May import: bot.db, bot.services, bot.views, bot.results, bot.domain, bot.slack.directory
(the caller's profile), models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.db import reading, transaction
from bot.domain.deal_fields import words_of
from bot.domain.zones import local_zone
from bot.i18n import dated, today_of_message, use_language
from bot.results.notices import HomeChanged, Said
from bot.runtime import Runtime
from bot.services import activities, deliveries, notices, outbox, segments
from bot.services import home as homes
from bot.services.actor import Actor
from bot.services.directory import (
    Profile,
    apply_profile,
    ensure_member,
    find_caller,
    find_member,
    profile_is_stale,
    roster_problem,
    team_for_channel,
    team_of,
)
from bot.services.errors import FormErrors, Refused
from bot.services.home import home
from bot.services.language import member_language, workspace_language
from bot.slack.directory import fetch_profile, look_up_person
from bot.views import home as home_views
from bot.views import notices as notice_views
from bot.views.common import Message, person_refused, refusal
from models import Member, OutboxMessage, SalesTeam

T = TypeVar("T")


class Unwritten(Exception):
    """Raised by `work` to answer with `message` and write nothing: a question asked before
    a change (the transaction rolls back, as for a refusal)."""

    def __init__(self, message: Message) -> None:
        super().__init__("answered without writing")
        self.message = message


# The sender's renderer of App Home views (drawn when sent, from what is committed then).
HOME = "home"


def owe_notices(session: Session, *, now: datetime) -> None:
    """Turn the notices recorded so far into outbox rows in this transaction."""
    # Days in them are written as seen on the day they are owed (no year for this year's).
    with dated(today_of_message() or now.date()):
        _owe_notices(session, now=now)


def _owe_notices(session: Session, *, now: datetime) -> None:
    for notice in notices.drain(session):
        if isinstance(notice, HomeChanged):
            # Drawn when sent, and once for a burst of changes (five quick adds: one publish).
            outbox.owe_rendered(
                session,
                workspace_id=notice.workspace_id,
                method="views.publish",
                render=HOME,
                args={"user_id": notice.user_id, "page": notice.page},
                coalesce_key=f"{notice.workspace_id}:{notice.user_id}:{notice.page}",
                now=now,
            )
            continue
        assert isinstance(notice, Said), notice
        for call in notice_views.render(notice):
            outbox.enqueue(
                session,
                workspace_id=notice.workspace_id,
                method=call.method,
                payload=call.payload,
                dedupe_key=call.dedupe_key,
                now=now,
            )


@contextmanager
def unit(
    runtime: Runtime, *, read_only: bool = False, now: datetime | None = None
) -> Iterator[Session]:
    """A transaction whose notices become outbox rows before it commits (jobs use this).

    now: when the rows are owed from (a job run for an instant owes them from that instant),
    by default the clock's time."""
    with transaction(runtime.sessions, read_only=read_only) as session:
        yield session
        owe_notices(session, now=runtime.clock.now() if now is None else now)
    if outbox.owes_slack(session):
        runtime.sender.kick()


def as_caller(
    runtime: Runtime,
    workspace_id: str,
    user_id: str,
    work: Callable[[Session, Actor], T],
    *,
    channel_id: str | None = None,
    read_only: bool = False,
    home_changed: bool = False,
    from_home: bool = False,
) -> T:
    """Run `work` for the caller in one transaction: all of it is written, or none of it.

    read_only: `work` only reads (a write raises), so for a known member the transaction
    takes no write lock on SQLite. home_changed: the change shows on the caller's App Home,
    which is owed a refresh in the same transaction (so a refused change owes none) when they
    may be looking at it (bot.services.home.in_view); from_home: it was made there, so they are.

    A manager typing in a team's channel acts for that team (a manager may run several teams,
    or none as a member); everyone else acts for their own team.

    The caller's Slack profile (name, time zone, admin flag) is looked up first, outside the
    transaction, when we have none or it is a day old, so no lock is held while Slack answers.
    """
    now = runtime.clock.now()
    with transaction(runtime.sessions, read_only=read_only) as session:
        member = find_caller(session, workspace_id, user_id)
        known = member is not None and not profile_is_stale(member, now=now)
        if member is not None and known:
            result = _act(session, member, work, channel_id, now, home_changed, from_home)
        owes_slack = outbox.owes_slack(session)
    if not known:
        # Nothing was written above: the work is done again, with the profile, from scratch.
        profile = fetch_profile(runtime, workspace_id, user_id)
        with transaction(runtime.sessions) as session:
            member = ensure_member(session, workspace_id, user_id, now=now)
            if profile is not None:
                apply_profile(member, profile, now=now)
            result = _act(session, member, work, channel_id, now, home_changed, from_home)
            owes_slack = outbox.owes_slack(session)
    if owes_slack:
        runtime.sender.kick()
    return result


def answer(
    runtime: Runtime,
    workspace_id: str,
    user_id: str,
    work: Callable[[Session, Actor], Message],
    *,
    channel_id: str | None = None,
    read_only: bool = False,
    home_changed: bool = False,
    naming: str | None = None,
) -> Message:
    """`as_caller` for a reply: a refusal becomes the friendly "no", and an Unwritten its
    message (nothing was written in either case).

    naming: the Slack user the command gives a team, a manager's role, a deal or a target. Slack
    is asked who they are first, outside the transaction; someone Slack does not know, a
    deactivated user, a bot or a member of another workspace is refused before anything is
    written, and the member row of anyone else gets Slack's name and time zone."""
    if naming is not None:
        checked = look_up_person(runtime, workspace_id, naming)
        problem = checked if isinstance(checked, str) else roster_problem(checked, workspace_id)
        if problem is not None:
            with in_caller_language(runtime, workspace_id, user_id):
                return person_refused(naming, problem)
        assert not isinstance(checked, str)
        work = _with_profile(checked, work)
    try:
        return as_caller(
            runtime,
            workspace_id,
            user_id,
            work,
            channel_id=channel_id,
            read_only=read_only,
            home_changed=home_changed,
        )
    except Refused as refused:
        # Already worded in the caller's language, where it was raised.
        return refusal(refused.message, refused.usage)
    except Unwritten as unwritten:
        return unwritten.message


def answer_command(
    runtime: Runtime,
    command: dict[str, Any],
    work: Callable[[Session, Actor], Message],
    *,
    read_only: bool = False,
) -> Message:
    """`answer` for a slash command, by its workspace, caller and channel."""
    return answer(
        runtime,
        command["team_id"],
        command["user_id"],
        work,
        channel_id=command.get("channel_id"),
        read_only=read_only,
    )


def _with_profile(
    profile: Profile, work: Callable[[Session, Actor], Message]
) -> Callable[[Session, Actor], Message]:
    def work_with_profile(session: Session, actor: Actor) -> Message:
        named = ensure_member(session, actor.workspace_id, profile.user_id, now=actor.now)
        apply_profile(named, profile, now=actor.now)
        return work(session, actor)

    return work_with_profile


def answer_later(
    runtime: Runtime,
    workspace_id: str,
    user_id: str,
    work: Callable[[Session, Actor], Message | None],
    *,
    channel_id: str,
    ephemeral: bool = True,
    home_changed: bool = False,
    from_home: bool = False,
) -> None:
    """For surfaces whose ack carries no message (a submitted form, a button in App Home): the
    reply is owed in `channel_id` (ephemeral, or a plain message in a DM), written in the
    change's own transaction; a refusal (or an Unwritten answer) is owed in a transaction of
    its own."""

    def work_and_reply(session: Session, actor: Actor) -> None:
        message = work(session, actor)
        if message is not None:
            _owe_reply(
                session, workspace_id, user_id, channel_id, message, ephemeral, now=actor.now
            )

    try:
        as_caller(
            runtime,
            workspace_id,
            user_id,
            work_and_reply,
            channel_id=channel_id,
            home_changed=home_changed,
            from_home=from_home,
        )
    except (Refused, Unwritten) as refused:
        reply = (
            refused.message
            if isinstance(refused, Unwritten)
            else refusal(refused.message, refused.usage)
        )
        with unit(runtime) as session:
            _owe_reply(
                session,
                workspace_id,
                user_id,
                channel_id,
                reply,
                ephemeral,
                now=runtime.clock.now(),
            )


def form_or_tell(
    runtime: Runtime,
    workspace_id: str,
    user_id: str,
    build: Callable[[Session, Actor], dict[str, Any]],
) -> dict[str, Any] | None:
    """A form to open for a button with no reply of its own; None when refused, the refusal
    then owed to the member's DM."""
    try:
        return as_caller(runtime, workspace_id, user_id, build)
    except Refused as refused:
        tell(runtime, workspace_id, user_id, refusal(refused.message))
        return None


def tell(runtime: Runtime, workspace_id: str, user_id: str, message: Message) -> None:
    """Owe a member a DM that no change goes with (a refusal where no ack can carry it)."""
    with unit(runtime) as session:
        _owe_reply(session, workspace_id, user_id, user_id, message, False, now=runtime.clock.now())


def _owe_reply(
    session: Session,
    workspace_id: str,
    user_id: str,
    channel_id: str,
    message: Message,
    ephemeral: bool,
    *,
    now: datetime,
) -> None:
    method = "chat.postEphemeral" if ephemeral else "chat.postMessage"
    payload = {"channel": channel_id, "text": message["text"]}
    if ephemeral:
        payload["user"] = user_id
    if message.get("blocks"):
        payload["blocks"] = message["blocks"]
    outbox.enqueue(session, workspace_id=workspace_id, method=method, payload=payload, now=now)


def _act(
    session: Session,
    member: Member,
    work: Callable[[Session, Actor], T],
    channel_id: str | None,
    now: datetime,
    home_changed: bool,
    from_home: bool = False,
) -> T:
    actor = Actor(
        member=member,
        team=team_in_context(session, member, channel_id),
        now=now,
        today=now.astimezone(local_zone(member.timezone)).date(),
    )
    with use_language(member_language(session, member)), dated(actor.today):
        result = work(session, actor)
    if from_home:
        member.home_seen_at = now
    if home_changed and (from_home or homes.in_view(member, now)):
        notices.record(
            session,
            HomeChanged(workspace_id=member.workspace_id, user_id=member.slack_user_id),
        )
    owe_notices(session, now=now)
    return result


def caller_language(runtime: Runtime, workspace_id: str, user_id: str) -> str:
    """The language to answer a member in, from what we know of them (no call to Slack)."""
    with reading(runtime.sessions) as session:
        member = find_member(session, workspace_id, user_id)
        if member is None:
            return workspace_language(session, workspace_id)
        return member_language(session, member)


def caller_field_words(
    runtime: Runtime, workspace_id: str, user_id: str, channel_id: str | None
) -> tuple[str, frozenset[str]]:
    """The language to answer a member in, and the names of the deal fields of the team they
    act for (bot.services.segments), from what we know of them: one read, no call to Slack."""
    with reading(runtime.sessions) as session:
        member = find_member(session, workspace_id, user_id)
        if member is None:
            return workspace_language(session, workspace_id), frozenset()
        team = team_in_context(session, member, channel_id)
        fields = segments.team_fields(session, workspace_id, team.id if team else None)
        return member_language(session, member), words_of(fields)


def caller_activity_words(
    runtime: Runtime, workspace_id: str, user_id: str, channel_id: str | None
) -> tuple[str, dict[str, str]]:
    """The language to answer a member in, and the words of the activity kinds of the team
    they act for (bot.services.activities): one read, no call to Slack."""
    with reading(runtime.sessions) as session:
        member = find_member(session, workspace_id, user_id)
        if member is None:
            return workspace_language(session, workspace_id), activities.team_words(session, None)
        team = team_in_context(session, member, channel_id)
        return member_language(session, member), activities.team_words(session, team)


@contextmanager
def in_caller_language(runtime: Runtime, workspace_id: str, user_id: str) -> Iterator[None]:
    """Say what needs no transaction of its own (usage, parse errors, expired buttons) in the
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


def given_up(session: Session, message: OutboxMessage, now: datetime) -> None:
    """Slack refused a message for good (the sender's hook): a person it was for is shown to
    their managers on their App Home."""
    if deliveries.tell_managers(session, message):
        owe_notices(session, now=now)


def owe_home(runtime: Runtime, workspace_id: str, user_id: str, page: int = 0) -> None:
    """Owe a member a fresh App Home, when nothing else is being changed (they opened it)."""
    with unit(runtime) as session:
        homes.seen(session, workspace_id, user_id, runtime.clock.now())
        notices.record(session, HomeChanged(workspace_id=workspace_id, user_id=user_id, page=page))


def render_home(runtime: Runtime, workspace_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """The views.publish payload of a member's App Home as it is now (a sender renderer)."""
    user_id = str(args["user_id"])

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return home_views.home_view(home(session, actor, page=int(args.get("page", 0))))

    # Not read-only: drawing it may create what a member who never had them lacks (their
    # team's stand-up settings).
    return {"user_id": user_id, "view": as_caller(runtime, workspace_id, user_id, work)}


def submit(
    runtime: Runtime,
    workspace_id: str,
    user_id: str,
    work: Callable[[Session, Actor], object],
    *,
    refused_field: str,
    home_changed: bool = False,
    from_home: bool = False,
) -> dict[str, str] | None:
    """`as_caller` for a modal's submission: None when it was saved, else the errors to show on
    its fields (Slack's `response_action: errors`); a refusal is shown on `refused_field`."""
    try:
        as_caller(
            runtime, workspace_id, user_id, work, home_changed=home_changed, from_home=from_home
        )
    except FormErrors as errors:
        return errors.fields
    except Refused as refused:
        return {refused_field: refused.plain[:150]}
    return None
