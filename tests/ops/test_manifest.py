"""The app manifest points every Slack feature at the bot's one endpoint."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from bot.workspaces.manifest import (
    BOT_EVENTS,
    BOT_SCOPE_REASONS,
    BOT_SCOPES,
    GOAL_SHORTCUT,
    START_SHORTCUT,
    build_manifest,
)


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


def test_manifest_fits_slacks_limits_and_says_what_the_app_does() -> None:
    """Limits from Slack's manifest reference (as in SchemaStore's slack-app-manifest schema;
    Slack rejects a long_description under 175 characters)."""
    for manifest in (build_manifest("https://h.example"), build_manifest(None, socket_mode=True)):
        shown = manifest["display_information"]
        assert len(shown["name"]) <= 35 and len(shown["description"]) <= 140
        assert 175 <= len(shown["long_description"]) <= 4000
        assert "Reflections stay private" in shown["long_description"]
        assert re.fullmatch(r"[\w\-.]{1,80}", manifest["features"]["bot_user"]["display_name"])
        [command] = manifest["features"]["slash_commands"]
        assert len(command["command"]) <= 32 and len(command["description"]) <= 2000
        hint = command["usage_hint"]
        assert len(hint) <= 1000
        for sub in ("start [@mentee]", "list", "status", "pause", "resume", "end", "report"):
            assert sub in hint, sub
        for shortcut in manifest["features"]["shortcuts"]:
            assert set(shortcut) == {"name", "type", "callback_id", "description"}
            assert len(shortcut["callback_id"]) <= 255 and len(shortcut["description"]) <= 150
        assert {s["callback_id"] for s in manifest["features"]["shortcuts"]} == {
            START_SHORTCUT,
            GOAL_SHORTCUT,
        }


def test_every_scope_says_why_and_the_file_scopes_are_asked_for() -> None:
    assert {"files:write", "im:write"} <= set(BOT_SCOPES)  # the CSV in an admin's DM
    assert all(BOT_SCOPE_REASONS[scope].endswith(".") for scope in BOT_SCOPES)


def test_a_name_with_spaces_gets_a_bot_name_slack_accepts() -> None:
    manifest = build_manifest("https://h.example", "Mentor Circle (EMEA)")
    assert manifest["display_information"]["name"] == "Mentor Circle (EMEA)"
    assert manifest["features"]["bot_user"]["display_name"] == "Mentor-Circle-EMEA"
