"""Rows for `salesbot export` and `/deal export`: plain values, ready for CSV or JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.i18n import _, current
from bot.results.notices import ExportReady
from bot.services import notices
from bot.services.actor import Actor
from bot.services.errors import Refused
from models import TEAM_SCOPE, Deal, DealEvent, Member, RewardGrant, SalesTeam, Target

Row = dict[str, str]
RowReader = Callable[[Session], Iterator[Row]]

DEAL_COLUMNS = (
    "id",
    "team_id",
    "customer",
    "amount",
    "currency",
    "stage",
    "owner_id",
    "close_date",
    "created_at",
    "updated_at",
    "closed_at",
    # Appended, so the columns before keep their positions.
    "next_step",
    "next_step_date",
    # Appended after the columns above, which keep their places: the category a rep chose
    # for the deal, empty when it follows its stage.
    "forecast",
)


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent == -2 else f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _row(columns: Sequence[str], values: Mapping[str, object]) -> Row:
    return {column: _plain(values[column]) for column in columns}


def deal_rows(
    session: Session,
    *,
    workspace_id: str | None = None,
    owner: Member | None = None,
    team: SalesTeam | None = None,
) -> Iterator[Row]:
    """Every deal as export columns: its number in its workspace as `id`, Slack ids for team
    and owner, ISO dates, plain amounts.

    Deals whose creation was undone are left out: nobody sees them anywhere else either.
    """
    owner_row = aliased(Member)
    query = (
        select(Deal, owner_row.slack_user_id)
        .join(owner_row, Deal.owner_id == owner_row.id)
        .where(Deal.deleted_at.is_(None))
    )
    if workspace_id is not None:
        query = query.where(Deal.workspace_id == workspace_id)
    if owner is not None:
        query = query.where(Deal.owner_id == owner.id)
    if team is not None:
        query = query.where(Deal.team_id == team.id)
    for deal, owner_slack_id in session.execute(query.order_by(Deal.id)):
        values = {
            "id": deal.number,
            "team_id": deal.workspace_id,
            "customer": deal.customer,
            "amount": deal.amount,
            "currency": deal.currency,
            "stage": deal.stage,
            "owner_id": owner_slack_id,
            "close_date": deal.close_date,
            "created_at": deal.created_at,
            "updated_at": deal.updated_at,
            "closed_at": deal.closed_at,
            "next_step": deal.next_step,
            "next_step_date": deal.next_step_date,
            "forecast": deal.forecast,
        }
        yield _row(DEAL_COLUMNS, values)


def export_team(actor: Actor) -> SalesTeam | None:
    """The team whose deals `/deal export` sends a manager; None: the caller's own deals."""
    return actor.team if actor.member.can_manage else None


def caller_deal_rows(session: Session, actor: Actor) -> list[Row]:
    """What `/deal export` sends: a manager's team's deals, anyone else's own."""
    team = export_team(actor)
    if team is not None:
        return list(deal_rows(session, workspace_id=actor.workspace_id, team=team))
    return list(deal_rows(session, workspace_id=actor.workspace_id, owner=actor.member))


EVENT_COLUMNS = (
    "id",
    "team_id",
    "deal_id",
    "actor_id",
    "at",
    "action",
    "field",
    "old_value",
    "new_value",
)


def _slack_ids(session: Session) -> dict[str, dict[str, str]]:
    """Internal member and team ids (as history stores them) to Slack user and channel ids."""
    people = session.execute(select(Member.id, Member.slack_user_id))
    channels = session.execute(select(SalesTeam.id, SalesTeam.channel_id))
    return {
        "owner_id": {str(key): slack_id for key, slack_id in people},
        "team_id": {str(key): slack_id for key, slack_id in channels},
    }


def event_rows(session: Session, *, workspace_id: str | None = None) -> Iterator[Row]:
    """Every deal history event, its deal by number (the deals export's `id`); owner and team
    changes name Slack users and channels."""
    actor = aliased(Member)
    query = (
        select(DealEvent, actor.slack_user_id, Deal.number)
        .join(actor, DealEvent.actor_id == actor.id)
        .join(Deal, DealEvent.deal_id == Deal.id)
    )
    if workspace_id is not None:
        query = query.where(DealEvent.workspace_id == workspace_id)
    slack_ids = _slack_ids(session)
    for event, actor_slack_id, number in session.execute(query.order_by(DealEvent.id)):
        # Internal ids mean nothing outside this database; Slack ids do.
        translate = slack_ids.get(event.field, {})
        values = {
            "id": event.id,
            "team_id": event.workspace_id,
            "deal_id": number,
            "actor_id": actor_slack_id,
            "at": event.at,
            "action": event.action,
            "field": event.field,
            "old_value": translate.get(event.old_value or "", event.old_value),
            "new_value": translate.get(event.new_value or "", event.new_value),
        }
        yield _row(EVENT_COLUMNS, values)


TARGET_COLUMNS = (
    "id",
    "team_id",
    "sales_team",
    "scope",
    "metric",
    "period_kind",
    "start_date",
    "end_date",
    "amount",
    "set_by",
    "updated_at",
)


def target_rows(session: Session, *, workspace_id: str | None = None) -> Iterator[Row]:
    """Every target: the team's channel, `team` or the member's Slack id, the period and amount."""
    member = aliased(Member)
    setter = aliased(Member)
    query = (
        select(Target, SalesTeam.channel_id, member.slack_user_id, setter.slack_user_id)
        .join(SalesTeam, Target.team_id == SalesTeam.id)
        .outerjoin(member, Target.member_id == member.id)
        .join(setter, Target.set_by_id == setter.id)
    )
    if workspace_id is not None:
        query = query.where(Target.workspace_id == workspace_id)
    for target, channel_id, member_slack_id, setter_slack_id in session.execute(
        query.order_by(Target.id)
    ):
        values = {
            "id": target.id,
            "team_id": target.workspace_id,
            "sales_team": channel_id,
            "scope": TEAM_SCOPE if target.scope == TEAM_SCOPE else member_slack_id,
            "metric": target.metric,
            "period_kind": target.period_kind,
            "start_date": target.start_date,
            "end_date": target.end_date,
            "amount": target.amount,
            "set_by": setter_slack_id,
            "updated_at": target.updated_at,
        }
        yield _row(TARGET_COLUMNS, values)


REWARD_COLUMNS = (
    "id",
    "team_id",
    "sales_team",
    "member_id",
    "reward",
    "scope",
    "tier",
    "bonus",
    "achieved",
    "target_id",
    "granted_at",
    "status",
    "reversed_at",
    "currency",
)


def reward_rows(session: Session, *, workspace_id: str | None = None) -> Iterator[Row]:
    """Every reward granted, for paying out: who, what, when, bonus, and whether it was
    reversed since (a reversed grant's bonus is not owed)."""
    member = aliased(Member)
    query = (
        select(RewardGrant, member.slack_user_id, SalesTeam.name)
        .outerjoin(member, RewardGrant.member_id == member.id)
        .join(SalesTeam, RewardGrant.team_id == SalesTeam.id)
    )
    if workspace_id is not None:
        query = query.where(RewardGrant.workspace_id == workspace_id)
    for grant, slack_user_id, team_name in session.execute(query.order_by(RewardGrant.id)):
        values = {
            "id": grant.id,
            "team_id": grant.workspace_id,
            "sales_team": team_name,
            "member_id": slack_user_id,
            "reward": grant.name,
            "scope": grant.scope,
            "tier": grant.tier.normalize(),
            "bonus": grant.bonus,
            "achieved": grant.achieved,
            "target_id": grant.target_id,
            "granted_at": grant.granted_at,
            "status": "granted" if grant.reversed_at is None else "reversed",
            "reversed_at": grant.reversed_at,
            "currency": grant.currency,
        }
        yield _row(REWARD_COLUMNS, values)


EXPORTS: dict[str, tuple[tuple[str, ...], RowReader]] = {
    "deals": (DEAL_COLUMNS, deal_rows),
    "events": (EVENT_COLUMNS, event_rows),
    "targets": (TARGET_COLUMNS, target_rows),
    "rewards": (REWARD_COLUMNS, reward_rows),
}


def write_csv(out: TextIO, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """A header and one line per row (the csv module quotes commas, quotes and line breaks)."""
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def export_for_caller(session: Session, actor: Actor) -> int:
    """Owe the caller a CSV of their deals (a manager's: the team's) in their DM; how many."""
    rows = caller_deal_rows(session, actor)
    team = export_team(actor)
    if not rows:
        raise Refused(
            _("The team has no deals to export yet. Add one with `/deal add Acme 12k`.")
            if team
            else _("You have no deals to export yet. Add one with `/deal add Acme 12k`.")
        )
    out = io.StringIO()
    write_csv(out, DEAL_COLUMNS, rows)
    notices.record(
        session,
        ExportReady(
            workspace_id=actor.workspace_id,
            language=current(),
            user_id=actor.member.slack_user_id,
            count=len(rows),
            team_name=team.name if team else None,
            day=actor.today,
            filename=f"deals-{actor.today.isoformat()}.csv",
            # The byte order mark makes Excel read the file as UTF-8, so 华为 stays 华为.
            content=out.getvalue().encode("utf-8-sig"),
        ),
    )
    return len(rows)
