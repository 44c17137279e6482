import pytest

from bot.domain.text import TextTooLongError, clean_text, escape_mrkdwn, parse_mention


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
