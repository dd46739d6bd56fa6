"""A pair's sessions on the Home tab: open action items (✅ Done), the last session's notes the
reader may read, and buttons for notes, the agenda and the session history. Pure builders with
module-constant ids; a compact form (counts only) when the Home runs short of blocks, and for
anyone who is not one of the two (counts, never text)."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject

from bot.core.text import SECTION_TEXT, clip, mrkdwn
from bot.domain.agenda import HOME_ITEMS, Progress, progress_line
from bot.domain.timefmt import format_local
from bot.sessions.data import NoteLine, SessionsCard
from bot.sessions.messages import (
    ITEM_DONE,
    NOTES_OPEN,
    add_to_agenda_button,
    item_line,
    item_value,
    label,
)

HISTORY_OPEN = "history_open"
HOME_NOTE_CHARS = 900


def _section(
    text: str, block_id: str | None = None, accessory: ButtonElement | None = None
) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, SECTION_TEXT)),
        block_id=block_id,
        accessory=accessory,
    )


def summary_text(progress: Progress) -> str:
    """Counts only: what a program admin may see, and the compact Home line."""
    return f"*Sessions*: {progress_line(progress)}."


def _note(note: NoteLine) -> str:
    words = mrkdwn(clip(note.text.strip(), HOME_NOTE_CHARS))
    if note.private:
        return f"🔒 *Your private note*: {words}"
    return f"*{mrkdwn(note.author_name)}*: {words}"


def _buttons(card: SessionsCard, partner_name: str, day: str | None) -> ActionsBlock:
    elements: list[ButtonElement] = []
    if card.last is not None and day is not None:
        elements.append(
            ButtonElement(
                text=clip(f"📝 Notes for {day}", 75),
                action_id=NOTES_OPEN,
                value=str(card.last.meeting_id),
                accessibility_label=label("Add or edit notes about the {} session", day),
            )
        )
    if card.can_add:
        elements.append(add_to_agenda_button(card.pair_id, partner_name))
    elements.append(
        ButtonElement(
            text="🗂 Session history",
            action_id=HISTORY_OPEN,
            value=str(card.pair_id),
            accessibility_label=label("Show the history of your sessions with {}", partner_name),
        )
    )
    return ActionsBlock(block_id=f"sessions_{card.pair_id}", elements=elements)


def sessions_blocks(
    card: SessionsCard, partner_name: str, *, item_rows: int = HOME_ITEMS
) -> list[Block]:
    """The sessions part of a participant's Home card: at most 11 blocks (2 when compact,
    `item_rows=0`)."""
    day = format_local(card.last.at, card.reader_tz).split(" at ")[0] if card.last else None
    if item_rows <= 0:
        return [
            _section(summary_text(card.progress), f"sessions_sum_{card.pair_id}"),
            _buttons(card, partner_name, day),
        ]
    blocks: list[Block] = []
    if card.items:
        blocks.append(_section("*Open action items*", f"items_{card.pair_id}"))
    for item in card.items[:item_rows]:
        done = ButtonElement(
            text="✅ Done",
            action_id=ITEM_DONE,
            value=item_value(item.item_id, None),
            accessibility_label=label("Mark action item '{}' done", item.text),
        )
        blocks.append(_section(item_line(item), f"home_item_{card.pair_id}_{item.item_id}", done))
    more = max(len(card.items) - item_rows, 0) + card.more
    if more:
        blocks.append(_section(f"…and {more} more open — they come with your next nudge."))
    if card.last is not None:
        heading = f"*Last session* · {day}"
        if not card.last.notes:
            heading += " — no notes yet."
        blocks.append(_section(heading, f"last_{card.pair_id}"))
        blocks += [_section(_note(n)) for n in card.last.notes[:3]]
    blocks.append(_buttons(card, partner_name, day))
    return blocks
