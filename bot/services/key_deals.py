"""Key deals that stall: a team's big open deals with no change for a while are told to its
managers, once per quiet spell.

A deal's quiet spell starts at its last change (its newest deal event; a deal with none, at
its creation). The spell is told once: a `key_deal_alert` row keyed by (deal, quiet since) is
inserted in the same transaction as the DMs, so two clocks, or a clock and a `run-due`, tell
it once between them. A change ends the spell; the next one, if it lasts, is told again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.domain import admin_command as cmd
from bot.domain.amounts import AmountError, Money, parse_amount, require_positive
from bot.domain.zones import local_zone
from bot.i18n import _
from bot.results.admin import KeyDealSetting
from bot.results.notices import KeyDealQuiet
from bot.services import notices
from bot.services.actor import Actor, require_manager
from bot.services.directory import team_managers
from bot.services.errors import Refused
from bot.services.language import member_language
from bot.services.metrics import rates_of
from bot.services.once import insert_once
from models import Deal, DealEvent, KeyDealAlert, Member, SalesTeam, StageDef
from models.base import UTCDateTime

# Told in the team's morning, not at 3 a.m.: a spell that ripens overnight waits until then.
TELL_FROM_HOUR = 9


def setting(team: SalesTeam) -> KeyDealSetting:
    """The team's key-deal alerts as they are set."""
    size = None if team.key_deal_amount is None else Money(team.key_deal_amount, team.currency)
    return KeyDealSetting(team.name, size, team.key_deal_days)


def change(actor: Actor, team: SalesTeam, command: cmd.KeyDeal) -> KeyDealSetting:
    """Show, size, re-time or switch off the team's key-deal alerts (managers change them)."""
    if command.action == "show":
        return setting(team)
    require_manager(actor)
    if command.action == "off":
        team.key_deal_amount = None
    elif command.action == "days":
        team.key_deal_days = command.days
    else:
        team.key_deal_amount = _size(team, command.amount_text)
    return KeyDealSetting(
        team.name,
        None if team.key_deal_amount is None else Money(team.key_deal_amount, team.currency),
        team.key_deal_days,
        changed=command.action,
    )


def _size(team: SalesTeam, text: str) -> Decimal:
    try:
        money = require_positive(parse_amount(text, team.currency))
    except AmountError as error:
        raise Refused.plain_text(str(error), cmd.USAGE["keydeal"]) from None
    if money.currency != team.currency:
        raise Refused(
            _("Give the size in the team currency, {currency}: deals are compared in it."),
            cmd.USAGE["keydeal"],
            currency=team.currency,
        )
    return money.amount


@dataclass(frozen=True)
class _Quiet:
    deal: Deal
    owner: Member
    quiet_since: datetime


def teams_with_key_deals(session: Session) -> list[int]:
    """The teams whose key-deal alerts are on."""
    query = select(SalesTeam.id).where(SalesTeam.key_deal_amount.is_not(None))
    return list(session.scalars(query.order_by(SalesTeam.id)))


def tell_quiet_deals(session: Session, team: SalesTeam, now: datetime) -> int:
    """DM the team's managers about each key deal whose quiet spell reached the team's days
    and was not told yet; how many spells were told."""
    if team.key_deal_amount is None or now.astimezone(local_zone(team.timezone)).hour < (
        TELL_FROM_HOUR
    ):
        return 0
    rates = rates_of(session, team)
    told = 0
    for quiet in _quiet_deals(session, team, now):
        value = rates.value(quiet.deal.amount, quiet.deal.currency)
        # A deal in a currency the team has no rate for counts for nothing, here as anywhere.
        if value is None or value < team.key_deal_amount:
            continue
        if _claim(session, team, quiet, now):
            _tell(session, team, quiet, value, now)
            told += 1
    return told


def _quiet_deals(session: Session, team: SalesTeam, now: datetime) -> list[_Quiet]:
    """The team's open deals with no change since the team's quiet days ago (those in the
    team currency below the size left out at once; the others are valued by the caller)."""
    last_change = (
        select(func.max(DealEvent.at))
        .where(DealEvent.deal_id == Deal.id)
        .correlate(Deal)
        .scalar_subquery()
    )
    # Typed, so SQLite's stored text comes back as an aware datetime and binds alike.
    since = func.coalesce(last_change, Deal.created_at, type_=UTCDateTime())
    query = (
        select(Deal, Member, since)
        .join(Member, Deal.owner_id == Member.id)
        .where(
            Deal.workspace_id == team.workspace_id,
            Deal.team_id == team.id,
            Deal.closed_at.is_(None),
            Deal.deleted_at.is_(None),
            or_(Deal.currency != team.currency, Deal.amount >= team.key_deal_amount),
            since <= now - timedelta(days=team.key_deal_days),
        )
        .order_by(Deal.number)
    )
    return [_Quiet(deal, owner, at) for deal, owner, at in session.execute(query)]


def _claim(session: Session, team: SalesTeam, quiet: _Quiet, now: datetime) -> bool:
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "deal_id": quiet.deal.id,
        "quiet_since": quiet.quiet_since,
        "reported_at": now,
    }
    # The unique (deal, quiet since) is the guarantee: a spell is told once, whoever asks.
    return insert_once(session, KeyDealAlert, values, ["deal_id", "quiet_since"])


def _tell(session: Session, team: SalesTeam, quiet: _Quiet, value: Decimal, now: datetime) -> None:
    deal = quiet.deal
    stage = session.scalars(
        select(StageDef).where(
            StageDef.workspace_id == deal.workspace_id, StageDef.key == deal.stage
        )
    ).first()
    zone = local_zone(team.timezone)
    for manager in team_managers(session, team):
        notices.record(
            session,
            KeyDealQuiet(
                workspace_id=team.workspace_id,
                # A DM to one manager: in their language.
                language=member_language(session, manager),
                manager_user_id=manager.slack_user_id,
                deal_id=deal.id,
                deal_number=deal.number,
                customer=deal.customer,
                amount=deal.amount,
                currency=deal.currency,
                value=None if deal.currency == team.currency else Money(value, team.currency),
                stage_key=deal.stage,
                stage_label=stage.label if stage is not None else deal.stage,
                owner_user_id=quiet.owner.slack_user_id,
                quiet_since=quiet.quiet_since.astimezone(zone).date(),
                quiet_days=(now - quiet.quiet_since).days,
                close_date=deal.close_date,
                channel_id=team.channel_id,
            ),
        )
