"""Block Kit for the weekly forecast call: the stand-up's question, `/deal forecast`, the
report's forecast and accuracy, and the stage mapping of `/salesbot forecast`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.domain.forecast import category_name
from bot.domain.progress import percent_label
from bot.domain.text import Mrkdwn, escape_mrkdwn
from bot.i18n import N_, _, current, money
from bot.results.forecast import (
    AccuracyBoard,
    CallAccuracy,
    ForecastAsk,
    ForecastBoard,
    ForecastLine,
    ForecastMapped,
    ForecastMapping,
    StageForecast,
)
from bot.views.common import Message, context_block, ephemeral, section

SECTION_LIMIT = 3000
# Sections of rep lines a board may take (a report keeps room for its other blocks).
MAX_SECTIONS = 10


def _who(line: ForecastLine | CallAccuracy) -> str:
    return f"<@{line.rep.slack_user_id}>" if line.rep is not None else _("*Team*")


def forecast_line(line: ForecastLine, currency: str) -> Mrkdwn:
    """`@bob · target ¥100k · won ¥20k · commit *¥50k* · last week ¥45k · best case ¥70k ·
    weighted pipeline ¥32k · gap ¥50k`."""

    def amount(value: Decimal) -> str:
        return money(value, currency)

    parts = [
        _who(line),
        _("target {amount}").format(amount=amount(line.target))
        if line.target is not None
        else _("no target"),
        _("won {amount}").format(amount=amount(line.won)),
        # The total is the sum of the reps' commits, called or not.
        _("commit *{amount}*").format(amount=amount(line.commit))
        if line.called or line.rep is None
        else _("commit {amount} _(won + commit deals, not called yet)_").format(
            amount=amount(line.commit)
        ),
    ]
    if line.last_week is not None:
        parts.append(_("last week {amount}").format(amount=amount(line.last_week)))
    parts += [
        _("best case {amount}").format(amount=amount(line.best_case)),
        _("weighted pipeline {amount}").format(amount=amount(line.weighted)),
    ]
    if line.gap is not None:
        parts.append(
            _("gap {amount}").format(amount=amount(line.gap))
            if line.gap >= 0
            else _("{amount} over target").format(amount=amount(-line.gap))
        )
    return " · ".join(parts)


def accuracy_line(line: CallAccuracy, currency: str) -> Mrkdwn:
    """`@bob · first commit ¥50k → 96.0% · last commit ¥48k → 100.0% · won ¥48k`."""

    def called(value: Decimal, percent: Decimal | None) -> str:
        shown = money(value, currency)
        return f"{shown} → *{percent_label(percent)}*" if percent is not None else shown

    return " · ".join(
        (
            _who(line),
            _("first commit {called}").format(called=called(line.first, line.first_accuracy)),
            _("last commit {called}").format(called=called(line.last, line.last_accuracy)),
            _("won {amount}").format(amount=money(line.won, currency)),
        )
    )


def _packed(lines: Sequence[Mrkdwn]) -> list[dict[str, Any]]:
    """Sections of whole lines, each within Slack's 3000 characters, at most MAX_SECTIONS."""
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > SECTION_LIMIT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line[:SECTION_LIMIT])
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks[:MAX_SECTIONS]


DEFINITIONS = N_(
    "Commit: what each rep called this week for the period (until they call: won + open "
    "commit deals). Best case: won + commit and best-case deals. Weighted pipeline: open deals "
    "not omitted × their stage's probability. Gap: target − commit."
)


def forecast_blocks(board: ForecastBoard) -> list[dict[str, Any]]:
    """The forecast per rep and in total, with what the numbers mean."""
    title = _("*Forecast · {period}*").format(period=board.period.label(current()))
    lines = [f"• {forecast_line(line, board.currency)}" for line in board.lines]
    if board.total is not None:
        lines.append(forecast_line(board.total, board.currency))
    if not board.lines:
        lines.append(_("Nobody in the team yet."))
    return [section(title), *_packed(lines), context_block(_(DEFINITIONS))]


def accuracy_blocks(board: AccuracyBoard, currency: str) -> list[dict[str, Any]]:
    """How well a finished period was called: each rep's first and last commit against won."""
    title = _("*Forecast accuracy · {period}* (won ÷ commit)").format(
        period=board.period.label(current())
    )
    lines = [f"• {accuracy_line(line, currency)}" for line in board.lines]
    if board.total is not None:
        lines.append(accuracy_line(board.total, currency))
    return [section(title), *_packed(lines)]


def forecast_reply(board: ForecastBoard) -> Message:
    """`/deal forecast`: the forecast, and the accuracy once the period has ended."""
    blocks = forecast_blocks(board)
    if board.accuracy is not None:
        blocks += accuracy_blocks(board.accuracy, board.currency)
    text = _("Forecast · {period}").format(period=board.period.label(current()))
    return ephemeral(text, blocks)


def plain_amount(value: Decimal) -> str:
    """An amount as a form field holds it: `50000`, `12345.5`."""
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def ask_text(ask: ForecastAsk) -> Mrkdwn:
    """The report day's question in the stand-up DM and the check-in form."""
    return (
        ":crystal_ball: "
        + _("*Forecast call · {period}*").format(period=ask.period.label(current()))
        + "\n"
        + _(
            "Won so far {won} + your commit deals {deals} = *{commit}*. Check in to confirm "
            "your commit, or change it and say why."
        ).format(
            won=money(ask.won, ask.currency),
            deals=money(ask.commit_deals, ask.currency),
            commit=money(ask.suggested, ask.currency),
        )
    )


def ask_inputs(ask: ForecastAsk) -> list[dict[str, Any]]:
    """The check-in form's commit (pre-filled) and the reason for changing it."""
    commit = {
        "type": "input",
        "block_id": "commit",
        "optional": False,
        "label": {
            "type": "plain_text",
            "text": _("Your commit for {period} ({currency})").format(
                period=ask.period.label(current()), currency=ask.currency
            ),
        },
        "element": {
            "type": "plain_text_input",
            "action_id": "value",
            "max_length": 40,
            "initial_value": plain_amount(ask.suggested),
        },
    }
    reason = {
        "type": "input",
        "block_id": "commit_reason",
        "optional": True,
        "label": {"type": "plain_text", "text": _("Why it differs (if you change it)")},
        "element": {"type": "plain_text_input", "action_id": "value", "max_length": 500},
    }
    return [{"type": "divider"}, section(ask_text(ask)), commit, reason]


def _stage_line(row: StageForecast) -> str:
    how = _("set by a manager") if row.chosen else _("default")
    return f"• {escape_mrkdwn(row.stage.label)} → *{category_name(row.category)}* ({how})"


def mapping_text(mapping: ForecastMapping) -> Mrkdwn:
    """`/salesbot forecast`: each open stage's category."""
    lines = "\n".join(_stage_line(row) for row in mapping.stages)
    return (
        _("*Forecast categories by stage*")
        + "\n"
        + lines
        + "\n"
        + _(
            "Change one with `/salesbot forecast negotiation commit` (`auto`: back to the "
            "default); a rep sets a deal's own with `/deal #12 forecast commit`."
        )
    )


def mapped_text(result: ForecastMapped) -> Mrkdwn:
    """A manager changed a stage's category: the mapping now."""
    done = ":white_check_mark: " + _("Deals in {stage} are now *{category}*.").format(
        stage=escape_mrkdwn(result.changed.stage.label),
        category=category_name(result.changed.category),
    )
    return done + "\n" + mapping_text(result.mapping)


def history_accuracy(line: CallAccuracy | None, currency: str) -> Mrkdwn:
    """` · first commit ¥50k → 96.0%, last commit ¥48k → 100.0%` beside a past period."""
    if line is None:
        return ""

    def called(value: Decimal, percent: Decimal | None) -> str:
        shown = money(value, currency)
        return f"{shown} → {percent_label(percent)}" if percent is not None else shown

    return " · " + _("first commit {first}, last commit {last}").format(
        first=called(line.first, line.first_accuracy), last=called(line.last, line.last_accuracy)
    )
