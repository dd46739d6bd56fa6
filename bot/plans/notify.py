"""Sending the bot's own messages, with Slack errors turned into something a person can act on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.core.services import Services
from bot.domain.plan import PersonFacts
from bot.domain.schedule import occurrences
from bot.people.lookup import lookup_person
from bot.plans.summary import CADENCE_WORDS, PlanSummary
from storage.models import Pair
from storage.pairs import meeting_rule

log = logging.getLogger(__name__)

FIXES = {
    "user_not_found": "the user no longer exists in this workspace; end or edit the mentorship",
    "account_inactive": "the bot token belongs to a deactivated account; reinstall the app",
    "user_disabled": "that person's account is deactivated; pause or end the mentorship",
    "channel_not_found": "the channel is gone or private; pick another channel in the plan",
    "is_archived": "the channel is archived; unarchive it or pick another channel in the plan",
    "not_in_channel": "invite the bot with /invite @Mentorship or pick another channel",
    "invalid_auth": "the bot token is wrong; check SLACK_BOT_TOKEN",
    "not_authed": "no bot token was sent; set SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a scope; reinstall it with the manifest from "
    "`mentorship-bot manifest`",
}


def post_dm(
    client: WebClient, user_id: str, text: str, blocks: list[Block]
) -> dict[str, Any] | None:
    """Post in the bot's DM with a user; log a failed post with the fix, return the response."""
    try:
        response = client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        error = str(exc.response.get("error"))
        log.error(
            "could not DM %s: %s — %s", user_id, error, FIXES.get(error, "see Slack's error docs")
        )
        return None
    return dict(response.data) if isinstance(response.data, dict) else None


def summary_for(
    services: Services,
    client: WebClient,
    pair: Pair,
    *,
    person: Callable[[str], PersonFacts] | None = None,
) -> PlanSummary:
    """Resolve a stored pair into the facts its summary shows (people through `person`, if
    given: the outbox renders from the cache whatever its age)."""
    facts = person or (lambda user_id: lookup_person(services, client, pair.team_id, user_id))
    mentor, mentee = facts(pair.mentor_id), facts(pair.mentee_id)
    first = occurrences(meeting_rule(pair), limit=1)
    return PlanSummary(
        pair_id=pair.id,
        mentor_name=mentor.name,
        mentee_name=mentee.name,
        cadence=pair.cadence,
        cadence_phrase=CADENCE_WORDS.get(pair.cadence, pair.cadence),
        first_meeting=first[0],
        plan_tz=pair.tz,
        format=pair.format,
        channels=pair.channels.split(","),
        mentee_goals=[g.text for g in pair.goals if g.owner == "mentee"],
        mentor_goals=[g.text for g in pair.goals if g.owner == "mentor"],
        vision=next((g.text for g in pair.goals if g.owner == "shared"), ""),
        end_date=pair.end_date,
        checkpoints=sum(1 for m in pair.milestones if m.kind == "checkpoint"),
        checkpoint_weeks=pair.checkpoint_weeks,
        announce_channel=pair.announce_channel if pair.announce else None,
    )
