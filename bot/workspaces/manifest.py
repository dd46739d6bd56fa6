"""The Slack app manifest for a deployment URL."""

from __future__ import annotations

from typing import Any

BOT_SCOPES = [
    "commands",  # /mentorship
    "chat:write",  # DMs, nudges, announcements (DMs are posted with the user id as channel)
    "im:history",  # read replies to reflection prompts in the bot's DMs
    "users:read",  # time zones, deactivated users, admins
    "channels:join",  # join a public announcement channel by itself
    "channels:read",  # check the announcement channel
    "groups:read",  # tell whether a private announcement channel includes the bot
]
BOT_EVENTS = ["app_home_opened", "message.im", "user_change", "app_uninstalled", "tokens_revoked"]


def build_manifest(base_url: str, name: str = "Mentorship") -> dict[str, Any]:
    """A manifest whose slash command, interactivity and events all point at `base_url`."""
    url = base_url.rstrip("/") + "/slack/events"
    return {
        "display_information": {
            "name": name,
            "description": "Turns a mentorship plan into a rhythm that runs itself.",
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
                    "usage_hint": "start [@mentee] [@mentor] | help",
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
