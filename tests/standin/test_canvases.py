"""Canvases on the stand-in: created from Markdown, kept as sections addressable by id, edited one
change per call, looked up, shared with people and conversations, deleted; a free workspace's
limits; and the helpers a test uses to read what a person can open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackStandIn

MAYA, OMAR, LENA, GONE = "U0MAYA0001", "U0OMAR0001", "U0LENA0001", "U0GONE0001"
PUBLIC, ELSEWHERE = "C0MENTOR01", "C0OTHER001"
PLAN = """# Mentorship plan: Maya & Omar

## Goals

- Lead the next launch
- Grow as a mentor

## Milestones

Kickoff on 2 March, checkpoints monthly.

> Every meeting should serve the shared vision."""


def md(text: str) -> dict[str, str]:
    return {"type": "markdown", "markdown": text}


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        running.add_user(MAYA, "maya", real_name="Maya")
        running.add_user(OMAR, "omar", real_name="Omar")
        running.add_user(LENA, "lena", real_name="Lena")
        running.add_user(GONE, "gone", deleted=True)
        running.add_channel(PUBLIC, "mentoring", members=[MAYA, OMAR, running.bot_user_id])
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


def lookup(client: WebClient, canvas_id: str, **criteria: Any) -> list[str]:
    sections = client.canvases_sections_lookup(canvas_id=canvas_id, criteria=criteria)["sections"]
    return [s["id"] for s in sections]


def edit(client: WebClient, canvas_id: str, operation: str, **change: Any) -> None:
    client.canvases_edit(canvas_id=canvas_id, changes=[{"operation": operation, **change}])


def test_a_canvas_is_kept_as_sections_that_lookup_finds(
    standin: SlackStandIn, client: WebClient
) -> None:
    canvas_id = client.canvases_create(title="Maya & Omar", document_content=md(PLAN))["canvas_id"]
    canvas = standin.canvas(canvas_id)
    assert canvas.title == "Maya & Omar" and canvas.standalone
    assert [s.kind for s in canvas.sections] == [
        "h1",
        "h2",
        "list_item",
        "list_item",
        "h2",
        "paragraph",
        "quote",
    ]
    assert canvas.markdown == PLAN
    headers = lookup(client, canvas_id, section_types=["any_header"])
    assert headers == [s.id for s in canvas.sections if s.is_header]
    assert lookup(client, canvas_id, section_types=["h2"]) == headers[1:]
    goals = canvas.sections[1].id
    assert lookup(client, canvas_id, section_types=["h2"], contains_text="Goals") == [goals]
    assert lookup(client, canvas_id, contains_text="Lead") == [canvas.sections[2].id]
    assert lookup(client, canvas_id, contains_text="lead") == [], "contains_text is exact"
    assert lookup(client, canvas_id, contains_text="nothing like it") == []
    assert standin.transcript()[-1] == "canvas created: Maya & Omar (7 sections)"


def test_each_edit_operation(standin: SlackStandIn, client: WebClient) -> None:
    canvas_id = client.canvases_create(document_content=md("# Plan\n\n## Goals\n- Lead"))[
        "canvas_id"
    ]
    canvas = standin.canvas(canvas_id)
    assert canvas.title == "Untitled"
    goals = lookup(client, canvas_id, contains_text="Goals")[0]
    edit(client, canvas_id, "insert_after", section_id=goals, document_content=md("- Mentor"))
    edit(client, canvas_id, "insert_before", section_id=goals, document_content=md("Intro"))
    edit(client, canvas_id, "insert_at_start", document_content=md("_Draft_"))
    edit(client, canvas_id, "insert_at_end", document_content=md("## Notes\nNone yet"))
    assert canvas.markdown == (
        "_Draft_\n\n# Plan\n\nIntro\n\n## Goals\n\n- Mentor\n- Lead\n\n## Notes\n\nNone yet"
    )
    lead = lookup(client, canvas_id, contains_text="Lead")[0]
    edit(client, canvas_id, "replace", section_id=lead, document_content=md("- Lead a launch"))
    edit(
        client, canvas_id, "delete", section_id=lookup(client, canvas_id, contains_text="Draft")[0]
    )
    edit(client, canvas_id, "rename", title_content=md("Maya & Omar"))
    assert canvas.title == "Maya & Omar"
    assert canvas.markdown.startswith("# Plan\n\nIntro") and "- Lead a launch" in canvas.markdown
    assert [e["operation"] for e in canvas.edits][-3:] == ["replace", "delete", "rename"]
    edit(client, canvas_id, "replace", document_content=md("# All new"))
    assert canvas.markdown == "# All new" and len(canvas.sections) == 1
    assert standin.transcript()[-1] == "canvas edited: Maya & Omar (replace)"


def test_edits_take_exactly_one_change_and_fail_without_changing_anything(
    standin: SlackStandIn, client: WebClient
) -> None:
    canvas_id = client.canvases_create(title="Plan", document_content=md(PLAN))["canvas_id"]
    before = standin.canvas(canvas_id).markdown
    insert = {"operation": "insert_at_end", "document_content": md("x")}

    def refused(changes: Any) -> dict[str, Any]:
        return error(client.canvases_edit, canvas_id=canvas_id, changes=changes)

    two = refused([insert, insert])
    assert two["error"] == "invalid_arguments"
    assert two["response_metadata"]["messages"] == [
        "[ERROR] no more than 1 items allowed [json-pointer:/changes]"
    ]
    assert refused([])["error"] == "invalid_arguments"
    assert refused([{"operation": "append", "document_content": md("x")}])["error"] == (
        "invalid_arguments"
    )
    no_section = refused([{"operation": "insert_after", "document_content": md("x")}])
    assert no_section["response_metadata"]["messages"] == [
        "[ERROR] missing required field: section_id [json-pointer:/changes/0]"
    ]
    unknown = refused([{"operation": "delete", "section_id": "temp:C:nope"}])
    assert unknown["error"] == "canvas_editing_failed"
    quoted_list = refused([{"operation": "insert_at_end", "document_content": md("> - a")}])
    assert quoted_list == {
        "ok": False,
        "error": "canvas_editing_failed",
        "detail": "'content' error: line 1: Unsupported block type (List) within block quote",
    }
    big = refused([{"operation": "insert_at_end", "document_content": md("a" * 1_048_577)}])
    assert big["error"] == "canvas_too_large"
    standin.lock_canvas_editing(canvas_id, times=2)
    assert refused([insert])["error"] == "canvas_editing_locked"
    assert refused([insert])["error"] == "canvas_editing_locked"
    assert standin.canvas(canvas_id).markdown == before
    assert client.canvases_edit(canvas_id=canvas_id, changes=[insert])["ok"]
    assert error(client.canvases_edit, canvas_id="F0NOPE0001", changes=[insert])["error"] == (
        "canvas_not_found"
    )


def test_sharing_with_a_person_and_with_a_conversation(
    standin: SlackStandIn, client: WebClient
) -> None:
    canvas_id = client.canvases_create(title="Plan", document_content=md(PLAN))["canvas_id"]
    assert standin.canvases_for(MAYA) == []
    assert standin.canvas_access(canvas_id, standin.bot_user_id) == "owner"
    access = client.canvases_access_set
    assert access(canvas_id=canvas_id, access_level="read", user_ids=[MAYA])["ok"]
    assert standin.canvas_access(canvas_id, MAYA) == "read"
    assert [c.id for c in standin.canvases_for(MAYA)] == [canvas_id]
    assert standin.canvases_for(OMAR) == []
    assert access(canvas_id=canvas_id, access_level="write", channel_ids=[PUBLIC])["ok"]
    assert standin.canvas_access(canvas_id, OMAR) == "write"
    assert standin.canvas_access(canvas_id, MAYA) == "write", "the higher of her grants"
    assert standin.canvas_access(canvas_id, LENA) is None
    assert standin.transcript()[-2:] == [
        "canvas Plan shared with Maya (read)",
        "canvas Plan shared with #mentoring (write)",
    ]

    def refused(**kwargs: Any) -> str:
        return str(error(access, canvas_id=canvas_id, **kwargs)["error"])

    assert refused(access_level="read") == "invalid_parameters"
    assert refused(access_level="read", user_ids=[LENA], channel_ids=[PUBLIC]) == (
        "invalid_parameters"
    )
    assert refused(access_level="read", user_ids=[LENA, OMAR]) == "invalid_arguments"
    assert refused(access_level="admin", user_ids=[LENA]) == "invalid_arguments"
    assert refused(access_level="read", user_ids=["U0NOBODY01"]) == "user_not_found"
    assert refused(access_level="read", channel_ids=["C0NOPE0001"]) == "channel_not_found"
    gone = error(access, canvas_id=canvas_id, access_level="read", user_ids=[GONE])
    assert gone == {
        "ok": False,
        "error": "failed_to_update_user_ids",
        "failed_to_update_user_ids": [GONE],
    }
    assert access(canvas_id=canvas_id, access_level="read", user_ids=LENA)["ok"]  # one id string
    assert standin.canvas_access(canvas_id, LENA) == "read"


def test_a_channel_canvas_belongs_to_its_conversation(
    standin: SlackStandIn, client: WebClient
) -> None:
    create = client.conversations_canvases_create
    canvas_id = create(channel_id=PUBLIC, document_content=md("# Cohort"))["canvas_id"]
    canvas = standin.canvas(canvas_id)
    assert canvas.is_channel_canvas and canvas.channel_id == PUBLIC
    assert standin.canvas_access(canvas_id, MAYA) == "write"
    assert standin.canvas_access(canvas_id, LENA) is None
    again = error(create, channel_id=PUBLIC, document_content=md("# Again"))
    assert again["error"] == "channel_canvas_already_exists"
    access = error(
        client.canvases_access_set, canvas_id=canvas_id, access_level="read", user_ids=[LENA]
    )
    assert access["error"] == "canvas_not_found"
    assert error(create, channel_id=ELSEWHERE, document_content=md("x"))["error"] == (
        "channel_not_found"
    )
    missing = error(client.api_call, api_method="conversations.canvases.create", json={})
    assert missing["response_metadata"]["messages"] == [
        "[ERROR] missing required field: channel_id"
    ]
    dm = client.conversations_open(users=MAYA)["channel"]["id"]
    in_dm = create(channel_id=dm, document_content=md("# Our notes"))["canvas_id"]
    assert (
        standin.canvas_access(in_dm, MAYA) == "write" and standin.canvas_access(in_dm, OMAR) is None
    )
    assert (
        standin.transcript()[-1] == "channel canvas created in DM with Maya: (untitled) (1 section)"
    )


def test_a_free_workspace_has_no_standalone_canvases(
    standin: SlackStandIn, client: WebClient
) -> None:
    paid = client.canvases_create(title="Before", document_content=md("x"))["canvas_id"]
    standin.set_free_team()
    answer = error(client.canvases_create, title="Plan", document_content=md(PLAN))
    assert answer == {"ok": False, "error": "free_teams_cannot_create_standalone_canvases"}
    tabbed = client.canvases_create(title="Plan", document_content=md(PLAN), channel_id=PUBLIC)
    assert standin.canvas(tabbed["canvas_id"]).channel_id == PUBLIC
    second = error(client.canvases_create, title="Two", document_content=md("x"), channel_id=PUBLIC)
    assert second["error"] == "free_team_canvas_tab_already_exists"
    insert = [{"operation": "insert_at_end", "document_content": md("y")}]
    assert error(client.canvases_edit, canvas_id=paid, changes=insert)["error"] == (
        "free_teams_cannot_edit_standalone_canvases"
    )
    assert client.canvases_edit(canvas_id=tabbed["canvas_id"], changes=insert)["ok"]
    standin.set_free_team(False)
    assert client.canvases_edit(canvas_id=paid, changes=insert)["ok"]


def test_a_deleted_canvas_is_gone(standin: SlackStandIn, client: WebClient) -> None:
    canvas_id = client.canvases_create(title="Plan", document_content=md(PLAN))["canvas_id"]
    client.canvases_access_set(canvas_id=canvas_id, access_level="read", user_ids=[MAYA])
    assert client.files_info(file=canvas_id)["file"]["pretty_type"] == "Canvas"
    assert client.canvases_delete(canvas_id=canvas_id)["ok"]
    assert standin.canvases_for(MAYA) == [] and standin.canvases == []
    assert standin.canvas(canvas_id).deleted
    insert = [{"operation": "insert_at_end", "document_content": md("y")}]
    assert error(client.canvases_edit, canvas_id=canvas_id, changes=insert)["error"] == (
        "canvas_not_found"
    )
    criteria = {"section_types": ["h1"]}
    assert error(client.canvases_sections_lookup, canvas_id=canvas_id, criteria=criteria)[
        "error"
    ] == ("canvas_deleted")
    assert error(client.canvases_delete, canvas_id=canvas_id)["error"] == "canvas_not_found"
    assert error(client.files_info, file=canvas_id)["error"] == "file_deleted"
    assert standin.transcript()[-1] == "canvas deleted: Plan"


def test_content_errors_lookup_errors_and_scopes(standin: SlackStandIn, client: WebClient) -> None:
    bad = error(client.canvases_create, title="Bad", document_content=md("ok\n\n> 1. listed"))
    assert bad["error"] == "canvas_creation_failed"
    assert bad["detail"] == (
        "'content' error: line 3: Unsupported block type (List) within block quote"
    )
    wrong_type = error(client.canvases_create, document_content={"type": "html", "markdown": "x"})
    assert wrong_type["response_metadata"]["messages"] == [
        '[ERROR] must be one of "markdown" [json-pointer:/document_content/type]'
    ]
    canvas_id = client.canvases_create(document_content=md(PLAN))["canvas_id"]
    find = client.canvases_sections_lookup
    assert error(find, canvas_id=canvas_id, criteria={})["error"] == "invalid_arguments"
    odd = error(find, canvas_id=canvas_id, criteria={"section_types": ["paragraph"]})
    assert odd["response_metadata"]["messages"] == [
        '[ERROR] must be one of "h1", "h2", "h3", "any_header" '
        "[json-pointer:/criteria/section_types/0]"
    ]
    assert error(find, canvas_id="F0NOPE0001", criteria={"contains_text": "x"})["error"] == (
        "canvas_not_found"
    )
    standin.scopes.discard("canvases:read")
    answer = error(find, canvas_id=canvas_id, criteria={"contains_text": "x"})
    assert (answer["error"], answer["needed"]) == ("missing_scope", "canvases:read")
    standin.scopes.discard("canvases:write")
    answer = error(client.canvases_create, document_content=md("x"))
    assert (answer["error"], answer["needed"]) == ("missing_scope", "canvases:write")
