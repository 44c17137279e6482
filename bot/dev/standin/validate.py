"""Block Kit validation: refuse the blocks, views and attachments Slack would refuse.

Every payload is parsed with ``slack_sdk.models`` and validated with its own validators
(``validate_json()``, run on every nested object by ``to_dict()``). Those models are lenient
where Slack is not, so the limits and rules they skip are checked here too. A problem is
described the way Slack describes it: a sentence and a ``[json-pointer:...]``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.attachments import Attachment, AttachmentField, BlockAttachment
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.dev.standin.records import SlackError

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
OPTION_TEXT_MAX = 75
BUTTON_TEXT_MAX = 75
VIEW_TEXT_MAX = 24  # a modal's title, submit and close
ATTACHMENTS_MAX = 100

# Attachment fields slack_sdk's Attachment takes, under the names Slack uses.
_ATTACHMENT_KEYS = {
    "fallback": "fallback",
    "color": "color",
    "mrkdwn_in": "markdown_in",
    "title": "title",
    "title_link": "title_link",
    "pretext": "pretext",
    "author_name": "author_name",
    "author_subname": "author_subname",
    "author_link": "author_link",
    "author_icon": "author_icon",
    "image_url": "image_url",
    "thumb_url": "thumb_url",
    "footer": "footer",
    "footer_icon": "footer_icon",
    "ts": "ts",
}


class Invalid(Exception):
    """One problem with a payload: what is wrong, and where (a JSON pointer)."""

    def __init__(self, problem: str, pointer: str) -> None:
        super().__init__(f"{problem} [json-pointer:{pointer}]")


def check_message(params: Mapping[str, Any]) -> None:
    """Raise SlackError unless a message's blocks, attachments and text are what Slack takes."""
    blocks = params.get("blocks")
    if _absent(blocks):
        blocks = []
    elif not isinstance(blocks, list):
        # A string left over here was not JSON (decode.normalise turns JSON into lists).
        raise SlackError(
            "invalid_blocks_format", "blocks must be a JSON array [json-pointer:/blocks]"
        )
    try:
        _check_blocks(blocks, "/blocks", MESSAGE_BLOCKS_MAX)
        if blocks and _absent(params.get("text")):
            # Stricter than Slack, which only warns: without it notifications and screen
            # readers have nothing to say, so Salesbot always sends a fallback text.
            raise Invalid("a message with blocks must have a fallback text", "/text")
    except Invalid as exc:
        raise SlackError("invalid_blocks", str(exc)) from exc
    attachments = params.get("attachments")
    if _absent(attachments):
        return
    try:
        _check_attachments(attachments)
    except Invalid as exc:
        raise SlackError("invalid_attachments", str(exc)) from exc


def check_view(view: Mapping[str, Any]) -> None:
    """Raise SlackError unless a view (modal or Home tab) is what views.* take."""
    try:
        _check_view(view)
    except Invalid as exc:
        raise SlackError("invalid_blocks", str(exc)) from exc


# --------------------------------------------------------------------------- surfaces


def _absent(value: Any) -> bool:
    """None or a blank string: Slack treats both as an argument not given."""
    return value is None or (isinstance(value, str) and not value.strip())


def _check_blocks(blocks: list[Any], pointer: str, limit: int) -> None:
    """A list of at most ``limit`` blocks, each valid."""
    if len(blocks) > limit:
        raise Invalid(f"no more than {limit} items allowed", pointer)
    for index, block in enumerate(blocks):
        _check_block(block, f"{pointer}/{index}")


def _check_view(view: Mapping[str, Any]) -> None:
    """The view's own fields through slack_sdk's View, then its blocks one by one."""
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        raise Invalid("blocks must be an array", "/view/blocks")
    # View insists on at least one block, but Slack takes an empty view (an empty Home tab
    # is how an app clears it), so blocks are checked here instead of by View.
    fields = {k: v for k, v in view.items() if k != "blocks"}
    _run_models(lambda: _blockless_view(fields), "/view")
    kind = view.get("type")
    if kind == "modal" and "title" not in view:
        raise Invalid("missing required field: title", "/view")
    for name in ("title", "submit", "close"):
        if name in view:
            _check_text(view[name], f"/view/{name}", plain=True, limit=VIEW_TEXT_MAX)
    if kind == "modal" and "submit" not in view and any(_is_input(b) for b in blocks):
        # Slack's docs: submit is required when an input block is within the blocks array.
        raise Invalid("missing required field: submit (the view has input blocks)", "/view")
    _check_blocks(blocks, "/view/blocks", VIEW_BLOCKS_MAX)


def _blockless_view(fields: Mapping[str, Any]) -> View:
    """A View of everything but the blocks (None, so View's own block count is not run)."""
    view = View(**fields)
    view.blocks = None  # type: ignore[assignment]  # View._validate_blocks_length skips None
    return view


def _is_input(block: Any) -> bool:
    """True for an input block."""
    return isinstance(block, Mapping) and block.get("type") == "input"


def _check_attachments(attachments: Any) -> None:
    """Legacy attachments through slack_sdk's Attachment (or BlockAttachment when blocks)."""
    if not isinstance(attachments, list):
        raise Invalid("attachments must be an array", "/attachments")
    if len(attachments) > ATTACHMENTS_MAX:
        raise Invalid(f"no more than {ATTACHMENTS_MAX} items allowed", "/attachments")
    for index, attachment in enumerate(attachments):
        _check_attachment(attachment, f"/attachments/{index}")


def _check_attachment(attachment: Any, pointer: str) -> None:
    """One attachment: its blocks if it has any, else its legacy fields."""
    if not isinstance(attachment, Mapping):
        raise Invalid("must be an object", pointer)
    known = {new: attachment[old] for old, new in _ATTACHMENT_KEYS.items() if old in attachment}
    blocks = attachment.get("blocks")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise Invalid("blocks must be an array", f"{pointer}/blocks")
        _check_blocks(blocks, f"{pointer}/blocks", MESSAGE_BLOCKS_MAX)
        color, fallback = known.get("color"), known.get("fallback")
        _run_models(lambda: BlockAttachment(blocks=[], color=color, fallback=fallback), pointer)
        return
    fields = attachment.get("fields") or []
    if not isinstance(fields, list) or not all(isinstance(f, Mapping) for f in fields):
        raise Invalid("fields must be an array of objects", f"{pointer}/fields")
    text = str(attachment.get("text") or "")
    _run_models(
        lambda: Attachment(text=text, fields=[AttachmentField(**f) for f in fields], **known),
        pointer,
    )


# --------------------------------------------------------------------------- blocks


def _check_block(block: Any, pointer: str) -> None:
    """One block: parsed by slack_sdk, validated by it, then the rules it does not know."""
    if not isinstance(block, Mapping):
        raise Invalid("must be an object", pointer)
    kind = block.get("type")
    try:
        parsed = Block.parse(dict(block))
    except Exception as exc:  # the models raise whatever a malformed dict makes them raise
        raise Invalid(f"malformed {kind} block: {type(exc).__name__}: {exc}", pointer) from exc
    # Block.parse answers None (or, for a subtype-only dict, a bare Block) for types it does
    # not know; Slack refuses those.
    if parsed is None or type(parsed) is Block or parsed.type != kind:
        raise Invalid(f"unsupported block type: {kind!r}", f"{pointer}/type")
    known: Block = parsed
    rendered = _run_models(lambda: _validated(known), pointer)
    _check_same_types(block, rendered, pointer)
    _check_rules(block, pointer)


def _validated(obj: JsonObject) -> dict[str, Any]:
    """validate_json() on the object, then to_dict(), which validates every nested object."""
    obj.validate_json()
    result: dict[str, Any] = obj.to_dict()
    return result


def _run_models(build: Callable[[], Any], pointer: str) -> Any:
    """Run ``build`` (models construction or validation); their failures become Invalid."""
    try:
        result = build()
        if isinstance(result, JsonObject):
            result = _validated(result)
        return result
    except SlackObjectFormationError as exc:
        raise Invalid(str(exc), pointer) from exc
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise Invalid(f"malformed: {type(exc).__name__}: {exc}", pointer) from exc


def _check_same_types(raw: Mapping[str, Any], rendered: Any, pointer: str) -> None:
    """Everything typed in the payload survived parsing, as itself.

    The models skip elements of unknown types (leaving None) and read any text object that
    is not plain_text as mrkdwn, so a misspelt type would otherwise pass.
    """
    for path, value in _walk(rendered, ""):
        if value is None:
            raise Invalid("unsupported element (no known type)", pointer + path)
    given = Counter(t for _, t in _typed(raw, ""))
    kept = Counter(t for _, t in _typed(rendered, ""))
    for path, kind in _typed(raw, ""):
        if kept[kind] < given[kind]:
            raise Invalid(f"unsupported type: {kind!r}", f"{pointer}{path}/type")
    extra = kept - given
    if extra:
        kind = next(iter(extra))
        raise Invalid(f"expected a {kind} object where something else was given", pointer)


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every list item and mapping value under ``node``, with its JSON pointer."""
    items: Any = node.items() if isinstance(node, Mapping) else None
    if isinstance(node, list):
        items = enumerate(node)
    for key, value in items or ():
        yield f"{path}/{key}", value
        yield from _walk(value, f"{path}/{key}")


def _typed(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(pointer, type) of every object under ``node`` that has a string ``type``."""
    if isinstance(node, Mapping) and isinstance(node.get("type"), str):
        yield path, node["type"]
    for sub, value in _walk(node, path):
        if isinstance(value, Mapping) and isinstance(value.get("type"), str):
            yield sub, value["type"]


def _check_rules(block: Mapping[str, Any], pointer: str) -> None:
    """Slack's rules the models skip: plain_text where required, lengths, counts."""
    kind = block.get("type")
    if kind == "header":
        _check_text(block.get("text"), f"{pointer}/text", plain=True, limit=HEADER_TEXT_MAX)
    if kind == "section":
        if "text" in block:
            _check_text(block["text"], f"{pointer}/text", limit=SECTION_TEXT_MAX)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS_MAX:
            raise Invalid(f"no more than {SECTION_FIELDS_MAX} items allowed", f"{pointer}/fields")
        for index, item in enumerate(fields):
            _check_text(item, f"{pointer}/fields/{index}", limit=SECTION_FIELD_TEXT_MAX)
    if kind == "input":
        _check_text(block.get("label"), f"{pointer}/label", plain=True)
        if "hint" in block:
            _check_text(block["hint"], f"{pointer}/hint", plain=True)
    for path, value in _walk(block, pointer):
        if not isinstance(value, Mapping):
            continue
        if value.get("type") in ("plain_text", "mrkdwn"):
            _check_text(value, path)
        if value.get("type") in ("button", "workflow_button"):
            _check_text(value.get("text"), f"{path}/text", plain=True, limit=BUTTON_TEXT_MAX)
        if "placeholder" in value:
            _check_text(value["placeholder"], f"{path}/placeholder", plain=True)
        for key in ("options", "initial_options"):
            for index, option in enumerate(value.get(key) or []):
                _check_option(option, f"{path}/{key}/{index}")
        if isinstance(value.get("initial_option"), Mapping):
            _check_option(value["initial_option"], f"{path}/initial_option")


def _check_option(option: Any, pointer: str) -> None:
    """An option object: its text is a text object of at most 75 characters."""
    if not isinstance(option, Mapping):
        raise Invalid("must be an object", pointer)
    _check_text(option.get("text"), f"{pointer}/text", limit=OPTION_TEXT_MAX)


def _check_text(obj: Any, pointer: str, *, plain: bool = False, limit: int = 0) -> None:
    """A text object: an object with a type, non-empty text, plain_text if required."""
    if not isinstance(obj, Mapping):
        raise Invalid("must be a text object", pointer)
    kind = obj.get("type")
    if plain and kind != "plain_text":
        raise Invalid(f"must be plain_text, not {kind!r}", f"{pointer}/type")
    if kind not in ("plain_text", "mrkdwn"):
        raise Invalid(f"unsupported text type: {kind!r}", f"{pointer}/type")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise Invalid("must be more than 0 characters", f"{pointer}/text")
    if limit and len(text) > limit:
        raise Invalid(f"must be less than {limit + 1} characters", f"{pointer}/text")
