"""The request gate's canonical body: a NUL is removed however the body spells it, nesting
beyond MAX_DEPTH is refused at the same depth whether or not the body needed cleaning."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.inbound import (
    MAX_DEPTH,
    Refused,
    _clean,
    bolt_body,
    canonical_body,
    form_fields,
    is_ssl_check,
)


def nested(levels: int, leaf: Any = "x") -> dict[str, Any]:
    value: Any = leaf
    for i in range(levels):
        value = {"k": value} if i % 2 else [value]
    return {"type": "app_rate_limited", "deep": value}


def outcome(body: str, content_type: str = "application/json") -> str | dict[str, Any]:
    try:
        return canonical_body(body, content_type)
    except Refused as refused:
        return refused.reason


def cleaning_refuses(data: dict[str, Any]) -> bool:
    try:
        _clean(data, 0)
    except Refused:
        return True
    return False


@pytest.mark.parametrize("levels", range(MAX_DEPTH - 3, MAX_DEPTH + 3))
@pytest.mark.parametrize("leaf", ["x", "a\u0000b", [], {}, [1], {"k": 1}])
def test_depth_is_refused_at_the_same_level_with_or_without_a_nul(levels: int, leaf: Any) -> None:
    data = nested(levels, leaf)
    expected = cleaning_refuses(data)
    for body, content_type in (
        (json.dumps(data), "application/json"),
        (urlencode({"payload": json.dumps(data)}), ""),
    ):
        assert isinstance(outcome(body, content_type), str) == expected, (levels, leaf)
    assert cleaning_refuses(nested(MAX_DEPTH + 1)) and not cleaning_refuses(nested(MAX_DEPTH - 1))


@pytest.mark.parametrize(
    "body, content_type",
    [
        (json.dumps({"type": "x", "text": "a\u0000b", "k\u0000": 1}), "application/json"),
        (urlencode({"payload": json.dumps({"type": "x", "text": "a\u0000b"})}), ""),
        (
            urlencode(
                {"command": "/mentorship", "text": "a\x00b", "user_id": "U1", "team_id": "T1"}
            ),
            "",
        ),
    ],
)
def test_a_nul_is_removed_however_it_is_spelled(body: str, content_type: str) -> None:
    data = canonical_body(body, content_type)
    assert "\x00" not in json.dumps(data, ensure_ascii=False)
    assert data.get("text") == "ab"


def test_a_body_without_nul_comes_back_as_parsed() -> None:
    payload = {"type": "view_submission", "user": {"id": "U1"}, "view": {"state": {"values": {}}}}
    assert canonical_body(urlencode({"payload": json.dumps(payload)}), "") == payload


def test_ssl_check_is_only_a_form_that_says_so() -> None:
    assert is_ssl_check("ssl_check=1&token=x")
    assert not is_ssl_check("command=%2Fmentorship&ssl_check=1")
    assert not is_ssl_check("payload=%7B%7D")
    assert not is_ssl_check('{"ssl_check": "1"}')


# What a form body can hold: escapes good and bad, the characters they are made of, backslashes
# (which the fast path doubles), and anything else, non-ASCII included.
_FORM_TEXT = st.lists(
    st.one_of(
        st.sampled_from(["%", "+", "\\", "x", "&", "=", *"0123456789abcdefABCDEF"]),
        st.sampled_from(["%C3%A9", "%E2%82", "%F0%9F%98%80", "%00", "%5C", "%25", "%2", "%zz"]),
        st.sampled_from(["\\a", "\\x41", "\\1", "\\n", "\\\\", "\\%41", "\\u00e9"]),
        st.characters(),
    ),
    max_size=40,
).map("".join)


@given(_FORM_TEXT)
def test_a_form_reads_as_parse_qsl_reads_it(value: str) -> None:
    for text in (f"payload={value}", value, f"payload={value}&other=1"):
        assert form_fields(text) == dict(parse_qsl(text, keep_blank_values=True))


def test_a_lone_surrogate_reads_as_parse_qsl_reads_it() -> None:
    # Found by the test above: the fast path encodes the text, which a surrogate refuses.
    for text in ("payload=\ud800", "payload=%41\udfff%42+"):
        assert form_fields(text) == dict(parse_qsl(text, keep_blank_values=True))


def test_a_slack_interactivity_form_reads_as_parse_qsl_reads_it() -> None:
    payload = {"type": "view_submission", "view": {"state": {"values": {"a": "50% + 1 \\ é 😀"}}}}
    text = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
    assert form_fields(text) == dict(parse_qsl(text, keep_blank_values=True))
    assert json.loads(form_fields(text)["payload"]) == payload


# JSON objects with text of any kind: NULs, lone surrogates, astral characters, escapes.
_JSON_TEXT = st.one_of(
    st.text(), st.sampled_from(["a\u0000b", "\ud800", "x\udfffy", "😀", "\\u00e9", '"\\/'])
)
_JSON_OBJECTS = st.dictionaries(
    _JSON_TEXT,
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), _JSON_TEXT),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(_JSON_TEXT, children),
        max_leaves=8,
    ),
    max_size=4,
).map(lambda d: {"type": "view_submission", "user": {"id": "U1"}, "view": {"state": d}})


@given(_JSON_OBJECTS, st.booleans(), st.booleans())
def test_bolt_is_given_the_canonical_object(
    data: dict[str, Any], as_form: bool, ascii_only: bool
) -> None:
    """What Bolt parses from the gate's body is `canonical_body`'s object, whether the gate
    passes the request's own JSON text on or encodes the object again; a lone surrogate (no
    UTF-8 for it) is refused with a reason, never an error."""
    try:
        text = json.dumps(data, ensure_ascii=ascii_only)
        if as_form:
            text = urlencode({"payload": text})
    except UnicodeEncodeError:  # a lone surrogate cannot be sent as UTF-8 in a form at all
        return
    content_type = "" if as_form else "application/json"
    expected = outcome(text, content_type)
    try:
        given_to_bolt: str | dict[str, Any] = json.loads(bolt_body(text, content_type))
    except Refused as refused:
        given_to_bolt = refused.reason
    assert isinstance(expected, dict), expected  # the shape is a submission's
    if isinstance(given_to_bolt, str):
        assert given_to_bolt == "the body holds text that is not Unicode"
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(expected, ensure_ascii=False))
    else:
        assert given_to_bolt == expected


def test_the_request_s_own_json_is_passed_on_unchanged() -> None:
    text = '{"type": "event_callback",  "event": {"text": "caf\\u00e9 \\ud83d\\ude00"}}'
    assert json.loads(bolt_body(text, "application/json"))["event"]["text"] == "café 😀"
    plain = '{"type": "event_callback",  "event": {"text": "café"}}'
    assert bolt_body(plain, "application/json") == plain.encode()
    form = urlencode({"payload": plain})
    assert bolt_body(form, "application/x-www-form-urlencoded") == plain.encode()
    with pytest.raises(Refused):
        bolt_body('{"type": "x", "text": "\\ud800"}', "application/json")
