"""Reconciling a synced deal field by field, and the default mapping of a CRM's stages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.crm import (
    LocalStage,
    RemoteStage,
    default_stage_map,
    merge,
    money_text,
    pending_push,
    remote_stage_for,
)

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
BASE = {"customer": "Acme", "amount": "100.00 CNY", "stage": "lead"}


def test_a_field_only_the_crm_changed_is_taken() -> None:
    result = merge(
        BASE,
        BASE,
        {**BASE, "stage": "won"},
        local_at={},
        remote_at=dict.fromkeys(BASE, T0),
    )
    assert result.take == {"stage": "won"} and not result.push
    assert result.synced["stage"] == "won" and result.overridden == {}


def test_a_field_only_salesbot_changed_is_pushed_not_taken() -> None:
    local = {**BASE, "amount": "200.00 CNY"}
    result = merge(BASE, local, BASE, local_at={}, remote_at=dict.fromkeys(BASE, T0))
    assert result.take == {} and result.push and result.synced == BASE


def test_the_echo_of_our_own_write_changes_nothing() -> None:
    local = {**BASE, "amount": "200.00 CNY"}
    result = merge(BASE, local, local, local_at={}, remote_at=dict.fromkeys(BASE, T0))
    assert result.take == {} and not result.push and result.synced == local


def test_both_changed_the_later_wins() -> None:
    local = {**BASE, "amount": "200.00 CNY"}
    remote = {**BASE, "amount": "300.00 CNY"}
    later_crm = merge(
        BASE,
        local,
        remote,
        local_at={"amount": T0},
        remote_at={**dict.fromkeys(BASE, T0), "amount": T0 + timedelta(minutes=1)},
    )
    assert later_crm.take == {"amount": "300.00 CNY"} and not later_crm.push
    later_slack = merge(
        BASE,
        local,
        remote,
        local_at={"amount": T0 + timedelta(minutes=2)},
        remote_at={**dict.fromkeys(BASE, T0), "amount": T0 + timedelta(minutes=1)},
    )
    assert later_slack.take == {} and later_slack.overridden == {"amount": "300.00 CNY"}
    # The CRM holds 300 now; ours (200) differs, so it is pushed over it.
    assert later_slack.push and later_slack.synced["amount"] == "300.00 CNY"
    assert pending_push(later_slack.synced, local) == {"amount": "200.00 CNY"}


def test_a_field_left_out_of_the_remote_side_is_not_touched() -> None:
    remote = {"customer": "Acme", "amount": "100.00 CNY"}
    result = merge(BASE, {**BASE, "stage": "proposal"}, remote, local_at={}, remote_at={})
    assert result.take == {} and result.push and result.synced["stage"] == "lead"


def test_money_text_is_to_the_cent() -> None:
    assert money_text(Decimal("12000"), "CNY") == money_text(Decimal("12000.004"), "CNY")
    assert money_text(Decimal("0.5"), "USD") == "0.50 USD"


LOCAL = [
    LocalStage("lead", "Lead", "open", Decimal("0.1"), 0),
    LocalStage("qualified", "Qualified", "open", Decimal("0.25"), 1),
    LocalStage("proposal", "Proposal", "open", Decimal("0.5"), 2),
    LocalStage("negotiation", "Negotiation", "open", Decimal("0.75"), 3),
    LocalStage("won", "Won", "won", Decimal(1), 4),
    LocalStage("lost", "Lost", "lost", Decimal(0), 5),
]


def test_default_stage_map_by_kind_name_then_probability() -> None:
    remote = [
        RemoteStage(
            "appointmentscheduled", "default", "Appointment Scheduled", 0, "open", Decimal("0.2")
        ),
        RemoteStage("prop", "default", "proposal", 1, "open", Decimal("0.9")),
        RemoteStage("contractsent", "default", "Contract Sent", 2, "open", Decimal("0.9")),
        RemoteStage("closedwon", "default", "Closed Won", 3, "won", Decimal(1)),
        RemoteStage("closedlost", "default", "Closed Lost", 4, "lost", Decimal(0)),
        RemoteStage("x", "other", "Start", 0, "open", None),
        RemoteStage("y", "other", "End", 1, "open", None),
    ]
    mapped = default_stage_map(remote, LOCAL)
    assert mapped == {
        "appointmentscheduled": "qualified",
        "prop": "proposal",
        "contractsent": "negotiation",
        "closedwon": "won",
        "closedlost": "lost",
        "x": "lead",
        "y": "negotiation",
    }


def test_remote_stage_for_prefers_the_deals_pipeline() -> None:
    stages = [("a", "p1", "won"), ("b", "p2", "won"), ("c", "p2", "lead")]
    assert remote_stage_for("won", stages, "p2") == ("b", "p2")
    assert remote_stage_for("won", stages, None) == ("a", "p1")
    assert remote_stage_for("proposal", stages, "p1") is None


def test_the_crm_commands_parse_in_both_languages() -> None:
    from bot.domain.admin_command import Crm, ParseError, parse_admin_command

    assert parse_admin_command("crm") == Crm("show")
    assert parse_admin_command("客户管理") == Crm("show")
    assert parse_admin_command("crm connect hubspot") == Crm("connect", "hubspot")
    assert parse_admin_command("crm 连接 HubSpot") == Crm("connect", "hubspot")
    assert parse_admin_command("crm disconnect") == Crm("disconnect")
    assert parse_admin_command("crm stages") == Crm("stages")
    assert parse_admin_command("crm 阶段 Contract Sent=谈判") == Crm(
        "stages", mapping=("Contract Sent", "谈判")
    )
    for wrong in ("crm connect", "crm connect salesforce", "crm stages nope", "crm frobnicate"):
        assert isinstance(parse_admin_command(wrong), ParseError), wrong
