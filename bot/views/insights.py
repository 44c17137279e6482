"""Block Kit for `/deal insights`: the funnel of a period beside the one before, and segments."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bot.domain.funnel import Outcomes
from bot.domain.periods import Period
from bot.domain.progress import percent_label
from bot.domain.text import Mrkdwn, Plain, escape_mrkdwn
from bot.i18n import _, current, money, ngettext
from bot.results.insights import Funnel, Insights, LostReason, Segment, Segments, StageStep
from bot.views.common import Message, context_block, ephemeral, section
from bot.views.deals import pack_lines

TOP_REASONS = 5
MAX_SEGMENTS = 40


def render(result: Insights | Segments) -> Message:
    """The reply to `/deal insights`, for the caller only."""
    if isinstance(result, Segments):
        return segments_message(result)
    return insights_message(result)


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else percent_label(value)


def _days(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return _("{days} days").format(days=f"{value:f}")


def _header(text: Plain) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def insights_title(result: Insights) -> Plain:
    """`Insights · November 2026 · sales` (without the team when it is about one member)."""
    period = result.current.period.label(current())
    if result.subject_user_id is not None:
        return _("Insights · {period}").format(period=period)
    return _("Insights · {period} · {team}").format(period=period, team=result.team.name)


def _win_rate(outcomes: Outcomes) -> str:
    return _("{percent} ({won} of {closed} deals), {amount_percent} of the amount").format(
        percent=_percent(outcomes.win_rate),
        won=outcomes.won,
        closed=outcomes.closed,
        amount_percent=_percent(outcomes.amount_win_rate),
    )


def _average_won(outcomes: Outcomes, currency: str) -> str:
    if outcomes.average_won is None:
        return "—"
    return money(outcomes.average_won, currency)


def _cycle(outcomes: Outcomes) -> str:
    return _("average {average}, median {median}").format(
        average=_days(outcomes.average_cycle_days), median=_days(outcomes.median_cycle_days)
    )


def _beside(now: str, before: str, label: str) -> Mrkdwn:
    """A number of this period with the previous period's beside it."""
    return _("{now}  _({period}: {before})_").format(now=now, period=label, before=before)


def outcome_lines(current_: Funnel, previous: Funnel, currency: str) -> list[Mrkdwn]:
    """Win rate, revenue won, average won deal and cycle, each with the period before ("—"
    when nothing closed then)."""
    now, then = current_.outcomes, previous.outcomes
    label = previous.period.label(current())

    def line(template: str, shown: Callable[[Outcomes], str]) -> Mrkdwn:
        before = shown(then) if then.closed else "—"
        return template.format(value=_beside(shown(now), before, label))

    return [
        line(_("*Win rate:* {value}"), _win_rate),
        line(_("*Revenue won:* {value}"), lambda o: money(o.won_amount, currency)),
        line(_("*Average won deal:* {value}"), lambda o: _average_won(o, currency)),
        line(_("*Sales cycle* (created → won): {value}"), _cycle),
    ]


def _step_line(step: StageStep, after: StageStep, before: StageStep | None) -> Mrkdwn:
    line = _("{stage} → {next}: {percent} ({reached} of {total})").format(
        stage=escape_mrkdwn(step.label),
        next=escape_mrkdwn(after.label),
        percent=_percent(step.converted),
        reached=after.reached,
        total=step.reached,
    )
    if step.median_days is not None:
        line += " · " + _("median {days} in {stage}").format(
            days=_days(step.median_days), stage=escape_mrkdwn(step.label)
        )
    if before is not None:
        line += "  _(" + _percent(before.converted) + ")_"
    return f"• {line}"


def step_lines(current_: Funnel, previous: Funnel) -> list[Mrkdwn]:
    """Each stage's conversion into the next and the median time in it (the period before
    in brackets, where it has the same steps)."""
    steps = current_.steps
    same = [s.label for s in previous.steps] == [s.label for s in steps]
    return [
        _step_line(step, steps[index + 1], previous.steps[index] if same else None)
        for index, step in enumerate(steps[:-1])
    ]


def _reason(reason: LostReason, currency: str) -> str:
    text = escape_mrkdwn(reason.reason) if reason.reason else _("_no reason given_")
    count = ngettext("{count} deal", "{count} deals", reason.count).format(count=reason.count)
    return _("{reason}: {count}, {amount}").format(
        reason=text, count=count, amount=money(reason.amount, currency)
    )


def reason_lines(current_: Funnel, previous: Funnel, currency: str) -> list[Mrkdwn]:
    """The most common lost reasons, and the period before's most common one."""
    lines = [
        f"{rank}. {_reason(reason, currency)}"
        for rank, reason in enumerate(current_.lost_reasons[:TOP_REASONS], start=1)
    ]
    if not lines:
        lines.append(_("No deal was lost."))
    if previous.lost_reasons:
        lines.append(
            "_"
            + _("{period}: {reason}").format(
                period=previous.period.label(current()),
                reason=_reason(previous.lost_reasons[0], currency),
            )
            + "_"
        )
    return lines


def insights_message(result: Insights) -> Message:
    """The funnel of the period asked for, the previous period's beside each number."""
    title = insights_title(result)
    currency = result.team.currency
    now, before = result.current, result.previous
    period = now.period.label(current())
    blocks: list[dict[str, Any]] = [_header(title)]
    if result.subject_user_id is not None:
        blocks.append(
            context_block(_("For {person}").format(person=f"<@{result.subject_user_id}>"))
        )
    if not now.outcomes.closed and not before.outcomes.closed:
        blocks.append(
            section(
                _(
                    "No deal was won or lost in {period} or the period before, so there is "
                    "nothing to measure yet."
                ).format(period=period)
            )
        )
        return ephemeral(escape_mrkdwn(title), blocks)
    blocks += pack_lines(outcome_lines(now, before, currency))
    blocks += pack_lines([_("*Stage to stage*"), *step_lines(now, before)])
    blocks += pack_lines([_("*Lost reasons*"), *reason_lines(now, before, currency)])
    blocks.append(
        context_block(
            _(
                "Deals won or lost in {period}; in brackets, the period before. A deal reached "
                "a stage if it was in it or went past it; a cycle is the days from created to "
                "won. Imported deals count with the history they carry."
            ).format(period=period)
        )
    )
    return ephemeral(escape_mrkdwn(title), blocks)


def segments_title(result: Segments) -> Plain:
    """`Insights by owner · November 2026 · sales`."""
    period = result.period.label(current())
    if result.subject_user_id is not None:
        return _("Insights by {dimension} · {period}").format(
            dimension=result.dimension, period=period
        )
    return _("Insights by {dimension} · {period} · {team}").format(
        dimension=result.dimension, period=period, team=result.team.name
    )


def segment_name(segment: Segment) -> Mrkdwn:
    """A segment as a line names it: a mention, its value in bold, or _(none)_."""
    if segment.user_id is not None:
        return f"<@{segment.user_id}>"
    if segment.value:
        return f"*{escape_mrkdwn(segment.value)}*"
    return "_" + _("(none)") + "_"


def segment_numbers(o: Outcomes, currency: str) -> Mrkdwn:
    """Revenue won, win rate by count and by amount, average won deal and cycle."""
    return _(
        "{won} won · win rate {percent} ({count} of {closed}), {amount_percent} of the amount "
        "· average {average} · cycle {cycle}"
    ).format(
        won=money(o.won_amount, currency),
        percent=_percent(o.win_rate),
        count=o.won,
        closed=o.closed,
        amount_percent=_percent(o.amount_win_rate),
        average=_average_won(o, currency),
        cycle=_days(o.average_cycle_days),
    )


def _segment_lines(
    rank: int, segment: Segment, currency: str, before: Period | None
) -> list[Mrkdwn]:
    o = segment.outcomes
    now = segment_numbers(o, currency) if o.closed else _("nothing closed")
    lines = [f"{rank}. {segment_name(segment)} · {now}"]
    if before is not None and segment.previous is not None:
        then = (
            segment_numbers(segment.previous, currency)
            if segment.previous.closed
            else _("nothing closed")
        )
        lines.append(
            "      _"
            + _("{period}: {numbers}").format(period=before.label(current()), numbers=then)
            + "_"
        )
    return lines


def segments_message(result: Segments) -> Message:
    """Revenue won, win rates, average won deal and cycle per segment, most revenue first,
    each with the period before's."""
    title = segments_title(result)
    period = result.period.label(current())
    blocks: list[dict[str, Any]] = [_header(title)]
    if result.subject_user_id is not None:
        blocks.append(
            context_block(_("For {person}").format(person=f"<@{result.subject_user_id}>"))
        )
    if not result.segments:
        text = _("No deal was won or lost in {period}.").format(period=period)
        if result.previous_period is not None:
            text = _("No deal was won or lost in {period} or the period before.").format(
                period=period
            )
        blocks.append(section(text))
        return ephemeral(escape_mrkdwn(title), blocks)
    shown = result.segments[:MAX_SEGMENTS]
    lines = [
        line
        for rank, segment in enumerate(shown, start=1)
        for line in _segment_lines(rank, segment, result.team.currency, result.previous_period)
    ]
    if len(result.segments) > MAX_SEGMENTS:
        lines.append(_("…and {count} more").format(count=len(result.segments) - MAX_SEGMENTS))
    blocks += pack_lines(lines)
    blocks.append(
        context_block(
            _(
                "Deals won or lost in {period}; in italics, the period before. Win rate by "
                "count, then by amount; average: the average won deal; cycle: the average "
                "days from created to won. _(none)_: deals with no value."
            ).format(period=period)
        )
    )
    return ephemeral(escape_mrkdwn(title), blocks)
