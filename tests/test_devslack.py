"""DevSlack, driven by the real slack_sdk WebClient (and bolt) over HTTP."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qs

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.dev.standin import (
    DEFAULT_BOT_USER_ID,
    Call,
    DevSlack,
    blocks_to_text,
    event_body,
    interaction_body,
    sign_request,
    slash_command_body,
)

NO_WAIT = FixedValueRetryIntervalCalculator(0.0)


@pytest.fixture
def dev() -> Iterator[DevSlack]:
    with DevSlack() as server:
        yield server


@pytest.fixture
def client(dev: DevSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=dev.api_url, timeout=5)


@pytest.fixture
def no_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    # RateLimitErrorRetryHandler sleeps Retry-After + random(); keep retry tests fast.
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.random.random", lambda: 0.0)


SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Deal* won"}}


# --------------------------------------------------------------------------- basics


def test_api_url_ends_with_slash_and_survives_restart(dev: DevSlack) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/", dev.api_url)
    url = dev.api_url
    dev.stop()
    dev.start()
    assert dev.api_url == url


def test_post_message_recorded_with_blocks_decoded(dev: DevSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="Deal won", blocks=[SECTION])
    second = client.chat_postMessage(channel="C1", text="again")

    call = dev.calls("chat.postMessage")[0]
    assert call.params["blocks"] == [SECTION] and call.params["channel"] == "C1"
    assert call.token == "xoxb-test" and not call.faulted
    assert re.fullmatch(r"\d{10}\.\d{6}", first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == [SECTION]
    assert first["message"]["user"] == DEFAULT_BOT_USER_ID
    assert [c.params["text"] for c in dev.calls("chat.postMessage")] == ["Deal won", "again"]


def test_form_encoded_json_strings_and_booleans_are_normalised(
    dev: DevSlack, client: WebClient
) -> None:
    # api_call(params=...) form-encodes: blocks arrive as a JSON string, True as "1".
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "x", "blocks": json.dumps([SECTION]), "mrkdwn": True},
    )
    params = dev.last("chat.postMessage").params
    assert params["blocks"] == [SECTION]
    assert params["mrkdwn"] == "1"


def test_malformed_blocks_are_rejected_like_slack(dev: DevSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.postMessage", params={"channel": "C1", "blocks": "[{oops"})
    assert err.value.response["error"] == "invalid_blocks_format"


def test_invalid_json_body_is_answered_like_slack(dev: DevSlack) -> None:
    request = urllib.request.Request(
        dev.api_url + "chat.postMessage",
        data=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": "Bearer xoxb-test"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read()) == {"ok": False, "error": "invalid_json"}
    assert dev.last("chat.postMessage").token == "xoxb-test"


def test_concurrent_posts_are_all_recorded_with_unique_ts(dev: DevSlack) -> None:
    def post(n: int) -> None:
        client = WebClient(token="xoxb-test", base_url=dev.api_url)
        for i in range(5):
            client.chat_postMessage(channel=f"C{n}", text=str(i))

    workers = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stamps = [c.response["ts"] for c in dev.calls("chat.postMessage")]
    assert len(stamps) == 40
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 40


def test_auth_test_and_missing_token(dev: DevSlack, client: WebClient) -> None:
    me = client.auth_test()
    assert me["user_id"] == DEFAULT_BOT_USER_ID and me["team_id"] == "T1"
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=dev.api_url).auth_test()
    assert err.value.response["error"] == "not_authed"


def test_unknown_method_is_answered_and_recorded(dev: DevSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("bogus.method", params={"a": "b"})
    assert err.value.response["error"] == "unknown_method"
    assert dev.last("bogus.method").params == {"a": "b"}


# --------------------------------------------------------------------------- directory


def test_users_info_from_directory(dev: DevSlack, client: WebClient) -> None:
    dev.add_user("U1", "alice", real_name="Alice A", tz="Europe/Paris", is_admin=True)

    user = client.users_info(user="U1")["user"]
    assert user["real_name"] == "Alice A" and user["is_admin"] is True
    assert user["tz"] == "Europe/Paris" and user["tz_offset"] in (3600, 7200)
    assert "locale" not in user
    assert client.users_info(user="U1", include_locale=True)["user"]["locale"] == "en-US"

    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U404")
    assert err.value.response["error"] == "user_not_found"


def test_conversations_members_pagination(dev: DevSlack, client: WebClient) -> None:
    dev.add_channel("C1", "sales", ["U1", "U2", "U3", "U4", "U5"])

    first = client.conversations_members(channel="C1", limit=2)
    assert first["members"] == ["U1", "U2"]
    cursor = first["response_metadata"]["next_cursor"]
    assert cursor
    # slack_sdk follows next_cursor itself when the response is iterated.
    pages = [page["members"] for page in client.conversations_members(channel="C1", limit=2)]
    assert pages == [["U1", "U2"], ["U3", "U4"], ["U5"]]

    dev.set_members("C1", ["U9"])
    last = client.conversations_members(channel="C1")
    assert last["members"] == ["U9"] and last["response_metadata"]["next_cursor"] == ""


def test_users_list_pagination_and_bad_cursor(dev: DevSlack, client: WebClient) -> None:
    for n in range(1, 4):
        dev.add_user(f"U{n}", f"user{n}")
    ids = [m["id"] for page in client.users_list(limit=2) for m in page["members"]]
    assert ids == ["U1", "U2", "U3"]
    with pytest.raises(SlackApiError) as err:
        client.users_list(cursor="not-a-cursor")
    assert err.value.response["error"] == "invalid_cursor"


def test_conversations_open_and_info(dev: DevSlack, client: WebClient) -> None:
    dev.add_channel("C1", "sales", ["U1", DEFAULT_BOT_USER_ID])
    channel = client.conversations_open(users="U1")["channel"]["id"]
    assert channel == "DU1"
    assert client.conversations_info(channel=channel)["channel"]["is_im"] is True
    info = client.conversations_info(channel="C1")["channel"]
    assert info["name"] == "sales" and info["is_member"] is True


# --------------------------------------------------------------------------- files, views, oauth


def test_files_upload_v2_end_to_end(dev: DevSlack, client: WebClient) -> None:
    result = client.files_upload_v2(
        channel="C1", content=b"\x89PNG chart", filename="chart.png", initial_comment="Q3"
    )

    file_id = result["file"]["id"]
    assert dev.uploads() == {file_id: b"\x89PNG chart"}
    assert dev.last("files.getUploadURLExternal").params["filename"] == "chart.png"
    done = dev.last("files.completeUploadExternal").params
    assert done["channel_id"] == "C1" and done["initial_comment"] == "Q3"
    assert done["files"] == [{"id": file_id, "title": "chart.png"}]
    assert dev.transcript() == ["[file uploaded: chart.png to #C1] Q3"]


def test_views_echo_submitted_view_with_ids(dev: DevSlack, client: WebClient) -> None:
    modal = {
        "type": "modal",
        "callback_id": "new_deal",
        "title": {"type": "plain_text", "text": "New deal"},
        "blocks": [SECTION],
    }
    opened = client.views_open(trigger_id="1.2.3", view=modal)["view"]
    assert re.fullmatch(r"V\d{4}", opened["id"]) and opened["callback_id"] == "new_deal"
    updated = client.views_update(view_id=opened["id"], view=modal)["view"]
    assert updated["id"] == opened["id"]
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    assert home["type"] == "home" and home["id"] != opened["id"]
    assert dev.transcript() == [
        "[modal opened: New deal]",
        "[modal updated: New deal]",
        "[home published for U1]",
    ]


def test_oauth_v2_access_install_payload(dev: DevSlack) -> None:
    install = WebClient(base_url=dev.api_url).oauth_v2_access(
        client_id="123.456", client_secret="shh", code="abc"
    )
    assert install["access_token"].startswith("xoxb-")
    assert install["team"] == {"id": "T1", "name": "Salesbot Dev"}
    assert install["bot_user_id"] == DEFAULT_BOT_USER_ID and install["authed_user"]["id"]
    call = dev.last("oauth.v2.access")
    assert call.params["client_id"] == "123.456" and "client_secret" not in call.params


# --------------------------------------------------------------------------- faults


def test_injected_429_is_retried_by_rate_limit_handler(dev: DevSlack, no_jitter: None) -> None:
    retrying = WebClient(
        token="xoxb-test", base_url=dev.api_url, retry_handlers=[RateLimitErrorRetryHandler()]
    )
    dev.inject("chat.postMessage", status=429, retry_after=0)

    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert len(dev.calls("chat.postMessage")) == 1
    recorded = dev.calls("chat.postMessage", include_faults=True)
    assert [c.faulted for c in recorded] == [True, False]
    assert recorded[0].response["error"] == "ratelimited"


def test_injected_429_without_retries_surfaces_retry_after(
    dev: DevSlack, client: WebClient
) -> None:
    dev.inject(status=429, retry_after=7)  # "*" = whatever comes next
    with pytest.raises(SlackApiError) as err:
        client.auth_test()
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert client.auth_test()["ok"] is True  # the fault was used up


def test_injected_500_is_retried_by_server_error_handler(dev: DevSlack) -> None:
    handler = ServerErrorRetryHandler(max_retry_count=2, interval_calculator=NO_WAIT)
    retrying = WebClient(token="xoxb-test", base_url=dev.api_url, retry_handlers=[handler])
    dev.inject("users.list", status=500, times=1)
    dev.inject("users.list", status=503, times=1)

    assert retrying.users_list()["ok"] is True
    statuses = [c.response.get("error") for c in dev.calls("users.list", include_faults=True)]
    assert statuses == ["internal_error", "service_unavailable", None]
    assert len(dev.calls("users.list")) == 1


def test_down_refuses_connections_then_same_port_serves_again(dev: DevSlack) -> None:
    # No retry handlers: WebClient's default one would back off for up to a second.
    client = WebClient(token="xoxb-test", base_url=dev.api_url, retry_handlers=[])
    with dev.down():
        assert not dev.running
        with pytest.raises(URLError):
            client.auth_test()
    assert client.auth_test()["ok"] is True


def test_connection_error_handler_rides_out_a_pause(dev: DevSlack) -> None:
    handler = ConnectionErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.3)
    )
    retrying = WebClient(token="xoxb-test", base_url=dev.api_url, retry_handlers=[handler])
    dev.pause()
    timer = threading.Timer(0.1, dev.resume)
    timer.start()
    try:
        assert retrying.auth_test()["ok"] is True
    finally:
        timer.join()


def test_rate_limit_token_bucket_per_channel(dev: DevSlack, client: WebClient) -> None:
    dev.rate_limit("chat.postMessage", per_second=1, burst=2, per_key="channel")
    client.chat_postMessage(channel="C1", text="1")
    client.chat_postMessage(channel="C1", text="2")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="3")
    assert err.value.response.status_code == 429
    assert int(err.value.response.headers["Retry-After"]) >= 1
    client.chat_postMessage(channel="C2", text="other channel has its own bucket")
    assert len(dev.calls("chat.postMessage")) == 3
    assert len(dev.calls("chat.postMessage", include_faults=True)) == 4


# ----------------------------------------------------------------- response_url, transcript


def test_response_url_post_is_recorded(dev: DevSlack) -> None:
    url = dev.response_url("deal", user_id="U1", channel_id="C1")
    assert url.startswith(dev.url + "response/")

    WebhookClient(url).send(text="Only you can see this")  # what bolt's respond() uses
    WebhookClient(url).send(text="Deal logged", response_type="in_channel")

    first, second = dev.calls("response_url")
    assert first.params == {"text": "Only you can see this", "url": url}
    assert second.params["response_type"] == "in_channel"
    assert dev.transcript() == ["(only U1 sees) Only you can see this", "#C1: Deal logged"]


def test_transcript_reads_like_a_conversation(dev: DevSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="Stand-up time", blocks=[SECTION])
    client.chat_postMessage(channel="C1", text="reply", thread_ts=posted["ts"])
    client.chat_postEphemeral(channel="C1", user="U2", text="psst")
    client.chat_postMessage(channel="U3", text="hello in private")
    client.chat_update(channel="C1", ts=posted["ts"], text="Stand-up done")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="", text="never shown")

    assert dev.transcript() == [
        "#C1: *Deal* won",
        f"#C1 (thread {posted['ts']}): reply",
        "(only U2 sees) psst",
        "DM U3: hello in private",
        f"[updated #C1 {posted['ts']}] Stand-up done",
    ]
    dev.clear()
    assert dev.transcript() == [] and dev.calls() == []


def test_blocks_to_text_flattens_block_kit() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Pipeline"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Acme"},
            "fields": [{"type": "mrkdwn", "text": "*Stage*"}, {"type": "mrkdwn", "text": "Won"}],
            "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Open"}},
        },
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                {"type": "image", "image_url": "https://x/y.png", "alt_text": "avatar"},
                {"type": "mrkdwn", "text": "by <@U1>"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Approve"}},
                {
                    "type": "static_select",
                    "placeholder": {"type": "plain_text", "text": "Stage"},
                },
            ],
        },
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "Hi "},
                        {"type": "user", "user_id": "U1"},
                        {"type": "emoji", "name": "tada"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "a"}]}
                    ],
                },
            ],
        },
        {"type": "image", "image_url": "https://x/c.png", "alt_text": "chart"},
        {"type": "mystery"},
    ]
    assert blocks_to_text(blocks) == "\n".join(
        [
            "Pipeline",
            "Acme [Open]",
            "*Stage*",
            "Won",
            "---",
            "[image: avatar] by <@U1>",
            "[Approve] [Stage ▾]",
            "Hi <@U1>:tada:",
            "• a",
            "[image: chart]",
        ]
    )


# --------------------------------------------------------------------------- waiting


def test_wait_for_sees_calls_from_other_threads(dev: DevSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.05)
        client.chat_postMessage(channel="C1", text="a")
        client.chat_postMessage(channel="C2", text="b")

    worker = threading.Thread(target=later)
    worker.start()
    found = dev.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C2", timeout=2)
    worker.join()
    assert [c.params["text"] for c in found] == ["b"]
    assert len(dev.wait_for("chat.postMessage", count=2, timeout=0.1)) == 2


def test_wait_for_timeout_lists_recorded_calls(dev: DevSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="something else")
    started = time.monotonic()
    with pytest.raises(AssertionError) as err:
        dev.wait_for("views.open", timeout=0.1)
    assert time.monotonic() - started < 0.5
    message = str(err.value)
    assert "views.open" in message and "chat.postMessage" in message
    assert "something else" in message
    with pytest.raises(AssertionError):
        dev.last("views.open")


def test_call_is_frozen() -> None:
    call = Call("auth.test", {}, None, 0.0)
    with pytest.raises(AttributeError):
        call.method = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- signed requests


def test_sign_request_matches_slack_sdk_verifier() -> None:
    body = slash_command_body("/deal", "won 5k", user_id="U1", response_url="http://x/r")
    now = int(time.time())
    headers = sign_request("secret", body, now)
    verifier = SignatureVerifier("secret")
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["command"] == "/deal" and fields["text"] == "won 5k"
    assert fields["user_id"] == "U1" and fields["team_id"] == "T1"
    assert fields["channel_id"] == "C1" and fields["response_url"] == "http://x/r"
    assert fields["trigger_id"]

    payload = {"type": "block_actions", "actions": [{"action_id": "a"}]}
    assert json.loads(parse_qs(interaction_body(payload))["payload"][0]) == payload

    envelope = json.loads(event_body({"type": "app_mention"}, team_id="T9", event_id="Ev1"))
    assert envelope["type"] == "event_callback" and envelope["event_id"] == "Ev1"
    assert envelope["team_id"] == "T9" and envelope["event"] == {"type": "app_mention"}


def test_bolt_slash_command_round_trip(dev: DevSlack) -> None:
    app = App(
        client=WebClient(token="xoxb-test", base_url=dev.api_url),
        signing_secret="secret",
    )

    @app.command("/deal")
    def deal(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        respond(f"Logged {command['text']}")

    url = dev.response_url(user_id="U1")
    body = slash_command_body("/deal", "5k", user_id="U1", response_url=url)
    headers: dict[str, str | Sequence[str]] = {
        "Content-Type": "application/x-www-form-urlencoded",
        **sign_request("secret", body, int(time.time())),
    }
    response = app.dispatch(BoltRequest(body=body, headers=headers))

    assert response.status == 200
    dev.wait_for("response_url", timeout=2)
    assert dev.transcript() == ["(only U1 sees) Logged 5k"]
