"""Canvas Markdown split into sections the way canvases.sections.lookup addresses them.

A canvas is a sequence of sections: each header (h1..h3; deeper headers count as h3), each list
item, each paragraph, each block quote, each fenced code block, each table and each divider.
Content Slack's canvases refuse is an error with a `detail` like Slack's, e.g. a list inside a
block quote: "'content' error: line 3: Unsupported block type (List) within block quote".
"""

from __future__ import annotations

import re

MAX_MARKDOWN = 1_048_576  # "The markdown content is limited to 1 MiB (1,048,576 characters)."

_HEADER = re.compile(r"^(#{1,6})\s+\S")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s{0,3}>")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TABLE = re.compile(r"^\s*\|")
_DIVIDER = re.compile(r"^\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")
_MARKERS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?)")
_EMPHASIS = re.compile(r"(\*\*|__|~~|\*|_|`)")


class CanvasContentError(ValueError):
    """Markdown a canvas cannot hold; `detail` is what Slack puts in its answer."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _header_kind(line: str) -> str:
    level = len(line) - len(line.lstrip("#"))
    return f"h{min(level, 3)}"


def parse_sections(markdown: str) -> list[tuple[str, str]]:
    """(kind, markdown) of each section of a Markdown document, in order."""
    if len(markdown) > MAX_MARKDOWN:
        raise CanvasContentError(f"'content' error: longer than {MAX_MARKDOWN} characters")
    lines = markdown.replace("\r\n", "\n").split("\n")
    pieces: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            pieces.append(("paragraph", "\n".join(paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush()
            end = next(
                (
                    j
                    for j in range(i + 1, len(lines))
                    if lines[j].strip().startswith(fence.group(1))
                ),
                len(lines) - 1,
            )
            pieces.append(("code", "\n".join(lines[i : end + 1])))
            i = end + 1
            continue
        if not line.strip():
            flush()
        elif _HEADER.match(line):
            flush()
            pieces.append((_header_kind(line), line.rstrip()))
        elif _DIVIDER.match(line):
            flush()
            pieces.append(("divider", line.strip()))
        elif _LIST_ITEM.match(line):
            flush()
            pieces.append(("list_item", line.rstrip()))
        elif _QUOTE.match(line) or _TABLE.match(line):
            flush()
            kind = "quote" if _QUOTE.match(line) else "table"
            same = _QUOTE if kind == "quote" else _TABLE
            start = i
            while i + 1 < len(lines) and same.match(lines[i + 1]):
                i += 1
            block = lines[start : i + 1]
            if kind == "quote":
                for offset, quoted in enumerate(block):
                    inner = quoted.lstrip()[1:]
                    if _LIST_ITEM.match(inner.lstrip()) and inner.strip():
                        raise CanvasContentError(
                            f"'content' error: line {start + offset + 1}: "
                            "Unsupported block type (List) within block quote"
                        )
            pieces.append((kind, "\n".join(block)))
        else:
            paragraph.append(line.rstrip())
        i += 1
    flush()
    return pieces


def section_text(markdown: str) -> str:
    """A section's words without Markdown markers, as a reader sees them."""
    lines = [_MARKERS.sub("", line) for line in markdown.split("\n")]
    return _EMPHASIS.sub("", "\n".join(lines)).strip()
