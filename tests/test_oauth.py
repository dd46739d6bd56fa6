"""Multi-workspace installs: OAuth through Bolt with slack_sdk's SQLAlchemy stores, a token per
workspace for every scheduled send, uninstalls that stop one workspace and keep its data."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, select

from bot.app import Runtime, build_runtime
from bot.core.clock import ManualClock
from bot.core.config import parse_config
from bot.delivery.dispatcher import Dispatcher
from bot.heartbeat import run_tick
from bot.server import BotServer
from bot.standin import SlackDriver, SlackStandIn
from bot.standin.router import TeamRouter
from storage.models import Delivery, Pair, Workspace
from storage.workspaces import purge_team
from tests.conftest import MAYA, OMAR, SECRET, wait_for
from tests.slack_reference import load
from tests.test_scenario_start import PLAN

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"


@dataclass
class Org:
    runtime: Runtime
    server: BotServer
    a: SlackStandIn
    b: SlackStandIn
    clock: ManualClock
    base: str

    def driver(self, standin: SlackStandIn) -> SlackDriver:
        return SlackDriver(standin, bot_url=f"{self.base}/slack/events", signing_secret=SECRET)

    def tick(self) -> None:
        run_tick(self.runtime.services, Dispatcher(self.runtime.services, owner="t"))


def _workspace(team: str, token: str) -> SlackStandIn:
    s = SlackStandIn(bot_token=token, signing_secret=SECRET, team_id=team, team_domain=team.lower())
    s.add_user(OMAR, "omar", real_name="Omar", tz="Europe/Berlin")
    s.add_user(MAYA, "maya", real_name="Maya", tz="America/New_York")
    s.add_channel("C0MENTOR01", "mentoring")
    s.enable_oauth(CLIENT_ID, CLIENT_SECRET)
    return s.start()


@pytest.fixture
def org(engine: Engine, db_url: str, clock: ManualClock) -> Iterator[Org]:
    a, b = _workspace("T0AAAAAAA1", "xoxb-team-a"), _workspace("T0BBBBBBB1", "xoxb-team-b")
    router = TeamRouter([a, b]).start()
    env = {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    }
    config = parse_config({"slack": {"api_url": router.api_url}, "database": {"url": db_url}}, env)
    runtime = build_runtime(config, clock=clock, check=False)
    server = runtime.server(host="127.0.0.1", port=0)
    server.start()
    yield Org(runtime, server, a, b, clock, f"http://127.0.0.1:{server.port}")
    server.stop()
    router.stop()
    a.stop()
    b.stop()
    runtime.engine.dispose()


def install(org: Org, standin: SlackStandIn, installer: str) -> str:
    """A person clicks "Add to Slack", approves, and Slack redirects back with a code."""
    with urllib.request.urlopen(f"{org.base}/slack/install", timeout=5) as r:
        page = r.read().decode()
        cookie = SimpleCookie(r.headers["Set-Cookie"])
    assert "slack.com/oauth/v2/authorize" in page or "oauth/v2/authorize" in page
    state = cookie["slack-app-oauth-state"].value
    link = next(part for part in page.split('"') if "oauth/v2/authorize" in part)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID] and query["state"] == [state]
    assert "chat:write" in query["scope"][0]
    code = standin.issue_oauth_code(installer)
    request = urllib.request.Request(f"{org.base}/slack/oauth_redirect?code={code}&state={state}")
    request.add_header("Cookie", f"slack-app-oauth-state={state}")
    with urllib.request.urlopen(request, timeout=5) as r:
        assert r.status == 200
        done = str(r.read().decode())
        return done


def test_two_workspaces_install_run_and_one_uninstalls(org: Org) -> None:
    assert "slack://app?team=T0AAAAAAA1" in install(org, org.a, OMAR)
    install(org, org.b, OMAR)
    with org.runtime.services.sessions() as s:
        assert {w.team_id: w.status for w in s.scalars(select(Workspace))} == {
            "T0AAAAAAA1": "active",
            "T0BBBBBBB1": "active",
        }
    # The same people (same user ids) start a mentorship in each workspace.
    for standin in (org.a, org.b):
        start_plan(org, standin)
    org.tick()
    # Each workspace's DMs went out with that workspace's own token.
    assert len(org.a.dm_messages(MAYA)) == 1 and len(org.b.dm_messages(MAYA)) == 1
    with org.runtime.services.sessions() as s:
        assert sorted(p.team_id for p in s.scalars(select(Pair))) == ["T0AAAAAAA1", "T0BBBBBBB1"]
    # Workspace B removes the app: its schedules stop, A goes on, B's data stays.
    driver_b = org.driver(org.b)
    assert driver_b.send_event({"type": "app_uninstalled"}).status == 200
    wait_for(lambda: _status(org, "T0BBBBBBB1") == "uninstalled", what="the uninstall")
    org.clock.advance(timedelta(days=8))  # past the first meeting's nudge
    org.tick()
    nudges_a = [m for m in org.a.dm_messages(MAYA) if "mentorship session" in m.text]
    nudges_b = [m for m in org.b.dm_messages(MAYA) if "mentorship session" in m.text]
    assert nudges_a and not nudges_b
    with org.runtime.services.sessions() as s:
        pending_b = s.scalars(
            select(Delivery).where(Delivery.team_id == "T0BBBBBBB1", Delivery.status == "pending")
        ).all()
        assert pending_b == []
        assert len(s.scalars(select(Pair).where(Pair.team_id == "T0BBBBBBB1")).all()) == 1
    # Its installation is forgotten: a request from B no longer authorizes.
    assert "/mentorship start" in org.driver(org.a).slash_command(OMAR, "help").body
    assert "/mentorship start" not in org.driver(org.b).slash_command(OMAR, "help").body
    # An operator removes B's data for good; A is untouched.
    with org.runtime.services.sessions.begin() as s:
        counts = purge_team(s, "T0BBBBBBB1")
    assert counts["pairs"] == 1
    with org.runtime.services.sessions() as s:
        assert [p.team_id for p in s.scalars(select(Pair))] == ["T0AAAAAAA1"]


def start_plan(org: Org, standin: SlackStandIn) -> None:
    driver = org.driver(standin)
    driver.slash_command(OMAR, "start")
    view = wait_for(lambda: standin.views_for(OMAR), what="the modal")[-1]
    assert driver.submit_view(OMAR, view.id, PLAN).status == 200


def _status(org: Org, team: str) -> str | None:
    with org.runtime.services.sessions() as s:
        row = s.get(Workspace, team)
        return row.status if row else None


def test_oauth_access_answer_matches_slacks_recorded_keys(slack_reference: Path, org: Org) -> None:
    reference = load("java-slack-sdk/api/oauth.v2.access.json")
    code = org.a.issue_oauth_code(OMAR)
    body = urllib.parse.urlencode(
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code}
    ).encode()
    with urllib.request.urlopen(
        urllib.request.Request(org.a.api_url + "oauth.v2.access", data=body), timeout=5
    ) as r:
        answer = json.loads(r.read())
    assert answer["ok"] is True
    for key, value in answer.items():
        assert key in reference, key
        if value is not None:  # Slack sends "enterprise": null outside Enterprise Grid
            assert type(value) is type(reference[key]) or key == "ok", key
