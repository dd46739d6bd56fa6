"""Who may see or change a pair: a stranger tries every surface (commands, Home buttons with
tampered values, modals with tampered metadata, command buttons) and changes nothing; admins may;
one workspace never sees another's pairs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.home.view import (
    HOME_EDIT,
    HOME_END,
    HOME_GOAL_ADD,
    HOME_GOAL_DONE,
    HOME_PAUSE,
    HOME_PAUSE_FOR,
    HOME_RESUME,
)
from bot.pairs.access import DENIED
from bot.pairs.messages import CMD_END, CMD_PAUSE, CMD_STATUS
from bot.reports.view import REPORT_ADMINS_ONLY
from bot.standin import SlackDriver, SlackStandIn
from storage.models import Goal, Pair, Person
from tests.kit.home import (
    NINA,
    after_home_change,
    command,
    dms,
    home_notice,
    home_now,
    home_text,
    open_home,
    pair,
    start,
    wait_dm,
)
from tests.kit.oauth import Org, install, start_plan
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, SECRET, Bot, make_config, wait_for


@pytest.fixture
def two_pairs(bot: Bot) -> tuple[int, int]:
    """Omar mentors Maya (the target); Lena mentors Nina (so Lena has buttons of her own)."""
    bot.standin.add_user(NINA, "nina", real_name="Nina", tz="Europe/Lisbon")
    target = start(bot, OMAR)
    own = start(bot, LENA, Mentor=LENA, Mentee=NINA)
    bot.tick()
    return target, own


def snapshot(bot: Bot, pair_id: int) -> tuple[Any, ...]:
    p = pair(bot, pair_id)
    with bot.sessions() as s:
        goals = tuple(
            s.scalars(select(Goal.status).where(Goal.pair_id == pair_id).order_by(Goal.id))
        )
        count = len(s.scalars(select(Goal.id).where(Goal.pair_id == pair_id)).all())
    return (p.status, p.paused_until, p.schedule_version, p.format, goals, count)


def nothing_told(bot: Bot) -> None:
    for user in (OMAR, MAYA):
        assert not [t for t in dms(bot, user) if "paused" in t or "ended" in t or "updated" in t]


def test_a_stranger_cannot_read_or_change_a_pair_by_command(
    bot: Bot, two_pairs: tuple[int, int]
) -> None:
    target, _ = two_pairs
    before = snapshot(bot, target)
    for text in ("status", "pause 4", "resume", "end"):
        reply = command(bot, LENA, f"{text} <@{MAYA}|maya>")
        assert "You don't have an open mentorship with Maya" in reply, reply
        assert "Omar" not in reply
    assert "Maya" not in command(bot, LENA, "list")
    assert command(bot, LENA, "report") == REPORT_ADMINS_ONLY
    assert snapshot(bot, target) == before
    nothing_told(bot)


@pytest.mark.parametrize(
    ("action_id", "forge"),
    [
        (HOME_PAUSE, "value"),
        (HOME_PAUSE_FOR, "option"),
        (HOME_END, "value"),
        (HOME_GOAL_ADD, "value"),
        (HOME_EDIT, "value"),
        (HOME_PAUSE, "garbage"),
    ],
)
def test_home_buttons_with_tampered_values_change_nothing(
    bot: Bot, two_pairs: tuple[int, int], action_id: str, forge: str
) -> None:
    target, _ = two_pairs
    before = snapshot(bot, target)
    open_home(bot, LENA)
    forged: dict[str, Any] = {"value": str(target)}
    if forge == "option":
        forged = {
            "selected_option": {
                "text": {"type": "plain_text", "text": "4 weeks"},
                "value": f"{target}:4",
            }
        }
    elif forge == "garbage":
        forged = {"value": "1 OR 1=1; <@U0MAYA0001>"}
    assert bot.driver.click(LENA, action_id, forge=forged).status == 200
    wait_for(lambda: home_notice(bot, LENA) == DENIED, what="the refusal on her Home tab")
    assert DENIED not in dms(bot, LENA)  # said where she clicked, not in a DM
    assert snapshot(bot, target) == before
    assert [v for v in bot.standin.views_for(LENA)] == []  # no modal opened for someone else's pair
    nothing_told(bot)


def test_resume_and_goal_buttons_with_tampered_values(bot: Bot, two_pairs: tuple[int, int]) -> None:
    target, own = two_pairs
    assert "Paused your mentorship" in command(bot, OMAR, "pause 4")
    before = snapshot(bot, target)
    assert "Resume" in home_now(bot, OMAR)
    with bot.sessions() as s:
        goal_id = s.scalars(select(Goal.id).where(Goal.pair_id == target)).first()
    command(bot, LENA, "pause 1")  # Lena's own pair is paused, so she has a Resume button
    open_home(bot, LENA)
    for action_id, value in ((HOME_RESUME, target), (HOME_GOAL_DONE, goal_id)):
        view = after_home_change(
            bot,
            LENA,
            lambda a=action_id, v=value: bot.driver.click(LENA, a, forge={"value": str(v)}),  # type: ignore[misc]
        )
        assert home_notice(bot, LENA) == DENIED and "Mentoring Nina" in home_text(bot, view)
    assert DENIED not in dms(bot, LENA)
    assert snapshot(bot, target) == before
    assert pair(bot, own).status == "paused"


def test_modals_with_tampered_metadata_change_nothing(bot: Bot, two_pairs: tuple[int, int]) -> None:
    target, own = two_pairs
    before = snapshot(bot, target)
    open_home(bot, LENA)
    for action_id, changes in (
        (HOME_EDIT, {"Meeting format": "in_person"}),
        (HOME_GOAL_ADD, {"Goal": "Sneaky"}),
    ):
        bot.driver.click(LENA, action_id)
        modal = wait_for(lambda: bot.standin.views_for(LENA), what="Lena's own modal")[-1]
        metadata = json.loads(modal.view["private_metadata"])
        assert metadata == {"pair_id": own}
        modal.view["private_metadata"] = json.dumps({"pair_id": target})  # a tampering client
        response = bot.driver.submit_view(LENA, modal.id, changes)
        assert response.json and response.json["response_action"] == "errors"
        assert DENIED in json.dumps(response.json["errors"])
        bot.driver.close_view(LENA, modal.id)
    assert snapshot(bot, target) == before
    nothing_told(bot)


def test_command_buttons_with_tampered_values_change_nothing(
    bot: Bot, two_pairs: tuple[int, int]
) -> None:
    target, _ = two_pairs
    before = snapshot(bot, target)
    assert "End your mentorship with *Nina*?" in command(bot, LENA, "end")
    confirm = bot.standin.ephemeral_messages(LENA)[-1]
    bot.driver.click(LENA, CMD_END, message=confirm, forge={"value": str(target)})
    wait_for(lambda: DENIED in bot.standin.ws.render(confirm), what="the refusal")
    for action_id, value in ((CMD_PAUSE, f"{target}:4"), (CMD_STATUS, str(target))):
        command(bot, LENA, "end")
        reply = bot.standin.ephemeral_messages(LENA)[-1]
        bot.driver.click(
            LENA, CMD_END, message=reply, forge={"action_id": action_id, "value": value}
        )
        wait_for(lambda r=reply: DENIED in bot.standin.ws.render(r), what="the refusal")  # type: ignore[misc]
        assert "Omar" not in bot.standin.ws.render(reply)
    assert snapshot(bot, target) == before
    nothing_told(bot)


def test_a_workspace_admin_may_manage_any_pair_of_the_workspace(
    bot: Bot, two_pairs: tuple[int, int]
) -> None:
    target, _ = two_pairs
    assert "Mentored by Omar" in command(bot, KAI, f"status <@{MAYA}|maya>")
    reply = command(bot, KAI, f"pause 2 <@{MAYA}|maya>")
    assert reply.startswith("⏸ Paused the mentorship of *Maya* and *Omar* until Mon 15 Mar 2027")
    assert "I've let Maya and Omar know" in reply
    assert pair(bot, target).status == "paused"
    told = wait_dm(bot, MAYA, "paused")
    assert told.startswith("⏸ *Kai* paused your mentorship with *Omar* until Mon 15 Mar 2027")
    assert "Mentorship program" in command(bot, KAI, "report")


@pytest.fixture
def program_bot(
    standin: SlackStandIn, engine: Engine, db_url: str, clock: ManualClock
) -> Iterator[Bot]:
    """The app with `[program] admins = [Lena]` and `workspace_admins = false`."""
    program = {"admins": [LENA], "workspace_admins": False}
    config = make_config(standin.api_url, db_url, program=program)
    runtime = build_runtime(config, clock=clock, check=False)
    server = runtime.server(host="127.0.0.1", port=0)
    server.start()
    url = f"http://127.0.0.1:{server.port}/slack/events"
    yield Bot(
        runtime, server, standin, SlackDriver(standin, bot_url=url, signing_secret=SECRET), clock
    )
    server.stop()
    runtime.engine.dispose()


def test_configured_admins_and_workspace_admins_switched_off(program_bot: Bot) -> None:
    bot = program_bot
    target = start(bot, OMAR)
    assert command(bot, KAI, "report") == REPORT_ADMINS_ONLY  # a workspace admin, not configured
    assert "You don't have an open mentorship with Maya" in command(bot, KAI, f"end <@{MAYA}|maya>")
    assert "Program overview" not in home_text(bot, open_home(bot, KAI))
    assert "Mentorship program" in command(bot, LENA, "report")
    assert "Program overview" in home_text(bot, open_home(bot, LENA))
    asked = command(bot, LENA, f"end <@{MAYA}|maya>")
    assert asked.startswith("End the mentorship of *Maya* and *Omar*?")
    bot.driver.click(LENA, CMD_END, message=bot.standin.ephemeral_messages(LENA)[-1])
    wait_for(lambda: pair(bot, target).status == "ended", what="the end")
    assert wait_dm(bot, MAYA, "ended").startswith("*Lena* ended your mentorship with *Omar*.")


def test_one_workspace_never_sees_another(org: Org) -> None:
    install(org, org.a, OMAR)
    install(org, org.b, OMAR)
    start_plan(org, org.a)
    start_plan(org, org.b)
    with org.runtime.services.sessions() as s:
        ids = {p.team_id: p.id for p in s.scalars(select(Pair))}
    a_id, b_id = ids["T0AAAAAAA1"], ids["T0BBBBBBB1"]
    driver_a, driver_b = org.driver(org.a), org.driver(org.b)
    driver_a.slash_command(OMAR, "pause 4")
    wait_for(lambda: _status(org, a_id) == "paused", what="A's pause")
    # Maya in workspace B has her own pair there; a button forged with A's pair id changes nothing.
    driver_b.open_home(MAYA)
    wait_for(lambda: org.b.home_view(MAYA), what="Maya's Home in B")
    assert driver_b.click(MAYA, HOME_END, forge={"value": str(a_id)}).status == 200
    wait_for(lambda: DENIED in str(org.b.home_view(MAYA).blocks), what="the refusal on the Home")  # type: ignore[union-attr]
    assert _status(org, a_id) == "paused" and _status(org, b_id) == "active"
    # B's admin sees only B's program; A's paused pair is not counted.
    driver_b.change_user(OMAR, is_admin=True)  # user_change refreshes the cached role
    wait_for(lambda: _is_admin(org, "T0BBBBBBB1", OMAR), what="the cache update")
    driver_b.slash_command(OMAR, "report")
    report = wait_for(lambda: org.b.ephemeral_messages(OMAR)[-1:], what="B's report")[0]
    rendered = org.b.ws.render(report)
    assert "*Active* / 1" in rendered and "*Paused* / 0" in rendered
    driver_b.slash_command(MAYA, "list")
    listed = org.b.ws.render(wait_for(lambda: org.b.ephemeral_messages(MAYA)[-1:])[0])
    assert "paused" not in listed


def _status(o: Org, pair_id: int) -> str:
    with o.runtime.services.sessions() as s:
        found = s.get(Pair, pair_id)
        assert found is not None
        return found.status


def _is_admin(o: Org, team_id: str, user_id: str) -> bool:
    with o.runtime.services.sessions() as s:
        person = s.get(Person, (team_id, user_id))
        return bool(person and person.is_admin)
