"""/salesbot: teams, managers, stages and team settings. Managers only, except looking."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.amounts import is_currency_code
from bot.domain.stages import StageError, resolve_stage, shown_label
from bot.domain.text import escape_mrkdwn
from bot.i18n import N_, _, ngettext
from bot.services import deals
from bot.services.actor import Actor
from bot.services.directory import ensure_member, find_member, team_for_channel, team_members
from bot.services.errors import Refused
from models import FxRate, Member, SalesTeam, StageDef

MANAGERS_ONLY = N_(
    "Only managers can do that. Slack workspace admins and owners are managers, and they can "
    "name others with `/salesbot managers add @person`."
)


def require_manager(actor: Actor) -> None:
    """Refuse anyone who is not a manager."""
    if not actor.member.can_manage:
        raise Refused(_(MANAGERS_ONLY))


def team_here(session: Session, actor: Actor, channel_id: str) -> SalesTeam:
    """The team of the channel the command was typed in, else the caller's team."""
    team = team_for_channel(session, actor.workspace_id, channel_id) or actor.team
    if team is None:
        raise Refused(
            _("There is no sales team here yet. Run `/salesbot setup` in the team's channel first.")
        )
    return team


def add_to_team(session: Session, actor: Actor, team: SalesTeam, user_id: str) -> str:
    """Put a member into the team (moving them from any other team)."""
    require_manager(actor)
    member = ensure_member(session, actor.workspace_id, user_id, now=actor.now)
    person, name = f"<@{user_id}>", escape_mrkdwn(team.name)
    if member.team_id == team.id:
        return _("{person} is already in {team}.").format(person=person, team=name)
    moved = member.team_id is not None
    member.team_id = team.id
    member.removed_from_team_id = None
    member.updated_at = actor.now
    if moved:
        return _("Added {person} to {team}. (They left their previous team.)").format(
            person=person, team=name
        )
    return _("Added {person} to {team}.").format(person=person, team=name)


def remove_from_team(session: Session, actor: Actor, team: SalesTeam, user_id: str) -> str:
    """Take a member out of the team; their deals stay with them."""
    require_manager(actor)
    member = find_member(session, actor.workspace_id, user_id)
    person, name = f"<@{user_id}>", escape_mrkdwn(team.name)
    if member is None or member.team_id != team.id:
        return _("{person} is not in {team}.").format(person=person, team=name)
    member.team_id = None
    member.removed_from_team_id = team.id
    member.updated_at = actor.now
    return _("Removed {person} from {team}. Their deals stay theirs.").format(
        person=person, team=name
    )


def list_team(session: Session, team: SalesTeam) -> str:
    """Who is in the team."""
    members = team_members(session, team)
    names = ", ".join(f"<@{m.slack_user_id}>" for m in members) or _("nobody yet")
    return f"*{escape_mrkdwn(team.name)}* ({len(members)}): {names}"


def set_manager(session: Session, actor: Actor, user_id: str, *, manager: bool) -> str:
    """Name or un-name a manager of the workspace."""
    require_manager(actor)
    member = ensure_member(session, actor.workspace_id, user_id, now=actor.now)
    person = f"<@{user_id}>"
    if not manager and member.is_slack_admin:
        return _("{person} is a Slack workspace admin, so always a manager.").format(person=person)
    if member.is_manager == manager:
        text = _("{person} is already a manager.") if manager else _("{person} is not a manager.")
        return text.format(person=person)
    member.is_manager = manager
    member.updated_at = actor.now
    text = _("{person} is now a manager.") if manager else _("{person} is no longer a manager.")
    return text.format(person=person)


def list_managers(session: Session, actor: Actor) -> str:
    """Everyone who may manage this workspace."""
    query = select(Member).where(
        Member.workspace_id == actor.workspace_id,
        (Member.is_manager.is_(True)) | (Member.is_slack_admin.is_(True)),
    )
    people = ", ".join(f"<@{m.slack_user_id}>" for m in session.scalars(query))
    return _("Managers: {people}").format(
        people=people or _("only Slack workspace admins and owners")
    )


def list_stages(session: Session, actor: Actor) -> str:
    """The workspace's stages with their probabilities."""
    kinds = {"won": _("won"), "lost": _("lost")}
    lines = [
        f"{s.position}. *{escape_mrkdwn(s.label)}* `{s.key}` {s.probability * 100:.0f}%"
        + ("" if s.kind == "open" else f" ({kinds.get(s.kind, s.kind)})")
        for s in deals.stage_list(session, actor.workspace_id)
    ]
    return _("*Stages*") + "\n" + "\n".join(lines)


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
        raise Refused(_("There is already a stage `{key}`.").format(key=key))
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
    added = _("Added the stage *{stage}* ({percent}%).").format(
        stage=key.capitalize(), percent=f"{probability * 100:.0f}"
    )
    return added + "\n" + list_stages(session, actor)


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
        raise Refused(
            _("{stage} is a closing stage: its probability stays as it is.").format(
                stage=shown_label(row.key, row.label)
            )
        )
    row.probability = probability
    return _("{stage} is now {percent}%.").format(
        stage=escape_mrkdwn(shown_label(row.key, row.label)), percent=f"{probability * 100:.0f}"
    )


def rename_stage(session: Session, actor: Actor, text: str, label: str) -> str:
    """Give a stage a new display name (its key, used in commands and history, stays)."""
    require_manager(actor)
    row = _stage_row(session, actor, text)
    old = shown_label(row.key, row.label)
    row.label = label
    return _("Renamed {old} to {new}.").format(old=escape_mrkdwn(old), new=escape_mrkdwn(label))


def set_currency(actor: Actor, team: SalesTeam, code: str) -> str:
    """Set the team's reporting currency."""
    require_manager(actor)
    if not is_currency_code(code):
        raise Refused(
            _("{code} is not a currency code I know (ISO 4217, e.g. CNY, USD).").format(code=code)
        )
    team.currency = code
    return _("{team} now reports in {code}. New deals default to {code}.").format(
        team=escape_mrkdwn(team.name), code=code
    )


def set_stale_days(actor: Actor, team: SalesTeam, days: int) -> str:
    """Set after how many idle days a deal is stale."""
    require_manager(actor)
    team.stale_days = days
    return ngettext(
        "Deals with no update for {days} day now count as stale.",
        "Deals with no update for {days} days now count as stale.",
        days,
    ).format(days=days)


def set_fx(session: Session, actor: Actor, team: SalesTeam, currency: str, rate: Decimal) -> str:
    """Set how much of the team currency one unit of `currency` is worth."""
    require_manager(actor)
    if not is_currency_code(currency):
        raise Refused(
            _("{code} is not a currency code I know (ISO 4217, e.g. EUR, USD).").format(
                code=currency
            )
        )
    if currency == team.currency:
        raise Refused(
            _("{code} is the team currency already: its rate is always 1.").format(code=currency)
        )
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
    return _("1 {currency} = {rate} {team_currency} for {team}.").format(
        currency=currency,
        rate=f"{rate:f}",
        team_currency=team.currency,
        team=escape_mrkdwn(team.name),
    )


def list_fx(session: Session, team: SalesTeam) -> str:
    """The team's exchange rates."""
    rows = session.scalars(
        select(FxRate).where(FxRate.team_id == team.id).order_by(FxRate.currency)
    )
    lines = [f"1 {r.currency} = {r.rate.normalize():f} {team.currency}" for r in rows]
    return "\n".join(lines) or _(
        "No exchange rates yet: deals must be in {currency}. Add one with `/salesbot fx EUR 7.8`."
    ).format(currency=team.currency)
