"""How a change to one of the bot's canvas sections becomes canvas edits. Pure: text in, plans out.

A Slack canvas addresses its content block by block: each heading, paragraph and list item is a
"section" with its own id, found with `canvases.sections.lookup` (by heading level, or by text it
contains) and changed with `canvases.edit`, one operation per call. A section of our document
("## Goals & Vision" and everything under it) is therefore several canvas blocks. To change it
without touching anything else, the bot compares the body it wrote last time with the body it
wants now, block by block, and edits only the blocks that differ: a changed line is one
`replace`, a new goal one `insert_after`, a removed one one `delete`.

Each block to edit is found by a piece of its text (`search_key`). A lookup is only trusted when
it answers exactly as many blocks as the bot's own content has with that text (`Layout`), so a
line in "Our notes" that happens to contain the same words makes the lookup ambiguous, and the
bot then leaves that block alone rather than risk changing the pair's notes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MARKERS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?)")
# Characters Markdown may hide or turn into formatting: a search key never spans one.
_HIDDEN = re.compile(r"[*_~`\\]")
MIN_KEY = 3  # shorter pieces of text match too much to find a block by


def blocks_of(body: str) -> list[str]:
    """The canvas blocks of a section body: each list item, heading and paragraph, in order."""
    blocks: list[str] = []
    for chunk in body.split("\n\n"):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if lines and all(_LIST_ITEM.match(line) for line in lines):
            blocks += lines
        elif lines:
            blocks.append("\n".join(lines))
    return blocks


def join_blocks(blocks: Sequence[str]) -> str:
    """Blocks back into Markdown: list items on consecutive lines, others apart."""
    text = ""
    for i, block in enumerate(blocks):
        if i:
            both_items = _LIST_ITEM.match(block) and _LIST_ITEM.match(blocks[i - 1])
            text += "\n" if both_items else "\n\n"
        text += block
    return text


def plain_text(block: str) -> str:
    """A block's words as a reader sees them: no list, heading or checkbox markers, no
    emphasis characters (what a text lookup matches against)."""
    lines = [_MARKERS.sub("", line) for line in block.split("\n")]
    return _HIDDEN.sub("", "\n".join(lines)).strip()


def search_key(block: str) -> str | None:
    """The longest piece of a block's text that any renderer shows as written (no markup or
    escape inside it); None when too short to find the block by."""
    lines = [_MARKERS.sub("", line) for line in block.split("\n")]
    pieces = [p.strip() for line in lines for p in _HIDDEN.split(line)]
    best = max(pieces, key=len, default="")
    return best if len(best) >= MIN_KEY else None


@dataclass(frozen=True)
class Edit:
    """One canvas operation on the old body's blocks: `target` is a block index (-1: the
    section's heading); `markdown` is the new content for replace and insert_after."""

    operation: str  # "replace" | "delete" | "insert_after"
    target: int
    markdown: str = ""


def plan_edits(old: Sequence[str], new: Sequence[str]) -> list[Edit]:
    """The fewest block operations that turn the `old` blocks into the `new` ones."""
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            edits.append(Edit("replace", i1, join_blocks(new[j1:j2])))
            edits += [Edit("delete", i) for i in range(i1 + 1, i2)]
        elif tag == "delete":
            edits += [Edit("delete", i) for i in range(i1, i2)]
        elif tag == "insert":
            edits.append(Edit("insert_after", i1 - 1, join_blocks(new[j1:j2])))
    return edits


@dataclass(frozen=True)
class Layout:
    """The canvas as the bot wrote it: each section's heading and blocks, in document order
    ("Our notes" with its placeholder). What people typed since is unknown to the bot, which is
    why each lookup's answer is checked against this before it is trusted."""

    sections: tuple[tuple[str, tuple[str, ...]], ...]

    @staticmethod
    def of(sections: Sequence[tuple[str, str]]) -> Layout:
        """From (title, body) pairs in document order."""
        return Layout(tuple((title, tuple(blocks_of(body))) for title, body in sections))

    def _texts(self) -> list[tuple[str, int, str]]:
        found = []
        for title, blocks in self.sections:
            found.append((title, -1, plain_text(f"## {title}")))
            found += [(title, i, plain_text(block)) for i, block in enumerate(blocks)]
        return found

    def rank(self, title: str, index: int, key: str) -> tuple[int, int] | None:
        """(position among the blocks whose text contains `key`, how many there are) for block
        `index` of section `title`; None when that block does not contain `key`."""
        matching = [(t, i) for t, i, text in self._texts() if key in text]
        if (title, index) not in matching:
            return None
        return matching.index((title, index)), len(matching)


def pick(found: Sequence[str], rank: tuple[int, int] | None) -> str | None:
    """The id a lookup answered for our block, when the answer is what our layout predicts."""
    if rank is None or len(found) != rank[1]:
        return None
    return found[rank[0]]
