"""The nudge buttons end to end: We met, Skip, Reschedule (a modal), follow-ups, and strangers."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient

from bot.meetings.answers import NOT_YOURS
from bot.meetings.messages import MET, RESCHEDULE, SKIP
from bot.sessions.messages import NOTES_OPEN
from bot.standin import RecordedMessage
from storage.meetings import meeting_counts
from tests.kit.plans import reschedule
from tests.kit.scenario import Timeline, at, deliveries, meetings, plan, start
from tests.kit.workspace import LENA, MAYA, OMAR, TOKEN, Bot, wait_for

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
STEP = timedelta(hours=4)  # coarser than the nudge scenarios: these tests are about the buttons


def answer_buttons(message: RecordedMessage) -> list[str]:
    """The meeting's answer buttons still in a message (an answered one may offer 📝 notes)."""
    return [
        str(e.get("action_id"))
        for b in message.blocks
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if e.get("action_id") in (MET, RESCHEDULE, SKIP)
    ]


def context_text(message: RecordedMessage) -> str:
    """The answer line that replaced the buttons ("" while the buttons are there)."""
    if answer_buttons(message):
        return ""
    return " ".join(
        e.get("text", "")
        for b in message.blocks
        if b.get("type") == "context"
        for e in b.get("elements", [])
    )


def status_of(bot: Bot, pair_id: int, index: int) -> str:
    return meetings(bot, pair_id)[index].status


def test_we_met_once_for_both_skip_and_follow_ups(bot: Bot) -> None:
    pair = start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.run_until(
        at("2027-03-09T15:30", BERLIN), STEP
    )  # nudges went out on the 8th; the meeting began
    [maya_nudge] = [s.message for s in tl.to(MAYA, "nudge")]
    [omar_nudge] = [s.message for s in tl.to(OMAR, "nudge")]

    assert bot.driver.click(MAYA, MET, message=maya_nudge).status == 200
    wait_for(lambda: context_text(maya_nudge), what="Maya's buttons replaced")
    assert context_text(maya_nudge) == "✅ Recorded: you met on Tue 9 Mar. Thanks!"
    first = meetings(bot, pair)[0]
    assert (first.status, first.answered_by) == ("held", MAYA)
    # Its follow-ups are cancelled at once, not just skipped when they come due.
    first_followups = [
        d for d in deliveries(bot, kind="followup") if d.payload["meeting_id"] == first.id
    ]
    assert [(d.status, d.last_error) for d in first_followups] == [
        ("cancelled", "meeting held")
    ] * 2

    # Omar's nudge shows her answer at once: no buttons left that would do nothing.
    wait_for(lambda: context_text(omar_nudge), what="Omar's nudge updated")
    assert context_text(omar_nudge) == "✅ Maya recorded: you met on Tue 9 Mar. Thanks!"
    assert "Your mentorship session with *Maya*" in str(omar_nudge.blocks)
    assert meetings(bot, pair)[0].answered_by == MAYA
    # Held: both copies offer notes, and only that.
    for message in (maya_nudge, omar_nudge):
        offered = [
            e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
        ]
        assert offered == [NOTES_OPEN]
    with bot.sessions() as s:
        assert meeting_counts(s, pair)["held"] == 1

    # Answered: no follow-up for that meeting, for either of them.
    tl.run_until(at("2027-03-15T16:00", BERLIN), STEP)
    assert tl.to(MAYA, "followup") == [] and tl.to(OMAR, "followup") == []

    # The next one: Omar skips, and Maya clicks "We met" before his answer reaches her message
    # (Slack is slow to update it): her click changes nothing and tells her who answered.
    maya_second = tl.to(MAYA, "nudge")[-1].message
    omar_second = tl.to(OMAR, "nudge")[-1].message
    assert "16 Mar" in maya_second.text
    bot.standin.delay("chat.update", 1.0)
    bot.driver.click(OMAR, SKIP, message=omar_second)
    wait_for(lambda: status_of(bot, pair, 1) == "skipped", what="Omar's skip recorded")
    bot.driver.click(MAYA, MET, message=maya_second)
    wait_for(lambda: context_text(omar_second), what="Omar's buttons replaced")
    assert context_text(omar_second).startswith("⏭ Recorded: the Tue 16 Mar session was skipped")
    assert not [b for b in omar_second.blocks if b["type"] == "actions"]  # no notes for a skip
    wait_for(lambda: context_text(maya_second), what="Maya told it was skipped")
    assert context_text(maya_second).startswith("⏭ Omar recorded: the Tue 16 Mar session")
    bot.standin.delay("chat.update", 0)
    assert status_of(bot, pair, 1) == "skipped"

    # The third meeting gets no answer: exactly one follow-up each, in their own zone.
    tl.run_until(at("2027-03-24T12:00", BERLIN), STEP)
    maya_followups = tl.to(MAYA, "followup")
    omar_followups = tl.to(OMAR, "followup")
    assert [f.fallback for f in maya_followups] == ["Tue 23 Mar at 10:00"]
    assert [f.fallback for f in omar_followups] == ["Tue 23 Mar at 15:00"]
    # Answering from the follow-up works like the nudge and replaces its buttons.
    bot.driver.click(MAYA, MET, message=maya_followups[0].message)
    wait_for(lambda: status_of(bot, pair, 2) == "held", what="third meeting held")
    wait_for(lambda: context_text(maya_followups[0].message), what="follow-up answered")
    assert tl.tick() == []


def test_a_stranger_with_a_tampered_value_changes_nothing(bot: Bot) -> None:
    pair = start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.run_until(at("2027-03-08T16:00", BERLIN), STEP)
    [maya_nudge] = [s.message for s in tl.to(MAYA, "nudge")]
    meeting_id = meetings(bot, pair)[0].id
    # Lena crafts buttons pointing at Maya's meeting, a missing meeting and garbage.
    client = WebClient(token=TOKEN, base_url=bot.standin.api_url)
    buttons = [
        {
            "type": "button",
            "action_id": action,
            "value": value,
            "text": {"type": "plain_text", "text": action},
        }
        for action, value in ((MET, str(meeting_id)), (RESCHEDULE, str(meeting_id)))
    ]
    client.chat_postMessage(
        channel=LENA, text="forged", blocks=[{"type": "actions", "elements": buttons}]
    )
    forged = bot.standin.dm_messages(LENA)[-1]

    def refusal(action: str, message: RecordedMessage) -> str:
        """What Lena is told, privately, after clicking."""
        before = len(bot.standin.ephemeral_messages(LENA))
        assert bot.driver.click(LENA, action, message=message).status == 200
        wait_for(lambda: len(bot.standin.ephemeral_messages(LENA)) > before, what="a refusal")
        return bot.standin.ephemeral_messages(LENA)[-1].text

    assert refusal(MET, forged) == NOT_YOURS
    assert refusal(RESCHEDULE, forged) == NOT_YOURS
    # Clicking the real message in Maya's DM as Lena is refused the same way.
    assert refusal(SKIP, maya_nudge) == NOT_YOURS
    for value, expected in (
        ("999999", "I can't find that meeting any more."),
        ("1; drop", "I couldn't tell which meeting that was."),
    ):
        client.chat_postMessage(
            channel=LENA,
            text="forged",
            blocks=[{"type": "actions", "elements": [{**buttons[0], "value": value}]}],
        )
        assert refusal(MET, bot.standin.dm_messages(LENA)[-1]) == expected

    assert [m.status for m in meetings(bot, pair)][:2] == ["upcoming", "upcoming"]
    assert bot.standin.views_for(LENA) == []
    assert context_text(maya_nudge) == "" and maya_nudge.history == []
    assert {d.status for d in deliveries(bot) if d.due_at > bot.clock.now()} == {"pending"}


def test_reschedule_moves_one_meeting_and_the_series_continues(bot: Bot) -> None:
    pair = start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.run_until(at("2027-03-22T16:00", BERLIN), STEP)  # the nudges for the 23rd went out at 15:00
    maya_nudge = tl.to(MAYA, "nudge")[-1].message
    omar_nudge = tl.to(OMAR, "nudge")[-1].message
    assert "Tue 23 Mar at 10:00" in maya_nudge.text

    # The modal shows the meeting in Maya's zone; she moves it to Thursday 11:00 New York.
    click = bot.driver.click(MAYA, RESCHEDULE, message=maya_nudge)
    assert click.status == 200
    [view] = wait_for(lambda: bot.standin.views_for(MAYA), what="the reschedule modal")
    inputs = {b["block_id"]: b["element"] for b in view.view["blocks"] if b["type"] == "input"}
    assert inputs["new_date"]["initial_date"] == "2027-03-23"
    assert inputs["new_time"]["initial_time"] == "10:00"
    answer = bot.driver.submit_view(MAYA, view.id, {"new_date": "2027-03-25", "new_time": "11:00"})
    assert answer.status == 200 and not answer.body.strip(), answer.body

    moved_at = at("2027-03-25T11:00", NEW_YORK)
    rows = meetings(bot, pair)
    old = next(m for m in rows if m.status == "rescheduled")
    new = next(m for m in rows if m.scheduled_at == moved_at)
    assert old.scheduled_at == at("2027-03-23T15:00", BERLIN) and new.status == "upcoming"
    wait_for(lambda: context_text(maya_nudge), what="Maya's old buttons replaced")
    assert "moved to a new time" in context_text(maya_nudge)

    # Both hear about it at once, short, each in their own zone.
    notices = tl.tick()
    by_reader = {s.message.channel: s for s in notices}
    assert set(by_reader) == {"D" + MAYA[1:], "D" + OMAR[1:]}
    assert by_reader["D" + MAYA[1:]].fallback == "Thu 25 Mar at 11:00"
    assert by_reader["D" + OMAR[1:]].fallback == "Thu 25 Mar at 16:00"
    assert by_reader["D" + OMAR[1:]].text.startswith("📅 Maya moved your mentorship session")
    assert by_reader["D" + MAYA[1:]].text.startswith("📅 You moved")
    assert all(len(s.text) < 140 for s in notices)

    # Omar's nudge for the old time loses its buttons at once and says who moved it.
    wait_for(lambda: context_text(omar_nudge), what="Omar's nudge updated")
    assert context_text(omar_nudge).startswith("📅 Maya recorded: the Tue 23 Mar session moved")
    assert "Your mentorship session with *Maya*" in str(omar_nudge.blocks)  # the nudge stays
    assert status_of(bot, pair, 2) == "rescheduled"

    # The old meeting's follow-ups are cancelled; the new one gets its own nudges and follow-ups.
    old_rows = [d for d in deliveries(bot) if d.payload.get("meeting_id") == old.id]
    assert {d.kind: d.status for d in old_rows if d.kind == "followup"} == {"followup": "cancelled"}
    tl.run_until(at("2027-03-31T00:00", BERLIN), STEP)
    for user, moved, series in ((MAYA, "11:00", "09:00"), (OMAR, "16:00", "15:00")):
        nudges = [n.fallback for n in tl.to(user, "nudge")]
        assert nudges[-2:] == [f"Thu 25 Mar at {moved}", f"Tue 30 Mar at {series}"]
        followups = [f.fallback for f in tl.to(user, "followup")]
        assert followups[-2:] == [f"Thu 25 Mar at {moved}", f"Tue 30 Mar at {series}"]
    new_nudges = [n for n in tl.to(MAYA, "nudge") if n.meeting_epoch == int(moved_at.timestamp())]
    due = moved_at - timedelta(hours=24)
    assert due <= new_nudges[0].at < due + STEP


def test_rescheduling_back_and_forth(bot: Bot) -> None:
    """Move a meeting, move the replacement, and move it back to the first new time."""
    pair = start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.run_until(at("2027-03-08T16:00", BERLIN), STEP)
    times = ["08:00", "08:30", "08:00"]  # New York; nudges for these are due at once
    for time in times:
        nudge = tl.to(MAYA, "nudge")[-1].message
        answer = reschedule(bot, MAYA, nudge, "2027-03-09", time)
        assert answer.status == 200 and not answer.body.strip(), answer.body  # type: ignore[attr-defined]
        tl.tick()  # the notices, and the nudges for the new time (due at once: it's tomorrow)
    rows = meetings(bot, pair)
    upcoming = [m for m in rows if m.status == "upcoming" and m.scheduled_at.day == 9]
    assert [m.scheduled_at for m in upcoming] == [at("2027-03-09T08:00", NEW_YORK)]
    assert [n.fallback for n in tl.to(MAYA, "nudge")] == [
        "Tue 9 Mar at 09:00",
        "Tue 9 Mar at 08:00",
        "Tue 9 Mar at 08:30",
        "Tue 9 Mar at 08:00",
    ]
    assert [m.status for m in rows].count("rescheduled") == 3


def test_reschedule_submitted_long_after_the_modal_opened(bot: Bot) -> None:
    """The people cache has gone stale by the time the modal is submitted."""
    pair = start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.run_until(at("2027-03-08T16:00", BERLIN), STEP)
    nudge = tl.to(MAYA, "nudge")[-1].message
    bot.driver.click(MAYA, RESCHEDULE, message=nudge)
    [view] = wait_for(lambda: bot.standin.views_for(MAYA), what="the reschedule modal")
    bot.clock.advance(timedelta(hours=13))
    answer = bot.driver.submit_view(MAYA, view.id, {"new_date": "2027-03-10", "new_time": "09:00"})
    assert answer.status == 200 and not answer.body.strip(), answer.body
    assert at("2027-03-10T09:00", NEW_YORK) in [m.scheduled_at for m in meetings(bot, pair)]


def test_reschedule_opens_at_once_while_slack_rate_limits_users_info(bot: Bot) -> None:
    # Weeks after the plan was made every cached person is stale; Slack answers users.info with
    # a 429 (Retry-After 30 s). The modal must still open within the trigger's 3 seconds.
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.run_until(at("2027-03-22T16:00", BERLIN), STEP)
    nudge = tl.to(MAYA, "nudge")[-1].message
    bot.standin.rate_limit_next("users.info", retry_after=30, times=4)
    assert bot.driver.click(MAYA, RESCHEDULE, message=nudge).status == 200
    # The stand-in refuses views.open once the trigger is 3 s old, so the modal opening is
    # the proof; the wait is generous for a loaded machine.
    wait_for(lambda: bot.standin.views_for(MAYA), timeout=10, what="the reschedule modal")
    assert bot.standin.calls_to("users.info")  # asked, refused, and the cached facts served
