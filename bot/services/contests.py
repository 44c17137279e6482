"""Contests (`/contest`): a time-boxed ranking of one team's reps, or of the workspace's
teams, on revenue, deals, points or an activity.

They read the same numbers as targets (bot.services.metrics.achieved_by_owner, in the team
currency), so a correction (a win undone, an activity taken back) flows into the standings.
Each minute the clock's job (`advance`) posts the start in each taking-part channel once,
edits the channel's one standings message when the standings changed, announces the result
once when the contest is over in every team's time zone (the ContestResult row is the key),
and, when a correction changes a result already announced, edits the result post and replies
once in its thread (the result's revision is the key).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.domain import contest_command as rules
from bot.domain.activities import MONEY_METRICS
from bot.domain.grammar import ParseError
from bot.domain.lexer import fold
from bot.domain.periods import Period, utc_bounds
from bot.domain.progress import percent_of
from bot.i18n import N_, _
from bot.results.contests import (
    ContestCorrected,
    ContestCreated,
    ContestEnded,
    ContestFacts,
    ContestFinished,
    ContestResult,
    ContestShown,
    ContestsListed,
    ContestStarted,
    HomeContest,
    Line,
    Standings,
    StandingsChanged,
)
from bot.results.wallboard import ContestStanding, StandingLine
from bot.services import notices
from bot.services.activities import team_words
from bot.services.actor import Actor, require_manager
from bot.services.directory import team_members
from bot.services.errors import Refused
from bot.services.language import workspace_language
from bot.services.metrics import achieved_by_owner
from bot.services.once import insert_once, insert_unique
from models import TEAM_SCOPE, Contest, ContestTeam, Member, SalesTeam, Target
from models import ContestResult as ResultRow

# After its end, a contest's result is still corrected for this long.
CORRECTION_WINDOW = timedelta(days=31)
LISTED = 20
NO_TEAM = N_(
    "You are not in a sales team yet, so there is no team to run a contest in. A manager can "
    "run `/salesbot setup` in the team's channel."
)


def contest_command(session: Session, actor: Actor, text: str) -> ContestResult:
    """Parse and run one `/contest` (help is answered by the handler without a transaction)."""
    parsed = rules.parse_contest(text, today=actor.today, kinds=team_words(session, actor.team))
    match parsed:
        case ParseError():
            raise Refused.parse_error(parsed)
        case rules.NewContest():
            return create(session, actor, parsed)
        case rules.ListContests():
            return list_contests(session, actor)
        case rules.ShowContest(name=name):
            return show(session, actor, name)
        case rules.EndContest(name=name):
            return end(session, actor, name)
        case _:
            raise Refused(_("Type `/contest help` for the forms."), rules.help_text())


# --- commands --------------------------------------------------------------------------


def create(session: Session, actor: Actor, parsed: rules.NewContest) -> ContestCreated:
    """A new contest (managers only); its start is posted now if it starts today."""
    require_manager(actor)
    if actor.team is None:
        raise Refused(_(NO_TEAM))
    home = actor.team
    usage = rules.USAGE["new"]
    teams = [home] if parsed.kind == "reps" else _teams_named(session, actor, parsed.teams)
    if parsed.kind == "teams":
        if len(teams) < 2:
            raise Refused(
                _(
                    "A team contest needs two teams or more: name their channels, "
                    "`teams #east #west`, or leave them out for every team of the workspace."
                ),
                usage,
            )
        if parsed.metric in MONEY_METRICS and len({t.currency for t in teams}) > 1:
            raise Refused(
                _(
                    "These teams count money in different currencies, so their revenue cannot "
                    "be ranked: run it on deals, points or an activity."
                ),
                usage,
            )
    # The name is claimed by the unique key: of two managers creating the same name at once,
    # the second is refused like any other duplicate, never an apology.
    contest_id = insert_unique(
        session,
        Contest,
        {
            "workspace_id": actor.workspace_id,
            "team_id": home.id,
            "name": parsed.name,
            "name_key": fold(parsed.name),
            "metric": parsed.metric,
            "kind": parsed.kind,
            "start_date": parsed.start,
            "end_date": parsed.end,
            "prize": parsed.prize,
            "created_by_id": actor.member.id,
            "created_at": actor.now,
            "cancelled": False,
        },
        ["workspace_id", "name_key"],
    )
    if contest_id is None:
        raise Refused(
            _("There is already a contest called “{name}”: choose another name."),
            usage,
            name=parsed.name,
        )
    contest = session.get_one(Contest, contest_id)
    for team in teams:
        session.add(
            ContestTeam(workspace_id=actor.workspace_id, contest_id=contest.id, team_id=team.id)
        )
    session.flush()
    started = advance(session, contest.id, actor.now) > 0
    return ContestCreated(facts(session, contest, actor.now), started)


def _teams_named(session: Session, actor: Actor, refs: Sequence[rules.TeamRef]) -> list[SalesTeam]:
    everyone = list(
        session.scalars(
            select(SalesTeam)
            .where(SalesTeam.workspace_id == actor.workspace_id)
            .order_by(SalesTeam.id)
        )
    )
    if not refs:
        return everyone
    found: list[SalesTeam] = []
    for ref in refs:
        match = next(
            (
                t
                for t in everyone
                if (ref.channel_id is not None and t.channel_id == ref.channel_id)
                or (ref.name is not None and fold(t.name.lstrip("#")) == fold(ref.name))
            ),
            None,
        )
        if match is None:
            if ref.channel_id is not None:
                raise Refused(
                    _(
                        "<#{channel}> is not a sales team's channel. A manager can make it one "
                        "with `/salesbot setup` there."
                    ),
                    rules.USAGE["new"],
                    channel=ref.channel_id,
                )
            raise Refused(
                _("I know no sales team called “#{name}”. Pick its channel from Slack's # menu."),
                rules.USAGE["new"],
                name=ref.name,
            )
        if match not in found:
            found.append(match)
    return found


def list_contests(session: Session, actor: Actor) -> ContestsListed:
    """The workspace's contests, newest first."""
    rows = session.scalars(
        select(Contest)
        .where(Contest.workspace_id == actor.workspace_id)
        .order_by(Contest.start_date.desc(), Contest.id.desc())
        .limit(LISTED)
    )
    return ContestsListed(tuple(facts(session, c, actor.now) for c in rows))


def _named(session: Session, actor: Actor, name: str, usage: str) -> Contest:
    found = session.scalars(
        select(Contest).where(
            Contest.workspace_id == actor.workspace_id, Contest.name_key == fold(name)
        )
    ).one_or_none()
    if found is None:
        raise Refused(
            _("I know no contest called “{name}”. `/contest list` shows them."),
            usage,
            name=name,
        )
    return found


def show(session: Session, actor: Actor, name: str) -> ContestShown:
    """One contest's standings now."""
    contest = _named(session, actor, name, rules.USAGE["show"])
    return ContestShown(standings_of(session, contest, actor.now))


def end(session: Session, actor: Actor, name: str) -> ContestEnded:
    """Bring a contest's end forward to today (its result is announced when today is over in
    every team's zone); one that has not started is called off (managers only)."""
    require_manager(actor)
    contest = _named(session, actor, name, rules.USAGE["end"])
    home = session.get(SalesTeam, contest.team_id)
    assert home is not None
    today = _today(home, actor.now)
    state = facts(session, contest, actor.now).state
    if state in ("ended", "ending", "cancelled") or contest.end_date < today:
        raise Refused(_("“{name}” is already over."), rules.USAGE["end"], name=contest.name)
    contest.ended_at, contest.ended_by_id = actor.now, actor.member.id
    # Not started is what facts() says: in no team's zone yet. One started in another zone
    # ends (on its first day at the earliest), never is called off; the end never moves later.
    cancelled = state == "upcoming"
    if cancelled:
        contest.cancelled = True
    else:
        contest.end_date = max(contest.start_date, min(contest.end_date, today))
    return ContestEnded(facts(session, contest, actor.now), cancelled, home.timezone)


# --- what a contest shows ----------------------------------------------------------------


def _today(team: SalesTeam, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


def _teams(session: Session, contest: Contest) -> list[tuple[ContestTeam, SalesTeam]]:
    rows = session.execute(
        select(ContestTeam, SalesTeam)
        .join(SalesTeam, SalesTeam.id == ContestTeam.team_id)
        .where(ContestTeam.contest_id == contest.id)
        .order_by(ContestTeam.id)
    )
    return [(row, team) for row, team in rows]


def _over(contest: Contest, teams: Sequence[SalesTeam], now: datetime) -> bool:
    """Over in every team's zone: its last day has ended there."""
    return all(_today(team, now) > contest.end_date for team in teams)


def facts(session: Session, contest: Contest, now: datetime) -> ContestFacts:
    """The contest as results name it, and where it stands at `now`."""
    teams = [team for _row, team in _teams(session, contest)]
    if contest.cancelled:
        state = "cancelled"
    elif session.scalars(select(ResultRow.id).where(ResultRow.contest_id == contest.id)).first():
        state = "ended"
    elif _over(contest, teams, now):
        state = "ending"
    elif any(_today(team, now) >= contest.start_date for team in teams):
        state = "running"
    else:
        state = "upcoming"
    home = session.get(SalesTeam, contest.team_id)
    return ContestFacts(
        id=contest.id,
        name=contest.name,
        metric=contest.metric,
        kind=contest.kind,
        start=contest.start_date,
        end=contest.end_date,
        prize=contest.prize,
        currency=home.currency if home else "CNY",
        state=state,
        channel_ids=tuple(team.channel_id for team in teams),
    )


def _lines(
    session: Session,
    contest: Contest,
    teams: Sequence[SalesTeam],
    final: Sequence[Any] | None = None,
) -> tuple[Line, ...]:
    """The standings, best first, each with its place (ties share one). Once the result is
    announced (`final`, its stored standings), only those who took part in it are ranked,
    and a team contest keeps the basis (totals or percent) it ended on."""
    period = Period("range", contest.start_date, contest.end_date)
    unplaced: list[tuple[Decimal, str, Decimal, Decimal | None, str | None, str | None]] = []
    fixed = None if final is None else [_key(row) for row in final]
    if contest.kind == "reps":
        team = teams[0]
        if fixed is None:
            members = team_members(session, team)
        else:
            ids = [row[3] for row in fixed if row[3] is not None]
            members = list(
                session.scalars(
                    select(Member)
                    .where(
                        Member.workspace_id == contest.workspace_id,
                        Member.slack_user_id.in_(ids),
                    )
                    .order_by(Member.name, Member.slack_user_id)
                )
            )
        got = (
            achieved_by_owner(
                session, team, contest.metric, period, owner_ids=[m.id for m in members]
            )
            if members
            else {}
        )
        for member in members:
            value = got.get(member.id, Decimal(0))
            name = member.name or member.slack_user_id
            unplaced.append((value, name, value, None, member.slack_user_id, None))
    else:
        values = {
            team.id: sum(
                achieved_by_owner(session, team, contest.metric, period).values(), Decimal(0)
            )
            for team in teams
        }
        goals = {team.id: _team_goal(session, team, contest) for team in teams}
        if fixed is None:
            by_percent = all(goal for goal in goals.values())
        else:
            by_percent = any(row[2] is not None for row in fixed)
        for team in teams:
            value = values[team.id]
            goal = goals[team.id]
            percent = percent_of(value, goal) if by_percent and goal else None
            score = percent if percent is not None else value
            unplaced.append((score, team.name, value, percent, None, team.channel_id))
    unplaced.sort(key=lambda line: (-line[0], line[1]))
    places = rules.places([line[0] for line in unplaced])
    return tuple(
        Line(place, name, value, percent, user_id, channel_id)
        for place, (_score, name, value, percent, user_id, channel_id) in zip(
            places, unplaced, strict=True
        )
    )


def _team_goal(session: Session, team: SalesTeam, contest: Contest) -> Decimal | None:
    """The team's own target on the contest's metric for a period holding its start: one
    covering the whole contest first, then the narrowest, so a month's contest is scored
    against the month's target even when a week's target also holds its first day."""
    targets = session.execute(
        select(Target.amount, Target.start_date, Target.end_date, Target.id).where(
            Target.team_id == team.id,
            Target.scope == TEAM_SCOPE,
            Target.metric == contest.metric,
            Target.start_date <= contest.start_date,
            Target.end_date >= contest.start_date,
            Target.amount > 0,
        )
    ).all()
    if not targets:
        return None
    best = min(
        targets,
        key=lambda t: (t.end_date < contest.end_date, t.end_date - t.start_date, t.id),
    )
    return Decimal(best.amount)


def standings_of(session: Session, contest: Contest, now: datetime) -> Standings:
    """The contest's standings at `now` (its results, once it is over)."""
    teams = [team for _row, team in _teams(session, contest)]
    final = _final(session, contest)
    return Standings(facts(session, contest, now), _lines(session, contest, teams, final))


def board(session: Session, contest_id: int, now: datetime) -> Standings | None:
    """What a channel's standings message shows at `now`, from what is committed: the
    standings while it runs, the announced (or corrected) result once there is one."""
    contest = session.get(Contest, contest_id)
    if contest is None:
        return None
    final = _final(session, contest)
    if final is None:
        return standings_of(session, contest, now)
    return Standings(facts(session, contest, now), _decoded(session, contest, final))


def _final(session: Session, contest: Contest) -> list[Any] | None:
    """The announced result's stored standings (None before the result)."""
    return session.scalars(
        select(ResultRow.standings).where(ResultRow.contest_id == contest.id)
    ).one_or_none()


def _encoded(lines: Sequence[Line]) -> list[Any]:
    """What a standings message or a result shows, as compared: places, ids and values only
    (names are looked up when drawn, so a rename never counts as a change)."""
    return [
        [
            ln.place,
            str(ln.value),
            None if ln.percent is None else str(ln.percent),
            ln.user_id,
            ln.channel_id,
        ]
        for ln in lines
    ]


def _key(row: Sequence[Any]) -> list[Any]:
    """One stored line without its name (rows stored before names were left out had one)."""
    if len(row) == 6:
        place, _name, value, percent, user_id, channel_id = row
    else:
        place, value, percent, user_id, channel_id = row
    return [place, value, percent, user_id, channel_id]


def _same(stored: Sequence[Any] | None, shown: Sequence[Any]) -> bool:
    return stored is not None and [_key(row) for row in stored] == [_key(row) for row in shown]


def _decoded(session: Session, contest: Contest, rows: Sequence[Any]) -> tuple[Line, ...]:
    keyed = [_key(row) for row in rows]
    users = {u for *_rest, u, _c in keyed if u}
    channels = {c for *_rest, c in keyed if c}
    names = {
        m.slack_user_id: m.name or m.slack_user_id
        for m in session.scalars(
            select(Member).where(
                Member.workspace_id == contest.workspace_id, Member.slack_user_id.in_(users)
            )
        )
    }
    names.update(
        (t.channel_id, t.name)
        for t in session.scalars(
            select(SalesTeam).where(
                SalesTeam.workspace_id == contest.workspace_id, SalesTeam.channel_id.in_(channels)
            )
        )
    )
    return tuple(
        Line(
            int(p),
            names.get(u or c or "", u or c or ""),
            Decimal(v),
            None if pc is None else Decimal(pc),
            u,
            c,
        )
        for p, v, pc, u, c in keyed
    )


# --- the clock's job ---------------------------------------------------------------------


def due(session: Session, now: datetime) -> list[int]:
    """The contests the clock looks at: started or about to (in some zone), not called off,
    and not past the window in which a result is still corrected."""
    soonest = (now + timedelta(days=1)).date()
    latest = (now - CORRECTION_WINDOW).date()
    return list(
        session.scalars(
            select(Contest.id)
            .where(
                Contest.cancelled.is_(False),
                Contest.start_date <= soonest,
                Contest.end_date >= latest,
            )
            .order_by(Contest.id)
        )
    )


def advance(session: Session, contest_id: int, now: datetime) -> int:
    """Everything a contest owes at `now`: start posts, a standings edit, the result once, a
    correction once per change of the result. How many posts it owed."""
    contest = session.get(Contest, contest_id)
    if contest is None or contest.cancelled:
        return 0
    rows = _teams(session, contest)
    teams = [team for _row, team in rows]
    language = workspace_language(session, contest.workspace_id)
    # The result row is locked before anything is counted: a clock that counted first could
    # compare stale numbers with a result another clock has just corrected, and undo it.
    result = session.scalars(
        select(ResultRow)
        .where(ResultRow.contest_id == contest.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    lines = _lines(session, contest, teams, None if result is None else result.standings)
    shown = _encoded(lines)
    done = 0
    if result is not None:
        return _correct(session, contest, result, lines, shown, language, now)
    over = _over(contest, teams, now)
    standings = Standings(facts(session, contest, now), lines)
    for row, team in rows:
        if _today(team, now) < contest.start_date and not over:
            continue
        board = f"contest-standings:{contest.id}:{team.id}"
        if row.started_at is None:
            claimed = session.execute(
                update(ContestTeam)
                .where(ContestTeam.id == row.id, ContestTeam.started_at.is_(None))
                .values(started_at=now, shown=shown, shown_at=now)
                .returning(ContestTeam.id)
                .execution_options(synchronize_session=False)
            ).first()
            if claimed is not None:
                notices.record(
                    session,
                    ContestStarted(
                        contest.workspace_id,
                        language,
                        team.channel_id,
                        f"contest-start:{contest.id}:{team.id}",
                        board,
                        standings,
                    ),
                )
                done += 1
            continue
        minute_start = now.replace(second=0, microsecond=0)
        if not _same(row.shown, shown) and (row.shown_at is None or row.shown_at < minute_start):
            # One edit per minute slot, claimed by a conditional update: of clocks racing in
            # one minute, the first to commit edits; the others match no row. A change left
            # unshown in this slot is still different from `shown`, so the next slot shows it.
            claimed = session.execute(
                update(ContestTeam)
                .where(
                    ContestTeam.id == row.id,
                    or_(ContestTeam.shown_at.is_(None), ContestTeam.shown_at < minute_start),
                )
                .values(shown=shown, shown_at=now)
                .returning(ContestTeam.id)
                .execution_options(synchronize_session=False)
            ).first()
            if claimed is None:
                continue
            minute = minute_start.isoformat()
            notices.record(
                session,
                StandingsChanged(
                    contest.workspace_id,
                    language,
                    team.channel_id,
                    board,
                    f"{board}:{minute}",
                    standings,
                ),
            )
            done += 1
    if over and insert_once(
        session,
        ResultRow,
        {
            "workspace_id": contest.workspace_id,
            "contest_id": contest.id,
            "announced_at": now,
            "standings": shown,
            "revision": 0,
        },
        ["contest_id"],
    ):
        final = Standings(facts(session, contest, now), lines)
        for _row, team in rows:
            notices.record(
                session,
                ContestFinished(
                    contest.workspace_id,
                    language,
                    team.channel_id,
                    f"contest-result:{contest.id}:{team.id}",
                    final,
                ),
            )
            done += 1
    return done


def _correct(
    session: Session,
    contest: Contest,
    result: ResultRow,
    lines: tuple[Line, ...],
    shown: list[Any],
    language: str,
    now: datetime,
) -> int:
    """A result already announced (`result`, locked) that a correction changed: edit it,
    reply once."""
    locked = result
    if _same(locked.standings, shown):
        return 0
    before = _decoded(session, contest, locked.standings)
    locked.standings, locked.revision, locked.corrected_at = shown, locked.revision + 1, now
    standings = Standings(facts(session, contest, now), lines)
    done = 0
    for row, team in _teams(session, contest):
        row.shown, row.shown_at = shown, now
        notices.record(
            session,
            ContestCorrected(
                contest.workspace_id,
                language,
                team.channel_id,
                f"contest-result:{contest.id}:{team.id}",
                f"contest-correction:{contest.id}:{locked.revision}:{team.id}",
                standings,
                before,
            ),
        )
        done += 1
    return done


# --- other readers: the wallboard, App Home -------------------------------------------------


def _taking_part(session: Session, team: SalesTeam) -> list[Contest]:
    return list(
        session.scalars(
            select(Contest)
            .join(ContestTeam, ContestTeam.contest_id == Contest.id)
            .where(
                ContestTeam.team_id == team.id,
                Contest.workspace_id == team.workspace_id,
                Contest.cancelled.is_(False),
            )
            .order_by(Contest.end_date, Contest.id)
        )
    )


def board_standings(
    session: Session, team: SalesTeam, now: datetime
) -> tuple[ContestStanding, ...]:
    """The running contests the team takes part in, for its wallboard (best first)."""
    today = _today(team, now)
    found = []
    zone = ZoneInfo(team.timezone)
    for contest in _taking_part(session, team):
        if not contest.start_date <= today <= contest.end_date:
            continue
        teams = [t for _row, t in _teams(session, contest)]
        lines = _lines(session, contest, teams)
        found.append(
            ContestStanding(
                name=contest.name,
                metric=contest.metric,
                ends_at=utc_bounds(Period("range", contest.start_date, contest.end_date), zone)[1],
                lines=tuple(
                    StandingLine(
                        ln.name, ln.value, ln.percent, ours=ln.channel_id == team.channel_id
                    )
                    for ln in lines
                ),
                prize=contest.prize or "",
            )
        )
    return tuple(found)


def home_contests(session: Session, actor: Actor) -> tuple[HomeContest, ...]:
    """The contests the member takes part in that are running or ended this past week, with
    their place (or their team's, in a team contest)."""
    team = actor.team
    if team is None:
        return ()
    today = _today(team, actor.now)
    shown = []
    for contest in _taking_part(session, team):
        if contest.start_date > today or contest.end_date < today - timedelta(days=7):
            continue
        teams = [t for _row, t in _teams(session, contest)]
        lines = _lines(session, contest, teams, _final(session, contest))
        mine = next(
            (
                ln
                for ln in lines
                if ln.user_id == actor.member.slack_user_id or ln.channel_id == team.channel_id
            ),
            None,
        )
        state = facts(session, contest, actor.now).state
        shown.append(
            HomeContest(
                name=contest.name,
                metric=contest.metric,
                kind=contest.kind,
                end=contest.end_date,
                state=state,
                place=mine.place if mine else None,
                of=len(lines),
                value=mine.value if mine else Decimal(0),
                currency=team.currency,
            )
        )
    return tuple(shown)
