"""Who may touch a pair's sessions: only its two people. A stranger's forged buttons and tampered
modals, and a program admin's clicks, change nothing and open nothing; the admin's view of the
pair has counts and never text; notes are for held sessions only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.meetings.messages import MET
from bot.pairs.messages import CMD_END
from bot.sessions.access import NOT_YOURS
from bot.sessions.agenda import ENDED
from bot.sessions.home_blocks import HISTORY_OPEN
from bot.sessions.messages import AGENDA_ADD, ITEM_CARRY, ITEM_DONE, ITEM_DROP, NOTES_OPEN
from bot.sessions.notes import NOT_HELD
from bot.standin import RecordedMessage
from tests.kit.home import NINA, command, open_home, pair
from tests.kit.plans import PLAN
from tests.kit.scenario import Timeline, at, meetings, start
from tests.kit.sessions import (
    errors_of,
    events,
    item,
    notes,
    notes_modal,
    submit,
    topics,
)
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, TOKEN, Bot, wait_for

BERLIN = "Europe/Berlin"
SECRET = "Only for the two of us"
PRIVATE = "Omar's own thoughts"


@pytest.fixture
def held(bot: Bot) -> tuple[int, int, int]:
    """Omar mentors Maya and Lena mentors Nina, both weekly from Tue 9 Mar; both first sessions
    are held, and Omar wrote notes with one item for Maya. (target pair, its session, item)"""
    bot.standin.add_user(NINA, "nina", real_name="Nina", tz="Europe/Lisbon")
    target = start(bot, OMAR, {**PLAN, "Meeting cadence": "weekly"})
    start(bot, LENA, {**PLAN, "Meeting cadence": "weekly", "Mentor": LENA, "Mentee": NINA})
    tl = Timeline(bot)
    tl.run_until(at("2027-03-09T16:00", BERLIN), timedelta(hours=4))
    for user in (OMAR, LENA):
        nudge = tl.to(user, "nudge")[0].message
        bot.driver.click(user, MET, message=nudge)
        wait_for(lambda n=nudge: NOTES_OPEN in json.dumps(n.blocks), what="held")  # type: ignore[misc]
    modal = notes_modal(bot, OMAR, tl.to(OMAR, "nudge")[0].message)
    submit(
        bot,
        OMAR,
        modal,
        {"shared": SECRET, "item_1": "Draft the RFC", "owner_1": "mentee", "private": PRIVATE},
    )
    return target, meetings(bot, target)[0].id, item(bot, "Draft the RFC").id


def forged_buttons(bot: Bot, user: str, values: dict[str, str]) -> RecordedMessage:
    """A message in `user`'s DM whose buttons point at someone else's pair (a tampering
    client can send any value; Slack signs whatever it sent)."""
    client = WebClient(token=TOKEN, base_url=bot.standin.api_url)
    elements = [
        {"type": "button", "action_id": a, "value": v, "text": {"type": "plain_text", "text": a}}
        for a, v in values.items()
    ]
    client.chat_postMessage(
        channel=user, text="forged", blocks=[{"type": "actions", "elements": elements}]
    )
    return bot.standin.dm_messages(user)[-1]


def state(bot: Bot, item_id: int) -> tuple[object, ...]:
    return (events(bot, item_id), item(bot, "Draft the RFC").status, notes(bot), topics(bot))


@pytest.mark.parametrize("who", [LENA, KAI])
def test_only_the_two_may_touch_sessions_not_a_stranger_nor_an_admin(
    bot: Bot, held: tuple[int, int, int], who: str
) -> None:
    target, session, item_id = held
    before = state(bot, item_id)
    modals = len(bot.standin.views_for(who, include_closed=True))
    value = f"{item_id}:{session}"
    forged = forged_buttons(
        bot,
        who,
        {
            ITEM_DONE: value,
            ITEM_CARRY: value,
            ITEM_DROP: value,
            NOTES_OPEN: str(session),
            AGENDA_ADD: str(target),
            HISTORY_OPEN: str(target),
        },
    )
    for action in (ITEM_DONE, ITEM_CARRY, ITEM_DROP, NOTES_OPEN, AGENDA_ADD, HISTORY_OPEN):
        seen = len(bot.standin.ephemeral_messages(who))
        assert bot.driver.click(who, action, message=forged).status == 200
        wait_for(lambda n=seen: len(bot.standin.ephemeral_messages(who)) > n, what="a refusal")  # type: ignore[misc]
        assert bot.standin.ephemeral_messages(who)[-1].text == NOT_YOURS
    assert state(bot, item_id) == before
    assert len(bot.standin.views_for(who, include_closed=True)) == modals  # no modal opened
    assert forged.history == []


def test_an_admin_sees_the_pair_s_session_counts_never_its_text(
    bot: Bot, held: tuple[int, int, int]
) -> None:
    status = command(bot, KAI, f"status <@{MAYA}|maya>")
    assert "*Sessions*: 1 session held, 0 of 1 action item done (1 open)." in status
    report = command(bot, KAI, "report")
    assert "*Sessions with notes* / 1 of 2 held" in report
    for text in (SECRET, PRIVATE, "Draft the RFC"):
        assert text not in status and text not in report
    # One of the two, asking the same, gets the same counts (details live on the Home tab).
    assert "*Sessions*: 1 session held" in command(bot, MAYA, "status")


def test_tampered_modals_are_refused_beside_the_field_and_store_nothing(
    bot: Bot, held: tuple[int, int, int]
) -> None:
    target, session, item_id = held
    before = state(bot, item_id)
    open_home(bot, LENA)
    # Lena's own Add-to-agenda and notes modals, their metadata pointed at Omar and Maya's.
    for opener, key, value, field, values in (
        (AGENDA_ADD, "pair_id", target, "topic", {"topic": "Sneaky topic"}),
        (NOTES_OPEN, "meeting_id", session, "shared", {"shared": "Sneaky note"}),
    ):
        bot.driver.click(LENA, opener)
        modal = wait_for(lambda: bot.standin.views_for(LENA), what="Lena's own modal")[-1]
        modal.view["private_metadata"] = json.dumps({key: value})  # a tampering client
        answer = bot.driver.submit_view(LENA, modal.id, values)
        assert errors_of(answer) == {field: NOT_YOURS}
        bot.driver.close_view(LENA, modal.id)
    assert state(bot, item_id) == before


def test_notes_are_for_held_sessions_only(bot: Bot, held: tuple[int, int, int]) -> None:
    target, _, _ = held
    upcoming = meetings(bot, target)[1].id
    forged = forged_buttons(bot, MAYA, {NOTES_OPEN: str(upcoming)})
    bot.driver.click(MAYA, NOTES_OPEN, message=forged)
    wait_for(lambda: bot.standin.ephemeral_messages(MAYA), what="the refusal")
    assert bot.standin.ephemeral_messages(MAYA)[-1].text == NOT_HELD
    assert [v.title for v in bot.standin.views_for(MAYA, include_closed=True)] == []
    # An ended pair takes no more topics.
    command(bot, OMAR, "end")
    bot.driver.click(OMAR, CMD_END, message=bot.standin.ephemeral_messages(OMAR)[-1])
    wait_for(lambda: pair(bot, target).status == "ended", what="the end")
    seen = len(bot.standin.ephemeral_messages(MAYA))
    bot.driver.click(MAYA, AGENDA_ADD, message=forged_buttons(bot, MAYA, {AGENDA_ADD: str(target)}))
    wait_for(lambda: len(bot.standin.ephemeral_messages(MAYA)) > seen, what="the refusal")
    assert bot.standin.ephemeral_messages(MAYA)[-1].text == ENDED
    assert bot.standin.views_for(MAYA, include_closed=True) == []
