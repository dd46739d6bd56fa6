"""Sessions with substance, end to end through the stand-in: three sessions of Omar (Berlin) and
Maya (New York) — topics added before a meeting, notes and action items after it, the next nudges
carrying the items with working buttons, the partner seeing shared text and never a private
note, the milestones quoting the numbers, and the lead seeing counts only."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.meetings.messages import MET, RESCHEDULE, SKIP
from bot.sessions.home_blocks import HISTORY_OPEN
from bot.sessions.messages import AGENDA_ADD, ITEM_CARRY, ITEM_DONE, ITEM_DROP, NOTES_OPEN
from bot.standin import RecordedMessage
from tests.kit.home import command, home_text, open_home
from tests.kit.plans import SHORT
from tests.kit.scenario import Timeline, at, meetings, start
from tests.kit.sessions import (
    add_topic,
    button_ids,
    errors_of,
    events,
    item,
    notes,
    notes_modal,
    open_modal,
    shown_in,
    shown_to,
    submit,
    topics,
)
from tests.kit.workspace import KAI, MAYA, MENTORING, OMAR, Bot, wait_for

BERLIN = "Europe/Berlin"
STEP = timedelta(hours=4)
ITEM_BUTTONS = [ITEM_DONE, ITEM_CARRY, ITEM_DROP]
NUDGE_BUTTONS = [MET, RESCHEDULE, SKIP, AGENDA_ADD]

OMAR_SHARED = "Walked through the review checklist"
OMAR_PRIVATE = "Ask about the conflict with her lead next time"
MAYA_SHARED = "Good session with clear next steps"
MAYA_PRIVATE = "Nervous about the promotion timeline"
MAYA_SHARED_3 = "Practised the mock review end to end"
MAYA_PRIVATE_3 = "Felt much calmer this time"
REVIEW, EXAMPLES, SLOT = (
    "Draft the review agenda",
    "Send Maya two example reviews",
    "Book a real review slot",
)
TEXTS = [OMAR_SHARED, OMAR_PRIVATE, MAYA_SHARED, MAYA_PRIVATE, MAYA_SHARED_3, MAYA_PRIVATE_3]
TEXTS += [
    REVIEW,
    EXAMPLES,
    SLOT,
    "Career ladder questions",
    "Salary talk",
    "Mock review on Thursday",
]


def nudges(tl: Timeline, user: str) -> list[RecordedMessage]:
    return [s.message for s in tl.to(user, "nudge")]


def shows(message: RecordedMessage, text: str) -> None:
    """Wait until a message (edited after a click elsewhere) shows `text`."""
    wait_for(lambda: text in json.dumps(message.blocks, ensure_ascii=False), what=repr(text))


def held_with_notes_offer(bot: Bot, user: str, nudge: RecordedMessage, *others: RecordedMessage):
    assert bot.driver.click(user, MET, message=nudge).status == 200
    for message in (nudge, *others):
        wait_for(lambda m=message: button_ids(m) == [NOTES_OPEN], what="📝 offered")  # type: ignore[misc]


def test_three_sessions_carry_their_agenda_notes_and_items(
    bot: Bot, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pair = start(bot, OMAR, SHORT)  # weekly, Tuesdays 15:00 Berlin, 2 to 30 Mar
    tl = Timeline(bot)

    # ── Session 1 (Tue 2 Mar). The nudges are out; Maya adds a topic from hers.
    tl.run_until(at("2027-03-01T16:00", BERLIN), STEP)
    [maya1], [omar1] = nudges(tl, MAYA), nudges(tl, OMAR)
    assert button_ids(maya1) == NUDGE_BUTTONS
    assert errors_of(add_topic(bot, MAYA, "   ", message=maya1)) == {
        "topic": "Write the topic you'd like to talk about."
    }
    assert topics(bot) == []  # a refused form stores nothing
    answer = add_topic(bot, MAYA, "Career ladder questions", message=maya1)
    assert answer.status == 200 and not answer.body.strip(), answer.body
    shows(omar1, "• Career ladder questions _(Maya)_")  # his nudge was out: updated at once
    shows(maya1, "• Career ladder questions _(you)_")
    add_topic(bot, MAYA, "career  ladder QUESTIONS", message=maya1)  # the same topic again
    assert topics(bot) == [("Career ladder questions", None)]

    # Omar records the session; both copies offer notes, and the topic counts as covered.
    tl.run_until(at("2027-03-02T16:00", BERLIN), STEP)
    held_with_notes_offer(bot, OMAR, omar1, maya1)
    first = meetings(bot, pair)[0]
    assert topics(bot) == [("Career ladder questions", first.id)]

    # Omar's notes: a due date in the past is refused beside its field, nothing stored.
    modal = notes_modal(bot, OMAR, omar1)
    omar_notes = {
        "shared": OMAR_SHARED,
        "item_1": REVIEW,
        "owner_1": "mentee",
        "due_1": "2027-03-05",
        "item_2": EXAMPLES,
        "owner_2": "mentor",
        "private": OMAR_PRIVATE,
    }
    refused = submit(bot, OMAR, modal, {**omar_notes, "due_1": "2027-02-20"})
    assert errors_of(refused) == {"due_1": "Pick today or a later date, or leave it empty."}
    assert notes(bot) == []
    saved = submit(bot, OMAR, modal, omar_notes)
    assert saved.status == 200 and not saved.body.strip(), saved.body
    assert notes(bot) == [(OMAR, "shared", OMAR_SHARED), (OMAR, "private", OMAR_PRIVATE)]
    review, examples = item(bot, REVIEW), item(bot, EXAMPLES)
    assert (review.owner_role, str(review.due_date), examples.owner_role) == (
        "mentee",
        "2027-03-05",
        "mentor",
    )

    # Maya hears once, with the item that is hers and none of the notes' text.
    told = [s for s in tl.tick() if s.text.startswith("📝")]
    assert [(s.message.channel, s.text) for s in told] == [
        ("D" + MAYA[1:], "📝 *Omar* wrote notes on your Tue 2 Mar session.")
    ]
    told_blocks = json.dumps(told[0].message.blocks, ensure_ascii=False)
    assert (
        f"• *{REVIEW}* · due Fri 5 Mar 2027" in told_blocks
        and "And 1 action item for Omar." in told_blocks
    )
    assert OMAR_SHARED not in told_blocks and OMAR_PRIVATE not in told_blocks

    # The same form sent again (prefilled, untouched) stores nothing new and tells nobody again.
    again = notes_modal(bot, OMAR, omar1)
    inputs = {b["block_id"]: b["element"] for b in again.view["blocks"] if b["type"] == "input"}
    assert inputs["private"]["initial_value"] == OMAR_PRIVATE
    assert inputs["item_1"]["initial_value"] == REVIEW
    assert inputs["due_1"]["initial_date"] == "2027-03-05"
    submit(bot, OMAR, again, {})
    assert len(notes(bot)) == 2 and events(bot, review.id) == [("added", OMAR)]
    assert [s for s in tl.tick() if s.text.startswith("📝")] == []

    # Maya's Home: Omar's shared note, her item with ✅ Done; his private note nowhere.
    home = home_text(bot, open_home(bot, MAYA))
    assert f"*Omar*: {OMAR_SHARED}" in home
    assert f"◻️ *{REVIEW}* — you · due Fri 5 Mar 2027 | [✅ Done]" in home
    assert OMAR_PRIVATE not in home
    # She writes her own notes from the Home tab: one shared, one private.
    modal = notes_modal(bot, MAYA)
    submit(bot, MAYA, modal, {"shared": MAYA_SHARED, "private": MAYA_PRIVATE})
    home = home_text(bot, open_home(bot, MAYA))
    assert f"🔒 *Your private note*: {MAYA_PRIVATE}" in home and f"*You*: {MAYA_SHARED}" in home
    omar_home = home_text(bot, open_home(bot, OMAR))
    assert f"*Maya*: {MAYA_SHARED}" in omar_home and MAYA_PRIVATE not in omar_home
    assert f"🔒 *Your private note*: {OMAR_PRIVATE}" in omar_home
    # A topic for session 2 from her Home tab, days before its nudges go out.
    add_topic(bot, MAYA, "Salary talk")

    # ── Session 2 (Tue 9 Mar). Its nudges carry the topic and both open items, with buttons.
    tl.run_until(at("2027-03-08T16:00", BERLIN), STEP)
    maya2, omar2 = nudges(tl, MAYA)[1], nudges(tl, OMAR)[1]
    assert "• Salary talk _(Maya)_" in json.dumps(omar2.blocks, ensure_ascii=False)
    maya_text = json.dumps(maya2.blocks, ensure_ascii=False)
    assert f"◻️ *{REVIEW}* — you · due Fri 5 Mar 2027" in maya_text
    assert f"◻️ *{EXAMPLES}* — Omar" in maya_text
    assert f"◻️ *{REVIEW}* — Maya · due Fri 5 Mar 2027" in json.dumps(
        omar2.blocks, ensure_ascii=False
    )
    assert "Career ladder questions" not in maya_text  # covered by session 1
    assert button_ids(maya2) == ITEM_BUTTONS * 2 + NUDGE_BUTTONS

    # Omar adds a topic from his Home tab: Maya's nudge, already out, shows it at once.
    open_home(bot, OMAR)
    add_topic(bot, OMAR, "Mock review on Thursday")
    shows(maya2, "• Mock review on Thursday _(Omar)_")

    # Maya clicks Done twice before Slack shows the first click: recorded once, shown on both.
    bot.standin.delay("chat.update", 0.5)
    for _ in range(2):
        click = bot.driver.click(MAYA, ITEM_DONE, message=maya2, block_id=f"item_{review.id}")
        assert click.status == 200
    shows(omar2, f"✅ ~{REVIEW}~ — Maya · done by Maya")
    shows(maya2, f"✅ ~{REVIEW}~ — you · done")
    bot.standin.delay("chat.update", 0)
    assert events(bot, review.id) == [("added", OMAR), ("done", MAYA)]

    # Omar carries his own item to the next session; both copies say so, no buttons left on it.
    bot.driver.click(OMAR, ITEM_CARRY, message=omar2, block_id=f"item_{examples.id}")
    shows(maya2, f"↪ {EXAMPLES} — Omar · carried to the next session by Omar")
    shows(omar2, f"↪ {EXAMPLES} — you · carried to the next session")
    wait_for(lambda: button_ids(maya2) == NUDGE_BUTTONS, what="item buttons gone")
    assert item(bot, EXAMPLES).carried_count == 1

    tl.run_until(at("2027-03-09T16:00", BERLIN), STEP)
    held_with_notes_offer(bot, MAYA, maya2, omar2)
    second = meetings(bot, pair)[1]
    assert topics(bot)[1:] == [("Salary talk", second.id), ("Mock review on Thursday", second.id)]

    # ── Session 3 (Tue 16 Mar). The carried item comes back with its history and buttons.
    tl.run_until(at("2027-03-15T16:00", BERLIN), STEP)
    maya3, omar3 = nudges(tl, MAYA)[2], nudges(tl, OMAR)[2]
    maya_text = json.dumps(maya3.blocks, ensure_ascii=False)
    assert f"◻️ *{EXAMPLES}* — Omar · carried 1×" in maya_text
    assert REVIEW not in maya_text and "Mock review" not in maya_text
    assert button_ids(maya3) == ITEM_BUTTONS + NUDGE_BUTTONS
    bot.driver.click(OMAR, ITEM_CARRY, message=omar3, block_id=f"item_{examples.id}")
    shows(maya3, f"↪ {EXAMPLES} — Omar · carried to the next session by Omar")

    # The checkpoint quotes the numbers (counts, no text).
    tl.run_until(at("2027-03-16T16:00", BERLIN), STEP)
    checkpoint = [s.text for s in tl.to(MAYA) if "So far:" in s.text]
    assert (
        checkpoint
        and "So far: 2 sessions held, 1 of 2 action items done (1 open)." in checkpoint[0]
    )

    held_with_notes_offer(bot, OMAR, omar3, maya3)
    open_home(bot, MAYA)
    modal = notes_modal(bot, MAYA)
    submit(
        bot,
        MAYA,
        modal,
        {"shared": MAYA_SHARED_3, "item_1": SLOT, "owner_1": "mentee", "private": MAYA_PRIVATE_3},
    )
    shared_3 = (MAYA, "shared", MAYA_SHARED_3)
    assert shared_3 in notes(bot)
    # Deleting a note deletes it: she empties the shared field.
    modal = notes_modal(bot, MAYA)
    submit(bot, MAYA, modal, {"shared": ""})
    assert shared_3 not in notes(bot) and (MAYA, "private", MAYA_PRIVATE_3) in notes(bot)

    # (A refresh the previous submission started may still publish what it read before the
    # deletion; opening the Home again publishes what is stored now.)
    def omar_home_now() -> str:
        text = home_text(bot, open_home(bot, OMAR))
        return text if MAYA_SHARED_3 not in text else ""

    omar_home = wait_for(omar_home_now, what="Omar's Home without the deleted note")
    assert MAYA_SHARED_3 not in omar_home and MAYA_PRIVATE_3 not in omar_home
    assert f"◻️ *{SLOT}* — Maya" in omar_home and "*Last session* · Tue 16 Mar" in omar_home

    # The session history, behind a button: dates, what happened, whether there are notes.
    history = open_modal(bot, MAYA, HISTORY_OPEN, view_id=bot.standin.home_view(MAYA).id)  # type: ignore[union-attr]
    lines = history.blocks[0]["text"]["text"]
    assert lines.startswith("➡️ Tue 23 Mar 2027 — next\n")
    assert "Tue 16 Mar 2027 — ✅ met · 📝 notes · 1 action item" in lines
    assert "Tue 9 Mar 2027 — ✅ met\n" in lines
    assert "Tue 2 Mar 2027 — ✅ met · 📝 notes · 2 action items" in lines

    # Privacy: each person was shown the other's shared text and never their private note.
    to_maya, to_omar = shown_to(bot, MAYA), shown_to(bot, OMAR)
    assert OMAR_SHARED in to_maya and OMAR_PRIVATE not in to_maya
    assert MAYA_SHARED in to_omar and MAYA_PRIVATE not in to_omar and MAYA_PRIVATE_3 not in to_omar
    assert OMAR_PRIVATE in to_omar and MAYA_PRIVATE in to_maya  # (the scan does find text)
    channel = shown_in(bot, MENTORING)
    assert "kicked off" in channel and not [t for t in TEXTS if t in channel]

    # The lead: counts only, in Slack and in the CSV.
    report = command(bot, KAI, "report")
    assert "*Sessions with notes* / 2 of 3 held" in report
    assert "*Action items* / 1 done · 2 open" in report
    assert not [t for t in TEXTS if t in shown_to(bot, KAI)]
    config, path = tmp_path / "config.toml", tmp_path / "report.csv"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    assert main(["--config", str(config), "export", "--csv", str(path)]) == 0
    printed = capsys.readouterr().out
    assert (
        "Sessions with notes: 2 of 3 held" in printed and "Action items: 1 done, 2 open" in printed
    )
    raw = path.read_text(encoding="utf-8")
    assert not [t for t in TEXTS if t in raw + printed]
    [row] = list(csv.DictReader(raw.splitlines()))
    assert (row["sessions_with_notes"], row["action_items_done"], row["action_items_open"]) == (
        "2",
        "1",
        "2",
    )

    # ── Later: carried twice, then dropped; the last item done from the Home tab.
    tl.run_until(at("2027-03-22T16:00", BERLIN), STEP)
    maya4 = nudges(tl, MAYA)[3]
    assert f"◻️ *{EXAMPLES}* — Omar · carried 2×" in json.dumps(maya4.blocks, ensure_ascii=False)
    bot.driver.click(MAYA, ITEM_DROP, message=maya4, block_id=f"item_{examples.id}")
    shows(maya4, f"🗑 ~{EXAMPLES}~ — Omar · dropped")
    assert [a for a, _ in events(bot, examples.id)] == ["added", "carried", "carried", "dropped"]
    slot = item(bot, SLOT)
    maya_home = open_home(bot, MAYA)
    bot.driver.click(MAYA, ITEM_DONE, view_id=maya_home.id, block_id=f"home_item_{pair}_{slot.id}")
    wait_for(lambda: item(bot, SLOT).status == "done", what="the Home's Done")

    # The final review quotes the totals; the journey lists what was done.
    tl.run_until(at("2027-03-30T18:00", BERLIN), STEP)
    final = [s.text for s in tl.to(MAYA) if "Final review" in s.text]
    assert final and "So far: 3 sessions held, 2 of 2 action items done." in final[-1]
    bot.driver.user_dm(MAYA, "stop")
    wait_for(lambda: [s for s in tl.tick() if "is complete" in s.text], what="the journey")
    # Maya's journey, not her last message: the reply to her "stop" may arrive after it.
    [journey_dm] = [s for s in tl.to(MAYA) if "is complete" in s.text]
    journey = json.dumps(journey_dm.message.blocks, ensure_ascii=False)
    assert "*Action items*: 2 of 2 done" in journey
    assert f"• ✅ {REVIEW} _(you)_\\n• ✅ {SLOT} _(you)_" in journey
    assert not [t for t in (OMAR_SHARED, OMAR_PRIVATE, MAYA_PRIVATE) if t in journey]
