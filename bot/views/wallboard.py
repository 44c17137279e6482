"""The wallboard's words: the replies to `/salesbot wallboard`, and the board's context (every
label, number and name the TV shows, already in the workspace's language), which bot/web
renders as HTML through an auto-escaping template and serves as JSON to the page's poll.

The context holds names and customers as typed: the template escapes them (HTML), and JSON
carries them as data. Nothing here is mrkdwn except the Slack replies.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.progress import percent_label, percent_of
from bot.domain.text import escape_mrkdwn
from bot.domain.wallboard import TimeLeft, time_left
from bot.i18n import _, current, dated, day, money, ngettext, use_language
from bot.results.targets import MemberLine, TargetProgress, TeamBoard
from bot.results.wallboard import (
    BoardState,
    BoardWin,
    ContestStanding,
    LinkIssued,
    LinkRevoked,
    WinsTotal,
)
from bot.views.common import Message, context_block, ephemeral, section
from bot.views.metrics import metric_amount, metric_name

# How often the page asks for the board again, in milliseconds (a win shows within 5 s).
POLL_MS = 2000


def render(result: LinkIssued | LinkRevoked) -> Message:
    """The reply to `/salesbot wallboard` (the link, shown this once) or `… revoke`."""
    team = escape_mrkdwn(result.team.name)
    if isinstance(result, LinkRevoked):
        text = (
            ":no_entry: "
            + _("The board link of {team} no longer works. `/salesbot wallboard` makes a new one.")
            if result.had_link
            else ":information_source: "
            + _("{team} has no board link to revoke. `/salesbot wallboard` makes one.")
        ).format(team=team)
        return ephemeral(text, [section(text)])
    head = ":tv: " + _("The board of {team}, for the office TV:").format(team=team)
    notes = [
        _(
            "Only this reply shows the link: keep it secret, anyone with it sees the board "
            "(read-only, this team only). Add `?theme=light` for a light screen."
        ),
    ]
    if result.replaced:
        notes.insert(0, _("The old link stopped working."))
    notes.append(_("`/salesbot wallboard revoke` stops it."))
    # The server's own address and a token of URL-safe characters: nothing anyone typed.
    url = result.url
    blocks = [section(f"{head}\n<{url}>"), context_block(" ".join(notes))]
    return ephemeral(f"{head} {url}", blocks)


def board(state: BoardState) -> dict[str, Any]:
    """Everything the TV shows, in the workspace's language, as JSON-ready data."""
    today = state.now.astimezone(ZoneInfo(state.team.timezone)).date()
    with use_language(state.language), dated(today):
        return _board(state)


def _board(state: BoardState) -> dict[str, Any]:
    currency = state.team.currency
    columns = [
        {"key": "revenue", "label": _("Revenue")},
        {"key": "deals", "label": _("Deals won")},
    ]
    deals = {line.member.id: line for line in state.deals.lines}
    rows = []
    for place, line in enumerate(state.revenue.lines, start=1):
        cells = [
            _member_cell(line, "revenue", currency),
            _member_cell(deals.get(line.member.id), "deals", currency),
        ]
        rows.append(
            {
                "rank": place,
                "name": line.member.name or line.member.slack_user_id,
                "user": line.member.slack_user_id,
                "cells": cells,
            }
        )
    return {
        "lang": current(),
        "poll_ms": POLL_MS,
        "title": _("{team} · sales board").format(team=state.team.name),
        "team": state.team.name,
        "period": {
            "label": state.period.label(current()),
            "ends_at": state.ends_at.isoformat(),
            "left": _left(time_left(state.now, state.ends_at)),
        },
        "labels": {
            "leaderboard": _("Leaderboard"),
            "team_total": _("Team"),
            "wins": _("Wins"),
            "today": _("Today"),
            "this_week": _("This week"),
            "no_wins": _("No wins yet this week: the first one shows here."),
            "standup": _("Stand-up today"),
            "contests": _("Contests"),
            "nobody": _("Nobody in the team yet."),
            "reconnecting": _("Reconnecting…"),
            "updated": _("Updated {time}").format(time=_clock(state.now, state.team.timezone)),
        },
        "columns": columns,
        "rows": rows,
        "team_total": [
            _total_cell(state.revenue, currency),
            _total_cell(state.deals, currency),
        ],
        "wins": _wins(state, currency),
        "standup": _standup(state),
        "contests": [_contest(c, currency, state.team.timezone) for c in state.extras.contests],
    }


def _plain(value: Decimal, text: str) -> dict[str, Any]:
    """A cell without a target: its number only (every cell has the same keys)."""
    return {
        "value": str(value),
        "text": text,
        "target": None,
        "of": None,
        "percent": None,
        "bar": None,
        "pace": None,
        "reached": False,
        "on_track": True,
    }


def _cell(
    metric: str, achieved: Decimal, goal: TargetProgress | None, currency: str
) -> dict[str, Any]:
    cell = _plain(achieved, metric_amount(achieved, metric, currency))
    if goal is not None:
        p = goal.progress
        cell.update(
            target=str(p.target),
            of=_("of {target}").format(target=metric_amount(p.target, metric, currency)),
            percent=percent_label(p.percent),
            bar=_bar(p.percent),
            pace=_bar(percent_of(p.expected, p.target)),
            reached=p.remaining <= 0,
            on_track=p.on_track,
        )
    return cell


def _member_cell(line: MemberLine | None, metric: str, currency: str) -> dict[str, Any]:
    if line is None:
        return _plain(Decimal(0), "")
    return _cell(metric, line.achieved, line.target, currency)


def _total_cell(board: TeamBoard, currency: str) -> dict[str, Any]:
    return _cell(board.metric, board.total, board.team_target, currency)


def _bar(percent: Decimal) -> float:
    """A bar's filled share, 0–100 (beyond the target it is full)."""
    return float(max(Decimal(0), min(Decimal(100), percent)))


def _left(left: TimeLeft) -> str:
    if left.days:
        parts = [
            ngettext("{count} day", "{count} days", left.days).format(count=left.days),
            _("{count} h").format(count=left.hours),
        ]
    elif left.hours or left.minutes:
        parts = [
            _("{count} h").format(count=left.hours),
            _("{count} min").format(count=left.minutes),
        ]
    else:
        return _("Period over")
    return _("{time} left").format(time=" ".join(parts))


def _clock(now: datetime, zone: str) -> str:
    return now.astimezone(ZoneInfo(zone)).strftime("%H:%M:%S")


def _win(win: BoardWin, currency: str) -> dict[str, Any]:
    amount = (
        money(win.value, currency) if win.value is not None else money(win.amount, win.currency)
    )
    return {
        "who": win.owner.name or win.owner.slack_user_id,
        "customer": win.customer,
        "amount": amount,
    }


def _summary(total: WinsTotal, currency: str) -> str:
    count = ngettext("{count} win", "{count} wins", total.count).format(count=total.count)
    return f"{count} · {money(total.value, currency)}"


def _wins(state: BoardState, currency: str) -> dict[str, Any]:
    """The ticker's wins (the latest only), and the totals of every win today and this week."""
    return {
        "today": [_win(w, currency) for w in state.wins if w.today],
        "week": [_win(w, currency) for w in state.wins if not w.today],
        "today_summary": _summary(state.wins_today, currency),
        "week_summary": _summary(state.wins_week, currency),
    }


def _standup(state: BoardState) -> dict[str, Any]:
    s = state.standup
    if s.asked == 0:
        return {"text": _("No stand-up yet today"), "bar": None}
    return {
        "text": _("{count} of {asked} checked in").format(count=s.checked_in, asked=s.asked),
        "bar": _bar(percent_of(Decimal(s.checked_in), Decimal(s.asked))),
    }


def _contest(contest: ContestStanding, currency: str, zone: str) -> dict[str, Any]:
    lines = []
    place = 0
    previous: Decimal | None = None
    for index, line in enumerate(contest.lines, start=1):
        score = line.percent if line.percent is not None else line.value
        if score != previous:
            place, previous = index, score
        lines.append(
            {
                "rank": place,
                "name": line.name,
                "text": percent_label(line.percent)
                if line.percent is not None
                else metric_amount(line.value, contest.metric, currency),
                "ours": line.ours,
            }
        )
    # ends_at is the midnight after its last day: the day shown is the last one.
    ends = (contest.ends_at - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date()
    return {
        "name": contest.name,
        "metric": metric_name(contest.metric),
        "ends": _("ends {day}").format(day=day(ends)),
        "prize": contest.prize,
        "lines": lines,
    }
