"""Segments (issue 17): a team's own deal fields, end to end through signed HTTP. Managers
define them with `/salesbot fields`; reps give values in `/deal add`, updates, the forms and
CSV files, and list by them. What is stored (or that nothing is) is read back from the
database; run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL.

#sales (C1) is a team set up by alice (U1, a Slack admin): bob (U2) and 李雷 (U3) are in it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from bot.services.export import DEAL_COLUMNS
from models import Deal, DealEvent, DealField, DealFieldValue
from tests.e2e.conftest import Say, race

pytestmark = pytest.mark.usefixtures("team")

INDUSTRY = "fields add industry/行业 retail/零售, finance/金融, manufacturing/制造"


@pytest.fixture
def fields(team: None, say: Say) -> None:
    """#sales has two fields: industry (fixed choices) and region (free text), both with
    Chinese aliases."""
    assert "Added the deal field *industry*" in say("/salesbot", INDUSTRY, user="U1").text
    added = say("/salesbot", "fields add region/地区", user="U1").text
    assert "Added the deal field *region*" in added


def values(sessions: sessionmaker[Session]) -> dict[int, dict[str, str]]:
    """Every deal's values, by deal number and field name."""
    with sessions() as session:
        rows = session.execute(
            select(Deal.number, DealField.name, DealFieldValue.value)
            .join(DealFieldValue, DealFieldValue.deal_id == Deal.id)
            .join(DealField, DealFieldValue.field_id == DealField.id)
        )
        found: dict[int, dict[str, str]] = {}
        for number, name, value in rows:
            found.setdefault(number, {})[name] = value
        return found


def counts(sessions: sessionmaker[Session]) -> tuple[int, int, int, int]:
    """Deals, history events, fields and values stored."""
    with sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Deal, DealEvent, DealField, DealFieldValue)
        )


# --------------------------------------------------------------------------- /salesbot fields


def test_a_manager_defines_fields_and_everyone_sees_them(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    assert "None yet" in say("/salesbot", "fields", user="U2").text

    added = say("/salesbot", INDUSTRY, user="U1").text
    free = say("/salesbot", "fields add region/地区", user="U1").text

    assert "Added the deal field *industry* to sales" in added
    assert "(1 of 5)" in added and "(2 of 5)" in free
    listed = say("/salesbot", "fields", user="U2").text
    assert "1. *industry* (行业): retail (零售), finance (金融), manufacturing (制造)" in listed
    assert "2. *region* (地区): free text" in listed
    assert "`/deal add Acme 12k industry:retail`" in listed
    with sessions() as session:
        stored = session.scalars(select(DealField).order_by(DealField.position)).all()
        assert [(f.name, f.alias, f.position) for f in stored] == [
            ("industry", "行业", 1),
            ("region", "地区", 2),
        ]
        assert stored[0].choices == [
            ["retail", "零售"],
            ["finance", "金融"],
            ["manufacturing", "制造"],
        ]
        assert stored[1].choices == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("fields add industry retail", "at least two choices"),
        ("fields add stage a,b", "already means something in `/deal` commands"),
        ("fields add next_step", "already means something"),
        ("fields add 2024 a,b", "one word of letters"),
        ("fields add a-very-long-field-name-indeed", "at most 24 characters"),
        ("fields add industry a,A", "`A` is given twice among the choices"),
        ("fields add industry a/b/c,d", "is not a choice"),
        ("fields add x/X", "alias must differ"),
        ("fields add proposal", "is a stage"),
        ("fields add nego", "is a stage"),
        ("fields add 方案", "is a stage"),
        ("fields frobnicate", "is not something `fields` does"),
    ],
)
def test_a_field_that_cannot_be_is_refused_and_nothing_written(
    say: Say, sessions: sessionmaker[Session], text: str, words: str
) -> None:
    before = counts(sessions)

    reply = say("/salesbot", text, user="U1")

    assert reply.json["response_type"] == "ephemeral"
    assert words in reply.text, reply.text
    assert counts(sessions) == before


@pytest.mark.usefixtures("fields")
def test_names_twice_a_sixth_field_and_reps_are_refused(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    assert (
        "already has a deal field called `industry`"
        in say("/salesbot", "fields add Industry", user="U1").text
    )
    assert (
        "already has a deal field called `行业`"
        in say("/salesbot", "fields add sector/行业", user="U1").text
    )
    assert "Only managers" in say("/salesbot", "fields add source", user="U2").text
    for name in ("source", "size", "channel"):
        assert "Added" in say("/salesbot", f"fields add {name}", user="U1").text
    before = counts(sessions)

    sixth = say("/salesbot", "fields add partner", user="U1").text

    assert "has 5 deal fields already" in sixth
    assert "`/salesbot fields remove`" in sixth
    assert counts(sessions) == before


@pytest.mark.usefixtures("fields")
def test_a_stage_named_like_a_field_is_refused(say: Say) -> None:
    assert (
        "is a deal field of a team here"
        in say("/salesbot", "stages add region 40%", user="U1").text
    )


@pytest.mark.usefixtures("fields")
def test_removing_a_field_takes_its_values_and_keeps_the_history(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k region East")
    say("/deal", "add Beta 5k region West industry:finance")
    say("/deal", "#1 region North")

    removed = say("/salesbot", "fields remove region", user="U1").text

    assert "Removed the deal field *region* from sales, and its values on 2 deals." in removed
    assert "1. *industry*" in removed and "region" not in removed.split("deals.", 1)[1]
    assert values(sessions) == {2: {"industry": "finance"}}
    shown = say("/deal", "show #1").text
    assert "region: East → North" in shown, shown
    assert "Remove" not in say("/salesbot", "fields remove region", user="U1").text


def test_the_chinese_words_of_the_command(say: Say) -> None:
    say("/salesbot", "language zh", user="U1")

    added = say("/salesbot", "字段 添加 行业 零售，金融、制造", user="U1").text

    assert "已为 sales 添加商机字段 *行业*" in added
    assert "1. *行业* : 零售, 金融, 制造" in added or "*行业*: 零售, 金融, 制造" in added
    assert "（1/5）" in say("/salesbot", "字段", user="U1").text


# --------------------------------------------------------------------------- quick entry


@pytest.mark.usefixtures("fields")
def test_quick_entry_takes_fields_in_either_language(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    entries = [
        "add Acme 12k industry:retail",
        "add 华为 5万 行业:零售",
        "add 小米 3万 谈判 行业：金融 地区 华东",
        "add Beta 8k proposal industry manufacturing region East China close 2026-12-20",
        "add Gamma 3k note call them industry:finance",
        "add Delta 2k note check the region first",
        "add Eta 4k industry: manu",
    ]
    for text in entries:
        reply = say("/deal", text)
        assert "Added" in reply.text, (text, reply.text)

    stored = values(sessions)
    assert stored == {
        1: {"industry": "retail"},
        2: {"industry": "retail"},
        3: {"industry": "finance", "region": "华东"},
        4: {"industry": "manufacturing", "region": "East China"},
        5: {"industry": "finance"},
        7: {"industry": "manufacturing"},
    }
    with sessions() as session:
        notes = dict(session.execute(select(Deal.number, Deal.note)).all())
        stages = dict(session.execute(select(Deal.number, Deal.stage)).all())
    assert (notes[5], notes[6]) == ("call them", "check the region first")
    assert stages[3] == "negotiation" and stages[4] == "proposal"


@pytest.mark.usefixtures("fields")
def test_free_text_regions_keep_their_words(say: Say, sessions: sessionmaker[Session]) -> None:
    say("/deal", "add 小米 3万 谈判 行业：金融 地区 华东")
    say("/deal", "add Beta 8k industry manufacturing region East China close 2026-12-20")

    assert values(sessions) == {
        1: {"industry": "finance", "region": "华东"},
        2: {"industry": "manufacturing", "region": "East China"},
    }
    with sessions() as session:
        beta = session.scalars(select(Deal).where(Deal.number == 2)).one()
        assert beta.close_date is not None and beta.close_date.isoformat() == "2026-12-20"


@pytest.mark.usefixtures("fields")
def test_the_reply_to_an_add_shows_the_values(say: Say) -> None:
    reply = say("/deal", "add Acme 12k industry:零售 region East")

    assert "industry: retail · region: East" in reply.text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("add Acme 12k industry:retial", "`retial` is not one of the choices of `industry`"),
        ("add Acme 12k industry:retial", "Did you mean `retail`?"),
        ("add 华为 5万 行业:零售 谈判", "Did you mean `retail`?"),
        ("add Acme 12k industry:gaming", "retail, finance, manufacturing"),
        ("add Acme 12k indsutry:retail", "Did you mean `industry:`?"),
        ("add Acme 12k industry", "“industry” needs a value after it"),
        ("add Acme 12k industry:retail 行业:金融", "You gave `industry` twice"),
        ("add Acme 12k industry:retail industry finance", "“industry” is given twice"),
        ("add Acme 12k region " + "x" * 101, "at most 100 characters"),
    ],
)
@pytest.mark.usefixtures("fields")
def test_a_value_that_is_not_one_is_refused_with_a_guess(
    say: Say, sessions: sessionmaker[Session], text: str, words: str
) -> None:
    before = counts(sessions)

    reply = say("/deal", text)

    assert reply.json["response_type"] == "ephemeral"
    assert words in reply.text, reply.text
    assert counts(sessions) == before


def test_a_team_without_fields_reads_commands_as_before(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    assert "is not a stage" in say("/deal", "add Acme 12k industry:retail").text
    assert "I don't know the command “#1”" in say("/deal", "#1 industry finance").text
    assert counts(sessions)[0] == 0


# --------------------------------------------------------------------------- updates, undo


@pytest.mark.usefixtures("fields")
def test_setting_changing_and_clearing_a_value_is_history_and_undone(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k industry:retail")

    changed = say("/deal", "#1 industry finance").text
    say("/deal", "Acme 地区 华南 stage proposal")

    assert "industry: retail → finance" in changed
    assert values(sessions) == {1: {"industry": "finance", "region": "华南"}}
    shown = say("/deal", "#1").text
    assert "industry: finance · region: 华南" in shown
    assert "industry: retail → finance" in shown and "region: — → 华南" in shown

    undone = say("/deal", "undo").text

    assert "region back to —" in undone, undone
    assert values(sessions) == {1: {"industry": "finance"}}
    cleared = say("/deal", "#1 industry -").text
    assert "industry: finance → —" in cleared
    assert values(sessions) == {}
    assert "industry back to finance" in say("/deal", "undo").text
    assert values(sessions) == {1: {"industry": "finance"}}
    assert "Nothing changed" in say("/deal", "#1 industry finance").text


@pytest.mark.usefixtures("fields")
def test_an_unknown_field_in_an_update_gets_a_guess(say: Say) -> None:
    say("/deal", "add Acme 12k")

    assert "Did you mean `industry:`?" in say("/deal", "#1 stage proposal indstry:retail").text
    assert "Did you mean `retail`?" in say("/deal", "#1 industry retial").text


@pytest.mark.usefixtures("fields")
def test_a_deal_of_another_team_takes_its_own_teams_fields(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    slack.add_channel("C2", "west", members=["U1", "U4"])
    slack.add_user("U4", "wang", tz="Asia/Shanghai")
    say("/salesbot", "setup", user="U1", channel="C2")
    slack.wait_for("response_url", lambda c: "west" in str(c.params))
    say("/salesbot", "fields add segment smb,enterprise", user="U1", channel="C2")
    say("/deal", "add Wang 9k", user="U4")

    # alice manages both: a deal of #west takes #west's fields, wherever she types.
    reply = say("/deal", "#1 industry retail", user="U1", channel="C1")

    assert "`industry` is not a deal field of your team. Its fields: segment." in reply.text
    assert "Updated" in say("/deal", "#1 segment smb", user="U1", channel="C2").text
    assert values(sessions) == {1: {"segment": "smb"}}


# --------------------------------------------------------------------------- lists


@pytest.mark.usefixtures("fields")
def test_list_by_a_value(say: Say) -> None:
    fixture = [
        ("Acme", "retail", "U2"),
        ("Beta", "finance", "U2"),
        ("Gamma", "retail", "U3"),
        ("Delta", None, "U2"),
    ]
    for customer, industry, user in fixture:
        extra = f" industry:{industry}" if industry else ""
        say("/deal", f"add {customer} 5k{extra}", user=user)
    retail = [c for c, i, _u in fixture if i == "retail"]
    without = [c for c, i, _u in fixture if i is None]

    for text in (
        "list industry:retail",
        "list 行业 零售",
        "list industry:Retail",
        "list 行业：零售",
    ):
        reply = say("/deal", text, user="U2")
        shown = [c for c, _i, _u in fixture if f"*{c}*" in reply.text]
        assert shown == retail, (text, reply.text)
        assert "*Open deals with industry: retail* (2)" in reply.text

    missing = say("/deal", "list industry:-", user="U2").text
    assert [c for c, _i, _u in fixture if f"*{c}*" in missing] == without
    assert "Open deals with no industry" in missing
    assert (
        "No open deals with industry: manufacturing."
        in say("/deal", "list industry:manufacturing").text
    )
    assert "Did you mean `industry:`?" in say("/deal", "list indusrty:retail").text
    assert "Which industry?" in say("/deal", "list industry").text


# --------------------------------------------------------------------------- forms


def _open_new(driver: SlackDriver, slack: DevSlack) -> dict[str, Any]:
    url = slack.response_url("/deal", user_id="U2", channel_id="C1")
    driver.command("/deal", "new", user="U2", response_url=url, trigger_id="777.1.abc")
    view: dict[str, Any] = slack.wait_for("views.open")[-1].response["view"]
    return view


def _state(view: dict[str, Any], **given: dict[str, Any]) -> dict[str, Any]:
    """Every input of the form as Slack sends it: `given` by block id, the rest as opened."""
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        if block["block_id"] in given:
            values[block["block_id"]] = {"value": given[block["block_id"]]}
        elif element["type"] == "static_select":
            picked = element.get("initial_option")
            values[block["block_id"]] = {
                "value": {"type": "static_select", "selected_option": picked}
            }
        elif element["type"] == "datepicker":
            values[block["block_id"]] = {
                "value": {"type": "datepicker", "selected_date": element.get("initial_date")}
            }
        else:
            values[block["block_id"]] = {
                "value": {"type": "plain_text_input", "value": element.get("initial_value")}
            }
    return {"values": values}


def _text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def _pick(block: dict[str, Any], value: str) -> dict[str, Any]:
    option = next(o for o in block["element"]["options"] if o["value"] == value)
    return {"type": "static_select", "selected_option": option}


def _submit(driver: SlackDriver, view: dict[str, Any], state: dict[str, Any], user: str = "U2"):  # type: ignore[no-untyped-def]
    return driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": user},
            "view": {**view, "id": "V1", "state": state},
        }
    )


def _blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("type") == "input"}


@pytest.mark.usefixtures("fields")
def test_the_new_deal_form_asks_for_the_fields(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        ids = dict(session.execute(select(DealField.name, DealField.id)).all())
    view = _open_new(driver, slack)
    blocks = _blocks(view)
    industry, region = blocks[f"field_{ids['industry']}"], blocks[f"field_{ids['region']}"]

    assert industry["label"]["text"] == "industry (行业)" and industry["optional"] is True
    assert [o["text"]["text"] for o in industry["element"]["options"]] == [
        "retail (零售)",
        "finance (金融)",
        "manufacturing (制造)",
    ]
    assert region["element"]["type"] == "plain_text_input"
    # Which fields it shows is sealed with where it goes.
    assert view["private_metadata"].startswith(
        json.dumps({"c": "C1", "f": [ids["industry"], ids["region"]]}, separators=(",", ":")) + "."
    )
    state = _state(
        view,
        customer=_text("Initech"),
        amount=_text("12k"),
        **{
            f"field_{ids['industry']}": _pick(industry, "finance"),
            f"field_{ids['region']}": _text("  North  "),
        },
    )

    assert _submit(driver, view, state).status == 200
    assert values(sessions) == {1: {"industry": "finance", "region": "North"}}
    confirmation = slack.wait_for("chat.postEphemeral")[0].params
    assert "industry: finance · region: North" in json.dumps(confirmation, ensure_ascii=False)


@pytest.mark.usefixtures("fields")
def test_a_field_block_the_form_was_not_opened_with_is_refused(
    driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    view = _open_new(driver, slack)
    state = _state(view, customer=_text("Initech"), amount=_text("12k"))
    state["values"]["field_999"] = {"value": _text("retail")}
    before = counts(sessions)

    reply = _submit(driver, view, state)

    assert reply.json["response_action"] == "errors"
    assert "This form has expired or is not valid" in json.dumps(reply.json)
    assert counts(sessions) == before


@pytest.mark.usefixtures("fields")
def test_a_field_removed_while_the_form_was_open_is_named(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    view = _open_new(driver, slack)
    region = next(
        b for b in _blocks(view) if b.startswith("field_") and "region" in str(_blocks(view)[b])
    )
    say("/salesbot", "fields remove region", user="U1")
    state = _state(view, customer=_text("Initech"), amount=_text("12k"), **{region: _text("East")})
    before = counts(sessions)

    reply = _submit(driver, view, state)

    assert reply.json["response_action"] == "errors"
    assert reply.json["errors"] == {
        region: "This field was removed meanwhile: close the form and open it again."
    }
    assert counts(sessions) == before


def _open_edit(driver: SlackDriver, slack: DevSlack, number: int) -> dict[str, Any]:
    opened = len(slack.calls("views.open"))
    driver.interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U2"},
            # Each press its own (the replay guard refuses a request it has seen).
            "trigger_id": f"trig{opened}",
            "view": {"id": "VHOME", "type": "home"},
            "actions": [{"action_id": "home_edit", "value": str(number)}],
        }
    )
    view: dict[str, Any] = slack.wait_for("views.open", count=opened + 1)[-1].params["view"]
    return view


@pytest.mark.usefixtures("fields")
def test_the_edit_form_shows_changes_and_clears_values(
    say: Say, driver: SlackDriver, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 40k industry:retail region East")
    view = _open_edit(driver, slack, 1)
    blocks = _blocks(view)
    industry = next(b for k, b in blocks.items() if k.startswith("field_") and "行业" in str(b))
    region = next(b for k, b in blocks.items() if k.startswith("field_") and b is not industry)

    assert industry["element"]["initial_option"]["value"] == "retail"
    assert industry["element"]["options"][0]["value"] == "-", "a way to take the value away"
    assert region["element"]["initial_value"] == "East"
    bad = _state(
        view,
        **{
            industry["block_id"]: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "gaming"},
            }
        },
    )
    refused = _submit(driver, view, bad)
    assert "is not one of the choices of `industry`" in refused.json["errors"][industry["block_id"]]

    state = _state(
        view,
        **{industry["block_id"]: _pick(industry, "-"), region["block_id"]: _text("")},
    )
    assert _submit(driver, view, state).status == 200
    assert values(sessions) == {}
    view = _open_edit(driver, slack, 1)
    state = _state(view, **{industry["block_id"]: _pick(industry, "manufacturing")})
    assert _submit(driver, view, state).status == 200
    assert values(sessions) == {1: {"industry": "manufacturing"}}
    history = say("/deal", "show #1").text
    assert "industry: retail → —" in history and "region: East → —" in history
    assert "industry: — → manufacturing" in history


# --------------------------------------------------------------------------- export


@pytest.mark.usefixtures("fields")
def test_the_export_has_a_column_per_field_at_the_end(say: Say, slack: DevSlack) -> None:
    say("/deal", "add Acme 12k industry:retail region 华东")
    say("/deal", "add Beta 5k")

    say("/deal", "export", user="U1")

    slack.wait_for("files.completeUploadExternal")
    (content,) = slack.uploads().values()
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    assert tuple(reader.fieldnames or ()) == (*DEAL_COLUMNS, "industry", "region")
    rows = list(reader)
    assert [(r["customer"], r["industry"], r["region"]) for r in rows] == [
        ("Acme", "retail", "华东"),
        ("Beta", "", ""),
    ]


# --------------------------------------------------------------------------- escaping


def test_a_choice_or_value_that_looks_like_markup_stays_text(say: Say) -> None:
    say("/salesbot", "fields add source <!channel>,*bold*", user="U1")
    say("/salesbot", "fields add region", user="U1")
    say("/deal", "add Acme 12k source:<!channel> region <@U1> x")

    for text in ("show #1", "list source:<!channel>", "list team"):
        blocks = json.dumps(say("/deal", text).json.get("blocks"), ensure_ascii=False)
        assert "<!channel>" not in blocks and "<@U1>" not in blocks, (text, blocks)
    shown = json.dumps(say("/deal", "show #1").json["blocks"], ensure_ascii=False)
    assert "source: &lt;!channel&gt;" in shown and "region: &lt;@U1&gt; x" in shown
    listed = json.dumps(say("/salesbot", "fields").json["blocks"], ensure_ascii=False)
    assert "<!channel>" not in listed and "*bold*" not in listed


# --------------------------------------------------------------------------- at once


def test_managers_adding_fields_at_once_stop_at_five(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    for name in ("industry", "region", "source", "size"):
        say("/salesbot", f"fields add {name}", user="U1")

    replies = race(
        [lambda n=n: say("/salesbot", f"fields add extra{n}", user="U1") for n in range(6)]  # type: ignore[misc]
    )

    added = [r for r in replies if "Added the deal field" in r.text]
    assert len(added) == 1, [r.text for r in replies]
    assert all("has 5 deal fields already" in r.text for r in replies if r not in added)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(DealField)) == 5


# --------------------------------------------------------------------------- insights by a field


@pytest.mark.usefixtures("fields")
def test_insights_by_a_free_text_field_until_it_is_removed(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add Acme 12k won region East")
    say("/deal", "add 小米 3万 won 地区 华东")
    say("/deal", "add Beta 8k lead region East")
    say("/deal", "lost Beta price")
    say("/deal", "add Gamma 5k won")

    text = say("/deal", "insights by 地区").text

    assert "Insights by 地区" in text
    # 华东 30k, East 12k won of 20k closed, none 5k: the most revenue first.
    order = [text.index(w) for w in ("*华东* · ¥30k won", "*East* · ¥12k won", "_(none)_")]
    assert order == sorted(order)
    assert "*East* · ¥12k won · win rate 50.0% (1 of 2), 60.0% of the amount" in text
    say("/salesbot", "fields remove region", user="U1")
    before = counts(sessions)
    refused = say("/deal", "insights by region").text
    assert "I can't split deals by “region”" in refused and "deal fields: industry." in refused
    assert counts(sessions) == before
