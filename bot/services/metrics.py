"""What members and teams achieved in a period: revenue won, deals won, pipeline created."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.domain.periods import Period, utc_bounds
from bot.services.memo import remembered
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

    def load() -> dict[str, Decimal]:
        query = select(FxRate.currency, FxRate.rate).where(FxRate.team_id == team.id)
        rates = {currency: rate for currency, rate in session.execute(query)}
        rates[team.currency] = Decimal(1)
        return rates

    # A copy: callers may add to it.
    return dict(remembered(session, ("fx_rates", team.id, team.currency), load))


def won_stage_keys(session: Session, workspace_id: str) -> list[str]:
    """Keys of the stages that count as won."""
    query = select(StageDef.key).where(
        StageDef.workspace_id == workspace_id, StageDef.kind == "won"
    )
    keys = remembered(session, ("won", workspace_id), lambda: list(session.scalars(query)))
    return list(keys)


def _bounds(period: Period, team: SalesTeam) -> tuple[datetime, datetime]:
    return utc_bounds(period, ZoneInfo(team.timezone))


def _counted(
    session: Session,
    team: SalesTeam,
    metric: Metric,
    period: Period,
    owner_ids: list[int] | None,
) -> list[ColumnElement[bool]]:
    """The deals that count towards `metric` in `period`: the team's, or these owners'."""
    start, end = _bounds(period, team)
    when = Deal.created_at if metric == "pipeline" else Deal.closed_at
    conditions = [
        Deal.workspace_id == team.workspace_id,
        Deal.deleted_at.is_(None),
        when >= start,
        when < end,
        Deal.team_id == team.id if owner_ids is None else Deal.owner_id.in_(owner_ids),
    ]
    if metric != "pipeline":
        conditions.append(Deal.stage.in_(won_stage_keys(session, team.workspace_id)))
    return conditions


def _in_currency(
    metric: Metric, rates: dict[str, Decimal], currency: str, amount: Decimal, count: int
) -> Decimal:
    """One owner's sum in one currency, as it counts (deals: the count; no rate: nothing)."""
    if metric == "deals":
        return Decimal(count)
    if currency not in rates:
        return Decimal(0)
    return (Decimal(amount) * rates[currency]).quantize(Decimal("0.01"))


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
    query = (
        select(Deal.owner_id, Deal.currency, func.sum(Deal.amount), func.count(Deal.id))
        .where(*_counted(session, team, metric, period, owner_ids))
        .group_by(Deal.owner_id, Deal.currency)
    )
    rates = fx_rates(session, team)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for owner_id, currency, amount, count in session.execute(query):
        totals[owner_id] += _in_currency(metric, rates, currency, amount, count)
    return dict(totals)


def achieved_in_each(
    session: Session,
    team: SalesTeam,
    metric: Metric,
    periods: Sequence[Period],
    *,
    owner_ids: list[int] | None = None,
) -> list[Decimal]:
    """What achieved(...) gives for each of several consecutive periods, in one query rather
    than one per period (the weekly report's twelve weeks)."""
    if not periods:
        return []
    bounds = [_bounds(period, team) for period in periods]
    span = Period(periods[0].kind, periods[0].start, periods[-1].end)
    when = Deal.created_at if metric == "pipeline" else Deal.closed_at
    rows = session.execute(
        select(when, Deal.owner_id, Deal.currency, Deal.amount).where(
            *_counted(session, team, metric, span, owner_ids)
        )
    )
    # Summed per period, owner and currency before converting, exactly as achieved() rounds.
    sums: dict[tuple[int, int, str], tuple[Decimal, int]] = {}
    for at, owner_id, currency, amount in rows:
        for index, (start, end) in enumerate(bounds):
            # `at` is never None: the window in the query excludes open deals.
            if at is not None and start <= at < end:
                total, count = sums.get((index, owner_id, currency), (Decimal(0), 0))
                sums[(index, owner_id, currency)] = (total + Decimal(amount), count + 1)
                break
    rates = fx_rates(session, team)
    results = [Decimal(0)] * len(periods)
    for (index, _owner, currency), (amount, count) in sums.items():
        results[index] += _in_currency(metric, rates, currency, amount, count)
    return results


def achieved(
    session: Session, team: SalesTeam, metric: Metric, period: Period, *, owner_id: int | None
) -> Decimal:
    """One member's result (owner_id), or the whole team's (None)."""
    if owner_id is None:
        return sum(achieved_by_owner(session, team, metric, period).values(), Decimal(0))
    found = achieved_by_owner(session, team, metric, period, owner_ids=[owner_id])
    return found.get(owner_id, Decimal(0))
