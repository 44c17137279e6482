"""The funnel: win rates, sales cycles, stage-to-stage conversion, time in each stage, lost
reasons, segments, and how the open pipeline moved (the maths: bot.domain.funnel).

Every number is over the deals closed in the period, for a team or one member, and is summed
by the database: a period's answer costs a handful of statements whatever the table holds, each
returning a row per group (currency, stage, reason), never a row per deal. Segments and the
pipeline's movement read one row per deal of the team's period or open pipeline, never the
table. Stage history comes from `deal_event`, as stored: an undone change and its undo are left
out, and an imported deal counts with what it carries (its dates, its stage, the moves made
after the import; not the time before the import, which no one recorded).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from bot.domain import funnel
from bot.domain.deal_fields import DealField, fold, words_of
from bot.domain.insights_command import OWNER_WORDS, InsightsArgs, usage
from bot.domain.periods import Period, PeriodError, parse_period, period_of, previous, utc_bounds
from bot.domain.stages import Stage
from bot.domain.text import Mention
from bot.i18n import _
from bot.results.insights import (
    Funnel,
    Insights,
    LostReason,
    Segment,
    SegmentExtremes,
    Segments,
    StageStep,
)
from bot.services.actor import Actor
from bot.services.deals import stage_list
from bot.services.directory import find_member
from bot.services.errors import Refused
from bot.services.facts import team_facts
from bot.services.metrics import each_foreign_amount, group_value, rates_of
from bot.services.segments import joined_value, team_fields
from bot.services.targets import require_team
from models import Deal, DealEvent, Member, SalesTeam, Workspace

IMPORT_ACTION = "import"
# A query of any columns.
AnySelect = Select[*tuple[Any, ...]]
# The weekly report's best and worst segment: only values with this many deals closed in its
# twelve weeks (fewer say little about a win rate), and only when two values have them.
MIN_CLOSED_FOR_EXTREMES = 3


@dataclass(frozen=True)
class Dimension:
    """A way to split deals into segments: its name as shown, what gives each deal's value (a
    query over `Deal` with whatever the value needs joined, and the value's column; NULL: the
    deal has none), and whether the values are members' ids (shown as mentions)."""

    name: str
    value: Callable[[AnySelect], tuple[AnySelect, Any]]
    people: bool = False


def owner_dimension(session: Session, team: SalesTeam) -> Dimension:
    """By owner: each deal's owner."""
    return Dimension(_("owner"), lambda query: (query, Deal.owner_id), people=True)


def field_dimension(field: DealField, shown: str | None = None) -> Dimension:
    """By one of the team's deal fields (`industry`): each deal's value of it, named as typed
    (its name or its alias)."""
    return Dimension(shown or field.name, lambda query: joined_value(query, field.id))


# `by <word>`: what builds each dimension every team has; a team's own deal fields are the
# others (dimension_for).
DIMENSIONS: dict[str, Callable[[Session, SalesTeam], Dimension]] = dict.fromkeys(
    OWNER_WORDS, owner_dimension
)


def dimension_for(session: Session, team: SalesTeam, word: str) -> Dimension:
    """The dimension `by <word>` names for this team: the owner, or one of its deal fields
    (by name or alias, folded); refused with the team's fields and the likeliest meant."""
    make = DIMENSIONS.get(word)
    if make is not None:
        return make(session, team)
    fields = team_fields(session, team.workspace_id, team.id)
    folded = fold(word)
    for field in fields:
        if folded in field.words:
            return field_dimension(field, folded)
    raise _unknown_dimension(word, fields)


def _unknown_dimension(word: str, fields: Sequence[DealField]) -> Refused:
    if not fields:
        refused = Refused(
            _(
                "I can't split deals by “{word}”: your team has no deal fields yet (a manager "
                "adds one with `/salesbot fields add industry retail,finance`). Try `by owner`."
            ),
            usage(),
            word=word,
        )
    else:
        refused = Refused(
            _(
                "I can't split deals by “{word}”. Split by `owner` or one of your team's deal "
                "fields: {names}."
            ),
            usage(),
            word=word,
            names=", ".join(field.name for field in fields),
        )
    words = sorted({"owner", "负责人"} | words_of(fields))
    # 0.5: a two-character Chinese name with one character wrong (行叶 for 行业) is a guess.
    meant = difflib.get_close_matches(fold(word), words, n=1, cutoff=0.5)
    if meant:
        refused = refused.with_hint(_("Did you mean `by {meant}`?"), meant=meant[0])
    return refused


# --------------------------------------------------------------------------- the command


def insights_on_demand(session: Session, actor: Actor, args: InsightsArgs) -> Insights | Segments:
    """`/deal insights`: the funnel of the period and the one before, or its segments."""
    team = require_team(actor)
    owner = None
    if args.user_id is not None:
        owner = find_member(session, actor.workspace_id, args.user_id)
        if owner is None or owner.team_id != team.id:
            raise Refused(
                _("{person} is not in {team}."), person=Mention(args.user_id), team=team.name
            )
    fiscal = _fiscal_start(session, team)
    period = _read_period(team, actor.now, fiscal, args.period_text)
    before = previous(period, fiscal_start_month=fiscal)
    if args.by is not None:
        dimension = dimension_for(session, team, args.by)
        return Segments(
            team=team_facts(team),
            subject_user_id=args.user_id,
            dimension=dimension.name,
            period=period,
            segments=tuple(
                segments(session, team, period, previous=before, owner=owner, dimension=dimension)
            ),
            previous_period=before,
        )
    then, now = funnels(session, team, [before, period], owner=owner)
    return Insights(
        team=team_facts(team),
        subject_user_id=args.user_id,
        current=now,
        previous=then,
    )


def _fiscal_start(session: Session, team: SalesTeam) -> int:
    workspace = session.get(Workspace, team.workspace_id)
    return workspace.fiscal_year_start_month if workspace else 1


def _read_period(team: SalesTeam, now: datetime, fiscal: int, text: str | None) -> Period:
    """The typed period in the team's zone, or this month."""
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    if text is None:
        return period_of("month", today, fiscal_start_month=fiscal)
    try:
        return parse_period(text, today=today, fiscal_start_month=fiscal)
    except PeriodError as error:
        raise Refused.plain_text(str(error), usage()) from None


# --------------------------------------------------------------------------- the deals


@dataclass(frozen=True)
class _Stages:
    """The funnel's steps: open stages in order, then Won; and the keys that close a deal."""

    open: list[Stage]
    won: list[Stage]
    lost: list[Stage]

    @property
    def closing_keys(self) -> list[str]:
        return [s.key for s in self.won + self.lost]

    @property
    def won_keys(self) -> list[str]:
        return [s.key for s in self.won]


def _stages(session: Session, workspace_id: str) -> _Stages:
    stages = sorted(stage_list(session, workspace_id), key=lambda s: s.position)
    return _Stages(
        open=[s for s in stages if s.kind == "open"],
        won=[s for s in stages if s.kind == "won"],
        lost=[s for s in stages if s.kind == "lost"],
    )


@dataclass(frozen=True)
class _Closed:
    """The deals closed in consecutive periods (in given stages): `where` selects them over
    the whole span, `bucket` tells which period each closed in (0 for the first…), so one
    statement answers for every period."""

    where: list[ColumnElement[bool]]
    bucket: ColumnElement[int]


def _closed_in(
    team: SalesTeam, periods: Sequence[Period], owner: Member | None, keys: Sequence[str]
) -> _Closed:
    zone = ZoneInfo(team.timezone)
    bounds = [utc_bounds(period, zone) for period in periods]
    ends = [(Deal.closed_at < end, index) for index, (_start, end) in enumerate(bounds)]
    return _Closed(
        where=[
            Deal.workspace_id == team.workspace_id,
            Deal.team_id == team.id if owner is None else Deal.owner_id == owner.id,
            Deal.deleted_at.is_(None),
            Deal.stage.in_(keys),
            Deal.closed_at >= bounds[0][0],
            Deal.closed_at < bounds[-1][1],
        ],
        bucket=case(*ends, else_=len(bounds) - 1),
    )


def _seconds(session: Session, later: Any, earlier: Any) -> ColumnElement[int]:
    """Whole seconds from one moment to another, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.round(extract("epoch", later - earlier)), BigInteger)
    # SQLite keeps moments as text; julianday reads them as days.
    spent = (func.julianday(later) - func.julianday(earlier)) * funnel.SECONDS_PER_DAY
    return cast(func.round(spent), Integer)


def _median(rank: Any, count: Any) -> ColumnElement[bool]:
    """The rows at the middle of a ranked set (two of them for an even count)."""
    return or_(rank == (count + 1) // 2, rank == (count + 2) // 2)


def _greatest(session: Session, *values: Any) -> ColumnElement[int]:
    """The largest of several values (none of them NULL)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(*values)
    # SQLite's max() of several arguments is its scalar maximum.
    return func.max(*values)


# --------------------------------------------------------------------------- the funnel


def funnels(
    session: Session, team: SalesTeam, periods: Sequence[Period], *, owner: Member | None = None
) -> list[Funnel]:
    """Outcomes, steps and lost reasons of the deals closed in each of these consecutive
    periods (oldest first), each measure one statement for all of them."""
    stages = _stages(session, team.workspace_id)
    outcomes = _outcomes(session, team, periods, owner, stages)
    steps = _steps(session, team, periods, owner, stages, times=True)
    return [
        Funnel(period, done, tuple(walked), tuple(reasons))
        for period, (done, reasons), walked in zip(periods, outcomes, steps, strict=True)
    ]


def funnel_of(
    session: Session, team: SalesTeam, period: Period, *, owner: Member | None = None
) -> Funnel:
    """The funnel of the deals closed in one period."""
    return funnels(session, team, [period], owner=owner)[0]


def stage_steps(
    session: Session, team: SalesTeam, period: Period, *, owner: Member | None = None
) -> list[StageStep]:
    """How many of the deals closed in `period` reached each step, and each step's conversion
    into the next (the report's funnel chart)."""
    stages = _stages(session, team.workspace_id)
    return _steps(session, team, [period], owner, stages, times=False)[0]


def _outcomes(
    session: Session,
    team: SalesTeam,
    periods: Sequence[Period],
    owner: Member | None,
    stages: _Stages,
) -> list[tuple[funnel.Outcomes, list[LostReason]]]:
    """Won and lost in each period: counts, values in the team currency (each deal converted
    on its own, bot.domain.amounts), the cycles of the wins, and the reasons of the losses."""
    rates = rates_of(session, team)
    each = each_foreign_amount(rates.currency)
    won_flag = case((Deal.stage.in_(stages.won_keys), 1), else_=0)
    cycle = _seconds(session, Deal.closed_at, Deal.created_at)
    closed = _closed_in(team, periods, owner, stages.closing_keys)
    rows = session.execute(
        select(
            closed.bucket,
            won_flag,
            Deal.lost_reason,
            Deal.currency,
            each,
            func.count(Deal.id),
            func.sum(Deal.amount),
            func.sum(cycle),
        )
        .where(*closed.where)
        .group_by(closed.bucket, won_flag, Deal.lost_reason, Deal.currency, each)
    )
    count = [{True: 0, False: 0} for _ in periods]
    value = [{True: Decimal(0), False: Decimal(0)} for _ in periods]
    cycles = [0 for _ in periods]
    reasons: list[list[tuple[str, int, Decimal]]] = [[] for _ in periods]
    for bucket, won, reason, currency, one, deals, amount, spent in rows:
        worth = group_value(rates, currency, one, amount, deals)
        count[bucket][bool(won)] += deals
        value[bucket][bool(won)] += worth
        if won:
            cycles[bucket] += int(spent or 0)
        else:
            reasons[bucket].append((reason or "", deals, worth))
    medians = _median_cycles(session, team, periods, owner, stages)
    return [
        (
            funnel.outcomes(
                won=count[index][True],
                lost=count[index][False],
                won_amount=value[index][True],
                lost_amount=value[index][False],
                cycle_seconds_total=cycles[index],
                median_cycle_seconds=medians.get((index,)),
            ),
            _ranked_reasons(reasons[index]),
        )
        for index in range(len(periods))
    ]


def _median_cycles(
    session: Session,
    team: SalesTeam,
    periods: Sequence[Period],
    owner: Member | None,
    stages: _Stages,
    dimension: Dimension | None = None,
) -> dict[tuple[Any, ...], Decimal]:
    """Each period's median cycle of its wins, in seconds, by (period,) or, split by a
    dimension, by (period, value as text)."""
    won = _closed_in(team, periods, owner, stages.won_keys)
    query: AnySelect = select(
        won.bucket.label("bucket"),
        _seconds(session, Deal.closed_at, Deal.created_at).label("spent"),
    ).select_from(Deal)
    if dimension is not None:
        query, value = dimension.value(query)
        query = query.add_columns(value.label("segment"))
    cycles = query.where(*won.where).subquery()
    groups = [cycles.c.bucket] if dimension is None else [cycles.c.bucket, cycles.c.segment]
    rows = session.execute(_medians(session, cycles.c.spent, *groups))
    return {
        (row[0], *(None if key is None else str(key) for key in row[1:-1])): Decimal(str(row[-1]))
        for row in rows
    }


def _medians(session: Session, value: Any, *groups: Any) -> Select[Any]:
    """The median of `value` in each group of a subquery's rows: the groups (by their names),
    then `middle` (of an even count, the mean of the middle two)."""
    if session.get_bind().dialect.name == "postgresql":
        middle = func.percentile_cont(0.5).within_group(value)
        return select(*groups, middle.label("middle")).group_by(*groups)
    # SQLite has no percentile: rank the rows and average the middle one or two.
    ranked = select(
        *groups,
        value.label("value"),
        func.row_number().over(partition_by=groups, order_by=value).label("rank"),
        func.count().over(partition_by=groups).label("count"),
    ).subquery()
    kept = [ranked.c[group.name] for group in groups]
    return (
        select(*kept, func.avg(ranked.c.value).label("middle"))
        .where(_median(ranked.c.rank, ranked.c.count))
        .group_by(*kept)
    )


def _ranked_reasons(rows: list[tuple[str, int, Decimal]]) -> list[LostReason]:
    """Reasons most often first (then by value); reasons that differ only in case or spacing
    are one."""
    spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    values: dict[str, Decimal] = defaultdict(Decimal)
    for reason, count, value in rows:
        text = " ".join(reason.split())
        key = text.casefold()
        spellings[key][text] += count
        counts[key] += count
        values[key] += value
    ranked = sorted(counts, key=lambda key: (-counts[key], -values[key], key))
    return [LostReason(_spelling(spellings[key]), counts[key], values[key]) for key in ranked]


def _spelling(seen: dict[str, int]) -> str:
    """The way a reason was typed most often (ties: the first in code-point order, so both
    databases show the same)."""
    return min(seen, key=lambda text: (-seen[text], text))


def _position_case(column: Any, positions: dict[str, int]) -> ColumnElement[int | None]:
    """A stage key's step index (None for a stage that is no step)."""
    if not positions:
        return cast(None, Integer)
    return case(positions, value=column, else_=None)


def _standing_stage_changes() -> list[ColumnElement[bool]]:
    """The stage changes that stand: an undone change and the undo that reverted it are left
    out."""
    return [
        DealEvent.field == "stage",
        DealEvent.undone_by.is_(None),
        DealEvent.action != "undo",
    ]


def _steps(
    session: Session,
    team: SalesTeam,
    periods: Sequence[Period],
    owner: Member | None,
    stages: _Stages,
    *,
    times: bool,
) -> list[list[StageStep]]:
    """Each period's funnel: how many of its closed deals reached each open stage and Won,
    each step's conversion into the next and (`times`) the median time spent in each stage.

    One walk through the closed deals' standing stage changes answers both (a statement
    whose rows are (0, period, furthest step, count) and (1, period, stage, median))."""
    closed = _closed_in(team, periods, owner, stages.closing_keys)
    walk = (
        select(
            closed.bucket.label("bucket"),
            Deal.id.label("deal_id"),
            Deal.stage.label("stage"),
            Deal.created_at.label("created_at"),
            DealEvent.old_value.label("old"),
            DealEvent.new_value.label("new"),
            DealEvent.at.label("left_at"),
            func.lag(DealEvent.at)
            .over(partition_by=Deal.id, order_by=DealEvent.id)
            .label("entered_at"),
        )
        .select_from(Deal)
        .outerjoin(DealEvent, and_(DealEvent.deal_id == Deal.id, *_standing_stage_changes()))
        .where(*closed.where)
        .cte("walk")
    )
    furthest = _furthest(session, walk, stages)
    query = union_all(furthest, _times(session, walk, stages)) if times else furthest
    counted: list[dict[int | None, int]] = [{} for _ in periods]
    medians: dict[tuple[int, str], Decimal | None] = {}
    for kind, bucket, step, key, value in session.execute(query):
        if kind == 0:
            counted[bucket][step] = int(value)
        else:
            medians[(bucket, key)] = funnel.days(Decimal(str(value)))
    won_label = stages.won[0].label if stages.won else _("Won")
    labels = [stage.label for stage in stages.open] + [won_label]
    keys: list[str | None] = [stage.key for stage in stages.open] + [None]
    found = []
    for bucket in range(len(periods)):
        reached = funnel.reached_counts(counted[bucket], len(keys))
        found.append(
            [
                StageStep(
                    label=label,
                    reached=count,
                    converted=conversion,
                    median_days=medians.get((bucket, key)) if key is not None else None,
                    won=key is None,
                )
                for label, key, count, conversion in zip(
                    labels, keys, reached, funnel.conversions(reached), strict=True
                )
            ]
        )
    return found


def _furthest(session: Session, walk: Any, stages: _Stages) -> Select[Any]:
    """How many deals of each period went furthest to each step: where a deal is now, or any
    stage its changes came from or went to (-1 for none: it counts at the first step)."""
    opened = {stage.key: index for index, stage in enumerate(stages.open)}
    # A won stage is a step only for deals won now: one won, reopened and lost went no further.
    now_at = {**opened, **{key: len(opened) for key in stages.won_keys}}
    step_now = func.coalesce(_position_case(walk.c.stage, now_at), -1)
    step_then = func.max(
        _greatest(
            session,
            func.coalesce(_position_case(walk.c.old, opened), -1),
            func.coalesce(_position_case(walk.c.new, opened), -1),
        )
    )
    furthest = (
        select(
            walk.c.bucket,
            _greatest(session, step_now, func.coalesce(step_then, -1)).label("furthest"),
        )
        .group_by(walk.c.bucket, walk.c.deal_id, walk.c.stage)
        .subquery()
    )
    return select(
        literal(0).label("kind"),
        furthest.c.bucket,
        furthest.c.furthest.label("step"),
        cast(None, String).label("key"),
        cast(func.count(), Float).label("value"),
    ).group_by(furthest.c.bucket, furthest.c.furthest)


def _times(session: Session, walk: Any, stages: _Stages) -> Select[Any]:
    """The median time the deals of each period spent in each open stage (summed over their
    visits to it), in seconds.

    Each standing stage change closes the time in the stage it left, which began at the
    change before it or, for the first, when the deal was created; an imported deal's first
    stretch began before the import, when no one recorded its stage, so it is not counted."""
    since = func.coalesce(walk.c.entered_at, walk.c.created_at)
    imported = aliased(DealEvent)
    # Asked of a deal's first stretch only (the others began at a change someone made), of
    # the few imports (ix_deal_event_import).
    known = or_(
        walk.c.entered_at.is_not(None),
        ~exists().where(imported.deal_id == walk.c.deal_id, imported.action == IMPORT_ACTION),
    )
    per_deal = (
        select(
            walk.c.bucket,
            walk.c.old.label("key"),
            func.sum(_seconds(session, walk.c.left_at, since)).label("spent"),
        )
        .where(walk.c.old.in_([stage.key for stage in stages.open]), known)
        .group_by(walk.c.bucket, walk.c.deal_id, walk.c.old)
        .subquery()
    )
    middle = _medians(session, per_deal.c.spent, per_deal.c.bucket, per_deal.c.key).subquery()
    return select(
        literal(1).label("kind"),
        middle.c.bucket,
        cast(None, Integer).label("step"),
        middle.c.key,
        cast(middle.c.middle, Float).label("value"),
    )


# --------------------------------------------------------------------------- segments


def segments(
    session: Session,
    team: SalesTeam,
    period: Period,
    *,
    previous: Period | None = None,
    owner: Member | None = None,
    dimension: Dimension,
    medians: bool = True,
) -> list[Segment]:
    """The deals closed in `period` (and, beside each, in `previous`: the period just before
    it), split by `dimension`: revenue won, win rates, average won deal and cycle per value
    (None: deals with no value), the most revenue first (then the most deals, then the
    value). Summed by the database, a row per period, value, outcome and currency; with
    `medians`, one statement more for the median cycles."""
    periods = [period] if previous is None else [previous, period]
    stages = _stages(session, team.workspace_id)
    grouped = _segment_outcomes(session, team, periods, owner, stages, dimension, medians)
    now = grouped[-1]
    before = grouped[0] if previous is not None else {}
    keys = list(dict.fromkeys([*now, *before]))
    people = _people(session, team, keys) if dimension.people else {}
    found = [
        Segment(
            value=people[key][1] if key in people else key,
            user_id=people[key][0] if key in people else None,
            outcomes=now.get(key, _NOTHING),
            previous=before.get(key, _NOTHING) if previous is not None else None,
        )
        for key in keys
    ]
    return sorted(
        found,
        key=lambda s: (-s.outcomes.won_amount, -s.outcomes.closed, s.value is None, s.value or ""),
    )


_NOTHING = funnel.outcomes(
    won=0,
    lost=0,
    won_amount=Decimal(0),
    lost_amount=Decimal(0),
    cycle_seconds_total=0,
    median_cycle_seconds=None,
)


def _segment_outcomes(
    session: Session,
    team: SalesTeam,
    periods: Sequence[Period],
    owner: Member | None,
    stages: _Stages,
    dimension: Dimension,
    medians: bool,
) -> list[dict[str | None, funnel.Outcomes]]:
    """Each period's outcomes per value of the dimension (keys as text; None: no value)."""
    rates = rates_of(session, team)
    each = each_foreign_amount(rates.currency)
    won_flag = case((Deal.stage.in_(stages.won_keys), 1), else_=0)
    closed = _closed_in(team, periods, owner, stages.closing_keys)
    query, value = dimension.value(select(closed.bucket).select_from(Deal))
    rows = session.execute(
        query.add_columns(
            value,
            won_flag,
            Deal.currency,
            each,
            func.count(Deal.id),
            func.sum(Deal.amount),
            func.sum(_seconds(session, Deal.closed_at, Deal.created_at)),
        )
        .where(*closed.where)
        .group_by(closed.bucket, value, won_flag, Deal.currency, each)
    )
    count: dict[tuple[int, str | None, bool], int] = defaultdict(int)
    worth: dict[tuple[int, str | None, bool], Decimal] = defaultdict(Decimal)
    cycles: dict[tuple[int, str | None], int] = defaultdict(int)
    for bucket, key, won, currency, one, deals, amount, spent in rows:
        text = None if key is None else str(key)
        count[(bucket, text, bool(won))] += deals
        worth[(bucket, text, bool(won))] += group_value(rates, currency, one, amount, deals)
        if won:
            cycles[(bucket, text)] += int(spent or 0)
    middles = _median_cycles(session, team, periods, owner, stages, dimension) if medians else {}
    found: list[dict[str | None, funnel.Outcomes]] = [{} for _ in periods]
    for bucket, text in dict.fromkeys((b, t) for b, t, _won in count):
        middle = middles.get((bucket, text))
        found[bucket][text] = funnel.outcomes(
            won=count[(bucket, text, True)],
            lost=count[(bucket, text, False)],
            won_amount=worth[(bucket, text, True)],
            lost_amount=worth[(bucket, text, False)],
            cycle_seconds_total=cycles[(bucket, text)],
            median_cycle_seconds=middle,
        )
    return found


def _people(
    session: Session, team: SalesTeam, keys: Sequence[str | None]
) -> dict[str | None, tuple[str, str]]:
    """Segment values that are member ids: each member's Slack id and name, in one query."""
    ids = [int(value) for value in keys if value is not None and value.isdigit()]
    members = session.scalars(
        select(Member).where(Member.workspace_id == team.workspace_id, Member.id.in_(ids))
    )
    return {str(member.id): (member.slack_user_id, member.name) for member in members}


def segment_extremes(
    session: Session, team: SalesTeam, period: Period, *, owner: Member | None = None
) -> tuple[SegmentExtremes, ...]:
    """Per deal field of the team, its best and worst value over `period` by win rate (ties:
    more revenue won), of the values with at least MIN_CLOSED_FOR_EXTREMES closed deals; a
    field with fewer than two such values, or whose two win alike, says nothing."""
    found = []
    for field in team_fields(session, team.workspace_id, team.id):
        split = segments(
            session, team, period, owner=owner, dimension=field_dimension(field), medians=False
        )
        ranked = sorted(
            (
                s
                for s in split
                if s.value is not None and s.outcomes.closed >= MIN_CLOSED_FOR_EXTREMES
            ),
            key=lambda s: (-(s.outcomes.win_rate or 0), -s.outcomes.won_amount, s.value or ""),
        )
        if len(ranked) < 2 or ranked[0].outcomes.win_rate == ranked[-1].outcomes.win_rate:
            continue
        found.append(SegmentExtremes(field.name, period, ranked[0], ranked[-1]))
    return tuple(found)


# --------------------------------------------------------------------------- movement


_MOVED_FIELDS = ("closed_at", "stage", "amount", "currency")


@dataclass(frozen=True)
class _Row:
    created_at: datetime
    closed_at: datetime | None
    stage: str
    amount: Decimal
    currency: str


def pipeline_movement(
    session: Session,
    team: SalesTeam,
    span: Period,
    *,
    now: datetime,
    owner: Member | None = None,
) -> funnel.Movement:
    """How the open pipeline moved from the start of `span` to its end (or `now`, if sooner),
    in the team currency at today's rates, for the deals of the team (or member) as they are
    now: each deal's state at both moments is read back from its history."""
    start, end = utc_bounds(span, ZoneInfo(team.timezone))
    end = max(start, min(end, now))
    # Open now, or closed since the start: the only deals that can have been open then.
    candidates = [
        Deal.workspace_id == team.workspace_id,
        Deal.team_id == team.id if owner is None else Deal.owner_id == owner.id,
        Deal.deleted_at.is_(None),
        Deal.created_at < end,
        or_(Deal.closed_at.is_(None), Deal.closed_at >= start),
    ]
    rows = {
        deal_id: _Row(created_at, closed_at, stage, amount, currency)
        for deal_id, created_at, closed_at, stage, amount, currency in session.execute(
            select(
                Deal.id, Deal.created_at, Deal.closed_at, Deal.stage, Deal.amount, Deal.currency
            ).where(*candidates)
        )
    }
    later: dict[int, list[tuple[datetime, str, str | None]]] = defaultdict(list)
    events = session.execute(
        select(DealEvent.deal_id, DealEvent.at, DealEvent.field, DealEvent.old_value)
        .where(
            DealEvent.deal_id.in_(select(Deal.id).where(*candidates)),
            DealEvent.at >= start,
            DealEvent.field.in_(_MOVED_FIELDS),
        )
        .order_by(DealEvent.id)
    )
    for deal_id, at, field, old in events:
        later[deal_id].append((at, field, old))
    rates = rates_of(session, team)
    kinds = {stage.key: stage.kind for stage in stage_list(session, team.workspace_id)}

    def span_of(deal_id: int, row: _Row) -> funnel.Span:
        first = _state(row, later[deal_id], start)
        last = _state(row, later[deal_id], end)
        closed_as: Literal["won", "lost"] | None = None
        closed_at = last.closed_at
        kind = kinds.get(last.stage)
        if closed_at is not None and closed_at >= start and kind in ("won", "lost"):
            closed_as = "won" if kind == "won" else "lost"
        return funnel.Span(
            open_at_start=row.created_at < start and first.closed_at is None,
            start_value=rates.value(first.amount, first.currency) or Decimal(0),
            open_at_end=row.created_at < end and last.closed_at is None,
            end_value=rates.value(last.amount, last.currency) or Decimal(0),
            closed_as=closed_as,
        )

    return funnel.movement(span_of(deal_id, row) for deal_id, row in rows.items())


def _state(row: _Row, changes: list[tuple[datetime, str, str | None]], at: datetime) -> _Row:
    """The deal as it stood at `at`: each field as the first change at or after it found it."""
    values: dict[str, str | None] = {}
    for when, field, old in changes:
        if when >= at and field not in values:
            values[field] = old

    def value(field: str, now: object, parse: Callable[[str], Any]) -> Any:
        if field not in values:
            return now
        old = values[field]
        return None if old is None else parse(old)

    return _Row(
        created_at=row.created_at,
        closed_at=value("closed_at", row.closed_at, datetime.fromisoformat),
        stage=value("stage", row.stage, str),
        amount=value("amount", row.amount, Decimal),
        currency=value("currency", row.currency, str),
    )


def funnel_window(last: Period) -> Period:
    """The twelve weeks that end with the report's period: the span of the report's funnel."""
    return Period("range", last.end - timedelta(weeks=12) + timedelta(days=1), last.end)
