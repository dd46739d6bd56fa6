"""The reply to `/mentorship list` (ephemeral; built from the database)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.core.services import Services
from bot.core.text import SECTION_TEXT, clip, mrkdwn
from bot.domain.timefmt import format_local_date, slack_date
from bot.meetings.series import next_meeting
from bot.pairs.messages import START_HINT
from bot.people.lookup import person
from storage.models import ALL_STATUSES, PairStatus
from storage.pairs import pairs_for_user

LIST_MORE = "… _(my Home tab shows every one)_"


def _md(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT, LIST_MORE)))


def list_reply(
    services: Services, client: WebClient, team_id: str, user_id: str
) -> tuple[str, list[Block] | None]:
    """Each of the person's mentorships on a line: partner, role, status or next meeting."""
    now = services.clock.now()
    with services.sessions() as session:
        pairs = pairs_for_user(session, team_id, user_id, ALL_STATUSES)
        upcoming = {
            p.id: next_meeting(session, p, now) for p in pairs if p.status == PairStatus.ACTIVE
        }
    if not pairs:
        return START_HINT, None
    tz = person(services, client, team_id, user_id).tz or "UTC"
    lines = []
    for p in pairs[:40]:
        partner = person(services, client, team_id, p.partner_of(user_id)).name
        role = "you mentor them" if p.role_of(user_id) == "mentor" else "your mentor"
        nxt = upcoming.get(p.id)
        if p.status == PairStatus.ACTIVE:
            state = f"next meeting {slack_date(nxt, tz)}" if nxt else "active"
        elif p.status == PairStatus.PAUSED:
            state = (
                f"paused until {format_local_date(p.paused_until)}" if p.paused_until else "paused"
            )
        else:
            state = f"{p.status}, {format_local_date(p.end_date)}"
        lines.append(f"• *{mrkdwn(partner)}* ({role}) — {state}")
    text = "*Your mentorships*\n" + "\n".join(lines)
    hint = "`/mentorship status @name` shows one in full; my Home tab has a button for everything."
    return text, [_md(text), ContextBlock(elements=[MarkdownTextObject(text=hint)])]
