"""Deal fields as pure rules: `/salesbot fields` parsed, names and choices found, and the /deal
grammar given a team's field names."""

from __future__ import annotations

import pytest

from bot.domain import admin_command as admin
from bot.domain import deal_command as deal
from bot.domain.deal_fields import (
    RESERVED,
    Choice,
    DealField,
    FieldError,
    event_field,
    field_of_event,
    find_choice,
    find_field,
    name_problem,
    words_of,
)
from bot.services.export import DEAL_COLUMNS

INDUSTRY = DealField(
    1,
    "industry",
    "行业",
    (Choice("retail", "零售"), Choice("finance", "金融"), Choice("Manufacturing")),
    1,
)
REGION = DealField(2, "region", None, (), 2)
WORDS = words_of([INDUSTRY, REGION])


# --------------------------------------------------------------------------- /salesbot fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fields", admin.Fields("list")),
        ("字段", admin.Fields("list")),
        ("field list", admin.Fields("list")),
        ("fields remove Region", admin.Fields("remove", "region")),
        ("字段 删除 行业", admin.Fields("remove", "行业")),
        ("fields add region", admin.Fields("add", "region")),
        ("fields add Region/地区", admin.Fields("add", "region", "地区")),
        (
            "fields add industry/行业 retail/零售, finance/金融,manufacturing",
            admin.Fields(
                "add",
                "industry",
                "行业",
                (Choice("retail", "零售"), Choice("finance", "金融"), Choice("manufacturing")),
            ),
        ),
        (
            "字段 添加 行业 零售，金融、制造",
            admin.Fields("add", "行业", None, (Choice("零售"), Choice("金融"), Choice("制造"))),
        ),
        (
            "fields add industry real estate, retail",
            admin.Fields("add", "industry", None, (Choice("real estate"), Choice("retail"))),
        ),
        (
            "fields add source web,,referral",
            admin.Fields("add", "source", None, (Choice("web"), Choice("referral"))),
        ),
        ("fields add ＩＮＤＵＳＴＲＹ", admin.Fields("add", "industry")),
    ],
)
def test_fields_commands(text: str, expected: admin.Fields) -> None:
    assert admin.parse_admin_command(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("fields add", "Say which field after `add`"),
        ("fields remove", "`remove` takes one field name"),
        ("fields add industry retail", "at least two choices"),
        ("fields add a/b/c", "one name and at most one alias"),
        ("fields add x/X", "must differ"),
        ("fields add 1st", "one word of letters"),
        ("fields add my:field", "one word of letters"),
        ("fields add stage", "already means something"),
        ("fields add 阶段", "already means something"),
        ("fields add owner", "already means something"),
        ("fields add industry " + ",".join(f"c{n}" for n in range(51)), "at most 50 choices"),
        ("fields add industry " + "x" * 31 + ",b", "at most 30 characters"),
        ("fields add industry a/A,b", "given twice"),
        ("fields add industry a,b/A", "given twice"),
    ],
)
def test_fields_commands_refused(text: str, words: str) -> None:
    parsed = admin.parse_admin_command(text)

    assert isinstance(parsed, admin.ParseError)
    assert words in parsed.message


def test_every_export_column_and_deal_keyword_is_reserved() -> None:
    assert set(DEAL_COLUMNS) <= RESERVED
    assert {"close", "截止", "note", "stage", "list", "mine", "team", "reason"} <= RESERVED
    assert all(name_problem(word) is not None for word in RESERVED)
    assert name_problem("industry") is None and name_problem("行业") is None


# --------------------------------------------------------------------------- finding


def test_a_field_by_its_name_or_alias() -> None:
    assert find_field("行业", [INDUSTRY, REGION]) is INDUSTRY
    assert find_field("REGION", [INDUSTRY, REGION]) is REGION
    with pytest.raises(FieldError) as error:
        find_field("indstry", [INDUSTRY, REGION])
    assert error.value.meant == "industry"
    assert "Its fields: industry, region" in str(error.value)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("retail", "retail"),
        ("RETAIL", "retail"),
        ("零售", "retail"),
        ("ｒｅｔａｉｌ", "retail"),
        ("fin", "finance"),
        ("manufacturing", "Manufacturing"),
        ("manu", "Manufacturing"),
    ],
)
def test_a_choice_by_its_value_alias_or_prefix(typed: str, value: str) -> None:
    assert find_choice(INDUSTRY, typed).value == value


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("retial", "retail"), ("零售 谈判", "retail"), ("gaming", None), ("re", None)],
)
def test_a_choice_that_is_none_is_refused_with_a_guess(typed: str, meant: str | None) -> None:
    with pytest.raises(FieldError) as error:
        find_choice(INDUSTRY, typed)

    assert error.value.meant == meant
    assert "retail, finance, Manufacturing" in str(error.value)


def test_history_names_a_field_by_its_name() -> None:
    assert event_field(INDUSTRY) == "field:industry"
    assert field_of_event("field:industry") == "industry"
    assert field_of_event("stage") is None


# --------------------------------------------------------------------------- /deal, with fields


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("add Acme 12k industry:retail", (("industry", "retail"),)),
        ("add Acme 12k industry：retail", (("industry", "retail"),)),
        ("add Acme 12k industry: retail", (("industry", "retail"),)),
        ("add Acme 12k industry retail", (("industry", "retail"),)),
        ("add 华为 5万 行业:零售", (("行业", "零售"),)),
        ("add 华为，5万，行业，零售", (("行业", "零售"),)),
        ("add Acme 12k region East China", (("region", "East China"),)),
        (
            "add Acme 12k industry retail region 华东",
            (("industry", "retail"), ("region", "华东")),
        ),
        ("add Region Bank 12k", ()),
        ("add Acme 12k note check the region first", ()),
        ("add Acme 12k note call them industry:retail", (("industry", "retail"),)),
        ("add Re:Build 12k", ()),
    ],
)
def test_add_reads_the_teams_fields(text: str, fields: tuple[tuple[str, str], ...]) -> None:
    parsed = deal.parse_deal_command(text, WORDS)

    assert isinstance(parsed, deal.Add), parsed
    assert parsed.fields == fields


def test_a_note_runs_past_a_field_word_but_not_its_colon() -> None:
    past = deal.parse_deal_command("add Acme 12k note check the region first", WORDS)
    cut = deal.parse_deal_command("add Acme 12k note call them industry:retail", WORDS)

    assert isinstance(past, deal.Add) and past.note == "check the region first"
    assert isinstance(cut, deal.Add) and cut.note == "call them"


def test_the_rest_of_an_add_keeps_its_meaning() -> None:
    parsed = deal.parse_deal_command(
        "add Acme 12k proposal industry retail close 2026-12-20 note bring the contract", WORDS
    )

    assert parsed == deal.Add(
        customer="Acme",
        amount_text="12k",
        stage_text="proposal",
        close_text="2026-12-20",
        note="bring the contract",
        fields=(("industry", "retail"),),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "#12 industry finance",
            deal.Update(deal.DealNumber(12), (), None, (("industry", "finance"),)),
        ),
        (
            "Acme 行业 金融 stage won",
            deal.Update(deal.CustomerName("Acme"), (("stage", "won"),), None, (("行业", "金融"),)),
        ),
        (
            "#12 stage won region North",
            deal.Update(deal.DealNumber(12), (("stage", "won"),), None, (("region", "North"),)),
        ),
        ("#12 region -", deal.Update(deal.DealNumber(12), (), None, (("region", "-"),))),
    ],
)
def test_an_update_sets_a_field(text: str, expected: deal.Update) -> None:
    assert deal.parse_deal_command(text, WORDS) == expected


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("list industry:retail", ("industry", "retail")),
        ("list 行业 零售", ("行业", "零售")),
        ("list region East China", ("region", "East China")),
        ("list industry:-", ("industry", "-")),
    ],
)
def test_a_list_by_a_value(text: str, field: tuple[str, str]) -> None:
    assert deal.parse_deal_command(text, WORDS) == deal.List("field", None, None, field)


@pytest.mark.parametrize(
    ("text", "message", "usage"),
    [
        ("add Acme 12k indsutry:retail", "`indsutry` is not a deal field", "`industry:`"),
        ("#12 stage won regoin:North", "`regoin` is not a deal field", "`region:`"),
        ("list indsutry:retail", "`indsutry` is not a deal field", "`industry:`"),
        ("list industry", "Which industry?", ""),
        ("#12 industry a industry b", "“industry” is given twice", ""),
        ("add Acme 12k industry", "“industry” needs a value", ""),
    ],
)
def test_slips_with_fields(text: str, message: str, usage: str) -> None:
    parsed = deal.parse_deal_command(text, WORDS)

    assert isinstance(parsed, deal.ParseError), parsed
    assert message in parsed.message and usage in parsed.usage


@pytest.mark.parametrize(
    "text",
    [
        "add Acme 12k industry:retail",
        "#12 industry finance",
        "list industry:retail",
        "add Acme 12k proposal close Dec 20",
        "#12 stage won",
    ],
)
def test_without_fields_commands_read_as_before(text: str) -> None:
    before = deal.parse_deal_command(text)

    assert deal.parse_deal_command(text, ()) == before
    assert not isinstance(before, deal.Add | deal.Update) or before.fields == ()


def test_which_commands_are_read_again_with_the_fields() -> None:
    again = ["add Acme 12k", "#12 stage won", "#12 industry finance", "list proposal"]
    once = ["list", "list team", "won #12", "show #12", "pipeline", "undo"]

    assert all(deal.names_fields(deal.parse_deal_command(t)) for t in again)
    assert not any(deal.names_fields(deal.parse_deal_command(t)) for t in once)


def test_a_reserved_word_is_never_a_field_keyword() -> None:
    parsed = deal.parse_deal_command("add Acme 12k close Dec 20", frozenset({"close", "industry"}))

    assert isinstance(parsed, deal.Add) and parsed.close_text == "Dec 20" and parsed.fields == ()
