"""Plain records the stand-in keeps: users, conversations, messages, views, triggers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """A Web API failure answered as {"ok": false, "error": code, ...}."""

    def __init__(self, code: str, messages: list[str] | None = None, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages or []
        self.extra = extra

    def body(self) -> JSON:
        """The JSON body Slack answers for this error."""
        body: JSON = {"ok": False, "error": self.code, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


@dataclass
class User:
    """A workspace member as users.info describes it."""

    id: str
    name: str
    real_name: str
    tz: str = "Europe/Berlin"
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False
    updated: int = 0

    @property
    def display(self) -> str:
        """The name people see: real name, else the handle."""
        return self.real_name or self.name


@dataclass
class Channel:
    """A conversation: public/private channel, DM (im) or group DM (mpim)."""

    id: str
    name: str
    created: int
    creator: str = ""
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None
    members: set[str] = field(default_factory=set)


@dataclass
class RecordedMessage:
    """A message as the stand-in saw it; `history` holds earlier (text, blocks) versions."""

    channel: str
    user: str
    text: str
    blocks: list[Any]
    ts: str
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    attachments: list[Any] = field(default_factory=list)
    metadata: JSON | None = None
    client_msg_id: str | None = None
    files: list[Any] = field(default_factory=list)
    source: str = "api"
    deleted: bool = False
    edited_ts: str | None = None
    history: list[tuple[str, list[Any]]] = field(default_factory=list)

    @property
    def is_ephemeral(self) -> bool:
        """True for messages only one person saw."""
        return self.ephemeral_to is not None


@dataclass
class StoredView:
    """A modal or Home tab the bot opened; `view` is the object Slack answers for it."""

    id: str
    user_id: str
    view: JSON
    is_open: bool = True

    @property
    def type(self) -> str:
        """modal or home."""
        return str(self.view.get("type", ""))

    @property
    def callback_id(self) -> str:
        """The view's callback_id ("" when none)."""
        return str(self.view.get("callback_id") or "")

    @property
    def title(self) -> str:
        """The view's plain title ("" for Home tabs)."""
        title = self.view.get("title")
        return str(title.get("text", "")) if isinstance(title, dict) else ""

    @property
    def blocks(self) -> list[Any]:
        """The view's blocks."""
        blocks = self.view.get("blocks")
        return blocks if isinstance(blocks, list) else []


@dataclass
class Trigger:
    """A trigger_id: valid for a few real seconds and for one use."""

    user_id: str
    expires_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    """A response_url: posts to it reach `user_id` in `channel_id` (and may edit `message_ts`)."""

    user_id: str
    channel_id: str
    message_ts: str | None = None
    uses_left: int = 5


@dataclass
class StoredFile:
    """A file the app uploaded (files.getUploadURLExternal → upload URL → completeUploadExternal).

    `content` holds the bytes exactly as uploaded; `shares` lists (conversation id, message ts)
    of every message that shared the file.
    """

    id: str
    name: str
    length: int  # the size declared to files.getUploadURLExternal
    user: str
    created: int
    ticket: str
    title: str = ""
    alt_txt: str = ""
    snippet_type: str = ""
    content: bytes | None = None  # None until bytes reach the upload URL
    completed: bool = False
    deleted: bool = False
    shares: list[tuple[str, str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Bytes received (0 before the upload)."""
        return len(self.content or b"")

    @property
    def text(self) -> str:
        """The content as UTF-8 text (for .ics, CSV, Markdown)."""
        return (self.content or b"").decode("utf-8")


@dataclass
class CanvasSection:
    """One addressable part of a canvas: a header, paragraph, list item, quote, code block..."""

    id: str
    kind: str  # h1, h2, h3, paragraph, list_item, quote, code, table, divider
    markdown: str

    @property
    def is_header(self) -> bool:
        """True for h1..h3."""
        return self.kind in ("h1", "h2", "h3")


@dataclass
class Canvas:
    """A canvas: standalone, tabbed in a channel, or a channel's own canvas.

    `access` maps user and conversation ids to read / write / owner.
    """

    id: str
    title: str
    owner: str
    created: int
    sections: list[CanvasSection] = field(default_factory=list)
    channel_id: str | None = None  # the conversation the canvas is tabbed in / belongs to
    is_channel_canvas: bool = False
    access: dict[str, str] = field(default_factory=dict)
    deleted: bool = False
    edits: list[JSON] = field(default_factory=list)  # every change applied, in order
    locked_edits: int = 0  # the next edits that answer canvas_editing_locked

    @property
    def markdown(self) -> str:
        """The canvas as Markdown: sections separated by blank lines, list items by newlines."""
        parts: list[str] = []
        for i, section in enumerate(self.sections):
            if i:
                in_list = section.kind == self.sections[i - 1].kind == "list_item"
                parts.append("\n" if in_list else "\n\n")
            parts.append(section.markdown)
        return "".join(parts)

    @property
    def standalone(self) -> bool:
        """True for a canvas that belongs to no conversation."""
        return self.channel_id is None

    def section(self, section_id: str) -> CanvasSection | None:
        """A section by id."""
        return next((s for s in self.sections if s.id == section_id), None)
