"""The testers' reproduction (issue 15), through signed HTTP: a stage renamed to markup, then
every reply, refusal, channel post and App Home that names it shows it as text.

`/salesbot stages rename proposal <!channel>` followed by `/deal add EscCo 10k proposal`
answered with a live `<!channel>`; so did `/deal pipeline`, `/deal show`, refusals and every
member's App Home. tests/views/test_escaping.py checks every view with every field; this
checks the path a person takes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.dev.driver import SlackDriver
from bot.dev.standin import Call, DevSlack
from tests.e2e.conftest import Drain, Say
from tests.views.test_escaping import LIVE, PARTS, texts

pytestmark = pytest.mark.usefixtures("team")

HOSTILE = " ".join(PARTS)
SHOWN = "&lt;!channel&gt; &lt;!here&gt; &lt;@U1&gt; &lt;https://x|y&gt; \u2217b\u2217 &amp;amp;"
# Alice (U1) is in the team, and rightly mentioned on the leaderboard: here `<@U1>` is live
# only as the hostile text has it, beside the link.
TYPED = re.compile(LIVE.pattern.replace(re.escape("<@U1>"), re.escape("<@U1> <https://x|y>")))


def live_markup(payload: Any) -> list[str]:
    """The mrkdwn texts of a payload that hold hostile markup as it was typed."""
    return [text for kind, text in texts(payload) if kind == "mrkdwn" and TYPED.search(text)]


def shown_escaped(payload: Any) -> bool:
    return any(kind == "mrkdwn" and SHOWN in text for kind, text in texts(payload))


def check(what: str, payload: Any) -> None:
    assert not live_markup(payload), (what, live_markup(payload))
    assert shown_escaped(payload), (what, json.dumps(payload, ensure_ascii=False)[:2000])


def test_a_renamed_stage_is_shown_as_text_everywhere(
    say: Say, slack: DevSlack, driver: SlackDriver, drain: Drain
) -> None:
    renamed = say("/salesbot", f"stages rename proposal {HOSTILE}", user="U1")
    assert "Renamed" in renamed.text, renamed.text
    check("rename", renamed.json)
    # The won stage too: its label is in the won reply, the closing-stage refusal and more.
    say("/salesbot", f"stages rename won {HOSTILE}", user="U1")

    added = say("/deal", "add EscCo 10k proposal")
    assert "Added" in added.text, added.text
    for what, reply in {
        "add": added,
        "list": say("/deal", "list"),
        "list of the stage": say("/deal", "list proposal"),
        "show": say("/deal", "show #1"),
        "pipeline": say("/deal", "pipeline"),
        "stages": say("/salesbot", "stages", user="U1"),
        "a duplicate's question": say("/deal", "add EscCo 20k"),
        "won": say("/deal", "won #1"),
        "closing stage refusal": say("/salesbot", "stages set won 50%", user="U1"),
        "closed deal refusal": say("/deal", "won #1"),
    }.items():
        assert reply.status == 200, (what, reply.body)
        check(what, reply.json)

    # Every member's App Home: the deal's stage there, and what a change posts.
    event = {"type": "app_home_opened", "user": "U2", "tab": "home"}
    say("/deal", "add Second 5k proposal")
    assert driver.event(event, event_id="Ev-escaping-home").status == 200
    drain()

    def shows_second(call: Call) -> bool:
        return call.params["user_id"] == "U2" and "Second" in json.dumps(call.params["view"])

    home = slack.wait_for("views.publish", shows_second)[-1].params["view"]
    check("App Home", home)
    for call in slack.calls():
        assert not live_markup(call.params), (call.method, live_markup(call.params))
