"""The App Home tab: at most 100 blocks, the member's deals paged ten at a time."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.text import cut_plain, escape_mrkdwn, escape_mrkdwn_within
from bot.i18n import N_, _, day
from bot.results.home import Home
from bot.views.common import context_block, section
from bot.views.contests import home_lines as contest_lines
from bot.views.deals import deal_line
from bot.views.targets import board_lines, progress_block

MAX_BLOCKS = 100
ADVANCE = "home_advance"
WON = "home_won"
LOST = "home_lost"
EDIT = "home_edit"
NEW_DEAL = "home_new_deal"
CHECK_IN = "home_check_in"
PAGE = "home_page"
LOG = "home_log"
# The values of the buttons that always say the same (read back by bot.domain.payloads).
NEW_DEAL_VALUE = "new"
CHECK_IN_VALUE = "check-in"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def home_view(home: Home) -> dict[str, Any]:
    """The home tab for one member."""
    name = escape_mrkdwn(home.member.name or _("there"))
    blocks: list[dict[str, Any]] = [
        _header(_("Hi {name}").format(name=home.member.name or _("there")) + " 👋"),
        {
            "type": "actions",
            "elements": [
                _button(_("New deal"), NEW_DEAL, NEW_DEAL_VALUE, "primary"),
                *(
                    [_button(_("Check in"), CHECK_IN, CHECK_IN_VALUE)]
                    if home.checked_in is False
                    else []
                ),
            ],
        },
    ]
    blocks += _check_in(home)
    blocks += _targets(home)
    blocks += _deals(home)
    if home.top is not None and home.top.lines:
        blocks += [_header(_("Team · top five")), section("\n".join(board_lines(home.top)[:5]))]
    if home.contests:
        blocks += [_header(_("Contests")), section("\n".join(contest_lines(home.contests)))]
    if home.manager is not None:
        blocks += _manager(home)
    if home.team_name is None:
        blocks.append(
            context_block(
                _(
                    "{name}, you are not in a sales team yet: a manager can run `/salesbot setup` "
                    "in the team's channel."
                ).format(name=name)
            )
        )
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def _check_in(home: Home) -> list[dict[str, Any]]:
    if home.checked_in is None:
        return []
    text = (
        ":white_check_mark: " + _("You have checked in today.")
        if home.checked_in
        else ":sunrise: " + _("You have not checked in today.")
    )
    return [context_block(text)]


def _targets(home: Home) -> list[dict[str, Any]]:
    if not home.targets:
        return []
    return [
        _header(_("Your targets")),
        *(section(progress_block(t, home.currency)) for t in home.targets[:5]),
    ]


def _deals(home: Home) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_header(_("Your open deals, closing soonest"))]
    if not home.deals:
        return [
            *blocks,
            section(_("No open deals. Press *New deal* or type `/deal add Acme 12k`.")),
        ]
    for row in home.deals:
        number = str(row.deal.number)
        buttons = [
            *(
                [_button(cut_plain(f"→ {home.next_stage[row.deal.number]}", 75), ADVANCE, number)]
                if row.deal.number in home.next_stage
                else []
            ),
            _button(_("Won"), WON, number, "primary"),
            _button(_("Lost"), LOST, number, "danger"),
            _button(_("Edit"), EDIT, number),
            _button(_("Log"), LOG, number),
        ]
        blocks += [
            section(deal_line(row, with_owner=False)),
            {"type": "actions", "elements": buttons},
        ]
    pager = []
    if home.page > 0:
        pager.append(_button("← " + _("Previous"), PAGE, json.dumps({"page": home.page - 1})))
    if home.more_deals:
        pager.append(_button(_("Next") + " →", PAGE, json.dumps({"page": home.page + 1})))
    if pager:
        blocks.append({"type": "actions", "elements": pager})
    return blocks


def _manager(home: Home) -> list[dict[str, Any]]:
    manager = home.manager
    assert manager is not None
    blocks: list[dict[str, Any]] = [_header(_("Team"))]
    if manager.team_target is not None:
        blocks.append(section(progress_block(manager.team_target, home.currency)))
    else:
        blocks.append(context_block(_("No team target this month: `/target set team 500k`.")))
    if manager.blockers:
        lines = [f"• <@{b.user_id}>: {escape_mrkdwn_within(b.text, 300)}" for b in manager.blockers]
        blocks.append(
            section(":rotating_light: " + _("*Today's blockers*") + "\n" + "\n".join(lines))
        )
    if manager.stale:
        lines = [
            f"• `#{d.number}` *{escape_mrkdwn(d.customer)}* <@{d.owner_user_id}> · "
            + _("{days}d idle").format(days=d.idle_days)
            for d in manager.stale
        ]
        blocks.append(section(":hourglass: " + _("*Stale deals*") + "\n" + "\n".join(lines)))
    if manager.unreachable:
        lines = [
            f"• <@{u.user_id}> · {unreachable_reason(u.reason)} · {day(u.at.date())}"
            for u in manager.unreachable
        ]
        blocks.append(
            section(":no_entry: " + _("*Messages Slack refused*") + "\n" + "\n".join(lines))
        )
    return blocks


# Slack's errors for a person a message cannot reach, as a manager would say them.
_UNREACHABLE = {
    "user_disabled": N_("their Slack account is deactivated"),
    "account_inactive": N_("their Slack account is deactivated"),
    "user_not_found": N_("Slack does not know them"),
    "cannot_dm_bot": N_("a bot cannot get DMs"),
}


def unreachable_reason(code: str) -> str:
    """Why a message could not reach someone, in words (Slack's code when it is a rare one)."""
    return _(_UNREACHABLE[code]) if code in _UNREACHABLE else f"`{escape_mrkdwn(code)}`"
