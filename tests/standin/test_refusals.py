"""The stand-in refuses what Slack refuses (issue 11): Block Kit over Slack's limits answers
`invalid_blocks` on chat.postMessage / chat.update (with response_metadata.messages naming the
place), `invalid_blocks` on chat.postEphemeral (whose recorded answers carry no response_metadata),
and `invalid_arguments` with messages on views.*; the same content at the limit is accepted."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackStandIn

MAYA, OMAR = "U0MAYA0001", "U0OMAR0001"
PUBLIC = "C0MENTOR01"

Blocks = list[dict[str, Any]]


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        running.add_user(MAYA, "maya", real_name="Maya")
        running.add_user(OMAR, "omar", real_name="Omar")
        running.add_channel(PUBLIC, "mentoring", members=[MAYA, OMAR, running.bot_user_id])
        yield running
        assert running.server_errors == []


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": pt(text), "action_id": "go", **extra}


def actions(*elements: dict[str, Any]) -> Blocks:
    return [{"type": "actions", "elements": list(elements)}]


def option(i: int, text: str = "Weekly", value: str | None = None) -> dict[str, Any]:
    return {"text": pt(text), "value": value if value is not None else f"v{i}"}


def select(options: list[dict[str, Any]], kind: str = "static_select") -> dict[str, Any]:
    element: dict[str, Any] = {"type": kind, "action_id": "pick", "options": options}
    if kind == "static_select":
        element["placeholder"] = pt("Pick")
    return element


def text_input(**extra: Any) -> Blocks:
    element = {"type": "plain_text_input", "action_id": "goal", **extra}
    return [{"type": "input", "block_id": "goal", "label": pt("Goal"), "element": element}]


def modal(blocks: Blocks | None = None, **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "plan",
        "title": pt("Plan"),
        "submit": pt("Save"),
        "close": pt("Cancel"),
        "blocks": blocks if blocks is not None else [section("Hi")],
    }
    view.update(extra)
    return view


# (name, blocks over the limit, the same at the limit, json-pointer Slack names)
MESSAGE_CASES: list[tuple[str, Blocks, Blocks, str]] = [
    ("section text over 3,000", [section("a" * 3001)], [section("a" * 3000)], "/blocks/0/text/text"),
    ("header text over 150", [{"type": "header", "text": pt("h" * 151)}],
     [{"type": "header", "text": pt("h" * 150)}], "/blocks/0/text/text"),
    ("button text over 75", actions(button("b" * 76)), actions(button("b" * 75)),
     "/blocks/0/elements/0/text/text"),
    ("more than 50 blocks", [section("b")] * 51, [section("b")] * 50, "/blocks"),
    ("more than 10 section fields", [{"type": "section", "fields": [pt("f")] * 11}],
     [{"type": "section", "fields": [pt("f")] * 10}], "/blocks/0/fields"),
    ("a section field over 2,000", [{"type": "section", "fields": [pt("f" * 2001)]}],
     [{"type": "section", "fields": [pt("f" * 2000)]}], "/blocks/0/fields/0/text"),
    ("context text over 3,000", [{"type": "context", "elements": [pt("c" * 3001)]}],
     [{"type": "context", "elements": [pt("c" * 3000)]}], "/blocks/0/elements/0/text"),
    ("empty context text", [{"type": "context", "elements": [pt("")]}],
     [{"type": "context", "elements": [pt("c")]}], "/blocks/0/elements/0/text"),
    ("more than 10 context elements", [{"type": "context", "elements": [pt("c")] * 11}],
     [{"type": "context", "elements": [pt("c")] * 10}], "/blocks/0/elements"),
    ("more than 25 actions elements",
     actions(*[button(action_id=f"b{i}") for i in range(26)]),
     actions(*[button(action_id=f"b{i}") for i in range(25)]), "/blocks/0/elements"),
    ("block_id over 255", [{**section("s"), "block_id": "b" * 256}],
     [{**section("s"), "block_id": "b" * 255}], "/blocks/0/block_id"),
    ("action_id over 255", actions(button(action_id="a" * 256)),
     actions(button(action_id="a" * 255)), "/blocks/0/elements/0/action_id"),
    ("option text over 75", actions(select([option(0, "o" * 76)])),
     actions(select([option(0, "o" * 75)])), "/blocks/0/elements/0/options/0/text/text"),
    ("option value over 150", actions(select([option(0, value="v" * 151)])),
     actions(select([option(0, value="v" * 150)])), "/blocks/0/elements/0/options/0/value"),
    ("static_select over 100 options", actions(select([option(i) for i in range(101)])),
     actions(select([option(i) for i in range(100)])), "/blocks/0/elements/0/options"),
    ("overflow over 5 options", actions(select([option(i) for i in range(6)], "overflow")),
     actions(select([option(i) for i in range(5)], "overflow")),
     "/blocks/0/elements/0/options"),
    ("checkboxes over 10 options", actions(select([option(i) for i in range(11)], "checkboxes")),
     actions(select([option(i) for i in range(10)], "checkboxes")),
     "/blocks/0/elements/0/options"),
    ("button accessibility_label over 75", actions(button(accessibility_label="a" * 76)),
     actions(button(accessibility_label="a" * 75)), "/blocks/0/elements/0/accessibility_label"),
    ("button value over 2,000", actions(button(value="v" * 2001)),
     actions(button(value="v" * 2000)), "/blocks/0/elements/0/value"),
    ("button url over 3,000", actions(button(url="https://x.test/" + "u" * 2986)),
     actions(button(url="https://x.test/" + "u" * 2985)), "/blocks/0/elements/0/url"),
    ("confirm text over 300",
     actions(button(confirm={"title": pt("Sure?"), "text": pt("t" * 301),
                             "confirm": pt("Yes"), "deny": pt("No")})),
     actions(button(confirm={"title": pt("Sure?"), "text": pt("t" * 300),
                             "confirm": pt("Yes"), "deny": pt("No")})),
     "/blocks/0/elements/0/confirm/text/text"),
    ("image alt_text over 2,000",
     [{"type": "image", "image_url": "https://x.test/a.png", "alt_text": "a" * 2001}],
     [{"type": "image", "image_url": "https://x.test/a.png", "alt_text": "a" * 2000}],
     "/blocks/0/alt_text"),
]  # fmt: skip


def refusal(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    assert info.value.response.status_code == 200
    return dict(info.value.response.data)


def messages_of(answer: dict[str, Any]) -> list[str]:
    return list(answer.get("response_metadata", {}).get("messages", []))


@pytest.mark.parametrize(
    ("over", "at_limit", "pointer"),
    [case[1:] for case in MESSAGE_CASES],
    ids=[case[0] for case in MESSAGE_CASES],
)
def test_chat_post_message_refuses_blocks_over_slacks_limits(
    standin: SlackStandIn, client: WebClient, over: Blocks, at_limit: Blocks, pointer: str
) -> None:
    answer = refusal(client.chat_postMessage, channel=MAYA, text="fallback", blocks=over)
    assert answer["error"] == "invalid_blocks"
    assert [m for m in messages_of(answer) if m.endswith(f"[json-pointer:{pointer}]")], answer
    assert standin.dm_messages(MAYA) == [], "Slack posts nothing it refuses"
    assert client.chat_postMessage(channel=MAYA, text="fallback", blocks=at_limit)["ok"]
    assert len(standin.dm_messages(MAYA)) == 1


def test_chat_update_refuses_what_post_message_refuses(
    standin: SlackStandIn, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel=MAYA, text="v1", blocks=[section("v1")])
    answer = refusal(
        client.chat_update,
        channel=posted["channel"],
        ts=posted["ts"],
        text="v2",
        blocks=[section("a" * 3001)],
    )
    assert answer["error"] == "invalid_blocks"
    assert messages_of(answer) == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert standin.dm_messages(MAYA)[0].text == "v1"


def test_chat_post_ephemeral_refuses_without_response_metadata(
    standin: SlackStandIn, client: WebClient
) -> None:
    answer = refusal(
        client.chat_postEphemeral, channel=PUBLIC, user=OMAR, text="x", blocks=[section("")]
    )
    assert answer == {"ok": False, "error": "invalid_blocks"}
    assert standin.ephemeral_messages(OMAR) == []


def test_response_url_refuses_blocks_over_the_limits(standin: SlackStandIn) -> None:
    url = standin.new_response_url(OMAR, PUBLIC)
    body = json.dumps({"text": "x", "blocks": [section("b")] * 51}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 400
    assert json.loads(info.value.read())["error"] == "invalid_blocks"


# (name, view over the limit, the same at the limit, json-pointer Slack names)
VIEW_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("modal over 100 blocks", modal([section("b")] * 101), modal([section("b")] * 100),
     "/view/blocks"),
    ("private_metadata over 3,000", modal(private_metadata="m" * 3001),
     modal(private_metadata="m" * 3000), "/view/private_metadata"),
    ("initial_value longer than max_length", modal(text_input(max_length=10, initial_value="x" * 11)),
     modal(text_input(max_length=10, initial_value="x" * 10)), "/view/blocks/0/element/initial_value"),
    ("initial_value over 3,000 without max_length", modal(text_input(initial_value="x" * 3001)),
     modal(text_input(initial_value="x" * 3000)), "/view/blocks/0/element/initial_value"),
    ("max_length over 3,000", modal(text_input(max_length=3001)), modal(text_input(max_length=3000)),
     "/view/blocks/0/element/max_length"),
    ("min_length above max_length", modal(text_input(min_length=11, max_length=10)),
     modal(text_input(min_length=10, max_length=10)), "/view/blocks/0/element/min_length"),
    ("input label over 2,000",
     modal([{**text_input()[0], "label": pt("L" * 2001)}]),
     modal([{**text_input()[0], "label": pt("L" * 2000)}]), "/view/blocks/0/label/text"),
    ("input placeholder over 150", modal(text_input(placeholder=pt("p" * 151))),
     modal(text_input(placeholder=pt("p" * 150))), "/view/blocks/0/element/placeholder/text"),
    ("modal title over 24", modal(title=pt("t" * 25)), modal(title=pt("t" * 24)),
     "/view/title/text"),
    ("submit over 24", modal(submit=pt("s" * 25)), modal(submit=pt("s" * 24)),
     "/view/submit/text"),
    ("close over 24", modal(close=pt("c" * 25)), modal(close=pt("c" * 24)), "/view/close/text"),
    ("callback_id over 255", modal(callback_id="c" * 256), modal(callback_id="c" * 255),
     "/view/callback_id"),
    ("external_id over 255", modal(external_id="e" * 256), modal(external_id="e" * 255),
     "/view/external_id"),
    ("section text over 3,000 in a modal", modal([section("a" * 3001)]),
     modal([section("a" * 3000)]), "/view/blocks/0/text/text"),
    ("radio_buttons over 10 options",
     modal([{"type": "input", "label": pt("Cadence"),
             "element": select([option(i) for i in range(11)], "radio_buttons")}]),
     modal([{"type": "input", "label": pt("Cadence"),
             "element": select([option(i) for i in range(10)], "radio_buttons")}]),
     "/view/blocks/0/element/options"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("over", "at_limit", "pointer"),
    [case[1:] for case in VIEW_CASES],
    ids=[case[0] for case in VIEW_CASES],
)
def test_views_open_refuses_views_over_slacks_limits(
    standin: SlackStandIn,
    client: WebClient,
    over: dict[str, Any],
    at_limit: dict[str, Any],
    pointer: str,
) -> None:
    answer = refusal(client.views_open, trigger_id=standin.issue_trigger(OMAR), view=over)
    assert answer["error"] == "invalid_arguments"
    assert [m for m in messages_of(answer) if m.endswith(f"[json-pointer:{pointer}]")], answer
    assert standin.views_for(OMAR) == []
    assert client.views_open(trigger_id=standin.issue_trigger(OMAR), view=at_limit)["ok"]


def test_every_views_method_refuses_the_same_way(standin: SlackStandIn, client: WebClient) -> None:
    too_long: dict[str, Any] = {"private_metadata": "m" * 3001}
    opened = client.views_open(trigger_id=standin.issue_trigger(OMAR), view=modal())["view"]
    pushed = refusal(
        client.views_push, trigger_id=standin.issue_trigger(OMAR), view=modal(**too_long)
    )
    updated = refusal(client.views_update, view_id=opened["id"], view=modal(**too_long))
    home = {"type": "home", "blocks": [section("h")] * 101}
    published = refusal(client.views_publish, user_id=MAYA, view=home)
    for answer, pointer in [
        (pushed, "/view/private_metadata"),
        (updated, "/view/private_metadata"),
        (published, "/view/blocks"),
    ]:
        assert answer["error"] == "invalid_arguments"
        assert messages_of(answer)[0].endswith(f"[json-pointer:{pointer}]")
    assert standin.view(opened["id"]).view["private_metadata"] == ""
    assert client.views_publish(user_id=MAYA, view={**home, "blocks": home["blocks"][:100]})["ok"]
