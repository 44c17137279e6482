"""The catalogs: every message in the code is translated, with the same placeholders, and the
compiled catalog is up to date."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "bot" / "locale" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def source_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else tuple(message))  # type: ignore[arg-type]
    return found


def catalog() -> dict[str, str | tuple[str, ...]]:
    with PO.open("rb") as handle:
        po = read_po(handle)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string for m in po if m.id and not m.fuzzy
    }


def test_every_message_in_the_code_is_in_the_catalog_and_translated() -> None:
    translated = catalog()
    missing = []
    for message in source_messages():
        key = message if isinstance(message, str) else message[0]
        text = translated.get(key)
        if not text or (isinstance(text, tuple) and not all(text)):
            missing.append(key)
    more = max(0, len(missing) - 20)
    assert missing == [], f"untranslated: {sorted(missing)[:20]} (and {more} more)"


@pytest.mark.parametrize("message", sorted(catalog()))
def test_placeholders_match(message: str) -> None:
    text = catalog()[message]
    strings = text if isinstance(text, tuple) else (text,)
    for string in strings:
        assert sorted(PLACEHOLDER.findall(string)) == sorted(PLACEHOLDER.findall(message))


def test_compiled_catalog_is_up_to_date() -> None:
    translations = gettext.translation("messages", i18n.LOCALE_DIR, languages=["zh"])
    for message, text in catalog().items():
        if isinstance(text, str):
            assert translations.gettext(message) == text, message
        else:
            # Chinese has one plural form: every count gets msgstr[0].
            assert translations.ngettext(message, message, 1) == text[0], message


def test_language_choice_order() -> None:
    assert i18n.choose("en", "zh", "zh-CN") == "en"
    assert i18n.choose(None, "zh", "en-US") == "zh"
    assert i18n.choose(None, None, "zh-CN") == "zh"
    assert i18n.choose(None, None, "fr-FR") == "en"
