"""Help texts: the one place command usage is written down."""

from __future__ import annotations

from bot.views.common import Message, context_block, ephemeral, section

DEAL_EXAMPLES = [
    ("/deal add Acme 12k proposal close Dec 15", "record a deal"),
    ("/deal add 华为 5万 谈判", "record a deal, in Chinese"),
    ("/deal #12 stage negotiation close 2026-12-20", "change fields"),
    ("/deal won #12", "mark a deal won"),
    ("/deal list", "your open deals"),
]
COMING = {
    "/target": "targets, progress and rewards",
    "/standup": "daily stand-ups",
    "/salesbot": "team setup and settings",
}


def deal_help() -> Message:
    """Usage of /deal with real examples."""
    lines = "\n".join(f"`{example}`  {what}" for example, what in DEAL_EXAMPLES)
    return ephemeral(
        "How to use /deal",
        [section("*Record and move deals from chat*"), section(lines)],
    )


def coming_soon(command: str) -> Message:
    """A friendly note for a command that a later release brings."""
    what = COMING.get(command, "this command")
    text = f"`{command}` ({what}) is coming soon. Meanwhile, try `/deal help`."
    return ephemeral(text, [section(text), context_block("Salesbot")])
