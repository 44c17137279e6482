"""Money amounts: parsing what sales reps type, converting them, and formatting for Slack.

The one rule for money, everywhere (replies, DMs, channel posts, App Home, charts):

* Amounts are ``Decimal`` rounded to cents (2 places, ROUND_HALF_UP) for every currency, so
  stored values have one scale whatever the currency. A deal keeps the amount and currency
  it was entered in.
* A deal in another currency counts in the team currency through ``Rates.value``: its amount
  × the team's rate, rounded half-up to the cent, *deal by deal*. Every total (pipeline,
  forecast, target progress, leaderboard, reports, charts, stand-up pace) is the sum of its
  deals' converted amounts, so a total always equals the lines it is made of, and one deal
  converts to the same number wherever it is shown. Nothing else multiplies by a rate.
* Shown short (``format_amount``): ``¥35.5k`` in English, ``¥3.6万`` in Chinese: one decimal
  of the unit (k, M, B; 万, 亿), rounded half-up; below a thousand (ten thousand in Chinese),
  the amount itself with cents when it has any. The long form (``¥12,000.00``) is used only
  where the exact cents matter: one deal's ``/deal show`` and the bonuses to pay. A deal in
  another currency is shown as entered beside its converted amount: ``$5k ≈ ¥35.5k``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_symbol, list_currencies

from bot.i18n import N_, _

__all__ = [
    "MAX_AMOUNT",
    "AmountError",
    "Money",
    "Rates",
    "convert",
    "format_amount",
    "is_currency_word",
    "is_separate_currency",
    "looks_like_amount",
    "parse_amount",
    "require_positive",
]

MAX_AMOUNT = Decimal(10) ** 12
_CENT = Decimal("0.01")
_EXAMPLES = N_("Try 12000, 12k, 1.5M, 5万 or $12k.")

# Every code Babel (CLDR) knows, including historic ones: the brief asks for "any code
# known to Babel", and a wrong guess is visible in the bot's confirmation anyway.
_ISO_CODES = frozenset(code.upper() for code in list_currencies())

# Symbols and words map to codes. "¥" is CNY, not JPY: Salesbot's users are Chinese
# teams, so yen must be written as "JPY". Keys are casefolded.
_CURRENCY_WORDS: dict[str, str] = {
    "$": "USD",
    "us$": "USD",
    "¥": "CNY",
    "€": "EUR",
    "£": "GBP",
    "hk$": "HKD",
    "nt$": "TWD",
    "s$": "SGD",
    "rmb": "CNY",
    "元": "CNY",
    "块": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "美金": "USD",
    "欧元": "EUR",
    "英镑": "GBP",
    "港币": "HKD",
    "港元": "HKD",
    "日元": "JPY",
}

_SCALES: dict[str, Decimal] = {
    "k": Decimal(10) ** 3,
    "m": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "b": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    # "w" is the common Chinese shorthand for 万 (wan) in chat.
    "w": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
    "万": Decimal(10) ** 4,
    "十万": Decimal(10) ** 5,
    "百万": Decimal(10) ** 6,
    "千万": Decimal(10) ** 7,
    "亿": Decimal(10) ** 8,
}


def _alternation(words: list[str]) -> str:
    # Longest first so "us$" wins over "$" and "千万" over "千".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_CUR = rf"(?:{_alternation(list(_CURRENCY_WORDS))}|[a-z]{{3}})"
# Input is normalised to single spaces first (_prepare), so each gap is at most one
# space: with \s* runs of spaces made a failed match take quadratic time.
_AMOUNT_RE = re.compile(
    rf"""
    (?P<sign>[-−])?[ ]?
    (?P<pre>{_CUR})?[ ]?
    (?P<sign2>[-−])?[ ]?
    (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)[ ]?
    (?P<scale>{_alternation(list(_SCALES))})?[ ]?
    (?P<post>{_CUR})?
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Symbols used when displaying; the same in both languages so a team sees one style.
_DISPLAY_SYMBOLS = {"CNY": "¥", "USD": "$", "JPY": "JP¥", "EUR": "€", "GBP": "£"}
_EN_UNITS = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))
_ZH_UNITS = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))


@dataclass(frozen=True)
class Money:
    """An amount in an ISO 4217 currency."""

    amount: Decimal
    currency: str


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount times a rate, rounded half-up to the cent."""
    return (amount * rate).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rates:
    """A team's exchange rates: how many units of its `currency` one unit of each other
    currency is worth (`per_unit`)."""

    currency: str
    per_unit: Mapping[str, Decimal]

    def knows(self, currency: str) -> bool:
        """Whether amounts in `currency` can count in the team currency."""
        return currency == self.currency or currency in self.per_unit

    def value(self, amount: Decimal, currency: str) -> Decimal | None:
        """One deal's amount in the team currency; None when there is no rate for it."""
        if currency == self.currency:
            return amount
        rate = self.per_unit.get(currency)
        return None if rate is None else convert(amount, rate)

    def money(self, amount: Decimal, currency: str) -> Money | None:
        """The deal's value in the team currency when it was entered in another one (None:
        entered in the team currency, or there is no rate for it)."""
        if currency == self.currency:
            return None
        value = self.value(amount, currency)
        return None if value is None else Money(value, self.currency)


class AmountError(ValueError):
    """A user-typed amount was refused; the message is ready to show in Slack."""


def parse_amount(text: str, default_currency: str) -> Money:
    """Parse a typed amount such as ``12k``, ``$1.5M``, ``5万`` or ``USD 1,200``."""
    shown = _shorten(text.strip())
    if not shown:
        raise AmountError(_("Please give an amount. {examples}").format(examples=_(_EXAMPLES)))
    match = _AMOUNT_RE.fullmatch(_prepare(text))
    if match is None:
        raise AmountError(
            _("“{text}” is not an amount. {examples}").format(text=shown, examples=_(_EXAMPLES))
        )
    currency = _currency_of(match, shown) or default_currency.upper()
    if match["sign"] or match["sign2"]:
        raise AmountError(
            _("“{text}” is negative. Amounts can't be below zero.").format(text=shown)
        )
    value = Decimal(match["num"].replace(",", ""))
    if match["scale"]:
        value *= _SCALES[match["scale"].casefold()]
    # Checked before rounding: quantize() fails on numbers this large.
    if value > MAX_AMOUNT:
        raise AmountError(
            _("“{text}” is too large. The most Salesbot accepts is {most}.").format(
                text=shown, most=f"{MAX_AMOUNT:,}"
            )
        )
    return Money(value.quantize(_CENT, rounding=ROUND_HALF_UP), currency)


def looks_like_amount(token: str) -> bool:
    """Tell whether a token is shaped like an amount (used to find where a name ends)."""
    # Negative or too-large amounts count too, so the user gets the specific refusal
    # from parse_amount instead of "I couldn't find an amount".
    match = _AMOUNT_RE.fullmatch(_prepare(token))
    if match is None:
        return False
    try:
        _currency_of(match, token)
    except AmountError:
        return False
    return True


def is_currency_code(code: str) -> bool:
    """Tell whether a text is an ISO 4217 currency code Babel knows (any case)."""
    return len(code) == 3 and code.isascii() and code.upper() in _ISO_CODES


def is_currency_word(token: str) -> bool:
    """Tell whether a token alone names a currency: ``$``, ``RMB``, ``元``, ``usd``…"""
    word = unicodedata.normalize("NFKC", token.strip()).casefold()
    return word in _CURRENCY_WORDS or (
        len(word) == 3 and word.isascii() and word.upper() in _ISO_CODES
    )


def is_separate_currency(word: str) -> bool:
    """Tell whether a word typed next to a number is its currency (``USD 1,200``, ``5万 元``).

    As is_currency_word, but a code of plain letters counts only in upper case (or as
    ``rmb``): lower-case ones are too often ordinary words ("Uncle Bob", "all", "top").
    """
    plain_letters = word.isascii() and word.isalpha()
    upper = not plain_letters or word.isupper() or word.casefold() == "rmb"
    return upper and is_currency_word(word)


def require_positive(money: Money) -> Money:
    """Return the money unchanged, or raise AmountError if it is zero."""
    if money.amount <= 0:
        raise AmountError(_("The amount must be more than zero."))
    return money


def format_amount(amount: Decimal, currency: str, *, lang: str = "en", short: bool = True) -> str:
    """Format money for Slack: short (``¥12k``, ``¥1.2万``) or long (``¥12,000.00``)."""
    zh = lang.casefold().startswith("zh")
    symbol = _display_symbol(currency)
    if not short:
        return _long_form(amount, currency, symbol, zh)
    number = _short_number(amount, _ZH_UNITS if zh else _EN_UNITS)
    return f"{symbol} {number}" if symbol.isalpha() else f"{symbol}{number}"


def _shorten(text: str) -> str:
    # Messages quote the input; a pasted essay should not flood the reply.
    return text if len(text) <= 40 else text[:39] + "…"


def _prepare(text: str) -> str:
    # NFKC turns full-width input (￥１２，０００) into plain ASCII forms.
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _currency_of(match: re.Match[str], shown: str) -> str | None:
    """Return the one currency the match names, or None when it names none."""
    codes = {_currency_code(match[g], shown) for g in ("pre", "post") if match[g]}
    if codes == {"CNY", "JPY"} and "¥" in {match["pre"], match["post"]}:
        raise AmountError(
            _(
                "“{text}” mixes ¥ and JPY. In Salesbot ¥ means yuan (CNY); "
                "for yen write the code alone, e.g. JPY 5000."
            ).format(text=shown)
        )
    if len(codes) > 1:
        first, second = sorted(codes)[:2]
        raise AmountError(
            _("“{text}” names two currencies ({first} and {second}). Please use one.").format(
                text=shown, first=first, second=second
            )
        )
    return codes.pop() if codes else None


def _currency_code(word: str, shown: str) -> str:
    code = _CURRENCY_WORDS.get(word.casefold(), word.upper())
    if code not in _ISO_CODES:
        raise AmountError(
            _(
                "“{text}” has a currency I don't know: “{word}”. "
                "Use a 3-letter code such as USD or CNY, or one of $ ¥ € £."
            ).format(text=shown, word=word)
        )
    return code


def _display_symbol(currency: str) -> str:
    code = currency.upper()
    return _DISPLAY_SYMBOLS.get(code) or get_currency_symbol(code, locale="en")


def _long_form(amount: Decimal, currency: str, symbol: str, zh: bool) -> str:
    locale = "zh_CN" if zh else "en"
    text = format_currency(amount, currency.upper(), locale=locale)
    # Babel's symbol differs by locale (CN¥ in English); swap in ours for consistency.
    babel_symbol = get_currency_symbol(currency.upper(), locale=locale)
    return text.replace(babel_symbol, symbol, 1)


def _short_number(amount: Decimal, units: tuple[tuple[Decimal, str], ...]) -> str:
    for index, (size, suffix) in enumerate(units):
        if amount < size:
            continue
        scaled = (amount / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        # 999,950 rounds to 1000.0k: promote it to the next unit ("1M").
        if index > 0 and scaled >= units[index - 1][0] / size:
            bigger, bigger_suffix = units[index - 1]
            scaled = (amount / bigger).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            suffix = bigger_suffix
        return f"{_trim(scaled)}{suffix}"
    return _trim(amount.quantize(_CENT, rounding=ROUND_HALF_UP))


def _trim(value: Decimal) -> str:
    """Group thousands and drop a zero fraction: 12.0 -> 12, 9.50 stays 9.50."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,f}"
