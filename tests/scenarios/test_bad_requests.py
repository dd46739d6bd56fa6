"""Requests a hostile client (or a broken proxy) sends, signed or not: each gets a 2xx or 4xx
within a second, never a 500; and an error inside a listener still answers the person."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import SORRY
from bot.people.lookup import facts_from_user
from bot.standin.payloads import state_values
from storage.models import Goal, Pair, Person
from tests.kit.home import command
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, TEAM, Bot, wait_for

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
NESTED_ARRAYS = b"[" * 5000 + b"]" * 5000
NESTED_OBJECTS = b'{"a":' * 5000 + b"1" + b"}" * 5000


def _timed(bot: Bot, body: bytes, content_type: str, **kwargs: Any) -> tuple[int, str, float]:
    """Status, body, and the CPU seconds this process (the bot's server and the client) spent
    on the request: "answered at once" without counting the time a shared, loaded machine
    keeps the threads waiting (a hang still shows, as the client's 10-second timeout)."""
    started = time.process_time()
    response = bot.driver.post(body, content_type, **kwargs)
    return response.status, response.body, time.process_time() - started


def _event(event: object) -> bytes:
    return json.dumps({"type": "event_callback", "team_id": TEAM, "event": event}).encode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[1,2,3]", JSON),
        (b"null", JSON),
        (b'"a string"', JSON),
        (b"5", JSON),
        (NESTED_ARRAYS, JSON),
        (NESTED_OBJECTS, JSON),
        (b"payload=%22a+string%22", FORM),
        (b"payload=%5B1%2C2%5D", FORM),
        (b"payload=null", FORM),
        (b"payload=" + NESTED_ARRAYS, FORM),
        (_event("not an object"), JSON),
        (json.dumps({"type": "event_callback", "authorizations": 5}).encode(), JSON),
        (
            json.dumps({"type": "block_actions", "user": {"id": OMAR}, "actions": "x"}).encode(),
            JSON,
        ),
        (
            json.dumps({"type": "event_callback", "team_id": TEAM, "event": {"team": []}}).encode(),
            JSON,
        ),
    ],
)
def test_signed_bodies_of_the_wrong_shape_get_400_at_once(
    bot: Bot, body: bytes, content_type: str
) -> None:
    status, text, took = _timed(bot, body, content_type)
    assert status == 400, text
    assert took < 0.5
    assert bot.driver.slash_command(OMAR, "help").status == 200  # still serving


TIMESTAMPS: dict[str, Callable[[int], str]] = {
    "letters": lambda now: "abc",
    "exponent": lambda now: "1e9",
    "empty": lambda now: "",
    "leading space": lambda now: f" {now}",
    "plus sign": lambda now: f"+{now}",
    "underscores": lambda now: f"{now:_}",  # Python's int() reads all three of these
    "negative": lambda now: "-1",
    "stale": lambda now: str(now - 301),
}


@pytest.mark.parametrize("kind", sorted(TIMESTAMPS))
def test_a_timestamp_that_is_not_recent_ascii_digits_is_401(bot: Bot, kind: str) -> None:
    # Signed correctly over whatever the timestamp says: the timestamp itself is refused.
    timestamp = TIMESTAMPS[kind](int(time.time()))
    status, _, took = _timed(
        bot, b"command=%2Fmentorship&text=help", FORM, timestamp_override=timestamp
    )
    assert status == 401 and took < 0.5


def test_unsigned_requests_stay_401_whatever_their_body(bot: Bot) -> None:
    for body in (b"[1,2,3]", NESTED_ARRAYS, b"\xff\x00", b"payload=%22x%22"):
        status, _, took = _timed(bot, body, JSON, signature_override="v0=" + "0" * 64)
        assert status == 401 and took < 0.5


def test_slacks_certificate_check_is_answered(bot: Bot) -> None:
    status, _, _ = _timed(bot, b"ssl_check=1&token=x", FORM, signature_override="v0=0")
    assert status == 200


def _plan_view(bot: Bot) -> tuple[dict[str, Any], dict[str, Any]]:
    """A signed view_submission of the plan form as Slack sends it, to be tampered with."""
    bot.driver.slash_command(OMAR, "start")
    view = wait_for(lambda: bot.standin.views_for(OMAR), what="the plan modal")[-1]
    stored = bot.standin.view(view.id).view
    payload = bot.driver._common("view_submission", OMAR)
    payload.update({"trigger_id": "1", "view": {**stored, "state": {"values": {}}}})
    return payload, stored


def _with(bot: Bot, stored: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**stored, "state": {"values": state_values(stored, values, bot.driver.resolve)}}


def test_crafted_view_submissions_never_500(bot: Bot) -> None:
    payload, stored = _plan_view(bot)
    without_user = {k: v for k, v in payload.items() if k != "user"}
    without_user["view"] = _with(bot, stored, PLAN)
    assert bot.driver.post_payload(without_user).status == 400
    assert bot.driver.post_payload({**without_user, "user": None}).status == 400
    assert bot.driver.post_payload({**without_user, "user": {"id": "U" * 200}}).status == 400
    assert bot.driver.post_payload({**payload, "team": {"id": "T" * 200}}).status == 400
    assert bot.driver.post_payload({**payload, "view": "x"}).status == 400
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).all() == []

    far = {**PLAN, "First meeting date": "9999-12-31"}
    r = bot.driver.post_payload({**payload, "view": _with(bot, stored, far)})
    assert r.status == 200 and r.json is not None, r.body
    assert r.json["errors"]["first_date"] == "Pick a first meeting within the next year."
    far_end = {**far, "Duration": None, "End date (instead of a duration)": "9999-12-31"}
    r = bot.driver.post_payload({**payload, "view": _with(bot, stored, far_end)})
    assert r.status == 200 and r.json and "within the next year" in r.json["errors"]["first_date"]
    view = _with(bot, stored, PLAN)
    view["state"]["values"]["duration"]["value"]["selected_option"]["value"] = "99999999"
    r = bot.driver.post_payload({**payload, "view": view})
    assert r.status == 200 and r.json and "3, 6, 9 or 12 months" in r.json["errors"]["duration"]
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).all() == []


def test_nul_bytes_and_overlong_ids_in_a_signed_form(bot: Bot) -> None:
    # PostgreSQL refuses NUL in text and over-long values in bounded columns (SQLite takes both):
    # the same answers on both.
    payload, stored = _plan_view(bot)
    view = _with(bot, stored, {**PLAN, "Mentor": "U" + "X" * 300})
    r = bot.driver.post_payload({**payload, "view": view})
    assert r.status == 200 and r.json is not None, r.body
    assert r.json["errors"] == {"mentor": "I can't find that person in this workspace."}
    nul = {
        **PLAN,
        "Mentee's goals": "Lead a\x00 design review",
        "Shared vision": "\x00Maya leads\x00",
        "Time zone": "Europe/Berlin\x00",
    }
    view = _with(bot, stored, nul)
    r = bot.driver.post_payload({**payload, "team": {"id": TEAM + "\x00"}, "view": view})
    assert r.status == 200 and not r.body.strip(), r.body
    with bot.sessions() as s:
        pair = s.scalars(select(Pair)).one()
        assert (pair.team_id, pair.tz) == (TEAM, "Europe/Berlin")
        texts = sorted(s.scalars(select(Goal.text).where(Goal.pair_id == pair.id)))
    assert "Lead a design review" in texts and "Maya leads" in texts


def _cached(bot: Bot, user_id: str) -> Person | None:
    with bot.sessions() as s:
        return s.get(Person, (TEAM, user_id))


def _renamed(bot: Bot, user_id: str, prefix: str) -> Person | None:
    person = _cached(bot, user_id)
    return person if person is not None and person.name.startswith(prefix) else None


def test_a_long_or_nul_name_from_slack_is_cached_clipped(bot: Bot) -> None:
    bot.standin.add_user("U0LONGNAME1", "long", real_name="Ana\x00" + "a" * 400, tz="UTC")
    r = bot.start_plan(OMAR, {**PLAN, "Mentee": "U0LONGNAME1"})
    assert r.status == 200 and not r.body.strip(), r.body
    assert bot.driver.change_user(OMAR, real_name="O" * 500 + "\x00").status == 200
    omar = wait_for(lambda: _renamed(bot, OMAR, "OOO"), what="Omar's user_change cached")
    long_name = _cached(bot, "U0LONGNAME1")
    assert omar is not None and long_name is not None and long_name.name.startswith("Ana")
    for name in (long_name.name, omar.name):
        assert len(name) == 128 and name.endswith("…") and "\x00" not in name


def test_a_time_zone_no_zone_has_is_not_cached() -> None:
    assert facts_from_user({"tz": "X" * 65}, "U0X").tz is None
    assert facts_from_user({"tz": "Europe/Berlin\x00"}, "U0X").tz is None
    assert facts_from_user({"tz": "Europe/Berlin"}, "U0X").tz == "Europe/Berlin"


def test_a_command_whose_text_says_payload_is_answered(bot: Bot) -> None:
    # Bolt reads any form body containing the word "payload" as an empty request (404).
    r = bot.driver.slash_command(OMAR, "payload please")
    assert r.status == 200 and "I don't know `payload` yet" in r.body


def test_pause_with_a_non_ascii_digit_explains_the_weeks(bot: Bot) -> None:
    assert bot.start_plan(OMAR, PLAN).status == 200
    for text in ("pause ²", "pause ٣", "pause 1²"):
        assert command(bot, OMAR, text).startswith("Pause for how many weeks?")


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("a bug after the ack")


def test_an_error_after_the_ack_still_answers_the_person(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.commands

    monkeypatch.setitem(handlers.commands.COMMANDS, "list", _boom)
    r = bot.driver.slash_command(OMAR, "list")
    assert r.status == 200
    said = wait_for(lambda: bot.standin.ephemeral_messages(OMAR), what="the note")
    assert said[-1].text == SORRY


def test_an_error_before_the_ack_keeps_the_form_open_with_a_note(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.plans

    monkeypatch.setattr(handlers.plans, "submit_plan", _boom)
    r = bot.start_plan(OMAR, PLAN)
    assert r.status == 200 and r.json is not None, r.body
    assert r.json["response_action"] == "errors" and list(r.json["errors"].values()) == [SORRY]


def test_an_error_on_a_dm_answers_in_the_dm(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    import handlers.reflections

    monkeypatch.setattr(handlers.reflections, "handle_dm", _boom)
    assert bot.driver.user_dm(MAYA, "hello")[0].status == 200
    wait_for(lambda: SORRY in [m.text for m in bot.standin.dm_messages(MAYA)], what="the note")
