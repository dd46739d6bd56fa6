"""The plan's announcement channel, checked with Slack when the plan is saved (channels:read,
groups:read), so a channel the bot cannot post in is a field error now instead of a failed
announcement weeks later. One `conversations.info` call, no retries: the form waits for it."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.core.inbound import SLACK_ID
from bot.core.services import Services
from bot.domain.plan import Plan

log = logging.getLogger(__name__)

PICK = "Pick a channel from the list."
NOT_A_CHANNEL = "Pick a channel for the announcements, not a direct message."
CANNOT_SEE = (
    "I can't see that channel. If it's private, invite me with `/invite @Mentorship` there "
    "and press the button again, or pick another channel."
)


def announcement_problem(services: Services, team_id: str, plan: Plan) -> str | None:
    """Why the bot could not announce milestones in the plan's channel, or None.

    Refused: not a channel id, a direct message, an archived channel, a private channel the
    bot is not in (Slack hides those: `channel_not_found`). A public channel the bot is not in
    is fine (it joins when it first announces). When Slack cannot answer now the plan is saved:
    a failed announcement still tells the creator later."""
    channel_id = plan.announce_channel
    if not channel_id:
        return None
    if not SLACK_ID.fullmatch(channel_id):
        return PICK
    if channel_id.startswith("D"):
        return NOT_A_CHANNEL
    if not plan.announce:
        return None
    try:
        found = services.post_client_for(team_id).conversations_info(channel=channel_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "channel_not_found":
            return CANNOT_SEE
        log.info("conversations.info %s: %s; the plan is saved unchecked", channel_id, error)
        return None
    except OSError as exc:
        log.info("conversations.info %s: %s; the plan is saved unchecked", channel_id, exc)
        return None
    channel = found.get("channel") or {}
    name = f"#{channel.get('name') or channel_id}"
    if channel.get("is_im") or channel.get("is_mpim"):
        return NOT_A_CHANNEL
    if channel.get("is_archived"):
        return f"{name} is archived. Pick another channel for the announcements."
    if channel.get("is_private") and not channel.get("is_member"):
        return (
            f"I can't post in {name} because it's private. Invite me with "
            "`/invite @Mentorship` there and press the button again, or pick another channel."
        )
    return None
