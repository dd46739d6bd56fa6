"""Files on the stand-in: files.getUploadURLExternal → POST of the bytes → files.completeUploadExternal
(as slack_sdk's files_upload_v2 does it), files.info, url_private downloads, and the helpers a
test uses to read what a person received."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackStandIn

MAYA, OMAR, GONE = "U0MAYA0001", "U0OMAR0001", "U0GONE0001"
PUBLIC, PRIVATE, ELSEWHERE = "C0MENTOR01", "C0SECRET01", "C0OTHER001"
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Mentoring with Omar\r\n"
    "DTSTART:20270302T150000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        running.add_user(MAYA, "maya", real_name="Maya")
        running.add_user(OMAR, "omar", real_name="Omar")
        running.add_user(GONE, "gone", deleted=True)
        bot = running.bot_user_id
        running.add_channel(PUBLIC, "mentoring", members=[MAYA, OMAR, bot])
        running.add_channel(PRIVATE, "secret", is_private=True, members=[MAYA])
        running.add_channel(ELSEWHERE, "elsewhere", members=[MAYA])
        yield running
        assert running.server_errors == []


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])


def error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    return dict(info.value.response.data)


def post(url: str, data: bytes, content_type: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def get(url: str, token: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_a_calendar_file_reaches_a_persons_dm_with_its_comment(
    standin: SlackStandIn, client: WebClient
) -> None:
    dm = client.conversations_open(users=MAYA)["channel"]["id"]
    assert dm.startswith("D")
    answer = client.files_upload_v2(
        channel=dm,
        content=ICS,
        filename="mentorship.ics",
        title="Your meetings",
        initial_comment="Here are your meetings with Omar",
    )
    [uploaded] = answer["files"]
    assert uploaded["name"] == "mentorship.ics" and uploaded["title"] == "Your meetings"
    assert uploaded["size"] == len(ICS.encode())
    assert "shares" not in uploaded, "Slack shares asynchronously: files.info shows the shares"

    [received] = standin.dm_files(MAYA)
    assert received.id == uploaded["id"]
    assert received.text == ICS and standin.file_content(received.id) == ICS.encode()
    assert "SUMMARY:Mentoring with Omar" in received.text.splitlines()
    [message] = standin.dm_messages(MAYA)
    assert message.text == "Here are your meetings with Omar"
    assert message.files[0]["id"] == received.id and message.subtype == "file_share"
    assert standin.file_messages(dm) == [message]
    assert standin.transcript()[-1] == (
        "DM to Maya: Here are your meetings with Omar [file mentorship.ics]"
    )

    info = client.files_info(file=received.id)["file"]
    assert info["ims"] == [dm] and info["channels"] == [] and info["groups"] == []
    assert [s["ts"] for s in info["shares"]["private"][dm]] == [message.ts]
    assert info["is_public"] is False


def test_csv_and_markdown_in_a_channel_can_be_fetched_and_parsed(
    standin: SlackStandIn, client: WebClient
) -> None:
    rows = "goal,owner,status\nLead the launch,Maya,open\nGive back,Omar,done\n"
    client.files_upload_v2(
        channel=PUBLIC,
        file_uploads=[
            {"content": rows, "filename": "goals.csv", "title": "Goals"},
            {"content": "# Plan\n\n- Lead\n", "filename": "plan.md"},
        ],
        initial_comment="The plan",
    )
    goals, plan = standin.files_in(PUBLIC)
    assert list(csv.DictReader(io.StringIO(goals.text)))[1] == {
        "goal": "Give back",
        "owner": "Omar",
        "status": "done",
    }
    assert plan.title == "plan.md" and plan.text.startswith("# Plan")
    [message] = standin.file_messages(PUBLIC)
    assert [f["name"] for f in message.files] == ["goals.csv", "plan.md"]
    info = client.files_info(file=goals.id)["file"]
    assert info["filetype"] == "csv" and info["channels"] == [PUBLIC] and info["is_public"]
    assert list(info["shares"]["public"]) == [PUBLIC]

    status, kind, body = get(info["url_private_download"], token="xoxb-test")
    assert (status, kind, body) == (200, "text/csv", rows.encode())
    status, kind, body = get(info["url_private"])  # without the token: Slack's sign-in page
    assert status == 200 and kind.startswith("text/html") and b"Sign in" in body


def test_bytes_that_differ_from_the_declared_length_never_complete(
    standin: SlackStandIn, client: WebClient
) -> None:
    dm = standin.dm_channel_id(MAYA)
    ticket = client.files_getUploadURLExternal(filename="plan.ics", length=100)
    assert ticket["upload_url"].startswith(standin.base_url + "/upload/v1/")
    assert post(ticket["upload_url"], b"too short") == (200, "OK - 9")
    complete = client.files_completeUploadExternal
    answer = error(complete, files=[{"id": ticket["file_id"]}], channel_id=dm)
    assert answer == {"ok": False, "error": "file_not_found"}
    assert standin.dm_messages(MAYA) == [] and standin.dm_files(MAYA) == []

    nothing_sent = client.files_getUploadURLExternal(filename="plan.ics", length=3)
    answer = error(complete, files=[{"id": nothing_sent["file_id"]}], channel_id=dm)
    assert answer["error"] == "file_not_found"
    assert error(complete, files=[{"id": "F0NOPE0001"}], channel_id=dm)["error"] == (
        "file_not_found"
    )


def test_a_user_id_as_channel_id_is_invalid_arguments_as_slack_answers(
    standin: SlackStandIn, client: WebClient
) -> None:
    ticket = client.files_getUploadURLExternal(filename="plan.ics", length=3)
    assert post(ticket["upload_url"], b"abc") == (200, "OK - 3")
    files = [{"id": ticket["file_id"], "title": "Plan"}]
    answer = error(client.files_completeUploadExternal, files=files, channel_id=MAYA)
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]"
    ]
    assert standin.messages == []
    # files_upload_v2(channel=<user id>) fails the same way; the DM's id works.
    by_user_id = error(client.files_upload_v2, channel=MAYA, content="x", filename="x.txt")
    assert by_user_id["error"] == "invalid_arguments"
    dm = client.conversations_open(users=MAYA)["channel"]["id"]
    assert client.files_completeUploadExternal(files=files, channel_id=dm)["ok"]
    assert [f.title for f in standin.dm_files(MAYA)] == ["Plan"]
    assert error(client.files_completeUploadExternal, files=files, channel_id=dm)["error"] == (
        "file_not_found"
    ), "a file completes once"
    assert len(standin.dm_messages(MAYA)) == 1


def test_where_a_file_may_be_shared(standin: SlackStandIn, client: WebClient) -> None:
    def complete(channel_id: str) -> str:
        ticket = client.files_getUploadURLExternal(filename="x.txt", length=1)
        post(ticket["upload_url"], b"x")
        files = [{"id": ticket["file_id"]}]
        try:
            client.files_completeUploadExternal(files=files, channel_id=channel_id)
        except SlackApiError as exc:
            return str(exc.response["error"])
        return "ok"

    assert complete(ELSEWHERE) == "not_in_channel"
    assert complete(PRIVATE) == "channel_not_found"
    assert complete("C0NOPE0001") == "channel_not_found"
    assert complete(PUBLIC) == "ok"
    assert standin.files_in(ELSEWHERE) == [] and len(standin.files_in(PUBLIC)) == 1
    # `channels` (comma-separated, user ids allowed) shares in each, one message per conversation
    client.files_upload_v2(channels=[MAYA, OMAR], content="hi", filename="hi.txt")
    assert (
        [f.name for f in standin.dm_files(MAYA)]
        == ["hi.txt"]
        == [f.name for f in standin.dm_files(OMAR)]
    )


def test_a_reply_in_a_thread_and_an_upload_shared_nowhere(
    standin: SlackStandIn, client: WebClient
) -> None:
    root = client.chat_postMessage(channel=PUBLIC, text="Kickoff notes")
    client.files_upload_v2(
        channel=PUBLIC, thread_ts=root["ts"], content="notes", filename="notes.md"
    )
    [message] = standin.file_messages(PUBLIC)
    assert message.thread_ts == root["ts"]
    shares = client.files_info(file=message.files[0]["id"])["file"]["shares"]
    assert shares["public"][PUBLIC][0]["thread_ts"] == root["ts"]
    private = client.files_upload_v2(content="mine", filename="mine.txt")["file"]
    assert client.files_info(file=private["id"])["file"]["shares"] == {}
    assert standin.file(private["id"]).text == "mine"
    assert standin.transcript()[-1] == "files uploaded without sharing: mine.txt"


def test_multipart_uploads_as_curl_sends_them(standin: SlackStandIn, client: WebClient) -> None:
    data = b"goal,status\nLead,open\n"
    ticket = client.files_getUploadURLExternal(filename="goals.csv", length=len(data))
    boundary = "----standin"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="filename"; filename="goals.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, text = post(ticket["upload_url"], body, f"multipart/form-data; boundary={boundary}")
    assert (status, text) == (200, f"OK - {len(data)}")
    client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id=PUBLIC)
    assert standin.files_in(PUBLIC)[0].content == data
    assert post(standin.base_url + "/upload/v1/no-such-ticket", b"x")[0] == 404


def test_argument_errors_and_scopes(standin: SlackStandIn, client: WebClient) -> None:
    get_url = client.api_call
    answer = error(get_url, api_method="files.getUploadURLExternal", params={"length": 3})
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == ["[ERROR] missing required field: filename"]
    answer = error(client.files_getUploadURLExternal, filename="x.txt", length=0)
    assert answer["error"] == "missing_argument"
    answer = error(client.files_getUploadURLExternal, filename="x", length=1, alt_txt="a" * 1001)
    assert answer["error"] == "alt_txt_too_large"
    assert error(client.files_info, file="F0NOPE0001")["error"] == "file_not_found"
    unfinished = client.files_getUploadURLExternal(filename="x.txt", length=1)["file_id"]
    assert error(client.files_info, file=unfinished)["error"] == "file_not_found"

    standin.scopes -= {"files:write", "files:read"}
    answer = error(client.files_getUploadURLExternal, filename="x.txt", length=1)
    assert (answer["error"], answer["needed"]) == ("missing_scope", "files:write")
    answer = error(client.files_info, file=unfinished)
    assert (answer["error"], answer["needed"]) == ("missing_scope", "files:read")
