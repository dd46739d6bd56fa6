"""The "Add as a goal" message shortcut: a message's text becomes a goal of a mentorship the
person takes part in. The modal opens prefilled (the person picks the mentorship when they have
several, and may edit the text); the submission is the Home's goal form (bot/plans/goals.py).

Slack's trigger lives 3 seconds, so before `views.open` only the database is read (the person's
pairs and cached names); nothing is asked of Slack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.core.payload import mentions
from bot.core.services import Services
from bot.core.text import ELLIPSIS, clip
from bot.domain.plan import MAX_TEXT
from bot.plans.goal_modal import build_goal_modal, build_goal_modal_choosing, info_modal
from storage.models import Pair
from storage.pairs import pairs_for_user
from storage.people import get_people

log = logging.getLogger(__name__)

NOT_IN_A_MENTORSHIP = (
    "You're not in a mentorship right now, so there's no plan to add this goal to. Start one "
    "with `/mentorship start @mentee`, or from my Home tab."
)
NO_TEXT = "That message has no text I could turn into a goal."
CLIPPED = (
    f"The message is longer than {MAX_TEXT:,} characters, so the goal starts with its first "
    "part. Edit it as you like."
)

# Slack's markup in a message's text: <@U…|name>, <#C…|name>, <!here>, <!date^…|fallback>,
# <https://…|label>. Each becomes what a person reads.
_MARKUP = re.compile(r"<([@#!]?)([^>|]*)(?:\|([^>]*))?>")
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def goal_text(text: str, names: Mapping[str, str]) -> str:
    """A message's text as a one-line goal: mentions, channels, dates and links as people read
    them, Slack's escapes undone, whitespace collapsed (`names` maps user ids to names)."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return f"@{label or names.get(target) or target}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return label or _SPECIAL.get(target, "")
        return label or target

    plain = _MARKUP.sub(readable, text)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(plain.split())


def open_goal_from_message(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    message_text: str,
    trigger_id: str,
) -> bool:
    """Open the goal modal prefilled with the message's text, or a small modal saying why it
    can't be done; False when Slack refused to open it."""
    with services.sessions() as session:
        pairs = pairs_for_user(session, team_id, user_id)
        ids = {u for p in pairs for u in (p.mentor_id, p.mentee_id)}
        ids |= set(mentions(message_text))
        names = {p.user_id: p.name for p in get_people(session, team_id, ids)}
    text = goal_text(message_text, names)
    view = _view(pairs, user_id, names, text)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.error("views.open failed for Add as a goal: %s", exc.response.get("error"))
        return False
    return True


def _view(pairs: Sequence[Pair], user_id: str, names: Mapping[str, str], text: str) -> View:
    if not pairs:
        return info_modal(NOT_IN_A_MENTORSHIP)
    if not text:
        return info_modal(NO_TEXT)
    note = CLIPPED if len(text) > MAX_TEXT else None
    initial = clip(text, MAX_TEXT, ELLIPSIS)
    if len(pairs) == 1:
        pair = pairs[0]
        roles = {
            "mentee": names.get(pair.mentee_id) or "The mentee",
            "mentor": names.get(pair.mentor_id) or "The mentor",
        }
        role = pair.role_of(user_id) or "mentee"
        return build_goal_modal(pair.id, roles, role, initial=initial, note=note)
    labels = []
    for pair in pairs:
        partner = names.get(pair.partner_of(user_id)) or "your partner"
        mentoring = pair.role_of(user_id) == "mentor"
        labels.append((pair.id, f"Mentoring {partner}" if mentoring else f"Mentored by {partner}"))
    return build_goal_modal_choosing(labels, initial, note)
