"""Reading Slack's directory: who a user is, who is in a channel."""

from __future__ import annotations

import logging
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.runtime import Runtime
from bot.services.directory import Profile

log = logging.getLogger(__name__)


def profile_from_user(user: dict[str, Any]) -> Profile:
    """A Profile from a users.info / users.list user object."""
    profile = user.get("profile") or {}
    # Reports and charts read best with full names ("李雷"), so the real name comes first.
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name")
    return Profile(
        user_id=str(user["id"]),
        name=str(name or user.get("name") or user["id"]),
        timezone=str(user.get("tz") or "UTC"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        is_deleted=bool(user.get("deleted")),
        locale=user.get("locale"),
        workspace_id=str(user["team_id"]) if user.get("team_id") else None,
    )


def look_up_person(
    runtime: Runtime, workspace_id: str, user_id: str
) -> Profile | Literal["not_found", "unreachable"]:
    """Who a person named in a command is, telling "Slack knows no such user" apart from
    "Slack did not answer" (the one is refused, the other asked again)."""
    try:
        response = runtime.lookup_client_for(workspace_id).users_info(
            user=user_id, include_locale=True
        )
    except SlackApiError as error:
        code = error.response.get("error") if error.response else None
        if code in ("user_not_found", "invalid_arguments"):
            return "not_found"
        log.warning("person.lookup_failed user=%s error=%s", user_id, code)
        return "unreachable"
    except (SlackClientError, OSError) as error:
        log.warning("person.lookup_failed user=%s error=%s", user_id, type(error).__name__)
        return "unreachable"
    user = response.get("user")
    return profile_from_user(user) if isinstance(user, dict) else "not_found"


def look_up_email(
    runtime: Runtime, workspace_id: str, email: str
) -> Profile | Literal["not_found", "unreachable"]:
    """The Slack user with this e-mail address (a CRM deal's owner), asked of Slack with the
    sender's client (this runs off the request path, so it may retry)."""
    try:
        response = runtime.client_for(workspace_id).users_lookupByEmail(email=email)
    except SlackApiError as error:
        code = error.response.get("error") if error.response else None
        if code in ("users_not_found", "invalid_email"):
            return "not_found"
        log.warning("person.email_lookup_failed error=%s", code)
        return "unreachable"
    except (SlackClientError, OSError) as error:
        log.warning("person.email_lookup_failed error=%s", type(error).__name__)
        return "unreachable"
    user = response.get("user")
    return profile_from_user(user) if isinstance(user, dict) else "not_found"


def fetch_profile(runtime: Runtime, workspace_id: str, user_id: str) -> Profile | None:
    """Ask Slack who a user is; None when Slack does not answer (we carry on without)."""
    try:
        response = runtime.lookup_client_for(workspace_id).users_info(
            user=user_id, include_locale=True
        )
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("profile.lookup_failed user=%s error=%s", user_id, type(error).__name__)
        return None
    user = response.get("user")
    return profile_from_user(user) if isinstance(user, dict) else None


def channel_profiles(runtime: Runtime, workspace_id: str, channel_id: str) -> list[Profile]:
    """Everyone in a channel, as Slack describes them."""
    client = runtime.lookup_client_for(workspace_id)
    user_ids: list[str] = []
    cursor = None
    while True:
        page = client.conversations_members(channel=channel_id, cursor=cursor, limit=200)
        user_ids += list(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    profiles = [fetch_profile(runtime, workspace_id, user_id) for user_id in user_ids]
    return [p for p in profiles if p is not None]


def channel_name(client: WebClient, channel_id: str) -> str:
    """The channel's name, or its id when Slack will not say."""
    try:
        info = client.conversations_info(channel=channel_id)
    except (SlackApiError, SlackClientError):
        return channel_id
    return str((info.get("channel") or {}).get("name") or channel_id)
