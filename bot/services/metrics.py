"""What members and teams achieved in a period: revenue won, deals won, pipeline created,
activities logged (one kind, or the points of all of them); and the team's exchange rates,
through which every amount counts in the team currency (the rule: bot.domain.amounts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from bot.domain.activities import ACTIVITY_PREFIX, POINTS, kind_of_metric
from bot.domain.amounts import Money, Rates
from bot.domain.periods import Period, utc_bounds
from bot.services.directory import stages_of
from bot.services.memo import kept
from models import Activity, Deal, FxRate, SalesTeam

# revenue, deals, pipeline, points, or act:<kind> (bot.domain.activities).
Metric = str
DEAL_METRICS: tuple[Metric, ...] = ("revenue", "deals", "pipeline")
METRICS: tuple[Metric, ...] = (*DEAL_METRICS, POINTS)


def metric_of(text: str) -> Metric:
    """A stored metric name, checked."""
    if text in METRICS or (text.startswith(ACTIVITY_PREFIX) and len(text) > len(ACTIVITY_PREFIX)):
        return text
    raise ValueError(f"unknown metric {text!r}")


def is_activity_metric(metric: Metric) -> bool:
    """Whether a metric is read from activities (a kind, or points) rather than deals."""
    return metric == POINTS or kind_of_metric(metric) is not None


def fx_rates(session: Session, team: SalesTeam) -> dict[str, Decimal]:
    """Units of the team currency per unit of each other currency (the team's own is 1)."""

    def load() -> Mapping[str, Decimal]:
        rows = session.execute(_FX_RATES, {"team_id": team.id})
        rates = {currency: rate for currency, rate in rows}
        rates[team.currency] = Decimal(1)
        # Kept by the process and handed to every thread: read-only.
        return MappingProxyType(rates)

    key = ("fx_rates", team.id, team.currency)
    # A copy: callers may add to it.
    return dict(kept(session, team.workspace_id, key, load))


_FX_RATES = select(FxRate.currency, FxRate.rate).where(FxRate.team_id == bindparam("team_id"))


def rates_of(session: Session, team: SalesTeam | None) -> Rates:
    """The team's rates, to convert with (someone in no team: CNY, and nothing converts)."""
    if team is None:
        return Rates("CNY", {})
    return Rates(team.currency, fx_rates(session, team))


def team_value(
    session: Session, team: SalesTeam | None, amount: Decimal, currency: str
) -> Money | None:
    """An amount's value in the team currency when it was entered in another one (None: in
    the team currency, no team, or no rate); the rates are read only when needed."""
    if team is None or currency == team.currency:
        return None
    return rates_of(session, team).money(amount, currency)


def deal_value(session: Session, deal: Deal) -> Money | None:
    """A deal's value in its own team's currency when it was entered in another one."""
    if deal.team_id is None:
        return None
    return team_value(session, session.get(SalesTeam, deal.team_id), deal.amount, deal.currency)


def each_foreign_amount(
    team_currency: str | BindParameter[str],
) -> ColumnElement[Decimal | None]:
    """A deal's amount when it is in another currency, else NULL.

    Grouped by, it keeps each foreign amount apart, so every deal is converted on its own
    (the money rule), while amounts in the team currency are still summed by the database.
    """
    return case((Deal.currency == team_currency, None), else_=Deal.amount)


def group_value(
    rates: Rates, currency: str, each: Decimal | None, total: Decimal, count: int
) -> Decimal:
    """A group's value in the team currency: its sum in the team currency, or `count` deals of
    `each` converted one by one (no rate: nothing)."""
    if each is None:
        return rates.value(Decimal(total or 0), currency) or Decimal(0)
    value = rates.value(Decimal(each), currency)
    return Decimal(0) if value is None else value * count


def won_stage_keys(session: Session, workspace_id: str) -> list[str]:
    """Keys of the stages that count as won."""
    # From the whole list, which the same transaction usually wants too: one look-up, not two.
    return [stage.key for stage in stages_of(session, workspace_id) if stage.kind == "won"]


def _bounds(period: Period, team: SalesTeam) -> tuple[datetime, datetime]:
    return utc_bounds(period, ZoneInfo(team.timezone))


def _counted(*, pipeline: bool, owners: bool) -> list[ColumnElement[bool]]:
    """The deals that count towards a metric in a window, every value bound (`_counted_values`
    gives them): the team's deals or these owners', created (pipeline) or won."""
    when = Deal.created_at if pipeline else Deal.closed_at
    conditions = [
        Deal.workspace_id == bindparam("workspace_id"),
        Deal.deleted_at.is_(None),
        when >= bindparam("start"),
        when < bindparam("end"),
        Deal.owner_id.in_(bindparam("owner_ids", expanding=True))
        if owners
        else Deal.team_id == bindparam("team_id"),
    ]
    if not pipeline:
        conditions.append(Deal.stage.in_(bindparam("won", expanding=True)))
    return conditions


def _counted_values(
    session: Session,
    team: SalesTeam,
    metric: Metric,
    period: Period,
    owner_ids: list[int] | None,
) -> dict[str, Any]:
    """The values of `_counted`'s conditions for `metric` in `period`."""
    start, end = _bounds(period, team)
    values: dict[str, Any] = {"workspace_id": team.workspace_id, "start": start, "end": end}
    if owner_ids is None:
        values["team_id"] = team.id
    else:
        values["owner_ids"] = owner_ids
    if metric != "pipeline":
        values["won"] = won_stage_keys(session, team.workspace_id)
    return values


def _by_owner(*, pipeline: bool, owners: bool) -> Select[int, str, Decimal | None, Decimal, int]:
    """Each owner's sums by currency, of the deals `_counted` counts."""
    each = each_foreign_amount(bindparam("team_currency"))
    return (
        select(Deal.owner_id, Deal.currency, each, func.sum(Deal.amount), func.count(Deal.id))
        .where(*_counted(pipeline=pipeline, owners=owners))
        .group_by(Deal.owner_id, Deal.currency, each)
    )


def _each_deal(*, pipeline: bool, owners: bool) -> Select[datetime | None, int, str, Decimal]:
    """When each deal `_counted` counts was created (pipeline) or won, and its amount."""
    when = Deal.created_at if pipeline else Deal.closed_at
    return select(when, Deal.owner_id, Deal.currency, Deal.amount).where(
        *_counted(pipeline=pipeline, owners=owners)
    )


# Every target, board, leaderboard and App Home asks them, often more than once: built once,
# since building a statement cost more than running it.
_SHAPES = [(pipeline, owners) for pipeline in (False, True) for owners in (False, True)]
_BY_OWNER = {shape: _by_owner(pipeline=shape[0], owners=shape[1]) for shape in _SHAPES}
_EACH_DEAL = {shape: _each_deal(pipeline=shape[0], owners=shape[1]) for shape in _SHAPES}


def achieved_by_owner(
    session: Session,
    team: SalesTeam,
    metric: Metric,
    period: Period,
    *,
    owner_ids: list[int] | None = None,
) -> dict[int, Decimal]:
    """Each owner's result in the team currency (deals, activities, points: a count), for the
    team's deals or for the given owners' deals wherever they are.

    The one function every ranking reads (targets, the leaderboard; contests and a wallboard
    too): any metric, any period, each owner's number."""
    if is_activity_metric(metric):
        return activities_by_owner(session, team, metric, period, owner_ids=owner_ids)
    values = _counted_values(session, team, metric, period, owner_ids)
    rates = rates_of(session, team)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    query = _BY_OWNER[metric == "pipeline", owner_ids is not None]
    rows = session.execute(query, {**values, "team_currency": team.currency})
    for owner_id, currency, one, amount, count in rows:
        if metric == "deals":
            totals[owner_id] += count
        else:
            totals[owner_id] += group_value(rates, currency, one, amount, count)
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
    if is_activity_metric(metric):
        return [
            sum(
                activities_by_owner(session, team, metric, p, owner_ids=owner_ids).values(),
                Decimal(0),
            )
            for p in periods
        ]
    bounds = [_bounds(period, team) for period in periods]
    span = Period(periods[0].kind, periods[0].start, periods[-1].end)
    query = _EACH_DEAL[metric == "pipeline", owner_ids is not None]
    rows = session.execute(query, _counted_values(session, team, metric, span, owner_ids))
    rates = rates_of(session, team)
    results = [Decimal(0)] * len(periods)
    for at, _owner, currency, amount in rows:
        for index, (start, end) in enumerate(bounds):
            # `at` is never None: the window in the query excludes open deals.
            if at is not None and start <= at < end:
                if metric == "deals":
                    results[index] += 1
                else:
                    results[index] += rates.value(Decimal(amount), currency) or Decimal(0)
                break
    return results


def achieved(
    session: Session, team: SalesTeam, metric: Metric, period: Period, *, owner_id: int | None
) -> Decimal:
    """One member's result (owner_id), or the whole team's (None)."""
    if owner_id is None:
        return sum(achieved_by_owner(session, team, metric, period).values(), Decimal(0))
    found = achieved_by_owner(session, team, metric, period, owner_ids=[owner_id])
    return found.get(owner_id, Decimal(0))


def activities_by_owner(
    session: Session,
    team: SalesTeam,
    metric: Metric,
    period: Period,
    *,
    owner_ids: list[int] | None = None,
) -> dict[int, Decimal]:
    """Each member's activities of one kind (``act:call``: how many) or points (``points``)
    logged in `period` and not taken back: the team's, or these members' wherever logged."""
    start, end = _bounds(period, team)
    kind = kind_of_metric(metric)
    counted = func.sum(Activity.points if kind is None else Activity.count)
    query = (
        select(Activity.member_id, counted)
        .where(
            Activity.workspace_id == team.workspace_id,
            Activity.undone_at.is_(None),
            Activity.at >= start,
            Activity.at < end,
            Activity.team_id == team.id if owner_ids is None else Activity.member_id.in_(owner_ids),
        )
        .group_by(Activity.member_id)
    )
    if kind is not None:
        query = query.where(Activity.kind == kind)
    return {member_id: Decimal(total or 0) for member_id, total in session.execute(query)}
