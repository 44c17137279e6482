"""Help texts: the one place command usage is written down."""

from __future__ import annotations

from bot.domain.deal_command import USAGE
from bot.domain.target_command import USAGE as TARGET_USAGE
from bot.i18n import N_, _
from bot.views.common import Message, context_block, ephemeral, section

DEAL_EXAMPLES = [
    ("/deal add Acme 12k proposal close Dec 15", N_("record a deal")),
    ("/deal add 华为 5万 谈判", N_("record a deal, in Chinese")),
    ("/deal #12 stage negotiation close 2026-12-20", N_("change fields")),
    ("/deal won #12", N_("mark a deal won")),
    ("/deal list team", N_("the team's open deals")),
]
HELP_ORDER = (
    "add",
    "new",
    "update",
    "won",
    "lost",
    "reopen",
    "list",
    "show",
    "pipeline",
    "undo",
    "assign",
)


COMING = {
    "/standup": N_("daily stand-ups"),
}


def deal_help(topic: str | None = None) -> Message:
    """Usage of /deal (or of one of its commands) with real examples."""
    if topic is not None and topic in USAGE:
        return ephemeral(f"/deal {topic}", [section(USAGE[topic])])
    examples = "\n".join(f"`{example}`  {_(what)}" for example, what in DEAL_EXAMPLES)
    usage = "\n".join(
        [*(f"• {USAGE[verb]}" for verb in HELP_ORDER), f"• {TARGET_USAGE['leaderboard']}"]
    )
    return ephemeral(
        _("How to use /deal"),
        [
            section(_("*Record and move deals from chat*") + "\n" + examples),
            section(usage),
            context_block(
                _(
                    "Amounts: 12000, 12k, 1.5M, 5万, $12k, USD 1,200 · Dates: 2026-12-15, Dec 15, "
                    "next friday, eom, in 2 weeks, 12月15日, 下周五 · Stages: lead, qualified, "
                    "proposal, negotiation, won, lost (线索 商机 方案 谈判 赢单 输单)"
                )
            ),
        ],
    )


def coming_soon(command: str) -> Message:
    """A friendly note for a command that a later release brings."""
    what = _(COMING[command]) if command in COMING else _("this command")
    text = _("`{command}` ({what}) is coming soon. Meanwhile, try `/deal help`.").format(
        command=command, what=what
    )
    return ephemeral(text, [section(text), context_block("Salesbot")])


def target_help(topic: str | None) -> Message:
    """Usage of /target, or of one of its commands."""
    if topic is not None and topic in TARGET_USAGE:
        return ephemeral(f"/target {topic}", [section(TARGET_USAGE[topic])])
    lines = "\n".join(f"• {usage}" for usage in TARGET_USAGE.values())
    return ephemeral(_("How to use /target"), [section(_("*Targets and rewards*")), section(lines)])
