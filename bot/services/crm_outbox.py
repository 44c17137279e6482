"""What a change to a deal owes its team's CRM: one outbox row, written in the change's own
transaction, that the sender turns into the CRM write (bot/sync/deliver.py).

The row names the deal, not the values: they are read when it is sent, so a burst of changes
is one write of how the deal is then, and a CRM that is down for an hour gets the latest.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import outbox
from bot.services.actor import Actor
from models import Deal, OutboxMessage, SalesTeam

# The outbox methods of CRM deliveries (written out where they are owed, so a reader of the
# outbox's calls sees them).
PULL = "crm.pull"
PUSH = "crm.push"


def deal_changed(session: Session, actor: Actor, deal: Deal) -> bool:
    """Owe the CRM this deal's state, if its team syncs with one and the change was made in
    Salesbot (what came from the CRM is never written back: no echo). True when owed.

    The team's `crm` is read from the team the command already loaded, so a team without a
    CRM pays no statement for this."""
    if actor.source is not None or deal.team_id is None:
        return False
    team = actor.team if actor.team is not None and actor.team.id == deal.team_id else None
    if team is None:
        team = session.get(SalesTeam, deal.team_id)
    if team is None or team.crm is None:
        return False
    return owe_push(session, deal, team)


def owe_push(session: Session, deal: Deal, team: SalesTeam) -> bool:
    """Owe a write of the deal to the team's CRM (one waiting row per deal at a time)."""
    outbox.enqueue(
        session,
        workspace_id=deal.workspace_id,
        method="crm.push",
        payload={"deal_id": deal.id, "team_id": team.id},
        # Owed from the change that owes it.
        now=deal.updated_at,
        dedupe_key=f"{outbox.WHILE_PENDING}crm-push:{deal.id}",
    )
    return True


def earlier_push_owed(session: Session, message_id: int, deal_id: int) -> bool:
    """Whether a write of this deal owed before `message_id` is still owed (another worker
    may be making it now). Writes of one deal go in the order they were owed: a later one
    that ran beside an earlier create would find no record yet and create a second."""
    earlier = session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.method == PUSH,
            OutboxMessage.status == "pending",
            OutboxMessage.id < message_id,
            OutboxMessage.payload["deal_id"].as_integer() == deal_id,
        )
        .limit(1)
    ).first()
    return earlier is not None
