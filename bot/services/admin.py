"""/salesbot: teams, managers, stages and team settings. Managers only, except looking.

Each change returns a typed result (bot.results.admin); bot.views.admin words it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import admin_command as cmd
from bot.domain.amounts import is_currency_code
from bot.domain.stages import StageError, resolve_stage, shown_label
from bot.i18n import _
from bot.results.admin import (
    AddedToTeam,
    FxRate,
    FxRateSet,
    FxRatesListed,
    ManagerChanged,
    ManagersListed,
    RemovedFromTeam,
    StageAdded,
    StageRenamed,
    StageReweighted,
    StagesListed,
    StaleDaysSet,
    TeamListed,
    TeamSetUp,
)
from bot.services import currency as currency_service
from bot.services import deals
from bot.services.actor import Actor, require_manager
from bot.services.directory import (
    Profile,
    ensure_member,
    find_member,
    setup_team,
    team_for_channel,
    team_members,
)
from bot.services.errors import Refused
from bot.services.roster import refresh_team
from models import FxRate as FxRateRow
from models import Member, SalesTeam, StageDef


def team_here(session: Session, actor: Actor, channel_id: str) -> SalesTeam:
    """The team of the channel the command was typed in, else the caller's team."""
    team = team_for_channel(session, actor.workspace_id, channel_id) or actor.team
    if team is None:
        raise Refused(
            _("There is no sales team here yet. Run `/salesbot setup` in the team's channel first.")
        )
    return team


def set_up(
    session: Session,
    actor: Actor,
    *,
    channel_id: str,
    channel_name: str,
    profiles: Sequence[Profile],
    currency: str | None,
) -> TeamSetUp:
    """Bind the channel to a team (new, or the one it has) and bring in its human members.

    `channel_name` and `profiles` were read from Slack beforehand, outside the transaction.
    """
    require_manager(actor)
    team, created = setup_team(
        session,
        workspace_id=actor.workspace_id,
        channel_id=channel_id,
        channel_name=channel_name,
        timezone=actor.member.timezone,
        now=actor.now,
    )
    if currency and currency != team.currency:
        # A team that has numbers in its currency switches through `/salesbot currency`,
        # which converts them.
        if not created and currency_service.has_money(session, team):
            raise Refused(
                _(
                    "{team} already reports in {old} and has deals, targets or exchange rates "
                    "in it: switch with `/salesbot currency {new} &lt;rate&gt;`, which converts "
                    "them."
                ),
                cmd.USAGE["currency"],
                team=team.name,
                old=team.currency,
                new=currency,
            )
        team.currency = currency
    refresh_team(session, team, profiles, now=actor.now)
    # The team as `/salesbot team` and the stand-up count it, hand-added members included.
    members = team_members(session, team)
    return TeamSetUp(
        team_name=team.name,
        created=created,
        member_user_ids=tuple(m.slack_user_id for m in members),
        currency=team.currency,
        timezone=team.timezone,
    )


def add_to_team(session: Session, actor: Actor, team: SalesTeam, user_id: str) -> AddedToTeam:
    """Put a member into the team (moving them from any other team)."""
    require_manager(actor)
    member = ensure_member(session, actor.workspace_id, user_id, now=actor.now)
    if member.team_id == team.id:
        return AddedToTeam(user_id, team.name, already=True)
    moved = member.team_id is not None
    member.team_id = team.id
    member.removed_from_team_id = None
    member.updated_at = actor.now
    return AddedToTeam(user_id, team.name, moved=moved)


def remove_from_team(
    session: Session, actor: Actor, team: SalesTeam, user_id: str
) -> RemovedFromTeam:
    """Take a member out of the team; their deals stay with them."""
    require_manager(actor)
    member = find_member(session, actor.workspace_id, user_id)
    if member is None or member.team_id != team.id:
        return RemovedFromTeam(user_id, team.name, removed=False)
    member.team_id = None
    member.removed_from_team_id = team.id
    member.updated_at = actor.now
    return RemovedFromTeam(user_id, team.name, removed=True)


def list_team(session: Session, team: SalesTeam) -> TeamListed:
    """Who is in the team."""
    members = team_members(session, team)
    return TeamListed(team.name, tuple(m.slack_user_id for m in members))


def set_manager(session: Session, actor: Actor, user_id: str, *, manager: bool) -> ManagerChanged:
    """Name or un-name a manager of the workspace."""
    require_manager(actor)
    member = ensure_member(session, actor.workspace_id, user_id, now=actor.now)
    if not manager and member.is_slack_admin:
        return ManagerChanged(user_id, manager, changed=False, slack_admin=True)
    if member.is_manager == manager:
        return ManagerChanged(user_id, manager, changed=False)
    member.is_manager = manager
    member.updated_at = actor.now
    return ManagerChanged(user_id, manager, changed=True)


def list_managers(session: Session, actor: Actor) -> ManagersListed:
    """Everyone who may manage this workspace."""
    query = select(Member).where(
        Member.workspace_id == actor.workspace_id,
        (Member.is_manager.is_(True)) | (Member.is_slack_admin.is_(True)),
    )
    return ManagersListed(tuple(m.slack_user_id for m in session.scalars(query)))


def list_stages(session: Session, actor: Actor) -> StagesListed:
    """The workspace's stages with their probabilities."""
    return StagesListed(tuple(deals.stage_list(session, actor.workspace_id)))


def add_stage(session: Session, actor: Actor, key: str, probability: Decimal) -> StageAdded:
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
        raise Refused(_("There is already a stage `{key}`."), cmd.USAGE["stages"], key=key)
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
    return StageAdded(key.capitalize(), probability, list_stages(session, actor).stages)


def _stage_row(session: Session, actor: Actor, text: str) -> StageDef:
    try:
        stage = resolve_stage(text, deals.stage_list(session, actor.workspace_id))
    except StageError as error:
        if error.meant is not None:
            raise Refused(
                _("`{text}` is not a stage here. Did you mean `{meant}`?"),
                cmd.USAGE["stages"],
                text=text[:40],
                meant=error.meant,
            ) from None
        raise Refused(
            _("`{text}` is not a stage here: `/salesbot stages` lists them."),
            cmd.USAGE["stages"],
            text=text[:40],
        ) from None
    row = session.scalars(
        select(StageDef).where(
            StageDef.workspace_id == actor.workspace_id, StageDef.key == stage.key
        )
    ).one()
    return row


def set_stage_probability(
    session: Session, actor: Actor, text: str, probability: Decimal
) -> StageReweighted:
    """Re-weight a stage (won and lost stay at 100% and 0%)."""
    require_manager(actor)
    row = _stage_row(session, actor, text)
    if row.kind != "open":
        raise Refused(
            _("{stage} is a closing stage: its probability stays as it is."),
            cmd.USAGE["stages"],
            stage=shown_label(row.key, row.label),
        )
    row.probability = probability
    return StageReweighted(shown_label(row.key, row.label), probability)


def rename_stage(session: Session, actor: Actor, text: str, label: str) -> StageRenamed:
    """Give a stage a new display name (its key, used in commands and history, stays)."""
    require_manager(actor)
    row = _stage_row(session, actor, text)
    old = shown_label(row.key, row.label)
    row.label = label
    return StageRenamed(old, label)


def set_stale_days(actor: Actor, team: SalesTeam, days: int) -> StaleDaysSet:
    """Set after how many idle days a deal is stale."""
    require_manager(actor)
    team.stale_days = days
    return StaleDaysSet(days)


def set_fx(
    session: Session, actor: Actor, team: SalesTeam, currency: str, rate: Decimal
) -> FxRateSet:
    """Set how much of the team currency one unit of `currency` is worth."""
    require_manager(actor)
    if not is_currency_code(currency):
        raise Refused(
            _("`{code}` is not a currency code I know (ISO 4217, e.g. EUR, USD)."),
            cmd.USAGE["fx"],
            code=currency,
        )
    if currency == team.currency:
        raise Refused(
            _("`{code}` is the team currency already: its rate is always 1."),
            cmd.USAGE["fx"],
            code=currency,
        )
    row = session.scalars(
        select(FxRateRow).where(FxRateRow.team_id == team.id, FxRateRow.currency == currency)
    ).one_or_none()
    if row is None:
        row = FxRateRow(
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
    return FxRateSet(team.name, team.currency, FxRate(currency, rate))


def list_fx(session: Session, team: SalesTeam) -> FxRatesListed:
    """The team's exchange rates."""
    rows = session.scalars(
        select(FxRateRow).where(FxRateRow.team_id == team.id).order_by(FxRateRow.currency)
    )
    return FxRatesListed(team.currency, tuple(FxRate(r.currency, r.rate) for r in rows))
