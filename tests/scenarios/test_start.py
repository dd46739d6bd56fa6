"""`/mentorship start` end to end: the real server, driven over HTTP through the stand-in."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Goal, Milestone, Pair
from tests.kit.plans import PLAN
from tests.kit.workspace import (
    GONE,
    LENA,
    MAYA,
    MENTORING,
    OMAR,
    ROBOT,
    Bot,
    listeners_idle,
    wait_for,
    welcome_queued,
)


def test_help_and_unknown_subcommand(bot: Bot) -> None:
    for text in ("help", ""):
        r = bot.driver.slash_command(OMAR, text)
        assert r.status == 200
        assert "/mentorship start" in r.body
    r = bot.driver.slash_command(OMAR, "dance")
    assert r.status == 200 and "I don't know `dance`" in r.body and "/mentorship start" in r.body
    assert bot.standin.views_for(OMAR) == []


def _inputs(bot: Bot, user: str) -> dict[str, Any]:
    view = wait_for(lambda: bot.standin.views_for(user), what="the plan modal")[-1]
    return {b["block_id"]: b for b in view.view["blocks"] if b["type"] == "input"}


def test_start_opens_prefilled_modal_in_creators_zone(bot: Bot) -> None:
    # A creator the bot has never seen: the modal opens without asking Slack anything first,
    # with an empty time zone that the submission takes from the creator's Slack profile.
    r = bot.driver.slash_command(OMAR, f"start <@{MAYA}|maya>")
    assert r.status == 200
    inputs = _inputs(bot, OMAR)
    assert inputs["mentee"]["element"]["initial_user"] == MAYA
    assert inputs["mentor"]["element"]["initial_user"] == OMAR
    assert "initial_value" not in inputs["tz"]["element"] and inputs["tz"]["optional"]
    assert "leave it empty to use your Slack time zone" in inputs["tz"]["hint"]["text"]
    assert bot.standin.calls_to("users.info") == []

    view = bot.standin.views_for(OMAR)[-1]
    r = bot.driver.submit_view(OMAR, view.id, {**PLAN, "Time zone": None})
    assert r.status == 200 and not r.body.strip(), r.body
    with bot.sessions() as s:
        [pair] = s.scalars(select(Pair)).all()
        assert pair.tz == "Europe/Berlin"  # Omar's Slack zone
    wait_for(lambda: listeners_idle(bot.runtime), what="the plan summaries sent")

    # The next start opens the same way: still no call before views.open, still no zone
    # copied from a cache (an empty field follows the creator's Slack zone at submission).
    calls = len(bot.standin.calls)
    bot.driver.slash_command(OMAR, "start")
    wait_for(lambda: len(bot.standin.calls_to("views.open")) == 2, what="the second modal")
    assert "initial_value" not in _inputs(bot, OMAR)["tz"]["element"]
    assert [method for method, _ in bot.standin.calls[calls:]] == ["views.open"]


def test_empty_time_zone_is_the_creators_not_the_pairs(bot: Bot) -> None:
    # Lena (Tokyo) sets up a mentorship for Omar and Maya and leaves the zone empty.
    r = bot.start_plan(LENA, {**PLAN, "Time zone": None})
    assert r.status == 200 and not r.body.strip(), r.body
    with bot.sessions() as s:
        [pair] = s.scalars(select(Pair)).all()
        assert (pair.creator_id, pair.tz) == (LENA, "Asia/Tokyo")


def test_happy_path_stores_plan_and_dms_both(bot: Bot) -> None:
    # The welcome is written beside the new workspace's first request (the command): the
    # plan is submitted once it is, as a person takes longer than that to fill in the form.
    r = bot.start_plan(
        OMAR, PLAN, before_submit=lambda: wait_for(lambda: welcome_queued(bot, OMAR))
    )
    assert r.status == 200 and not r.body.strip(), r.body  # empty ack closes the modal
    with bot.sessions() as s:
        [pair] = s.scalars(select(Pair)).all()
        assert (pair.mentor_id, pair.mentee_id, pair.creator_id) == (OMAR, MAYA, OMAR)
        assert pair.cadence == "biweekly" and pair.tz == "Europe/Berlin"
        assert pair.announce and pair.announce_channel == MENTORING
        assert str(pair.end_date) == "2027-09-09"
        goals = s.scalars(select(Goal).order_by(Goal.position)).all()
        assert [(g.owner, g.text) for g in goals] == [
            ("mentee", "Lead a design review"),
            ("mentee", "Learn Rust async programming"),
            ("mentor", "Practise giving feedback"),
            ("shared", "Maya leads her team's next launch"),
        ]
        kinds = [m.kind for m in s.scalars(select(Milestone).order_by(Milestone.due_date))]
        assert kinds[0] == "kickoff" and kinds[-1] == "final_review"
        assert kinds.count("checkpoint") == 6
    # Both summaries went out right after the answer, without waiting for the scheduler, and
    # the first person in the new workspace heard the welcome first.
    maya_dm = bot.standin.dm_messages(MAYA)
    welcome, *omar_dm = bot.standin.dm_messages(OMAR)
    assert welcome.text == "👋 Thanks for adding Mentorship."
    assert len(maya_dm) == 1 and len(omar_dm) == 1
    # Each reads the first meeting in their own zone: 15:00 Berlin is 09:00 in New York.
    assert "Tue 9 Mar at 09:00" in maya_dm[0].text and "*Omar*" in maya_dm[0].text
    assert "Tue 9 Mar at 15:00" in omar_dm[0].text and "*Maya*" in omar_dm[0].text
    assert "you're the mentee" in maya_dm[0].text
    blocks_text = str(maya_dm[0].blocks)
    assert "Lead a design review" in blocks_text and "every two weeks" in maya_dm[0].text
    bot.tick()  # a second tick sends nothing twice
    assert len(bot.standin.dm_messages(MAYA)) == 1


@pytest.mark.parametrize(
    ("change", "block", "words"),
    [
        ({"Mentee": OMAR}, "mentee", "two different people"),
        ({"Mentee": ROBOT}, "mentee", "bot"),
        ({"Mentor": GONE}, "mentor", "deactivated"),
        ({"First meeting date": "2027-02-20"}, "first_date", "past"),
        ({"End date": "2027-03-01", "Duration": None}, "end_date", "before the first meeting"),
        ({"Time zone": "Europe/Atlantis"}, "tz", "time zone"),
        ({"Shared vision": "v" * 1001}, "vision", "1,000"),
        ({"Mentee's goals": None}, "mentee_goals", "fill"),
        ({"Meeting time": None}, "meeting_time", "fill"),
        ({"Communication channels": []}, "channels", "at least one"),
    ],
)
def test_invalid_plan_shows_field_errors_and_stores_nothing(
    bot: Bot, change: dict[str, Any], block: str, words: str
) -> None:
    r = bot.start_plan(OMAR, {**PLAN, **change})
    assert r.status == 200
    assert r.json is not None and r.json["response_action"] == "errors"
    assert block in r.json["errors"], r.json
    assert words in r.json["errors"][block]
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).all() == []
    assert bot.standin.dm_messages(MAYA) == []


def test_second_active_mentorship_for_same_people_is_refused(bot: Bot) -> None:
    assert bot.start_plan(OMAR, PLAN).status == 200
    r = bot.start_plan(MAYA, {**PLAN, "Mentor": MAYA, "Mentee": OMAR})
    assert r.json and "already have an active mentorship" in r.json["errors"]["mentee"]
    # Another pair with a different person is fine.
    assert bot.start_plan(OMAR, {**PLAN, "Mentee": LENA}).status == 200
    with bot.sessions() as s:
        assert len(s.scalars(select(Pair)).all()) == 2


def test_forged_stale_and_garbage_requests(bot: Bot) -> None:
    body = b"command=%2Fmentorship&text=help&user_id=U0OMAR0001&team_id=T0000000001"
    assert bot.driver.post(body, signature_override="v0=" + "0" * 64).status == 401
    assert bot.driver.post(body, timestamp_override=1).status == 401
    garbage = bot.driver.post(b"\xff\x00not a form{", content_type="application/json")
    assert 400 <= garbage.status < 500
    assert (
        bot.driver.post(
            b"payload=%7Bbroken", content_type="application/x-www-form-urlencoded"
        ).status
        < 500
    )
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).all() == []
    # The server is still answering.
    assert bot.driver.slash_command(OMAR, "help").status == 200


@pytest.mark.parametrize("fault", ["ratelimited", "fatal_error"])
def test_slack_trouble_while_checking_people_asks_to_submit_again(bot: Bot, fault: str) -> None:
    # users.info answers 429 (Retry-After 30 s) or an error: no sleeping through the 3 seconds,
    # a field error that says what to do, nothing stored; pressing Start again works.
    bot.driver.slash_command(OMAR, f"start <@{MAYA}|maya>")
    view = wait_for(lambda: bot.standin.views_for(OMAR), what="the plan modal")[-1]
    if fault == "ratelimited":
        bot.standin.rate_limit_next("users.info", retry_after=30)
    else:
        bot.standin.fail_next("users.info", "fatal_error")
    started = time.monotonic()
    r = bot.driver.submit_view(OMAR, view.id, PLAN)
    assert time.monotonic() - started < 10  # not the 30 s Retry-After
    assert r.json is not None and r.json["response_action"] == "errors", r.body
    words = "slow down" if fault == "ratelimited" else "fatal_error"
    assert (
        words in r.json["errors"]["mentor"]
        and "press the button again" in r.json["errors"]["mentor"].lower()
    )
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).all() == []
    r = bot.driver.submit_view(OMAR, view.id, PLAN)
    assert r.status == 200 and not r.body.strip(), r.body
    with bot.sessions() as s:
        assert len(s.scalars(select(Pair)).all()) == 1


def test_empty_time_zone_without_one_in_slack_asks_for_it(bot: Bot) -> None:
    bot.standin.add_user("U0NOZONE01", "nozone", real_name="Noa", tz="")
    r = bot.start_plan("U0NOZONE01", {**PLAN, "Mentor": "U0NOZONE01", "Time zone": None})
    assert r.json is not None and r.json["response_action"] == "errors", r.body
    assert "Your Slack profile has no time zone" in r.json["errors"]["tz"]
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).all() == []
