"""Guards against fat fingers: a second open deal for one customer, an amount far above what
the team has won. Either one stops the change before anything is written and asks the caller
(Unconfirmed carries the question, covering every guard that applies). A pressed button comes
back as Confirmed and the command runs again from what was typed, checked against what is
stored by then: what the caller said yes to is let through, anything new is asked again.

A question is answered once: the first button pressed claims the question's key in
`processed_event` (a unique key) in the same transaction as the change, so a second press, a
double click or a retry changes nothing, on any number of workers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.domain.amounts import Money
from bot.domain.customers import customer_key
from bot.results.guards import Duplicate, Large, Question
from bot.services import deals
from bot.services.actor import Actor
from bot.services.errors import Unconfirmed
from bot.services.events import first_delivery
from bot.services.facts import deal_facts
from bot.services.metrics import fx_rates
from models import Deal, SalesTeam

# An amount is asked about when it is more than LARGE_FACTOR times the team's largest win
# and at least LARGE_FLOOR in the team currency; with no win yet, at LARGE_FLOOR.
LARGE_FACTOR = Decimal(10)
LARGE_FLOOR = Decimal(1_000_000)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Confirmed:
    """What the caller said yes to by pressing one of a question's buttons.

    key: the question's, claimed by the press. another: add although the customer has an open
    deal. amount: this amount, though unusually large. instead_of: update this deal with what
    was typed rather than add one (the deal's number, as its button carries it)."""

    key: str
    another: bool = False
    amount: Money | None = None
    instead_of: int | None = None


def new_key() -> str:
    """A fresh question's key (as long as processed_event's ids allow)."""
    return f"confirm:{uuid.uuid4().hex}"


def claim(session: Session, actor: Actor, key: str) -> bool:
    """Take the question's answer for this press; False if it was answered already."""
    return first_delivery(session, event_id=key, workspace_id=actor.workspace_id, now=actor.now)


# Names only: the matching row, if any, is loaded alone. Every add asks: built once.
_OPEN_NAMES = (
    select(Deal.id, Deal.customer)
    .where(
        Deal.workspace_id == bindparam("workspace_id"),
        Deal.owner_id == bindparam("owner_id"),
        Deal.closed_at.is_(None),
        Deal.deleted_at.is_(None),
    )
    .order_by(Deal.id)
)


def open_duplicate(session: Session, actor: Actor, customer: str) -> Deal | None:
    """The caller's first open deal whose customer is `customer` spelled another way."""
    wanted = customer_key(customer)
    values = {"workspace_id": actor.workspace_id, "owner_id": actor.member.id}
    for deal_id, name in session.execute(_OPEN_NAMES, values):
        if customer_key(name) == wanted:
            return session.get(Deal, deal_id)
    return None


def largest_won(session: Session, team: SalesTeam) -> Decimal | None:
    """The team's largest won deal in its currency (None: no win yet; a currency without a
    rate does not count, as in every total)."""
    won = [s.key for s in deals.stage_list(session, team.workspace_id) if s.kind == "won"]
    query = (
        select(Deal.currency, func.max(Deal.amount))
        .where(
            Deal.workspace_id == team.workspace_id,
            Deal.team_id == team.id,
            Deal.deleted_at.is_(None),
            Deal.stage.in_(won),
        )
        .group_by(Deal.currency)
    )
    rates = fx_rates(session, team)
    largest = [
        Decimal(amount) * rates[currency]
        for currency, amount in session.execute(query)
        if currency in rates and amount is not None
    ]
    return max(largest).quantize(_CENT) if largest else None


def unusually_large(session: Session, actor: Actor, money: Money) -> Large | None:
    """The money as a Large when it is far above what the team has won, else None."""
    team = actor.team
    if team is None:
        # No team, no rates and no wins to compare with: the floor, in the amount's currency.
        in_team = money
    elif money.currency == team.currency:
        in_team = money
    else:
        rate = fx_rates(session, team).get(money.currency)
        if rate is None:
            # Refused elsewhere: such an amount is never written.
            return None
        in_team = Money((money.amount * rate).quantize(_CENT), team.currency)
    if in_team.amount < LARGE_FLOOR:
        return None
    largest = largest_won(session, team) if team is not None else None
    if largest is not None and in_team.amount <= largest * LARGE_FACTOR:
        return None
    return Large(money, in_team, Money(largest, in_team.currency) if largest is not None else None)


def _large(
    session: Session, actor: Actor, money: Money | None, confirmed: Confirmed | None
) -> Large | None:
    if money is None or (confirmed is not None and confirmed.amount == money):
        return None
    return unusually_large(session, actor, money)


def check_add(
    session: Session,
    actor: Actor,
    customer: str,
    money: Money | None,
    confirmed: Confirmed | None,
    *,
    key: str | None = None,
) -> None:
    """Raise Unconfirmed when adding this deal needs the caller's yes first."""
    duplicate = None
    if confirmed is None or not confirmed.another:
        found = open_duplicate(session, actor, customer)
        if found is not None:
            stages = deals.stage_list(session, actor.workspace_id)
            duplicate = Duplicate(deal_facts(found), deals.stage_by_key(stages, found.stage))
    large = _large(session, actor, money, confirmed)
    if duplicate is not None or large is not None:
        question = Question(key or new_key(), "add", customer, None, duplicate, large)
        raise Unconfirmed(question)


def check_amount(
    session: Session,
    actor: Actor,
    deal: Deal,
    money: Money | None,
    verb: Literal["update", "won"],
    confirmed: Confirmed | None,
    *,
    key: str | None = None,
) -> None:
    """Raise Unconfirmed when giving the deal this amount needs the caller's yes first (an
    amount it already has is not asked about)."""
    if money is None or (money.amount == deal.amount and money.currency == deal.currency):
        return
    large = _large(session, actor, money, confirmed)
    if large is not None:
        question = Question(key or new_key(), verb, deal.customer, deal.number, None, large)
        raise Unconfirmed(question)
