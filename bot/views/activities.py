"""Activities in words: `/log`'s replies, its usage, a team's kinds and points, the Log form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain import activities as rules
from bot.domain.text import Mrkdwn, Plain, cut_plain, escape_mrkdwn
from bot.i18n import N_, _, current, ngettext
from bot.results.activities import KindShown, KindsListed, Logged, Unlogged
from bot.views.common import Message, context_block, ephemeral, section

LOG_CALLBACK = "log_activity"
# The form's fields (bot.domain.payloads.LOG_FORM reads them back); each input's action id is
# "value", as in every form.
KIND_BLOCK, COUNT_BLOCK, NOTE_BLOCK = "kind", "count", "note"

# The default kinds' names, one and several, in the current language.
_DEFAULT_NAMES: dict[str, tuple[str, str]] = {
    "call": (N_("call"), N_("calls")),
    "meeting": (N_("meeting"), N_("meetings")),
    "demo": (N_("demo"), N_("demos")),
    "email": (N_("email"), N_("emails")),
    "visit": (N_("visit"), N_("visits")),
}


def kind_name(key: str, count: int = 2, alias: str | None = None) -> Plain:
    """A kind as people read it: `calls`, `电话`; a team's own kind by its name (its second
    name in Chinese when it has one that is not ASCII). Raw text: escape it for mrkdwn."""
    if current() == "zh" and alias and not alias.isascii():
        return alias
    if key in _DEFAULT_NAMES:
        one, several = _DEFAULT_NAMES[key]
        return _(one) if count == 1 else _(several)
    if current() == "zh" or count == 1 or key.endswith("s"):
        return key
    return key + "s"


def counted(count: int, key: str, alias: str | None = None) -> Plain:
    """`5 calls`, `1 call`, `5 电话` (raw text)."""
    return f"{count} {kind_name(key, count, alias)}"


def log_help() -> Message:
    """`/log` alone or `/log help`."""
    lines = [
        _("*Log what you did:* calls, meetings, demos, emails, visits — or your team's kinds."),
        "• " + rules.USAGE["log"],
        "• " + _("In Chinese: `/log 电话 #12 问了报价`, `/log 3 拜访`"),
        "• " + rules.USAGE["undo"],
        "• "
        + _(
            "Each counts towards targets on its kind (`/target set @li 40 calls week`) and on "
            "`points`; `/salesbot activities` lists the kinds and `/salesbot points` their points."
        ),
    ]
    return ephemeral(lines[0], [section("\n".join(lines))])


def logged(result: Logged) -> Message:
    """`:white_check_mark: Logged 2 calls on #12 Acme (+2 points). Today: 5 calls, 11 points.`"""
    what = escape_mrkdwn(counted(result.count, result.kind.key, result.kind.alias))
    if result.count == 0:
        text = _("That form was already submitted: nothing more was logged.")
        return ephemeral(text, [section(text)])
    if result.deal is not None:
        head = _("Logged {what} on `#{number}` *{customer}*").format(
            what=what, number=result.deal.number, customer=escape_mrkdwn(result.deal.customer)
        )
    else:
        head = _("Logged {what}").format(what=what)
    gained = ngettext("+{points} point", "+{points} points", result.points).format(
        points=result.points
    )
    text = f":white_check_mark: {head} ({gained})."
    if result.note:
        text += "\n> " + escape_mrkdwn(result.note)
    today = _("Today: {what}, {points}.").format(
        what=escape_mrkdwn(counted(result.today_count, result.kind.key, result.kind.alias)),
        points=ngettext("{points} point", "{points} points", result.today_points).format(
            points=result.today_points
        ),
    )
    return ephemeral(
        text, [section(text), context_block(today + " " + _("`/log undo` takes it back."))]
    )


def unlogged(result: Unlogged) -> Message:
    """`:rewind: Took back 2 calls on #12 Acme; *Target hit* was taken back.`"""
    what = escape_mrkdwn(counted(result.count, result.kind.key, result.kind.alias))
    if result.deal is not None:
        text = _("Took back {what} on `#{number}` *{customer}*").format(
            what=what, number=result.deal.number, customer=escape_mrkdwn(result.deal.customer)
        )
    else:
        text = _("Took back {what}").format(what=what)
    if result.rewards:
        names = ", ".join(f"*{escape_mrkdwn(name)}*" for name in result.rewards)
        text += "; " + ngettext(
            "{names} was taken back", "{names} were taken back", len(result.rewards)
        ).format(names=names)
    text = f":rewind: {text}."
    return ephemeral(text, [section(text)])


def render(result: Logged | Unlogged) -> Message:
    """The reply to `/log`."""
    return logged(result) if isinstance(result, Logged) else unlogged(result)


def _kind_line(kind: KindShown) -> Mrkdwn:
    name = escape_mrkdwn(kind.key)
    if kind.alias:
        name += " / " + escape_mrkdwn(kind.alias)
    points = ngettext("{points} point", "{points} points", kind.points).format(points=kind.points)
    return f"• *{name}* · {points}"


def kinds_listed(result: KindsListed) -> Mrkdwn:
    """A team's kinds and points, after what a manager changed."""
    team = escape_mrkdwn(result.team_name)
    kind = escape_mrkdwn(result.kind or "")
    head = {
        "added": ":white_check_mark: "
        + _("{team} logs *{kind}* now.").format(team=team, kind=kind),
        "removed": ":white_check_mark: "
        + _("{team} no longer logs *{kind}*; what was logged of it stays.").format(
            team=team, kind=kind
        ),
        "points": ":white_check_mark: " + _("{team}'s points are set.").format(team=team),
        "": _("*{team} logs these activities:*").format(team=team),
    }[result.changed]
    if result.took is not None:
        head += " " + _("“{word}” means {kind} now (it meant {other}).").format(
            word=escape_mrkdwn(result.took[0]), kind=kind, other=escape_mrkdwn(result.took[1])
        )
    lines = [head, *(_kind_line(k) for k in result.kinds)]
    if not result.kinds:
        lines.append(_("No kinds: add one with `/salesbot activities add call`."))
    lines.append(
        _("Log one with `/log call`; managers set points with `/salesbot points call 1 demo 5`.")
    )
    return "\n".join(lines)


def log_modal(
    kinds: Sequence[KindShown], *, metadata: str, customer: str, number: int
) -> dict[str, Any]:
    """The Log form App Home's button opens for a deal: kind, count, note."""
    options = [
        {
            "text": {"type": "plain_text", "text": cut_plain(kind_name(k.key, 1, k.alias), 75)},
            "value": k.key,
        }
        for k in kinds[:100]
    ]
    title = _("Log on #{number} {customer}").format(number=number, customer=customer)
    return {
        "type": "modal",
        "callback_id": LOG_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": cut_plain(_("Log an activity"), 24)},
        "submit": {"type": "plain_text", "text": cut_plain(_("Log"), 24)},
        "close": {"type": "plain_text", "text": cut_plain(_("Cancel"), 24)},
        "blocks": [
            {
                "type": "context",
                "elements": [{"type": "plain_text", "text": cut_plain(title, 2000)}],
            },
            {
                "type": "input",
                "block_id": KIND_BLOCK,
                "label": {"type": "plain_text", "text": cut_plain(_("What"), 2000)},
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": options,
                    **({"initial_option": options[0]} if options else {}),
                },
            },
            {
                "type": "input",
                "block_id": COUNT_BLOCK,
                "label": {"type": "plain_text", "text": cut_plain(_("How many"), 2000)},
                "element": {
                    "type": "number_input",
                    "action_id": "value",
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": str(rules.COUNT_LIMIT),
                    "initial_value": "1",
                },
            },
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": cut_plain(_("Note"), 2000)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": rules.NOTE_LIMIT,
                },
            },
        ],
    }
