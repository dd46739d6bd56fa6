"""The announcement channel is checked with Slack (conversations.info) when a plan is saved: a
channel the bot cannot post in is a field error that says what to do, not a failed announcement
weeks later. One call, no retries; when Slack cannot answer, the plan is saved unchecked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.home.view import HOME_EDIT
from storage.models import Pair
from tests.kit.home import open_home
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, MENTORING, OMAR, Bot, wait_for

INFO = "conversations.info"


def _submit(bot: Bot, channel: str, **changes: Any) -> dict[str, str]:
    """Start a plan announcing in `channel`; the field errors shown ({} when it was stored)."""
    response = bot.start_plan(OMAR, {**PLAN, "Announcement channel": channel, **changes})
    assert response.status == 200, response.body
    return dict((response.json or {}).get("errors") or {})


def _pairs(bot: Bot) -> list[Pair]:
    with bot.sessions() as s:
        return list(s.scalars(select(Pair)))


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("private", "invite me with `/invite @Mentorship`"),
        ("archived", "#old-news is archived"),
        ("dm", "direct message"),
        ("made up", "Pick a channel from the list"),
    ],
)
def test_a_channel_the_bot_cannot_post_in_is_a_field_error(
    bot: Bot, setup: str, words: str
) -> None:
    channel = {
        "private": "C0SECRET01",
        "archived": "C0OLDNEWS1",
        "dm": "D" + MAYA[1:],
        "made up": "C" + "X" * 300,
    }[setup]
    bot.standin.add_channel("C0SECRET01", "secret", is_private=True, members=[OMAR])
    bot.standin.add_channel("C0OLDNEWS1", "old-news", is_archived=True)
    bot.standin.ws.ensure_im(MAYA)
    errors = _submit(bot, channel)
    assert list(errors) == ["announce_channel"] and words in errors["announce_channel"], errors
    assert _pairs(bot) == []
    assert len(bot.standin.calls_to(INFO)) <= 1


def test_channels_the_bot_can_post_in_are_accepted_with_one_call(bot: Bot) -> None:
    bot.standin.add_channel("C0PRIVATE1", "team", is_private=True, members=[OMAR])
    bot.standin.ws.channels["C0PRIVATE1"].members.add(bot.standin.bot_user_id)
    assert _submit(bot, MENTORING) == {}  # public; the bot joins when it first announces
    assert len(bot.standin.calls_to(INFO)) == 1
    assert _submit(bot, "C0PRIVATE1", Mentee="U0LENA0001") == {}  # private, the bot is in it
    assert len(bot.standin.calls_to(INFO)) == 2
    # Not announcing: nothing to check with Slack.
    assert _submit(bot, "C0PRIVATE1", Mentee="U0KAI00001", **{"Announce milestones": []}) == {}
    assert len(bot.standin.calls_to(INFO)) == 2 and len(_pairs(bot)) == 3


@pytest.mark.parametrize("fault", ["ratelimited", "internal_error"])
def test_when_slack_cannot_answer_the_plan_is_saved_unchecked(bot: Bot, fault: str) -> None:
    if fault == "ratelimited":
        bot.standin.rate_limit_next(INFO, retry_after=30)
    else:
        bot.standin.fail_next(INFO, fault)
    assert _submit(bot, MENTORING) == {}
    assert len(bot.standin.calls_to(INFO)) == 1  # not retried, not waited out
    assert len(_pairs(bot)) == 1


def test_editing_to_an_archived_channel_is_refused(bot: Bot) -> None:
    assert _submit(bot, MENTORING) == {}
    bot.standin.add_channel("C0OLDNEWS1", "old-news", is_archived=True)
    open_home(bot, OMAR)
    before = len(bot.standin.views_for(OMAR, include_closed=True))
    bot.driver.click(OMAR, HOME_EDIT)
    modal = wait_for(lambda: bot.standin.views_for(OMAR, include_closed=True)[before:])[-1]
    response = bot.driver.submit_view(OMAR, modal.id, {"Announcement channel": "C0OLDNEWS1"})
    assert response.json is not None, response.body
    assert "#old-news is archived" in response.json["errors"]["announce_channel"]
    assert [p.announce_channel for p in _pairs(bot)] == [MENTORING]
