"""What `/deal export` answers."""

from __future__ import annotations

from bot.i18n import N_, _, ngettext
from bot.views.common import Message, ephemeral, refusal

USAGE = N_("`/deal export`: all your deals (a manager's: the team's) as a CSV file in your DM.")


def takes_no_options() -> Message:
    """`/deal export everything`: refused, with the right form."""
    return refusal(_("`/deal export` takes no options."), _(USAGE))


def on_its_way(count: int) -> Message:
    """The export is owed to the caller's DM."""
    return ephemeral(
        ngettext(
            "Your export of {count} deal is on its way to your DM.",
            "Your export of {count} deals is on its way to your DM.",
            count,
        ).format(count=count)
    )
