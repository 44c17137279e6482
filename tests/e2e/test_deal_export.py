"""/deal export over signed HTTP: an ephemeral answer at once, then a CSV file in the DM."""

from __future__ import annotations

import csv
import io

import pytest

from bot.dev.standin import DevSlack
from bot.services.export import DEAL_COLUMNS
from tests.e2e.conftest import Say

pytestmark = pytest.mark.usefixtures("team")


@pytest.fixture
def seeded(say: Say, team: None) -> None:
    """bob (U2): Acme and 华为; alice (U1, a manager): a won deal with a comma in its name."""
    assert "1 USD" in say("/salesbot", "fx USD 7.1", user="U1").text
    for text, user in (
        ("add Acme 12k proposal close 2026-12-15", "U2"),
        ("add 华为 5万 谈判", "U2"),
        ('add "Initech, Inc." $8k won', "U1"),
    ):
        reply = say("/deal", text, user=user)
        assert "Added" in reply.text, reply.text


def uploaded_rows(slack: DevSlack, channel: str) -> list[dict[str, str]]:
    """The rows of the one CSV file uploaded to `channel`."""
    done = slack.wait_for("files.completeUploadExternal")
    assert len(done) == 1 and done[0].params["channel_id"] == channel
    (content,) = slack.uploads().values()
    assert content.startswith(b"\xef\xbb\xbf"), "a byte order mark, for Excel"
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    assert tuple(reader.fieldnames or ()) == DEAL_COLUMNS
    return list(reader)


@pytest.mark.usefixtures("seeded")
def test_a_rep_gets_their_own_deals_in_their_dm(say: Say, slack: DevSlack) -> None:
    reply = say("/deal", "export", user="U2")

    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert reply.text == "Your export of 2 deals is on its way to your DM."
    rows = uploaded_rows(slack, "DU2")
    assert [(r["customer"], r["amount"], r["stage"], r["owner_id"]) for r in rows] == [
        ("Acme", "12000.00", "proposal", "U2"),
        ("华为", "50000.00", "negotiation", "U2"),
    ]
    assert rows[0]["close_date"] == "2026-12-15" and rows[0]["team_id"] == "T1"
    upload = slack.last("files.getUploadURLExternal").params
    assert upload["filename"] == "deals-2026-11-30.csv"


@pytest.mark.usefixtures("seeded")
def test_a_manager_gets_the_teams_deals(say: Say, slack: DevSlack) -> None:
    reply = say("/deal", "导出", user="U1")

    assert reply.text == "Your export of 3 deals is on its way to your DM."
    rows = uploaded_rows(slack, "DU1")
    assert [(r["customer"], r["currency"], r["owner_id"]) for r in rows] == [
        ("Acme", "CNY", "U2"),
        ("华为", "CNY", "U2"),
        ("Initech, Inc.", "USD", "U1"),
    ]
    assert rows[2]["closed_at"] == "2026-11-30T01:30:00+00:00"


@pytest.mark.usefixtures("seeded")
def test_nothing_to_export_is_refused_and_nothing_uploaded(say: Say, slack: DevSlack) -> None:
    reply = say("/deal", "export", user="U3")

    assert reply.json["response_type"] == "ephemeral"
    assert "You have no deals to export yet" in reply.text
    assert "takes no options" in say("/deal", "export everything", user="U2").text
    assert slack.calls("conversations.open") == []
    assert slack.calls("files.getUploadURLExternal") == []
