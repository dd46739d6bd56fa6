"""`/mentorship admins [add|remove @person…]`: who runs the program, and changing that from Slack.

Anyone may see the list; only the workspace's admins and owners add or remove program admins.
They are kept in the database beside `[program] admins`, which stays the operator's to change.
Everything said names people with Slack mentions (`<@U…>`), never with text someone typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.payload import mentions
from bot.core.services import Services
from bot.core.text import FALLBACK_TEXT, clip
from bot.domain.plan import PersonFacts
from bot.domain.timefmt import format_local_date
from bot.people.admins import is_workspace_admin
from bot.people.lookup import lookup_people
from storage import keys
from storage.admins import add_program_admin, program_admins, remove_program_admin
from storage.models import DeliveryKind
from storage.outbox import NewDelivery, add_deliveries

# Adding or removing an admin is checked against Slack's word from the last ten minutes.
CHECK_MAX_AGE = timedelta(minutes=10)

ONLY_WORKSPACE_ADMINS = (
    "Only the workspace's admins and owners can add or remove program admins, so nothing "
    "changed. `/mentorship admins` shows who runs the program."
)
WHO = {
    "add": "Whom should I add? Mention them: `/mentorship admins add @name`.",
    "remove": "Whom should I remove? Mention them: `/mentorship admins remove @name`.",
}
SLACK_DOWN = (
    "I couldn't check with Slack just now ({error}). Nothing changed: try again in a moment."
)
WHAT_ADMINS_DO = "they see the program overview on my Home tab and can use `/mentorship report`"
ADDED_DM = (
    "👋 <@{actor}> made you a program admin of the mentorship program. My Home tab now shows "
    "the program overview; `/mentorship report` gives the full report, and "
    "`/mentorship report csv` puts every pair in a spreadsheet in our DM."
)
REMOVED_DM = (
    "<@{actor}> removed you from the mentorship program's admins. "
    "Your own mentorships carry on as before."
)


@dataclass(frozen=True)
class AdminsReply:
    """What the person who ran the command reads, and whose Home tabs changed."""

    text: str
    people: tuple[str, ...] = ()


def _people(ids: Sequence[str]) -> str:
    """ "<@A>", "<@A> and <@B>", "<@A>, <@B> and <@C>"."""
    named = [f"<@{u}>" for u in ids]
    return ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else "".join(named)


def list_admins(services: Services, team_id: str) -> str:
    """`/mentorship admins`: the program admins and where each comes from."""
    with services.sessions() as session:
        added = program_admins(session, team_id)
    lines = [f"*Program admins*: {WHAT_ADMINS_DO}."]
    lines += [
        f"• <@{a.user_id}> (added by <@{a.added_by}>, {format_local_date(a.added_at.date())})"
        for a in added
    ]
    configured = [u for u in services.config.program.admins if u not in {a.user_id for a in added}]
    lines += [f"• <@{u}> (in the bot's configuration, `[program] admins`)" for u in configured]
    if not added and not configured:
        lines.append("No one has been added yet.")
    if services.config.program.workspace_admins:
        lines.append("The workspace's admins and owners are program admins too.")
    lines.append(
        "Workspace admins change the list with `/mentorship admins add @name` "
        "or `/mentorship admins remove @name`."
    )
    return clip("\n".join(lines), FALLBACK_TEXT)


def change_admins(
    services: Services, client: WebClient, team_id: str, actor_id: str, verb: str, rest: str
) -> AdminsReply:
    """`/mentorship admins add|remove @person…`, for workspace admins and owners: every person
    named is checked first, and any problem changes nothing."""
    if not is_workspace_admin(services, client, team_id, actor_id, max_age=CHECK_MAX_AGE):
        return AdminsReply(ONLY_WORKSPACE_ADMINS)
    named = list(dict.fromkeys(mentions(rest)))
    if not named:
        return AdminsReply(WHO[verb])
    try:
        facts = lookup_people(services, client, team_id, named, max_age=CHECK_MAX_AGE)
    except SlackApiError as exc:
        return AdminsReply(SLACK_DOWN.format(error=exc.response.get("error") or "an error"))
    except OSError as exc:
        return AdminsReply(SLACK_DOWN.format(error=type(exc).__name__))
    if verb == "add":
        problems = [_cannot_run(facts[u]) for u in named]
        if any(problems):
            return AdminsReply("\n".join(p for p in problems if p) + "\nNothing changed.")
        return _add(services, team_id, actor_id, named, facts)
    return _remove(services, team_id, actor_id, named, facts)


def _cannot_run(facts: PersonFacts) -> str | None:
    if not facts.exists:
        return f"I can't find <@{facts.user_id}> in this workspace."
    if facts.is_bot:
        return f"<@{facts.user_id}> is an app, not a person, so they can't run the program."
    if facts.deleted:
        return f"<@{facts.user_id}>'s account is deactivated."
    return None


def _already(services: Services, facts: PersonFacts) -> str | None:
    """Why someone is a program admin without being added in Slack, if they are."""
    if facts.user_id in services.config.program.admins:
        return "is in the bot's configuration (`[program] admins`)"
    if services.config.program.workspace_admins and facts.is_admin:
        return "is a workspace admin"
    return None


def _add(
    services: Services,
    team_id: str,
    actor_id: str,
    named: list[str],
    facts: dict[str, PersonFacts],
) -> AdminsReply:
    notes = [
        f"<@{u}> {why}, so they're a program admin already."
        for u in named
        if (why := _already(services, facts[u]))
    ]
    wanted = [u for u in named if not _already(services, facts[u])]
    now = services.clock.now()
    with services.sessions.begin() as session:
        added = [u for u in wanted if add_program_admin(session, team_id, u, actor_id, now)]
        told = _tell(session, services, team_id, actor_id, "added", added, ADDED_DM)
    notes += [f"<@{u}> is a program admin already." for u in wanted if u not in added]
    if added:
        verb = "is now a program admin" if len(added) == 1 else "are now program admins"
        notes.insert(0, f"✅ {_people(added)} {verb}: {WHAT_ADMINS_DO}.{_told(told)}")
    services.waker()
    return AdminsReply(clip("\n".join(notes), FALLBACK_TEXT), tuple(added))


def _remove(
    services: Services,
    team_id: str,
    actor_id: str,
    named: list[str],
    facts: dict[str, PersonFacts],
) -> AdminsReply:
    with services.sessions.begin() as session:
        removed = [u for u in named if remove_program_admin(session, team_id, u)]
        told = _tell(session, services, team_id, actor_id, "removed", removed, REMOVED_DM)
    notes = [f"Removed {_people(removed)} from the program admins.{_told(told)}"] if removed else []
    for u in named:
        why = _already(services, facts[u])
        if why:
            notes.append(f"<@{u}> {why}, so they stay a program admin; that isn't changed here.")
        elif u not in removed:
            notes.append(f"<@{u}> isn't a program admin, so nothing changed for them.")
    services.waker()
    return AdminsReply(clip("\n".join(notes), FALLBACK_TEXT), tuple(removed))


def _told(told: Sequence[str]) -> str:
    return f" I've let {_people(told)} know." if told else ""


def _tell(
    session: Session,
    services: Services,
    team_id: str,
    actor_id: str,
    verb: str,
    people: Sequence[str],
    template: str,
) -> list[str]:
    """Queue a DM (due now) to each person whose role changed, other than the actor; who."""
    now = services.clock.now()
    stamp = uuid.uuid4().hex[:10]
    told = [u for u in people if u != actor_id]
    rows = [
        NewDelivery(
            team_id=team_id,
            kind=DeliveryKind.NOTICE,
            recipient_id=u,
            occurrence_key=keys.admin_notice(verb, team_id, stamp, u),
            due_at=now,
            payload={"text": template.format(actor=actor_id)},
        )
        for u in told
    ]
    add_deliveries(session, rows, now)
    return told
