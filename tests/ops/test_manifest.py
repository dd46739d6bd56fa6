"""The app manifest points every Slack feature at the bot's one endpoint."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.workspaces.manifest import BOT_EVENTS, BOT_SCOPES, build_manifest


def test_manifest_urls_scopes_and_events() -> None:
    manifest = build_manifest("https://bot.example.com/")
    url = "https://bot.example.com/slack/events"
    assert manifest["features"]["slash_commands"][0]["url"] == url
    assert manifest["features"]["slash_commands"][0]["command"] == "/mentorship"
    assert manifest["features"]["slash_commands"][0]["should_escape"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)
    assert "commands" in BOT_SCOPES and "chat:write" in BOT_SCOPES
    assert manifest["oauth_config"]["scopes"]["bot"] == BOT_SCOPES
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_command_prints_json() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "manifest", "--url", "https://h.example"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["settings"]["interactivity"]["request_url"].startswith(
        "https://h.example/"
    )
