"""People's text in Slack messages: escaped for mrkdwn, and kept within Slack's limits.

Every piece of text a person typed (goals, the vision, names, answers, notes) goes through
`mrkdwn` before it is placed in mrkdwn, so `<!channel>`, `<@U…>` or `<b>` stay literal text.
Every text that could grow past one of Slack's limits goes through `clip` (a visible "…") or is
split over several sections with `split`, never dropped and never refused by Slack.
"""

from __future__ import annotations

# Slack's limits (https://docs.slack.dev/reference/block-kit): characters unless said otherwise.
SECTION_TEXT = 3000
SECTION_FIELD = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
ACCESSIBILITY_LABEL = 75  # a button's accessibility_label, read out by screen readers
OPTION_TEXT = 75
OPTION_VALUE = 150
CONTEXT_TEXT = 3000
MESSAGE_BLOCKS = 50  # blocks in one message
VIEW_BLOCKS = 100  # blocks in a modal or the Home tab
PRIVATE_METADATA = 3000
INPUT_MAX = 3000  # a plain_text_input's max_length (and initial_value) at most
MODAL_TITLE = 24
FALLBACK_TEXT = 4000  # the top-level `text` of a message: long enough, short of msg_too_long

ELLIPSIS = "…"
# Characters Slack reads as markup in mrkdwn; the only three it asks apps to escape.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def mrkdwn(text: str) -> str:
    """A person's text made safe for mrkdwn: `&`, `<` and `>` escaped, so no mention, link or
    special command (`<!channel>`) can be smuggled in."""
    return text.translate(_ESCAPES)


def clip(text: str, limit: int, more: str = ELLIPSIS) -> str:
    """`text` cut to at most `limit` characters, ending with `more` when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(more), 0)].rstrip() + more


def split(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line breaks where possible (a line
    longer than `limit` is cut where it must be). Nothing is lost; an empty text gives []."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
