"""The "New deal" modal, and reading its submitted values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.deal_fields import VALUE_MAX, Choice, DealField
from bot.domain.payloads import DEAL_FORM, field_block
from bot.domain.stages import Stage
from bot.domain.text import Plain, cut_plain
from bot.i18n import _

NEW_DEAL_CALLBACK = "deal_new"
EDIT_DEAL_CALLBACK = "deal_edit"
OPTION_LIMIT = 75
LABEL_LIMIT = 2000
# The option an Edit form offers to take a fixed field's value away (a picked option cannot be
# unpicked in Slack); bot.services.segments.CLEAR reads it.
NO_VALUE = "-"


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
    # Its values of its team's deal fields, by field id.
    fields: tuple[tuple[int, str], ...] = ()


def new_deal_modal(
    stages: Sequence[Stage],
    currency: str,
    metadata: str,
    fields: Sequence[DealField] = (),
) -> dict[str, Any]:
    """A modal with every field of a new deal, the team's deal fields last; invalid fields are
    reported on the field.

    metadata: where the confirmation goes and which deal fields it shows, sealed
    (bot.domain.payloads.new_deal_metadata)."""
    return deal_modal(
        stages,
        currency,
        callback=NEW_DEAL_CALLBACK,
        metadata=metadata,
        title=_("New deal"),
        fields=fields,
    )


def edit_deal_modal(
    stages: Sequence[Stage],
    number: int,
    values: DealValues,
    metadata: str,
    fields: Sequence[DealField] = (),
) -> dict[str, Any]:
    """The same form, filled in with a deal's values (metadata: the deal and its deal fields,
    sealed)."""
    return deal_modal(
        stages,
        values.currency,
        callback=EDIT_DEAL_CALLBACK,
        metadata=metadata,
        title=_("Edit deal #{id}").format(id=number),
        values=values,
        fields=fields,
    )


def deal_modal(
    stages: Sequence[Stage],
    currency: str,
    *,
    callback: str,
    metadata: str,
    title: str,
    values: DealValues | None = None,
    fields: Sequence[DealField] = (),
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
            *(_field_input(field, dict(values.fields) if values else None) for field in fields),
        ],
    }


def _field_input(field: DealField, held: dict[int, str] | None) -> dict[str, Any]:
    """A deal field's input: a menu of its choices, or a line of text. `held`: the values of
    the deal an Edit form edits (None: a new deal)."""
    label = cut_plain(
        field.name if field.alias is None else f"{field.name} ({field.alias})", LABEL_LIMIT
    )
    value = held.get(field.id) if held is not None else None
    if not field.fixed:
        return _text_input(
            field_block(field.id), label, optional=True, max_length=VALUE_MAX, initial=value
        )
    choices = [_choice_option(choice) for choice in field.choices]
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": choices}
    if held is not None:
        # An edited deal may lose its value, and a picked option cannot be unpicked.
        none = {"text": {"type": "plain_text", "text": _("— none")}, "value": NO_VALUE}
        element["options"] = [none, *choices]
    chosen = next(
        (o for o, c in zip(choices, field.choices, strict=True) if c.value == value), None
    )
    if chosen is not None:
        element["initial_option"] = chosen
    return {
        "type": "input",
        "block_id": field_block(field.id),
        "optional": True,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def _choice_option(choice: Choice) -> dict[str, Any]:
    """`retail (零售)`, cut to an option's 75 characters; its value is the choice itself."""
    text = choice.value if choice.alias is None else f"{choice.value} ({choice.alias})"
    return {
        "text": {"type": "plain_text", "text": cut_plain(text, OPTION_LIMIT)},
        "value": choice.value,
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
