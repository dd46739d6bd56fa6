"""What the bot says about sessions in messages: the agenda in a nudge, the Add-notes offer after
"We met", and the note to a partner that notes were written. Pure builders with module-constant
ids; every piece of people's text is escaped and clipped, so any input stays within Slack's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject

from bot.core.text import BUTTON_TEXT, SECTION_TEXT, clip, mrkdwn, split
from bot.domain.agenda import CARRIED, DONE, DROPPED, MAX_ITEM_TEXT, OPEN, plural
from bot.domain.timefmt import format_local_date
from bot.sessions.data import Agenda, ItemLine, Topic

AGENDA_ADD = "agenda_add"
ITEM_DONE, ITEM_CARRY, ITEM_DROP = "item_done", "item_carry", "item_drop"
ITEM_ACTIONS = {ITEM_DONE: DONE, ITEM_CARRY: CARRIED, ITEM_DROP: DROPPED}
NOTES_OPEN = "notes_open"
TOPICS_SHOWN = 10
PROMPT_CHARS = 1000


def label(template: str, text: str) -> str:
    """An accessibility label naming its object ("Mark action item 'Draft the RFC' done"), the
    object's text clipped so the label keeps within Slack's 75 characters."""
    room = BUTTON_TEXT - len(template.format(""))
    return template.format(clip(" ".join(text.split()), max(room, 1)))


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _section(text: str, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(text=_md(clip(text, SECTION_TEXT)), block_id=block_id)


def _sections(text: str) -> list[Block]:
    return [SectionBlock(text=_md(piece)) for piece in split(text, SECTION_TEXT)]


def item_text(text: str) -> str:
    """An item's or topic's words as mrkdwn: clipped, escaped, on one line."""
    return mrkdwn(clip(" ".join(text.split()), MAX_ITEM_TEXT))


def due_text(due: date | None) -> str:
    return f" · due {format_local_date(due)}" if due else ""


def item_line(item: ItemLine) -> str:
    """One action item in a line: what, whose, when due, how often carried, what became of it."""
    what, owner = item_text(item.text), mrkdwn(item.owner_name)
    by = f" by {mrkdwn(item.by_name)}" if item.by_name else ""
    carried = f" · carried {item.carried}×" if item.carried else ""
    if item.state == DONE:
        return f"✅ ~{what}~ — {owner} · done{by}"
    if item.state == DROPPED:
        return f"🗑 ~{what}~ — {owner} · dropped{by}"
    if item.state == CARRIED:
        return f"↪ {what} — {owner} · carried to the next session{by}"
    return f"◻️ *{what}* — {owner}{due_text(item.due)}{carried}"


def item_value(item_id: int, meeting_id: int | None) -> str:
    """A button value naming the item and the session whose agenda it was clicked on (0: none).
    It says *which* item, never who clicks: that comes from the signed payload."""
    return f"{item_id}:{meeting_id or 0}"


def item_buttons(item: ItemLine, meeting_id: int | None) -> ActionsBlock:
    """✅ Done · ↪ Carry over · 🗑 Drop for one open item."""
    value = item_value(item.item_id, meeting_id)
    return ActionsBlock(
        block_id=f"item_{item.item_id}",
        elements=[
            ButtonElement(
                text="✅ Done",
                action_id=ITEM_DONE,
                value=value,
                accessibility_label=label("Mark action item '{}' done", item.text),
            ),
            ButtonElement(
                text="↪ Carry over",
                action_id=ITEM_CARRY,
                value=value,
                accessibility_label=label("Carry action item '{}' to the next session", item.text),
            ),
            ButtonElement(
                text="🗑 Drop",
                action_id=ITEM_DROP,
                value=value,
                accessibility_label=label("Drop action item '{}'", item.text),
            ),
        ],
    )


def topics_text(topics: Sequence[Topic]) -> str:
    lines = [f"• {item_text(t.text)} _({mrkdwn(t.author_name)})_" for t in topics[:TOPICS_SHOWN]]
    if len(topics) > TOPICS_SHOWN:
        lines.append(f"…and {len(topics) - TOPICS_SHOWN} more")
    return "*On the agenda*\n" + "\n".join(lines)


def agenda_blocks(agenda: Agenda, *, interactive: bool = True) -> list[Block]:
    """The agenda part of a nudge: the program's prompt, topics either person added, and open
    action items, each open one with its three buttons. At most 21 blocks."""
    blocks: list[Block] = []
    if agenda.prompt:
        prompt = mrkdwn(clip(agenda.prompt.strip(), PROMPT_CHARS))
        blocks.append(_section(f"*For session {agenda.session_number}*: {prompt}"))
    if agenda.topics:
        blocks += _sections(topics_text(agenda.topics))
    if agenda.items:
        blocks.append(_section("*Open action items*"))
    for item in agenda.items:
        blocks.append(_section(item_line(item), block_id=f"item_line_{item.item_id}"))
        if interactive and item.state == OPEN:
            blocks.append(item_buttons(item, agenda.meeting_id))
    if agenda.more:
        blocks.append(_section(f"…and {agenda.more} more open — they're on your Home tab."))
    return blocks


def add_to_agenda_button(pair_id: int, partner_name: str) -> ButtonElement:
    """➕ Add to agenda: a small form for one topic (either person, any time before)."""
    return ButtonElement(
        text="➕ Add to agenda",
        action_id=AGENDA_ADD,
        value=str(pair_id),
        accessibility_label=label("Add a topic to your next session with {}", partner_name),
    )


def notes_offer(meeting_id: int, day: str) -> ActionsBlock:
    """After "We met": 📝 Add notes (about a minute), for either person."""
    return ActionsBlock(
        block_id=f"notes_{meeting_id}",
        elements=[
            ButtonElement(
                text="📝 Add notes (1 min)",
                action_id=NOTES_OPEN,
                value=str(meeting_id),
                style="primary",
                accessibility_label=label("Add notes about the {} session", day),
            )
        ],
    )


def notes_written(
    author: str, day: str, yours: Sequence[tuple[str, date | None]], theirs: int
) -> tuple[str, list[Block]]:
    """To the partner: someone wrote notes on your session, with the items that are yours.
    The notes' text stays on the Home tab (a deleted note must not live on in a DM)."""
    head = f"📝 *{mrkdwn(author)}* wrote notes on your {day} session."
    lines = [f"• *{item_text(text)}*{due_text(due)}" for text, due in yours]
    body = ""
    if lines:
        body = f"\nAction item{'s' if len(lines) > 1 else ''} for you:\n" + "\n".join(lines)
    if theirs:
        also = "And " if lines else ""
        body += f"\n{also}{plural(theirs, 'action item')} for {mrkdwn(author)}."
    tail = "\nThe notes are on your Home tab; open items come with your next nudge."
    text = head + body + tail
    return clip(head, SECTION_TEXT), _sections(text)
