"""An import of a CRM's export, worded: the CLI's lines (plain text: values as typed) and the
Slack preview with its Import button (mrkdwn: values escaped)."""

from __future__ import annotations

from typing import Annotated, Any

from bot.domain.text import PLAIN, Mrkdwn, Plain, escape_mrkdwn
from bot.i18n import _
from bot.results.crm_import import CrmImportReport, OwnerLine, RowProblem, StageLine
from bot.views.common import Message, context_block, section

IMPORT_ACTION = "crm_import_run"
# A preview shows this many of the refused rows; the CLI prints them all.
SHOWN_PROBLEMS = 10


def _how(line: StageLine) -> str:
    return {
        "given": _("as given"),
        "won": _("won"),
        "lost": _("lost"),
        "name": _("by name"),
        "position": _("by position"),
    }.get(line.how, _("not mapped"))


def _owner_problem(line: OwnerLine) -> str:
    return {
        "not_in_team": _("not a member of the team"),
        "ambiguous": _("several people in Slack have this name"),
        "unreachable": _("Slack did not answer"),
    }.get(line.problem or "", _("nobody in Slack"))


def _summary(report: CrmImportReport) -> str:
    if report.problems:
        verdict = _("dry run: nothing was written") if report.dry_run else _("nothing was imported")
        return _("{refused} of {rows} rows refused; {verdict}").format(
            refused=report.refused_rows, rows=report.rows, verdict=verdict
        )
    if report.dry_run:
        return _(
            "dry run: would create {created} and update {updated} deals of {team}; "
            "nothing was written"
        ).format(created=report.created, updated=report.updated, team=report.team_name)
    return _("imported into {team}: {created} created, {updated} updated").format(
        team=report.team_name, created=report.created, updated=report.updated
    )


def _stage_lines(report: CrmImportReport) -> list[str]:
    return [
        _("{label} → {stage} ({how}, {rows} rows)").format(
            label=line.label, stage=line.key or "?", how=_how(line), rows=line.rows
        )
        for line in report.stages
    ]


def _problem(problem: RowProblem) -> Plain:
    """A refused row for the terminal: its values as typed."""
    return _where(problem).format(
        row=problem.row, column=problem.column, reason=problem.reason.plain()
    )


def _problem_mrkdwn(problem: RowProblem) -> Mrkdwn:
    """A refused row for Slack: its column and values escaped."""
    return _where(problem).format(
        row=problem.row,
        column=escape_mrkdwn(problem.column),
        reason=problem.reason.mrkdwn(),
    )


def _where(problem: RowProblem) -> str:
    if problem.column:
        return _("row {row}, {column}: {reason}")
    return _("row {row}: {reason}")


def _unmatched(report: CrmImportReport) -> list[OwnerLine]:
    return [line for line in report.owners if line.problem is not None]


def report_lines(report: CrmImportReport) -> Annotated[list[str], PLAIN]:
    """The CLI's report: stages, unmatched owners, ignored columns, each problem, a summary.
    Terminal lines, not mrkdwn: every value as typed."""
    lines = [_("{crm} export, {rows} rows").format(crm=report.crm_name, rows=report.rows)]
    lines += ["  " + _("stage") + " " + text for text in _stage_lines(report)]
    for line in _unmatched(report):
        to = _(" → the default owner") if line.defaulted else ""
        lines.append(
            "  "
            + _("owner {owner}: {problem} ({rows} rows){to}").format(
                owner=line.owner, problem=_owner_problem(line), rows=line.rows, to=to
            )
        )
    if report.ignored:
        lines.append("  " + _("ignored columns: {names}").format(names=", ".join(report.ignored)))
    lines += [_problem(problem) for problem in report.problems]
    lines.append(_summary(report))
    return lines


def preview(report: CrmImportReport, import_id: int) -> Message:
    """The dry run's summary in the manager's DM, with an Import button when nothing was
    refused."""
    title = _("*{crm}* export for *{team}*: {rows} rows").format(
        crm=escape_mrkdwn(report.crm_name),
        team=escape_mrkdwn(report.team_name),
        rows=report.rows,
    )
    blocks: list[dict[str, Any]] = [section(title)]
    stages = _stage_lines(report)
    if stages:
        blocks.append(section(_("*Stages*") + "\n" + escape_mrkdwn("\n".join(stages))))
    unmatched = _unmatched(report)
    if unmatched:
        owners = "\n".join(
            escape_mrkdwn(f"{line.owner}: {_owner_problem(line)} ({line.rows})")
            + (" → " + _("the default owner") if line.defaulted else "")
            for line in unmatched
        )
        blocks.append(section(_("*Owners not matched*") + "\n" + owners))
    if report.ignored:
        blocks.append(
            context_block(
                _("Ignored columns: {names}").format(names=escape_mrkdwn(", ".join(report.ignored)))
            )
        )
    if report.problems:
        shown = report.problems[:SHOWN_PROBLEMS]
        text = "\n".join(_problem_mrkdwn(p) for p in shown)
        more = len(report.problems) - len(shown)
        if more:
            text += "\n" + _("…and {count} more").format(count=more)
        blocks.append(section(":warning: " + text))
        blocks.append(
            context_block(
                _(
                    "Fix the file and share it again, or say in the message beside it: "
                    '`default owner @someone`, `stage "CRM stage=qualified"`.'
                )
            )
        )
    summary = _summary(report)
    blocks.append(section(escape_mrkdwn(summary)))
    if not report.problems:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": IMPORT_ACTION,
                        "style": "primary",
                        "text": {"type": "plain_text", "text": _("Import")},
                        "value": str(import_id),
                    }
                ],
            }
        )
    return {"text": escape_mrkdwn(summary), "blocks": blocks}


def imported(report: CrmImportReport) -> Message:
    """The import's outcome, in the manager's DM."""
    text = escape_mrkdwn(_summary(report))
    if report.problems:
        shown = "\n".join(_problem_mrkdwn(p) for p in report.problems[:SHOWN_PROBLEMS])
        return {"text": text, "blocks": [section(f":warning: {text}\n{shown}")]}
    return {"text": f":white_check_mark: {text}"}


def already_imported(created: int, updated: int) -> Message:
    """A second press of Import: nothing is done twice."""
    return {
        "text": _(
            "This file was imported already ({created} created, {updated} updated); nothing "
            "was done again."
        ).format(created=created, updated=updated)
    }


def cannot_import(reason: str) -> Message:
    """A shared file that cannot be imported at all."""
    return {
        "text": ":warning: "
        + _("Cannot import this file: {reason}").format(reason=escape_mrkdwn(reason))
    }


def not_importable(state: str) -> Message:
    """Import pressed while it runs, or for a preview that refused rows."""
    if state == "underway":
        return {"text": _("This file is being imported; the outcome follows here.")}
    return {"text": _("Nothing to import: share the fixed file again for a new preview.")}
