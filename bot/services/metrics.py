"""What members and teams achieved in a period: revenue won, deals won, pipeline created."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.domain.periods import Period, utc_bounds
from bot.i18n import N_, _
from models import Deal, FxRate, SalesTeam, StageDef

Metric = Literal["revenue", "deals", "pipeline"]
METRICS: tuple[Metric, ...] = ("revenue", "deals", "pipeline")


def metric_of(text: str) -> Metric:
    """A stored metric name as the Metric type."""
    for metric in METRICS:
        if metric == text:
            return metric
    raise ValueError(f"unknown metric {text!r}")


def fx_rates(session: Session, team: SalesTeam) -> dict[str, Decimal]:
    """Units of the team currency per unit of each other currency (the team's own is 1)."""
    rates = {
        currency: rate
        for currency, rate in session.execute(
            select(FxRate.currency, FxRate.rate).where(FxRate.team_id == team.id)
        )
    }
    rates[team.currency] = Decimal(1)
    return rates


def won_stage_keys(session: Session, workspace_id: str) -> list[str]:
    """Keys of the stages that count as won."""
    query = select(StageDef.key).where(
        StageDef.workspace_id == workspace_id, StageDef.kind == "won"
    )
    return list(session.scalars(query))


def _bounds(period: Period, team: SalesTeam) -> tuple[datetime, datetime]:
    return utc_bounds(period, ZoneInfo(team.timezone))


def _metric_query(
    session: Session, team: SalesTeam, metric: Metric, period: Period
) -> Select[int, str, Decimal, int]:
    start, end = _bounds(period, team)
    if metric == "pipeline":
        window = (Deal.created_at >= start, Deal.created_at < end)
    else:
        window = (Deal.closed_at >= start, Deal.closed_at < end)
    query = (
        select(Deal.owner_id, Deal.currency, func.sum(Deal.amount), func.count(Deal.id))
        .where(Deal.workspace_id == team.workspace_id, Deal.deleted_at.is_(None), *window)
        .group_by(Deal.owner_id, Deal.currency)
    )
    if metric != "pipeline":
        query = query.where(Deal.stage.in_(won_stage_keys(session, team.workspace_id)))
    return query


def achieved_by_owner(
    session: Session,
    team: SalesTeam,
    metric: Metric,
    period: Period,
    *,
    owner_ids: list[int] | None = None,
) -> dict[int, Decimal]:
    """Each owner's result in the team currency (deals: a count), for the team's deals or for
    the given owners' deals wherever they are."""
    query = _metric_query(session, team, metric, period)
    if owner_ids is None:
        query = query.where(Deal.team_id == team.id)
    else:
        query = query.where(Deal.owner_id.in_(owner_ids))
    rates = fx_rates(session, team)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for owner_id, currency, amount, count in session.execute(query):
        if metric == "deals":
            totals[owner_id] += Decimal(count)
        elif currency in rates:
            totals[owner_id] += (Decimal(amount) * rates[currency]).quantize(Decimal("0.01"))
    return dict(totals)


def achieved(
    session: Session, team: SalesTeam, metric: Metric, period: Period, *, owner_id: int | None
) -> Decimal:
    """One member's result (owner_id), or the whole team's (None)."""
    if owner_id is None:
        return sum(achieved_by_owner(session, team, metric, period).values(), Decimal(0))
    found = achieved_by_owner(session, team, metric, period, owner_ids=[owner_id])
    return found.get(owner_id, Decimal(0))


_METRIC_NAMES = {
    "revenue": N_("revenue"),
    "deals": N_("deals won"),
    "pipeline": N_("new pipeline"),
}
_GOALS = {
    "revenue": N_("{period} revenue target"),
    "deals": N_("{period} deals won target"),
    "pipeline": N_("{period} new pipeline target"),
}


def metric_name(metric: str) -> str:
    """`revenue`, `deals won`, `new pipeline`, in the current language."""
    return _(_METRIC_NAMES[metric]) if metric in _METRIC_NAMES else metric


def goal_text(metric: str, period: str) -> str:
    """`December 2026 revenue target`, in the current language."""
    if metric not in _GOALS:
        return f"{period} {metric}"
    return _(_GOALS[metric]).format(period=period)
