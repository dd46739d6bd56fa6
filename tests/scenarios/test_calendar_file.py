"""The meeting series as a calendar file in the DM: from the plan summary's button, the command
and a change notice's button, uploaded with Slack's three steps; the same UID with a higher
SEQUENCE after a move, a skip, a pause and an end; never the same file twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.documents.messages import ON_ITS_WAY
from bot.domain.schedule import occurrences_utc
from bot.meetings.messages import CALENDAR_FILE, SKIP
from bot.standin import DriverResponse, RecordedMessage
from storage.models import Meeting
from storage.pairs import meeting_rule
from tests.kit.documents import (
    calendar_of,
    click,
    dm_files,
    ephemeral_after,
    events,
    master,
    next_file,
    prop,
    starts,
)
from tests.kit.home import NINA, command, pair, run_days, start
from tests.kit.plans import reschedule
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, Bot, wait_for

END = datetime(2027, 9, 10, tzinfo=UTC)  # past the plan's end date (9 Sep)
BERLIN = ZoneInfo("Europe/Berlin")


def planner(bot: Bot, pair_id: int) -> list[datetime]:
    """Every meeting the planner's rule gives the pair, as UTC instants."""
    return occurrences_utc(meeting_rule(pair(bot, pair_id)), until=END)


def nudge_for(bot: Bot, user: str, day: str) -> RecordedMessage:
    """The user's nudge about the meeting on `day` (e.g. "Tue 23 Mar"), ticking an hour at a
    time until it comes (within four simulated weeks)."""
    for _ in range(28 * 24):
        nudges = [
            m
            for m in bot.standin.dm_messages(user)
            if m.text.startswith("📅 Your mentorship session") and day in m.text
        ]
        if nudges:
            return nudges[-1]
        bot.clock.advance(timedelta(hours=1))
        bot.tick()
    raise AssertionError(f"no nudge for {day}")


def test_the_summary_button_delivers_a_file_that_expands_to_the_planners_meetings(
    bot: Bot,
) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    summary = next(m for m in bot.standin.dm_messages(MAYA) if "is set up" in m.text)
    assert click(bot, MAYA, CALENDAR_FILE, summary) == ON_ITS_WAY
    stored = next_file(bot, MAYA, ".ics", 0)
    data = bot.standin.file_content(stored.id)

    # Slack's upload: the declared length is the file's, and it is shared into the D… DM.
    (asked,) = bot.standin.calls_to("files.getUploadURLExternal")
    assert int(asked["length"]) == len(data) and asked["filename"] == "mentorship.ics"
    (completed,) = bot.standin.calls_to("files.completeUploadExternal")
    assert str(completed["channel_id"]).startswith("D")
    (message,) = bot.standin.file_messages(bot.standin.dm_channel_id(MAYA))
    assert "Google Calendar's import doesn't update an event" in message.text
    assert "Apple Calendar and Outlook update the event" in message.text

    cal = calendar_of(bot, stored)
    assert prop(cal, "METHOD") == "PUBLISH"
    got = starts(cal, END)
    assert got == planner(bot, pair_id) and len(got) == 14  # every other Tuesday, Mar..Sep
    assert {(g.astimezone(BERLIN).hour, g.astimezone(BERLIN).minute) for g in got} == {(15, 0)}
    with bot.sessions() as s:  # the meetings the planner has written so far are among them
        planned = s.scalars(select(Meeting.scheduled_at).where(Meeting.pair_id == pair_id)).all()
    assert planned and set(planned) <= set(got)
    series = master(cal)
    assert prop(series, "SEQUENCE") == 1 == pair(bot, pair_id).schedule_version
    assert prop(series, "DURATION").dt == timedelta(minutes=30)
    uid = str(prop(series, "UID"))
    text = data.decode()
    for private in ("Maya", "Omar", "T0000000001", "design review"):
        assert private not in uid
    # The pair's id is not readable in it: the UID's middle is a digest, not the id (a digest
    # may well end in the id's digits: "…51@" for pair 1).
    assert re.fullmatch(r"pair-[0-9a-f]{32}@mentorship-bot", uid), uid
    assert "Lead a design review" not in text and "next launch" not in text  # no goals

    # The same click again: the file in the DM is still current, nothing is uploaded.
    assert "still current (version 1)" in click(bot, MAYA, CALENDAR_FILE, summary)
    bot.tick()
    assert len(dm_files(bot, MAYA, ".ics")) == 1
    assert len(bot.standin.calls_to("files.completeUploadExternal")) == 1


def test_a_move_and_a_skip_give_the_same_uid_with_a_higher_sequence(bot: Bot) -> None:
    pair_id = start(bot, OMAR, **{"Meeting length": "45"})
    bot.tick()
    assert command(bot, MAYA, "calendar") == ON_ITS_WAY
    first = calendar_of(bot, next_file(bot, MAYA, ".ics", 0))
    assert prop(master(first), "DURATION").dt == timedelta(minutes=45)

    # Maya moves the first meeting (Tue 9 Mar, 15:00 Berlin) to Wed 10 Mar 10:00 her time.
    nudge = nudge_for(bot, MAYA, "Tue 9 Mar")
    moved_to = cast(DriverResponse, reschedule(bot, MAYA, nudge, "2027-03-10", "10:00"))
    assert moved_to.status == 200
    note = wait_for(
        lambda: (bot.tick(), [m for m in bot.standin.dm_messages(MAYA) if "moved" in m.text])[1],
        timeout=30,
        what="the note about the move",
    )[-1]
    assert click(bot, MAYA, CALENDAR_FILE, note) == ON_ITS_WAY  # "Get the updated calendar file"
    moved = calendar_of(bot, next_file(bot, MAYA, ".ics", 1))
    slot = datetime(2027, 3, 9, 15, 0, tzinfo=BERLIN)
    new_time = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York
    assert prop(master(moved), "UID") == prop(master(first), "UID")
    assert prop(master(moved), "SEQUENCE") > prop(master(first), "SEQUENCE")
    (override,) = [e for e in events(moved) if "RECURRENCE-ID" in e]
    assert prop(override, "RECURRENCE-ID").dt == slot and prop(override, "UID") == prop(
        master(first), "UID"
    )
    got = starts(moved, END)
    assert slot not in got and new_time in got
    assert sorted({*got, slot} - {new_time}) == planner(bot, pair_id)

    # Omar skips the next one (Tue 23 Mar): an EXDATE, and a higher SEQUENCE again.
    skipped_nudge = nudge_for(bot, OMAR, "Tue 23 Mar")
    assert bot.driver.click(OMAR, SKIP, message=skipped_nudge).status == 200
    wait_for(lambda: pair(bot, pair_id).schedule_version == 3, timeout=30, what="the skip")
    assert command(bot, OMAR, "calendar") == ON_ITS_WAY
    omar = calendar_of(bot, next_file(bot, OMAR, ".ics", 0))
    assert prop(master(omar), "UID") == prop(master(first), "UID")
    assert prop(master(omar), "SEQUENCE") == 3 > prop(master(moved), "SEQUENCE")
    skip = datetime(2027, 3, 23, 15, 0, tzinfo=BERLIN)
    found = master(omar).get("EXDATE")
    exdates = [d.dt for x in (found if isinstance(found, list) else [found]) for d in x.dts]
    assert exdates == [skip]
    assert starts(omar, END) == sorted(set(got) - {skip})


def test_a_pause_leaves_a_gap_and_an_end_cancels_the_series(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    run_days(bot, 2)  # Wed 3 Mar
    assert "Paused" in command(bot, OMAR, "pause 4")  # until Wed 31 Mar
    notice = wait_for(
        lambda: (bot.tick(), [m for m in bot.standin.dm_messages(MAYA) if "paused" in m.text])[1],
        timeout=30,
        what="Maya's note about the pause",
    )[-1]
    assert click(bot, MAYA, CALENDAR_FILE, notice) == ON_ITS_WAY
    paused = calendar_of(bot, next_file(bot, MAYA, ".ics", 0))
    resume = datetime(2027, 3, 31, tzinfo=UTC)
    expected = [t for t in planner(bot, pair_id) if not bot.clock.now() < t < resume]
    assert starts(paused, END) == expected
    assert expected[0] == datetime(2027, 4, 6, 13, 0, tzinfo=UTC)  # 15:00 Berlin, summer time
    assert prop(master(paused), "SEQUENCE") == 2

    before = len(bot.standin.ephemeral_messages(OMAR))
    bot.driver.slash_command(OMAR, "end")
    ask = ephemeral_after(bot, OMAR, before)
    assert "End your mentorship" in ask
    confirm = bot.standin.ephemeral_messages(OMAR)[-1]
    assert bot.driver.click(OMAR, "cmd_end", message=confirm).status == 200
    ended = wait_for(
        lambda: (bot.tick(), [m for m in bot.standin.dm_messages(MAYA) if "ended" in m.text])[1],
        timeout=30,
        what="Maya's note about the end",
    )[-1]
    assert click(bot, MAYA, CALENDAR_FILE, ended) == ON_ITS_WAY
    stored = next_file(bot, MAYA, ".ics", 1)
    cancelled = calendar_of(bot, stored)
    assert prop(cancelled, "METHOD") == "CANCEL"
    assert {str(prop(e, "STATUS")) for e in events(cancelled)} == {"CANCELLED"}
    assert prop(master(cancelled), "UID") == prop(master(paused), "UID")
    assert prop(master(cancelled), "SEQUENCE") == 3
    (message,) = bot.standin.file_messages(bot.standin.dm_channel_id(MAYA))[-1:]
    assert "has ended" in message.text


def test_only_the_pair_gets_its_file(bot: Bot) -> None:
    bot.standin.add_user(NINA, "nina", real_name="Nina", tz="Europe/Lisbon")
    target = start(bot, OMAR)
    start(bot, LENA, Mentor=LENA, Mentee=NINA)
    bot.tick()
    # Lena's client sends her summary's calendar click with the id of Omar and Maya's pair.
    summary = next(m for m in bot.standin.dm_messages(LENA) if "is set up" in m.text)
    before = len(bot.standin.ephemeral_messages(LENA))
    forged = {"value": str(target)}
    assert bot.driver.click(LENA, CALENDAR_FILE, message=summary, forge=forged).status == 200
    assert "Only the two people" in ephemeral_after(bot, LENA, before)
    # Kai is a program admin, but a calendar file is the pair's own.
    assert "don't have a mentorship with Maya" in command(bot, KAI, f"calendar <@{MAYA}>")
    bot.tick()
    assert dm_files(bot, LENA, ".ics") == [] and dm_files(bot, KAI, ".ics") == []
    assert bot.standin.calls_to("files.getUploadURLExternal") == []
