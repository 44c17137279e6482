"""Which language a member, or a workspace's channels, get."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import i18n
from bot.results.admin import LanguageSet, LanguageShown
from bot.services.actor import Actor
from bot.services.errors import Refused
from models import Member, Workspace


def workspace_language(session: Session, workspace_id: str) -> str:
    """The language of channel messages: the workspace default, else English."""
    workspace = session.get(Workspace, workspace_id)
    return i18n.normalise(workspace.language if workspace else None) or i18n.DEFAULT


def member_language(session: Session, member: Member) -> str:
    """Own choice, else the workspace default, else the Slack locale, else English."""
    workspace = session.get(Workspace, member.workspace_id)
    return i18n.choose(member.language, workspace.language if workspace else None, member.locale)


def set_language(
    session: Session, actor: Actor, language: str | None, *, workspace: bool
) -> LanguageShown | LanguageSet:
    """Choose a language for oneself, or (managers) the workspace default."""
    if language is None:
        return LanguageShown(member_language(session, actor.member))
    if not workspace:
        actor.member.language = language
        return LanguageSet(language, workspace=False)
    if not actor.member.can_manage:
        raise Refused(i18n._("Only managers can change the workspace's language."))
    row = session.get(Workspace, actor.workspace_id)
    assert row is not None
    row.language = language
    return LanguageSet(language, workspace=True)
