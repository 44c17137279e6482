"""Switching a team's reporting currency without breaking its numbers.

A team with deals, money targets, exchange rates or reward bonuses is not switched at once:
the manager gives the rate (`/salesbot currency EUR 0.128`: 1 CNY is worth 0.128 EUR), sees
what will change, and presses Confirm. Confirming, in one transaction:

* every money target (revenue, pipeline; any period) is converted at the rate, to the cent,
  and its history (TargetEvent, kind "currency") records from what to what, at what rate;
* the rate table is re-based: 1 USD = 7.1 CNY becomes 1 USD = 0.9088 EUR, the old currency
  gets a rate (1 CNY = 0.128 EUR) so deals entered in it keep counting, and a rate for the new
  currency itself is dropped;
* reward bonuses are converted like targets;
* deals keep the amounts and currencies they were entered in: they count through the rates.

So every percent of target stays what it was. Confirm is done once per proposal: its key is
claimed in the database (bot.services.once), and the team row is locked while it is applied.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import admin_command as cmd
from bot.domain.activities import MONEY_METRICS
from bot.domain.amounts import convert, is_currency_code
from bot.domain.text import Wording, worded
from bot.i18n import _
from bot.results.admin import (
    BonusConverted,
    CurrencyAlreadyChanged,
    CurrencyChange,
    CurrencySet,
    RateRebased,
    TargetConverted,
)
from bot.services.actor import Actor, require_manager
from bot.services.errors import Refused
from bot.services.facts import person, target_facts
from bot.services.once import claim
from bot.services.targets import period_of_target
from models import Deal, Member, RewardRule, SalesTeam, Target, TargetEvent
from models import FxRate as FxRateRow

# Rates are stored with six decimals (models.base.Ratio), up to a million.
_RATE_PLACES = Decimal("0.000001")
_MAX_RATE = Decimal("999999.999999")


def _usage(old: str, new: str) -> Wording:
    return worded(
        _(
            "`/salesbot currency {new} 0.128`: give how many {new} one {old} is worth; targets, "
            "exchange rates and bonuses are converted at that rate."
        ),
        old=old,
        new=new,
    )


def switch(
    session: Session, actor: Actor, team: SalesTeam, code: str, rate: Decimal | None
) -> CurrencySet | CurrencyChange:
    """Switch at once a team with nothing to convert; otherwise propose the conversion at
    `rate` (nothing written), or refuse without one."""
    require_manager(actor)
    code = code.upper()
    if not is_currency_code(code):
        raise Refused(
            _("`{code}` is not a currency code I know (ISO 4217, e.g. CNY, USD)."),
            cmd.USAGE["currency"],
            code=code,
        )
    if code == team.currency:
        return CurrencySet(team.name, code, already=True)
    if not has_money(session, team):
        team.currency = code
        return CurrencySet(team.name, code)
    if rate is None:
        raise Refused(_without_rate(session, team, code), _usage(team.currency, code))
    return plan(session, team, code, _stored_rate(rate), key=uuid.uuid4().hex)


def confirm(
    session: Session, actor: Actor, *, team_id: int, old: str, new: str, rate: Decimal, key: str
) -> CurrencyChange | CurrencyAlreadyChanged:
    """The manager pressed Confirm: convert and switch, once for this proposal."""
    require_manager(actor)
    # The team row is locked first: a second press waits here, then finds the key claimed.
    team = session.get(SalesTeam, team_id, with_for_update=True, populate_existing=True)
    if team is None or team.workspace_id != actor.workspace_id:
        raise Refused(_("That button has expired; run `/salesbot currency` again."))
    if not claim(session, f"currency:{team.id}:{key}", now=actor.now):
        return CurrencyAlreadyChanged(team.name, team.currency)
    if team.currency != old:
        raise Refused(
            _(
                "{team} reports in {currency} now, not {old}, so I changed nothing. Run "
                "`/salesbot currency {new} &lt;rate&gt;` again."
            ),
            team=team.name,
            currency=team.currency,
            old=old,
            new=new,
        )
    change = plan(session, team, new, _stored_rate(rate), key=key)
    _apply(session, actor, team, change)
    return replace(change, done=True)


def has_money(session: Session, team: SalesTeam) -> bool:
    """Whether anything of the team is counted in its currency: deals, money targets,
    exchange rates, reward bonuses or the key-deal size."""
    if team.key_deal_amount is not None:
        return True
    checks = (
        select(Deal.id).where(
            Deal.workspace_id == team.workspace_id,
            Deal.team_id == team.id,
            Deal.deleted_at.is_(None),
        ),
        select(Target.id).where(Target.team_id == team.id, Target.metric.in_(MONEY_METRICS)),
        select(FxRateRow.id).where(FxRateRow.team_id == team.id),
        select(RewardRule.id).where(RewardRule.team_id == team.id, RewardRule.bonus.is_not(None)),
    )
    return any(session.scalars(query.limit(1)).first() is not None for query in checks)


def _without_rate(session: Session, team: SalesTeam, code: str) -> Wording:
    """Why a rate is needed; with the table's own rate for the new currency, if it has one."""
    message = _(
        "{team} has deals, targets or exchange rates in {old}. To switch to {new}, give the "
        "rate to convert them at: how many {new} one {old} is worth."
    )
    values: dict[str, object] = {"team": team.name, "old": team.currency, "new": code}
    known = session.scalars(
        select(FxRateRow.rate).where(FxRateRow.team_id == team.id, FxRateRow.currency == code)
    ).first()
    if known:
        inverse = (Decimal(1) / known).quantize(_RATE_PLACES, ROUND_HALF_UP).normalize()
        message += " " + _(
            "Your rate table says 1 {new} = {rate} {old}, that is `/salesbot currency {new} "
            "{inverse}`."
        )
        values |= {"rate": f"{known.normalize():f}", "inverse": f"{inverse:f}"}
    return Wording(message, values)


def _stored_rate(rate: Decimal) -> Decimal:
    stored = rate.quantize(_RATE_PLACES, ROUND_HALF_UP)
    if stored <= 0:
        raise Refused(_("That rate is too small to store: six decimals at most."))
    return stored


def plan(
    session: Session, team: SalesTeam, code: str, rate: Decimal, *, key: str
) -> CurrencyChange:
    """What switching `team` to `code` at `rate` converts (nothing is written here)."""
    return CurrencyChange(
        team_id=team.id,
        team_name=team.name,
        old_currency=team.currency,
        new_currency=code,
        rate=rate,
        targets=tuple(_targets(session, team, rate)),
        rates=tuple(_rates(session, team, code, rate)),
        bonuses=tuple(
            BonusConverted(rule.id, rule.name, rule.bonus, convert(rule.bonus, rate))
            for rule in _bonus_rules(session, team)
            if rule.bonus is not None
        ),
        deals=tuple(
            (currency, int(count))
            for currency, count in session.execute(
                select(Deal.currency, func.count(Deal.id))
                .where(
                    Deal.workspace_id == team.workspace_id,
                    Deal.team_id == team.id,
                    Deal.deleted_at.is_(None),
                )
                .group_by(Deal.currency)
                .order_by(Deal.currency)
            )
        ),
        key=key,
        key_deal=None
        if team.key_deal_amount is None
        else (team.key_deal_amount, convert(team.key_deal_amount, rate)),
    )


def _money_targets(session: Session, team: SalesTeam) -> list[Target]:
    return list(
        session.scalars(
            select(Target)
            .where(Target.team_id == team.id, Target.metric.in_(MONEY_METRICS))
            .order_by(Target.start_date.desc(), Target.scope, Target.metric, Target.id)
        )
    )


def _targets(session: Session, team: SalesTeam, rate: Decimal) -> list[TargetConverted]:
    found = []
    for target in _money_targets(session, team):
        member = session.get(Member, target.member_id) if target.member_id else None
        found.append(
            TargetConverted(
                target_facts(target),
                person(member) if member else None,
                period_of_target(target),
                target.amount,
                convert(target.amount, rate),
            )
        )
    return found


def _rate_rows(session: Session, team: SalesTeam) -> list[FxRateRow]:
    return list(
        session.scalars(
            select(FxRateRow).where(FxRateRow.team_id == team.id).order_by(FxRateRow.currency)
        )
    )


def _rates(session: Session, team: SalesTeam, code: str, rate: Decimal) -> list[RateRebased]:
    rebased = [
        RateRebased(row.currency, row.rate, None if row.currency == code else _rebase(row, rate))
        for row in _rate_rows(session, team)
    ]
    # Deals entered in the old team currency keep counting through the rate given.
    return [*rebased, RateRebased(team.currency, None, rate)]


def _rebase(row: FxRateRow, rate: Decimal) -> Decimal:
    """1 X = r old → 1 X = r × rate new, to the six decimals a rate is stored with."""
    new = (row.rate * rate).quantize(_RATE_PLACES, ROUND_HALF_UP)
    if not 0 < new <= _MAX_RATE:
        raise Refused(
            _(
                "At that rate, 1 {currency} would be worth {value}, which a rate cannot hold. "
                "Check the rate."
            ),
            currency=row.currency,
            value=f"{row.rate * rate:f}",
        )
    return new


def _bonus_rules(session: Session, team: SalesTeam) -> list[RewardRule]:
    return list(
        session.scalars(
            select(RewardRule)
            .where(RewardRule.team_id == team.id, RewardRule.bonus.is_not(None))
            .order_by(RewardRule.id)
        )
    )


def _apply(session: Session, actor: Actor, team: SalesTeam, change: CurrencyChange) -> None:
    """Write the conversion: targets with their history, the rate table, bonuses, the team."""
    for target in _money_targets(session, team):
        old = target.amount
        target.amount = convert(old, change.rate)
        target.updated_at = actor.now
        session.add(
            TargetEvent(
                workspace_id=team.workspace_id,
                target_id=target.id,
                actor_id=actor.member.id,
                at=actor.now,
                kind="currency",
                old_amount=old,
                new_amount=target.amount,
                old_currency=change.old_currency,
                new_currency=change.new_currency,
                rate=change.rate,
            )
        )
    for row in _rate_rows(session, team):
        if row.currency == change.new_currency:
            session.delete(row)
        else:
            row.rate = _rebase(row, change.rate)
            row.set_by_id = actor.member.id
            row.updated_at = actor.now
    session.add(
        FxRateRow(
            workspace_id=team.workspace_id,
            team_id=team.id,
            currency=change.old_currency,
            rate=change.rate,
            set_by_id=actor.member.id,
            updated_at=actor.now,
        )
    )
    for rule in _bonus_rules(session, team):
        if rule.bonus is not None:
            rule.bonus = convert(rule.bonus, change.rate)
    if change.key_deal is not None:
        team.key_deal_amount = change.key_deal[1]
    team.currency = change.new_currency
    session.flush()
