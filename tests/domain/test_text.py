import pytest

from bot.domain.text import (
    Mention,
    TextTooLongError,
    Wording,
    clean_text,
    cut_plain,
    escape_mrkdwn,
    escape_mrkdwn_within,
    parse_mention,
    worded,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme", "Acme"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("A & B", "A &amp; B"),
        ("&lt;", "&amp;lt;"),
        ("*bold*", "\u2217bold\u2217"),
        ("_italic_", "\u02cditalic\u02cd"),
        ("~strike~", "\u223cstrike\u223c"),
        ("`code`", "\u02cbcode\u02cb"),
        ("＊粗体＊", "\ufe61粗体\ufe61"),
        ("> quoted", "\u00ad&gt; quoted"),
        ("a\n  > quoted", "a\n  \u00ad&gt; quoted"),
        ("＞ 引用", "\u00ad＞ 引用"),
        ("a > b", "a &gt; b"),
        ("阿里巴巴 👨\u200d👩\u200d👧", "阿里巴巴 👨\u200d👩\u200d👧"),
    ],
)
def test_escape_mrkdwn(text: str, expected: str) -> None:
    assert escape_mrkdwn(text) == expected


def test_escape_mrkdwn_leaves_no_control_characters() -> None:
    escaped = escape_mrkdwn("<!here> *a* _b_ ~c~ `d` & <@U1|x>")
    assert not set("<>*_~`") & set(escaped)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Acme   Corp  ", "Acme Corp"),
        ("Acme\x00Corp", "AcmeCorp"),
        ("Acme\tCorp", "Acme Corp"),
        ("Acme\nCorp", "Acme Corp"),
        ("Acme\r\nCorp", "Acme Corp"),
        ("\u202eAcme\u202c", "Acme"),
        ("\u2066Acme\u2069", "Acme"),
        ("\u200bAcme\ufeff", "Acme"),
        ("\u3000阿里巴巴\u3000", "阿里巴巴"),
        ("Acme\x1b[31m", "Acme[31m"),
        ("👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧 family"),
        ("e\u0301", "\u00e9"),  # NFC
        ("\ud800Acme", "Acme"),  # lone surrogate
        ("", ""),
    ],
)
def test_clean_text_single_line(text: str, expected: str) -> None:
    assert clean_text(text, max_len=200) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("line 1\nline 2", "line 1\nline 2"),
        ("line 1\r\nline 2\rline 3", "line 1\nline 2\nline 3"),
        ("a  \nb", "a\nb"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("  indented\n    code", "indented\n    code"),
        ("a\u2028b", "a\nb"),
        ("\n\na\x00b\n\n", "ab"),
    ],
)
def test_clean_text_multiline(text: str, expected: str) -> None:
    assert clean_text(text, max_len=2000, multiline=True) == expected


def test_clean_text_checks_length_after_cleaning() -> None:
    assert clean_text("  " + "a" * 5 + "  ", max_len=5) == "aaaaa"
    with pytest.raises(TextTooLongError) as error:
        clean_text("a" * 2001, max_len=2000)
    assert str(error.value) == (
        "That text is 2,001 characters long; the limit here is 2,000. Please shorten it by 1."
    )
    assert (error.value.length, error.value.max_len) == (2001, 2000)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("<@U123>", "U123"),
        ("<@U123|maria>", "U123"),
        ("<@W0ABC|Mary Ann>", "W0ABC"),
        (" <@U1> ", "U1"),
        ("@maria", None),
        ("<#C123|general>", None),
        ("<!channel>", None),
        ("<@u123>", None),
        ("<@U123", None),
        ("x<@U123>", None),
        ("", None),
    ],
)
def test_parse_mention(token: str, expected: str | None) -> None:
    assert parse_mention(token) == expected


def test_a_wording_escapes_what_was_typed_only_for_mrkdwn() -> None:
    wording = worded(
        "*{stage}* is a closing stage ({count}) · {person}",
        stage="<!channel> *b*",
        count=3,
        person=Mention("U0BOSS"),
    )
    assert wording.mrkdwn() == "*&lt;!channel&gt; \u2217b\u2217* is a closing stage (3) · <@U0BOSS>"
    assert wording.plain() == "*<!channel> *b** is a closing stage (3) · <@U0BOSS>"
    assert Wording("Braces {stay} as written").mrkdwn() == "Braces {stay} as written"


@pytest.mark.parametrize("limit", [10, 11, 12, 50])
def test_escape_within_cuts_before_escaping(limit: int) -> None:
    text = "<<<<<<<<<<&&&&&&&&&&"
    shown = escape_mrkdwn_within(text, limit)
    assert len(shown) <= limit
    assert shown == escape_mrkdwn(text) or (
        shown.endswith("…") and escape_mrkdwn(text).startswith(shown[:-1])
    )


def test_cut_plain_keeps_a_short_text_and_marks_a_cut() -> None:
    assert cut_plain("Proposal", 75) == "Proposal"
    assert cut_plain("x" * 80, 75) == "x" * 74 + "…"
