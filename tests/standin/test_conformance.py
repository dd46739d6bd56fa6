"""The stand-in against Slack's own recorded JSON in ../shared/slack-reference (found by
tests/kit/reference.py; the tests that need it are skipped on a clone without it).

Web API: every key the stand-in answers must exist in java-slack-sdk/api/<method>.json with the same
JSON type (recursively). Lists are compared element by element against the reference list's element
of the same "type" (Slack's recordings keep one block/element per type), else against the union of
the reference elements; an empty reference object or list stands for free-form content.

Driver: every top-level key of the reference payload (and of the inner `event` for events) must be
present in what the driver sends, except the keys in ABSENT_OK, each with the reason Slack omits it.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackDriver, SlackStandIn
from tests.kit.reference import load, reference_dir

MAYA, OMAR, GONE = "U0MAYA0001", "U0OMAR0001", "U0GONE0001"
PUBLIC, ARCHIVED = "C0MENTOR01", "C0OLD00001"

# ---------------------------------------------------------------- the shape check


class Alternatives(list[Any]):
    """Several shapes the reference has seen at one place; a value may match any of them."""


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "dict" if isinstance(value, dict) else "other"


def union(values: list[Any]) -> Any:
    """One reference value for several observed ones: objects merged per "type", lists joined."""
    options: list[Any] = []
    groups: dict[Any, list[dict[str, Any]]] = {}
    for value in values:
        if isinstance(value, dict):
            groups.setdefault(value.get("type"), []).append(value)
    for group in groups.values():
        keys = list(dict.fromkeys(k for d in group for k in d))
        options.append({k: union([d[k] for d in group if k in d]) for k in keys})
    lists = [v for v in values if isinstance(v, list)]
    if lists:
        options.append([e for sub in lists for e in sub])
    scalars = {kind(v): v for v in values if not isinstance(v, (dict, list))}
    options += scalars.values()
    return options[0] if len(options) == 1 else Alternatives(options)


def element_reference(reference: list[Any], element: Any) -> Any:
    same = [r for r in reference if isinstance(r, dict) and isinstance(element, dict)]
    same = [r for r in same if r.get("type") == element.get("type")]
    return union(same or reference)


# An object whose keys are all Slack ids is a map keyed by id (files' `shares` by conversation).
ID_KEY = re.compile(r"^[CDGU][A-Z0-9]{6,}_?$")


def id_keyed(reference: Any) -> bool:
    return isinstance(reference, dict) and bool(reference) and all(map(ID_KEY.match, reference))


def shape_errors(actual: Any, reference: Any, path: str = "$") -> list[str]:
    """Keys in `actual` missing from `reference`, and JSON type mismatches, recursively."""
    if isinstance(reference, Alternatives):
        results = [shape_errors(actual, option, path) for option in reference]
        return [] if any(not r for r in results) else min(results, key=len)
    if kind(actual) != kind(reference):
        return [f"{path}: {kind(actual)} here, {kind(reference)} in Slack's recording"]
    errors: list[str] = []
    if isinstance(actual, dict) and id_keyed(reference):
        values = union(list(reference.values()))
        for key, value in actual.items():
            if not ID_KEY.match(key):
                errors.append(f"{path}.{key}: not an id, as the keys are in Slack's recording")
            else:
                errors += shape_errors(value, values, f"{path}.{key}")
    elif isinstance(actual, dict) and reference:
        for key, value in actual.items():
            if key not in reference:
                errors.append(f"{path}.{key}: not in Slack's recording")
            else:
                errors += shape_errors(value, reference[key], f"{path}.{key}")
    elif isinstance(actual, list) and reference:
        for i, element in enumerate(actual):
            errors += shape_errors(element, element_reference(reference, element), f"{path}[{i}]")
    return errors


def test_the_shape_check_itself() -> None:
    reference = {"a": 1, "b": [{"type": "x", "p": ""}, {"type": "y", "q": True}], "c": {}}
    assert (
        shape_errors({"a": 2.5, "b": [{"type": "y", "q": False}], "c": {"free": 1}}, reference)
        == []
    )
    assert shape_errors({"a": "1"}, reference) == ["$.a: string here, number in Slack's recording"]
    assert shape_errors({"z": 1}, reference) == ["$.z: not in Slack's recording"]
    assert shape_errors({"b": [{"type": "y", "p": ""}]}, reference) == [
        "$.b[0].p: not in Slack's recording"
    ]
    by_id = {"shares": {"C00000000": [{"ts": ""}], "C00000001": [{"ts": "", "n": 1}]}}
    assert shape_errors({"shares": {"D0MAYA0001": [{"ts": "1.2", "n": 2}]}}, by_id) == []
    assert shape_errors({"shares": {"public": []}}, by_id) == [
        "$.shares.public: not an id, as the keys are in Slack's recording"
    ]
    assert shape_errors({"shares": {"D0MAYA0001": [{"x": 1}]}}, by_id) == [
        "$.shares.D0MAYA0001[0].x: not in Slack's recording"
    ]


# ---------------------------------------------------------------- Web API responses


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        running.add_user(MAYA, "maya", real_name="Maya Lopez")
        running.add_user(OMAR, "omar", real_name="Omar", tz="America/New_York", is_admin=True)
        running.add_channel(PUBLIC, "mentoring", members=[MAYA, OMAR])
        running.add_channel(ARCHIVED, "old", is_archived=True)
        yield running
        assert running.server_errors == []


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


MESSAGE_BLOCKS: list[Any] = [
    {"type": "header", "text": {"type": "plain_text", "text": "Next meeting", "emoji": True}},
    {**section("Tuesday 15:00"), "accessory": {"type": "button", "action_id": "open",
     "text": {"type": "plain_text", "text": "Open"}, "value": "1"}},
    {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Cadence*"}]},
    {"type": "context", "elements": [{"type": "image", "image_url": "https://x.test/a.png",
     "alt_text": "kickoff"}]},
    {"type": "divider"},
    {"type": "actions", "elements": [
        {"type": "button", "action_id": "met", "style": "primary",
         "text": {"type": "plain_text", "text": "We met"}, "value": "p1"},
        {"type": "static_select", "action_id": "move",
         "placeholder": {"type": "plain_text", "text": "Move"},
         "options": [{"text": {"type": "plain_text", "text": "Tomorrow"}, "value": "t"}]}]},
]  # fmt: skip

VIEW_BLOCKS: list[Any] = [
    section("Plan a mentorship"),
    {"type": "input", "block_id": "mentee", "label": {"type": "plain_text", "text": "Mentee"},
     "element": {"type": "users_select", "action_id": "u", "initial_user": MAYA}},
    {"type": "input", "block_id": "goal", "optional": True,
     "label": {"type": "plain_text", "text": "Goal"},
     "hint": {"type": "plain_text", "text": "One sentence"},
     "element": {"type": "plain_text_input", "action_id": "g", "multiline": True,
                 "initial_value": "Lead"}},
    {"type": "input", "block_id": "cadence", "label": {"type": "plain_text", "text": "Cadence"},
     "element": {"type": "static_select", "action_id": "c", "options": [
         {"text": {"type": "plain_text", "text": "Weekly"}, "value": "weekly"}]}},
    {"type": "input", "block_id": "day", "label": {"type": "plain_text", "text": "Start"},
     "element": {"type": "datepicker", "action_id": "d", "initial_date": "2026-03-02"}},
    {"type": "actions", "elements": [{"type": "button", "action_id": "more",
     "text": {"type": "plain_text", "text": "More"}}]},
]  # fmt: skip


def modal(title: str = "Start a mentorship", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "plan",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Start"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": "{}",
        "blocks": VIEW_BLOCKS,
        **extra,
    }


def exercise_every_method(standin: SlackStandIn) -> dict[str, list[dict[str, Any]]]:
    """Call each implemented method on success and on error; collect the JSON answers."""
    client = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])
    answers: dict[str, list[dict[str, Any]]] = {}

    def keep(method: str, call: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            data = call(**kwargs).data
        except SlackApiError as exc:
            data = exc.response.data
        answers.setdefault(method, []).append(data)
        return data

    wrong = WebClient(token="xoxb-wrong", base_url=standin.api_url, retry_handlers=[])
    keep("auth.test", client.auth_test)
    keep("auth.test", wrong.auth_test)
    keep("team.info", client.team_info)
    keep("team.info", wrong.team_info)
    for user in (MAYA, OMAR, standin.bot_user_id, "U0NOBODY01"):
        keep("users.info", client.users_info, user=user)
    keep("users.list", client.users_list, limit=2)
    keep("users.list", client.users_list, cursor="bad")
    keep("conversations.open", client.conversations_open, users=MAYA)
    keep("conversations.open", client.conversations_open, users=MAYA, return_im=True)
    keep("conversations.open", client.conversations_open, users=f"{MAYA},{OMAR}", return_im=True)
    keep("conversations.open", client.conversations_open, users="U0NOBODY01")
    keep("conversations.join", client.conversations_join, channel=PUBLIC)
    keep("conversations.join", client.conversations_join, channel=PUBLIC)
    keep("conversations.join", client.conversations_join, channel=ARCHIVED)
    keep("conversations.info", client.conversations_info, channel=PUBLIC, include_num_members=True)
    keep("conversations.info", client.conversations_info, channel=standin.dm_channel_id(MAYA))
    keep("conversations.info", client.conversations_info, channel="C0NOPE0001")
    keep("conversations.members", client.conversations_members, channel=PUBLIC)
    keep("conversations.members", client.conversations_members, channel="C0NOPE0001")
    meta = {"event_type": "nudge", "event_payload": {"pair": 1}}
    post = keep(
        "chat.postMessage", client.chat_postMessage, channel=MAYA, text="Hi", blocks=MESSAGE_BLOCKS
    )
    keep("chat.postMessage", client.chat_postMessage, channel=PUBLIC, text="Kickoff", metadata=meta)
    keep("chat.postMessage", client.chat_postMessage, channel=MAYA, text="re", thread_ts=post["ts"])
    keep(
        "chat.postMessage",
        client.chat_postMessage,
        channel=MAYA,
        text="x",
        blocks=[section("b")] * 51,
    )
    keep("chat.update", client.chat_update, channel=post["channel"], ts=post["ts"], text="v2",
         blocks=MESSAGE_BLOCKS)  # fmt: skip
    keep("chat.update", client.chat_update, channel=post["channel"], ts="1.2", text="v2")
    keep("chat.postEphemeral", client.chat_postEphemeral, channel=PUBLIC, user=OMAR, text="psst")
    keep("chat.postEphemeral", client.chat_postEphemeral, channel=PUBLIC, user="U0X", text="x")
    keep(
        "chat.getPermalink",
        client.chat_getPermalink,
        channel=post["channel"],
        message_ts=post["ts"],
    )
    keep("chat.getPermalink", client.chat_getPermalink, channel=PUBLIC, message_ts="1.2")
    opened = keep(
        "views.open", client.views_open, trigger_id=standin.issue_trigger(OMAR), view=modal()
    )
    keep(
        "views.open",
        client.views_open,
        trigger_id=standin.issue_trigger(OMAR),
        view=modal("x" * 25),
    )
    for _ in range(3):
        keep("views.push", client.views_push, trigger_id=standin.issue_trigger(OMAR), view=modal())
    view_id, view_hash = opened["view"]["id"], opened["view"]["hash"]
    keep("views.update", client.views_update, view_id=view_id, hash=view_hash, view=modal("Two"))
    keep("views.update", client.views_update, view_id=view_id, hash=view_hash, view=modal())
    home = {"type": "home", "callback_id": "home", "blocks": [section("Plans"), VIEW_BLOCKS[-1]]}
    keep("views.publish", client.views_publish, user_id=MAYA, view=home)
    keep("views.publish", client.views_publish, user_id=MAYA, view=modal())
    keep("chat.update", client.chat_update, channel=post["channel"], ts=post["ts"], text="x",
         blocks=[section("a" * 3001)])  # fmt: skip
    keep("chat.postEphemeral", client.chat_postEphemeral, channel=PUBLIC, user=OMAR, text="x",
         blocks=[section("")])  # fmt: skip
    exercise_files(standin, client, keep)
    exercise_canvases(standin, client, keep)
    return answers


Keep = Callable[..., Any]
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def upload(standin: SlackStandIn, client: WebClient, keep: Keep, data: bytes, name: str) -> str:
    """Steps 1 and 2 of an upload: a URL for `name`, then its bytes; the file id."""
    answer = keep(
        "files.getUploadURLExternal",
        client.files_getUploadURLExternal,
        filename=name,
        length=len(data),
    )
    with urllib.request.urlopen(urllib.request.Request(answer["upload_url"], data=data)) as r:
        assert r.read() == f"OK - {len(data)}".encode()
    return str(answer["file_id"])


def exercise_files(standin: SlackStandIn, client: WebClient, keep: Keep) -> None:
    """files.*: an .ics in a DM and a CSV in a channel, files.info on both; the errors."""
    dm = client.conversations_open(users=MAYA)["channel"]["id"]
    complete = client.files_completeUploadExternal
    ics = upload(standin, client, keep, ICS, "plan.ics")
    keep("files.completeUploadExternal", complete, files=[{"id": ics, "title": "Plan"}],
         channel_id=dm, initial_comment="Your meetings")  # fmt: skip
    csv = upload(standin, client, keep, b"goal,status\nLead,open\n", "goals.csv")
    keep("files.completeUploadExternal", complete, files=[{"id": csv}], channel_id=PUBLIC)
    keep("files.info", client.files_info, file=ics)
    keep("files.info", client.files_info, file=csv)
    keep("files.getUploadURLExternal", client.files_getUploadURLExternal, filename="x", length=0)
    other = upload(standin, client, keep, b"x", "x.txt")
    keep("files.completeUploadExternal", complete, files=[{"id": other}], channel_id=MAYA)
    keep("files.completeUploadExternal", complete, files=[{"id": "F0NOPE0001"}], channel_id=dm)
    keep("files.info", client.files_info, file="F0NOPE0001")
    standin.scopes.discard("files:write")
    keep("files.getUploadURLExternal", client.files_getUploadURLExternal, filename="x", length=1)
    standin.scopes.add("files:write")


def exercise_canvases(standin: SlackStandIn, client: WebClient, keep: Keep) -> None:
    """canvases.* and conversations.canvases.create on success and on each kind of error."""
    markdown = "# Mentorship plan\n\n## Goals\n- Lead the launch\n\n## Milestones\nKickoff"
    document = {"type": "markdown", "markdown": markdown}
    created = keep("canvases.create", client.canvases_create, title="Plan",
                   document_content=document)  # fmt: skip
    canvas = created["canvas_id"]
    keep("canvases.create", client.canvases_create, title="Bad",
         document_content={"type": "markdown", "markdown": "> - a list in a quote"})  # fmt: skip
    lookup = client.canvases_sections_lookup
    found = keep("canvases.sections.lookup", lookup, canvas_id=canvas,
                 criteria={"section_types": ["any_header"], "contains_text": "Goals"})  # fmt: skip
    keep("canvases.sections.lookup", lookup, canvas_id="F0NOPE0001",
         criteria={"section_types": ["h1"]})  # fmt: skip
    change = {"operation": "insert_after", "section_id": found["sections"][0]["id"],
              "document_content": {"type": "markdown", "markdown": "- Grow as a lead"}}  # fmt: skip
    keep("canvases.edit", client.canvases_edit, canvas_id=canvas, changes=[change])
    keep("canvases.edit", client.canvases_edit, canvas_id=canvas, changes=[change, change])
    standin.lock_canvas_editing(canvas)
    keep("canvases.edit", client.canvases_edit, canvas_id=canvas, changes=[change])
    access = client.canvases_access_set
    keep("canvases.access.set", access, canvas_id=canvas, access_level="read", user_ids=[MAYA])
    keep("canvases.access.set", access, canvas_id=canvas, access_level="write",
         channel_ids=[PUBLIC])  # fmt: skip
    keep("canvases.access.set", access, canvas_id=canvas, access_level="read", user_ids=[MAYA],
         channel_ids=[PUBLIC])  # fmt: skip
    standin.add_user(GONE, "gone", deleted=True)
    keep("canvases.access.set", access, canvas_id=canvas, access_level="read", user_ids=[GONE])
    create_in = client.conversations_canvases_create
    keep("conversations.canvases.create", create_in, channel_id=PUBLIC, document_content=document)
    keep("conversations.canvases.create", create_in, channel_id=PUBLIC, document_content=document)
    keep("files.info", client.files_info, file=canvas)
    keep("canvases.delete", client.canvases_delete, canvas_id=canvas)
    keep("canvases.delete", client.canvases_delete, canvas_id=canvas)
    keep("canvases.sections.lookup", lookup, canvas_id=canvas, criteria={"contains_text": "x"})
    standin.set_free_team()
    keep("canvases.create", client.canvases_create, title="Free", document_content=document)
    standin.set_free_team(False)


def test_every_implemented_method_has_a_reference_file() -> None:
    api = reference_dir() / "java-slack-sdk" / "api"
    missing = sorted(m for m in SlackStandIn.METHODS if not (api / f"{m}.json").is_file())
    assert missing == [], f"no recorded Slack responses for {missing}"


def test_every_answer_has_slacks_keys_and_types(standin: SlackStandIn) -> None:
    answers = exercise_every_method(standin)
    assert set(answers) == set(SlackStandIn.METHODS), "exercise every implemented method"
    problems: list[str] = []
    for method, bodies in sorted(answers.items()):
        oks = [b["ok"] for b in bodies]
        assert True in oks and False in oks, f"{method}: need a success and an error, got {oks}"
        reference = load(f"java-slack-sdk/api/{method}.json")
        for body in bodies:
            problems += [f"{method}: {p}" for p in shape_errors(body, reference)]
    assert problems == []


def test_blocks_are_echoed_with_only_the_ids_slack_adds(standin: SlackStandIn) -> None:
    """Echoed blocks are the caller's own content; the stand-in adds only block_id / action_id."""
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    posted = client.chat_postMessage(channel=MAYA, text="Hi", blocks=MESSAGE_BLOCKS)["message"]
    view = client.views_open(trigger_id=standin.issue_trigger(OMAR), view=modal())["view"]
    for sent, echoed in [(MESSAGE_BLOCKS, posted["blocks"]), (VIEW_BLOCKS, view["blocks"])]:
        assert echoed == [
            {**g, "block_id": a["block_id"]} for g, a in zip(sent, echoed, strict=True)
        ]
        assert all(
            a["block_id"] == g.get("block_id", a["block_id"])
            for g, a in zip(sent, echoed, strict=True)
        )
    bare = [
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x"}}],
        }
    ]
    answer = client.chat_postMessage(channel=MAYA, text="x", blocks=bare)["message"]["blocks"][0]
    assert answer["block_id"] and answer["elements"][0]["action_id"]


def test_shared_files_in_messages_are_shaped_like_slacks_file_share(standin: SlackStandIn) -> None:
    """The `files` of a message sharing an upload have the keys of a file_share event's files."""
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    client.conversations_join(channel=PUBLIC)
    client.files_upload_v2(channel=PUBLIC, content=ICS, filename="plan.ics", title="Plan")
    reference = load("java-slack-sdk/events/MessageFileSharePayload.json")["event"]
    [message] = standin.file_messages(PUBLIC)
    assert message.subtype == reference["subtype"] == "file_share"
    assert shape_errors(message.files[0], reference["files"][0]) == []


def test_rate_limited_answer_has_slacks_keys(standin: SlackStandIn) -> None:
    standin.rate_limit_next("chat.postMessage")
    client = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=MAYA, text="x")
    assert info.value.response.status_code == 429
    assert (
        shape_errors(info.value.response.data, load("java-slack-sdk/api/chat.postMessage.json"))
        == []
    )


# ---------------------------------------------------------------- driver payloads

WORKFLOW_ONLY = "sent only to workflow steps / custom functions"
ABSENT_OK: dict[str, dict[str, str]] = {
    "SlashCommandPayload.json": {
        "enterprise_id": "Enterprise Grid only",
        "enterprise_name": "Enterprise Grid only",
    },
    "ViewSubmissionPayload.json": {
        "bot_access_token": WORKFLOW_ONLY,
        "function_data": WORKFLOW_ONLY,
        "interactivity": WORKFLOW_ONLY,
        "is_cleared": "view_closed only",
    },
    "ViewClosedPayload.json": {
        "bot_access_token": WORKFLOW_ONLY,
        "function_data": WORKFLOW_ONLY,
        "interactivity": WORKFLOW_ONLY,
    },
    "BlockActionPayload.json": {
        "bot_access_token": WORKFLOW_ONLY,
        "function_data": WORKFLOW_ONLY,
        "interactivity": WORKFLOW_ONLY,
        "app_unfurl": "actions in link unfurls only",
        "view": "actions in views only (this is a message action)",
    },
    "envelope": {
        "enterprise_id": "Enterprise Grid only",
        "authed_teams": "deprecated, no longer sent",
    },
    "MessagePayload.json": {
        "bot_id": "messages posted by apps only",
        "bot_profile": "messages posted by apps only",
        "metadata": "messages posted by apps with metadata only",
        "attachments": "messages with attachments only",
        "edited": "edited messages only",
        "parent_user_id": "thread replies only (checked on the reply below)",
        "thread_ts": "thread replies only (checked on the reply below)",
    },
    "MessageFileSharePayload.json": {"attachments": "messages with attachments only"},
    "MessageThreadBroadcastPayload.json": {"attachments": "messages with attachments only"},
}


def missing_keys(sent: dict[str, Any], reference: dict[str, Any], allowed: str) -> list[str]:
    ok = ABSENT_OK.get(allowed, {})
    return sorted(k for k in reference if k not in sent and k not in ok)


@dataclass
class Capture:
    """What a stdlib HTTP target standing in for the bot received."""

    url: str
    bodies: list[bytes] = field(default_factory=list)


@pytest.fixture
def capture() -> Iterator[Capture]:
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield Capture(f"http://127.0.0.1:{server.server_address[1]}/slack/events", bodies)
    server.shutdown()
    server.server_close()


def form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


def payload(body: bytes) -> dict[str, Any]:
    return dict(json.loads(form(body)["payload"]))


def test_interactivity_payloads_have_slacks_keys(standin: SlackStandIn, capture: Capture) -> None:
    driver = SlackDriver(standin, capture.url)
    captured = capture.bodies
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    driver.slash_command(OMAR, "start")
    sent = form(captured[-1])
    reference = load("java-slack-sdk/app-backend/SlashCommandPayload.json")
    assert missing_keys(sent, reference, "SlashCommandPayload.json") == []
    view = client.views_open(
        trigger_id=standin.issue_trigger(OMAR), view=modal(notify_on_close=True)
    )["view"]
    driver.submit_view(OMAR, view["id"], {"Cadence": "weekly"})
    reference = load("java-slack-sdk/app-backend/ViewSubmissionPayload.json")
    assert missing_keys(payload(captured[-1]), reference, "ViewSubmissionPayload.json") == []
    view = client.views_open(
        trigger_id=standin.issue_trigger(OMAR), view=modal(notify_on_close=True)
    )["view"]
    driver.close_view(OMAR, view["id"])
    reference = load("java-slack-sdk/app-backend/ViewClosedPayload.json")
    assert missing_keys(payload(captured[-1]), reference, "ViewClosedPayload.json") == []
    client.chat_postMessage(channel=MAYA, text="Did you meet?", blocks=MESSAGE_BLOCKS)
    driver.click(MAYA, "met")
    reference = load("java-slack-sdk/app-backend/BlockActionPayload.json")
    assert missing_keys(payload(captured[-1]), reference, "BlockActionPayload.json") == []
    action = payload(captured[-1])["actions"][0]
    assert shape_errors(action, element_reference(reference["actions"], action)) == []


def event_of(body: bytes) -> dict[str, Any]:
    return dict(json.loads(body))


@pytest.mark.parametrize(
    ("case", "reference_file"),
    [
        ("message.im", "MessagePayload.json"),
        ("thread reply", "MessagePayload.json"),
        ("message_changed", "MessageChangedPayload.json"),
        ("message_deleted", "MessageDeletedPayload.json"),
        ("tombstone", "MessageChangedPayload.json"),
        ("app_home_opened", "AppHomeOpenedPayload.json"),
        ("bot_message", "MessageBotPayload.json"),
        ("file_share", "MessageFileSharePayload.json"),
        ("thread_broadcast", "MessageThreadBroadcastPayload.json"),
        ("user_change", "UserChangePayload.json"),
    ],
)
def test_event_payloads_have_slacks_keys(
    standin: SlackStandIn, capture: Capture, case: str, reference_file: str
) -> None:
    driver = SlackDriver(standin, capture.url)
    captured = capture.bodies
    _, root = driver.user_dm(MAYA, "How do I prepare for the kickoff?")
    if case == "thread reply":
        driver.send_message_event(MAYA, text="also this", thread_ts=root)
    elif case == "message_changed":
        driver.edit_dm(MAYA, root, "How do I prepare?")
    elif case == "message_deleted":
        driver.delete_dm(MAYA, root)
    elif case == "tombstone":  # a deleted message with thread replies
        driver.send_message_event(MAYA, text="also this", thread_ts=root)
        driver.delete_dm(MAYA, root)
    elif case == "app_home_opened":
        client = WebClient(token="xoxb-test", base_url=standin.api_url)
        client.views_publish(user_id=MAYA, view={"type": "home", "blocks": [section("Home")]})
        driver.open_home(MAYA)
    elif case == "user_change":
        driver.change_user(MAYA, tz="Asia/Tokyo")
    elif case in ("bot_message", "file_share", "thread_broadcast"):
        driver.send_message_event(MAYA, text=case, subtype=case, thread_ts=root)
    reference = load(f"java-slack-sdk/events/{reference_file}")
    sent = event_of(captured[-1])
    assert missing_keys(sent, reference, "envelope") == []
    allowed = reference_file if case != "thread reply" else "MessagePayload.json"
    ok = dict(ABSENT_OK.get(allowed, {}))
    if case == "thread reply":
        ok = {k: v for k, v in ok.items() if k not in ("thread_ts", "parent_user_id")}
    missing = sorted(k for k in reference["event"] if k not in sent["event"] and k not in ok)
    assert missing == [], f"{case}: event lacks {missing}"
    if case == "user_change":  # the member inside has users.info's keys, as Slack's recording
        assert shape_errors(sent["event"]["user"], reference["event"]["user"]) == []
