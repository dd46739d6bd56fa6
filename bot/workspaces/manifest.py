"""The Slack app manifest for a deployment URL."""

from __future__ import annotations

from typing import Any

APP_NAME = "Mentorship"
APP_DESCRIPTION = "Turns a mentorship plan into a rhythm that runs itself."

# Each bot scope with why it is needed, in words for the person installing the app: the manifest
# and the install page both read this table.
BOT_SCOPE_REASONS = {
    "commands": "Adds the /mentorship command.",
    "chat:write": "Sends nudges, reflection prompts and plan summaries by direct message, "
    "and milestone posts to the channel a pair chooses.",
    # Messages go to the user id as channel; a file needs the DM's own id.
    "im:write": "Opens the direct message with you to put a calendar file or the plan in it.",
    "files:write": "Uploads the meeting series as a calendar file, and the plan as a Markdown "
    "file, to your direct messages when you ask.",
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
BOT_EVENTS = ["app_home_opened", "message.im", "user_change", "app_uninstalled", "tokens_revoked"]


def build_manifest(base_url: str, name: str = APP_NAME) -> dict[str, Any]:
    """A manifest whose slash command, interactivity and events all point at `base_url`."""
    url = base_url.rstrip("/") + "/slack/events"
    return {
        "display_information": {
            "name": name,
            "description": APP_DESCRIPTION,
            "background_color": "#2d3a4a",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [
                {
                    "command": "/mentorship",
                    "url": url,
                    "description": "Start and manage mentorships",
                    "usage_hint": "start [@mentee] [@mentor] | calendar | plan share | help",
                    "should_escape": True,
                }
            ],
        },
        "oauth_config": {
            "redirect_urls": [base_url.rstrip("/") + "/slack/oauth_redirect"],
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": {"request_url": url, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, "request_url": url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }
