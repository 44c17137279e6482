"""The numbers a sales manager acts on: the weekly report, and reports on demand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.amounts import Money
from bot.domain.periods import Period, RecurringKind, period_of, utc_bounds
from bot.domain.progress import Progress
from bot.domain.text import Mention
from bot.i18n import _, current, use_language
from bot.results.notices import ChartsDue, ReportPosted
from bot.results.reports import (
    DealFact,
    Mover,
    Participation,
    Report,
    Shared,
    StageLine,
    StepGaps,
)
from bot.services import deals, forecast, insights, notices
from bot.services.actor import Actor
from bot.services.directory import find_member
from bot.services.errors import Refused
from bot.services.events import first_delivery
from bot.services.facts import team_facts
from bot.services.language import workspace_language
from bot.services.metrics import (
    achieved_by_owner,
    achieved_in_each,
    rates_of,
    won_stage_keys,
)
from bot.services.once import claim
from bot.services.standups import settings_for
from bot.services.targets import active_targets, board, progress_of, require_team
from models import (
    TEAM_SCOPE,
    Deal,
    Member,
    SalesTeam,
    StandupPrompt,
    StandupResponse,
    Workspace,
)

WEEKS_OF_HISTORY = 12
TOP = 5


def _scope(team: SalesTeam, owner: Member | None) -> Any:
    """The team's deals, or one member's deals in it."""
    # The workspace leads the deal indexes (ix_deal_team_open): without it they cannot serve.
    return and_(
        Deal.workspace_id == team.workspace_id,
        Deal.team_id == team.id if owner is None else Deal.owner_id == owner.id,
    )


def _won_in(session: Session, team: SalesTeam, period: Period, owner: Member | None) -> list[Deal]:
    start, end = utc_bounds(period, ZoneInfo(team.timezone))
    return list(
        session.scalars(
            select(Deal)
            .where(
                _scope(team, owner),
                Deal.deleted_at.is_(None),
                Deal.stage.in_(won_stage_keys(session, team.workspace_id)),
                Deal.closed_at >= start,
                Deal.closed_at < end,
            )
            .order_by(Deal.closed_at, Deal.id)
        )
    )


def _fact(session: Session, team: SalesTeam, deal: Deal, now: datetime) -> DealFact:
    owner = session.get(Member, deal.owner_id)
    assert owner is not None
    rates = rates_of(session, team)
    return DealFact(
        deal.number,
        deal.customer,
        owner.slack_user_id,
        rates.value(deal.amount, deal.currency) or Decimal(0),
        team.currency,
        (now - deal.updated_at).days,
        entered=Money(deal.amount, deal.currency) if deal.currency != team.currency else None,
    )


def weekly_report(
    session: Session,
    team: SalesTeam,
    *,
    week: Period,
    now: datetime,
    owner: Member | None = None,
    charts: bool = False,
) -> Report:
    """The report for `week` (the week just ended, or a month or quarter to date), for the team
    or one member of it, with the target period it falls in; with `charts`, also what only
    the charts draw (the funnel and the pipeline's movement), read when they are drawn."""
    workspace = session.get(Workspace, team.workspace_id)
    fiscal = workspace.fiscal_year_start_month if workspace else 1
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    scope = TEAM_SCOPE if owner is None else f"member:{owner.id}"
    goals = [
        t
        for t in active_targets(session, team, scope=scope, today=min(week.end, today))
        if t.metric == "revenue"
    ]
    team_target = progress_of(session, team, goals[0], today) if goals else None
    period = (
        team_target.period
        if team_target
        else period_of("month", week.end, fiscal_start_month=fiscal)
    )
    owners = None if owner is None else [owner.id]
    # Loaded first, so that each deal's owner below comes from the session, not a query.
    members = {m.id: m for m in session.scalars(select(Member).where(Member.team_id == team.id))}
    won = _won_in(session, team, week, owner)
    facts = [_fact(session, team, d, now) for d in won]
    by_owner = achieved_by_owner(session, team, "revenue", week, owner_ids=owners)
    movers = sorted(
        (
            Mover(members[i].slack_user_id, members[i].name, v)
            for i, v in by_owner.items()
            if i in members and v > 0
        ),
        key=lambda m: m.won,
        reverse=True,
    )[:TOP]
    pipeline = pipeline_lines(session, team, owner)
    open_weighted = sum((line.weighted for line in pipeline), Decimal(0))
    remaining = team_target.progress.remaining if team_target else None
    return Report(
        team=team_facts(team),
        week=week,
        period=period,
        won_week=sum((f.amount for f in facts), Decimal(0)),
        won_week_count=len(facts),
        team_target=team_target,
        period_won=sum(
            achieved_by_owner(session, team, "revenue", period, owner_ids=owners).values(),
            Decimal(0),
        ),
        open_weighted=open_weighted,
        coverage=(open_weighted / remaining).quantize(Decimal("0.01")) if remaining else None,
        biggest=max(facts, key=lambda f: f.amount, default=None),
        won_deals=facts,
        movers=movers,
        stale=stale_deals(session, team, now, owner),
        participation=participation(session, team, week, owner),
        board=board(session, team, metric="revenue", period=period, today=today),
        weekly_won=weekly_won(session, team, week, fiscal, owners),
        weekly_pace=_weekly_pace(team_target.progress) if team_target else None,
        pipeline=pipeline,
        funnel=tuple(insights.stage_steps(session, team, insights.funnel_window(week), owner=owner))
        if charts
        else (),
        movement=insights.pipeline_movement(session, team, week, now=now, owner=owner)
        if charts
        else None,
        next_steps=step_gaps(session, team, members, today, owner),
        # The period reps call now (not the report's week), and how the one before went.
        forecast=forecast.board(
            session,
            team,
            period=forecast.forecast_period(session, team, today),
            now=now,
            owner=owner,
        ),
        accuracy=forecast.accuracy_board(
            session, team, forecast.last_period(session, team, today), owner=owner
        ),
        # Over the funnel chart's twelve weeks: a week closes too few deals to compare.
        segments=insights.segment_extremes(
            session, team, insights.funnel_window(week), owner=owner
        ),
    )


def step_gaps(
    session: Session, team: SalesTeam, members: dict[int, Member], today: date, owner: Member | None
) -> tuple[StepGaps, ...]:
    """Per member of the team, their open deals with no next step and those whose next step
    is overdue on `today` (one statement, whatever the team's size)."""
    missing = Deal.next_step_date.is_(None)
    overdue = Deal.next_step_date < today
    rows = session.execute(
        select(
            Deal.owner_id,
            func.count(case((missing, 1))),
            func.count(case((overdue, 1))),
        )
        .where(
            _scope(team, owner),
            Deal.closed_at.is_(None),
            Deal.deleted_at.is_(None),
            or_(missing, overdue),
        )
        .group_by(Deal.owner_id)
    )
    gaps = [
        StepGaps(members[i].slack_user_id, members[i].name, int(none), int(late))
        for i, none, late in rows
        if i in members
    ]
    return tuple(sorted(gaps, key=lambda g: (-g.total, g.name, g.user_id)))


def _weekly_pace(progress: Progress) -> Decimal:
    """The weekly amount that makes the target over the whole period."""
    weeks = max(Decimal(progress.working_days_total) / 5, Decimal(1))
    return (progress.target / weeks).quantize(Decimal("0.01"))


def weekly_won(
    session: Session, team: SalesTeam, last: Period, fiscal: int, owner_ids: list[int] | None
) -> list[tuple[date, Decimal]]:
    """Won amount per week for the 12 weeks ending with the week `last` ends in."""
    weeks = [
        period_of("week", last.end - timedelta(weeks=back), fiscal_start_month=fiscal)
        for back in range(WEEKS_OF_HISTORY - 1, -1, -1)
    ]
    won = achieved_in_each(session, team, "revenue", weeks, owner_ids=owner_ids)
    return [(week.start, amount) for week, amount in zip(weeks, won, strict=True)]


def pipeline_lines(session: Session, team: SalesTeam, owner: Member | None) -> list[StageLine]:
    """Open deals per stage in the team currency, weighted by the stage probability: the
    numbers of `/deal pipeline` (one function computes both)."""
    rows = deals.pipeline(
        session,
        team.workspace_id,
        reporting=team,
        owner=owner,
        team=team if owner is None else None,
    )
    return [StageLine(row.stage.label, row.count, row.total, row.weighted) for row in rows]


def stale_deals(
    session: Session, team: SalesTeam, now: datetime, owner: Member | None
) -> list[DealFact]:
    """The biggest open deals with no update for the team's stale threshold."""
    idle = session.scalars(
        select(Deal)
        .where(
            _scope(team, owner),
            Deal.closed_at.is_(None),
            Deal.deleted_at.is_(None),
            Deal.updated_at < now - timedelta(days=team.stale_days),
        )
        .order_by(Deal.amount.desc(), Deal.id)
        .limit(TOP)
    )
    return [_fact(session, team, d, now) for d in idle]


def participation(
    session: Session, team: SalesTeam, week: Period, owner: Member | None
) -> Participation:
    """Stand-up prompts sent in the week, and how many were answered."""
    query = (
        select(func.count(StandupPrompt.id), func.count(StandupResponse.id))
        .outerjoin(StandupResponse, StandupResponse.prompt_id == StandupPrompt.id)
        .where(
            StandupPrompt.team_id == team.id,
            StandupPrompt.local_date >= week.start,
            StandupPrompt.local_date <= week.end,
            StandupPrompt.status != "skipped",
        )
    )
    if owner is not None:
        query = query.where(StandupPrompt.member_id == owner.id)
    prompts = session.execute(query).one()
    return Participation(int(prompts[0]), int(prompts[1]))


REPORT_CATCH_UP = timedelta(hours=2)
REPORT_KINDS: dict[str, RecurringKind] = {"week": "week", "month": "month", "quarter": "quarter"}


def report_settings(session: Session, team: SalesTeam) -> tuple[int, str]:
    """The team's report weekday (Monday = 0) and local time, as in its stand-up settings."""
    settings = settings_for(session, team)
    return settings.report_weekday, settings.report_time


def reports_due(session: Session, now: datetime) -> list[tuple[int, Period]]:
    """Teams whose report time has come (up to 2 hours late), with the week each report covers:
    the last full week (Monday to Sunday) before the report day's week. Claimed separately."""
    due = []
    for team in list(session.scalars(select(SalesTeam).order_by(SalesTeam.id))):
        weekday, at = report_settings(session, team)
        zone = ZoneInfo(team.timezone)
        local = now.astimezone(zone)
        week_start = local.date() - timedelta(days=local.weekday())
        hour, minute = (int(part) for part in at.split(":"))
        report_day = week_start + timedelta(days=weekday)
        instant = datetime(
            report_day.year, report_day.month, report_day.day, hour, minute, tzinfo=zone
        )
        if instant <= now < instant + REPORT_CATCH_UP:
            due.append((team.id, week_covered(week_start - timedelta(days=7))))
    return due


def post_weekly_report(session: Session, team_id: int, week: Period, *, now: datetime) -> bool:
    """Claim the team's report for `week` and owe it, with its charts, to the team channel in
    the workspace's language; False when another run already did."""
    team = session.get(SalesTeam, team_id)
    key = f"weekly-report:{team_id}:{week.start.isoformat()}"
    if team is None or not claim(session, key, now=now):
        return False
    with use_language(workspace_language(session, team.workspace_id)):
        report = weekly_report(session, team, week=week, now=now)
        _owe_to_channel(session, report, kind="weekly", subject_user_id=None, key=key, at=now)
    return True


def report_for(session: Session, actor: Actor, *, kind: str, user_id: str | None) -> Report:
    """A report on demand: this week, month or quarter to date, for the team or one member."""
    team = require_team(actor)
    owner = None
    if user_id is not None:
        owner = find_member(session, actor.workspace_id, user_id)
        if owner is None or owner.team_id != team.id:
            raise Refused(_("{person} is not in {team}."), person=Mention(user_id), team=team.name)
    return report_of_team(session, team, kind=kind, owner=owner, now=actor.now)


def report_of_team(
    session: Session,
    team: SalesTeam,
    *,
    kind: str,
    owner: Member | None,
    now: datetime,
    charts: bool = False,
) -> Report:
    """The week, month or quarter to date at `now`, for the team or one member of it."""
    workspace = session.get(Workspace, team.workspace_id)
    fiscal = workspace.fiscal_year_start_month if workspace else 1
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    span = period_of(REPORT_KINDS[kind], today, fiscal_start_month=fiscal)
    return weekly_report(session, team, week=span, now=now, owner=owner, charts=charts)


def week_covered(week_start: date) -> Period:
    """The Monday-to-Sunday week a weekly report covers."""
    return Period("week", week_start, week_start + timedelta(days=6))


def owe_charts(
    session: Session,
    report: Report,
    *,
    kind: str,
    subject_user_id: str | None,
    at: datetime,
    channel_id: str | None = None,
    dm_user_id: str | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Owe the report's charts (none for an empty report): drawn when they are sent."""
    if report.empty:
        return
    notices.record(
        session,
        ChartsDue(
            workspace_id=report.team.workspace_id,
            language=current(),
            team_id=report.team.id,
            kind=kind,
            subject_user_id=subject_user_id,
            week_start=report.week.start if kind == "weekly" else None,
            at=at,
            channel_id=channel_id,
            dm_user_id=dm_user_id,
            dedupe_key=dedupe_key,
        ),
    )


def report_on_demand(session: Session, actor: Actor, *, kind: str, user_id: str | None) -> Report:
    """`/deal report`: the numbers for the caller now, the charts owed to their DM."""
    report = report_for(session, actor, kind=kind, user_id=user_id)
    owe_charts(
        session,
        report,
        kind=kind,
        subject_user_id=user_id,
        at=actor.now,
        dm_user_id=actor.member.slack_user_id,
    )
    return report


def share_report(
    session: Session, actor: Actor, *, kind: str, user_id: str | None, source: str
) -> Shared:
    """Post an on-demand report with its charts to the team channel, once per report message."""
    # The team channel hears it in the workspace's language, whoever shared it.
    with use_language(workspace_language(session, actor.workspace_id)):
        report = report_for(session, actor, kind=kind, user_id=user_id)
        key = f"report-share:{report.team.id}:{actor.member.slack_user_id}:{source}"
        fresh = first_delivery(
            session, event_id=key, workspace_id=actor.workspace_id, now=actor.now
        )
        if not fresh:
            return Shared(report, fresh=False)
        _owe_to_channel(session, report, kind=kind, subject_user_id=user_id, key=key, at=actor.now)
    return Shared(report, fresh=True)


def _owe_to_channel(
    session: Session,
    report: Report,
    *,
    kind: str,
    subject_user_id: str | None,
    key: str,
    at: datetime,
) -> None:
    """The report's numbers and charts, owed to its team's channel in the current language."""
    notices.record(
        session,
        ReportPosted(
            workspace_id=report.team.workspace_id,
            language=current(),
            report=report,
            channel_id=report.team.channel_id,
            weekly=kind == "weekly",
            subject_user_id=subject_user_id,
            dedupe_key=key,
        ),
    )
    owe_charts(
        session,
        report,
        kind=kind,
        subject_user_id=subject_user_id,
        at=at,
        channel_id=report.team.channel_id,
        dedupe_key=f"{key}:charts",
    )
