"""Block Kit for /target and /deal leaderboard."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.domain.amounts import format_amount
from bot.domain.progress import DEFAULT_TIERS
from bot.domain.text import escape_mrkdwn
from bot.services.target_commands import (
    Histories,
    LeaderboardResult,
    Ledger,
    MyTargets,
    Result,
    Rules,
    Said,
    Split,
    TargetSet,
    TeamBoards,
)
from bot.services.targets import TargetProgress, TeamBoard
from bot.views.common import Message, context_block, ephemeral, plural, section
from bot.views.deals import pack_lines

SPLIT_CONFIRM_ACTION = "target_split_confirm"
METRIC_NAMES = {"revenue": "revenue", "deals": "deals won", "pipeline": "new pipeline"}


def amount_of(value: Decimal, metric: str, currency: str) -> str:
    """Money in short form, or a count of deals."""
    if metric == "deals":
        return f"{value:.0f} deal{'s' if value != 1 else ''}"
    return format_amount(value, currency)


def goal_name(item: TargetProgress) -> str:
    """`December 2026 revenue target`."""
    metric = METRIC_NAMES.get(item.target.metric, item.target.metric)
    return f"{item.period.label()} {metric} target"


def progress_block(item: TargetProgress, currency: str) -> str:
    """Achieved, percent, bar, remaining, working days left, pace and the weekly run-rate."""
    p = item.progress
    metric = item.target.metric

    def amount(value: Decimal) -> str:
        return amount_of(value, metric, currency)

    pace = (
        ":white_check_mark: on track"
        if p.on_track
        else f":warning: behind: should be at {amount(p.expected)} by today"
    )
    lines = [
        f"*{goal_name(item)}*",
        f"`{p.bar()}` {amount(p.achieved)} of {amount(p.target)} · *{p.percent}%*",
    ]
    if p.remaining > 0:
        lines.append(
            f"{amount(p.remaining)} to go · {plural(p.working_days_left, 'working day')} left"
            f" · {pace}"
            f" · {amount(p.weekly_needed)} a week needed"
        )
    else:
        lines.append(":tada: Target reached.")
    return "\n".join(lines)


def my_targets(result: MyTargets) -> Message:
    """The caller's progress on each active target."""
    if not result.items:
        text = (
            "You have no target for this period yet. Your manager sets them with "
            "`/target set @you 50k month`. Meanwhile, `/deal list` shows your deals."
        )
        return ephemeral(text, [section(text)])
    blocks = [section(progress_block(item, result.team.currency)) for item in result.items]
    return ephemeral(f"Your targets ({len(result.items)})", blocks)


def board_lines(board: TeamBoard) -> list[str]:
    """One line per member, ranked, with percent of their own target."""
    metric, currency = board.metric, board.team.currency
    lines = []
    for place, line in enumerate(board.lines, start=1):
        who = f"<@{line.member.slack_user_id}>"
        if line.target is None:
            lines.append(f"{place}. {who} {amount_of(line.achieved, metric, currency)} · no target")
        else:
            p = line.target.progress
            done = amount_of(p.achieved, metric, currency)
            goal = amount_of(p.target, metric, currency)
            lines.append(f"{place}. {who} `{p.bar()}` *{p.percent}%* · {done} of {goal}")
    return lines


def board_blocks(board: TeamBoard) -> list[dict[str, Any]]:
    """A team board: members ranked, then the team total against its target."""
    metric = METRIC_NAMES.get(board.metric, board.metric)
    head = f"*{escape_mrkdwn(board.team.name)} · {board.period.label()} {metric}*"
    blocks: list[dict[str, Any]] = [section(head)]
    lines = board_lines(board) or ["Nobody in the team yet."]
    blocks += pack_lines(lines)
    total = amount_of(board.total, board.metric, board.team.currency)
    if board.team_target is not None:
        blocks.append(section(progress_block(board.team_target, board.team.currency)))
    else:
        blocks.append(context_block(f"Team total: {total}"))
    return blocks


def team_boards(result: TeamBoards) -> Message:
    """Every member's progress and the team's total."""
    blocks = [b for board in result.boards for b in [*board_blocks(board), {"type": "divider"}]]
    return ephemeral("Team progress", blocks[:-1][:50])


def leaderboard(result: LeaderboardResult) -> Message:
    """The ranked board, for the caller or (public) the channel."""
    blocks = board_blocks(result.board)
    if not result.public:
        blocks.append(context_block("Share it: `/deal leaderboard public`"))
    message = ephemeral("Leaderboard", blocks)
    if result.public:
        message["response_type"] = "in_channel"
    return message


def target_set(result: TargetSet) -> Message:
    """A target was set or replaced."""
    whose = f"<@{result.member.slack_user_id}>'s" if result.member else "The team's"
    metric = METRIC_NAMES.get(result.target.metric, result.target.metric)
    amount = amount_of(result.target.amount, result.target.metric, result.team.currency)
    was = (
        f" (was {amount_of(result.old, result.target.metric, result.team.currency)})"
        if result.old is not None and result.old != result.target.amount
        else ""
    )
    text = f":dart: {whose} {result.period.label()} {metric} target is now *{amount}*{was}."
    return ephemeral(text, [section(text)])


def histories(result: Histories) -> Message:
    """Past periods: target against achieved."""
    if not result.items:
        text = f"<@{result.member.slack_user_id}> has no finished target periods yet."
        return ephemeral(text, [section(text)])
    currency = result.team.currency
    lines = []
    for item in result.items:
        metric = item.target.metric
        percent = (item.achieved / item.target.amount * 100).quantize(Decimal("1"))
        mark = ":white_check_mark:" if item.achieved >= item.target.amount else ":x:"
        lines.append(
            f"{mark} {item.period.label()} {METRIC_NAMES.get(metric, metric)}: "
            f"{amount_of(item.achieved, metric, currency)} of "
            f"{amount_of(item.target.amount, metric, currency)} ({percent}%)"
        )
    head = section(f"*Target history of <@{result.member.slack_user_id}>*")
    return ephemeral("Target history", [head, *pack_lines(lines)])


def rules(result: Rules) -> Message:
    """The team's reward tiers (the defaults when it has set none)."""
    currency = result.team.currency
    lines = []
    for rule in result.rules:
        bonus = f" · bonus {format_amount(rule.bonus, currency)}" if rule.bonus else ""
        when = (
            f"{rule.threshold:.0f} days in a row"
            if rule.scope == "streak"
            else f"{rule.threshold.normalize():f}% ({rule.scope})"
        )
        lines.append(f"`#{rule.id}` *{escape_mrkdwn(rule.name)}* at {when}{bonus}")
    if not any(rule.scope == "member" for rule in result.rules):
        lines += [f"(default) *{t.name}* at {t.percent}% (member)" for t in DEFAULT_TIERS]
    if not any(rule.scope == "team" for rule in result.rules):
        lines += [f"(default) *{t.name}* at {t.percent}% (team)" for t in DEFAULT_TIERS]
    hint = context_block(
        "Add: `/target reward add 120% Rocket bonus 2k` · remove: `/target reward remove 3`"
    )
    return ephemeral("Reward tiers", [section("*Reward tiers*"), *pack_lines(lines), hint])


def ledger(result: Ledger) -> Message:
    """Rewards granted in a period, for paying out."""
    if not result.lines:
        text = f"No rewards granted in {result.period.label()} yet."
        return ephemeral(text, [section(text)])
    currency = result.team.currency
    total = sum((line.grant.bonus or Decimal(0) for line in result.lines), Decimal(0))
    rows = [
        f"{line.grant.granted_at:%b %d} · "
        + (f"<@{line.member.slack_user_id}>" if line.member else "the team")
        + f" · *{escape_mrkdwn(line.grant.name)}*"
        + (f" · bonus {format_amount(line.grant.bonus, currency)}" if line.grant.bonus else "")
        for line in result.lines
    ]
    head = section(f"*Rewards granted in {result.period.label()}*")
    foot = context_block(f"Bonuses to pay: {format_amount(total, currency, short=False)}")
    return ephemeral("Rewards ledger", [head, *pack_lines(rows), foot])


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
        f"*Proposed split ({proposal.method}) of the team target "
        f"{amount_of(target.amount, metric, currency)}*"
    )
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
                        "text": {"type": "plain_text", "text": "Confirm these targets"},
                        "value": value,
                    }
                ],
            }
        )
    else:
        blocks.append(context_block("Too many members for one button: set them with /target set."))
    return ephemeral("Proposed split", blocks)


def said(result: Said) -> Message:
    """A plain confirmation."""
    return ephemeral(result.text, [section(result.text)])


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
            return leaderboard(result)
        case Said():
            return said(result)
