"""Key-deal notices rendered into the Slack calls they owe: a manager told that a big open
deal has gone quiet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.stages import shown_label
from bot.domain.text import escape_mrkdwn
from bot.i18n import _, day, ngettext
from bot.results.calls import Call
from bot.results.notices import KeyDealQuiet, Said
from bot.views.common import as_entered, context_block, section


def key_deal_quiet(notice: KeyDealQuiet) -> list[Call]:
    """A DM to one manager, once per quiet spell of the deal."""
    deal = " · ".join(
        [
            f"`#{notice.deal_number}` *{escape_mrkdwn(notice.customer)}*",
            as_entered(notice.amount, notice.currency, notice.value),
            escape_mrkdwn(shown_label(notice.stage_key, notice.stage_label)),
            f"<@{notice.owner_user_id}>",
        ]
    )
    close = (
        _("It closes {date}.").format(date=day(notice.close_date))
        if notice.close_date is not None
        else _("It has no close date.")
    )
    text = ":zzz: " + ngettext(
        "Key deal {deal} has had no change for {days} day (since {date}). {close}",
        "Key deal {deal} has had no change for {days} days (since {date}). {close}",
        notice.quiet_days,
    ).format(deal=deal, days=notice.quiet_days, date=day(notice.quiet_since), close=close)
    hint = _("`/deal show #{number}` tells its history; its next change ends the quiet.").format(
        number=notice.deal_number
    )
    payload = {
        "channel": notice.manager_user_id,
        "text": text,
        "blocks": [section(text), context_block(hint)],
    }
    key = f"key-deal:{notice.deal_id}:{notice.quiet_since.isoformat()}:{notice.manager_user_id}"
    return [Call("chat.postMessage", payload, key)]


KEY_DEAL_RENDERERS: dict[type[Said], Callable[[Any], list[Call]]] = {
    KeyDealQuiet: key_deal_quiet,
}
