"""Block Kit building blocks shared by every surface."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.domain.amounts import Money
from bot.domain.text import Mrkdwn
from bot.i18n import N_, _, money

Message = dict[str, Any]


def section(text: Mrkdwn) -> dict[str, Any]:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def as_entered(amount: Decimal, currency: str, value: Money | None, *, short: bool = True) -> str:
    """An amount as entered, and beside it, when that was another currency, what it counts
    for in the team currency: `¥12k`, `$5k ≈ ¥35.5k`."""
    entered = money(amount, currency, short=short)
    if value is None:
        return entered
    return f"{entered} ≈ {money(value.amount, value.currency, short=short)}"


def context_block(text: Mrkdwn) -> dict[str, Any]:
    """A small grey context line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def ephemeral(text: Mrkdwn, blocks: list[dict[str, Any]] | None = None) -> Message:
    """A reply only the caller sees."""
    message: Message = {"response_type": "ephemeral", "text": text}
    if blocks:
        message["blocks"] = blocks
    return message


def apology(error_id: str) -> Message:
    """What a user sees when something unexpected broke."""
    return ephemeral(
        ":warning: "
        + _(
            "Sorry, something went wrong on our side (error id `{error_id}`). Nothing was "
            "changed. Please try again; if it keeps happening, tell your admin the id."
        ).format(error_id=error_id)
    )


def refusal(message: Mrkdwn, usage: Mrkdwn = "") -> Message:
    """A friendly "no": what was wrong, and the right form."""
    blocks = [section(f":warning: {message}")]
    if usage:
        blocks.append(context_block(usage))
    return ephemeral(message, blocks)


def try_again() -> Message:
    """What a user sees while the database is out of reach (nothing was written)."""
    return ephemeral(
        _(
            ":hourglass: Salesbot can't reach its database for a moment. Nothing was changed; "
            "please try again in a minute."
        )
    )


def expired_list_button() -> Message:
    """A deal list's Next page button whose state no longer reads."""
    return ephemeral(_("That button has expired; run `/deal list` again."))


def expired_report_button() -> Message:
    """A report's Share button whose state no longer reads."""
    return refusal(_("That button has expired; run `/deal report` again."))


def expired_split_button() -> Message:
    """A split's Confirm button whose state no longer reads."""
    return refusal(_("That button has expired; run `/target split team` again."))


_ROSTER = {
    "not_found": N_(
        "I can't find {person} in this Slack workspace. Mention them with @ so Slack fills in "
        "who they are. Nothing was changed."
    ),
    "deactivated": N_(
        "{person} is deactivated in Slack: they can't be given a team, a manager's role, deals "
        "or targets. Nothing was changed."
    ),
    "bot": N_(
        "{person} is a bot: only people can be given a team, a manager's role, deals or "
        "targets. Nothing was changed."
    ),
    "elsewhere": N_(
        "{person} belongs to another Slack workspace: only members of this one can be given a "
        "team, a manager's role, deals or targets. Nothing was changed."
    ),
    "unreachable": N_(
        "I couldn't check {person} with Slack just now. Nothing was changed; please try again "
        "in a moment."
    ),
}


def person_refused(user_id: str, problem: str) -> Message:
    """Why the person a command names cannot be given what it gives them."""
    return refusal(_(_ROSTER[problem]).format(person=f"<@{user_id}>"))


def expired_home_button() -> Message:
    """An App Home button whose value does not read (said in the member's DM)."""
    return refusal(_("That button has expired or is not valid; open the Home tab again."))


def expired_check_in_button() -> Message:
    """A stand-up prompt's Check in button whose value does not read."""
    return refusal(_("That button has expired or is not valid; run `/standup` to check in."))


def expired_form(command: str) -> str:
    """A form whose metadata or fields do not read, shown on one of its fields."""
    return _("This form has expired or is not valid; run `{command}` again.").format(
        command=command
    )


def expired_edit_form() -> str:
    """An Edit deal form whose metadata or fields do not read."""
    return _("This form has expired or is not valid; open the deal again from the Home tab.")
