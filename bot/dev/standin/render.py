"""Rendering to text: Block Kit as readable lines, and recorded calls as a transcript."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.dev.standin.decode import flag
from bot.dev.standin.records import Call, File, ResponseContext

# --------------------------------------------------------------------------- Block Kit text


def _plain(obj: Any) -> str:
    """The ``text`` of a text object (plain_text or mrkdwn), or "" for anything else."""
    return str(obj.get("text", "")) if isinstance(obj, Mapping) else ""


def _element_text(element: Any) -> str:
    """An interactive or context element as a short human-readable token."""
    if not isinstance(element, Mapping):
        return ""
    kind = str(element.get("type", ""))
    if kind in ("plain_text", "mrkdwn"):
        return _plain(element)
    if kind == "button":
        return f"[{_plain(element.get('text'))}]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind.endswith("_select") or kind.startswith("multi_"):
        return f"[{_plain(element.get('placeholder')) or 'Select'} ▾]"
    if kind in ("checkboxes", "radio_buttons"):
        options = [o for o in element.get("options") or [] if isinstance(o, Mapping)]
        return "[" + " / ".join(_plain(o.get("text")) for o in options) + "]"
    if kind in ("datepicker", "timepicker", "datetimepicker"):
        initial = element.get("initial_date") or element.get("initial_time")
        return f"[{initial or _plain(element.get('placeholder')) or kind}]"
    if kind == "overflow":
        return "[…]"
    if kind.endswith("_input"):
        return "[____]"
    return ""


def _rich_inline(element: Any) -> str:
    """A rich_text leaf (text, link, mention, emoji) as it would read."""
    if not isinstance(element, Mapping):
        return ""
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text", ""))
    if kind == "link":
        return str(element.get("text") or element.get("url", ""))
    if kind == "user":
        return f"<@{element.get('user_id', '')}>"
    if kind == "channel":
        return f"<#{element.get('channel_id', '')}>"
    if kind == "usergroup":
        return f"<!subteam^{element.get('usergroup_id', '')}>"
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "broadcast":
        return f"<!{element.get('range', '')}>"
    return str(element.get("fallback", ""))


def _rich_section(section: Any) -> str:
    """A rich_text_section's leaves, joined."""
    if not isinstance(section, Mapping):
        return ""
    return "".join(_rich_inline(e) for e in section.get("elements") or [])


def _rich_text(block: Mapping[str, Any]) -> str:
    """A rich_text block: sections, bulleted or numbered lists, quotes."""
    lines: list[str] = []
    for element in block.get("elements") or []:
        if not isinstance(element, Mapping):
            continue
        kind = element.get("type")
        if kind == "rich_text_list":
            ordered = element.get("style") == "ordered"
            for n, item in enumerate(element.get("elements") or [], start=1):
                bullet = f"{n}. " if ordered else "• "
                lines.append(bullet + _rich_section(item))
        elif kind == "rich_text_quote":
            lines.append("> " + _rich_section(element))
        else:  # rich_text_section, rich_text_preformatted
            lines.append(_rich_section(element))
    return "\n".join(lines)


def _section(block: Mapping[str, Any]) -> str:
    """A section: its text and accessory, then one line per field."""
    lines = [_plain(block.get("text"))]
    accessory = _element_text(block.get("accessory"))
    if accessory:
        lines[0] = f"{lines[0]} {accessory}".strip()
    lines.extend(_plain(f) for f in block.get("fields") or [])
    return "\n".join(line for line in lines if line)


def _block_text(block: Mapping[str, Any]) -> str:
    """One block as text ("" for kinds that show nothing readable)."""
    kind = block.get("type")
    if kind == "header":
        return _plain(block.get("text"))
    if kind == "section":
        return _section(block)
    if kind == "context":
        return " ".join(t for t in map(_element_text, block.get("elements") or []) if t)
    if kind == "actions":
        return " ".join(t for t in map(_element_text, block.get("elements") or []) if t)
    if kind == "divider":
        return "---"
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    if kind == "rich_text":
        return _rich_text(block)
    if kind == "input":
        return f"{_plain(block.get('label'))}: {_element_text(block.get('element'))}".strip()
    return ""


def blocks_to_text(blocks: Sequence[Mapping[str, Any]]) -> str:
    """Flatten Block Kit blocks into readable text, one or more lines per block.

    Buttons render as ``[Label]``, selects as ``[Placeholder ▾]``, images as
    ``[image: alt text]``, dividers as ``---``; unknown blocks are skipped.
    """
    parts = (_block_text(b) for b in blocks if isinstance(b, Mapping))
    return "\n".join(p for p in parts if p)


def _message_text(params: Mapping[str, Any]) -> str:
    """What a message shows: its blocks if any render, else text, else attachment fallbacks."""
    blocks = params.get("blocks")
    if isinstance(blocks, list):
        rendered = blocks_to_text(blocks)
        if rendered:
            return rendered
    text = params.get("text") or params.get("markdown_text")
    if text:
        return str(text)
    attachments = params.get("attachments")
    if isinstance(attachments, list):
        return "\n".join(
            str(a.get("fallback") or a.get("text") or "")
            for a in attachments
            if isinstance(a, Mapping)
        )
    return ""


def _view_title(params: Mapping[str, Any]) -> str:
    """A views.* call's modal title, for the transcript."""
    view = params.get("view")
    return _plain(view.get("title")) if isinstance(view, Mapping) else ""


# --------------------------------------------------------------------------- transcript


@dataclass(frozen=True)
class Transcriber:
    """Recorded calls as transcript lines; knows the DMs, uploads and response_url owners."""

    dms: Mapping[str, str]  # D-channel id -> user id
    files: Mapping[str, File]
    response_urls: Mapping[str, ResponseContext]

    def _where(self, value: Any) -> str:
        """``#C1``, or ``DM U1`` for a direct message."""
        channel = str(value or "?")
        if channel in self.dms:
            return f"DM {self.dms[channel]}"
        if channel.startswith("D"):
            return f"DM {channel}"
        return f"#{channel}"

    def line(self, call: Call) -> str | None:
        """The transcript entry for one call, or None for calls nobody would see."""
        p, r = call.params, call.response
        match call.method:
            case "chat.postMessage":
                thread = f" (thread {p['thread_ts']})" if p.get("thread_ts") else ""
                return f"{self._where(r.get('channel'))}{thread}: {_message_text(p)}"
            case "chat.postEphemeral":
                return f"(only {p.get('user')} sees) {_message_text(p)}"
            case "chat.update":
                return f"[updated {self._where(r.get('channel'))} {p.get('ts')}] {_message_text(p)}"
            case "chat.delete":
                return f"[deleted {self._where(r.get('channel'))} {p.get('ts')}]"
            case "reactions.add":
                where = self._where(p.get("channel"))
                return f"[reacted :{p.get('name')}: to {where} {p.get('timestamp')}]"
            case "views.open" | "views.push" | "views.update":
                verb = {"views.open": "opened", "views.push": "pushed"}.get(call.method, "updated")
                return f"[modal {verb}: {_view_title(p)}]"
            case "views.publish":
                return f"[home published for {p.get('user_id')}]"
            case "files.completeUploadExternal":
                return self._upload_line(p)
            case "response_url":
                return self._response_url_line(p)
        return None

    def _upload_line(self, params: Mapping[str, Any]) -> str:
        """``[file uploaded: name to #C1] comment``."""
        names = self._uploaded_names(params)
        channel = params.get("channel_id") or params.get("channels")
        target = f" to {self._where(channel)}" if channel else ""
        comment = f" {params['initial_comment']}" if params.get("initial_comment") else ""
        return f"[file uploaded: {', '.join(names)}{target}]{comment}"

    def _uploaded_names(self, params: Mapping[str, Any]) -> list[str]:
        """File names of a completeUploadExternal call (as given to getUploadURLExternal)."""
        names = []
        for entry in params.get("files") or []:
            if isinstance(entry, Mapping):
                known = self.files.get(str(entry.get("id")))
                names.append(known.filename if known else str(entry.get("title", "?")))
        return names

    def _response_url_line(self, params: Mapping[str, Any]) -> str:
        """A response_url reply, placed where its owner would see it."""
        context = self.response_urls.get(str(params.get("url")), ResponseContext("", None, None))
        if flag(params.get("delete_original")):
            return "[deleted original]"
        if params.get("response_type") == "in_channel":
            where = self._where(context.channel_id) if context.channel_id else "(in channel)"
            line = f"{where}: {_message_text(params)}"
        else:
            who = f"only {context.user_id} sees" if context.user_id else "only you see"
            line = f"({who}) {_message_text(params)}"
        return f"[replaced original] {line}" if flag(params.get("replace_original")) else line
