"""The Slack app manifest: for a public URL (HTTP), or for Socket Mode (no URLs at all)."""

from __future__ import annotations

import re
from typing import Any

APP_NAME = "Mentorship"
APP_DESCRIPTION = "Turns a mentorship plan into a rhythm that runs itself."
# Slack shows this on the app's page; it asks for 175 to 4,000 characters.
LONG_DESCRIPTION = (
    "A mentor and a mentee agree on a plan, and the app keeps it going inside Slack. A plan "
    "rests on three pillars.\n\n"
    "*Goals & Vision*: the mentee's goals, the mentor's goals and the shared vision every "
    "meeting serves. Each meeting nudge carries one goal as the focus.\n"
    "*Structure & Communication*: weekly, every two weeks or monthly; in person, online, hybrid "
    "or asynchronous. Both people get a nudge before every meeting, each in their own time zone, "
    "and one question afterwards: did it happen?\n"
    "*Milestones & Reflection*: a kickoff, feedback checkpoints and a final review, with short "
    "reflection questions in a direct message.\n\n"
    "Start with `/mentorship start @mentee`, the *Start a mentorship* shortcut or the app's "
    "Home tab. Program leads see the whole program on their Home tab and get a report (counts "
    "only) or a CSV in a direct message. Reflections stay private to the person who writes "
    "them: they never appear in channels or in reports."
)
COMMAND_DESCRIPTION = "Start and manage mentorships"
USAGE_HINT = (
    "start [@mentee] · list · status · pause [weeks] · resume · end · calendar · plan share · "
    "report · help"
)

# Each bot scope with why it is needed, in words for the person installing the app: the manifest
# and the install page both read this table.
BOT_SCOPE_REASONS = {
    "commands": "Adds the /mentorship command and the app's shortcuts.",
    "chat:write": "Sends nudges, reflection prompts and plan summaries by direct message, "
    "and milestone posts to the channel a pair chooses.",
    # Messages go to the user id as channel; a file needs the DM's own id.
    "im:write": "Opens the direct message with you to put a file in it (a calendar file, the "
    "plan, the program report as CSV).",
    "files:write": "Puts files you ask for in your direct messages with the bot: the meeting "
    "series as a calendar file, the plan as a Markdown file, the program report as CSV.",
    "canvases:write": "Creates the plan canvas you asked for, lets both of you edit it, and "
    "keeps the plan's own sections up to date (never your notes).",
    "canvases:read": "Finds the plan's sections in that canvas to update only those.",
    "im:history": "Reads your replies to reflection prompts, only in your direct messages "
    "with the bot.",
    "users:read": "Sees each person's time zone, whether an account was deactivated, "
    "and who the workspace admins are.",
    "channels:join": "Joins the public channel a pair picks for milestone announcements.",
    "channels:read": "Checks that the announcement channel still exists.",
    "groups:read": "Tells whether a private announcement channel has invited the bot.",
}
BOT_SCOPES = list(BOT_SCOPE_REASONS)
# Shortcuts: callback ids shared by the manifest and the listeners (handlers/plans.py).
START_SHORTCUT, GOAL_SHORTCUT = "start_mentorship", "add_as_goal"
SHORTCUTS = [
    {
        "name": "Start a mentorship",
        "type": "global",
        "callback_id": START_SHORTCUT,
        "description": "Set up a mentorship plan: goals, meeting rhythm and milestones",
    },
    {
        "name": "Add as a goal",
        "type": "message",
        "callback_id": GOAL_SHORTCUT,
        "description": "Make this message's text a goal of one of your mentorships",
    },
]
BOT_EVENTS = ["app_home_opened", "message.im", "user_change", "app_uninstalled", "tokens_revoked"]
NAME_MAX = 35  # Slack's limit on an app's name


def bot_display_name(name: str) -> str:
    """The bot user's name: Slack allows letters, digits, `-`, `_` and `.` only."""
    return re.sub(r"[^\w.-]+", "-", name).strip("-")[:80] or "mentorship"


def build_manifest(
    base_url: str | None, name: str = APP_NAME, *, socket_mode: bool = False
) -> dict[str, Any]:
    """A manifest whose slash command, interactivity and events all point at `base_url`, or,
    for Socket Mode, one without any URL (Slack sends everything over the socket)."""
    if not socket_mode and not base_url:
        raise ValueError("a manifest for HTTP needs the public base URL")
    url = None if socket_mode else f"{(base_url or '').rstrip('/')}/slack/events"
    command: dict[str, Any] = {
        "command": "/mentorship",
        "description": COMMAND_DESCRIPTION,
        "usage_hint": USAGE_HINT,
        "should_escape": True,
    }
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url is not None:
        command["url"] = events["request_url"] = interactivity["request_url"] = url
        oauth["redirect_urls"] = [f"{(base_url or '').rstrip('/')}/slack/oauth_redirect"]
    return {
        "display_information": {
            "name": name,
            "description": APP_DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "background_color": "#2d3a4a",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": bot_display_name(name), "always_online": True},
            "shortcuts": [dict(s) for s in SHORTCUTS],
            "slash_commands": [command],
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
