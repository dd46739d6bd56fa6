"""The install, success and failure pages as pure functions: what they say, what they link to,
and that every dynamic value is escaped."""

from __future__ import annotations

import re
from html import unescape

import pytest

from bot.workspaces.manifest import BOT_SCOPE_REASONS, BOT_SCOPES, build_manifest
from bot.workspaces.pages import (
    CANCELLED,
    OUR_ERROR,
    SLACK_ERROR,
    STALE_LINK,
    failure_for,
    failure_page,
    install_page,
    success_page,
)
from tests.kit.install import EXTERNAL

AUTHORIZE = (
    "https://slack.com/oauth/v2/authorize?state=s-1&client_id=1.2&scope=commands,chat:write"
    "&user_scope="
)
REASONS = [
    "access_denied",
    "invalid_browser",
    "invalid_state",
    "missing_code",
    "invalid_code",
    "storage_error",
    "invalid_scope",
    "something_new_from_slack",
]


def external_links(page: str) -> list[str]:
    return [unescape(url) for url in EXTERNAL.findall(page)]


def assert_self_contained(page: str) -> None:
    """Nothing the browser would fetch by itself: no images, scripts, stylesheets or frames."""
    assert re.search(r"<(img|script|iframe|object|embed|video|audio|source)\b", page, re.I) is None
    assert re.search(r"<link\b(?![^>]*rel=\"icon\"[^>]*href=\"data:)", page) is None
    assert re.search(r"\bsrc\s*=", page, re.I) is None
    assert "url(" not in page and "@import" not in page
    assert '<html lang="en">' in page and re.search(r"<title>[^<]+</title>", page)
    assert "default-src 'none'" in page


def test_install_page_says_what_the_app_does_and_links_only_to_slacks_authorize() -> None:
    page = install_page(AUTHORIZE)
    text = unescape(page)
    assert "<title>Add Mentorship to Slack</title>" in page
    assert "Turns a mentorship plan into a rhythm that runs itself." in text
    for pillar in ("Goals & Vision", "Structure & Communication", "Milestones & Reflection"):
        assert pillar in text
    assert "own time zone" in text and "reflection prompts in a direct message" in text
    assert "Home tab" in text
    # A real link with text, to the authorize URL exactly as Bolt made it (state included).
    assert external_links(page) == [AUTHORIZE]
    assert f'<a class="button" href="{AUTHORIZE.replace("&", "&amp;")}">Add to Slack</a>' in page
    assert_self_contained(page)


def test_install_page_lists_every_scope_from_the_manifests_table_with_its_reason() -> None:
    page = install_page(AUTHORIZE)
    listed = re.findall(r"<dt><code>([^<]+)</code></dt><dd>([^<]+)</dd>", page)
    assert [scope for scope, _ in listed] == BOT_SCOPES
    assert [unescape(why) for _, why in listed] == list(BOT_SCOPE_REASONS.values())
    # The manifest asks Slack for exactly these.
    assert build_manifest("https://h.example")["oauth_config"]["scopes"]["bot"] == BOT_SCOPES


def test_install_page_tells_what_is_stored_and_that_reflections_stay_private() -> None:
    text = unescape(install_page(AUTHORIZE))
    privacy = text[text.index("Your privacy") :]
    assert "stores mentorship plans, answers to meeting questions and each person's time" in privacy
    assert "Reflections stay private" in privacy and "if they choose" in privacy
    assert "never appear in channels or in program reports" in privacy


def test_install_page_escapes_what_it_is_given() -> None:
    evil = 'https://slack.com/oauth/v2/authorize?state="><script>alert(1)</script>&x=<b>'
    page = install_page(
        evil,
        name="<Mentor & Co>",
        description="<i>hi</i>",
        scopes={"chat:write": "<img src=x onerror=alert(1)>"},
    )
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "<i>" not in page and "<Mentor" not in page
    assert "&lt;Mentor &amp; Co&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert external_links(page) == [evil]  # the quote ends nothing: it is escaped
    assert add_to_slack_target(page) == evil


def add_to_slack_target(page: str) -> str:
    found = re.search(r'<a class="button" href="([^"]*)">', page)
    assert found
    return unescape(found.group(1))


def test_success_page_opens_the_apps_home_tab_with_a_browser_fallback() -> None:
    page = success_page("T0AAAAAAA1", "A0APP00001")
    text = unescape(page)
    assert "<title>Mentorship is installed</title>" in page
    assert "Home tab" in text
    assert "<code>/mentorship start</code>" in page and "<code>/mentorship help</code>" in page
    assert 'href="slack://app?team=T0AAAAAAA1&amp;id=A0APP00001&amp;tab=home"' in page
    assert external_links(page) == ["https://slack.com/app_redirect?app=A0APP00001&team=T0AAAAAAA1"]
    assert_self_contained(page)


@pytest.mark.parametrize(
    ("team", "app", "fallback"),
    [
        (None, None, "https://app.slack.com/client"),
        ("T0AAAAAAA1", None, "https://app.slack.com/client/T0AAAAAAA1"),
        (None, "A0APP00001", "https://slack.com/app_redirect?app=A0APP00001"),
    ],
)
def test_success_page_without_ids_offers_only_the_https_way(
    team: str | None, app: str | None, fallback: str
) -> None:
    page = success_page(team, app)
    assert "slack://" not in page
    assert external_links(page) == [fallback]
    assert "<code>/mentorship start</code>" in page


def test_success_page_escapes_the_ids_it_was_given() -> None:
    page = success_page('T1"><script>x</script>', "A1&B")
    assert "<script>" not in page
    assert "team=T1%22%3E%3Cscript%3Ex%3C%2Fscript%3E" in page and "id=A1%26B" in page
    assert "<script>" not in success_page('T1"><script>x</script>', None)


@pytest.mark.parametrize(
    ("reason", "failure"),
    [
        ("access_denied", CANCELLED),
        ("invalid_browser", STALE_LINK),
        ("invalid_state", STALE_LINK),
        ("missing_code", STALE_LINK),
        ("invalid_code", SLACK_ERROR),
        ("invalid_scope", SLACK_ERROR),
        ("storage_error", OUR_ERROR),
    ],
)
def test_each_failure_reason_gets_its_plain_words(reason: str, failure: object) -> None:
    assert failure_for(reason) is failure


@pytest.mark.parametrize("reason", REASONS)
def test_failure_page_says_what_to_try_and_never_the_reason_code(reason: str) -> None:
    page = failure_page(reason, "/slack/install")
    assert reason not in page
    assert re.search(r"\b[a-z]+_[a-z_]+\b", unescape(page)) is None  # no code of any kind
    assert '<a class="button" href="/slack/install">Start again from the install page</a>' in page
    assert external_links(page) == []
    assert "<title>Mentorship wasn&#x27;t installed</title>" in page
    assert_self_contained(page)


def test_failure_page_wording() -> None:
    assert "You pressed Cancel" in unescape(failure_page("access_denied", "/slack/install"))
    stale = unescape(failure_page("invalid_state", "/slack/install"))
    assert "expired, was already used, or was opened in another browser" in stale
    assert "Slack stopped the installation" in failure_page("invalid_code", "/slack/install")
    assert "couldn't save it" in unescape(failure_page("storage_error", "/slack/install"))


def test_failure_page_escapes_the_install_path_and_hides_hostile_reasons() -> None:
    page = failure_page("<script>alert(1)</script>", '/x"><script>')
    assert "<script>" not in page and "alert(1)" not in page
    assert 'href="/x&quot;&gt;&lt;script&gt;"' in page
