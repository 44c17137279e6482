"""When two typed customer names mean the same customer (the duplicate-deal guard).

Names are compared by a key: NFKC (so full-width ＡＣＭＥ is ACME and a full-width space a
space), case folded, a trailing company suffix removed (公司, 有限公司, Inc., Ltd, GmbH…, as
many as are stacked: "Acme Holdings Co., Ltd." is "acme holdings"), then every space and
the punctuation around the suffix dropped. Latin suffixes count only as a word of their own,
so "Tesco" keeps its "co" and "Costco" stays Costco; Chinese ones are written joined
("华为技术有限公司"), so they count wherever the name ends with them.
"""

from __future__ import annotations

import unicodedata

__all__ = ["customer_key", "same_customer"]

# Longest first, so 股份有限公司 is removed whole rather than as 公司.
_CJK_SUFFIXES = tuple(
    sorted(
        ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司", "集团"),
        key=len,
        reverse=True,
    )
)
_LATIN_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
    }
)
# What may stand between a name and its suffix, or after it: "Acme, Inc.", "Acme Co.,Ltd".
_SEPARATORS = " \t,.，。、&-()（）"


def customer_key(name: str) -> str:
    """The form of a customer name that two spellings of one customer share."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = " ".join(text.split())
    while True:
        stripped = _drop_suffix(text.rstrip(_SEPARATORS))
        if stripped is None:
            break
        text = stripped
    text = text.rstrip(_SEPARATORS) or text
    return "".join(text.split())


def same_customer(one: str, other: str) -> bool:
    """Whether two typed names are one customer (Acme Inc. and ACME; 华为技术有限公司, 华为技术)."""
    return customer_key(one) == customer_key(other)


def _drop_suffix(text: str) -> str | None:
    """The name without its last company suffix; None when it has none, or is nothing else."""
    for suffix in _CJK_SUFFIXES:
        if text.endswith(suffix):
            rest = text[: -len(suffix)].rstrip(_SEPARATORS)
            return rest or None
    cut = max(text.rfind(separator) for separator in _SEPARATORS)
    if cut < 0:
        return None
    word = text[cut + 1 :]
    if word not in _LATIN_SUFFIXES:
        return None
    rest = text[:cut].rstrip(_SEPARATORS)
    return rest or None
