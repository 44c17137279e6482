"""Languages: gettext catalogs (extracted and compiled with Babel), chosen per message.

The language is held in a context variable for the duration of one unit of work, so views call
`_()` without threading a language through every function. Who decides it: the member's own
choice, else the workspace default, else their Slack locale, else English.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGES = ("en", "zh")
DEFAULT = "en"
# Babel's locale for each of our languages.
BABEL_LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}

_current: ContextVar[str] = ContextVar("salesbot_language", default=DEFAULT)
_today: ContextVar[date | None] = ContextVar("salesbot_today", default=None)


def normalise(language: str | None) -> str | None:
    """`zh`, `zh-CN`, `zh_Hans` → `zh`; `en-GB` → `en`; anything else → None."""
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].casefold()
    return base if base in LANGUAGES else None


def choose(own: str | None, workspace: str | None, slack_locale: str | None) -> str:
    """The member's choice wins over the workspace default, which wins over the Slack locale."""
    return normalise(own) or normalise(workspace) or normalise(slack_locale) or DEFAULT


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def current() -> str:
    """The language of the message being built."""
    return _current.get()


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Build messages in `language` inside the block."""
    token = _current.set(normalise(language) or DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """Translate a message into the current language."""
    return _translations(current()).gettext(message)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it with `_()` where used."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message with a count."""
    return _translations(current()).ngettext(singular, plural, count)


class Texts(Mapping[str, str]):
    """A module-level table of messages, translated into the current language when read.

    Values are messages marked with `N_()` (translated with `_()` on access), or functions that
    build the text (for messages made of translated parts).
    """

    def __init__(self, texts: Mapping[str, str | Callable[[], str]]) -> None:
        self._texts = dict(texts)

    def __getitem__(self, key: str) -> str:
        value = self._texts[key]
        return _(value) if isinstance(value, str) else value()

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def money(amount: Decimal, currency: str, *, short: bool = True) -> str:
    """An amount as the current language writes it: ¥12k, or ¥1.2万 in Chinese."""
    # Imported here: the amounts module translates its own messages with this module.
    from bot.domain.amounts import format_amount

    return format_amount(amount, currency, lang=current(), short=short)


def date_in(value: date, *, en: str, zh: str) -> str:
    """A date with the CLDR pattern of the current language (`EEE` is the weekday name); for
    what is not a day (a month's name: `MMMM` / `M月`). Days are written with `day()`."""
    pattern = zh if current() == "zh" else en
    return format_date(value, pattern, locale=BABEL_LOCALES[current()])


# The one date style (bot/i18n.py, README "Dates"): the year only when it is not this year's.
_PATTERNS = {
    ("en", False): "MMM d",
    ("en", True): "MMM d, y",
    ("zh", False): "M月d日",
    ("zh", True): "y年M月d日",
}


@contextmanager
def dated(today: date) -> Iterator[None]:
    """Write days inside the block as seen on `today`: a day of its year needs no year."""
    token = _today.set(today)
    try:
        yield
    finally:
        _today.reset(token)


def today_of_message() -> date | None:
    """The day messages are being written on (None: not known, so every day shows its year)."""
    return _today.get()


def day(
    value: date,
    *,
    weekday: bool = False,
    with_year: bool | None = None,
    lang: str | None = None,
) -> str:
    """A date as Salesbot writes it, in every view: `Dec 20` this year, `Dec 20, 2027` another
    (Chinese `12月20日`, `2027年12月20日`); with the weekday, `Fri Dec 20` / `12月20日周五`.

    with_year forces the year on or off (a chart of the last twelve weeks needs none); lang
    overrides the current language (charts are drawn for a language, not in one)."""
    language = (normalise(lang) if lang else None) or current()
    year = with_year if with_year is not None else _needs_year(value)
    pattern = _PATTERNS[(language, year)]
    if weekday:
        pattern = f"{pattern}EEE" if language == "zh" else f"EEE {pattern}"
    return format_date(value, pattern, locale=BABEL_LOCALES[language])


def moment(value: datetime) -> str:
    """A date and time, the day as `day()` writes it: Nov 30 09:30, or 11月30日 09:30."""
    time = format_datetime(value, "HH:mm", tzinfo=value.tzinfo, locale=BABEL_LOCALES[current()])
    return f"{day(value.date())} {time}"


def _needs_year(value: date) -> bool:
    today = _today.get()
    return today is None or value.year != today.year
