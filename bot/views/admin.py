"""Replies to /salesbot: pure functions from admin results to Slack messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.domain import admin_command as cmd
from bot.domain.deal_fields import MAX_FIELDS, Choice, DealField
from bot.domain.text import Mrkdwn, escape_mrkdwn, escape_mrkdwn_within
from bot.i18n import _, current, money, ngettext, use_language
from bot.results.activities import KindsListed
from bot.results.admin import (
    AddedToTeam,
    CurrencyAlreadyChanged,
    CurrencyChange,
    CurrencySet,
    FieldAdded,
    FieldRemoved,
    FieldsListed,
    FxRateSet,
    FxRatesListed,
    KeyDealSetting,
    LanguageSet,
    LanguageShown,
    ManagerChanged,
    ManagersListed,
    RemovedFromTeam,
    Result,
    StageAdded,
    StageRenamed,
    StageReweighted,
    StagesListed,
    StaleDaysSet,
    TeamListed,
    TeamSetUp,
)
from bot.results.forecast import ForecastMapped, ForecastMapping
from bot.views import forecast as forecast_views
from bot.views.activities import kinds_listed
from bot.views.common import Message, context_block, ephemeral, refusal, section
from bot.views.deals import pack_lines
from bot.views.metrics import goal_text

CURRENCY_CONFIRM_ACTION = "salesbot_currency_confirm"
# Targets listed in a currency switch's message; the rest are counted.
TARGETS_LISTED = 15
# A field's choices as its line shows them (50 choices of 30 characters, escaped, may not fit).
CHOICES_LIMIT = 2800


def usage() -> Message:
    """`/salesbot help`: every form of the command."""
    return ephemeral(
        _("How to use /salesbot"),
        [section("\n".join(f"• {usage}" for usage in cmd.USAGE.values()))],
    )


def parse_error(error: cmd.AdminError) -> Message:
    """What was wrong with the typed command, and the right form."""
    return refusal(error.mrkdwn(), error.usage)


def setting_up() -> Message:
    """The acknowledgement of `/salesbot setup` while the channel's members are read."""
    return ephemeral(":hourglass_flowing_sand: " + _("Setting up this channel as a sales team…"))


def channel_unreadable() -> Message:
    """Slack would not tell us the channel's members (most often: the bot is not in it)."""
    return refusal(
        _(
            "I could not read this channel's members. Invite me first (`/invite @Salesbot`), "
            "then run `/salesbot setup` again."
        )
    )


def render(result: Result) -> Message:
    """The reply for any /salesbot result."""
    if isinstance(result, CurrencyChange):
        return currency_change(result)
    if isinstance(result, FieldsListed | FieldAdded | FieldRemoved):
        lines = field_lines(result)
        return ephemeral(lines[0], pack_lines(lines))
    if isinstance(result, KindsListed):
        text = kinds_listed(result)
        return ephemeral(text.split("\n", 1)[0], pack_lines(text.split("\n")))
    text = reply_text(result)
    return ephemeral(text, [section(text)])


def _rate(value: Decimal) -> str:
    return f"{value.normalize():f}"


def currency_change(result: CurrencyChange) -> Message:
    """A currency switch: what it converts, with Confirm (proposed) or what it did (done)."""
    team = escape_mrkdwn(result.team_name)
    old, new = result.old_currency, result.new_currency
    values = {"team": team, "old": old, "new": new, "rate": _rate(result.rate)}
    if result.done:
        head = ":white_check_mark: " + _(
            "{team} now reports in {new}, converted at 1 {old} = {rate} {new}. Every target "
            "shows the percentage it had."
        ).format(**values)
    else:
        head = ":currency_exchange: " + _(
            "*Switch {team} from {old} to {new} at 1 {old} = {rate} {new}?* This is what "
            "will change:"
        ).format(**values)
    blocks: list[dict[str, Any]] = [section(head)]
    if result.targets:
        blocks += pack_lines([_("*Targets*"), *_target_lines(result)])
    blocks.append(section("\n".join([_("*Exchange rates*"), *_rate_lines(result)])))
    if result.bonuses:
        lines = [
            f"• {escape_mrkdwn(b.name)}: {money(b.old_bonus, old)} → {money(b.new_bonus, new)}"
            for b in result.bonuses
        ]
        blocks += pack_lines([_("*Reward bonuses*"), *lines])
    if result.key_deal is not None:
        before, after = result.key_deal
        blocks.append(
            section(
                _("*Key deals* (`/salesbot keydeal`): {old} → {new}").format(
                    old=money(before, old, short=False), new=money(after, new, short=False)
                )
            )
        )
    if result.deals:
        counts = ", ".join(
            ngettext("{count} in {currency}", "{count} in {currency}", count).format(
                count=count, currency=currency
            )
            for currency, count in result.deals
        )
        blocks.append(
            context_block(
                _(
                    "Deals keep the amounts and currencies they were entered in and count "
                    "through these rates: {counts}."
                ).format(counts=counts)
            )
        )
    if not result.done:
        blocks.append(context_block(_("Nothing changes until you press Confirm.")))
        blocks.append(_confirm_button(result))
    return ephemeral(head, blocks)


def _target_lines(result: CurrencyChange) -> list[str]:
    lines = []
    for item in result.targets[:TARGETS_LISTED]:
        who = f"<@{item.member.slack_user_id}>" if item.member else _("the team")
        goal = goal_text(item.target.metric, item.period.label(current()))
        lines.append(
            "• "
            + _("{who} · {goal}: {old} → {new}").format(
                who=who,
                goal=goal,
                old=money(item.old_amount, result.old_currency),
                new=money(item.new_amount, result.new_currency),
            )
        )
    hidden = len(result.targets) - TARGETS_LISTED
    if hidden > 0:
        lines.append(
            ngettext("…and {count} more target", "…and {count} more targets", hidden).format(
                count=hidden
            )
        )
    return lines


def _rate_lines(result: CurrencyChange) -> list[str]:
    old, new = result.old_currency, result.new_currency
    lines = []
    for row in result.rates:
        if row.old_rate is None and row.new_rate is not None:
            lines.append(
                "• "
                + _("1 {currency} = {rate} {new}, new: deals in {currency} keep counting").format(
                    currency=row.currency, rate=_rate(row.new_rate), new=new
                )
            )
        elif row.new_rate is None and row.old_rate is not None:
            lines.append(
                "• "
                + _("1 {currency} = {rate} {old}: dropped, {currency} is the team currency").format(
                    currency=row.currency, rate=_rate(row.old_rate), old=old
                )
            )
        elif row.old_rate is not None and row.new_rate is not None:
            lines.append(
                f"• 1 {row.currency} = {_rate(row.old_rate)} {old} → "
                f"1 {row.currency} = {_rate(row.new_rate)} {new}"
            )
    return lines


def _confirm_button(result: CurrencyChange) -> dict[str, Any]:
    value = json.dumps(
        {
            "t": result.team_id,
            "o": result.old_currency,
            "n": result.new_currency,
            "r": str(result.rate),
            "k": result.key,
        },
        separators=(",", ":"),
    )
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "style": "primary",
                "action_id": CURRENCY_CONFIRM_ACTION,
                "text": {"type": "plain_text", "text": _("Confirm")},
                "value": value,
            }
        ],
    }


def currency_button_expired() -> Message:
    """A currency switch's Confirm button whose state no longer reads."""
    return refusal(_("That button has expired; run `/salesbot currency` again."))


def reply_text(result: Result) -> str:
    """The mrkdwn of a /salesbot reply (names managers or channels chose are escaped)."""
    match result:
        case TeamSetUp():
            return team_set_up(result)
        case TeamListed():
            return f"*{escape_mrkdwn(result.team_name)}* ({len(result.member_user_ids)}): " + (
                _people(result.member_user_ids) or _("nobody yet")
            )
        case AddedToTeam():
            return added_to_team(result)
        case RemovedFromTeam():
            person, team = f"<@{result.user_id}>", escape_mrkdwn(result.team_name)
            if not result.removed:
                return _("{person} is not in {team}.").format(person=person, team=team)
            return _("Removed {person} from {team}. Their deals stay theirs.").format(
                person=person, team=team
            )
        case ManagerChanged():
            return manager_changed(result)
        case ManagersListed():
            return _("Managers: {people}").format(
                people=_people(result.user_ids) or _("only Slack workspace admins and owners")
            )
        case StagesListed():
            return stages(result)
        case StageAdded():
            added = _("Added the stage *{stage}* ({percent}%).").format(
                stage=escape_mrkdwn(result.label), percent=_percent(result)
            )
            return added + "\n" + stages(StagesListed(result.stages))
        case StageReweighted():
            return _("{stage} is now {percent}%.").format(
                stage=escape_mrkdwn(result.label), percent=_percent(result)
            )
        case StageRenamed():
            return _("Renamed {old} to {new}.").format(
                old=escape_mrkdwn(result.old_label), new=escape_mrkdwn(result.new_label)
            )
        case CurrencySet(already=True):
            return _("{team} already reports in {code}.").format(
                team=escape_mrkdwn(result.team_name), code=result.currency
            )
        case CurrencySet():
            return _("{team} now reports in {code}. New deals default to {code}.").format(
                team=escape_mrkdwn(result.team_name), code=result.currency
            )
        case CurrencyAlreadyChanged():
            return _("Already done: {team} reports in {code}. Nothing changed.").format(
                team=escape_mrkdwn(result.team_name), code=result.currency
            )
        case CurrencyChange():
            return currency_change(result)["text"]  # type: ignore[no-any-return]
        case KeyDealSetting():
            return key_deal_setting(result)
        case StaleDaysSet():
            return ngettext(
                "Deals with no update for {days} day now count as stale.",
                "Deals with no update for {days} days now count as stale.",
                result.days,
            ).format(days=result.days)
        case FxRateSet():
            return _("1 {currency} = {rate} {team_currency} for {team}.").format(
                currency=result.rate.currency,
                rate=f"{result.rate.rate:f}",
                team_currency=result.team_currency,
                team=escape_mrkdwn(result.team_name),
            )
        case FxRatesListed():
            lines = [
                f"1 {r.currency} = {r.rate.normalize():f} {result.team_currency}"
                for r in result.rates
            ]
            return "\n".join(lines) or _(
                "No exchange rates yet: deals must be in {currency}. Add one with "
                "`/salesbot fx EUR 7.8`."
            ).format(currency=result.team_currency)
        case FieldsListed() | FieldAdded() | FieldRemoved():
            return "\n".join(field_lines(result))
        case ForecastMapping():
            return forecast_views.mapping_text(result)
        case ForecastMapped():
            return forecast_views.mapped_text(result)
        case KindsListed():
            return kinds_listed(result)
        case LanguageShown():
            return _("Your language is {language}.").format(language=result.language)
        case LanguageSet():
            # Said in the language just chosen.
            with use_language(result.language):
                if result.workspace:
                    return _("Done: the workspace's default language is English now.")
                return _("Done: Salesbot speaks English to you now.")


def key_deal_setting(result: KeyDealSetting) -> str:
    """`/salesbot keydeal`: the size and quiet days, or that the alerts are off."""
    team = escape_mrkdwn(result.team_name)
    if result.size is None:
        text = _(
            "Key-deal alerts are off for {team}. Turn them on with `/salesbot keydeal 100k`."
        ).format(team=team)
        return (":white_check_mark: " + text) if result.changed else text
    text = ngettext(
        "Key deals of {team}: open deals of {size} or more with no change for {days} day are "
        "told to the managers by DM, once each time one goes quiet.",
        "Key deals of {team}: open deals of {size} or more with no change for {days} days are "
        "told to the managers by DM, once each time one goes quiet.",
        result.days,
    ).format(
        team=team,
        size=money(result.size.amount, result.size.currency, short=False),
        days=result.days,
    )
    return (":white_check_mark: " + text) if result.changed else text


def team_set_up(result: TeamSetUp) -> str:
    """What setup did, and what to do next."""
    channel = f"#{escape_mrkdwn(result.team_name)}"
    head = (
        _("{channel} is now a sales team.")
        if result.created
        else _("{channel} was already a sales team; members refreshed.")
    ).format(channel=channel)
    people = _people(result.member_user_ids) or _("nobody yet")
    return "\n".join(
        (
            f":white_check_mark: {head}",
            _("Members ({count}): {people}").format(
                count=len(result.member_user_ids), people=people
            ),
            _("Currency {currency} · time zone {zone} · members refresh daily.").format(
                currency=result.currency, zone=result.timezone
            ),
            _(
                "Next: record deals with `/deal add Acme 12k`, name managers with "
                "`/salesbot managers add @person`."
            ),
        )
    )


def added_to_team(result: AddedToTeam) -> str:
    """A member put into a team, or already in it."""
    person, team = f"<@{result.user_id}>", escape_mrkdwn(result.team_name)
    if result.already:
        return _("{person} is already in {team}.").format(person=person, team=team)
    if result.moved:
        return _("Added {person} to {team}. (They left their previous team.)").format(
            person=person, team=team
        )
    return _("Added {person} to {team}.").format(person=person, team=team)


def manager_changed(result: ManagerChanged) -> str:
    """A manager named or un-named, or why nothing changed."""
    person = f"<@{result.user_id}>"
    if result.slack_admin:
        return _("{person} is a Slack workspace admin, so always a manager.").format(person=person)
    if not result.changed:
        text = (
            _("{person} is already a manager.")
            if result.manager
            else _("{person} is not a manager.")
        )
    else:
        text = (
            _("{person} is now a manager.")
            if result.manager
            else _("{person} is no longer a manager.")
        )
    return text.format(person=person)


def stages(result: StagesListed) -> str:
    """The stages with their probabilities, one a line."""
    kinds = {"won": _("won"), "lost": _("lost")}
    lines = [
        f"{s.position}. *{escape_mrkdwn(s.label)}* `{s.key}` {s.probability * 100:.0f}%"
        + ("" if s.kind == "open" else f" ({kinds.get(s.kind, s.kind)})")
        for s in result.stages
    ]
    return _("*Stages*") + "\n" + "\n".join(lines)


def field_lines(result: FieldsListed | FieldAdded | FieldRemoved) -> list[Mrkdwn]:
    """What a fields command did (if anything), then the team's deal fields, one a line."""
    team = escape_mrkdwn(result.team_name)
    lines = []
    if isinstance(result, FieldAdded):
        lines.append(
            ":white_check_mark: "
            + _("Added the deal field *{field}* to {team}.").format(
                field=escape_mrkdwn(result.added.name), team=team
            )
        )
    if isinstance(result, FieldRemoved):
        lines.append(
            ngettext(
                "Removed the deal field *{field}* from {team}, and its value on {count} deal.",
                "Removed the deal field *{field}* from {team}, and its values on {count} deals.",
                result.values,
            ).format(field=escape_mrkdwn(result.name), team=team, count=result.values)
        )
    return lines + deal_fields(result.team_name, result.fields)


def deal_fields(team_name: str, fields: Sequence[DealField]) -> list[Mrkdwn]:
    """A team's deal fields, one a line: name (alias) and choices, or free text."""
    head = _("*Deal fields of {team}* ({count} of {most})").format(
        team=escape_mrkdwn(team_name), count=len(fields), most=MAX_FIELDS
    )
    if not fields:
        return [
            head,
            _(
                "None yet. Add one, e.g. `/salesbot fields add industry retail,finance` or "
                "`/salesbot fields add region`; reps then type "
                "`/deal add Acme 12k industry:retail`."
            ),
        ]
    lines = [
        f"{n}. *{escape_mrkdwn(field.name)}*"
        + (f" ({escape_mrkdwn(field.alias)})" if field.alias else "")
        + ": "
        + (_choices(field.choices) if field.choices else _("free text"))
        for n, field in enumerate(fields, start=1)
    ]
    example = fields[0].name + ":" + (fields[0].choices[0].value if fields[0].choices else "…")
    usage = _("Give one to a deal: `/deal add Acme 12k {example}`, `/deal #12 {example}`.").format(
        example=escape_mrkdwn_within(example, 100)
    )
    return [head, *lines, usage]


def _choices(choices: Sequence[Choice]) -> Mrkdwn:
    """`retail (零售), finance (金融)`, escaped and cut to fit a section with its field."""
    text = ", ".join(f"{c.value} ({c.alias})" if c.alias else c.value for c in choices)
    return escape_mrkdwn_within(text, CHOICES_LIMIT)


def _people(user_ids: Sequence[str]) -> str:
    return ", ".join(f"<@{user_id}>" for user_id in user_ids)


def _percent(result: StageAdded | StageReweighted) -> str:
    return f"{result.probability * 100:.0f}"
