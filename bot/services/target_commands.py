"""Carry out a parsed /target command (and /deal leaderboard) for the caller."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain import target_command as cmd
from bot.domain.activities import is_count_metric, metric_of_kind, take_kind
from bot.domain.amounts import AmountError, parse_amount
from bot.domain.lexer import joined, lex
from bot.domain.periods import Period, PeriodError, parse_period, period_of, utc_bounds
from bot.domain.text import Mention, TextTooLongError, clean_text, worded
from bot.i18n import _, ngettext
from bot.results.targets import (
    Histories,
    LeaderboardResult,
    Ledger,
    MyTargets,
    PastTarget,
    Result,
    Rules,
    Said,
    Split,
    TargetSet,
    TeamBoard,
    TeamBoards,
)
from bot.services import activities, forecast, recognition, rewards, targets
from bot.services.actor import Actor
from bot.services.directory import ensure_member, find_member
from bot.services.errors import Refused
from bot.services.facts import person, target_facts, team_facts
from bot.services.language import workspace_language
from bot.services.metrics import Metric, metric_of
from models import Member, SalesTeam, Workspace

USAGE = cmd.USAGE


def fiscal_start(session: Session, actor: Actor) -> int:
    """The month the workspace's fiscal year starts in."""
    workspace = session.get(Workspace, actor.workspace_id)
    return workspace.fiscal_year_start_month if workspace else 1


def team_today(team: SalesTeam, now: datetime) -> datetime:
    """`now` in the team's zone (periods have their boundaries there)."""
    return now.astimezone(ZoneInfo(team.timezone))


def with_accuracy(
    session: Session, team: SalesTeam, member: Member, items: list[PastTarget]
) -> list[PastTarget]:
    """Past revenue targets with how well the member called each period's commit."""
    calls = forecast.calls_by_period(session, team, member, [item.period for item in items])
    found = []
    for item in items:
        call = calls.get((item.period.start, item.period.end))
        if item.target.metric == "revenue" and call is not None:
            first, last, count = call
            item = replace(
                item,
                forecast=forecast.past_accuracy(person(member), first, last, item.achieved, count),
            )
        found.append(item)
    return found


def read_period(session: Session, actor: Actor, team: SalesTeam, text: str | None) -> Period:
    """A typed period, or this month."""
    today = team_today(team, actor.now).date()
    start = fiscal_start(session, actor)
    if not text:
        return period_of("month", today, fiscal_start_month=start)
    try:
        return parse_period(text, today=today, fiscal_start_month=start)
    except PeriodError as error:
        raise Refused.plain_text(str(error), USAGE["set"]) from None


def read_target_amount(text: str, metric: Metric, team: SalesTeam) -> Decimal:
    """A target amount in the team currency, or a whole number of deals, activities or
    points."""
    if is_count_metric(metric):
        try:
            count = Decimal(text.replace(",", ""))
        except InvalidOperation:
            count = Decimal(-1)
        if count.is_finite() and count > 0 and count == count.to_integral_value():
            return count
        if metric == "deals":
            raise Refused(_("“{text}” is not a number of deals."), USAGE["set"], text=text[:40])
        raise Refused(
            _("“{text}” is not a whole number: count activities or points, e.g. 40."),
            USAGE["set"],
            text=text[:40],
        )
    try:
        money = parse_amount(text, team.currency)
    except AmountError as error:
        raise Refused.plain_text(str(error), USAGE["set"]) from None
    if money.currency != team.currency:
        raise Refused(
            _(
                "Targets are in the team currency, {currency}: write it as e.g. "
                "`50k` or `{currency} 50k`."
            ),
            USAGE["set"],
            currency=team.currency,
        )
    if money.amount <= 0:
        raise Refused(_("A target must be more than zero."), USAGE["set"])
    return money.amount


def execute(session: Session, actor: Actor, command: cmd.TargetCommand | cmd.Leaderboard) -> Result:
    """Carry out one /target command for the caller; raises Refused for what it will not do."""
    team = targets.require_team(actor)
    today = team_today(team, actor.now).date()
    match command:
        case cmd.MyProgress():
            return MyTargets(
                person(actor.member), team_facts(team), targets.my_progress(session, actor)
            )
        case cmd.TeamProgress():
            return TeamBoards(team_boards(session, actor, team))
        case cmd.SetTarget():
            return _set(session, actor, team, command)
        case cmd.Split():
            period = read_period(session, actor, team, command.period_text)
            proposal = targets.propose_split(
                session,
                actor,
                method=command.method,
                period=period,
                fiscal_start=fiscal_start(session, actor),
            )
            return Split(team_facts(team), proposal)
        case cmd.History():
            member = _member(session, actor, command.user_id) if command.user_id else actor.member
            items = with_accuracy(
                session, team, member, targets.history(session, team, member, today)
            )
            return Histories(person(member), team_facts(team), items)
        case cmd.RewardAdd():
            return _add_rule(session, actor, team, command)
        case cmd.RewardList():
            return Rules(team_facts(team), rewards.list_rules(session, team))
        case cmd.RewardRemove():
            rule = rewards.remove_rule(session, actor, team, command.rule_id)
            return Said(
                worded(
                    _("Removed reward #{number} ({name})."), number=command.rule_id, name=rule.name
                )
            )
        case cmd.RewardLedger():
            period = read_period(session, actor, team, command.period_text)
            start, end = utc_bounds(period, ZoneInfo(team.timezone))
            return Ledger(team_facts(team), period, rewards.ledger(session, team, start, end))
        case cmd.Leaderboard():
            return leaderboard(session, actor, command)
    raise Refused(_("That is not a /target command."), USAGE["help"])


def team_boards(session: Session, actor: Actor, team: SalesTeam) -> list[TeamBoard]:
    """A board for each metric and period the team has active targets for (else this month)."""
    today = team_today(team, actor.now).date()
    seen: dict[tuple[str, Period], None] = {}
    for target in targets.active_targets(session, team, scope=None, today=today):
        seen[(target.metric, targets.period_of_target(target))] = None
    if not seen:
        month = period_of("month", today, fiscal_start_month=fiscal_start(session, actor))
        seen[("revenue", month)] = None
    return [
        targets.board(session, team, metric=metric_of(metric), period=period, today=today)
        for metric, period in seen
    ]


def leaderboard(session: Session, actor: Actor, command: cmd.Leaderboard) -> LeaderboardResult:
    """Members ranked by percent of their own target for the current week/month/quarter."""
    team = targets.require_team(actor)
    today = team_today(team, actor.now).date()
    period = period_of(command.period_kind, today, fiscal_start_month=fiscal_start(session, actor))
    board = targets.board(session, team, metric=command.metric, period=period, today=today)
    language = workspace_language(session, actor.workspace_id) if command.public else None
    return LeaderboardResult(board, command.public, language)


def _member(session: Session, actor: Actor, user_id: str) -> Member:
    member = find_member(session, actor.workspace_id, user_id)
    if member is None:
        raise Refused(
            _("I don't know {person} yet: they have no deals or targets."), person=Mention(user_id)
        )
    return member


def _set(session: Session, actor: Actor, team: SalesTeam, command: cmd.SetTarget) -> TargetSet:
    if not actor.member.can_manage:
        raise Refused(_(targets.MANAGERS_ONLY))
    member = None
    if command.subject == "member":
        assert command.user_id is not None
        member = ensure_member(session, actor.workspace_id, command.user_id, now=actor.now)
        if member.team_id != team.id:
            raise Refused(
                _("{person} is not in {team}. Add them first: `/salesbot team add {person}`."),
                person=Mention(command.user_id),
                team=team.name,
            )
    command = with_activity_metric(session, team, command)
    amount = read_target_amount(command.amount_text, command.metric, team)
    period = read_period(session, actor, team, command.period_text)
    target, old = targets.set_target(
        session,
        actor,
        team=team,
        member=member,
        amount=amount,
        metric=command.metric,
        period=period,
    )
    taken = recognition.after_target_change(
        session, target, actor=actor.member, now=actor.now, old_amount=old
    )
    return TargetSet(
        target_facts(target),
        old,
        person(member) if member else None,
        team_facts(team),
        period,
        taken.rewards,
    )


def with_activity_metric(
    session: Session, team: SalesTeam, command: cmd.SetTarget
) -> cmd.SetTarget:
    """`/target set @li 40 calls week`: a metric the parser could not know, one of the team's
    activity kinds, taken off the front of the period."""
    if command.metric_typed or not command.period_text:
        return command
    taken = take_kind(lex(command.period_text).tokens, activities.team_words(session, team))
    if taken is None:
        return command
    kind, rest = taken
    return replace(
        command, metric=metric_of_kind(kind), period_text=joined(rest) or None, metric_typed=True
    )


def _add_rule(session: Session, actor: Actor, team: SalesTeam, command: cmd.RewardAdd) -> Said:
    usage = USAGE["reward"]
    try:
        threshold = Decimal(command.threshold_text)
    except InvalidOperation:
        raise Refused(_("“{text}” is not a number."), usage, text=command.threshold_text) from None
    if command.scope == "streak" and threshold != threshold.to_integral_value():
        raise Refused(_("A streak is a whole number of working days."), usage)
    if not threshold.is_finite() or threshold <= 0 or threshold > 10_000:
        raise Refused(
            _("The threshold must be above zero (a percent, or days for a streak)."), usage
        )
    try:
        name = clean_text(command.name, max_len=200)
    except TextTooLongError:
        raise Refused(
            _("The reward's name is too long: {most} characters at most."), usage, most=200
        ) from None
    if not name:
        raise Refused(_("Give the reward a name."), usage)
    bonus = None
    if command.bonus_text:
        try:
            bonus = parse_amount(command.bonus_text, team.currency).amount
        except AmountError as error:
            raise Refused.plain_text(str(error), usage) from None
    rule = rewards.add_rule(
        session, actor, team, scope=command.scope, threshold=threshold, name=name, bonus=bonus
    )
    added = {
        "member": _(
            "Added reward #{number} *{name}* when a member reaches {threshold} of a target."
        ),
        "team": _(
            "Added reward #{number} *{name}* when the team reaches {threshold} of its target."
        ),
        "streak": _(
            "Added reward #{number} *{name}* after {days} working days of check-ins in a row."
        ),
    }[command.scope]
    return Said(
        worded(
            added,
            number=rule.id,
            name=name,
            threshold=f"{threshold.normalize():f}%",
            days=f"{threshold:.0f}",
        )
    )


def confirm_split(
    session: Session, actor: Actor, team_target_id: int, shares: dict[int, Decimal]
) -> Said:
    """The manager confirmed a split: set each member's target."""
    if not actor.member.can_manage:
        raise Refused(_(targets.MANAGERS_ONLY))
    done = targets.confirm_split(session, actor, team_target_id=team_target_id, shares=shares)
    for target, old in done:
        recognition.after_target_change(
            session, target, actor=actor.member, now=actor.now, old_amount=old
        )
    return Said(
        worded(
            ":white_check_mark: "
            + ngettext(
                "Set {count} member target that adds up to the team's.",
                "Set {count} member targets that add up to the team's.",
                len(done),
            ),
            count=len(done),
        )
    )
