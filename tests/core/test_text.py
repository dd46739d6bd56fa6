"""People's text in mrkdwn: escaped, clipped visibly, split without loss."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from bot.core.text import (
    ACCESSIBILITY_LABEL,
    ELLIPSIS,
    around,
    clip,
    mrkdwn,
    split,
    split_within,
    strike,
)


def test_markup_in_peoples_text_stays_literal() -> None:
    assert mrkdwn("R&D <b>x</b> <!channel> <@U123> ~y~") == (
        "R&amp;D &lt;b&gt;x&lt;/b&gt; &lt;!channel&gt; &lt;@U123&gt; ~y~"
    )


@given(st.text(), st.integers(min_value=1, max_value=500))
def test_clip_keeps_within_the_limit_and_says_when_it_cut(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith(ELLIPSIS)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=5000), st.integers(10, 400))
def test_split_loses_nothing_and_keeps_every_piece_within_the_limit(text: str, limit: int) -> None:
    pieces = split(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


ENTITY = re.compile(r"&(amp|lt|gt);")
PEOPLES_TEXT = st.text(st.one_of(st.sampled_from("<>&~ab\n"), st.characters(codec="utf-8")))


def no_half_escapes(text: str) -> bool:
    return "&" not in ENTITY.sub("", text)


@given(PEOPLES_TEXT, st.integers(min_value=1, max_value=300))
@example("R&D <b>x</b>", 4)
@example("<" * 40, 12)
def test_clipping_or_splitting_escaped_text_never_halves_an_escape(text: str, limit: int) -> None:
    escaped = mrkdwn(text)
    assert no_half_escapes(clip(escaped, limit))
    pieces = split(escaped, max(limit, 10))
    assert all(no_half_escapes(p) for p in pieces)
    assert "".join(pieces).replace("\n", "") == escaped.replace("\n", "")


def test_a_cut_never_lands_inside_a_slack_token() -> None:
    token = "<!date^1773064800^{date_short_pretty}|Tue 9 Mar>"
    text = "a" * 20 + token + "b" * 20
    for limit in range(21, 20 + len(token)):
        assert clip(text, limit) == "a" * 20 + ELLIPSIS


@given(PEOPLES_TEXT)
def test_a_struck_text_has_exactly_its_two_tildes(text: str) -> None:
    struck = strike(text)
    assert struck == "" or (struck.count("~") == 2 and struck[0] == struck[-1] == "~")
    assert no_half_escapes(struck) and "<" not in struck


@given(st.text(max_size=200), st.text(max_size=40), st.text(max_size=40))
def test_around_keeps_the_words_and_clips_the_thing(thing: str, before: str, after: str) -> None:
    label = around(before, thing, after)
    assert len(label) <= ACCESSIBILITY_LABEL
    if len(before) + len(after) <= ACCESSIBILITY_LABEL - 4:
        assert label.startswith(before) and label.endswith(after)


@given(st.text(st.sampled_from("ab\n"), max_size=3000), st.integers(1, 5))
def test_split_within_keeps_the_start_and_marks_the_cut(text: str, most: int) -> None:
    pieces = split_within(text, most, limit=100, more="… (Home)")
    assert len(pieces) <= most and all(0 < len(p) <= 100 for p in pieces)
    if len([p for p in split(text, 100) if p.strip()]) > most:
        assert pieces[-1].endswith("… (Home)")
