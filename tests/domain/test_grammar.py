"""What the command grammars share: one refusal type and one way of writing usage."""

from bot.domain import admin_command, deal_command, report_command, standup_command, target_command
from bot.domain.grammar import ParseError, quote_error, usage_line
from bot.domain.lexer import lex


def test_the_old_refusal_names_are_the_one_type() -> None:
    # The handlers still import these names for their isinstance checks.
    for old in (
        deal_command.ParseError,
        target_command.TargetParseError,
        standup_command.StandupParseError,
        admin_command.AdminError,
        report_command.ReportError,
    ):
        assert old is ParseError


def test_every_grammar_refuses_with_the_one_type() -> None:
    for refusal in (
        deal_command.parse_deal_command("frobnicate"),
        target_command.parse_target_command("frobnicate"),
        target_command.parse_leaderboard_args("frobnicate"),
        standup_command.parse_standup_command("frobnicate"),
        admin_command.parse_admin_command("frobnicate"),
        report_command.parse_report_args("frobnicate"),
    ):
        assert type(refusal) is ParseError, refusal


def test_usage_line_escapes_the_form_but_not_the_examples() -> None:
    assert usage_line("/x <a&b>", "/x 1") == "`/x &lt;a&amp;b&gt;` — e.g. `/x 1`"
    assert usage_line("/x <a>", "/x 1", "/x 2") == "`/x &lt;a&gt;` — e.g. `/x 1` or `/x 2`"


def test_quote_error_names_the_open_quote() -> None:
    refusal = quote_error(lex('add "Acme 5k'), "usage")
    assert refusal == ParseError(
        'There\'s an opening quote " with no closing quote in “add "Acme 5k”.', "usage"
    )
