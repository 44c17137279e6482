"""Two spellings of one customer: the key the duplicate-deal guard compares."""

import pytest

from bot.domain.customers import customer_key, same_customer


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("华为技术有限公司", "华为技术"),
        ("华为技术股份有限公司", "华为技术"),
        ("华为 技术", "华为技术"),
        ("阿里巴巴集团", "阿里巴巴"),
        ("腾讯公司", "腾讯"),
        ("ACME Inc.", "acme"),
        ("ＡＣＭＥ", "acme"),
        ("Ａｃｍｅ　Ｉｎｃ．", "acme"),
        ("Acme  Corp", "acme"),
        ("Acme, Inc.", "Acme Inc"),
        ("Acme Ltd.", "ACME LTD"),
        ("Acme Holdings Co., Ltd.", "acme holdings"),
        ("Acme Co.,Ltd", "Acme"),
        ("Initech LLC", "initech"),
        ("Siemens GmbH", "siemens"),
        ("Globex Corporation", "globex"),
        ("Big Co", "big"),
        ("  Acme  ", "acme"),
        ("Ac me", "acme"),
    ],
)
def test_these_are_one_customer(one: str, other: str) -> None:
    assert same_customer(one, other)
    assert same_customer(other, one)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Acme", "Acme Labs"),
        ("华为", "华为技术"),
        # A Latin suffix is a word of its own: these end in letters, not in "Co".
        ("Tesco", "Tes"),
        ("Costco", "Cost"),
        ("Acmeinc", "Acme"),
        ("Globex", "Initech"),
    ],
)
def test_these_are_different_customers(one: str, other: str) -> None:
    assert not same_customer(one, other)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        # A name that is nothing but a suffix keeps it: there is nothing else to compare.
        ("公司", "公司"),
        ("Inc", "inc"),
        ("The Company", "the"),
        ("Acme Inc Ltd", "acme"),
        ("", ""),
    ],
)
def test_customer_key(name: str, key: str) -> None:
    assert customer_key(name) == key
