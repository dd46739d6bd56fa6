"""Weeks of nudges and follow-ups, played hour by hour on the manual clock through HTTP and the
stand-in: one nudge per meeting and person, at the planned wall time, never in the reader's night."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.standin import SlackStandIn
from tests.kit.scenario import Timeline, at, deliveries, local_hour, meetings, plan, start
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, Bot

LEO = "U0LEO00001"
ZONES = {
    OMAR: "Europe/Berlin",
    MAYA: "America/New_York",
    KAI: "Pacific/Auckland",
    LENA: "Asia/Tokyo",
    LEO: "America/Los_Angeles",
}
DAYS_TUE = ["9 Mar", "16 Mar", "23 Mar", "30 Mar", "6 Apr"]
DAYS_WED = ["10 Mar", "17 Mar", "24 Mar", "31 Mar", "7 Apr"]


def add_leo(standin: SlackStandIn) -> None:
    standin.add_user(LEO, "leo", real_name="Leo", tz=ZONES[LEO])


def check_person(
    timeline: Timeline, user: str, meeting_instants: list[datetime], fallbacks: list[str]
) -> None:
    """Exactly one nudge and one follow-up per meeting, each in the reader's day."""
    tz = ZONES[user]
    epochs = [int(m.timestamp()) for m in meeting_instants]
    nudges = timeline.to(user, "nudge")
    assert [n.meeting_epoch for n in nudges] == epochs, [n.text for n in nudges]
    assert [n.fallback for n in nudges] == fallbacks
    for nudge, meeting in zip(nudges, meeting_instants, strict=True):
        assert nudge.at < meeting, f"{user}: nudge for {meeting} came at {nudge.at}"
        assert 8 <= local_hour(nudge.at, tz) < 21, f"{user}: nudge at {nudge.at} is at night"
    followups = timeline.to(user, "followup")
    assert [f.meeting_epoch for f in followups] == epochs
    for followup, meeting in zip(followups, meeting_instants, strict=True):
        assert followup.at > meeting
        assert 8 <= local_hour(followup.at, tz) < 21, f"{user}: follow-up at {followup.at}"


def test_march_weeks_across_both_dst_switches(bot: Bot) -> None:
    """Berlin-planned Omar/Maya (US switches 14 Mar, EU 28 Mar) and Auckland-planned Kai/Leo,
    20 hours apart (US switches 14 Mar, New Zealand falls back 4 Apr)."""
    add_leo(bot.standin)
    bot.clock.set(datetime(2027, 3, 7, 8, 0, tzinfo=UTC))  # a day before the first nudge
    berlin = start(bot, OMAR, plan())  # Tuesdays 15:00 Europe/Berlin from 2027-03-09
    auckland = start(
        bot,
        KAI,
        plan(
            Mentor=KAI,
            Mentee=LEO,
            **{
                "First meeting date": "2027-03-10",
                "Meeting time": "06:00",
                "Time zone": "Pacific/Auckland",
            },
        ),
    )
    timeline = Timeline(bot)
    timeline.run_until(datetime(2027, 4, 6, 21, 0, tzinfo=UTC))  # after the last follow-up

    tuesdays = [f"2027-03-{d:02d}" for d in (9, 16, 23, 30)] + ["2027-04-06"]
    berlin_meetings = [at(f"{d}T15:00", "Europe/Berlin") for d in tuesdays]
    check_person(timeline, OMAR, berlin_meetings, [f"Tue {d} at 15:00" for d in DAYS_TUE])
    # 15:00 Berlin is 09:00 in New York, 10:00 while only the US has switched (14-27 Mar).
    maya = ["09:00", "10:00", "10:00", "09:00", "09:00"]
    check_person(
        timeline,
        MAYA,
        berlin_meetings,
        [f"Tue {d} at {t}" for d, t in zip(DAYS_TUE, maya, strict=True)],
    )

    wednesdays = [f"2027-03-{d:02d}" for d in (10, 17, 24, 31)] + ["2027-04-07"]
    kai_meetings = [at(f"{d}T06:00", "Pacific/Auckland") for d in wednesdays]
    check_person(timeline, KAI, kai_meetings, [f"Wed {d} at 06:00" for d in DAYS_WED])
    # 06:00 Wednesday in Auckland is Tuesday morning in Los Angeles: 09:00 (PST, NZDT),
    # 10:00 once the US switched, 11:00 once New Zealand fell back.
    leo = ["09:00", "10:00", "10:00", "10:00", "11:00"]
    check_person(
        timeline, LEO, kai_meetings, [f"Tue {d} at {t}" for d, t in zip(DAYS_TUE, leo, strict=True)]
    )
    # Kai's 06:00 nudge the day before would wake him: it moved to 08:00 his time.
    assert {round(local_hour(n.at, ZONES[KAI]), 2) for n in timeline.to(KAI, "nudge")} == {8.0}
    assert all("(Wed 06:00 for Kai)" in n.text for n in timeline.to(LEO, "nudge"))
    assert all("(15:00 for Omar)" in n.text for n in timeline.to(MAYA, "nudge"))

    for pair_id in (berlin, auckland):
        assert [m.status for m in meetings(bot, pair_id)][:5] == ["upcoming"] * 5
    # One plan summary each; other features' messages (milestones...) are not counted here.
    summaries = [s for s in timeline.seen if "is set up" in s.text]
    assert sorted(s.message.channel for s in summaries) == sorted(
        "D" + u[1:] for u in (OMAR, MAYA, KAI, LEO)
    )
    # The outbox agrees: every row of these meetings was sent once, on time, nothing failed.
    rows = [d for d in deliveries(bot) if d.kind in ("nudge", "followup")]
    assert {d.status for d in rows if d.due_at <= bot.clock.now()} == {"sent"}
    assert all(d.attempts == 1 for d in rows if d.status == "sent")


# Storage on PostgreSQL is covered by the March weeks above and the outbox/dispatch/button tests;
# this one is about wall times, so it runs on SQLite only to keep the PostgreSQL run short.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_new_york_plans_across_the_november_fall_back(bot: Bot) -> None:
    """EU falls back 31 Oct, US 7 Nov. A 19:00 New York meeting with Tokyo (no DST), and a
    Sunday 01:00 New York meeting that on 7 Nov falls in the repeated hour."""
    bot.clock.set(datetime(2027, 10, 20, 8, 0, tzinfo=UTC))
    tokyo = start(
        bot,
        MAYA,
        plan(
            Mentor=MAYA,
            Mentee=LENA,
            **{
                "First meeting date": "2027-10-21",
                "Meeting time": "19:00",
                "Time zone": "America/New_York",
                "Duration": "3",
            },
        ),
    )
    fold = start(
        bot,
        OMAR,
        plan(
            Mentor=OMAR,
            Mentee=KAI,
            **{
                "First meeting date": "2027-10-24",
                "Meeting time": "01:00",
                "Time zone": "America/New_York",
                "Duration": "3",
            },
        ),
    )
    timeline = Timeline(bot)
    timeline.run_until(datetime(2027, 11, 12, 14, 0, tzinfo=UTC))

    thursdays = ["2027-10-21", "2027-10-28", "2027-11-04", "2027-11-11"]
    ny_meetings = [at(f"{d}T19:00", "America/New_York") for d in thursdays]
    days = ["21 Oct", "28 Oct", "4 Nov", "11 Nov"]
    check_person(timeline, MAYA, ny_meetings, [f"Thu {d} at 19:00" for d in days])
    # 19:00 in New York is 08:00 next morning in Tokyo, 09:00 once New York fell back.
    lena = ["Fri 22 Oct at 08:00", "Fri 29 Oct at 08:00", "Fri 5 Nov at 08:00"]
    check_person(timeline, LENA, ny_meetings, [*lena, "Fri 12 Nov at 09:00"])
    # Maya's follow-up at 21:00 would be at night: it waits for 08:00 the next morning.
    assert {round(local_hour(f.at, ZONES[MAYA]), 2) for f in timeline.to(MAYA, "followup")} == {8.0}

    # Sunday 01:00 New York; on 7 Nov 01:00 happens twice and the meeting is the first one.
    sundays = [
        at("2027-10-24T01:00", "America/New_York"),
        at("2027-10-31T01:00", "America/New_York"),
    ]
    sundays.append(datetime(2027, 11, 7, 5, 0, tzinfo=UTC))  # 01:00 EDT, before the fall-back
    assert [m.scheduled_at for m in meetings(bot, fold)][:3] == sundays
    # Berlin fell back a week before New York: 07:00, then 06:00.
    omar = ["Sun 24 Oct at 07:00", "Sun 31 Oct at 06:00", "Sun 7 Nov at 06:00"]
    check_person(timeline, OMAR, sundays, omar)
    check_person(
        timeline, KAI, sundays, [f"Sun {d} at 18:00" for d in ("24 Oct", "31 Oct", "7 Nov")]
    )
    assert len(meetings(bot, tokyo)) >= 4


def test_a_plan_made_late_does_not_nudge_in_the_night(bot: Bot) -> None:
    """Omar plans at 08:00 Berlin for 15:00 today: it is 02:00 in New York, so Maya's nudge
    (24 hours before is already past) waits for her 08:00 instead of going out at once."""
    bot.clock.set(at("2027-03-09T08:00", "Europe/Berlin"))
    start(bot, OMAR, plan())
    timeline = Timeline(bot)
    timeline.run_until(at("2027-03-09T16:00", "Europe/Berlin"))
    [omar] = timeline.to(OMAR, "nudge")
    [maya] = timeline.to(MAYA, "nudge")
    assert omar.at == at("2027-03-09T08:00", "Europe/Berlin")  # his day: at once
    assert maya.at == at("2027-03-09T08:00", "America/New_York")
    assert maya.fallback == "Tue 9 Mar at 09:00"
