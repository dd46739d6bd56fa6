"""Turn Slack text and Block Kit into short human-readable lines for transcripts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

NameOf = Callable[[str], str]

_TOKEN = re.compile(r"<([^<>]+)>")


def _replace_token(token: str, name_of: NameOf) -> str:
    body, _, label = token.partition("|")
    if body.startswith("@"):
        return "@" + (label or name_of(body[1:]))
    if body.startswith("#"):
        return "#" + (label or name_of(body[1:]))
    if body.startswith("!subteam^"):
        return "@" + (label or body.split("^", 1)[1])
    if body.startswith("!date^"):
        return label or body
    if body.startswith("!"):
        return "@" + (label or body[1:])
    return label or body


def plain(text: str, name_of: NameOf) -> str:
    """Render Slack mrkdwn tokens (<@U1>, <#C1|x>, <!date^...|fallback>, <url|label>) as text."""
    rendered = _TOKEN.sub(lambda m: _replace_token(m.group(1), name_of), text)
    return rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any, name_of: NameOf) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return plain(obj["text"], name_of).strip()
    return ""


def _rich_text(obj: Any, name_of: NameOf) -> str:
    if isinstance(obj, dict):
        kind = obj.get("type")
        if kind == "text":
            return str(obj.get("text", ""))
        if kind == "user":
            return "@" + name_of(str(obj.get("user_id", "")))
        if kind == "channel":
            return "#" + str(obj.get("channel_id", ""))
        if kind in ("link", "emoji"):
            return str(obj.get("text") or obj.get("url") or obj.get("name", ""))
        return "".join(_rich_text(e, name_of) for e in obj.get("elements", []))
    return ""


def _element(element: Any, name_of: NameOf) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'), name_of)}]"
    if kind in ("plain_text", "mrkdwn"):
        return _text(element, name_of)
    if kind == "image":
        return ""
    if kind in ("overflow",):
        return "[...]"
    label = _text(element.get("placeholder"), name_of) or str(kind)
    return f"[{label} ▾]"


def _block(block: Any, name_of: NameOf) -> list[str]:
    if not isinstance(block, dict):
        return []
    kind = block.get("type")
    parts: list[str] = []
    if kind in ("section", "header"):
        parts.append(_text(block.get("text"), name_of))
        parts += [_text(f, name_of) for f in block.get("fields", []) or []]
        if kind == "section" and block.get("accessory") is not None:
            parts.append(_element(block["accessory"], name_of))
    elif kind == "context" or kind == "actions":
        parts.append(" ".join(_element(e, name_of) for e in block.get("elements", []) or []))
    elif kind == "input":
        parts.append(
            f"{_text(block.get('label'), name_of)}: {_element(block.get('element'), name_of)}"
        )
    elif kind == "rich_text":
        parts.append(_rich_text(block, name_of).strip())
    elif kind == "markdown":
        parts.append(plain(str(block.get("text", "")), name_of))
    return [p.strip() for p in parts if p and p.strip()]


def render_message(text: str | None, blocks: list[Any] | None, name_of: NameOf) -> str:
    """One line for a message: its blocks' visible text when it has blocks, else its text."""
    if blocks:
        parts = [part for block in blocks for part in _block(block, name_of)]
        if parts:
            return " | ".join(p.replace("\n", " / ") for p in parts)
    return plain(text or "", name_of).replace("\n", " / ")


def render_view(blocks: list[Any] | None, name_of: NameOf) -> str:
    """A Home tab or long view: one line per block (the first after the caller's prefix)."""
    lines = [" | ".join(_block(block, name_of)).replace("\n", " / ") for block in blocks or []]
    return "\n".join(line for line in lines if line)


def view_title(view: Any) -> str:
    """The plain title of a view, or its callback_id when it has none (Home tabs)."""
    if isinstance(view, dict):
        title = view.get("title")
        if isinstance(title, dict) and isinstance(title.get("text"), str):
            return str(title["text"])
        return str(view.get("callback_id") or view.get("type") or "")
    return ""
