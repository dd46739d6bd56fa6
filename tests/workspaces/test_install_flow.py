"""The install pages served by the real app in OAuth mode: "/" leads to "Add to Slack", the button
goes to Slack's authorize page with Bolt's state, and the way back shows our success page or a
plain-words failure with the HTTP status Bolt chose."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import Engine, select

from bot.core.clock import ManualClock
from bot.workspaces.manifest import BOT_SCOPES
from storage.models import Workspace
from tests.kit.install import (
    CLIENT_ID,
    EXTERNAL,
    OAuthBot,
    Reply,
    add_to_slack_href,
    get,
    oauth_bot,
    state_cookie,
)
from tests.kit.workspace import TEAM, Bot


@pytest.fixture
def site(engine: Engine, db_url: str, clock: ManualClock) -> Iterator[OAuthBot]:
    with oauth_bot(db_url, clock) as running:
        yield running


def open_install_page(site: OAuthBot) -> tuple[str, str]:
    """GET /slack/install: the button's link and the state cookie Bolt set with it."""
    page = get(f"{site.base}/slack/install")
    assert page.status == 200
    assert page.header("Content-Type").startswith("text/html")
    assert page.header("Cache-Control") == "no-store"
    assert "<h1>Mentorship</h1>" in page.body
    return add_to_slack_href(page.body), state_cookie(page)


def press_button(site: OAuthBot, href: str, cookie: str | None) -> Reply:
    """Follow "Add to Slack" to the authorize page and Slack's redirect back to the app."""
    to_slack = get(href)
    assert to_slack.status == 302
    back = to_slack.header("Location")
    assert back.startswith(f"{site.base}/slack/oauth_redirect?")
    return get(back, cookie=cookie)


def test_root_sends_people_to_the_install_page(site: OAuthBot) -> None:
    for method in ("GET", "HEAD"):
        reply = get(f"{site.base}/", method=method)
        assert (reply.status, reply.header("Location")) == (302, "/slack/install")


def test_root_is_not_found_with_a_single_token(bot: Bot) -> None:
    reply = get(f"http://127.0.0.1:{bot.server.port}/")
    assert reply.status == 404


def test_add_to_slack_installs_and_shows_what_to_do_next(site: OAuthBot) -> None:
    href, cookie = open_install_page(site)
    assert href.startswith(site.authorize.url + "?")
    query = parse_qs(urlsplit(href).query)
    assert query["client_id"] == [CLIENT_ID] and query["state"] == [cookie]
    assert query["scope"] == [",".join(BOT_SCOPES)]

    done = press_button(site, href, cookie)

    assert site.authorize.seen[-1]["state"] == [cookie]
    assert done.status == 200, done.body
    assert "<title>Mentorship is installed</title>" in done.body
    assert "<code>/mentorship start</code>" in done.body
    home = f"slack://app?team={TEAM}&amp;id={site.standin.ws.app_id}&amp;tab=home"
    assert f'href="{home}"' in done.body
    fallback = f"https://slack.com/app_redirect?app={site.standin.ws.app_id}&team={TEAM}"
    assert [url.replace("&amp;", "&") for url in EXTERNAL.findall(done.body)] == [fallback]
    assert done.header("Cache-Control") == "no-store"
    assert "slack-app-oauth-state=deleted" in done.header("Set-Cookie")
    store = site.runtime.services.installation_store
    assert store is not None
    assert store.find_installation(enterprise_id=None, team_id=TEAM) is not None
    with site.runtime.services.sessions() as s:
        assert [w.status for w in s.scalars(select(Workspace))] == ["active"]


def test_cancel_on_slacks_page_is_explained_with_a_way_back(site: OAuthBot) -> None:
    href, cookie = open_install_page(site)
    site.authorize.answer = "cancel"
    reply = press_button(site, href, cookie)
    assert_failure_page(reply, 200, "You pressed Cancel")  # Bolt answers Slack's errors with 200
    assert "access_denied" not in reply.body
    store = site.runtime.services.installation_store
    assert store is not None
    assert store.find_installation(enterprise_id=None, team_id=TEAM) is None


def test_a_link_used_twice_is_an_expired_link(site: OAuthBot) -> None:
    href, cookie = open_install_page(site)
    to_slack = get(href)
    back = to_slack.header("Location")
    assert get(back, cookie=cookie).status == 200
    again = get(back, cookie=cookie)  # the back button, or a bookmark of the redirect
    assert_failure_page(again, 401, "was already used")
    assert "invalid_state" not in again.body


def test_a_forged_or_expired_state_is_an_expired_link(site: OAuthBot) -> None:
    forged = "forged-state"
    query = urlencode({"code": site.standin.issue_oauth_code("U0OMAR0001"), "state": forged})
    reply = get(f"{site.base}/slack/oauth_redirect?{query}", cookie=forged)
    assert_failure_page(reply, 401, "This install link has expired")


def test_a_link_opened_in_another_browser_is_an_expired_link(site: OAuthBot) -> None:
    href, _ = open_install_page(site)
    reply = press_button(site, href, cookie=None)  # no state cookie: not the browser that started
    assert_failure_page(reply, 400, "opened in another browser")
    assert "invalid_browser" not in reply.body


def test_a_code_slack_refuses_is_a_slack_error(site: OAuthBot) -> None:
    _, cookie = open_install_page(site)
    query = urlencode({"code": "not-a-code", "state": cookie})
    reply = get(f"{site.base}/slack/oauth_redirect?{query}", cookie=cookie)
    assert_failure_page(reply, 401, "Slack stopped the installation")
    assert "invalid_code" not in reply.body and "not-a-code" not in reply.body


def test_another_error_from_slack_is_a_slack_error(site: OAuthBot) -> None:
    _, cookie = open_install_page(site)
    query = urlencode({"error": "invalid_team_for_non_distributed_app", "state": cookie})
    reply = get(f"{site.base}/slack/oauth_redirect?{query}", cookie=cookie)
    assert_failure_page(reply, 200, "Slack stopped the installation")
    assert "invalid_team" not in reply.body


def assert_failure_page(reply: Reply, status: int, says: str) -> None:
    assert reply.status == status, (reply.status, reply.body)
    assert says in reply.body.replace("&#x27;", "'")
    assert '<a class="button" href="/slack/install">Start again from the install page</a>' in (
        reply.body
    )
    assert EXTERNAL.findall(reply.body) == []
    assert reply.header("Content-Type").startswith("text/html")
    assert "slack-app-oauth-state=deleted" in reply.header("Set-Cookie")
