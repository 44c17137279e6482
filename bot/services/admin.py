"""/salesbot: teams, managers, stages and team settings. Managers only, except looking."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.amounts import is_currency_code
from bot.domain.stages import StageError, resolve_stage
from bot.domain.text import escape_mrkdwn
from bot.services import deals
from bot.services.actor import Actor
from bot.services.directory import ensure_member, find_member, team_for_channel, team_members
from bot.services.errors import Refused
from models import FxRate, Member, SalesTeam, StageDef

MANAGERS_ONLY = (
    "Only managers can do that. Slack workspace admins and owners are managers, and they can "
    "name others with `/salesbot managers add @person`."
)


def require_manager(actor: Actor) -> None:
    """Refuse anyone who is not a manager."""
    if not actor.member.can_manage:
        raise Refused(MANAGERS_ONLY)


def team_here(session: Session, actor: Actor, channel_id: str) -> SalesTeam:
    """The team of the channel the command was typed in, else the caller's team."""
    team = team_for_channel(session, actor.workspace_id, channel_id) or actor.team
    if team is None:
        raise Refused(
            "There is no sales team here yet. Run `/salesbot setup` in the team's channel first."
        )
    return team


def add_to_team(session: Session, actor: Actor, team: SalesTeam, user_id: str) -> str:
    """Put a member into the team (moving them from any other team)."""
    require_manager(actor)
    member = ensure_member(session, actor.workspace_id, user_id, now=actor.now)
    if member.team_id == team.id:
        return f"<@{user_id}> is already in {escape_mrkdwn(team.name)}."
    moved = member.team_id is not None
    member.team_id = team.id
    member.removed_from_team_id = None
    member.updated_at = actor.now
    return f"Added <@{user_id}> to {escape_mrkdwn(team.name)}." + (
        " (They left their previous team.)" if moved else ""
    )


def remove_from_team(session: Session, actor: Actor, team: SalesTeam, user_id: str) -> str:
    """Take a member out of the team; their deals stay with them."""
    require_manager(actor)
    member = find_member(session, actor.workspace_id, user_id)
    if member is None or member.team_id != team.id:
        return f"<@{user_id}> is not in {escape_mrkdwn(team.name)}."
    member.team_id = None
    member.removed_from_team_id = team.id
    member.updated_at = actor.now
    return f"Removed <@{user_id}> from {escape_mrkdwn(team.name)}. Their deals stay theirs."


def list_team(session: Session, team: SalesTeam) -> str:
    """Who is in the team."""
    members = team_members(session, team)
    names = ", ".join(f"<@{m.slack_user_id}>" for m in members) or "nobody yet"
    return f"*{escape_mrkdwn(team.name)}* ({len(members)}): {names}"


def set_manager(session: Session, actor: Actor, user_id: str, *, manager: bool) -> str:
    """Name or un-name a manager of the workspace."""
    require_manager(actor)
    member = ensure_member(session, actor.workspace_id, user_id, now=actor.now)
    if not manager and member.is_slack_admin:
        return f"<@{user_id}> is a Slack workspace admin, so always a manager."
    if member.is_manager == manager:
        return f"<@{user_id}> {'is already' if manager else 'is not'} a manager."
    member.is_manager = manager
    member.updated_at = actor.now
    return f"<@{user_id}> {'is now a manager' if manager else 'is no longer a manager'}."


def list_managers(session: Session, actor: Actor) -> str:
    """Everyone who may manage this workspace."""
    query = select(Member).where(
        Member.workspace_id == actor.workspace_id,
        (Member.is_manager.is_(True)) | (Member.is_slack_admin.is_(True)),
    )
    people = ", ".join(f"<@{m.slack_user_id}>" for m in session.scalars(query))
    return f"Managers: {people or 'only Slack workspace admins and owners'}"


def list_stages(session: Session, actor: Actor) -> str:
    """The workspace's stages with their probabilities."""
    lines = [
        f"{s.position}. *{escape_mrkdwn(s.label)}* `{s.key}` {s.probability * 100:.0f}%"
        + ("" if s.kind == "open" else f" ({s.kind})")
        for s in deals.stage_list(session, actor.workspace_id)
    ]
    return "*Stages*\n" + "\n".join(lines)


def add_stage(session: Session, actor: Actor, key: str, probability: Decimal) -> str:
    """A new open stage, placed by its probability among the open ones."""
    require_manager(actor)
    key = key.casefold()
    stages = list(
        session.scalars(
            select(StageDef)
            .where(StageDef.workspace_id == actor.workspace_id)
            .order_by(StageDef.position)
        )
    )
    if any(s.key == key for s in stages):
        raise Refused(f"There is already a stage `{key}`.")
    open_stages = [s for s in stages if s.kind == "open"]
    position = sum(1 for s in open_stages if s.probability <= probability) + 1
    for stage in stages:
        if stage.position >= position:
            stage.position += 1
    session.add(
        StageDef(
            workspace_id=actor.workspace_id,
            key=key,
            label=key.capitalize(),
            probability=probability,
            kind="open",
            position=position,
        )
    )
    session.flush()
    return f"Added the stage *{key.capitalize()}* ({probability * 100:.0f}%).\n" + list_stages(
        session, actor
    )


def _stage_row(session: Session, actor: Actor, text: str) -> StageDef:
    try:
        stage = resolve_stage(text, deals.stage_list(session, actor.workspace_id))
    except StageError as error:
        raise Refused(escape_mrkdwn(str(error))) from None
    row = session.scalars(
        select(StageDef).where(
            StageDef.workspace_id == actor.workspace_id, StageDef.key == stage.key
        )
    ).one()
    return row


def set_stage_probability(session: Session, actor: Actor, text: str, probability: Decimal) -> str:
    """Re-weight a stage (won and lost stay at 100% and 0%)."""
    require_manager(actor)
    row = _stage_row(session, actor, text)
    if row.kind != "open":
        raise Refused(f"{row.label} is a closing stage: its probability stays as it is.")
    row.probability = probability
    return f"{escape_mrkdwn(row.label)} is now {probability * 100:.0f}%."


def rename_stage(session: Session, actor: Actor, text: str, label: str) -> str:
    """Give a stage a new display name (its key, used in commands and history, stays)."""
    require_manager(actor)
    row = _stage_row(session, actor, text)
    old = row.label
    row.label = label
    return f"Renamed {escape_mrkdwn(old)} to {escape_mrkdwn(label)}."


def set_currency(actor: Actor, team: SalesTeam, code: str) -> str:
    """Set the team's reporting currency."""
    require_manager(actor)
    if not is_currency_code(code):
        raise Refused(f"{code} is not a currency code I know (ISO 4217, e.g. CNY, USD).")
    team.currency = code
    return f"{escape_mrkdwn(team.name)} now reports in {code}. New deals default to {code}."


def set_stale_days(actor: Actor, team: SalesTeam, days: int) -> str:
    """Set after how many idle days a deal is stale."""
    require_manager(actor)
    team.stale_days = days
    return f"Deals with no update for {days} days now count as stale."


def set_fx(session: Session, actor: Actor, team: SalesTeam, currency: str, rate: Decimal) -> str:
    """Set how much of the team currency one unit of `currency` is worth."""
    require_manager(actor)
    if not is_currency_code(currency):
        raise Refused(f"{currency} is not a currency code I know (ISO 4217, e.g. EUR, USD).")
    if currency == team.currency:
        raise Refused(f"{currency} is the team currency already: its rate is always 1.")
    row = session.scalars(
        select(FxRate).where(FxRate.team_id == team.id, FxRate.currency == currency)
    ).one_or_none()
    if row is None:
        row = FxRate(
            workspace_id=team.workspace_id,
            team_id=team.id,
            currency=currency,
            rate=rate,
            set_by_id=actor.member.id,
            updated_at=actor.now,
        )
        session.add(row)
    row.rate = rate
    row.set_by_id = actor.member.id
    row.updated_at = actor.now
    return f"1 {currency} = {rate:f} {team.currency} for {escape_mrkdwn(team.name)}."


def list_fx(session: Session, team: SalesTeam) -> str:
    """The team's exchange rates."""
    rows = session.scalars(
        select(FxRate).where(FxRate.team_id == team.id).order_by(FxRate.currency)
    )
    lines = [f"1 {r.currency} = {r.rate.normalize():f} {team.currency}" for r in rows]
    return "\n".join(lines) or (
        f"No exchange rates yet: deals must be in {team.currency}. Add one with "
        "`/salesbot fx EUR 7.8`."
    )
