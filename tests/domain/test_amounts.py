from decimal import Decimal

import pytest

from bot.domain.amounts import (
    AmountError,
    Money,
    format_amount,
    is_amount_suffix,
    is_currency_word,
    is_separate_currency,
    looks_like_amount,
    parse_amount,
    require_positive,
)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("12000", "12000", "CNY"),
        ("12,000", "12000", "CNY"),
        ("12000.50", "12000.50", "CNY"),
        ("1,234,567.89", "1234567.89", "CNY"),
        ("12k", "12000", "CNY"),
        ("12K", "12000", "CNY"),
        ("1.5M", "1500000", "CNY"),
        ("1.5m", "1500000", "CNY"),
        ("2B", "2000000000", "CNY"),
        ("2bn", "2000000000", "CNY"),
        ("3mn", "3000000", "CNY"),
        (".5k", "500", "CNY"),
        ("5万", "50000", "CNY"),
        ("2.5万", "25000", "CNY"),
        ("1亿", "100000000", "CNY"),
        ("3千", "3000", "CNY"),
        ("1千万", "10000000", "CNY"),
        ("5w", "50000", "CNY"),
        ("5万元", "50000", "CNY"),
        ("800块", "800", "CNY"),
        ("¥5万元", "50000", "CNY"),
        ("$12k", "12000", "USD"),
        ("$ 12k", "12000", "USD"),
        ("US$12k", "12000", "USD"),
        ("¥50000", "50000", "CNY"),
        ("￥50000", "50000", "CNY"),
        ("€3k", "3000", "EUR"),
        ("100€", "100", "EUR"),
        ("£900", "900", "GBP"),
        ("HK$900", "900", "HKD"),
        ("USD 1,200", "1200", "USD"),
        ("USD1200", "1200", "USD"),
        ("8000 CNY", "8000", "CNY"),
        ("8000CNY", "8000", "CNY"),
        ("RMB 8000", "8000", "CNY"),
        ("rmb8000", "8000", "CNY"),
        ("12k usd", "12000", "USD"),
        ("12k  usd", "12000", "USD"),
        ("eur 5k", "5000", "EUR"),
        ("JPY 5000", "5000", "JPY"),
        ("5万美元", "50000", "USD"),
        ("１２ｋ", "12000", "CNY"),
        ("  12k  ", "12000", "CNY"),
        ("0", "0", "CNY"),
        ("1000000000000", "1000000000000", "CNY"),
    ],
)
def test_parse_amount_accepts(text: str, amount: str, currency: str) -> None:
    assert parse_amount(text, "CNY") == Money(Decimal(amount), currency)


def test_default_currency_is_upper_cased() -> None:
    assert parse_amount("5k", "usd") == Money(Decimal(5000), "USD")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.005", "1.01"),  # ROUND_HALF_UP, not banker's rounding
        ("1.004", "1.00"),
        ("1.23456k", "1234.56"),
        ("0.001", "0.00"),
        ("12000", "12000.00"),
    ],
)
def test_amounts_are_rounded_to_cents(text: str, amount: str) -> None:
    result = parse_amount(text, "CNY").amount
    assert result == Decimal(amount)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Please give an amount"),
        ("   ", "Please give an amount"),
        ("abc", "“abc” is not an amount. Try 12000, 12k, 1.5M, 5万 or $12k."),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("inf", "is not an amount"),
        ("1e5", "is not an amount"),
        ("1,2", "did you mean 1.2?"),
        ("12,00", "did you mean 12.00?"),
        ("5 5", "is not an amount"),
        ("12kk", "is not an amount"),
        ("$", "is not an amount"),
        ("-5k", "negative"),
        ("−5k", "negative"),
        ("-$5k", "negative"),
        ("$-5k", "negative"),
        ("1000000000001", "too large"),
        ("2000B", "too large"),
        ("99999999999999999999999999999999999", "too large"),
        ("12k XYZ", "currency I don't know: “XYZ”"),
        ("$12k EUR", "two currencies (EUR and USD)"),
        ("¥5000 JPY", "¥ means yuan"),
    ],
)
def test_parse_amount_refuses(text: str, fragment: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(text, "CNY")
    assert fragment in str(error.value)


def test_amount_error_is_a_value_error() -> None:
    assert issubclass(AmountError, ValueError)


def test_require_positive() -> None:
    money = Money(Decimal("1.00"), "CNY")
    assert require_positive(money) is money
    with pytest.raises(AmountError, match="must be more than zero"):
        require_positive(Money(Decimal("0.00"), "CNY"))


@pytest.mark.parametrize(
    "token",
    ["12k", "12,000", "$12k", "5万", "8000CNY", "12k usd", "0", "-5k", "2000B", "¥5万元"],
)
def test_looks_like_amount(token: str) -> None:
    assert looks_like_amount(token)


@pytest.mark.parametrize(
    "token", ["Acme", "", "3M Corp", "12k XYZ", "$12k EUR", "#12", "12/15", "proposal", "NaN"]
)
def test_does_not_look_like_amount(token: str) -> None:
    assert not looks_like_amount(token)


def test_looks_like_amount_agrees_with_parse_amount_on_accepted_tokens() -> None:
    for token in ["12k", "USD 1,200", "5万", "£900"]:
        parse_amount(token, "CNY")
        assert looks_like_amount(token)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("$", True),
        ("USD", True),
        ("usd", True),
        ("RMB", True),
        ("元", True),
        ("美元", True),
        ("XYZ", False),
        ("12k", False),
        ("dollars", False),
        ("", False),
    ],
)
def test_is_currency_word(token: str, expected: bool) -> None:
    assert is_currency_word(token) is expected


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        ("12000", "CNY", "en", "¥12k"),
        ("12500", "CNY", "en", "¥12.5k"),
        ("1200000", "USD", "en", "$1.2M"),
        ("1250000", "USD", "en", "$1.25M"),
        ("1254999", "USD", "en", "$1.25M"),
        ("662300", "CNY", "en", "¥662k"),
        ("2000000000", "USD", "en", "$2B"),
        ("999950", "USD", "en", "$1M"),
        ("950", "CNY", "en", "¥950"),
        ("9.5", "USD", "en", "$9.5"),
        ("0", "CNY", "en", "¥0"),
        ("3000", "EUR", "en", "€3k"),
        ("900", "GBP", "en", "£900"),
        ("5000", "JPY", "en", "JP¥5k"),
        ("5000", "CHF", "en", "CHF 5k"),
        ("-45000", "CNY", "en", "-¥45k"),
        ("12000", "CNY", "zh", "¥1.2万"),
        ("35500", "CNY", "zh", "¥3.55万"),
        ("300000000", "CNY", "zh", "¥3亿"),
        ("123456789", "CNY", "zh", "¥1.23亿"),
        ("1200000", "USD", "zh", "$120万"),
        ("9500", "CNY", "zh", "¥9,500"),
        # The transcript: ¥8,823.53 beside ¥1.2万 is one style now.
        ("8823.53", "CNY", "zh", "¥8,820"),
        ("8823.53", "CNY", "en", "¥8.82k"),
        ("950", "CNY", "zh_CN", "¥950"),
    ],
)
def test_format_amount_compact(amount: str, currency: str, lang: str, expected: str) -> None:
    assert format_amount(Decimal(amount), currency, lang=lang) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        ("12000", "CNY", "en", "¥12,000"),
        ("12000.00", "CNY", "zh", "¥12,000"),
        ("1234.5", "USD", "en", "$1,234.50"),
        ("1234.5", "USD", "zh", "$1,234.50"),
        ("3000", "EUR", "en", "€3,000"),
        ("5000", "JPY", "en", "JP¥5,000"),
        ("50000000", "CNY", "zh", "¥50,000,000"),
        ("0.004", "CNY", "en", "¥0"),
        ("-6000", "CNY", "en", "-¥6,000"),
    ],
)
def test_format_amount_exact(amount: str, currency: str, lang: str, expected: str) -> None:
    assert format_amount(Decimal(amount), currency, lang=lang, short=False) == expected


def test_long_input_is_shortened_in_the_message() -> None:
    with pytest.raises(AmountError) as error:
        parse_amount("x" * 5000, "CNY")
    assert len(str(error.value)) < 120


@pytest.mark.parametrize(
    ("word", "expected"),
    [("USD", True), ("usd", False), ("Bob", False), ("BOB", True), ("rmb", True), ("元", True)],
)
def test_is_separate_currency_takes_letter_codes_in_upper_case(word: str, expected: bool) -> None:
    assert is_separate_currency(word) is expected


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        # Chinese numerals, read by cn2an on the amount alone
        ("三万", "30000", "CNY"),
        ("三万五", "35000", "CNY"),
        ("三万五千", "35000", "CNY"),
        ("十二万", "120000", "CNY"),
        ("一百二十万", "1200000", "CNY"),
        ("两千", "2000", "CNY"),
        ("两千块", "2000", "CNY"),
        ("一万零五百", "10500", "CNY"),
        ("三千万", "30000000", "CNY"),
        ("壹拾万", "100000", "CNY"),
        ("伍万圆", "50000", "CNY"),
        ("¥三万", "30000", "CNY"),
        ("RMB 三万", "30000", "CNY"),
        ("三万美元", "30000", "USD"),
        # Digits with a digit after the unit: the next unit down
        ("3万5", "35000", "CNY"),
        ("1万2", "12000", "CNY"),
        ("12万3", "123000", "CNY"),
        ("2千5", "2500", "CNY"),
        ("3万5千", "35000", "CNY"),
        ("3万5千元", "35000", "CNY"),
        # Traditional characters and full-width digits
        ("5萬", "50000", "CNY"),
        ("兩千", "2000", "CNY"),
        ("1億", "100000000", "CNY"),
        ("５万", "50000", "CNY"),
        ("１２３４５", "12345", "CNY"),
        ("５万元", "50000", "CNY"),
        # Currency words stuck to the number
        ("5万元", "50000", "CNY"),
        ("5万块", "50000", "CNY"),
        ("RMB5万", "50000", "CNY"),
        ("人民币5万", "50000", "CNY"),
        # A space before the unit
        ("50 k", "50000", "CNY"),
        ("1.5 M", "1500000", "CNY"),
        ("5 万", "50000", "CNY"),
        ("5 万元", "50000", "CNY"),
        ("5 万 元", "50000", "CNY"),
        ("RMB 5 万", "50000", "CNY"),
        ("$ 50 k", "50000", "USD"),
        # 亿 then one digit is the next unit down (as 三万五 is 35,000); a point in numerals
        ("一亿二", "120000000", "CNY"),
        ("两亿三", "230000000", "CNY"),
        ("1亿2", "120000000", "CNY"),
        ("十亿五", "1050000000", "CNY"),
        ("一亿零二", "100000002", "CNY"),
        ("三点五万", "35000", "CNY"),
        ("十二点五万", "125000", "CNY"),
        ("一点二五亿", "125000000", "CNY"),
        ("三點五萬", "35000", "CNY"),
        ("三点五万元", "35000", "CNY"),
        ("¥三点五万", "35000", "CNY"),
        ("3点5万", "35000", "CNY"),
    ],
)
def test_parse_amount_reads_what_people_type(text: str, amount: str, currency: str) -> None:
    assert parse_amount(text, "CNY") == Money(Decimal(amount), currency)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1,5M", "did you mean 1.5M?"),
        ("1,5", "did you mean 1.5?"),
        ("€1,5k", "did you mean €1.5k?"),
        ("1,5 万", "did you mean 1.5 万?"),
        ("1.234,56", "did you mean 1,234.56?"),
        ("1.500.000", "did you mean 1,500,000?"),
        ("12,00,000", "did you mean 1,200,000?"),
        ("1,5000", "did you mean 15,000?"),
        ("1.2.3", "I can't tell which number “1.2.3” is."),
        ("１，５Ｍ", "did you mean 1.5M?"),
        ("-1,5M", "negative"),
        # Chinese numerals cn2an cannot read, or not a number at all
        ("万", "is not an amount"),
        ("千块", "is not an amount"),
        ("三点万", "is not an amount"),
        ("三点五", "is not an amount"),  # 3点5 alone is more often a time
        ("3点5", "is not an amount"),
        ("点五万", "is not an amount"),
        ("三点五点五万", "is not an amount"),
        ("一亿二三", "is not an amount"),
        ("3五", "is not an amount"),
        ("一百二十万万", "is not an amount"),
        ("-三万", "negative"),
        ("一万亿零一", "too large"),
    ],
)
def test_parse_amount_refuses_ambiguous_and_unreadable_forms(text: str, fragment: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(text, "CNY")
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    "token",
    # Only the amount token is read as a number: names and weekdays with numerals are not.
    [
        "华为一号项目",
        "周一",
        "三一重工",
        "一号店",
        "万达",
        "十月",
        "第三季度",
        "下个月",
        "三点钟",
        "一点点",
        "三点五分",
    ],
)
def test_words_with_chinese_numerals_are_not_amounts(token: str) -> None:
    assert not looks_like_amount(token)


@pytest.mark.parametrize("token", ["三万五", "3万5", "5萬", "1,5M", "两千块", "RMB5万"])
def test_new_forms_look_like_amounts(token: str) -> None:
    assert looks_like_amount(token)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("k", True),
        ("K", True),
        ("M", True),
        ("万", True),
        ("万元", True),
        ("万块", True),
        ("元", True),
        ("USD", True),
        ("k usd", True),
        ("proposal", False),
        ("谈判", False),
        ("12k", False),
        ("", False),
    ],
)
def test_is_amount_suffix(word: str, expected: bool) -> None:
    assert is_amount_suffix(word) is expected
