"""The `/salesbot` grammar: team setup, membership, managers, stages, deal fields and team
settings.

Refusals are a ParseError (bot.domain.grammar; AdminError is the same class).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeAlias

from bot.domain import deal_fields
from bot.domain.crm import LIVE_CRMS
from bot.domain.deal_fields import Choice
from bot.domain.grammar import ParseError, closest, did_you_mean
from bot.domain.lexer import Token, lex
from bot.domain.text import TextTooLongError, clean_text, parse_mention
from bot.i18n import N_, Texts, _

# Read in the current language: `USAGE["fx"]` is translated when it is read.
USAGE = Texts(
    {
        "setup": N_(
            "`/salesbot setup [currency]` in a channel makes it a sales team — e.g. "
            "`/salesbot setup CNY`"
        ),
        "team": N_(
            "`/salesbot team add @person` / `/salesbot team remove @person` / `/salesbot team`"
        ),
        "managers": N_(
            "`/salesbot managers add @person` / `/salesbot managers remove @person` / "
            "`/salesbot managers`"
        ),
        "stages": N_(
            "`/salesbot stages` lists them; `/salesbot stages add demo 40%`, "
            "`/salesbot stages set proposal 60%`, `/salesbot stages rename qualified Discovery`"
        ),
        "currency": N_(
            "`/salesbot currency EUR 0.128` sets the team's reporting currency: 1 of the "
            "current one is worth 0.128 EUR (the rate converts targets and exchange rates; "
            "without deals, targets or rates, `/salesbot currency EUR` is enough)"
        ),
        "stale": N_("`/salesbot stale 21` sets after how many idle days a deal counts as stale"),
        "keydeal": N_(
            "`/salesbot keydeal 100k`: open deals of 100k or more with no change for 14 days "
            "are told to the managers; `/salesbot keydeal days 10` sets the days, "
            "`/salesbot keydeal off` stops it, `/salesbot keydeal` shows the setting"
        ),
        "fx": N_(
            "`/salesbot fx EUR 7.8`: one EUR is worth 7.8 of the team currency; `/salesbot fx` "
            "lists the rates"
        ),
        "language": N_(
            "`/salesbot language zh|en` for yourself; managers: "
            "`/salesbot language workspace zh|en` for everyone's default"
        ),
        "crm": N_(
            "`/salesbot crm` shows the team's CRM sync; "
            "`/salesbot crm connect hubspot|pipedrive|zoho`, "
            "`/salesbot crm disconnect`, `/salesbot crm stages`, "
            "`/salesbot crm stages Contract Sent=negotiation`"
        ),
        "fields": N_(
            "`/salesbot fields` lists the team's deal fields (up to five); "
            "`/salesbot fields add industry/行业 retail/零售,finance/金融` adds one with fixed "
            "choices (each name may have a second one after /), `/salesbot fields add region` "
            "one of free text, `/salesbot fields remove region` removes one and its values"
        ),
        "wallboard": N_(
            "`/salesbot wallboard` (managers) gives a secret link that shows the team's board "
            "on an office TV; a new one replaces the old link, `/salesbot wallboard revoke` "
            "stops it — e.g. `/salesbot 大屏`"
        ),
        "activities": N_(
            "`/salesbot activities` lists the kinds of activity the team logs; managers: "
            '`/salesbot activities add "site visit" 拜访 3` adds one (a second name and its '
            "points are optional), `/salesbot activities remove email` removes one"
        ),
        "points": N_(
            "`/salesbot points` shows each kind's points; managers: "
            "`/salesbot points call 1 meeting 3 demo 5` sets them (whole numbers, 0 to 1000)"
        ),
        "forecast": N_(
            "`/salesbot forecast` shows each stage's forecast category; managers: "
            "`/salesbot forecast negotiation commit` puts a stage's deals in commit, best case, "
            "pipeline or omitted (`auto`: back to the default) — e.g. `/salesbot 预测 谈判 承诺`"
        ),
    }
)

# Chinese (and a few English) words for the verbs and actions.
VERB_ALIASES = {
    "设置": "setup",
    "建立": "setup",
    "团队": "team",
    "成员": "team",
    "manager": "managers",
    "经理": "managers",
    "管理员": "managers",
    "stage": "stages",
    "阶段": "stages",
    "货币": "currency",
    "币种": "currency",
    "停滞": "stale",
    "key": "keydeal",
    "keydeals": "keydeal",
    "关键商机": "keydeal",
    "关键": "keydeal",
    "大单": "keydeal",
    "汇率": "fx",
    "lang": "language",
    "语言": "language",
    "field": "fields",
    "字段": "fields",
    "预测": "forecast",
    "客户管理": "crm",
    "board": "wallboard",
    "大屏": "wallboard",
    "看板": "wallboard",
    "activity": "activities",
    "kinds": "activities",
    "活动": "activities",
    "活动类型": "activities",
    "point": "points",
    "积分": "points",
    "分值": "points",
}
_REVOKE = frozenset({"revoke", "off", "stop", "撤销", "收回", "关闭"})
_CRM_ACTIONS = {
    "connect": "connect",
    "连接": "connect",
    "接入": "connect",
    "disconnect": "disconnect",
    "断开": "disconnect",
    "stages": "stages",
    "stage": "stages",
    "阶段": "stages",
}
_ACTIONS = {
    "list": "list",
    "列表": "list",
    "add": "add",
    "添加": "add",
    "新增": "add",
    "remove": "remove",
    "删除": "remove",
    "移除": "remove",
    "set": "set",
    "设置": "set",
    "设定": "set",
    "rename": "rename",
    "重命名": "rename",
    "改名": "rename",
}

_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_STAGE_KEY = re.compile(r"[a-z][a-z0-9_-]{1,39}")


@dataclass(frozen=True)
class Help:
    """Show the /salesbot usage."""


@dataclass(frozen=True)
class Setup:
    """Make the current channel a sales team."""

    currency: str | None


@dataclass(frozen=True)
class TeamChange:
    """Add or remove a member, or list the team."""

    action: Literal["add", "remove", "list"]
    user_id: str | None


@dataclass(frozen=True)
class ManagerChange:
    """Name or un-name a manager, or list them."""

    action: Literal["add", "remove", "list"]
    user_id: str | None


@dataclass(frozen=True)
class Stages:
    """List, add, re-weight or rename stages."""

    action: Literal["list", "add", "set", "rename"]
    stage: str | None = None
    probability: Decimal | None = None
    label: str | None = None


@dataclass(frozen=True)
class Currency:
    """Set the team's reporting currency; `rate`: how much of it one unit of the current
    currency is worth (None: not given)."""

    code: str
    rate: Decimal | None = None


@dataclass(frozen=True)
class StaleDays:
    """Set the team's stale threshold."""

    days: int


@dataclass(frozen=True)
class KeyDeal:
    """Show (`show`), size (`amount_text`, read in the team currency), quiet days or switch off
    the team's key-deal alerts."""

    action: Literal["show", "size", "days", "off"]
    amount_text: str = ""
    days: int = 0


# The old name of the refusal type, still imported by the /salesbot handler.
AdminError = ParseError


@dataclass(frozen=True)
class Fx:
    """Set an exchange rate into the team currency (rate None: list the rates)."""

    currency: str | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class Forecast:
    """Show the stages' forecast categories, or put one stage's deals in a category (checked
    by the service: stage names and category words are the team's and the forecast's)."""

    stage: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Fields:
    """List, add or remove a team's deal fields (names folded; choices as written)."""

    action: Literal["list", "add", "remove"]
    name: str | None = None
    alias: str | None = None
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Activities:
    """List, add or remove the team's activity kinds (names as typed; the service folds)."""

    action: Literal["list", "add", "remove"]
    name: str | None = None
    alias: str | None = None
    points: int | None = None


@dataclass(frozen=True)
class Points:
    """Show the kinds' points, or set some: (kind as typed, points)."""

    points: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Language:
    """Set a language for oneself, or the workspace's default (None: show)."""

    language: str | None
    workspace: bool = False


@dataclass(frozen=True)
class Crm:
    """The team's CRM sync: show it, connect (a form opens), disconnect, or its stages
    (`mapping`: a CRM stage and the Salesbot stage to map it to)."""

    action: Literal["show", "connect", "disconnect", "stages"]
    crm: str | None = None
    mapping: tuple[str, str] | None = None


@dataclass(frozen=True)
class Wallboard:
    """Hand out a new board link for the team's TV (`new`), or revoke it."""

    action: Literal["new", "revoke"]


AdminCommand: TypeAlias = (
    Help
    | Setup
    | TeamChange
    | ManagerChange
    | Stages
    | Currency
    | StaleDays
    | KeyDeal
    | Fx
    | Language
    | Forecast
    | Fields
    | Crm
    | Wallboard
    | Activities
    | Points
)


STALE_MAX_DAYS = 365
_KEY_DEAL_DAYS = frozenset({"days", "day", "天数", "天"})
_KEY_DEAL_OFF = frozenset({"off", "none", "关闭", "关"})


def parse_admin_command(text: str) -> AdminCommand | ParseError:
    """Parse the text after /salesbot; never raises."""
    words = text.split()
    if not words or words[0].casefold() in ("help", "帮助"):
        return Help()
    verb, args = words[0].casefold(), words[1:]
    verb = VERB_ALIASES.get(verb, verb)
    if verb == "setup":
        return _setup(args)
    if verb in ("team", "managers"):
        return _membership(verb, args)
    if verb == "stages":
        return _stages(args)
    if verb == "currency":
        return _currency(args)
    if verb == "stale":
        return _stale(args)
    if verb == "keydeal":
        return _key_deal(args)
    if verb == "fx":
        return _fx(args)
    if verb == "language":
        return _language(args)
    if verb == "crm":
        return _crm(args)
    if verb == "forecast":
        return _forecast(args)
    if verb == "fields":
        return _fields(args)
    if verb == "wallboard":
        return _wallboard(args)
    if verb in ("activities", "points"):
        tokens = lex(text).tokens[1:]
        return _activities(tokens) if verb == "activities" else _points(tokens)
    every = "\n".join(USAGE.values())
    meant = closest(verb, [*USAGE, "help"])
    return ParseError.worded(
        _("I don't know the command `{word}`."),
        every if meant is None else did_you_mean(meant, every),
        word=words[0][:40],
    )


def _stale(args: list[str]) -> StaleDays | ParseError:
    if len(args) != 1:
        return ParseError.worded(_("Give one number of days, e.g. `21`."), USAGE["stale"])
    days = args[0]
    if not days.isascii() or not days.isdigit():
        return ParseError.worded(
            _("`{text}` is not a number of days."), USAGE["stale"], text=days[:40]
        )
    if not 1 <= int(days) <= STALE_MAX_DAYS:
        return ParseError(
            _("stale must be between 1 and {most} days, not {days}.").format(
                most=STALE_MAX_DAYS, days=int(days)
            ),
            USAGE["stale"],
        )
    return StaleDays(int(days))


def _key_deal(args: list[str]) -> KeyDeal | ParseError:
    if not args:
        return KeyDeal("show")
    word = args[0].casefold()
    if word in _KEY_DEAL_OFF:
        return KeyDeal("off") if len(args) == 1 else _nothing_after(args[0], USAGE["keydeal"])
    if word not in _KEY_DEAL_DAYS:
        # The amount is read in the team currency by the service: `100k`, `10万`, `100 k`.
        return KeyDeal("size", amount_text=" ".join(args))
    if len(args) != 2:
        return ParseError.worded(
            _("Give one number of days after `{word}`, e.g. `10`."), USAGE["keydeal"], word=word
        )
    days = args[1]
    if not days.isascii() or not days.isdigit():
        return ParseError.worded(
            _("`{text}` is not a number of days."), USAGE["keydeal"], text=days[:40]
        )
    if not 1 <= int(days) <= STALE_MAX_DAYS:
        return ParseError.worded(
            _("Quiet days must be between 1 and {most}, not {days}."),
            USAGE["keydeal"],
            most=STALE_MAX_DAYS,
            days=int(days),
        )
    return KeyDeal("days", days=int(days))


def _setup(args: list[str]) -> Setup | ParseError:
    if not args:
        return Setup(None)
    if len(args) == 1 and _CURRENCY.fullmatch(args[0]):
        return Setup(args[0].upper())
    if len(args) == 1:
        return _not_a_code(args[0], USAGE["setup"])
    return ParseError.worded(
        _("`setup` takes one currency code at most, not `{text}`."),
        USAGE["setup"],
        text=" ".join(args)[:40],
    )


def _nothing_after(word: str, usage: str) -> ParseError:
    return ParseError.worded(_("`{word}` takes nothing after it."), usage, word=word[:40])


def _not_a_code(text: str, usage: str) -> ParseError:
    return ParseError.worded(
        _("`{text}` is not a currency code: give its three letters, e.g. `EUR`."),
        usage,
        text=text[:40],
    )


def _not_a_rate(text: str, usage: str) -> ParseError:
    return ParseError.worded(
        _("`{text}` is not a usable rate: a rate is a positive number."), usage, text=text[:20]
    )


def _membership(verb: str, args: list[str]) -> TeamChange | ManagerChange | ParseError:
    key = "team" if verb == "team" else "managers"
    kind = TeamChange if key == "team" else ManagerChange
    action = _ACTIONS.get(args[0].casefold()) if args else "list"
    if action == "list":
        return kind("list", None) if len(args) <= 1 else _nothing_after(args[0], USAGE[key])
    if action not in ("add", "remove"):
        return ParseError.worded(
            _(
                "`{word}` is not something `{verb}` does: use `add` or `remove` and a person, "
                "or nothing to list."
            ),
            USAGE[key],
            word=args[0][:40],
            verb=key,
        )
    if len(args) == 1:
        return ParseError.worded(
            _("Say who after `{action}`: one person, picked from Slack's @ menu."),
            USAGE[key],
            action=action,
        )
    if len(args) > 2:
        return ParseError.worded(
            _("One person at a time after `{action}`."), USAGE[key], action=action
        )
    user_id = parse_mention(args[1])
    if user_id is None:
        return ParseError.worded(
            _("`{word}` is not a mention: pick the person from Slack's @ menu."),
            USAGE[key],
            word=args[1][:40],
        )
    return kind(action, user_id)  # type: ignore[arg-type]


def _stages(args: list[str]) -> Stages | ParseError:
    if not args:
        return Stages("list")
    action = _ACTIONS.get(args[0].casefold())
    if action == "list":
        return Stages("list") if len(args) == 1 else _nothing_after(args[0], USAGE["stages"])
    if action in ("add", "set") and len(args) == 3:
        probability = _percent(args[2])
        if probability is None:
            return ParseError.worded(
                _("`{text}` is not a percentage from 0 to 100."), USAGE["stages"], text=args[2][:20]
            )
        if action == "add" and not _STAGE_KEY.fullmatch(args[1].casefold()):
            return ParseError.worded(
                _("`{text}` can't name a new stage: use one word of letters, digits, - or _."),
                USAGE["stages"],
                text=args[1][:40],
            )
        return Stages(action, args[1], probability)  # type: ignore[arg-type]
    if action in ("add", "set"):
        return ParseError.worded(
            _("`{action}` takes a stage name and a percentage."), USAGE["stages"], action=action
        )
    if action == "rename" and len(args) >= 3:
        return Stages("rename", args[1], label=" ".join(args[2:])[:80])
    if action == "rename":
        return ParseError.worded(_("`rename` takes the stage and its new name."), USAGE["stages"])
    return ParseError.worded(
        _(
            "`{word}` is not something `stages` does: use `add`, `set` or `rename`, or nothing "
            "to list."
        ),
        USAGE["stages"],
        word=args[0][:40],
    )


def _percent(text: str) -> Decimal | None:
    match = _PERCENT.fullmatch(text)
    if match is None:
        return None
    try:
        value = Decimal(match[1])
    except InvalidOperation:
        return None
    return value / 100 if 0 <= value <= 100 else None


def _rate(text: str) -> Decimal | None:
    """A positive exchange rate from 0.000001 to a million, else None."""
    try:
        rate = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if rate.is_finite() and Decimal("0.000001") <= rate <= Decimal(1_000_000):
        return rate
    return None


def _fx(args: list[str]) -> Fx | ParseError:
    if not args:
        return Fx()
    if len(args) != 2:
        return ParseError.worded(
            _("`fx` takes a currency code and its rate, or nothing to list the rates."),
            USAGE["fx"],
        )
    if not _CURRENCY.fullmatch(args[0]):
        return _not_a_code(args[0], USAGE["fx"])
    rate = _rate(args[1])
    if rate is None:
        return _not_a_rate(args[1], USAGE["fx"])
    return Fx(args[0].upper(), rate)


def _currency(args: list[str]) -> Currency | ParseError:
    if not args:
        return ParseError.worded(
            _("Which currency? Give its code, and the rate to convert at."), USAGE["currency"]
        )
    if len(args) > 2:
        return ParseError.worded(
            _("`{text}` is one word too many: `currency` takes a code and a rate."),
            USAGE["currency"],
            text=" ".join(args[2:])[:40],
        )
    if not _CURRENCY.fullmatch(args[0]):
        return _not_a_code(args[0], USAGE["currency"])
    if len(args) == 1:
        return Currency(args[0].upper())
    rate = _rate(args[1])
    if rate is None:
        return _not_a_rate(args[1], USAGE["currency"])
    return Currency(args[0].upper(), rate)


_LANGUAGE_WORDS = {
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
    "zh": "zh",
    "chinese": "zh",
    "中文": "zh",
    "汉语": "zh",
}


def _language(args: list[str]) -> Language | ParseError:
    workspace = bool(args) and args[0].casefold() in ("workspace", "团队", "工作区")
    rest = args[1:] if workspace else args
    if not rest:
        return Language(None, workspace)
    if len(rest) == 1 and rest[0].casefold() in _LANGUAGE_WORDS:
        return Language(_LANGUAGE_WORDS[rest[0].casefold()], workspace)
    return ParseError.worded(
        _("`{text}` is not a language I speak: choose `zh` or `en`."),
        USAGE["language"],
        text=" ".join(rest)[:40],
    )


def _forecast(args: list[str]) -> Forecast | ParseError:
    if not args:
        return Forecast()
    if len(args) == 1:
        return ParseError.worded(
            _("Name a stage and a category, e.g. `negotiation commit`."), USAGE["forecast"]
        )
    # A category may be two words: best case.
    return Forecast(args[0], " ".join(args[1:]))


# Between choices: a comma (either width), the Chinese enumeration comma, a semicolon.
_CHOICE_SEPARATORS = re.compile(r"[,，、;；]")
# Between a name and its alias: a slash (either width).
_ALIAS = re.compile(r"[/／]")


def _fields(args: list[str]) -> Fields | ParseError:
    action = _ACTIONS.get(args[0].casefold()) if args else "list"
    if action == "list" and len(args) <= 1:
        return Fields("list")
    if action == "remove" and len(args) == 2:
        return Fields("remove", deal_fields.fold(args[1]))
    if action == "remove":
        return ParseError.worded(_("`remove` takes one field name."), USAGE["fields"])
    if action == "add" and len(args) < 2:
        return ParseError.worded(
            _("Say which field after `add`, e.g. `industry`."), USAGE["fields"]
        )
    if action != "add":
        return ParseError.worded(
            _(
                "`{word}` is not something `fields` does: use `add` or `remove`, or nothing "
                "to list."
            ),
            USAGE["fields"],
            word=args[0][:40],
        )
    named = _names(args[1])
    if isinstance(named, ParseError):
        return named
    name, alias = named
    choices = _choices(" ".join(args[2:]))
    if isinstance(choices, ParseError):
        return choices
    return Fields("add", name, alias, choices)


def _names(text: str) -> tuple[str, str | None] | ParseError:
    """`industry/行业`: a field's name and its alias, folded."""
    parts = [deal_fields.fold(part) for part in _ALIAS.split(text)]
    if len(parts) > 2:
        return ParseError.worded(
            _("`{text}`: a field has one name and at most one alias, e.g. `industry/行业`."),
            USAGE["fields"],
            text=text[:40],
        )
    for part in parts:
        problem = deal_fields.name_problem(part)
        if problem is not None:
            return ParseError.worded(problem.template, USAGE["fields"], **problem.values)
    if len(parts) == 2 and parts[0] == parts[1]:
        return ParseError.worded(
            _("A field's alias must differ from its name, not `{text}` twice."),
            USAGE["fields"],
            text=parts[0],
        )
    return parts[0], parts[1] if len(parts) == 2 else None


def _choices(text: str) -> tuple[Choice, ...] | ParseError:
    """`retail/零售, finance/金融`: choices as written, each with an optional alias."""
    choices: list[Choice] = []
    seen: set[str] = set()
    for piece in _CHOICE_SEPARATORS.split(text):
        parts = [_choice_text(part) for part in _ALIAS.split(piece)]
        if all(part == "" for part in parts):
            continue
        if len(parts) > 2 or any(isinstance(part, ParseError) or not part for part in parts):
            problem = next((part for part in parts if isinstance(part, ParseError)), None)
            return problem or ParseError.worded(
                _(
                    "`{text}` is not a choice: write it as `retail`, or with a second name as "
                    "`retail/零售`."
                ),
                USAGE["fields"],
                text=piece.strip()[:40],
            )
        words = {deal_fields.fold(str(part)) for part in parts}
        if len(words) < len(parts) or words & seen:
            return ParseError.worded(
                _("`{text}` is given twice among the choices."),
                USAGE["fields"],
                text=piece.strip()[:40],
            )
        seen |= words
        value, *alias = (str(part) for part in parts)
        choices.append(Choice(value, alias[0] if alias else None))
    if len(choices) == 1:
        return ParseError.worded(
            _("Give at least two choices, or none for a field of free text."), USAGE["fields"]
        )
    if len(choices) > deal_fields.MAX_CHOICES:
        return ParseError.worded(
            _("A field has at most {most} choices, not {count}."),
            USAGE["fields"],
            most=deal_fields.MAX_CHOICES,
            count=len(choices),
        )
    return tuple(choices)


def _choice_text(text: str) -> str | ParseError:
    try:
        return clean_text(text, max_len=deal_fields.CHOICE_MAX)
    except TextTooLongError:
        return ParseError.worded(
            _("A choice has at most {most} characters: `{text}…`."),
            USAGE["fields"],
            most=deal_fields.CHOICE_MAX,
            text=" ".join(text.split())[: deal_fields.CHOICE_MAX],
        )


def _crm(args: list[str]) -> Crm | ParseError:
    if not args:
        return Crm("show")
    action = _CRM_ACTIONS.get(args[0].casefold())
    if action == "connect":
        kind = args[1].casefold() if len(args) == 2 else ""
        if kind in LIVE_CRMS:
            return Crm("connect", kind)
        return ParseError.worded(
            _("Name the CRM to connect: {crms}."), USAGE["crm"], crms=", ".join(LIVE_CRMS)
        )
    if action == "disconnect" and len(args) == 1:
        return Crm("disconnect")
    if action == "stages":
        rest = " ".join(args[1:])
        if not rest:
            return Crm("stages")
        remote, equals, local = rest.rpartition("=")
        if equals and remote.strip() and local.strip():
            return Crm("stages", mapping=(remote.strip()[:200], local.strip()[:80]))
        return ParseError.worded(
            _("Map one CRM stage to one of ours: `CRM stage=our stage`."), USAGE["crm"]
        )
    return ParseError.worded(_("That is not a crm command I know."), USAGE["crm"])


def _wallboard(args: list[str]) -> Wallboard | ParseError:
    if not args:
        return Wallboard("new")
    if len(args) == 1 and args[0].casefold() in _REVOKE:
        return Wallboard("revoke")
    return ParseError.worded(
        _("`{text}` is not something `wallboard` does: nothing for a new link, or `revoke`."),
        USAGE["wallboard"],
        text=" ".join(args)[:40],
    )


_POINTS_VALUE = re.compile(r"[0-9]{1,4}")


def _activities(tokens: Sequence[Token]) -> Activities | ParseError:
    action = _ACTIONS.get(tokens[0].text.casefold()) if tokens else "list"
    usage = USAGE["activities"]
    if action == "list" and len(tokens) <= 1:
        return Activities("list")
    if action == "remove" and len(tokens) >= 2:
        return Activities("remove", " ".join(t.text for t in tokens[1:]))
    if action == "remove":
        return ParseError.worded(_("Say which kind after `remove`, e.g. `email`."), usage)
    if action != "add":
        return ParseError.worded(
            _(
                "`{word}` is not something `activities` does: use `add` or `remove`, or "
                "nothing to list."
            ),
            usage,
            word=tokens[0].text[:40],
        )
    rest = tokens[1:]
    points = None
    if rest and _POINTS_VALUE.fullmatch(rest[-1].text) and len(rest) > 1:
        points, rest = int(rest[-1].text), rest[:-1]
    if not rest:
        return ParseError.worded(
            _('Say which kind after `add`, e.g. `add "site visit" 拜访`.'), usage
        )
    if len(rest) > 2:
        return ParseError.worded(
            _(
                "A kind has one name and at most one second name: quote a name of several "
                'words, e.g. `add "site visit" 拜访`.'
            ),
            usage,
        )
    alias = rest[1].text if len(rest) == 2 else None
    return Activities("add", rest[0].text, alias, points)


def _points(tokens: Sequence[Token]) -> Points | ParseError:
    usage = USAGE["points"]
    pairs: list[tuple[str, int]] = []
    words: list[str] = []
    for token in tokens:
        if not token.quoted and _POINTS_VALUE.fullmatch(token.text):
            if not words:
                return ParseError.worded(
                    _("Which kind is worth {points}? Put its name before the number."),
                    usage,
                    points=token.text,
                )
            pairs.append((" ".join(words), int(token.text)))
            words = []
        else:
            words.append(token.text)
    if words:
        return ParseError.worded(
            _("How many points is `{word}` worth? Put a whole number after it, e.g. `{word} 3`."),
            usage,
            word=" ".join(words)[:40],
        )
    return Points(tuple(pairs))
