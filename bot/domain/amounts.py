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
* Shown two ways (``format_amount``), the same in every view, chart and language:

  - **compact**, wherever amounts sit beside other amounts (lists, summaries, totals, targets,
    posts, App Home, charts): three significant digits, half-up, in the largest unit the
    amount reaches: ``¥12k``, ``¥35.5k``, ``¥662k``, ``¥1.02M`` in English; Chinese counts in
    万 and 亿: ``¥1.2万``, ``¥3.55万``, ``¥66.2万``, ``¥1.23亿``. Below the first unit (a
    thousand; ten thousand in Chinese) the amount itself to three digits, never finer than a
    cent: ``¥950``, ``¥8,820``, ``¥9.5``. So no list shows ``¥8,823.53`` beside ``¥1.2万``.
  - **exact**, where one amount is the point (one deal's ``/deal show``, the "Yes, add …"
    question, the bonuses to pay, a deal's history): to the unit with thousands grouped, cents
    only when it has some: ``¥12,000``, ``$1,234.50``, ``¥50,000,000`` (in Chinese too).

  A deal in another currency is shown as entered beside its converted amount: ``$5k ≈ ¥35.5k``.

How typed amounts are read (``parse_amount``), as tested:

* Full-width forms are read as ASCII (``５万``, ``￥１２，０００``) and traditional characters as
  simplified (``5萬``, ``兩千``).
* Chinese numerals are read by cn2an, on the amount alone: ``三万``, ``三万五`` (35,000: a
  digit after a unit is the next unit down), ``十二万``, ``一百二十万``, ``两千块``, and mixed
  with digits, ``3万5``, ``1万2`` (12,000). The rest of the command is never converted, so a
  customer called 华为一号项目 keeps its name.
* A space may stand between the parts: ``50 k``, ``1.5 M``, ``5 万``, ``RMB 5万``.
* A comma groups thousands by three and a point is the decimal point. Anything else made of
  digits, commas and points is ambiguous and refused with a guess: ``1,5M`` ("did you mean
  1.5M?"), ``1.500.000`` (1,500,000), ``12,00,000`` (1,200,000).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from babel.numbers import format_decimal, get_currency_symbol, list_currencies

from bot.i18n import N_, _

__all__ = [
    "MAX_AMOUNT",
    "SIGNIFICANT_DIGITS",
    "AmountError",
    "Money",
    "Rates",
    "convert",
    "exact_number",
    "format_amount",
    "is_amount_suffix",
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
_SCALE = _alternation(list(_SCALES))
# Chinese digits (everyday and financial forms) and units, after _prepare made them simplified.
_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖廿"
_CN_UNITS = "十百千万亿拾佰仟"
# Traditional forms cn2an would read but our patterns do not list.
# The units a number with 点 may end in (三点五万).
_POINT_SCALE = _alternation(["千", "万", "十万", "百万", "千万", "亿"])
# A fraction's digits after 点, one by one: 三点二五万 is 3.25万.
_FRACTION_DIGITS = str.maketrans("零〇一二两三四五六七八九", "001223456789")
# 一亿二 says 一亿二千万 as 三万五 says 三万五千: one digit after 亿 is the next unit down.
# cn2an reads the second but not the first, so the unit is written out for it.
_YI_SHORTHAND = re.compile(r"(亿)([1-9一二两三四五六七八九])$")
_TRADITIONAL = str.maketrans("萬億兩貳參陸塊圓圆點", "万亿两贰叁陆块元元点")
# Input is normalised to single spaces first (_prepare), so each gap is at most one
# space: with \s* runs of spaces made a failed match take quadratic time.
_AMOUNT_RE = re.compile(
    rf"""
    (?P<sign>[-−])?[ ]?
    (?P<pre>{_CUR})?[ ]?
    (?P<sign2>[-−])?[ ]?
    (?:
        (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)[ ]?
        (?P<scale>{_SCALE})?
      # Digits with a digit after a unit: 3万5, 1万2千.
      | (?P<mixed>\d+(?:[{_CN_UNITS}]+\d+)+[{_CN_UNITS}]*)
      # A decimal point 点, then a unit: 三点五万, 十二点五万, 3点5万 (alone, 3点5 is a time).
      | (?P<whole>\d+|[{_CN_DIGITS}十百千拾佰仟]+)点(?P<fraction>\d+|[零〇一二两三四五六七八九]+)
        (?P<point_scale>{_POINT_SCALE})
      | (?P<zh>[{_CN_DIGITS}{_CN_UNITS}]+)
      # Commas and points in no usual places: 1,5M, 1.500.000. Refused with a guess.
      | (?P<loose>\d+[.,][\d.,]*\d)[ ]?(?P<loose_scale>{_SCALE})?
    )[ ]?
    (?P<post>{_CUR})?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SUFFIX_RE = re.compile(rf"(?:{_SCALE})[ ]?(?:{_CUR})?|{_CUR}", re.IGNORECASE)

# Symbols used when displaying; the same in both languages so a team sees one style.
_DISPLAY_SYMBOLS = {"CNY": "¥", "USD": "$", "JPY": "JP¥", "EUR": "€", "GBP": "£"}
_EN_UNITS = (
    (Decimal(10) ** 12, "T"),
    (Decimal(10) ** 9, "B"),
    (Decimal(10) ** 6, "M"),
    (Decimal(10) ** 3, "k"),
)
_ZH_UNITS = ((Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
# Compact amounts keep this many digits (¥1.02M beside ¥662k: one precision for all).
SIGNIFICANT_DIGITS = 3
_CENT_EXPONENT = -2


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
    """Parse a typed amount such as ``12k``, ``$1.5M``, ``5万``, ``三万五`` or ``USD 1,200``."""
    shown = _shorten(text.strip())
    if not shown:
        raise AmountError(_("Please give an amount. {examples}").format(examples=_(_EXAMPLES)))
    match = _AMOUNT_RE.fullmatch(_prepare(text))
    value = None if match is None else _number(match)
    if match is None or value is None:
        raise AmountError(
            _("“{text}” is not an amount. {examples}").format(text=shown, examples=_(_EXAMPLES))
        )
    currency = _currency_of(match, shown) or default_currency.upper()
    if match["sign"] or match["sign2"]:
        raise AmountError(
            _("“{text}” is negative. Amounts can't be below zero.").format(text=shown)
        )
    if match["loose"]:
        raise _ambiguous(match, shown)
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
    # Ambiguous ones (1,5M) too, for the "did you mean" of parse_amount.
    match = _AMOUNT_RE.fullmatch(_prepare(token))
    if match is None or _number(match) is None:
        return False
    try:
        _currency_of(match, token)
    except AmountError:
        return False
    return True


def is_amount_suffix(word: str) -> bool:
    """Tell whether a word typed after a number belongs to it: ``k``, ``万``, ``万元``, ``USD``."""
    return _SUFFIX_RE.fullmatch(_prepare(word)) is not None


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
    """Format money for Slack and charts: compact (``¥12k``, ``¥1.2万``, ``¥1.02M``) or, with
    ``short=False``, exact (``¥12,000``, ``¥12,000.50``)."""
    zh = lang.casefold().startswith("zh")
    symbol = _display_symbol(currency)
    sign = "-" if amount < 0 else ""
    if short:
        number = _compact_number(abs(amount), _ZH_UNITS if zh else _EN_UNITS)
    else:
        number = exact_number(abs(amount), lang=lang)
    return f"{sign}{symbol} {number}" if symbol.isalpha() else f"{sign}{symbol}{number}"


def exact_number(amount: Decimal, *, lang: str = "en") -> str:
    """An amount to the unit, thousands grouped, cents only when it has some: 12,000 /
    1,234.50 (a deal's history shows its amounts so, as they were typed)."""
    cents = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    pattern = "#,##0" if cents == cents.to_integral_value() else "#,##0.00"
    locale = "zh_CN" if lang.casefold().startswith("zh") else "en_US"
    return format_decimal(cents, format=pattern, locale=locale)


def _shorten(text: str) -> str:
    # Messages quote the input; a pasted essay should not flood the reply.
    return text if len(text) <= 40 else text[:39] + "…"


def _prepare(text: str) -> str:
    # NFKC turns full-width input (￥１２，０００) into plain ASCII forms.
    normal = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    return " ".join(normal.split())


def _number(match: re.Match[str]) -> Decimal | None:
    """The matched number times its unit (None: Chinese numerals cn2an can't read)."""
    if match["num"]:
        value = Decimal(match["num"].replace(",", ""))
        scale = match["scale"]
    elif match["loose"]:
        # Only its shape matters: it is refused, with a guess at what was meant.
        value, scale = Decimal(0), None
    elif match["whole"]:
        return _pointed(match["whole"], match["fraction"], match["point_scale"])
    else:
        return _chinese_number(match["mixed"] or match["zh"])
    return value * _SCALES[scale.casefold()] if scale else value


def _pointed(whole: str, fraction: str, scale: str) -> Decimal | None:
    """三点五万: the whole part read as a number, the digits after 点 one by one, times the
    unit (35,000), exactly, with no float in between."""
    units = _chinese_number(whole) if not whole.isdigit() else Decimal(whole)
    if units is None:
        return None
    digits = fraction.translate(_FRACTION_DIGITS)
    return (units + Decimal(f"0.{digits}")) * _SCALES[scale]


def _chinese_number(numeral: str) -> Decimal | None:
    # Only the amount's own text is rewritten, and only its end: 一亿二 → 一亿二千万.
    numeral = _YI_SHORTHAND.sub(r"\1\2千万", numeral)
    # "normal" reads Chinese numerals only (三万五, 两千); "smart" also digits mixed in (3万5).
    mode = "normal" if numeral[0] in _CN_DIGITS + _CN_UNITS else "smart"
    try:
        value = _cn2an()(numeral, mode)
    except (ValueError, KeyError, IndexError):
        return None
    # The patterns let no decimal point through, so a fraction is cn2an guessing: refuse it.
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return None
    return Decimal(int(value))


@cache
def _cn2an() -> Callable[[str, str], Any]:
    # Imported on first use: building its converters takes ~0.2 s, which commands
    # with no Chinese numeral (and every CLI command) need not pay.
    import cn2an

    convert: Callable[[str, str], Any] = cn2an.cn2an
    return convert


def _ambiguous(match: re.Match[str], shown: str) -> AmountError:
    guess = _guess(match["loose"])
    if guess is None:
        return AmountError(
            _(
                "I can't tell which number “{text}” is. Write a point for decimals and "
                "commas between thousands: 1.5M, 1,500,000."
            ).format(text=shown)
        )
    start, end = match.span("loose")
    meant = match.string[:start] + guess + match.string[end:]
    return AmountError(
        _(
            "“{text}” could be read more than one way: did you mean {meant}? Write a point "
            "for decimals and commas between thousands: 1.5M, 1,500,000."
        ).format(text=shown, meant=meant)
    )


def _guess(number: str) -> str | None:
    """What a number with commas and points in unusual places most likely means."""
    whole, comma, decimals = number.rpartition(",")
    # A comma before one or two digits is a decimal comma: 1,5 / 1.234,56.
    if comma and len(decimals) <= 2 and decimals and re.fullmatch(r"\d+(?:\.\d{3})*", whole):
        return f"{int(whole.replace('.', '')):,}.{decimals}"
    digits = number.replace(",", "")
    # Points between groups of three are thousands: 1.500.000.
    if "," not in number and re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", number):
        return f"{int(number.replace('.', '')):,}"
    # Commas only, grouped otherwise (12,00,000; 1,5000): the digits as one number.
    if "." not in number and digits.isdigit():
        return f"{int(digits):,}"
    return None


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


def _significant(value: Decimal) -> Decimal:
    """Round a non-negative value half-up to three significant digits, never below a cent."""
    if value == 0:
        return Decimal(0)
    exponent = max(value.adjusted() - (SIGNIFICANT_DIGITS - 1), _CENT_EXPONENT)
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def _compact_number(value: Decimal, units: tuple[tuple[Decimal, str], ...]) -> str:
    """A non-negative amount in its largest unit: 1020000 -> "1.02M"."""
    # Rounded first, so 999,950 becomes 1M rather than "1,000k".
    rounded = _significant(value)
    for size, suffix in units:
        if rounded >= size:
            return f"{(rounded / size).normalize():,f}{suffix}"
    return f"{rounded.normalize():,f}"
