"""Every builder, fed with any input the forms and Slack allow, makes what Slack accepts: the
stand-in's own checker (bot/standin/blockkit.py) finds nothing to refuse, and neither does the
check the outbox runs before sending (bot/core/blocks.py). People's text is never markup, and
every button has a label a screen reader can say."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.blocks import message_problems
from bot.core.text import ACCESSIBILITY_LABEL
from tests.kit.builders import BUILDERS
from tests.kit.built import buttons, markup_leaks, mrkdwn_texts


@pytest.mark.parametrize("name", sorted(BUILDERS))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_builder_fits_escapes_and_labels(name: str, data: st.DataObject) -> None:
    """Names, goals, vision and answers of every length the forms accept, with `<!channel>`,
    `<@U123>`, `<b>`, `&` and `~` in them:

    - Slack (the stand-in) would accept what was built, and so does the outbox's own check;
    - in every mrkdwn text the only `<…>` are the bot's own tokens and every `&` is an escape;
    - every button has an accessibility label within Slack's 75 characters."""
    built = BUILDERS[name](data)
    assert built.stand_in_errors() == []
    if built.blocks is not None:  # what the dispatcher checks before marking a row `sending`
        assert message_problems(built.text, built.blocks) == []
    for text in mrkdwn_texts(built):
        assert markup_leaks(text) == [], text
    for button in buttons(built):
        label = button.get("accessibility_label")
        assert isinstance(label, str) and 0 < len(label) <= ACCESSIBILITY_LABEL, button
