"""The stand-in's set-up helpers and what-happened queries, for tests and the demo."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.standin.models import Canvas, Channel, RecordedMessage, StoredFile, StoredView, User
from bot.standin.state import Workspace

ACCESS_RANK = {"read": 1, "write": 2, "owner": 3}


class WorkspaceHelpers:
    """Set up people and channels, and read back messages, views, files, canvases, calls and
    the transcript."""

    ws: Workspace

    @property
    def bot_user_id(self) -> str:
        """The bot's user id."""
        return self.ws.bot_user_id

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self.ws.team_id

    # ---- workspace set-up
    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
    ) -> User:
        """Add a workspace member."""
        user = User(user_id, name, real_name or name.title(), tz, updated=self.ws.epoch())
        user.is_bot, user.deleted, user.is_admin, user.is_owner = (
            is_bot,
            deleted,
            is_admin,
            is_owner,
        )
        with self.ws.lock:
            self.ws.users[user_id] = user
        return user

    def set_user(
        self,
        user_id: str,
        *,
        tz: str | None = None,
        deleted: bool | None = None,
        real_name: str | None = None,
        is_admin: bool | None = None,
        is_owner: bool | None = None,
    ) -> User:
        """Change a member's time zone, deactivation or roles."""
        with self.ws.lock:
            user = self.ws.user(user_id)
            changes = {"tz": tz, "deleted": deleted, "real_name": real_name}
            changes |= {"is_admin": is_admin, "is_owner": is_owner}
            for key, value in changes.items():
                if value is not None:
                    setattr(user, key, value)
            user.updated = self.ws.epoch()
            return user

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_archived: bool = False,
        members: Iterable[str] = (),
    ) -> Channel:
        """Add a public or private channel with these members."""
        channel = Channel(
            channel_id,
            name,
            self.ws.epoch(),
            is_private=is_private,
            is_archived=is_archived,
            members=set(members),
        )
        with self.ws.lock:
            self.ws.channels[channel_id] = channel
        return channel

    def set_channel(self, channel_id: str, *, is_archived: bool) -> Channel:
        """Archive or unarchive a channel."""
        with self.ws.lock:
            channel = self.ws.channel(channel_id)
            channel.is_archived = is_archived
            return channel

    # ---- what happened
    @property
    def messages(self) -> list[RecordedMessage]:
        """Every recorded message, in order (bot, user, ephemeral)."""
        with self.ws.lock:
            return list(self.ws.messages)

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every Web API call as (method, params), in order."""
        with self.ws.lock:
            return list(self.ws.calls)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The params of every call of one method."""
        return [params for name, params in self.calls if name == method]

    def dm_messages(self, user_id: str) -> list[RecordedMessage]:
        """Messages the bot posted (not deleted, not ephemeral) in its DM with that user."""
        channel_id = "D" + user_id[1:]
        return [
            m
            for m in self.messages
            if m.channel == channel_id
            and m.user == self.bot_user_id
            and not m.is_ephemeral
            and not m.deleted
        ]

    def channel_messages(self, channel_id: str) -> list[RecordedMessage]:
        """Visible (not ephemeral, not deleted) messages in a conversation, anyone's."""
        return [
            m
            for m in self.messages
            if m.channel == channel_id and not m.is_ephemeral and not m.deleted
        ]

    def ephemeral_messages(self, user_id: str) -> list[RecordedMessage]:
        """Ephemeral messages shown to a user."""
        return [m for m in self.messages if m.ephemeral_to == user_id]

    def views_for(self, user_id: str, *, include_closed: bool = False) -> list[StoredView]:
        """A user's modals in the order they were opened (open ones only unless asked)."""
        with self.ws.lock:
            return [
                v
                for v in self.ws.views.values()
                if v.user_id == user_id and v.type == "modal" and (include_closed or v.is_open)
            ]

    def view(self, view_id: str) -> StoredView:
        """A view by id."""
        with self.ws.lock:
            if view_id not in self.ws.views:
                raise LookupError(f"the stand-in has no view {view_id!r}")
            return self.ws.views[view_id]

    def home_view(self, user_id: str) -> StoredView | None:
        """The App Home view last published for a user."""
        with self.ws.lock:
            view_id = self.ws.homes.get(user_id)
            return self.ws.views[view_id] if view_id else None

    def transcript(self) -> list[str]:
        """What each person saw and did, as readable lines in order."""
        with self.ws.lock:
            return list(self.ws.transcript)

    # ---- files
    def file(self, file_id: str) -> StoredFile:
        """A file the app uploaded (completed or not), by id."""
        with self.ws.lock:
            if file_id not in self.ws.files:
                raise LookupError(f"the stand-in has no file {file_id!r}")
            return self.ws.files[file_id]

    def file_content(self, file_id: str) -> bytes:
        """The bytes uploaded for a file."""
        return self.file(file_id).content or b""

    def files_in(self, channel_id: str) -> list[StoredFile]:
        """Files shared in a conversation, in the order their messages were posted."""
        with self.ws.lock:
            shared = [
                (ts, stored)
                for stored in self.ws.files.values()
                if not stored.deleted
                for where, ts in stored.shares
                if where == channel_id
            ]
            return [stored for _, stored in sorted(shared, key=lambda pair: float(pair[0]))]

    def dm_files(self, user_id: str) -> list[StoredFile]:
        """Files the app shared in its DM with a person (content in `.content` / `.text`)."""
        return self.files_in("D" + user_id[1:])

    def file_messages(self, channel_id: str) -> list[RecordedMessage]:
        """Messages in a conversation that share files (their text is the initial comment)."""
        return [m for m in self.channel_messages(channel_id) if m.files]

    # ---- canvases
    def set_free_team(self, free: bool = True) -> None:
        """Make the workspace a free one (no standalone canvases), or a paid one again."""
        with self.ws.lock:
            self.ws.free_team = free

    def canvas(self, canvas_id: str) -> Canvas:
        """A canvas by id (deleted ones too: see `.deleted`)."""
        with self.ws.lock:
            if canvas_id not in self.ws.canvases:
                raise LookupError(f"the stand-in has no canvas {canvas_id!r}")
            return self.ws.canvases[canvas_id]

    @property
    def canvases(self) -> list[Canvas]:
        """Every canvas not deleted, in creation order."""
        with self.ws.lock:
            return [c for c in self.ws.canvases.values() if not c.deleted]

    def canvas_access(self, canvas_id: str, user_id: str) -> str | None:
        """What a person may do with a canvas: read / write / owner, or None.

        Access comes from a grant to the person, or to a conversation they are a member of.
        """
        with self.ws.lock:
            canvas = self.canvas(canvas_id)
            if canvas.deleted:
                return None
            levels = [canvas.access[user_id]] if user_id in canvas.access else []
            for grantee, level in canvas.access.items():
                channel = self.ws.channels.get(grantee)
                if channel is not None and user_id in channel.members:
                    levels.append(level)
            return max(levels, key=ACCESS_RANK.__getitem__, default=None)

    def canvases_for(self, user_id: str) -> list[Canvas]:
        """The canvases a person can open, in creation order."""
        return [c for c in self.canvases if self.canvas_access(c.id, user_id) is not None]

    def lock_canvas_editing(self, canvas_id: str, times: int = 1) -> None:
        """The next `times` canvases.edit calls on this canvas answer canvas_editing_locked
        (another edit in progress) and change nothing."""
        with self.ws.lock:
            self.canvas(canvas_id).locked_edits += times
