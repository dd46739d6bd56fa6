"""Slack's error vocabulary as the outbox meets it: which errors are permanent, what an operator
does about each, and what the pair's creator is told."""

from __future__ import annotations

from bot.core.text import mrkdwn

# Our own errors, before Slack is asked: a message that breaks Slack's limits, or one that could
# not be built at all (after MAX_ATTEMPTS tries).
UNBUILDABLE, RENDER_ERROR = "unbuildable", "render_error"

# Errors about the bot's own token, not about whoever the message was for: the workspace stops
# (as on tokens_revoked) and its messages wait for a reinstall; nobody is told to end anything.
TOKEN_ERRORS = frozenset(
    {
        "account_inactive",  # "Authentication token is for a deleted user or workspace"
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "team_access_not_granted",
    }
)

# Errors about the recipient (a person or a channel) that the pair's creator can act on.
RECIPIENT_ERRORS = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
    }
)

PERMANENT = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "missing_scope",
    }
)

# For the operator's log line.
FIXES = {
    "user_not_found": "the user no longer exists in this workspace; end or edit the mentorship",
    "account_inactive": "the bot token belongs to a deleted user or workspace; reinstall the app",
    "token_revoked": "the bot token was revoked; reinstall the app",
    "token_expired": "the bot token expired; reinstall the app",
    "user_disabled": "that person's account is deactivated; pause or end the mentorship",
    "channel_not_found": "the channel is gone or private; pick another channel in the plan",
    "is_archived": "the channel is archived; unarchive it or pick another channel in the plan",
    "not_in_channel": "invite the bot with /invite @Mentorship or pick another channel",
    "invalid_auth": "the bot token is wrong; check SLACK_BOT_TOKEN",
    "not_authed": "no bot token was sent; set SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a scope; reinstall it with the manifest from "
    "`mentorship-bot manifest`",
    UNBUILDABLE: "a message builder broke Slack's limits (a bug): the line above names the block "
    "and the limit",
    RENDER_ERROR: "building the message failed each time (a bug, or the database): see the "
    "traceback logged with each attempt",
}
MY_MISTAKE = "my mistake, not yours. Whoever runs me finds the details in my log"

# For the pair's creator, after "I couldn't send the meeting nudge to Maya: ".
PROBLEMS = {
    "user_not_found": "they're no longer in this workspace. End the mentorship with "
    "`/mentorship end`, or start a new one with someone else.",
    "user_disabled": "their Slack account is deactivated. Pause or end the mentorship with "
    "`/mentorship pause` or `/mentorship end`.",
    "cannot_dm_bot": "that's a bot account. Edit the plan and pick a person.",
    "channel_not_found": "I can't see that channel. Invite me, or pick another channel in the plan.",
    "is_archived": "the channel is archived. Pick another channel in the plan.",
    "not_in_channel": "I'm not in that channel. Invite me with `/invite @Mentorship`.",
    UNBUILDABLE: f"it came out bigger than Slack accepts — {MY_MISTAKE}; shorter goals "
    "(✏️ Edit plan on my Home tab) may get the next one through.",
    RENDER_ERROR: f"something went wrong while I wrote it — {MY_MISTAKE}.",
}


def operator_fix(error: str) -> str:
    """What an operator does about a Slack error, for the log line."""
    return FIXES.get(error, "see Slack's documentation for this error")


def delivery_problem(recipient_name: str, what: str, error: str) -> str:
    """Told to the pair's creator when a DM could not be delivered."""
    fix = PROBLEMS.get(error, f"Slack answered “{mrkdwn(error)}”.")
    return f"I couldn't send {what} to {mrkdwn(recipient_name)}: {fix}"


def announcement_problem(channel: str, error: str) -> str:
    """What the creator reads when a milestone announcement could not be posted."""
    where = f"<#{channel}>"
    if error in ("channel_not_found", "not_in_channel"):
        return (
            f"I can't post milestone announcements in {where} — it's private or I'm not in it. "
            "Invite me with `/invite @Mentorship`, or pick another channel in your plan."
        )
    if error == "is_archived":
        return f"I can't post milestone announcements in {where} because it's archived. Pick another channel in your plan."
    if error in (UNBUILDABLE, RENDER_ERROR):
        return f"I couldn't post the milestone announcement in {where}: {PROBLEMS[error]}"
    return f"I couldn't post the milestone announcement in {where}: Slack answered “{error}”."
