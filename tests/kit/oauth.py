"""Two OAuth workspaces behind one stand-in URL, and the steps of installing into them."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from bot.app import Runtime
from bot.core.clock import ManualClock
from bot.delivery.dispatcher import Dispatcher
from bot.heartbeat import run_tick
from bot.server import BotServer
from bot.standin import SlackDriver, SlackStandIn
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, SECRET, listeners_idle, wait_for

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


def oauth_workspace(team: str, token: str) -> SlackStandIn:
    s = SlackStandIn(bot_token=token, signing_secret=SECRET, team_id=team, team_domain=team.lower())
    s.add_user(OMAR, "omar", real_name="Omar", tz="Europe/Berlin")
    s.add_user(MAYA, "maya", real_name="Maya", tz="America/New_York")
    s.add_channel("C0MENTOR01", "mentoring")
    s.enable_oauth(CLIENT_ID, CLIENT_SECRET)
    return s.start()


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


def start_plan(org: Org, standin: SlackStandIn) -> None:
    driver = org.driver(standin)
    driver.slash_command(OMAR, "start")
    view = wait_for(lambda: standin.views_for(OMAR), what="the modal")[-1]
    assert driver.submit_view(OMAR, view.id, PLAN).status == 200
    wait_for(lambda: listeners_idle(org.runtime), what="the work after the answer")
