"""Amounts, dates and keywords as reps type them (issue 16), end to end: each line is a signed
`/deal` over HTTP, and what it stored (or that it stored nothing) is read back from the
database. Run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL.

Today is Monday 30 November 2026 in Shanghai (the team's and bob's zone).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.driver import SlackDriver
from bot.dev.standin import DevSlack
from models import Deal, DealEvent
from tests.e2e.conftest import Say
from tests.e2e.test_guards import answered, asked, button, press


class Stored(NamedTuple):
    """A deal as the database holds it."""

    customer: str
    amount: Decimal
    currency: str = "CNY"
    stage: str = "lead"
    close_date: date | None = None
    note: str = ""


def deal(customer: str, amount: str | int, **fields: Any) -> Stored:
    return Stored(customer, Decimal(amount), **fields)


class Asks(NamedTuple):
    """A large amount is asked about first (no win yet); pressing Yes stores `then`."""

    label: str
    then: Stored


class Refused(NamedTuple):
    """Refused with these words in the reply; nothing written."""

    words: str


DEC_20 = date(2026, 12, 20)
DEC_31 = date(2026, 12, 31)

ADD: list[tuple[str, Stored | Asks | Refused]] = [
    # Chinese numerals, on the amount only
    ("华为 三万", deal("华为", 30000)),
    ("华为 三万五", deal("华为", 35000)),
    ("华为 3万5", deal("华为", 35000)),
    ("华为 1万2", deal("华为", 12000)),
    ("华为 十二万", deal("华为", 120000)),
    ("华为 一百二十万", Asks("Yes, add ¥1,200,000", deal("华为", 1200000))),
    ("华为 两千", deal("华为", 2000)),
    ("华为 两千块", deal("华为", 2000)),
    ("华为 5萬", deal("华为", 50000)),
    ("华为 ５万", deal("华为", 50000)),
    ("华为 5万元", deal("华为", 50000)),
    ("华为 5万块", deal("华为", 50000)),
    ("华为 RMB5万", deal("华为", 50000)),
    ("华为一号项目 三万五", deal("华为一号项目", 35000)),
    ("华为一号项目 3万5 谈判", deal("华为一号项目", 35000, stage="negotiation")),
    ("周一 两千块", deal("周一", 2000)),
    ("小米 三万五千元 方案", deal("小米", 35000, stage="proposal")),
    ("小米 壹拾万", deal("小米", 100000)),
    ("小米 兩千", deal("小米", 2000)),
    ("小米 ¥三万", deal("小米", 30000)),
    ("小米 人民币5万", deal("小米", 50000)),
    ("小米 三万美元", deal("小米", 30000, currency="USD")),
    ("小米 12万3", deal("小米", 123000)),
    ("小米 2千5", deal("小米", 2500)),
    ("Acme １２，０００", deal("Acme", 12000)),
    # A space before the unit or currency
    ("Acme 50 k", deal("Acme", 50000)),
    ("Acme 1.5 M", Asks("Yes, add ¥1,500,000", deal("Acme", 1500000))),
    ("华为 5 万", deal("华为", 50000)),
    ("Acme 50 K proposal", deal("Acme", 50000, stage="proposal")),
    ("华为 5 万元 谈判", deal("华为", 50000, stage="negotiation")),
    ("华为 RMB 5 万", deal("华为", 50000)),
    ("Acme $ 50 k", deal("Acme", 50000, currency="USD")),
    ("Acme 12 k close Dec 20", deal("Acme", 12000, close_date=DEC_20)),
    # A Chinese comma separates like a space (and stays in a note)
    ("华为，5万", deal("华为", 50000)),
    ("华为，5万，谈判", deal("华为", 50000, stage="negotiation")),
    (
        "华为，三万五，方案，截止，月底",
        deal("华为", 35000, stage="proposal", close_date=date(2026, 11, 30)),
    ),
    ("华为 5万 备注 先报价，再约见", deal("华为", 50000, note="先报价，再约见")),
    # Ambiguous or unreadable amounts
    ("Acme 1,5M", Refused("did you mean 1.5M?")),
    ("Acme 1,5", Refused("did you mean 1.5?")),
    ("Acme 1.500.000", Refused("did you mean 1,500,000?")),
    ("Acme 12,00,000", Refused("did you mean 1,200,000?")),
    ("Acme €1,5k", Refused("did you mean €1.5k?")),
    ("Acme 1.234,56", Refused("did you mean 1,234.56?")),
    ("华为 １，５万", Refused("did you mean 1.5万?")),
    ("Acme 1.2.3", Refused("I can't tell which number")),
    ("华为 三点五万", deal("华为", 35000)),
    ("华为 十二点五万 谈判", deal("华为", 125000, stage="negotiation")),
    ("华为 一亿二", Asks("Yes, add ¥120,000,000", deal("华为", 120000000))),
    ("华为 1亿2", Asks("Yes, add ¥120,000,000", deal("华为", 120000000))),
    ("华为 三点万", Refused("couldn't find an amount")),
    ("华为 万", Refused("couldn't find an amount")),
    ("华为 -三万", Refused("negative")),
    ("华为一号项目", Refused("couldn't find an amount")),
    # Close dates
    ("Acme 12k close next month", deal("Acme", 12000, close_date=DEC_31)),
    ("华为 5万 截止 下个月", deal("华为", 50000, close_date=DEC_31)),
    ("Acme 12k close Jan 2027", deal("Acme", 12000, close_date=date(2027, 1, 31))),
    ("华为 5万 截止 2027年1月", deal("华为", 50000, close_date=date(2027, 1, 31))),
    ("华为 5万 截止 下下周一", deal("华为", 50000, close_date=date(2026, 12, 14))),
    ("华为 5万 截止 下个月15号", deal("华为", 50000, close_date=date(2026, 12, 15))),
    ("华为 5万 截止 二〇二六年十二月十五日", deal("华为", 50000, close_date=date(2026, 12, 15))),
    ("华为 5万 截止 月底", deal("华为", 50000, close_date=date(2026, 11, 30))),
    ("华为 5万 截止 季度末", deal("华为", 50000, close_date=DEC_31)),
    ("华为 5万 截止 年底", deal("华为", 50000, close_date=DEC_31)),
    ("华为 5万 成交日 12月底", deal("华为", 50000, close_date=DEC_31)),
    ("Acme 12k close end of january 2027", deal("Acme", 12000, close_date=date(2027, 1, 31))),
    ("Acme 12k close next quarter", deal("Acme", 12000, close_date=date(2027, 3, 31))),
    ("华为 5万 截止 明年", deal("华为", 50000, close_date=date(2027, 12, 31))),
    ("Acme 12k close Dec", deal("Acme", 12000, close_date=DEC_31)),
    ("华为 5万 截止 十二月", deal("华为", 50000, close_date=DEC_31)),
    ("Acme 12k close 15th", deal("Acme", 12000, close_date=date(2026, 12, 15))),
    ("华为 5万 截止 15号", deal("华为", 50000, close_date=date(2026, 12, 15))),
    ("Acme 12k close 2027-01", deal("Acme", 12000, close_date=date(2027, 1, 31))),
    ("华为 5万 截止 下个月十五号", deal("华为", 50000, close_date=date(2026, 12, 15))),
    ("Acme 12k close 15th of next month", deal("Acme", 12000, close_date=date(2026, 12, 15))),
    ("华为 5万 截止 这个月", deal("华为", 50000, close_date=date(2026, 11, 30))),
    ("Acme 12k close tomorrow", deal("Acme", 12000, close_date=date(2026, 12, 1))),
    ("华为 5万 截止 3天后", deal("华为", 50000, close_date=date(2026, 12, 3))),
    ("华为 5万 截止 32号", Refused("no month has a day 32")),
    ("华为 5万 截止 2027年13月", Refused("no month 13")),
    ("Acme 12k close someday soon", Refused("isn't a date")),
    # Keywords in any order, in both languages
    (
        "Eta 12k note call them close Dec 20",
        deal("Eta", 12000, close_date=DEC_20, note="call them"),
    ),
    (
        "Eta 12k close Dec 20 note call them",
        deal("Eta", 12000, close_date=DEC_20, note="call them"),
    ),
    (
        "Eta 12k stage proposal close Dec 20",
        deal("Eta", 12000, stage="proposal", close_date=DEC_20),
    ),
    (
        "Eta 12k close Dec 20 stage proposal note call them",
        deal("Eta", 12000, stage="proposal", close_date=DEC_20, note="call them"),
    ),
    (
        "Eta 12k note call them stage negotiation",
        deal("Eta", 12000, stage="negotiation", note="call them"),
    ),
    ("华为 5万 备注 带上合同 截止 下个月", deal("华为", 50000, close_date=DEC_31, note="带上合同")),
    ("华为 5万 阶段 谈判", deal("华为", 50000, stage="negotiation")),
    (
        "华为 5万 截止 月底 阶段 方案 备注 老客户",
        deal("华为", 50000, stage="proposal", close_date=date(2026, 11, 30), note="老客户"),
    ),
    ("华为 5万 备注：带上合同", deal("华为", 50000, note="带上合同")),
    ("华为 5万 截止：月底", deal("华为", 50000, close_date=date(2026, 11, 30))),
    ('Eta 12k note "call them before close"', deal("Eta", 12000, note="call them before close")),
    (
        'Eta 12k note "close the deal" close Dec 20',
        deal("Eta", 12000, close_date=DEC_20, note="close the deal"),
    ),
    ("Eta 12k note ask about the amount", deal("Eta", 12000, note="ask about the amount")),
    (
        "Eta 12k CLOSE Dec 20 NOTE Call them",
        deal("Eta", 12000, close_date=DEC_20, note="Call them"),
    ),
    ("Eta 12k note call them close to signing", Refused("If “close” belongs in the note")),
    ("Eta 12k note early stage talks", Refused("If “stage” belongs in the note")),
    ("Eta 12k proposal stage won", Refused("You gave the stage twice")),
    ("Eta 12k note a note b", Refused("given twice")),
    ("Eta 12k close Dec 20 close Dec 21", Refused("given twice")),
    ("华为 5万 成交日", Refused("needs a value")),
    ("Close Brothers 12k close Dec 20", deal("Close Brothers", 12000, close_date=DEC_20)),
    ("Stage Door 5k stage proposal", deal("Stage Door", 5000, stage="proposal")),
    (
        "华为 三万五 谈判 截止 下个月15号 备注 先发报价",
        deal("华为", 35000, stage="negotiation", close_date=date(2026, 12, 15), note="先发报价"),
    ),
]

# Changes to bob's #1 华为 ¥5万 (lead).
UPDATE: list[tuple[str, Stored | Refused]] = [
    ("#1 amount 三万五", deal("华为", 35000)),
    ("#1 amount 50 k", deal("华为", 50000)),
    ("#1 amount 5 万元", deal("华为", 50000)),
    ("#1 close 下个月", deal("华为", 50000, close_date=DEC_31)),
    ("#1 close Jan 2027", deal("华为", 50000, close_date=date(2027, 1, 31))),
    ("#1 note call them close Dec 20", deal("华为", 50000, close_date=DEC_20, note="call them")),
    (
        "#1 阶段 谈判 截止 月底",
        deal("华为", 50000, stage="negotiation", close_date=date(2026, 11, 30)),
    ),
    ("华为 备注：带上合同", deal("华为", 50000, note="带上合同")),
    (
        "#1 note ask the customer about the amount",
        deal("华为", 50000, note=("ask the customer about the amount")),
    ),
    ("won #1 三万五", deal("华为", 35000, stage="won")),
    ("won #1 50 k", deal("华为", 50000, stage="won")),
    ("#1 amount 1,5万", Refused("did you mean 1.5万?")),
    ("#1 note call them close to signing", Refused("If “close” belongs in the note")),
]


@pytest.fixture
def rated(say: Say, team: None) -> None:
    """The team (CNY) has a rate for USD."""
    assert "1 USD" in say("/salesbot", "fx USD 7.1", user="U1").text


def snapshot(sessions: sessionmaker[Session]) -> tuple[list[Stored], int]:
    with sessions() as session:
        deals = session.scalars(select(Deal).order_by(Deal.id)).all()
        events = session.scalar(select(func.count(DealEvent.id))) or 0
        return [_stored(d) for d in deals], events


def _stored(found: Deal) -> Stored:
    return Stored(
        found.customer, found.amount, found.currency, found.stage, found.close_date, found.note
    )


@pytest.mark.usefixtures("rated")
@pytest.mark.parametrize(("text", "expected"), ADD, ids=[text for text, _ in ADD])
def test_add_as_typed(
    say: Say,
    driver: SlackDriver,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    text: str,
    expected: Stored | Asks | Refused,
) -> None:
    reply = say("/deal", f"add {text}")
    assert reply.status == 200
    match expected:
        case Refused(words):
            assert ":warning:" in reply.text and words in reply.text, reply.text
            assert snapshot(sessions) == ([], 0)
        case Asks(label, then):
            blocks = asked(reply)
            assert snapshot(sessions) == ([], 0)
            assert "Added" in answered(press(driver, slack, button(blocks, label)))
            assert snapshot(sessions)[0] == [then]
        case Stored():
            assert "Added" in reply.text and ":warning:" not in reply.text, reply.text
            assert snapshot(sessions)[0] == [expected]


@pytest.mark.usefixtures("rated")
@pytest.mark.parametrize(("text", "expected"), UPDATE, ids=[text for text, _ in UPDATE])
def test_update_as_typed(
    say: Say, sessions: sessionmaker[Session], text: str, expected: Stored | Refused
) -> None:
    assert "Added" in say("/deal", "add 华为 5万").text
    before = snapshot(sessions)
    reply = say("/deal", text)
    assert reply.status == 200
    if isinstance(expected, Refused):
        assert ":warning:" in reply.text and expected.words in reply.text, reply.text
        assert snapshot(sessions) == before
    else:
        assert ":warning:" not in reply.text, reply.text
        assert snapshot(sessions)[0] == [expected]
