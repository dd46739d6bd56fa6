"""The check the outbox runs before sending (bot/core/blocks.py) agrees with the stand-in, which
plays Slack: a message one refuses, the other refuses, at and around every limit either names."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block, SectionBlock

from bot.core.blocks import Unbuildable, checked, checked_message, serialise
from bot.standin.blockkit import message_errors

JSON = dict[str, Any]


def around(limit: int) -> st.SearchStrategy[int]:
    return st.sampled_from([1, limit - 1, limit, limit + 1])


def chars(limit: int) -> st.SearchStrategy[str]:
    return st.one_of(around(limit).map(lambda n: "x" * n), st.just(""))


def text_obj(limit: int, kind: str = "mrkdwn") -> st.SearchStrategy[JSON]:
    return chars(limit).map(lambda t: {"type": kind, "text": t})


def plain(limit: int) -> st.SearchStrategy[JSON]:
    return text_obj(limit, "plain_text")


@st.composite
def button(draw: st.DrawFn, i: int = 0) -> JSON:
    element: JSON = {"type": "button", "action_id": f"b{i}", "text": draw(plain(75))}
    if draw(st.booleans()):
        element["accessibility_label"] = "a" * draw(around(75))
    if draw(st.booleans()):
        element["value"] = "v" * draw(around(2000))
    if draw(st.booleans()):
        element["confirm"] = {
            "title": draw(plain(100)),
            "text": draw(text_obj(300)),
            "confirm": draw(plain(30)),
            "deny": draw(plain(30)),
        }
    return element


@st.composite
def select(draw: st.DrawFn, i: int = 0) -> JSON:
    count = draw(st.sampled_from([1, 100, 101]))
    option = {"text": draw(plain(75)), "value": "v" * draw(around(150))}
    return {
        "type": "static_select",
        "action_id": f"s{i}",
        "placeholder": draw(plain(150)),
        "options": [option] * count,
    }


@st.composite
def block(draw: st.DrawFn) -> JSON:
    kind = draw(st.sampled_from(["section", "fields", "header", "context", "actions"]))
    if kind == "section":
        found: JSON = {"type": "section", "text": draw(text_obj(3000))}
        if draw(st.booleans()):
            found["accessory"] = draw(button())
        return found
    if kind == "fields":
        count = draw(st.sampled_from([1, 10, 11]))
        return {"type": "section", "fields": [draw(text_obj(2000))] * count}
    if kind == "header":
        return {"type": "header", "text": draw(plain(150))}
    if kind == "context":
        count = draw(st.sampled_from([1, 10, 11]))
        return {"type": "context", "elements": [draw(text_obj(3000))] * count}
    count = draw(st.sampled_from([1, 2, 25, 26]))
    elements = [draw(st.one_of(button(i), select(i))) for i in range(min(count, 3))]
    elements += [{"type": "button", "action_id": f"x{i}", "text": {"type": "plain_text", "text": "x"}}
                 for i in range(count - len(elements))]  # fmt: skip
    return {"type": "actions", "elements": elements}


def refused_by_us(text: str, blocks: list[JSON]) -> bool:
    try:
        checked_message(text, blocks)
    except Unbuildable:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(
    text=chars(40_000).filter(bool),
    blocks=st.lists(block(), min_size=1, max_size=3),
    copies=st.sampled_from([1, 16, 17]),
    block_id=st.sampled_from([None, "same", "b" * 255, "b" * 256]),
)
def test_the_outbox_refuses_exactly_what_the_stand_in_refuses(
    text: str, blocks: list[JSON], copies: int, block_id: str | None
) -> None:
    message = blocks * copies  # up to 51 blocks
    if block_id is not None:
        message = [{**message[0], "block_id": block_id}, *message[1:]]
        if block_id == "same" and len(message) > 1:
            message[1] = {**message[1], "block_id": "same"}
    stand_in = message_errors(text, message)
    assert refused_by_us(text, message) == (stand_in is not None), stand_in


def test_a_block_object_slack_sdk_refuses_is_unbuildable_before_anything_is_sent() -> None:
    with pytest.raises(Unbuildable) as caught:
        serialise([SectionBlock(text="x" * 3001)])
    assert caught.value.problems == ["blocks/0: text attribute cannot exceed 3000 characters"]


def test_what_is_refused_says_where_and_how_much_never_what_the_text_was() -> None:
    secret = "my private reflection " * 200
    with pytest.raises(Unbuildable) as caught:
        checked_message("x", [{"type": "section", "text": {"type": "mrkdwn", "text": secret}}])
    assert caught.value.problems == ["blocks/0/text: 4,400 characters, at most 3,000"]
    assert "private" not in str(caught.value)


def test_blocks_checked_once_are_shared_and_each_message_is_still_checked_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`checked`: blocks serialised (and validated) once, which messages sharing them take as
    they are, while each message is still held to Slack's limits as a whole."""
    shared = checked([SectionBlock(text="The same for both people")])
    assert shared == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "The same for both people"}}
    ]
    parsed: list[object] = []
    monkeypatch.setattr(Block, "parse", lambda block: parsed.append(block))  # JSON is parsed again
    own = SectionBlock(text="Only for Maya")
    assert checked_message("x", [own, *shared]) == [own.to_dict(), *shared]
    assert parsed == []  # neither the object nor the checked block was parsed and validated again
    checked_message("x", [dict(shared[0])])
    assert parsed == [shared[0]]  # plain JSON is
    with pytest.raises(Unbuildable) as caught:
        checked_message("x", shared * 51)
    assert caught.value.problems == ["blocks: 51 blocks, at most 50"]
    with pytest.raises(Unbuildable):
        checked([SectionBlock(text="x" * 3001)])
