"""What every listener shares: who is acting (from Slack's signed payload), private replies,
field errors, notices on the Home tab, and the Home tabs to refresh after a change."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services
from bot.home.publish import publish_home, refresh_homes

log = logging.getLogger(__name__)


def actor(body: Mapping[str, Any]) -> tuple[str, str]:
    """(team id, user id) of the person acting, from the signed payload (never a button value).

    Interactions carry `team.id` and `user.id`; slash commands `team_id` and `user_id`."""
    team = body.get("team")
    team_id = (team.get("id") if isinstance(team, Mapping) else None) or body.get("team_id")
    if not team_id and isinstance(body.get("view"), Mapping):
        team_id = body["view"].get("team_id")
    user = body.get("user")
    user_id = (user.get("id") if isinstance(user, Mapping) else None) or body.get("user_id")
    return str(team_id or ""), str(user_id or "")


def reply_privately(respond: Respond, text: str, blocks: Sequence[Any] | None = None) -> None:
    """Answer with a message only this person sees; a clicked message stays as it was."""
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def show_errors(ack: Ack, errors: Mapping[str, str]) -> None:
    """Keep the modal open with an error beside each named field."""
    ack(response_action="errors", errors=dict(errors))


def show_on_home(
    services: Services, client: WebClient, team_id: str, user_id: str, text: str
) -> None:
    """A Home button has no message to answer in: republish the Home tab with `text` at the top
    (where the person is looking), never a DM."""
    publish_home(services, client, team_id, user_id, notice=text)


def answer_click(
    services: Services,
    client: WebClient,
    body: Mapping[str, Any],
    respond: Respond,
    text: str,
) -> None:
    """Answer a click privately: under the clicked message, or at the top of the Home tab for a
    Home button."""
    if body.get("response_url") or (body.get("container") or {}).get("type") != "view":
        reply_privately(respond, text)
    else:
        team_id, user_id = actor(body)
        show_on_home(services, client, team_id, user_id, text)


def tell_in_dm(client: WebClient, user_id: str, text: str) -> None:
    """Something the person asked for that has no message to go under (a private link): the DM."""
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as exc:
        log.warning("could not DM %s: %s", user_id, exc.response.get("error"))


def refresh_after(
    services: Services, client: WebClient, team_id: str, user_id: str, people: Iterable[str]
) -> None:
    """Republish the Home tab of the person who acted and of everyone the change concerns."""
    refresh_homes(services, client, team_id, [user_id, *people])
