"""The local Slack stand-in and its driver, exercised through slack_sdk's WebClient."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier

from bot.standin import DriverError, SlackDriver, SlackStandIn

MAYA, OMAR, ZOE = "U0MAYA0001", "U0OMAR0001", "U0ZOE00001"
GONE = "U0GONE0001"
PUBLIC, PRIVATE, ARCHIVED = "C0MENTOR01", "C0SECRET01", "C0OLD00001"


def seed(standin: SlackStandIn) -> SlackStandIn:
    standin.add_user(MAYA, "maya", real_name="Maya")
    standin.add_user(OMAR, "omar", real_name="Omar", tz="America/New_York")
    standin.add_user(ZOE, "zoe", real_name="Zoe", tz="Asia/Tokyo")
    standin.add_user(GONE, "gone", deleted=True)
    standin.add_channel(PUBLIC, "mentoring", members=[MAYA, OMAR])
    standin.add_channel(PRIVATE, "secret", is_private=True, members=[MAYA])
    standin.add_channel(ARCHIVED, "old", is_archived=True)
    return standin


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield seed(running)
        assert running.server_errors == []


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])


def error_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    return str(info.value.response["error"])


def modal(title: str = "Start a mentorship", blocks: list[Any] | None = None, **extra: Any) -> Any:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}],
        **extra,
    }


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# ---------------------------------------------------------------- Web API


def test_auth_errors_and_unknown_method(standin: SlackStandIn) -> None:
    assert (
        error_of(WebClient(base_url=standin.api_url, retry_handlers=[]).auth_test) == "not_authed"
    )
    wrong = WebClient(token="xoxb-wrong", base_url=standin.api_url, retry_handlers=[])
    assert error_of(wrong.auth_test) == "invalid_auth"
    assert error_of(wrong.chat_postMessage, channel=MAYA, text="x") == "invalid_auth"
    right = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])
    assert error_of(right.api_call, api_method="chat.nope") == "unknown_method"
    assert right.auth_test()["user_id"] == standin.bot_user_id
    assert standin.messages == []


def test_form_json_and_get_encodings(standin: SlackStandIn) -> None:
    form = urlencode(
        {
            "token": "xoxb-test",
            "channel": MAYA,
            "text": "form",
            "blocks": json.dumps([section("F")]),
        }
    ).encode()
    with urllib.request.urlopen(standin.api_url + "chat.postMessage", data=form) as response:
        assert json.load(response)["ok"] is True
    body = json.dumps({"channel": MAYA, "text": "json", "blocks": [section("J")]}).encode()
    request = urllib.request.Request(standin.api_url + "chat.postMessage", data=body)
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("Authorization", "Bearer xoxb-test")
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["ok"] is True
    url = standin.api_url + "users.info?" + urlencode({"token": "xoxb-test", "user": MAYA})
    with urllib.request.urlopen(url) as response:
        assert json.load(response)["user"]["name"] == "maya"
    posted = standin.dm_messages(MAYA)
    assert [m.text for m in posted] == ["form", "json"]
    assert posted[0].blocks[0]["text"]["text"] == "F" and posted[1].blocks[0]["text"]["text"] == "J"
    assert standin.calls_to("chat.postMessage")[0]["blocks"][0]["type"] == "section"


def test_dm_by_user_id_and_by_conversations_open(standin: SlackStandIn, client: WebClient) -> None:
    first = client.chat_postMessage(channel=MAYA, text="Welcome <@OMAR>")
    assert first["channel"].startswith("D") and first["message"]["text"] == "Welcome <@OMAR>"
    opened = client.conversations_open(users=MAYA)
    assert opened["channel"]["id"] == first["channel"]
    assert opened["already_open"] is True
    client.chat_postMessage(channel=opened["channel"]["id"], text="second")
    assert [m.text for m in standin.dm_messages(MAYA)] == ["Welcome <@OMAR>", "second"]
    assert standin.dm_messages(OMAR) == []
    full = client.conversations_open(users=OMAR, return_im=True)["channel"]
    assert full["is_im"] is True and full["user"] == OMAR
    group = client.conversations_open(users=f"{MAYA},{OMAR}")["channel"]["id"]
    assert (
        group.startswith("G")
        and client.conversations_open(users=f"{OMAR},{MAYA}")["channel"]["id"] == group
    )
    client.chat_postMessage(channel=group, text="both of you")
    assert [m.text for m in standin.channel_messages(group)] == ["both of you"]
    assert "group DM with Maya, Omar: both of you" in standin.transcript()


def test_dm_errors_for_unknown_and_deactivated_users(client: WebClient) -> None:
    assert error_of(client.chat_postMessage, channel="U0NOBODY01", text="x") == "channel_not_found"
    assert error_of(client.chat_postMessage, channel=GONE, text="x") == "channel_not_found"
    assert error_of(client.conversations_open, users=GONE) == "user_disabled"
    assert error_of(client.conversations_open, users="U0NOBODY01") == "user_not_found"
    assert error_of(client.api_call, api_method="conversations.open") == "users_list_not_supplied"
    no_text = {"channel": MAYA, "text": ""}
    assert error_of(client.api_call, api_method="chat.postMessage", json=no_text) == "no_text"


def test_channel_membership_join_private_archived(standin: SlackStandIn, client: WebClient) -> None:
    assert error_of(client.chat_postMessage, channel=PUBLIC, text="x") == "not_in_channel"
    assert client.conversations_join(channel=PUBLIC)["channel"]["is_member"] is True
    again = client.conversations_join(channel=PUBLIC)
    assert again["warning"] == "already_in_channel"
    assert client.chat_postMessage(channel=PUBLIC, text="Kickoff held!")["channel"] == PUBLIC
    assert (
        error_of(client.conversations_join, channel=PRIVATE)
        == "method_not_supported_for_channel_type"
    )
    assert error_of(client.chat_postMessage, channel=PRIVATE, text="x") == "channel_not_found"
    assert error_of(client.conversations_info, channel=PRIVATE) == "channel_not_found"
    assert error_of(client.conversations_join, channel=ARCHIVED) == "is_archived"
    assert error_of(client.chat_postMessage, channel=ARCHIVED, text="x") == "is_archived"
    assert error_of(client.conversations_join, channel="C0NOPE0001") == "channel_not_found"
    assert error_of(client.chat_postMessage, channel="C0NOPE0001", text="x") == "channel_not_found"
    standin.add_channel("C0PRIV0002", "club", is_private=True, members=[standin.bot_user_id])
    assert client.chat_postMessage(channel="C0PRIV0002", text="ok")["ok"]
    standin.set_channel(PUBLIC, is_archived=True)
    assert error_of(client.chat_postMessage, channel=PUBLIC, text="x") == "is_archived"
    assert standin.transcript() == ["#mentoring: Kickoff held!", "#club: ok"]


def test_users_info_time_zones_follow_the_clock() -> None:
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)
    clock = {"now": summer}
    with SlackStandIn(now=lambda: clock["now"]) as standin:
        seed(standin)
        client = WebClient(token="xoxb-test", base_url=standin.api_url)
        user = client.users_info(user=MAYA)["user"]
        assert (user["tz"], user["tz_offset"], user["tz_label"]) == (
            "Europe/Berlin",
            7200,
            "Central European Summer Time",
        )
        assert user["profile"]["real_name"] == "Maya" and user["deleted"] is False
        clock["now"] = datetime(2026, 12, 1, 12, tzinfo=UTC)
        assert client.users_info(user=MAYA)["user"]["tz_offset"] == 3600
        assert client.users_info(user=OMAR)["user"]["tz_offset"] == -5 * 3600
        standin.set_user(MAYA, tz="Asia/Kolkata", deleted=True)
        user = client.users_info(user=MAYA)["user"]
        assert (user["tz_offset"], user["deleted"]) == (19800, True)
        assert client.users_info(user=standin.bot_user_id)["user"]["is_bot"] is True
        assert error_of(client.users_info, user="U0NOBODY01") == "user_not_found"


def test_pagination_of_users_and_members(standin: SlackStandIn, client: WebClient) -> None:
    first = client.users_list(limit=2)
    assert len(first["members"]) == 2 and first["response_metadata"]["next_cursor"]
    rest = client.users_list(limit=10, cursor=first["response_metadata"]["next_cursor"])
    assert len(rest["members"]) == 3 and rest["response_metadata"]["next_cursor"] == ""
    assert sorted(client.conversations_members(channel=PUBLIC)["members"]) == [MAYA, OMAR]
    assert error_of(client.users_list, cursor="garbage") == "invalid_cursor"


def test_trigger_ids_expire_and_are_single_use() -> None:
    with SlackStandIn(trigger_ttl=0.2) as standin:
        seed(standin)
        client = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])
        stale = standin.issue_trigger(OMAR)
        time.sleep(0.3)
        assert error_of(client.views_open, trigger_id=stale, view=modal()) == "expired_trigger_id"
        fresh = standin.issue_trigger(OMAR)
        view = client.views_open(trigger_id=fresh, view=modal())["view"]
        assert standin.views_for(OMAR)[-1].id == view["id"]
        assert error_of(client.views_open, trigger_id=fresh, view=modal()) == "exchanged_trigger_id"
        assert (
            error_of(client.views_open, trigger_id="1.2.abc", view=modal()) == "invalid_trigger_id"
        )
        assert error_of(client.views_open, view=modal()) == "invalid_trigger_id"


def test_block_kit_limits(client: WebClient, standin: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=MAYA, text="x", blocks=[section("b")] * 51)
    assert info.value.response["error"] == "invalid_blocks"
    assert "no more than 50 items" in info.value.response["response_metadata"]["messages"][0]
    assert client.chat_postMessage(channel=MAYA, text="x", blocks=[section("b")] * 50)["ok"]
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}]
    assert (
        error_of(client.chat_postMessage, channel=MAYA, text="x", blocks=too_long)
        == "invalid_blocks"
    )
    button = {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}, "action_id": "a"}
    actions = [{"type": "actions", "elements": [button]}]
    assert (
        error_of(client.chat_postMessage, channel=MAYA, text="x", blocks=actions)
        == "invalid_blocks"
    )
    duplicate = [{**section("a"), "block_id": "same"}, {**section("b"), "block_id": "same"}]
    assert (
        error_of(client.chat_postMessage, channel=MAYA, text="x", blocks=duplicate)
        == "invalid_blocks"
    )
    assert error_of(client.chat_postMessage, channel=MAYA, text="t" * 40001) == "msg_too_long"
    assert (
        error_of(client.chat_postMessage, channel=MAYA, text="x", blocks="{")
        == "invalid_blocks_format"
    )

    def open_view(view: Any) -> str:
        return error_of(client.views_open, trigger_id=standin.issue_trigger(OMAR), view=view)

    assert open_view(modal("x" * 25)) == "invalid_arguments"
    assert open_view(modal(blocks=[section("b")] * 101)) == "invalid_arguments"
    assert open_view(modal(private_metadata="m" * 3001)) == "invalid_arguments"
    assert open_view(modal(callback_id="c" * 256)) == "invalid_arguments"
    assert open_view({**modal(), "type": "dialog"}) == "invalid_arguments"
    label = {"type": "plain_text", "text": "L" * 2001}
    long_label = [{"type": "input", "label": label, "element": {"type": "plain_text_input"}}]
    assert open_view(modal(blocks=long_label)) == "invalid_arguments"
    no_submit = {**modal(blocks=[{**long_label[0], "label": {"type": "plain_text", "text": "L"}}])}
    del no_submit["submit"]
    assert open_view(no_submit) == "invalid_arguments"
    ok = client.views_open(trigger_id=standin.issue_trigger(OMAR), view=modal("x" * 24))
    assert ok["view"]["title"]["text"] == "x" * 24
    home = {"type": "home", "blocks": [section("h")] * 100}
    assert client.views_publish(user_id=MAYA, view=home)["ok"]
    assert standin.messages[0].text == "x"  # only the 50-block message got through


def test_rate_limit_answers_429_and_posts_nothing(standin: SlackStandIn, client: WebClient) -> None:
    standin.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=MAYA, text="hello")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    assert standin.messages == []
    assert client.chat_postMessage(channel=MAYA, text="hello")["ok"]
    assert len(standin.dm_messages(MAYA)) == 1


def test_fail_next_answers_errors_in_order(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", "account_inactive", times=2)
    assert error_of(client.chat_postMessage, channel=MAYA, text="a") == "account_inactive"
    assert error_of(client.chat_postMessage, channel=MAYA, text="b") == "account_inactive"
    assert client.chat_postMessage(channel=MAYA, text="c")["ok"]
    assert [m.text for m in standin.messages] == ["c"]
    assert [p["text"] for p in standin.calls_to("chat.postMessage")] == ["a", "b", "c"]


def test_dropped_connection_after_processing_has_posted(standin: SlackStandIn) -> None:
    no_retry = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])
    standin.drop_connection_next("chat.postMessage")
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        no_retry.chat_postMessage(channel=MAYA, text="maybe sent")
    assert [m.text for m in standin.dm_messages(MAYA)] == ["maybe sent"]
    standin.drop_connection_next("chat.postMessage", after_processing=False)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        no_retry.chat_postMessage(channel=MAYA, text="never sent")
    assert len(standin.dm_messages(MAYA)) == 1
    # WebClient's default ConnectionErrorRetryHandler retries once: a duplicate message.
    retrying = ConnectionErrorRetryHandler(
        interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    standin.drop_connection_next("chat.postMessage")
    default_like = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[retrying])
    default_like.chat_postMessage(channel=MAYA, text="dup")
    assert [m.text for m in standin.dm_messages(MAYA)][-2:] == ["dup", "dup"]


def post_json(url: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_response_url_records_ephemeral_and_in_channel(
    standin: SlackStandIn, client: WebClient
) -> None:
    url = standin.new_response_url(OMAR, PUBLIC)
    assert url.startswith(standin.base_url + "/_response/")
    assert post_json(url, {"text": "Only you see this"}) == (200, {"ok": True})
    assert post_json(url, {"text": "Everyone sees this", "response_type": "in_channel"})[0] == 200
    assert [m.text for m in standin.ephemeral_messages(OMAR)] == ["Only you see this"]
    assert [m.text for m in standin.channel_messages(PUBLIC)] == ["Everyone sees this"]
    posted = client.chat_postMessage(channel=MAYA, text="Did you meet?")
    bound = standin.new_response_url(MAYA, posted["channel"], posted["ts"])
    assert post_json(bound, {"text": "Thanks!", "replace_original": True})[0] == 200
    message = standin.dm_messages(MAYA)[0]
    assert message.text == "Thanks!" and message.history[0][0] == "Did you meet?"
    assert post_json(bound, {"delete_original": True})[0] == 200
    assert standin.dm_messages(MAYA) == []
    assert post_json(standin.base_url + "/_response/nope", {"text": "x"})[0] == 404
    assert standin.transcript()[:2] == [
        "ephemeral to Omar: Only you see this",
        "#mentoring: Everyone sees this",
    ]


def test_chat_update_ephemeral_and_permalink(standin: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=MAYA, text="v1")
    updated = client.chat_update(channel=posted["channel"], ts=posted["ts"], text="v2")
    assert updated["text"] == "v2" and "edited" in updated["message"]
    message = standin.dm_messages(MAYA)[0]
    assert (message.text, message.history) == ("v2", [("v1", [])])
    assert (
        error_of(client.chat_update, channel=posted["channel"], ts="1.2", text="x")
        == "message_not_found"
    )
    assert (
        error_of(client.chat_update, channel=MAYA, ts=posted["ts"], text="x") == "channel_not_found"
    )
    client.conversations_join(channel=PUBLIC)
    assert client.chat_postEphemeral(channel=PUBLIC, user=OMAR, text="psst")["message_ts"]
    assert (
        error_of(client.chat_postEphemeral, channel=PUBLIC, user=ZOE, text="x")
        == "user_not_in_channel"
    )
    assert [m.text for m in standin.ephemeral_messages(OMAR)] == ["psst"]
    link = client.chat_getPermalink(channel=posted["channel"], message_ts=posted["ts"])
    assert link["permalink"] == (
        f"https://acme.slack.com/archives/{posted['channel']}/p{posted['ts'].replace('.', '')}"
    )
    assert (
        error_of(client.chat_getPermalink, channel=PUBLIC, message_ts="1.2") == "message_not_found"
    )


def test_views_push_update_publish(standin: SlackStandIn, client: WebClient) -> None:
    first = client.views_open(trigger_id=standin.issue_trigger(OMAR), view=modal("One"))["view"]
    second = client.views_push(trigger_id=standin.issue_trigger(OMAR), view=modal("Two"))["view"]
    assert second["previous_view_id"] == first["id"] and second["root_view_id"] == first["id"]
    client.views_push(trigger_id=standin.issue_trigger(OMAR), view=modal("Three"))
    assert (
        error_of(client.views_push, trigger_id=standin.issue_trigger(OMAR), view=modal("Four"))
        == "push_limit_reached"
    )
    assert [v.title for v in standin.views_for(OMAR)] == ["One", "Two", "Three"]
    changed = client.views_update(view_id=first["id"], hash=first["hash"], view=modal("Uno"))
    assert changed["view"]["id"] == first["id"] and standin.view(first["id"]).title == "Uno"
    assert (
        error_of(client.views_update, view_id=first["id"], hash=first["hash"], view=modal())
        == "hash_conflict"
    )
    assert error_of(client.views_update, view_id="V404", view=modal()) == "not_found"
    tagged = modal("Tagged", external_id="plan-7")
    client.views_open(trigger_id=standin.issue_trigger(MAYA), view=tagged)
    assert (
        client.views_update(external_id="plan-7", view=modal("Retagged"))["view"]["external_id"]
        == ""
    )
    home = client.views_publish(
        user_id=MAYA, view={"type": "home", "blocks": [section("Your plans")]}
    )
    published = standin.home_view(MAYA)
    assert published is not None and published.id == home["view"]["id"]
    assert "submit" not in home["view"]
    stale = {"type": "home", "blocks": [section("old")]}
    assert (
        error_of(client.views_publish, user_id=MAYA, view=stale, hash="0.stale") == "hash_conflict"
    )
    assert error_of(client.views_publish, user_id=MAYA, view=modal()) == "invalid_arguments"
    assert "App Home published for Maya: Your plans" in standin.transcript()


def test_transcript_renders_names_dates_and_blocks(
    standin: SlackStandIn, client: WebClient
) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Next meeting"}},
        section(f"With <@{OMAR}> on <!date^1767225600^{{date_short}}|Jan 1, 2026> in <#{PUBLIC}|mentoring>"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "<https://x.test|Agenda>"}]},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": "met", "text": {"type": "plain_text", "text": "We met"}},
        ]},
    ]  # fmt: skip
    client.chat_postMessage(channel=MAYA, text="fallback", blocks=blocks)
    client.views_open(trigger_id=standin.issue_trigger(OMAR), view=modal("Reflect"))
    assert standin.transcript() == [
        "DM to Maya: Next meeting | With @omar on Jan 1, 2026 in #mentoring | Agenda | [We met]",
        "modal opened for Omar: Reflect",
    ]


# ---------------------------------------------------------------- driver


@dataclass
class Captured:
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeBot:
    """A stdlib HTTP target that records what the driver sends and answers as told."""

    server: ThreadingHTTPServer
    requests: list[Captured] = field(default_factory=list)
    answers: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def last_form(self) -> dict[str, str]:
        return {
            k: v[0]
            for k, v in parse_qs(self.requests[-1].body.decode(), keep_blank_values=True).items()
        }

    def last_payload(self) -> dict[str, Any]:
        return dict(json.loads(self.last_form()["payload"]))

    def last_json(self) -> dict[str, Any]:
        return dict(json.loads(self.requests[-1].body))


@pytest.fixture
def fake_bot() -> Iterator[FakeBot]:
    holder: list[FakeBot] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bot = holder[0]
            body = self.rfile.read(int(self.headers["Content-Length"]))
            bot.requests.append(Captured(dict(self.headers.items()), body))
            status, content_type, text = (
                bot.answers.pop(0) if bot.answers else (200, "text/plain", "")
            )
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(FakeBot(server))
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield holder[0]
    server.shutdown()
    server.server_close()


@pytest.fixture
def driver(standin: SlackStandIn, fake_bot: FakeBot) -> SlackDriver:
    return SlackDriver(standin, bot_url=fake_bot.url, signing_secret="secret")


def signature_ok(captured: Captured, secret: str = "secret") -> bool:
    verifier = SignatureVerifier(secret)
    return verifier.is_valid_request(captured.body, captured.headers)


def test_slash_command_is_signed_form_with_live_trigger(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot, client: WebClient
) -> None:
    fake_bot.answers.append((200, "text/plain;charset=utf-8", "Usage: /mentorship start"))
    response = driver.slash_command(OMAR, f"start <@{MAYA}>", channel_id=PUBLIC)
    assert response.status == 200 and response.body == "Usage: /mentorship start"
    captured = fake_bot.requests[-1]
    assert captured.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert signature_ok(captured)
    form = fake_bot.last_form()
    assert form["command"] == "/mentorship" and form["text"] == f"start <@{MAYA}>"
    assert (form["user_id"], form["user_name"], form["channel_id"]) == (OMAR, "omar", PUBLIC)
    assert client.views_open(trigger_id=form["trigger_id"], view=modal())["ok"]
    assert post_json(form["response_url"], {"text": "later"})[0] == 200
    assert [m.text for m in standin.ephemeral_messages(OMAR)] == [
        "Usage: /mentorship start",
        "later",
    ]
    assert standin.transcript()[:2] == [
        "Omar ran /mentorship start @maya",
        "ephemeral to Omar: Usage: /mentorship start",
    ]


def test_forged_signature_stale_timestamp_and_garbage(
    driver: SlackDriver, fake_bot: FakeBot
) -> None:
    driver.post(b"token=x&command=%2Fm", signature_override="v0=" + "0" * 64)
    assert not signature_ok(fake_bot.requests[-1])
    driver.post(b"token=x", timestamp_override=int(time.time()) - 600)
    assert fake_bot.requests[-1].headers["X-Slack-Signature"].startswith("v0=")
    assert not signature_ok(fake_bot.requests[-1])
    driver.post(b"\x00garbage{", "application/json")
    assert fake_bot.requests[-1].body == b"\x00garbage{" and signature_ok(fake_bot.requests[-1])
    SlackDriver(driver.standin, fake_bot.url, signing_secret="other").post(b"x=1")
    assert not signature_ok(fake_bot.requests[-1])


PLAN_BLOCKS: list[Any] = [
    {"type": "input", "block_id": "mentee", "label": {"type": "plain_text", "text": "Mentee"},
     "element": {"type": "users_select", "action_id": "pick"}},
    {"type": "input", "block_id": "mentor", "label": {"type": "plain_text", "text": "Mentor"},
     "element": {"type": "users_select", "action_id": "pick", "initial_user": OMAR}},
    {"type": "input", "block_id": "cadence", "label": {"type": "plain_text", "text": "Meeting cadence"},
     "element": {"type": "static_select", "action_id": "c", "options": [
         {"text": {"type": "plain_text", "text": "Weekly"}, "value": "weekly"},
         {"text": {"type": "plain_text", "text": "Every other week"}, "value": "biweekly"}]}},
    {"type": "input", "block_id": "channels", "label": {"type": "plain_text", "text": "Channels"},
     "element": {"type": "checkboxes", "action_id": "ch", "options": [
         {"text": {"type": "plain_text", "text": "Chat"}, "value": "chat"},
         {"text": {"type": "plain_text", "text": "Calls"}, "value": "calls"}]}},
    {"type": "input", "block_id": "start", "label": {"type": "plain_text", "text": "Start date"},
     "element": {"type": "datepicker", "action_id": "d"}},
    {"type": "input", "block_id": "time", "label": {"type": "plain_text", "text": "Meeting time"},
     "element": {"type": "timepicker", "action_id": "t", "initial_time": "15:00"}},
    {"type": "input", "block_id": "goal", "optional": True,
     "label": {"type": "plain_text", "text": "Mentee goal"},
     "element": {"type": "plain_text_input", "action_id": "g"}},
    {"type": "input", "block_id": "both", "label": {"type": "plain_text", "text": "Other people"},
     "element": {"type": "multi_users_select", "action_id": "m"}},
    {"type": "input", "block_id": "announce", "label": {"type": "plain_text", "text": "Announce in"},
     "element": {"type": "conversations_select", "action_id": "a"}},
    {"type": "input", "block_id": "weeks", "label": {"type": "plain_text", "text": "Weeks"},
     "element": {"type": "number_input", "action_id": "n", "is_decimal_allowed": False}},
]  # fmt: skip


def open_plan(standin: SlackStandIn, client: WebClient, **extra: Any) -> str:
    view = modal(blocks=PLAN_BLOCKS, callback_id="plan", private_metadata="p1", **extra)
    return str(client.views_open(trigger_id=standin.issue_trigger(OMAR), view=view)["view"]["id"])


def test_submit_view_builds_slack_state_values(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot, client: WebClient
) -> None:
    view_id = open_plan(standin, client)
    values = {
        "mentee": "@maya",
        "cadence": "Every other week",
        "Channels": ["chat", "Calls"],
        "start date": "2026-03-02",
        "mentee goal": "Lead a project",
        "other": [MAYA, "zoe"],
        "Announce in": "#mentoring",
        "weeks": 12,
    }
    response = driver.submit_view(OMAR, view_id, values)
    assert response.status == 200 and signature_ok(fake_bot.requests[-1])
    payload = fake_bot.last_payload()
    assert payload["type"] == "view_submission" and payload["user"]["id"] == OMAR
    assert payload["view"]["id"] == view_id and payload["view"]["private_metadata"] == "p1"
    state = payload["view"]["state"]["values"]
    assert state["mentee"]["pick"] == {"type": "users_select", "selected_user": MAYA}
    assert state["mentor"]["pick"]["selected_user"] == OMAR  # initial value kept
    assert state["cadence"]["c"]["selected_option"]["value"] == "biweekly"
    assert [o["value"] for o in state["channels"]["ch"]["selected_options"]] == ["chat", "calls"]
    assert state["start"]["d"] == {"type": "datepicker", "selected_date": "2026-03-02"}
    assert state["time"]["t"] == {"type": "timepicker", "selected_time": "15:00"}
    assert state["goal"]["g"] == {"type": "plain_text_input", "value": "Lead a project"}
    assert state["both"]["m"]["selected_users"] == [MAYA, ZOE]
    assert state["announce"]["a"]["selected_conversation"] == PUBLIC
    assert state["weeks"]["n"] == {"type": "number_input", "value": "12"}
    assert standin.views_for(OMAR) == []  # an empty 200 closes the modal
    assert "Omar submitted 'Start a mentorship'" in standin.transcript()


def test_submit_view_untouched_inputs_and_label_errors(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot, client: WebClient
) -> None:
    view_id = open_plan(standin, client)
    with pytest.raises(DriverError, match="ambiguous"):
        driver.submit_view(OMAR, view_id, {"ment": "x"})
    with pytest.raises(DriverError, match="no input matches"):
        driver.submit_view(OMAR, view_id, {"Favourite colour": "x"})
    with pytest.raises(DriverError, match="no option"):
        driver.submit_view(OMAR, view_id, {"cadence": "daily"})
    errors = json.dumps({"response_action": "errors", "errors": {"start": "Pick a future date"}})
    fake_bot.answers.append((200, "application/json", errors))
    response = driver.submit_view(OMAR, view_id, {})
    assert response.json == json.loads(errors)
    state = fake_bot.last_payload()["view"]["state"]["values"]
    assert state["goal"]["g"] == {"type": "plain_text_input", "value": None}
    assert state["mentee"]["pick"] == {"type": "users_select", "selected_user": None}
    assert state["cadence"]["c"] == {"type": "static_select", "selected_option": None}
    assert (
        state["both"]["m"]["selected_users"] == [] and state["start"]["d"]["selected_date"] is None
    )
    assert [v.id for v in standin.views_for(OMAR)] == [view_id]
    assert (
        "Omar saw errors in 'Start a mentorship': start: Pick a future date" in standin.transcript()
    )


def test_submit_view_response_actions_update_push_clear(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot, client: WebClient
) -> None:
    view_id = open_plan(standin, client)
    answer = {"response_action": "update", "view": modal("Confirm")}
    fake_bot.answers.append((200, "application/json", json.dumps(answer)))
    driver.submit_view(OMAR, view_id, {})
    assert [v.title for v in standin.views_for(OMAR)] == ["Confirm"]
    fake_bot.answers.append(
        (200, "application/json", json.dumps({**answer, "response_action": "push"}))
    )
    driver.submit_view(OMAR, view_id, {})
    assert [v.title for v in standin.views_for(OMAR)] == ["Confirm", "Confirm"]
    fake_bot.answers.append((200, "application/json", json.dumps({"response_action": "clear"})))
    driver.submit_view(OMAR, standin.views_for(OMAR)[-1].id, {})
    assert standin.views_for(OMAR) == []
    view_id = open_plan(standin, client)
    bad = {"response_action": "update", "view": modal("T" * 30)}
    fake_bot.answers.append((200, "application/json", json.dumps(bad)))
    with pytest.raises(DriverError, match="reject"):
        driver.submit_view(OMAR, view_id, {})


def test_close_view_sends_view_closed_only_when_asked(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot, client: WebClient
) -> None:
    quiet = open_plan(standin, client)
    assert driver.close_view(OMAR, quiet).sent is False and fake_bot.requests == []
    noisy = open_plan(standin, client, notify_on_close=True)
    assert driver.close_view(OMAR, noisy).status == 200
    payload = fake_bot.last_payload()
    assert payload["type"] == "view_closed" and payload["view"]["id"] == noisy
    assert standin.views_for(OMAR) == []


def test_click_button_in_dm_and_select_in_view(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot, client: WebClient
) -> None:
    button = {"type": "button", "action_id": "met", "value": "pair-1",
              "text": {"type": "plain_text", "text": "We met"}}  # fmt: skip
    posted = client.chat_postMessage(
        channel=MAYA, text="Did you meet?", blocks=[{"type": "actions", "elements": [button]}]
    )
    driver.click(MAYA, "met")
    payload = fake_bot.last_payload()
    assert payload["type"] == "block_actions" and payload["actions"][0]["value"] == "pair-1"
    assert (
        payload["container"]["message_ts"] == posted["ts"]
        and payload["message"]["ts"] == posted["ts"]
    )
    assert payload["channel"]["id"] == posted["channel"]
    assert post_json(payload["response_url"], {"text": "Noted", "replace_original": True})[0] == 200
    assert standin.dm_messages(MAYA)[0].text == "Noted"
    view_id = open_plan(standin, client)
    select = {
        "type": "static_select",
        "action_id": "when",
        "options": PLAN_BLOCKS[2]["element"]["options"],
    }
    client.views_update(
        view_id=view_id, view=modal(blocks=[{"type": "actions", "elements": [select]}])
    )
    driver.click(OMAR, "when", value="weekly")
    payload = fake_bot.last_payload()
    assert payload["container"] == {"type": "view", "view_id": view_id}
    assert payload["actions"][0]["selected_option"]["value"] == "weekly"
    assert (
        "Maya clicked 'We met'" in standin.transcript()
        and "Omar chose 'Weekly'" in standin.transcript()
    )
    with pytest.raises(DriverError):
        driver.click(ZOE, "met")


def test_events_envelopes_retries_and_message_kinds(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot
) -> None:
    response, ts = driver.user_dm(MAYA, "I practiced public speaking")
    body = fake_bot.last_json()
    assert body["type"] == "event_callback" and body["event_id"] == response.event_id
    event = body["event"]
    assert (event["type"], event["channel_type"], event["user"], event["ts"]) == (
        "message",
        "im",
        MAYA,
        ts,
    )
    assert signature_ok(fake_bot.requests[-1])
    driver.send_event(event, event_id=response.event_id, retry_num=1)
    retried = fake_bot.requests[-1]
    assert (
        retried.headers["X-Slack-Retry-Num"] == "1"
        and retried.headers["X-Slack-Retry-Reason"] == "http_timeout"
    )
    assert fake_bot.last_json()["event_id"] == response.event_id
    driver.edit_dm(MAYA, ts, "I practiced twice")
    changed = fake_bot.last_json()["event"]
    assert (
        changed["subtype"] == "message_changed"
        and changed["message"]["text"] == "I practiced twice"
    )
    assert changed["previous_message"]["text"] == "I practiced public speaking"
    driver.delete_dm(MAYA, ts)
    deleted = fake_bot.last_json()["event"]
    assert (deleted["subtype"], deleted["deleted_ts"]) == ("message_deleted", ts)
    _, root = driver.user_dm(MAYA, "root")
    driver.send_message_event(MAYA, text="reply", thread_ts=root)
    assert fake_bot.last_json()["event"]["thread_ts"] == root
    assert fake_bot.last_json()["event"]["parent_user_id"] == MAYA
    for subtype in ("bot_message", "file_share", "thread_broadcast"):
        driver.send_message_event(MAYA, text=subtype, subtype=subtype, thread_ts=root)
        assert fake_bot.last_json()["event"]["subtype"] == subtype
    driver.open_home(MAYA)
    home = fake_bot.last_json()["event"]
    assert (home["type"], home["tab"], home["user"]) == ("app_home_opened", "home", MAYA)
    assert standin.transcript()[:3] == [
        "Maya wrote in DM: I practiced public speaking",
        "Maya edited a DM: I practiced twice",
        "Maya deleted a DM: I practiced twice",
    ]


def test_deleting_a_dm_with_replies_leaves_slacks_tombstone_and_me_messages_and_replays(
    standin: SlackStandIn, driver: SlackDriver, fake_bot: FakeBot
) -> None:
    _, root = driver.user_dm(MAYA, "Grow as a lead")
    _, reply = driver.send_message_event(MAYA, text="more later", thread_ts=root)
    driver.delete_dm(MAYA, root)
    event = fake_bot.last_json()["event"]
    # Slack does not send message_deleted for a message with replies: it keeps a tombstone.
    assert event["subtype"] == "message_changed" and event["hidden"] is True
    assert event["previous_message"]["user"] == MAYA
    assert event["previous_message"]["text"] == "Grow as a lead"
    tombstone = event["message"]
    assert {k: tombstone[k] for k in ("subtype", "text", "user", "ts", "thread_ts")} == {
        "subtype": "tombstone",
        "text": "This message was deleted.",
        "user": "USLACKBOT",
        "ts": root,
        "thread_ts": root,
    }
    assert (tombstone["reply_count"], tombstone["reply_users"]) == (1, [MAYA])
    assert tombstone["latest_reply"] == reply
    # A message without replies is deleted outright.
    driver.delete_dm(MAYA, reply)
    assert fake_bot.last_json()["event"]["subtype"] == "message_deleted"
    # /me: Slack's documented me_message shape (no blocks, no client_msg_id).
    driver.send_message_event(MAYA, text="is thinking", subtype="me_message")
    me = fake_bot.last_json()["event"]
    assert (me["subtype"], me["user"], me["text"]) == ("me_message", MAYA, "is thinking")
    assert "blocks" not in me and "client_msg_id" not in me
    # replay_last sends the very same signed request again.
    before = len(fake_bot.requests)
    driver.replay_last()
    assert len(fake_bot.requests) == before + 1
    assert fake_bot.requests[-1].body == fake_bot.requests[-2].body
    assert signature_ok(fake_bot.requests[-1])


def test_faults_can_target_one_call(standin: SlackStandIn) -> None:
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    standin.fail_next(
        "chat.postMessage", "channel_not_found", where=lambda p: p.get("channel") == OMAR
    )
    assert client.chat_postMessage(channel=MAYA, text="for Maya")["ok"]
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=OMAR, text="for Omar")
    assert info.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel=OMAR, text="again")["ok"]


# ---------------------------------------------------------------- a real Bolt app


def wait_for(condition: Any, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        time.sleep(0.01)


@pytest.fixture
def bolt_url(standin: SlackStandIn) -> Iterator[str]:
    """A minimal Bolt app served over stdlib HTTP, talking to the stand-in."""
    from slack_bolt import Ack, App, Respond
    from slack_bolt.request import BoltRequest

    app = App(
        signing_secret="secret",
        client=WebClient(token="xoxb-test", base_url=standin.api_url),
    )

    @app.command("/mentorship")
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        if body["text"] == "help":
            ack("Usage: /mentorship start @mentee")
            return
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal(blocks=PLAN_BLOCKS[:3]))

    @app.view("")
    def submitted(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        ack()
        mentee = view["state"]["values"]["mentee"]["pick"]["selected_user"]
        button = {
            "type": "button",
            "action_id": "met",
            "text": {"type": "plain_text", "text": "We met"},
        }
        client.chat_postMessage(
            channel=mentee,
            text="Plan",
            blocks=[section("Your plan"), {"type": "actions", "elements": [button]}],
        )

    @app.action("met")
    def met(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Noted, see you next week", replace_original=False)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            headers: dict[str, str | Sequence[str]] = {
                k.lower(): v for k, v in self.headers.items()
            }
            result = app.dispatch(BoltRequest(body=body, headers=headers))
            data = result.body.encode()
            self.send_response(result.status)
            self.send_header("Content-Length", str(len(data)))
            for name, value in result.first_headers_without_set_cookie().items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()
    server.server_close()


def test_a_bolt_app_accepts_the_drivers_requests(standin: SlackStandIn, bolt_url: str) -> None:
    driver = SlackDriver(standin, bolt_url)
    assert driver.slash_command(OMAR, "help").body == "Usage: /mentorship start @mentee"
    assert driver.slash_command(OMAR, "start").status == 200
    wait_for(lambda: standin.views_for(OMAR))
    driver.submit_view(
        OMAR, standin.views_for(OMAR)[-1].id, {"Mentee": "@maya", "cadence": "weekly"}
    )
    wait_for(lambda: standin.dm_messages(MAYA))
    assert driver.click(MAYA, "met").status == 200
    wait_for(lambda: standin.ephemeral_messages(MAYA))
    forged = driver.post(b"command=%2Fmentorship&text=help", signature_override="v0=" + "0" * 64)
    assert forged.status == 401
    assert standin.ephemeral_messages(MAYA)[-1].text == "Noted, see you next week"
    lines = standin.transcript()
    assert lines[:4] == [
        "Omar ran /mentorship help",
        "ephemeral to Omar: Usage: /mentorship start @mentee",
        "Omar ran /mentorship start",
        "modal opened for Omar: Start a mentorship",
    ]
    assert (
        "DM to Maya: Your plan | [We met]" in lines
        and lines[-1] == "ephemeral to Maya: Noted, see you next week"
    )
