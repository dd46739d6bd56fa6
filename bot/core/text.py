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
MESSAGE_TEXT = 40_000  # a message's top-level `text`; longer is `msg_too_long`
ACCESSIBILITY_LABEL = 75  # a button's `accessibility_label`
INPUT_LABEL = 2000  # an input block's label and hint
PLACEHOLDER = 150
SECTION_FIELDS = 10  # fields in one section
ACTIONS_ELEMENTS = 25  # elements in one actions block
CONTEXT_ELEMENTS = 10  # elements in one context block
CONFIRM_TITLE, CONFIRM_TEXT, CONFIRM_BUTTON = 100, 300, 30  # a confirmation dialog
VIEW_BYTES = 250_000  # a view's JSON as sent (non-ASCII escaped as \uXXXX)

ELLIPSIS = "…"
# Characters Slack reads as markup in mrkdwn; the only three it asks apps to escape.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def mrkdwn(text: str) -> str:
    """A person's text made safe for mrkdwn: `&`, `<` and `>` escaped, so no mention, link or
    special command (`<!channel>`) can be smuggled in."""
    return text.translate(_ESCAPES)


def strikable(text: str) -> str:
    """A person's text, escaped, to go between the `~…~` of a strikethrough.

    A `~` inside it would end the strikethrough early (and show the closing `~`), so each
    becomes "∼" (U+223C), which looks the same; the text is otherwise unchanged."""
    return mrkdwn(text).replace("~", "∼").strip()


def strike(text: str) -> str:
    """A person's text struck through in mrkdwn: `~…~`, escaped (see `strikable`)."""
    inner = strikable(text)
    return f"~{inner}~" if inner else ""


def _cut_point(text: str, limit: int) -> int:
    """Where to cut `text` to keep at most `limit` characters without halving an escape
    (`&amp;`) or one of Slack's `<…>` tokens (a date, a mention) that the cut would split."""
    cut = max(limit, 0)
    head = text[:cut]
    amp = head.rfind("&")
    if amp >= 0 and ";" not in head[amp:] and cut - amp < 5:
        cut = amp
    head = text[:cut]
    angle = head.rfind("<")
    if angle > 0 and ">" not in head[angle:] and ">" in text[angle:]:
        cut = angle
    return cut


def clip(text: str, limit: int, more: str = ELLIPSIS) -> str:
    """`text` cut to at most `limit` characters, ending with `more` when it was cut (never in
    the middle of an escape such as `&amp;` or a `<…>` token)."""
    if len(text) <= limit:
        return text
    room = max(limit - len(more), 0)
    return text[: _cut_point(text, room)].rstrip() + more


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
            cut = _cut_point(line, limit) or limit
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def around(before: str, thing: str, after: str = "", limit: int = ACCESSIBILITY_LABEL) -> str:
    """`before + thing + after` within `limit` characters, clipping `thing` (a name, a goal) so
    the words around it survive: "Mark goal 'Lead a des…' done"."""
    room = limit - len(before) - len(after)
    if room < 4:
        return clip(before + thing + after, limit)
    return before + clip(thing, room) + after


def split_within(
    text: str, most: int, limit: int = SECTION_TEXT, more: str = ELLIPSIS
) -> list[str]:
    """`split(text, limit)` in at most `most` pieces: when there would be more, the last one kept
    is clipped to end with `more` (say there where the rest can be read)."""
    pieces = [p for p in split(text, limit) if p.strip()]
    if len(pieces) <= most:
        return pieces
    kept = pieces[: max(most, 1)]
    kept[-1] = clip(kept[-1] + "\n" + pieces[len(kept)], limit, more)
    return kept
