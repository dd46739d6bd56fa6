"""Replies to `/mentorship list`, `reflect` and `report` (ephemeral; built from the database)."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.core.services import Services
from bot.domain.timefmt import format_local_date, slack_date
from bot.home.publish import person
from bot.home.view import START_HINT
from bot.pairs.lifecycle import next_meeting
from bot.program.report import build_report
from bot.program.view import report_blocks
from bot.reflections import messages as reflection_messages
from bot.reflections.conversation import milestone_label, questions_of
from storage.models import ALL_STATUSES, Milestone, Pair
from storage.outbox import pending_prompts_for
from storage.pairs import pairs_for_user
from storage.reflections import open_prompt_for

SOON = timedelta(days=1)
NOTHING_OPEN = (
    "There's nothing to reflect on right now — I'll write when your next milestone comes up."
)


def _md(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def list_reply(
    services: Services, client: WebClient, team_id: str, user_id: str
) -> tuple[str, list[Block] | None]:
    """Each of the person's mentorships on a line: partner, role, status or next meeting."""
    now = services.clock.now()
    with services.sessions() as session:
        pairs = pairs_for_user(session, team_id, user_id, ALL_STATUSES)
        upcoming = {p.id: next_meeting(session, p, now) for p in pairs if p.status == "active"}
    if not pairs:
        return START_HINT, None
    tz = person(services, client, team_id, user_id).tz or "UTC"
    lines = []
    for p in pairs[:40]:
        partner = person(services, client, team_id, p.partner_of(user_id)).name
        role = "you mentor them" if p.role_of(user_id) == "mentor" else "your mentor"
        nxt = upcoming.get(p.id)
        if p.status == "active":
            state = f"next meeting {slack_date(nxt, tz)}" if nxt else "active"
        elif p.status == "paused":
            state = (
                f"paused until {format_local_date(p.paused_until)}" if p.paused_until else "paused"
            )
        else:
            state = f"{p.status}, {format_local_date(p.end_date)}"
        lines.append(f"• *{partner}* ({role}) — {state}")
    text = "*Your mentorships*\n" + "\n".join(lines)
    hint = "`/mentorship status @name` shows one in full; my Home tab has a button for everything."
    return text, [_md(text), ContextBlock(elements=[MarkdownTextObject(text=hint)])]


def reflect_now(services: Services, client: WebClient, team_id: str, user_id: str) -> str:
    """Put the open reflection question in the DM now (or bring a due prompt forward)."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        prompt = open_prompt_for(session, team_id, user_id, lock=True)
        found = None
        if prompt is not None and prompt.position < len(prompt.questions):
            milestone = session.get(Milestone, prompt.milestone_id)
            pair = session.get(Pair, prompt.pair_id)
            label = milestone_label(session, milestone) if milestone else "Reflection"
            partner_id = pair.partner_of(user_id) if pair else user_id
            found = (prompt.id, label, partner_id, questions_of(prompt), prompt.position)
        brought = False
        if found is None:
            waiting = [
                r for r in pending_prompts_for(session, team_id, user_id) if r.due_at <= now + SOON
            ]
            if waiting:
                waiting[0].due_at, brought = now, True
    if found is not None:
        prompt_id, label, partner_id, questions, position = found
        partner = person(services, client, team_id, partner_id).name
        text, blocks = reflection_messages.reminder(prompt_id, label, partner, questions, position)
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            return (
                f"I couldn't post in our DM ({exc.response.get('error')}). Try again in a minute?"
            )
        return "Your next question is in our DM — reply there, or use the form."
    if brought:
        services.waker()
        return "Your reflection questions are on their way to our DM."
    return NOTHING_OPEN


def report_reply(services: Services, team_id: str) -> tuple[str, list[Block] | None]:
    """The program report for this workspace (the caller checked the person is an admin)."""
    with services.sessions() as session:
        report = build_report(session, team_id, services.clock.now())
    text, blocks = report_blocks(report)
    return text, blocks
