"""The stand-in's workspace state: people, conversations, messages, views; guarded by one lock."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.standin.models import (
    JSON,
    ApiError,
    Canvas,
    Channel,
    RecordedMessage,
    ResponseUrl,
    StoredFile,
    StoredView,
    Trigger,
    User,
)
from bot.standin.render import render_message, render_view, view_title


class Workspace:
    """Everything the fake Slack knows; every public method takes the lock."""

    def __init__(
        self,
        *,
        team_id: str,
        team_domain: str,
        team_name: str,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
        bot_name: str,
        trigger_ttl: float,
        now: Callable[[], datetime] | None,
    ) -> None:
        self.team_id, self.team_domain, self.team_name = team_id, team_domain, team_name
        self.bot_user_id, self.bot_id, self.app_id, self.bot_name = (
            bot_user_id,
            bot_id,
            app_id,
            bot_name,
        )
        self.trigger_ttl = trigger_ttl
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: list[RecordedMessage] = []
        self.views: dict[str, StoredView] = {}
        self.modal_stacks: dict[str, list[str]] = {}
        self.homes: dict[str, str] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.transcript: list[str] = []
        self.calls: list[tuple[str, JSON]] = []
        self.files: dict[str, StoredFile] = {}
        self.upload_tickets: dict[str, str] = {}  # upload URL ticket -> file id
        self.canvases: dict[str, Canvas] = {}
        self.free_team = False  # a free workspace: no standalone canvases
        self.base_url = ""  # where the stand-in serves (for upload URLs and url_private)
        self._last_ts = 0.0
        self._counter = 0
        self.users[bot_user_id] = User(bot_user_id, bot_name, bot_name.title(), "UTC", is_bot=True)

    # ---- ids and time
    def next_id(self, prefix: str) -> str:
        """A fresh id like V0000000007."""
        with self.lock:
            self._counter += 1
            return f"{prefix}{self._counter:010d}"

    def next_ts(self) -> str:
        """A message ts from the workspace clock, strictly increasing."""
        with self.lock:
            ts = max(self.now().timestamp(), self._last_ts + 0.000001)
            self._last_ts = ts
            return f"{ts:.6f}"

    def epoch(self) -> int:
        """Seconds since the epoch on the workspace clock."""
        return int(self.now().timestamp())

    # ---- people and conversations
    def user(self, user_id: str) -> User:
        """The user, or user_not_found."""
        with self.lock:
            if user_id not in self.users:
                raise ApiError("user_not_found")
            return self.users[user_id]

    def name_of(self, user_id: str) -> str:
        """A user's handle for @mentions, or a channel's name for #mentions (as Slack shows
        `<@U123>` and `<#C123>`); the id when unknown."""
        with self.lock:
            user = self.users.get(user_id)
            if user is not None:
                return user.name
            channel = self.channels.get(user_id)
            return channel.name if channel is not None else user_id

    def display(self, user_id: str) -> str:
        """A user's real name for transcripts (the id when unknown)."""
        with self.lock:
            user = self.users.get(user_id)
            return user.display if user else user_id

    def ensure_im(self, user_id: str) -> Channel:
        """The bot's DM with a user, created on first use with a stable id."""
        with self.lock:
            channel_id = "D" + user_id[1:]
            if channel_id not in self.channels:
                members = {user_id, self.bot_user_id}
                self.channels[channel_id] = Channel(
                    channel_id, user_id, self.epoch(), is_im=True, im_user=user_id, members=members
                )
            return self.channels[channel_id]

    def ensure_mpim(self, user_ids: list[str]) -> Channel:
        """The group DM of the bot and these users, created on first use with a stable id."""
        with self.lock:
            members = sorted({*user_ids, self.bot_user_id})
            digest = hashlib.sha1(",".join(members).encode()).hexdigest()[:10].upper()
            channel_id = "G" + digest
            if channel_id not in self.channels:
                name = "mpdm-" + "--".join(self.name_of(u) for u in members) + "-1"
                self.channels[channel_id] = Channel(
                    channel_id,
                    name,
                    self.epoch(),
                    is_private=True,
                    is_mpim=True,
                    members=set(members),
                )
            return self.channels[channel_id]

    def channel(self, channel_id: str) -> Channel:
        """The conversation by id (or by #name for channels), or channel_not_found."""
        with self.lock:
            if channel_id in self.channels:
                return self.channels[channel_id]
            name = channel_id.lstrip("#")
            for channel in self.channels.values():
                if not (channel.is_im or channel.is_mpim) and channel.name == name:
                    return channel
            raise ApiError("channel_not_found")

    def find_message(self, channel_id: str, ts: str) -> RecordedMessage | None:
        """The non-deleted message with this ts in this channel."""
        with self.lock:
            for message in self.messages:
                if message.channel == channel_id and message.ts == ts and not message.deleted:
                    return message
            return None

    # ---- transcript
    def where(self, message: RecordedMessage) -> str:
        """Who saw a message, for the transcript: 'DM to Maya', '#mentoring', ..."""
        with self.lock:
            if message.ephemeral_to is not None:
                return f"ephemeral to {self.display(message.ephemeral_to)}"
            where = self.where_channel(message.channel, dm="DM to")
            if message.thread_ts is not None and message.thread_ts != message.ts:
                where += " (thread)"
            return where

    def where_channel(self, channel_id: str, *, dm: str = "DM with") -> str:
        """A conversation for the transcript: 'DM with Maya', 'group DM with ...', '#mentoring'."""
        with self.lock:
            channel = self.channels.get(channel_id)
            if channel is None:
                return channel_id
            if channel.is_im and channel.im_user is not None:
                return f"{dm} {self.display(channel.im_user)}"
            if channel.is_mpim:
                people = sorted(self.display(u) for u in channel.members if u != self.bot_user_id)
                return "group DM with " + ", ".join(people)
            return f"#{channel.name}"

    def render(self, message: RecordedMessage) -> str:
        """A message's text as a person would read it (with the names of files it shares)."""
        rendered = render_message(message.text, message.blocks, self.name_of)
        files = [f for f in message.files if isinstance(f, dict)]
        attached = " ".join(f"[file {f.get('name') or f.get('title') or 'file'}]" for f in files)
        return f"{rendered} {attached}".strip() if attached else rendered

    def note(self, line: str) -> None:
        """Append a line to the transcript."""
        with self.lock:
            self.transcript.append(line)

    def record_message(self, message: RecordedMessage) -> RecordedMessage:
        """Store a message the bot sent and note it in the transcript."""
        with self.lock:
            self.messages.append(message)
            self.note(f"{self.where(message)}: {self.render(message)}")
            return message

    def edit_message(self, message: RecordedMessage, text: str, blocks: list[Any]) -> None:
        """Replace a message's content, keeping its previous version in history."""
        with self.lock:
            message.history.append((message.text, message.blocks))
            message.text, message.blocks = text, blocks
            message.edited_ts = self.next_ts()

    # ---- triggers and views
    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id for this user, valid for trigger_ttl real seconds and one use."""
        with self.lock:
            self._counter += 1
            trigger_id = f"{self._counter}.{int(time.time())}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = Trigger(user_id, time.monotonic() + self.trigger_ttl)
            return trigger_id

    def use_trigger(self, trigger_id: str) -> str:
        """Exchange a trigger_id for its user id, or raise the error Slack answers."""
        with self.lock:
            trigger = self.triggers.get(trigger_id)
            if trigger is None:
                raise ApiError("invalid_trigger_id")
            if trigger.used:
                raise ApiError("exchanged_trigger_id")
            if time.monotonic() > trigger.expires_at:
                raise ApiError("expired_trigger_id")
            trigger.used = True
            return trigger.user_id

    def open_modals(self, user_id: str) -> list[StoredView]:
        """The user's modal stack, bottom first."""
        with self.lock:
            return [self.views[v] for v in self.modal_stacks.get(user_id, [])]

    def close_modal(self, view_id: str, *, whole_stack: bool = False) -> None:
        """Close a modal (and what was pushed above it); with whole_stack, the user's whole stack."""
        with self.lock:
            stored = self.views.get(view_id)
            if stored is None:
                return
            stack = self.modal_stacks.get(stored.user_id, [])
            keep = 0 if whole_stack or view_id not in stack else stack.index(view_id)
            for closed in stack[keep:]:
                self.views[closed].is_open = False
            self.modal_stacks[stored.user_id] = stack[:keep]

    def note_view(self, verb: str, stored: StoredView) -> None:
        """Note a view change in the transcript."""
        who = self.display(stored.user_id)
        if stored.type == "home":
            rendered = render_view(stored.blocks, self.name_of).replace("\n", "\n    ")
            self.note(f"App Home {verb} for {who}: {rendered}")
        else:
            self.note(f"modal {verb} for {who}: {view_title(stored.view)}")

    def new_response_url(self, user_id: str, channel_id: str, message_ts: str | None) -> str:
        """Register a response_url and return its id."""
        with self.lock:
            url_id = secrets.token_urlsafe(12)
            self.response_urls[url_id] = ResponseUrl(user_id, channel_id, message_ts)
            return url_id
