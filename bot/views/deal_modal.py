"""The "New deal" modal, and reading its submitted values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.payloads import DEAL_FORM
from bot.domain.stages import Stage
from bot.domain.text import Plain, cut_plain
from bot.i18n import _

NEW_DEAL_CALLBACK = "deal_new"
EDIT_DEAL_CALLBACK = "deal_edit"
OPTION_LIMIT = 75


def _text_input(
    block_id: str,
    label: str,
    *,
    placeholder: str = "",
    optional: bool = False,
    multiline: bool = False,
    max_length: int,
    initial: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    if initial:
        element["initial_value"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


@dataclass(frozen=True)
class DealValues:
    """What an existing deal's form starts with."""

    customer: str
    title: str
    amount: str
    currency: str
    stage: str
    close_date: str | None
    note: str
    next_step: str = ""
    next_step_date: str | None = None


def new_deal_modal(stages: Sequence[Stage], currency: str, metadata: str) -> dict[str, Any]:
    """A modal with every field of a new deal; invalid fields are reported on the field.

    metadata: where the confirmation goes, sealed (bot.domain.payloads.new_deal_metadata)."""
    return deal_modal(
        stages, currency, callback=NEW_DEAL_CALLBACK, metadata=metadata, title=_("New deal")
    )


def edit_deal_modal(
    stages: Sequence[Stage], number: int, values: DealValues, metadata: str
) -> dict[str, Any]:
    """The same form, filled in with a deal's values (metadata: the deal, sealed)."""
    return deal_modal(
        stages,
        values.currency,
        callback=EDIT_DEAL_CALLBACK,
        metadata=metadata,
        title=_("Edit deal #{id}").format(id=number),
        values=values,
    )


def deal_modal(
    stages: Sequence[Stage],
    currency: str,
    *,
    callback: str,
    metadata: str,
    title: str,
    values: DealValues | None = None,
) -> dict[str, Any]:
    """A modal with every field of a deal; invalid fields are reported on the field."""
    options = [
        {
            "text": {"type": "plain_text", "text": _option_text(s)},
            "value": s.key,
        }
        for s in stages
    ]
    wanted = values.stage if values else None
    first_open = next(
        (
            o
            for o, s in zip(options, stages, strict=True)
            if (s.key == wanted if wanted else s.kind == "open")
        ),
        None,
    )
    stage_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": options,
    }
    if first_open is not None:
        stage_select["initial_option"] = first_open
    return {
        "type": "modal",
        "callback_id": callback,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": _("Save")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [
            _text_input(
                "customer",
                _("Customer"),
                max_length=DEAL_FORM["customer"],
                placeholder=_("Acme Corp"),
                initial=values.customer if values else None,
            ),
            _text_input(
                "title",
                _("Title"),
                max_length=DEAL_FORM["title"],
                placeholder=_("50 seats, annual"),
                optional=True,
                initial=values.title if values else None,
            ),
            _text_input(
                "amount",
                _("Amount"),
                placeholder="12k, 1.5M, 5万, $12,000",
                max_length=DEAL_FORM["amount"],
                initial=values.amount if values else None,
            ),
            _text_input(
                "currency",
                _("Currency"),
                optional=True,
                max_length=DEAL_FORM["currency"],
                initial=currency,
            ),
            {
                "type": "input",
                "block_id": "stage",
                "label": {"type": "plain_text", "text": _("Stage")},
                "element": stage_select,
            },
            {
                "type": "input",
                "block_id": "close",
                "optional": True,
                "label": {"type": "plain_text", "text": _("Expected close date")},
                "element": _datepicker(values.close_date if values else None),
            },
            _text_input(
                "next_step",
                _("Next step"),
                optional=True,
                max_length=DEAL_FORM["next_step"],
                placeholder=_("Send the proposal"),
                initial=values.next_step if values else None,
            ),
            {
                "type": "input",
                "block_id": "next_step_date",
                "optional": True,
                "label": {"type": "plain_text", "text": _("Next step date")},
                "element": _datepicker(values.next_step_date if values else None),
            },
            _text_input(
                "note",
                _("Note"),
                optional=True,
                multiline=True,
                max_length=DEAL_FORM["note"],
                initial=values.note if values else None,
            ),
        ],
    }


def _option_text(stage: Stage) -> Plain:
    """`Proposal (50%)`, the label cut so the whole fits an option (75 characters)."""
    percent = f" ({stage.probability * 100:.0f}%)"
    return cut_plain(stage.label, OPTION_LIMIT - len(percent)) + percent


def _datepicker(initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if initial:
        element["initial_date"] = initial
    return element
