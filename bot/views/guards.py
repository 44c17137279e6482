"""The fat-finger guards' question and its buttons, and what a press answers.

Each button's value carries what completing the command needs: the question's key and its
proof (`s`, bot.domain.payloads.guard_proof: the key is the app's, for this caller), what was
typed (`x`: the command's text; `f`: the New deal form's values) and what this button says
yes to (`another`, `m` the large amount, `u` the deal to update instead). The press runs the
command again from it, so a stale button is checked against what is stored then.
bot.domain.payloads reads it back.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.amounts import Money
from bot.domain.payloads import encode_amount
from bot.domain.text import escape_mrkdwn
from bot.i18n import _, money
from bot.results.guards import Large, Question
from bot.views.common import Message, context_block, ephemeral, refusal, section

YES_ACTION = "deal_guard_yes"
INSTEAD_ACTION = "deal_guard_instead"
CANCEL_ACTION = "deal_guard_cancel"
ACTIONS = (YES_ACTION, INSTEAD_ACTION, CANCEL_ACTION)
# Slack refuses a button value longer than this.
VALUE_LIMIT = 2000


def exact(amount: Money) -> str:
    """An amount to the unit, as a question about it spells it out: ¥50,000,000."""
    return money(amount.amount, amount.currency, short=False)


def _large_line(large: Large) -> str:
    typed = exact(large.amount)
    if large.in_team != large.amount:
        typed = _("{typed} (≈ {converted})").format(typed=typed, converted=exact(large.in_team))
    if large.largest_won is None:
        return _("{amount} is a lot, and the team has won no deal yet to compare it with.").format(
            amount=typed
        )
    return _("{amount} is more than 10 times the team's largest win ({largest}).").format(
        amount=typed, largest=money(large.largest_won.amount, large.largest_won.currency)
    )


def _lines(question: Question) -> list[str]:
    lines = []
    duplicate = question.duplicate
    if duplicate is not None:
        deal = duplicate.deal
        lines.append(
            _("You already have an open deal for *{customer}*: {deal}.").format(
                customer=escape_mrkdwn(deal.customer),
                deal=f"`#{deal.number}` {money(deal.amount, deal.currency)} · "
                + escape_mrkdwn(duplicate.stage.label),
            )
        )
    if question.large is not None:
        lines.append(_large_line(question.large))
    if duplicate is not None:
        lines.append(
            "*" + _("Add another, or update #{id}?").format(id=duplicate.deal.number) + "*"
        )
    elif question.verb == "add":
        lines.append("*" + _("Add it anyway?") + "*")
    elif question.verb == "update":
        lines.append("*" + _("Change #{id} anyway?").format(id=question.deal_number) + "*")
    else:
        lines.append("*" + _("Mark #{id} won anyway?").format(id=question.deal_number) + "*")
    return lines


def _button(action_id: str, label: str, value: dict[str, Any], *, primary: bool) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label[:75]},
        "value": json.dumps(value, ensure_ascii=False, separators=(",", ":")),
    }
    if primary:
        button["style"] = "primary"
    return button


def _buttons(question: Question, source: dict[str, Any], proof: str) -> list[dict[str, Any]]:
    large = question.large
    # What was typed, and what an earlier press already said yes to (asked again).
    yes: dict[str, Any] = {**source, "k": question.key, "s": proof}
    if large is not None:
        yes["m"] = encode_amount(large.amount)
    amount = exact(large.amount) if large is not None else ""
    buttons = []
    if question.duplicate is not None:
        number = question.duplicate.deal.number
        another = _("Add another, {amount}").format(amount=amount) if amount else _("Add another")
        update = (
            _("Update #{id} to {amount}").format(id=number, amount=amount)
            if amount
            else _("Update #{id}").format(id=number)
        )
        adding = {k: v for k, v in yes.items() if k != "u"} | {"another": 1}
        updating = {k: v for k, v in yes.items() if k != "another"} | {"u": number}
        buttons.append(_button(YES_ACTION, another, adding, primary=True))
        buttons.append(_button(INSTEAD_ACTION, update, updating, primary=False))
    else:
        label = {
            "add": _("Yes, add {amount}"),
            "update": _("Yes, set #{id} to {amount}"),
            "won": _("Yes, win #{id} at {amount}"),
        }[question.verb].format(amount=amount, id=question.deal_number)
        buttons.append(_button(YES_ACTION, label, yes, primary=True))
    cancel = {"k": question.key, "s": proof}
    buttons.append(_button(CANCEL_ACTION, _("Cancel"), cancel, primary=False))
    return buttons


def question(question: Question, source: dict[str, Any], proof: str) -> Message:
    """Ask before the change: why (every guard that applies, in one message) and the buttons.

    source: what was typed, for the buttons to carry (`{"x": text}` or `{"f": form values}`),
    and when asked again what the earlier press said yes to (`m`, `another`, `u`). proof: the
    question key's (bot.domain.payloads.guard_proof)."""
    lines = _lines(question)
    buttons = _buttons(question, source, proof)
    if any(len(button["value"]) > VALUE_LIMIT for button in buttons):
        # Only a very long note gets here: say so rather than lose it.
        return refusal(
            "\n".join(lines[:-1])
            + "\n"
            + _(
                "Your command is too long for me to keep while you choose, so nothing was "
                "written. Run it again with a shorter note, then add the rest with "
                "`/deal #12 note …`."
            )
        )
    blocks = [
        section("\n".join(lines)),
        {"type": "actions", "block_id": "guard", "elements": buttons},
        context_block(_("Nothing is written until you choose.")),
    ]
    return ephemeral(lines[-1].strip("*"), blocks)


def cancelled() -> Message:
    """The caller pressed Cancel."""
    return ephemeral(_("Cancelled: nothing was written."))


def already_answered() -> Message:
    """A second press of a question already answered: the first answer stays where it is."""
    message = ephemeral(_("You already answered that question; nothing more was changed."))
    message["replace_original"] = False
    return message


def expired() -> Message:
    """A question's button whose value no longer reads."""
    return refusal(_("That button has expired; run the command again."))
