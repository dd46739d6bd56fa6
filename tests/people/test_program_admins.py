"""Who runs the program, with `[program]` configured: configured admins are listed and stay the
operator's to change, and with `workspace_admins = false` a workspace admin manages the list
without being a program admin themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.app import Runtime, build_runtime
from bot.core.clock import ManualClock
from bot.people.admins import is_admin
from bot.people.program_admins import change_admins, list_admins
from bot.standin import SlackStandIn
from tests.kit.workspace import KAI, LENA, OMAR, TEAM, make_config


@pytest.fixture
def runtime(
    standin: SlackStandIn, engine: Engine, db_url: str, clock: ManualClock
) -> Iterator[Runtime]:
    config = make_config(
        standin.api_url, db_url, program={"admins": [OMAR], "workspace_admins": False}
    )
    built = build_runtime(config, clock=clock, check=False)
    yield built
    built.engine.dispose()


def test_configured_admins_are_listed_and_not_removed_from_slack(runtime: Runtime) -> None:
    services, client = runtime.services, runtime.services.client
    listed = list_admins(services, TEAM)
    assert f"• <@{OMAR}> (in the bot's configuration, `[program] admins`)" in listed
    assert "workspace's admins and owners are program admins" not in listed
    said = change_admins(services, client, TEAM, KAI, "remove", f"<@{OMAR}|omar>")
    assert said.text == (
        f"<@{OMAR}> is in the bot's configuration (`[program] admins`), so they stay a program "
        "admin; that isn't changed here."
    )
    assert said.people == () and is_admin(services, client, TEAM, OMAR)


def test_without_workspace_admins_kai_manages_the_list_but_does_not_run_the_program(
    runtime: Runtime,
) -> None:
    services, client = runtime.services, runtime.services.client
    assert not is_admin(services, client, TEAM, KAI)  # a workspace admin, not a program admin
    assert not is_admin(services, client, TEAM, LENA)
    said = change_admins(services, client, TEAM, KAI, "add", f"<@{LENA}|lena> <@{LENA}>")
    assert said.text.startswith(f"✅ <@{LENA}> is now a program admin")
    assert said.people == (LENA,)
    assert is_admin(services, client, TEAM, LENA)
    listed = list_admins(services, TEAM)
    assert f"• <@{LENA}> (added by <@{KAI}>, Mon 1 Mar 2027)" in listed
    said = change_admins(services, client, TEAM, KAI, "add", f"<@{KAI}|kai>")
    assert said.text.startswith(f"✅ <@{KAI}> is now a program admin") and "let" not in said.text
    assert is_admin(services, client, TEAM, KAI)
