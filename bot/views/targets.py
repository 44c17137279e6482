"""Block Kit for /target and /deal leaderboard."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.domain.activities import POINTS, kind_of_metric
from bot.domain.amounts import Money
from bot.domain.progress import DEFAULT_TIERS, percent_label, percent_of, tier_name
from bot.domain.text import escape_mrkdwn
from bot.i18n import _, current, day, money, ngettext, use_language
from bot.results.deals import TakenBack
from bot.results.targets import (
    Histories,
    LeaderboardResult,
    Ledger,
    MyTargets,
    Result,
    Rules,
    Said,
    Split,
    TargetProgress,
    TargetSet,
    TeamBoard,
    TeamBoards,
)
from bot.views import forecast as forecast_views
from bot.views.activities import counted
from bot.views.common import Message, as_entered, context_block, ephemeral, section
from bot.views.deals import pack_lines, taken_back_text
from bot.views.metrics import goal_text, metric_name

SPLIT_CONFIRM_ACTION = "target_split_confirm"


def amount_of(value: Decimal, metric: str, currency: str) -> str:
    """Money in short form, or a count of deals, of activities or of points (mrkdwn)."""
    count = int(f"{value:.0f}")
    if metric == "deals":
        return ngettext("{count} deal", "{count} deals", count).format(count=f"{value:.0f}")
    if metric == POINTS:
        return ngettext("{count} point", "{count} points", count).format(count=f"{value:.0f}")
    kind = kind_of_metric(metric)
    if kind is not None:
        return escape_mrkdwn(counted(count, kind))
    return money(value, currency)


def goal_name(item: TargetProgress) -> str:
    """`December 2026 revenue target`."""
    return goal_text(item.target.metric, item.period.label(current()))


def progress_block(item: TargetProgress, currency: str) -> str:
    """Achieved, percent, bar, remaining, working days left, pace and the weekly run-rate."""
    p = item.progress
    metric = item.target.metric

    def amount(value: Decimal) -> str:
        return amount_of(value, metric, currency)

    pace = (
        ":white_check_mark: " + _("on track")
        if p.on_track
        else ":warning: "
        + _("behind: should be at {amount} by today").format(amount=amount(p.expected))
    )
    lines = [
        f"*{goal_name(item)}*",
        f"`{p.bar()}` "
        + _("{achieved} of {target}").format(achieved=amount(p.achieved), target=amount(p.target))
        + f" · *{percent_label(p.percent)}*",
    ]
    if p.remaining > 0:
        lines.append(
            " · ".join(
                (
                    _("{amount} to go").format(amount=amount(p.remaining)),
                    ngettext(
                        "{days} working day left", "{days} working days left", p.working_days_left
                    ).format(days=p.working_days_left),
                    pace,
                    _("{amount} a week needed").format(amount=amount(p.weekly_needed)),
                )
            )
        )
    else:
        lines.append(":tada: " + _("Target reached."))
    return "\n".join(lines)


def my_targets(result: MyTargets) -> Message:
    """The caller's progress on each active target."""
    if not result.items:
        text = _(
            "You have no target for this period yet. Your manager sets them with "
            "`/target set @you 50k month`. Meanwhile, `/deal list` shows your deals."
        )
        return ephemeral(text, [section(text)])
    blocks = [section(progress_block(item, result.team.currency)) for item in result.items]
    return ephemeral(_("Your targets ({count})").format(count=len(result.items)), blocks)


def board_lines(board: TeamBoard) -> list[str]:
    """One line per member, ranked, with percent of their own target."""
    metric, currency = board.metric, board.team.currency
    lines = []
    for place, line in enumerate(board.lines, start=1):
        who = f"<@{line.member.slack_user_id}>"
        if line.target is None:
            lines.append(
                f"{place}. {who} {amount_of(line.achieved, metric, currency)} · " + _("no target")
            )
        else:
            p = line.target.progress
            done = amount_of(p.achieved, metric, currency)
            goal = amount_of(p.target, metric, currency)
            lines.append(
                f"{place}. {who} `{p.bar()}` *{percent_label(p.percent)}* · "
                + _("{achieved} of {target}").format(achieved=done, target=goal)
            )
    return lines


def board_blocks(board: TeamBoard) -> list[dict[str, Any]]:
    """A team board: members ranked, then the team total against its target."""
    metric = escape_mrkdwn(metric_name(board.metric))
    head = f"*{escape_mrkdwn(board.team.name)} · {board.period.label(current())} {metric}*"
    blocks: list[dict[str, Any]] = [section(head)]
    lines = board_lines(board) or [_("Nobody in the team yet.")]
    blocks += pack_lines(lines)
    total = amount_of(board.total, board.metric, board.team.currency)
    if board.team_target is not None:
        blocks.append(section(progress_block(board.team_target, board.team.currency)))
    else:
        blocks.append(context_block(_("Team total: {total}").format(total=total)))
    return blocks


def team_boards(result: TeamBoards) -> Message:
    """Every member's progress and the team's total."""
    blocks = [b for board in result.boards for b in [*board_blocks(board), {"type": "divider"}]]
    return ephemeral(_("Team progress"), blocks[:-1][:50])


def leaderboard(result: LeaderboardResult) -> Message:
    """The ranked board, for the caller or (public) the channel."""
    blocks = board_blocks(result.board)
    if not result.public:
        blocks.append(context_block(_("Share it: `/deal leaderboard public`")))
    message = ephemeral(_("Leaderboard"), blocks)
    if result.public:
        message["response_type"] = "in_channel"
    return message


def target_set(result: TargetSet) -> Message:
    """A target was set or replaced."""
    goal = goal_text(result.target.metric, result.period.label(current()))
    amount = amount_of(result.target.amount, result.target.metric, result.team.currency)
    values = {"goal": goal, "amount": amount}
    if result.old is not None and result.old != result.target.amount:
        values["old"] = amount_of(result.old, result.target.metric, result.team.currency)
        message = (
            _("{person}'s {goal} is now *{amount}* (was {old}).")
            if result.member
            else _("The team's {goal} is now *{amount}* (was {old}).")
        )
    else:
        message = (
            _("{person}'s {goal} is now *{amount}*.")
            if result.member
            else _("The team's {goal} is now *{amount}*.")
        )
    if result.member:
        values["person"] = f"<@{result.member.slack_user_id}>"
    text = ":dart: " + message.format(**values)
    taken = taken_back_text(TakenBack(win=False, rewards=result.taken_back))
    if taken:
        text += "\n:leftwards_arrow_with_hook: " + _("At the new target, {what}.").format(
            what=taken
        )
    return ephemeral(text, [section(text)])


def histories(result: Histories) -> Message:
    """Past periods: target against achieved."""
    if not result.items:
        text = _("{person} has no finished target periods yet.").format(
            person=f"<@{result.member.slack_user_id}>"
        )
        return ephemeral(text, [section(text)])
    currency = result.team.currency
    lines = []
    for item in result.items:
        metric = item.target.metric
        percent = percent_label(percent_of(item.achieved, item.target.amount))
        mark = ":white_check_mark:" if item.achieved >= item.target.amount else ":x:"
        lines.append(
            f"{mark} {item.period.label(current())} {escape_mrkdwn(metric_name(metric))}: "
            + _("{achieved} of {target}").format(
                achieved=amount_of(item.achieved, metric, currency),
                target=amount_of(item.target.amount, metric, currency),
            )
            + f" ({percent})"
            + "".join(
                " · "
                + _("converted from {amount} at 1 {old} = {rate} {new}").format(
                    amount=money(c.old_amount, c.old_currency),
                    old=c.old_currency,
                    rate=f"{c.rate.normalize():f}",
                    new=c.new_currency,
                )
                for c in item.conversions
            )
            + forecast_views.history_accuracy(item.forecast, currency)
        )
    head = section(
        _("*Target history of {person}*").format(person=f"<@{result.member.slack_user_id}>")
    )
    return ephemeral(_("Target history"), [head, *pack_lines(lines)])


def rules(result: Rules) -> Message:
    """The team's reward tiers (the defaults when it has set none)."""
    currency = result.team.currency
    lines = []
    scopes = {"member": _("member"), "team": _("team")}
    for rule in result.rules:
        bonus = (
            " · " + _("bonus {amount}").format(amount=money(rule.bonus, currency))
            if rule.bonus
            else ""
        )
        name = escape_mrkdwn(rule.name)
        if rule.scope == "streak":
            line = _("`#{number}` *{name}* at {days} days in a row").format(
                number=rule.id, name=name, days=f"{rule.threshold:.0f}"
            )
        else:
            line = _("`#{number}` *{name}* at {percent}% ({scope})").format(
                number=rule.id,
                name=name,
                percent=f"{rule.threshold.normalize():f}",
                scope=scopes.get(rule.scope, rule.scope),
            )
        lines.append(line + bonus)
    default = _("(default) *{name}* at {percent}% ({scope})")
    for scope in ("member", "team"):
        if not any(rule.scope == scope for rule in result.rules):
            lines += [
                default.format(name=tier_name(t.name), percent=t.percent, scope=scopes[scope])
                for t in DEFAULT_TIERS
            ]
    hint = context_block(
        _("Add: `/target reward add 120% Rocket bonus 2k` · remove: `/target reward remove 3`")
    )
    return ephemeral(_("Reward tiers"), [section(_("*Reward tiers*")), *pack_lines(lines), hint])


def ledger(result: Ledger) -> Message:
    """Rewards granted in a period, each reversal under its grant, and the net to pay."""
    period = result.period.label(current())
    if not result.lines:
        text = _("No rewards granted in {period} yet.").format(period=period)
        return ephemeral(text, [section(text)])
    currency = result.team.currency
    rows = []
    granted = reversed_total = Decimal(0)
    for line in result.lines:
        grant = line.grant
        who = f"<@{line.member.slack_user_id}>" if line.member else _("the team")
        name = f"*{escape_mrkdwn(tier_name(grant.name))}*"
        # As granted, and what it counts for now if that was before a currency switch.
        owed = Money(grant.owed, currency) if grant.owed is not None else None
        in_granted = grant.currency or currency
        bonus = (
            as_entered(grant.bonus, in_granted, owed if in_granted != currency else None)
            if grant.bonus
            else ""
        )
        rows.append(
            f"{day(grant.granted_at.date())} · {who} · {name}"
            + (" · " + _("bonus {amount}").format(amount=bonus) if bonus else "")
        )
        granted += grant.owed or Decimal(0)
        if grant.reversed_at is not None:
            rows.append(
                f"{day(grant.reversed_at.date())} · {who} · ~{name}~ "
                + _("reversed")
                + (f" · −{bonus}" if bonus else "")
            )
            reversed_total += grant.owed or Decimal(0)
    head = section(_("*Rewards granted in {period}*").format(period=period))
    net = money(granted - reversed_total, currency, short=False)
    total = _("Bonuses to pay: {amount}").format(amount=net)
    if reversed_total:
        total += " " + _("({granted} granted, {reversed} reversed)").format(
            granted=money(granted, currency, short=False),
            reversed=money(reversed_total, currency, short=False),
        )
    return ephemeral(_("Rewards ledger"), [head, *pack_lines(rows), context_block(total)])


def split(result: Split) -> Message:
    """The proposed per-member targets, with a Confirm button for the manager."""
    proposal = result.proposal
    target = proposal.team_target
    metric, currency = target.metric, result.team.currency
    lines = [
        f"<@{member.slack_user_id}>: {amount_of(amount, metric, currency)}"
        for member, amount in proposal.shares
    ]
    value = json.dumps(
        {"t": target.id, "s": {str(m.id): str(a) for m, a in proposal.shares}},
        separators=(",", ":"),
    )
    head = (
        _("*Proposed split (weighted) of the team target {amount}*")
        if proposal.method == "weighted"
        else _("*Proposed split (equal) of the team target {amount}*")
    ).format(amount=amount_of(target.amount, metric, currency))
    blocks: list[dict[str, Any]] = [section(head), *pack_lines(lines)]
    if len(value) <= 2000:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action_id": SPLIT_CONFIRM_ACTION,
                        "text": {"type": "plain_text", "text": _("Confirm these targets")},
                        "value": value,
                    }
                ],
            }
        )
    else:
        blocks.append(
            context_block(_("Too many members for one button: set them with /target set."))
        )
    return ephemeral(_("Proposed split"), blocks)


def said(result: Said) -> Message:
    """A plain confirmation."""
    text = result.text.mrkdwn()
    return ephemeral(text, [section(text)])


def render(result: Result) -> Message:
    """The reply for any /target result."""
    match result:
        case MyTargets():
            return my_targets(result)
        case TeamBoards():
            return team_boards(result)
        case TargetSet():
            return target_set(result)
        case Histories():
            return histories(result)
        case Rules():
            return rules(result)
        case Ledger():
            return ledger(result)
        case Split():
            return split(result)
        case LeaderboardResult():
            with use_language(result.language or current()):
                return leaderboard(result)
        case Said():
            return said(result)
