"""The "New deal" modal, and reading its submitted values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.stages import Stage

NEW_DEAL_CALLBACK = "deal_new"
FIELDS = ("customer", "title", "amount", "currency", "stage", "close", "note")


def _text_input(
    block_id: str,
    label: str,
    *,
    placeholder: str = "",
    optional: bool = False,
    multiline: bool = False,
    max_length: int = 200,
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


def new_deal_modal(stages: Sequence[Stage], currency: str, channel_id: str) -> dict[str, Any]:
    """A modal with every field of a deal; invalid fields are reported on the field."""
    options = [
        {
            "text": {"type": "plain_text", "text": f"{s.label} ({s.probability * 100:.0f}%)"},
            "value": s.key,
        }
        for s in stages
    ]
    first_open = next((o for o, s in zip(options, stages, strict=True) if s.kind == "open"), None)
    stage_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": options,
    }
    if first_open is not None:
        stage_select["initial_option"] = first_open
    return {
        "type": "modal",
        "callback_id": NEW_DEAL_CALLBACK,
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": "New deal"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _text_input("customer", "Customer", placeholder="Acme Corp"),
            _text_input("title", "Title", placeholder="50 seats, annual", optional=True),
            _text_input("amount", "Amount", placeholder="12k, 1.5M, 5万, $12,000", max_length=40),
            _text_input("currency", "Currency", optional=True, max_length=3, initial=currency),
            {
                "type": "input",
                "block_id": "stage",
                "label": {"type": "plain_text", "text": "Stage"},
                "element": stage_select,
            },
            {
                "type": "input",
                "block_id": "close",
                "optional": True,
                "label": {"type": "plain_text", "text": "Expected close date"},
                "element": {"type": "datepicker", "action_id": "value"},
            },
            _text_input("note", "Note", optional=True, multiline=True, max_length=2000),
        ],
    }


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """The modal's values by field name ('' when left empty)."""
    state = view.get("state", {}).get("values", {})
    values: dict[str, str] = {}
    for field in FIELDS:
        element = state.get(field, {}).get("value", {})
        value = (
            element.get("value")
            or element.get("selected_date")
            or (element.get("selected_option") or {}).get("value")
        )
        values[field] = str(value or "")
    return values
