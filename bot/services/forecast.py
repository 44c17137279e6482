"""The weekly forecast call: each open deal's category, the commit a rep calls once a week on the
team's report day, the forecast per rep and in total, and how accurate a finished period's
calls were. The rules are bot.domain.forecast's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.amounts import AmountError, parse_amount
from bot.domain.forecast import (
    AUTO,
    USAGE,
    Category,
    CategoryError,
    accuracy,
    category_of,
    parse_category,
    stage_category,
    week_of,
    weighted,
)
from bot.domain.periods import Period, PeriodError, parse_period, period_of, previous
from bot.domain.stages import StageError, resolve_stage
from bot.domain.text import Mention, TextTooLongError, clean_text, worded
from bot.i18n import _
from bot.results.facts import Person
from bot.results.forecast import (
    AccuracyBoard,
    CallAccuracy,
    DealForecast,
    ForecastAsk,
    ForecastBoard,
    ForecastLine,
    ForecastMapped,
    ForecastMapping,
    StageForecast,
)
from bot.services import deals
from bot.services.actor import Actor, require_manager
from bot.services.directory import find_member, stages_of, team_members
from bot.services.errors import FormErrors, Refused
from bot.services.facts import person, team_facts
from bot.services.metrics import achieved_by_owner, each_foreign_amount, group_value, rates_of
from bot.services.once import insert_once
from bot.services.targets import active_targets, member_scope, require_team
from models import (
    TEAM_SCOPE,
    Deal,
    ForecastCall,
    Member,
    SalesTeam,
    StageDef,
    StandupSettings,
    Target,
    Workspace,
)

REASON_MAX = 500
ZERO = Decimal(0)


# --- categories ---------------------------------------------------------------------------


def stage_categories(session: Session, workspace_id: str) -> dict[str, Category]:
    """The category each stage gives its deals (a manager's choice, else the default)."""
    stages = deals.stage_list(session, workspace_id)
    chosen = {row.key: row.forecast for row in stages_of(session, workspace_id)}
    return {s.key: stage_category(s, stages, chosen.get(s.key)) for s in stages}


def deal_category(session: Session, deal: Deal) -> DealForecast | None:
    """An open deal's category (None for a closed deal: it is won or lost, not forecast)."""
    if deal.closed_at is not None:
        return None
    own = category_of(deal.forecast)
    if own is not None:
        return DealForecast(own, chosen=True)
    categories = stage_categories(session, deal.workspace_id)
    return DealForecast(categories.get(deal.stage, "pipeline"), chosen=False)


def read_category(text: str, usage: str) -> Category | None:
    """A typed category for a deal or a stage; None for `auto` (back to the default)."""
    try:
        found = parse_category(text)
    except CategoryError as error:
        raise Refused.plain_text(str(error), usage) from None
    return None if found == AUTO else category_of(found)


def mapping(session: Session, workspace_id: str) -> ForecastMapping:
    """The open stages and the category of their deals."""
    stages = deals.stage_list(session, workspace_id)
    chosen = {row.key: category_of(row.forecast) for row in stages_of(session, workspace_id)}
    rows = tuple(
        StageForecast(
            s, stage_category(s, stages, chosen.get(s.key)), chosen.get(s.key) is not None
        )
        for s in stages
        if s.kind == "open"
    )
    return ForecastMapping(rows)


def map_stage(
    session: Session, actor: Actor, stage_text: str, category_text: str, usage: str
) -> ForecastMapped:
    """Managers: put a stage's deals in a category (`auto`: back to the default)."""
    require_manager(actor)
    stages = deals.stage_list(session, actor.workspace_id)
    try:
        stage = resolve_stage(stage_text, stages)
    except StageError as error:
        raise Refused.plain_text(str(error), usage) from None
    if stage.kind != "open":
        raise Refused(
            _("{stage} closes a deal: only open stages have a forecast category."),
            usage,
            stage=stage.label,
        )
    category = read_category(category_text, usage)
    row = session.scalars(
        select(StageDef).where(
            StageDef.workspace_id == actor.workspace_id, StageDef.key == stage.key
        )
    ).one()
    row.forecast = category
    found = mapping(session, actor.workspace_id)
    changed = next(s for s in found.stages if s.stage.key == stage.key)
    return ForecastMapped(changed, found)


# --- the period and what counts in it ------------------------------------------------------


def team_today(team: SalesTeam, now: datetime) -> date:
    """Today in the team's zone, where periods and weeks have their boundaries."""
    return now.astimezone(ZoneInfo(team.timezone)).date()


def fiscal_start(session: Session, team: SalesTeam) -> int:
    """The month the team's workspace starts its fiscal year in."""
    workspace = session.get(Workspace, team.workspace_id)
    return workspace.fiscal_year_start_month if workspace else 1


def forecast_period(session: Session, team: SalesTeam, today: date) -> Period:
    """The period reps call their commit for: the team's revenue target's (as the weekly
    report takes it), else a member's, else this month."""
    revenue = [
        t for t in active_targets(session, team, scope=None, today=today) if t.metric == "revenue"
    ]
    revenue.sort(key=lambda t: t.scope != TEAM_SCOPE)
    if revenue:
        first = revenue[0]
        return Period(first.period_kind, first.start_date, first.end_date)  # type: ignore[arg-type]
    return period_of("month", today, fiscal_start_month=fiscal_start(session, team))


def _counted(period: Period, today: date) -> ColumnElement[bool]:
    """Open deals that count towards `period` (bot.domain.forecast.counts_in)."""
    due = Deal.close_date <= period.end
    if period.start > today:
        # Not begun yet: what is due before it is this period's business, not that one's.
        due = and_(due, Deal.close_date >= period.start)
    return or_(Deal.close_date.is_(None), due)


@dataclass
class OpenDeals:
    """A rep's open deals that count towards a period, by category, in the team currency."""

    by_category: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    weighted: Decimal = ZERO

    def of(self, category: Category) -> Decimal:
        """The open deals of one category."""
        return self.by_category.get(category, ZERO)


def open_by_owner(
    session: Session, team: SalesTeam, period: Period, owner_ids: Sequence[int], today: date
) -> dict[int, OpenDeals]:
    """Each owner's open deals counting towards the period, by category, and weighted (each
    stage's total times its probability, omitted deals left out); one statement."""
    if not owner_ids:
        return {}
    rates = rates_of(session, team)
    each = each_foreign_amount(team.currency)
    query = (
        select(
            Deal.owner_id,
            Deal.stage,
            Deal.forecast,
            Deal.currency,
            each,
            func.sum(Deal.amount),
            func.count(Deal.id),
        )
        .where(
            Deal.workspace_id == team.workspace_id,
            Deal.owner_id.in_(list(owner_ids)),
            Deal.closed_at.is_(None),
            Deal.deleted_at.is_(None),
            _counted(period, today),
        )
        .group_by(Deal.owner_id, Deal.stage, Deal.forecast, Deal.currency, each)
    )
    stages = {s.key: s for s in deals.stage_list(session, team.workspace_id)}
    categories = stage_categories(session, team.workspace_id)
    found: dict[int, OpenDeals] = defaultdict(OpenDeals)
    # Weighted per owner and stage, as the pipeline weights each stage's total.
    by_stage: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for owner_id, key, own, currency, one, total, count in session.execute(query):
        value = group_value(rates, currency, one, total, count)
        category = category_of(own) or categories.get(key, "pipeline")
        found[owner_id].by_category[category] += value
        if category != "omitted":
            by_stage[(owner_id, key)] += value
    for (owner_id, key), value in by_stage.items():
        stage = stages.get(key)
        probability = stage.probability if stage is not None else ZERO
        found[owner_id].weighted += weighted(value, probability)
    return dict(found)


def _calls(
    session: Session, team: SalesTeam, period: Period, member_ids: Sequence[int] | None
) -> list[ForecastCall]:
    query = select(ForecastCall).where(
        ForecastCall.team_id == team.id,
        ForecastCall.period_start == period.start,
        ForecastCall.period_end == period.end,
    )
    if member_ids is not None:
        query = query.where(ForecastCall.member_id.in_(list(member_ids)))
    return list(session.scalars(query.order_by(ForecastCall.week_start, ForecastCall.id)))


def _call_value(session: Session, team: SalesTeam, call: ForecastCall) -> Decimal:
    """A call in the team currency (it was made in the team currency of its day)."""
    if call.currency == team.currency:
        return call.amount
    return rates_of(session, team).value(call.amount, call.currency) or ZERO


# --- the call in the stand-up --------------------------------------------------------------


def is_report_day(settings: StandupSettings, day: date) -> bool:
    """The team's weekly report day is the day its reps call their commit."""
    return day.weekday() == settings.report_weekday


def has_called(session: Session, member: Member, period: Period, day: date) -> bool:
    """Whether the rep called their commit for the period in the week of `day`."""
    found = session.scalars(
        select(ForecastCall.id).where(
            ForecastCall.member_id == member.id,
            ForecastCall.period_start == period.start,
            ForecastCall.period_end == period.end,
            ForecastCall.week_start == week_of(day),
        )
    ).first()
    return found is not None


def suggestion(
    session: Session, team: SalesTeam, member: Member, period: Period, today: date
) -> ForecastAsk:
    """What the rep's commit is pre-filled with: won so far + their open commit deals."""
    won = achieved_by_owner(session, team, "revenue", period, owner_ids=[member.id])
    open_deals = open_by_owner(session, team, period, [member.id], today).get(member.id)
    commit = open_deals.of("commit") if open_deals else ZERO
    return ForecastAsk(period, won.get(member.id, ZERO), commit, team.currency)


def ask_for(
    session: Session,
    team: SalesTeam,
    member: Member,
    settings: StandupSettings,
    day: date,
    now: datetime,
) -> ForecastAsk | None:
    """The report day's question for the stand-up (None: not the day, or called already)."""
    if not is_report_day(settings, day):
        return None
    today = team_today(team, now)
    period = forecast_period(session, team, today)
    if has_called(session, member, period, today):
        return None
    return suggestion(session, team, member, period, today)


@dataclass(frozen=True)
class PendingCall:
    """A commit read from the check-in form, checked, to record once the check-in is."""

    team_id: int
    period: Period
    week_start: date
    amount: Decimal
    suggested: Decimal
    reason: str


def read_call(
    session: Session, actor: Actor, team: SalesTeam, amount_text: str, reason_text: str
) -> PendingCall | None:
    """The check-in form's commit and reason (None: the form asked for no commit). A commit
    other than the suggestion needs a reason; each problem is reported on its field."""
    if not amount_text.strip():
        return None
    errors: dict[str, str] = {}
    today = team_today(team, actor.now)
    period = forecast_period(session, team, today)
    suggested = suggestion(session, team, actor.member, period, today).suggested
    amount = ZERO
    try:
        money = parse_amount(amount_text, team.currency)
        value = rates_of(session, team).value(money.amount, money.currency)
        if value is None:
            errors["commit"] = worded(
                _("Give your commit in {currency}: there is no exchange rate for {other}."),
                currency=team.currency,
                other=money.currency,
            ).plain()
        else:
            amount = value
    except AmountError as error:
        errors["commit"] = str(error)
    try:
        reason = clean_text(reason_text, max_len=REASON_MAX)
    except TextTooLongError:
        reason = ""
        errors["commit_reason"] = worded(
            _("The reason is too long: {most} characters at most."), most=REASON_MAX
        ).plain()
    if "commit" not in errors and amount != suggested and not reason:
        errors["commit_reason"] = worded(
            _(
                "Your commit differs from what you have won and your commit deals "
                "({amount} {currency}): say why."
            ),
            amount=suggested,
            currency=team.currency,
        ).plain()
    if errors:
        raise FormErrors(errors)
    return PendingCall(team.id, period, week_of(today), amount, suggested, reason)


def record_call(session: Session, actor: Actor, pending: PendingCall) -> bool:
    """Record the rep's call for the week; False when they had called already (the first call
    of the week stands: the unique key decides, however many submits race)."""
    team = session.get(SalesTeam, pending.team_id)
    assert team is not None
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "member_id": actor.member.id,
        "period_kind": pending.period.kind,
        "period_start": pending.period.start,
        "period_end": pending.period.end,
        "week_start": pending.week_start,
        "amount": pending.amount,
        "suggested": pending.suggested,
        "currency": team.currency,
        "reason": pending.reason,
        "called_at": actor.now,
    }
    keys = ["member_id", "period_start", "period_end", "week_start"]
    return insert_once(session, ForecastCall, values, keys)


# --- the forecast per rep and in total -----------------------------------------------------


def _targets(session: Session, team: SalesTeam, period: Period) -> dict[str, Decimal]:
    """The period's revenue targets by scope (`team`, `member:<id>`)."""
    query = select(Target.scope, Target.amount).where(
        Target.team_id == team.id,
        Target.metric == "revenue",
        Target.start_date == period.start,
        Target.end_date == period.end,
    )
    return {scope: amount for scope, amount in session.execute(query)}


def board(
    session: Session,
    team: SalesTeam,
    *,
    period: Period,
    now: datetime,
    owner: Member | None = None,
) -> ForecastBoard:
    """Each rep's forecast for the period this week (or one rep's), and the team's total."""
    today = team_today(team, now)
    week = week_of(today)
    members = [owner] if owner is not None else team_members(session, team)
    ids = [m.id for m in members]
    targets = _targets(session, team, period)
    won = achieved_by_owner(session, team, "revenue", period, owner_ids=ids)
    open_deals = open_by_owner(session, team, period, ids, today)
    calls: dict[tuple[int, date], Decimal] = {
        (c.member_id, c.week_start): _call_value(session, team, c)
        for c in _calls(session, team, period, ids)
        if c.week_start in (week, week - timedelta(days=7))
    }
    lines = []
    for member in members:
        rep = open_deals.get(member.id, OpenDeals())
        rep_won = won.get(member.id, ZERO)
        called = calls.get((member.id, week))
        commit = called if called is not None else rep_won + rep.of("commit")
        target = targets.get(member_scope(member))
        lines.append(
            ForecastLine(
                rep=person(member),
                target=target,
                won=rep_won,
                commit=commit,
                called=called is not None,
                best_case=rep_won + rep.of("commit") + rep.of("best_case"),
                weighted=rep.weighted,
                gap=None if target is None else target - commit,
                last_week=calls.get((member.id, week - timedelta(days=7))),
            )
        )
    total = None if owner is not None else _total(lines, targets.get(TEAM_SCOPE))
    finished = period.end < today
    return ForecastBoard(
        team_facts(team),
        period,
        week,
        team.currency,
        tuple(lines),
        total,
        accuracy_board(session, team, period, owner=owner) if finished else None,
    )


def _total(lines: Sequence[ForecastLine], team_target: Decimal | None) -> ForecastLine:
    """The team's line: the sums of the reps' lines, against the team target (else the sum
    of the reps' targets, if any has one)."""
    reps = [line.target for line in lines if line.target is not None]
    target = team_target if team_target is not None else (sum(reps, ZERO) if reps else None)
    commit = sum((line.commit for line in lines), ZERO)
    last = [line.last_week for line in lines if line.last_week is not None]
    return ForecastLine(
        rep=None,
        target=target,
        won=sum((line.won for line in lines), ZERO),
        commit=commit,
        called=all(line.called for line in lines) and bool(lines),
        best_case=sum((line.best_case for line in lines), ZERO),
        weighted=sum((line.weighted for line in lines), ZERO),
        gap=None if target is None else target - commit,
        last_week=sum(last, ZERO) if last else None,
    )


# --- accuracy of a finished period ---------------------------------------------------------


def accuracy_board(
    session: Session, team: SalesTeam, period: Period, *, owner: Member | None = None
) -> AccuracyBoard | None:
    """Each rep's first and last commit for the period against what they won, and the team's
    (the sums over the reps who called); None when nobody called."""
    calls = _calls(session, team, period, [owner.id] if owner is not None else None)
    if not calls:
        return None
    by_member: dict[int, list[ForecastCall]] = defaultdict(list)
    for call in calls:
        by_member[call.member_id].append(call)
    won = achieved_by_owner(session, team, "revenue", period, owner_ids=list(by_member))
    people = {
        m.id: m for m in session.scalars(select(Member).where(Member.id.in_(list(by_member))))
    }
    lines = []
    # By name, as the team is listed everywhere else.
    for member in sorted(people.values(), key=lambda m: (m.name, m.slack_user_id)):
        own = by_member[member.id]
        first, last = _call_value(session, team, own[0]), _call_value(session, team, own[-1])
        lines.append(_accuracy(person(member), first, last, won.get(member.id, ZERO), len(own)))
    total = None
    if owner is None:
        total = _accuracy(
            None,
            sum((line.first for line in lines), ZERO),
            sum((line.last for line in lines), ZERO),
            sum((line.won for line in lines), ZERO),
            sum(line.calls for line in lines),
        )
    return AccuracyBoard(period, tuple(lines), total)


def _accuracy(
    who: Person | None, first: Decimal, last: Decimal, won: Decimal, calls: int
) -> CallAccuracy:
    return CallAccuracy(
        who,
        first,
        last,
        won,
        accuracy(won, first),
        accuracy(won, last),
        calls,
    )


def calls_by_period(
    session: Session, team: SalesTeam, member: Member, periods: Sequence[Period]
) -> dict[tuple[date, date], tuple[Decimal, Decimal, int]]:
    """A rep's first and last commit (and how many calls) for each of these periods; one
    statement (`/target history`)."""
    if not periods:
        return {}
    starts = sorted({p.start for p in periods})
    query = (
        select(ForecastCall)
        .where(
            ForecastCall.team_id == team.id,
            ForecastCall.member_id == member.id,
            ForecastCall.period_start.in_(starts),
        )
        .order_by(ForecastCall.week_start, ForecastCall.id)
    )
    grouped: dict[tuple[date, date], list[ForecastCall]] = defaultdict(list)
    for call in session.scalars(query):
        grouped[(call.period_start, call.period_end)].append(call)
    return {
        key: (_call_value(session, team, own[0]), _call_value(session, team, own[-1]), len(own))
        for key, own in grouped.items()
    }


def past_accuracy(
    who: Person | None, first: Decimal, last: Decimal, won: Decimal, calls: int
) -> CallAccuracy:
    """A finished period's accuracy from its calls and what was won."""
    return _accuracy(who, first, last, won, calls)


# --- `/deal forecast` ---------------------------------------------------------------------


def forecast_for(
    session: Session, actor: Actor, *, period_text: str | None, user_id: str | None, mine: bool
) -> ForecastBoard:
    """`/deal forecast [period] [@person|team|mine]`: the team's (or one rep's) forecast."""
    team = require_team(actor)
    today = team_today(team, actor.now)
    if period_text:
        try:
            period = parse_period(
                period_text, today=today, fiscal_start_month=fiscal_start(session, team)
            )
        except PeriodError as error:
            raise Refused.plain_text(str(error), _(USAGE)) from None
    else:
        period = forecast_period(session, team, today)
    owner = actor.member if mine else None
    if user_id is not None:
        owner = find_member(session, actor.workspace_id, user_id)
        if owner is None or owner.team_id != team.id:
            raise Refused(_("{person} is not in {team}."), person=Mention(user_id), team=team.name)
    return board(session, team, period=period, now=actor.now, owner=owner)


def last_period(session: Session, team: SalesTeam, today: date) -> Period:
    """The period before the current forecast period: the last one whose calls can be judged."""
    return previous(
        forecast_period(session, team, today), fiscal_start_month=fiscal_start(session, team)
    )
