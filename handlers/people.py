"""`user_change`: keep the people cache current; a deactivated user's pairs pause (the other
person is told), and a new time zone moves that person's waiting messages to their new local time.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.home.publish import refresh_homes
from bot.pairs.lifecycle import pause_for_deactivated
from bot.pairs.retime import retime_pending
from bot.people.lookup import facts_from_user, remember
from storage.pairs import pairs_for_user
from storage.people import get_person

log = logging.getLogger(__name__)


def on_user_change(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Update the cache; pause pairs of a deactivated user; re-time after a time zone change."""
    services = services_of(context)
    user = event.get("user") or {}
    user_id = str(user.get("id") or "")
    team_id = str(body.get("team_id") or context.team_id or "")
    if not user_id or not team_id:
        return
    facts = facts_from_user(user, user_id)
    now = services.clock.now()
    partners: list[str] = []
    with services.sessions.begin() as session:
        before = get_person(session, team_id, user_id)
        pairs = pairs_for_user(session, team_id, user_id)
        if before is None and not pairs:
            return  # someone the bot has never dealt with
        moved = before is None or before.tz != facts.tz
        remember(session, team_id, facts, now)
        session.flush()
        for pair in pairs:
            if facts.deleted:
                if pause_for_deactivated(session, services, pair, user_id, facts.name):
                    partners.append(pair.partner_of(user_id))
            elif moved:
                retime_pending(session, services, pair, recipients={user_id})
    if partners:
        log.info(
            "paused %d pair(s) of a deactivated user", len(partners), extra={"team_id": team_id}
        )
        services.waker()
        refresh_homes(services, client, team_id, partners)


def register(app: App) -> None:
    """Wire the user_change event."""
    app.event("user_change")(on_user_change)
