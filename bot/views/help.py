"""Help texts: the one place command usage is written down."""

from __future__ import annotations

from bot.domain.deal_command import USAGE
from bot.domain.forecast import USAGE as FORECAST_USAGE
from bot.domain.insights_command import usage as insights_usage
from bot.domain.report_command import USAGE as REPORT_USAGE
from bot.domain.target_command import USAGE as TARGET_USAGE
from bot.i18n import N_, _
from bot.views.common import Message, context_block, ephemeral, section
from bot.views.export import USAGE as EXPORT_USAGE

DEAL_EXAMPLES = [
    ("/deal add Acme 12k proposal close Dec 15", N_("record a deal")),
    ("/deal add 华为 5万 谈判", N_("record a deal, in Chinese")),
    ("/deal #12 stage negotiation close 2026-12-20", N_("change fields")),
    ('/deal #12 next "send the proposal" friday', N_("plan the next step")),
    ("/deal won #12", N_("mark a deal won")),
    ("/deal list team", N_("the team's open deals")),
]
HELP_ORDER = (
    "add",
    "new",
    "update",
    "next",
    "won",
    "lost",
    "reopen",
    "list",
    "show",
    "pipeline",
    "undo",
    "assign",
    "report",
    "insights",
    "export",
    "leaderboard",
    "forecast",
)


# The words the /deal grammar accepts in either language (bot/domain/deal_command.py).
# In Chinese, the Chinese words; English keeps to English (the Chinese ones work there too).
KEYWORDS = N_("Keywords: close, note, stage, amount, customer, forecast, reason")
# A team's own deal fields (bot.domain.deal_fields), keywords too where it has them.
DEAL_FIELDS = N_(
    "Your team's own deal fields (`/salesbot fields`) are keywords too: "
    "`/deal add Acme 12k industry:retail`, `/deal #12 industry finance`, "
    "`/deal list industry:retail`; `-` takes a value away"
)
# The commands whose help mentions them.
FIELD_TOPICS = frozenset({"add", "update", "list"})


def _usage(verb: str) -> str:
    if verb == "report":
        return _(REPORT_USAGE)
    if verb == "export":
        return _(EXPORT_USAGE)
    if verb == "leaderboard":
        return TARGET_USAGE["leaderboard"]
    if verb == "insights":
        return insights_usage()
    if verb == "forecast":
        return _(FORECAST_USAGE)
    return USAGE[verb]


COMING = {
    "/standup": N_("daily stand-ups"),
}


def deal_help(topic: str | None = None) -> Message:
    """Usage of /deal (or of one of its commands) with real examples."""
    if topic is not None and topic in HELP_ORDER:
        blocks = [section(_usage(topic)), context_block(_(KEYWORDS))]
        if topic in FIELD_TOPICS:
            blocks.append(context_block(_(DEAL_FIELDS)))
        return ephemeral(f"/deal {topic}", blocks)
    examples = "\n".join(f"`{example}`  {_(what)}" for example, what in DEAL_EXAMPLES)
    usage = "\n".join(f"• {_usage(verb)}" for verb in HELP_ORDER)
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
            context_block(_(KEYWORDS)),
            context_block(_(DEAL_FIELDS)),
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
