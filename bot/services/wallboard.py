"""The wallboard: a team's secret read-only link for the office TV (`/salesbot wallboard`), and
what the board shows, read in one short transaction per poll.

Only the SHA-256 of a link's token is stored: the link is shown once, in the manager's
ephemeral reply. A new link replaces the team's old one; a revoke clears it.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import wallboard as rules
from bot.domain.periods import Period, period_of, utc_bounds
from bot.i18n import _
from bot.results.wallboard import (
    BoardExtras,
    BoardState,
    BoardWin,
    LinkIssued,
    LinkRevoked,
    Participation,
    WinsTotal,
)
from bot.services import contests, targets
from bot.services.actor import Actor, require_manager
from bot.services.errors import Refused
from bot.services.facts import person, team_facts
from bot.services.language import workspace_language
from bot.services.metrics import achieved_by_owner, rates_of, won_stage_keys
from bot.services.once import insert_once
from models import (
    TEAM_SCOPE,
    Deal,
    Member,
    SalesTeam,
    StandupPrompt,
    StandupResponse,
    WallboardLink,
    Workspace,
)

# The path a board link opens; bot/web serves it.
BOARD_PATH = "/board/"
# The ticker shows at most this many of the week's wins, newest first.
TICKER_WINS = 20


def issue(session: Session, actor: Actor, team: SalesTeam, *, public_url: str | None) -> LinkIssued:
    """A new secret link to the team's board, replacing any older one (managers only)."""
    require_manager(actor)
    if not public_url:
        raise Refused(
            _(
                "I can't make a board link yet: this server does not know its public address. "
                "Whoever runs Salesbot sets `SALESBOT_PUBLIC_URL` (e.g. "
                "`https://salesbot.example.com`) and restarts it."
            )
        )
    token = secrets.token_urlsafe(rules.TOKEN_BYTES)
    digest = rules.digest(token)
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "token_digest": digest,
        "created_by_id": actor.member.id,
        "created_at": actor.now,
        "revoked_at": None,
    }
    replaced = False
    if not insert_once(session, WallboardLink, values, ["team_id"]):
        link = _link_of(session, team)
        replaced = link.token_digest is not None
        link.token_digest = digest
        link.created_by_id = actor.member.id
        link.created_at = actor.now
        link.revoked_at = None
    return LinkIssued(team_facts(team), f"{public_url}{BOARD_PATH}{token}", replaced)


def revoke(session: Session, actor: Actor, team: SalesTeam) -> LinkRevoked:
    """The team's board link stops working at once (managers only)."""
    require_manager(actor)
    link = session.scalars(
        select(WallboardLink).where(WallboardLink.team_id == team.id).with_for_update()
    ).one_or_none()
    if link is None or link.token_digest is None:
        return LinkRevoked(team_facts(team), had_link=False)
    link.token_digest = None
    link.revoked_at = actor.now
    return LinkRevoked(team_facts(team), had_link=True)


def _link_of(session: Session, team: SalesTeam) -> WallboardLink:
    return session.scalars(
        select(WallboardLink).where(WallboardLink.team_id == team.id).with_for_update()
    ).one()


def team_of_token(session: Session, token: str) -> SalesTeam | None:
    """The one team a board token shows (None: not a token, revoked, replaced or unknown)."""
    if not rules.is_token(token):
        return None
    found = session.execute(
        select(SalesTeam)
        .join(WallboardLink, WallboardLink.team_id == SalesTeam.id)
        .where(
            WallboardLink.token_digest == rules.digest(token),
            WallboardLink.workspace_id == SalesTeam.workspace_id,
        )
    ).scalar_one_or_none()
    return found


def state(session: Session, team: SalesTeam, *, now: datetime) -> BoardState:
    """What the team's board shows at `now` (only reads)."""
    zone = ZoneInfo(team.timezone)
    today = now.astimezone(zone).date()
    fiscal = _fiscal_start(session, team)
    period = board_period(session, team, today, fiscal)
    revenue = targets.board(session, team, metric="revenue", period=period, today=today)
    deals = targets.board(session, team, metric="deals", period=period, today=today)
    week = period_of("week", today, fiscal_start_month=fiscal)
    return BoardState(
        team=team_facts(team),
        language=workspace_language(session, team.workspace_id),
        now=now,
        period=period,
        ends_at=utc_bounds(period, zone)[1],
        revenue=revenue,
        deals=deals,
        wins=wins_this_week(session, team, today, fiscal),
        wins_today=wins_total(session, team, Period("range", today, today)),
        wins_week=wins_total(session, team, week),
        standup=standup_today(session, team, today),
        extras=extras(session, team, period=period, today=today, now=now),
    )


def extras(
    session: Session, team: SalesTeam, *, period: Period, today: date, now: datetime
) -> BoardExtras:
    """The running contests' standings (a ContestStanding each, best first, from
    bot.services.contests)."""
    return BoardExtras(contests=contests.board_standings(session, team, now))


def board_period(session: Session, team: SalesTeam, today: date, fiscal_start: int) -> Period:
    """The period of the team's current revenue target (the team's own first, else a
    member's), else of a deals target, else this month."""
    active = targets.active_targets(session, team, scope=None, today=today)
    for metric in ("revenue", "deals"):
        chosen = [t for t in active if t.metric == metric]
        chosen.sort(key=lambda t: t.scope != TEAM_SCOPE)
        if chosen:
            return targets.period_of_target(chosen[0])
    return period_of("month", today, fiscal_start_month=fiscal_start)


def wins_this_week(
    session: Session, team: SalesTeam, today: date, fiscal_start: int
) -> tuple[BoardWin, ...]:
    """The team's latest deals won this week (in its zone), newest first: the ticker's, at
    most TICKER_WINS (wins_total counts them all)."""
    zone = ZoneInfo(team.timezone)
    start, end = utc_bounds(period_of("week", today, fiscal_start_month=fiscal_start), zone)
    day_start = utc_bounds(Period("range", today, today), zone)[0]
    rows = session.execute(
        select(Deal.customer, Deal.amount, Deal.currency, Deal.closed_at, Member)
        .join(Member, Member.id == Deal.owner_id)
        .where(
            Deal.workspace_id == team.workspace_id,
            Deal.team_id == team.id,
            Deal.deleted_at.is_(None),
            Deal.stage.in_(won_stage_keys(session, team.workspace_id)),
            Deal.closed_at >= start,
            Deal.closed_at < end,
        )
        .order_by(Deal.closed_at.desc(), Deal.id.desc())
        .limit(TICKER_WINS)
    )
    rates = rates_of(session, team)
    found = []
    for customer, amount, currency, closed_at, owner in rows:
        assert closed_at is not None  # the window in the query excludes open deals
        found.append(
            BoardWin(
                person(owner),
                customer,
                Decimal(amount),
                currency,
                rates.value(Decimal(amount), currency),
                closed_at,
                today=closed_at >= day_start,
            )
        )
    return tuple(found)


def wins_total(session: Session, team: SalesTeam, period: Period) -> WinsTotal:
    """How many deals the team won in `period` and their value in the team currency, summed
    by the database (every win, not only the ticker's)."""
    counts = achieved_by_owner(session, team, "deals", period)
    values = achieved_by_owner(session, team, "revenue", period)
    return WinsTotal(int(sum(counts.values(), Decimal(0))), sum(values.values(), Decimal(0)))


def standup_today(session: Session, team: SalesTeam, today: date) -> Participation:
    """How many of today's stand-up prompts were answered."""
    asked, answered = session.execute(
        select(func.count(StandupPrompt.id), func.count(StandupResponse.id))
        .outerjoin(StandupResponse, StandupResponse.prompt_id == StandupPrompt.id)
        .where(StandupPrompt.team_id == team.id, StandupPrompt.local_date == today)
    ).one()
    return Participation(checked_in=int(answered), asked=int(asked))


def _fiscal_start(session: Session, team: SalesTeam) -> int:
    workspace = session.get(Workspace, team.workspace_id)
    return workspace.fiscal_year_start_month if workspace else 1
