"""DevSlack refuses the Block Kit Slack refuses, answering and recording it like Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.dev.standin import DevSlack


@pytest.fixture
def dev() -> Iterator[DevSlack]:
    with DevSlack() as server:
        yield server


@pytest.fixture
def client(dev: DevSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=dev.api_url, timeout=5)


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def select(option_text: str) -> dict[str, Any]:
    option = {"text": plain(option_text), "value": "v1"}
    return {
        "type": "static_select",
        "action_id": "pick",
        "placeholder": plain("Pick one"),
        "options": [option],
    }


def modal(title: str = "New deal", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain(title), "blocks": [section("Hi")], **extra}


INPUT = {
    "type": "input",
    "block_id": "amount",
    "label": plain("Amount"),
    "element": {"type": "plain_text_input", "action_id": "value"},
}

GOOD_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": plain("Pipeline")},
    section("*Acme* — 12,000"),
    {"type": "section", "fields": [mrkdwn(f"field {n}") for n in range(10)]},
    {"type": "divider"},
    {"type": "context", "elements": [mrkdwn("Updated just now")]},
    {
        "type": "actions",
        "elements": [
            {"type": "button", "text": plain("Open"), "action_id": "open", "value": "1"},
            select("o" * 75),
        ],
    },
]

# (what is wrong, blocks, the JSON pointer Slack's reason names)
BAD_BLOCKS = [
    ("section text over 3000", [section("x" * 3001)], "/blocks/0"),
    ("header with mrkdwn", [{"type": "header", "text": mrkdwn("Pipeline")}], "/blocks/0/text"),
    ("51 blocks", [section("x")] * 51, "/blocks"),
    ("unknown block type", [{"type": "sectoin", "text": mrkdwn("x")}], "/blocks/0/type"),
    (
        "unknown element type",
        [{"type": "actions", "elements": [{"type": "buton", "text": plain("Go")}]}],
        "/blocks/0/elements/0",
    ),
    (
        "misspelt text type",
        [{"type": "section", "text": plain("x") | {"type": "txt"}}],
        "/blocks/0/text/type",
    ),
    ("empty section text", [section("")], "/blocks/0/text/text"),
    ("11 fields", [{"type": "section", "fields": [mrkdwn("f")] * 11}], "/blocks/0"),
    (
        "option text of 76",
        [{"type": "actions", "elements": [select("o" * 76)]}],
        "/blocks/0/elements/0/options/0/text/text",
    ),
    ("a block that is not an object", ["section"], "/blocks/0"),
]


def refusal(err: pytest.ExceptionInfo[SlackApiError]) -> tuple[str, str]:
    """(error, first reason) from a refused Web API call."""
    response = err.value.response
    return str(response["error"]), str((response.get("errors") or [""])[0])


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize("method", ["chat_postMessage", "chat_postEphemeral", "chat_update"])
def test_good_blocks_pass_every_chat_method(dev: DevSlack, client: WebClient, method: str) -> None:
    getattr(client, method)(channel="C1", user="U1", ts="1.2", text="Pipeline", blocks=GOOD_BLOCKS)
    assert dev.calls()[-1].response["ok"] is True


@pytest.mark.parametrize(
    ("problem", "blocks", "pointer"), BAD_BLOCKS, ids=[c[0] for c in BAD_BLOCKS]
)
def test_bad_blocks_are_refused_like_slack(
    dev: DevSlack, client: WebClient, problem: str, blocks: list[Any], pointer: str
) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    error, reason = refusal(err)
    assert error == "invalid_blocks"
    assert f"[json-pointer:{pointer}" in reason
    # Recorded, with Slack's answer, so a failing test can say why; not in the transcript.
    call = dev.last("chat.postMessage")
    assert call.response["errors"] == [reason]
    assert call.response["response_metadata"]["messages"] == [f"[ERROR] {reason}"]
    assert dev.transcript() == []


@pytest.mark.parametrize("method", ["chat_postMessage", "chat_postEphemeral", "chat_update"])
def test_every_chat_method_validates(client: WebClient, method: str) -> None:
    header = [{"type": "header", "text": mrkdwn("Pipeline")}]
    with pytest.raises(SlackApiError) as err:
        getattr(client, method)(channel="C1", user="U1", ts="1.2", text="x", blocks=header)
    assert refusal(err)[0] == "invalid_blocks"


def test_blocks_without_a_fallback_text_are_refused(client: WebClient) -> None:
    # slack_sdk only warns about the missing text; the stand-in insists on it.
    with pytest.warns(UserWarning), pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", blocks=[section("Deal won")])
    assert refusal(err) == (
        "invalid_blocks",
        "a message with blocks must have a fallback text [json-pointer:/text]",
    )


def test_form_encoded_blocks_are_validated_too(dev: DevSlack, client: WebClient) -> None:
    # api_call(params=...) form-encodes: blocks arrive as a JSON string, and are still read.
    client.api_call(
        "chat.postMessage", params={"channel": "C1", "text": "x", "blocks": json.dumps(GOOD_BLOCKS)}
    )
    bad = json.dumps([{"type": "header", "text": mrkdwn("H")}])
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.postMessage", params={"channel": "C1", "text": "x", "blocks": bad})
    assert refusal(err)[0] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.postMessage", params={"channel": "C1", "text": "x", "blocks": "hi"})
    assert refusal(err)[0] == "invalid_blocks_format"
    assert [c.response["ok"] for c in dev.calls("chat.postMessage")] == [True, False, False]


def test_attachments_are_validated(dev: DevSlack, client: WebClient) -> None:
    good = [{"fallback": "Won", "text": "Acme", "color": "good", "mrkdwn_in": ["text"]}]
    client.chat_postMessage(channel="C1", text="x", attachments=good)
    for bad in (
        [{"fallback": "Won", "text": "Acme", "color": "greenish"}],
        [{"blocks": [{"type": "image", "image_url": "https://example.com/a.png"}]}],
        [{"blocks": [{"type": "header", "text": mrkdwn("H")}]}],
    ):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="x", attachments=bad)
        assert refusal(err)[0] == "invalid_attachments"
        assert "[json-pointer:/attachments/0" in refusal(err)[1]


def test_refusals_are_listed_with_their_reason(dev: DevSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x", blocks=[section("x" * 3001)])
    with pytest.raises(AssertionError, match=r"invalid_blocks \(text attribute cannot exceed"):
        dev.wait_for("chat.postMessage", lambda c: c.response["ok"], timeout=0.1)


# --------------------------------------------------------------------------- views


def test_good_views_pass(dev: DevSlack, client: WebClient) -> None:
    form = modal(submit=plain("Save"), close=plain("Cancel")) | {"blocks": [INPUT, *GOOD_BLOCKS]}
    opened = client.views_open(trigger_id="1.2.3", view=form)["view"]
    client.views_push(trigger_id="1.2.3", view=modal("t" * 24))
    client.views_update(view_id=opened["id"], view=modal())
    client.views_publish(user_id="U1", view={"type": "home", "blocks": GOOD_BLOCKS})
    # Slack takes an empty Home tab (slack_sdk's View would not).
    client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert all(c.response["ok"] for c in dev.calls())


BAD_VIEWS = [
    ("title of 25", modal("t" * 25), "/view"),
    ("submit of 25", modal(submit=plain("s" * 25)), "/view"),
    ("close of 25", modal(close=plain("c" * 25)), "/view"),
    ("mrkdwn title", modal() | {"title": mrkdwn("New deal")}, "/view/title/type"),
    ("modal without a title", {"type": "modal", "blocks": [section("x")]}, "/view"),
    ("input blocks without submit", modal() | {"blocks": [INPUT]}, "/view"),
    ("101 blocks", modal() | {"blocks": [section("x")] * 101}, "/view/blocks"),
    ("unknown view type", modal() | {"type": "sheet"}, "/view"),
    (
        "bad block",
        modal() | {"blocks": [{"type": "header", "text": mrkdwn("H")}]},
        "/view/blocks/0",
    ),
]


@pytest.mark.parametrize(("problem", "view", "pointer"), BAD_VIEWS, ids=[c[0] for c in BAD_VIEWS])
@pytest.mark.parametrize("method", ["views_open", "views_push", "views_update", "views_publish"])
def test_bad_views_are_refused_by_every_views_method(
    dev: DevSlack, client: WebClient, method: str, problem: str, view: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(SlackApiError) as err:
        getattr(client, method)(trigger_id="1.2.3", view_id="V1", user_id="U1", view=view)
    error, reason = refusal(err)
    assert error == "invalid_blocks"
    assert f"[json-pointer:{pointer}" in reason
    assert dev.transcript() == []


# --------------------------------------------------------------------------- response_url


def test_response_url_posts_are_validated(dev: DevSlack) -> None:
    url = dev.response_url("cmd", user_id="U1")
    hook = WebhookClient(url)

    good = hook.send(text="Pipeline", blocks=GOOD_BLOCKS, response_type="ephemeral")
    bad = hook.send(text="Pipeline", blocks=[{"type": "header", "text": mrkdwn("Pipeline")}])
    bare = hook.send_dict({"blocks": [section("no fallback")]})

    assert good.status_code == 200 and json.loads(good.body) == {"ok": True}
    # response_urls answer a bad payload like incoming webhooks do: HTTP 400.
    assert bad.status_code == 400 and json.loads(bad.body)["error"] == "invalid_blocks"
    assert bare.status_code == 400 and "fallback text" in json.loads(bare.body)["errors"][0]
    calls = dev.calls("response_url")
    assert [c.response["ok"] for c in calls] == [True, False, False]
    [line] = dev.transcript()  # only the accepted reply shows
    assert line.startswith("(only U1 sees) Pipeline\n*Acme* — 12,000\nfield 0")


def test_response_url_without_blocks_needs_no_validation(dev: DevSlack) -> None:
    hook = WebhookClient(dev.response_url())
    assert hook.send_dict({"delete_original": True}).status_code == 200
    assert hook.send_dict({"text": "plain words"}).status_code == 200
