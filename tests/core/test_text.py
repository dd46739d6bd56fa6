"""People's text in mrkdwn: escaped, clipped visibly, split without loss."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import ELLIPSIS, clip, mrkdwn, split


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
