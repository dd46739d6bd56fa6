"""The Events API half of the driver: message events in DMs and channels, App Home opened."""

from __future__ import annotations

import uuid
from typing import Any

from bot.standin import events
from bot.standin.driver_base import DriverBase, DriverResponse
from bot.standin.models import JSON, RecordedMessage
from bot.standin.shapes import rich_text_blocks


class EventsDriver(DriverBase):
    """Sends event_callback requests, recording what people did on the stand-in first."""

    def send_event(
        self,
        event: JSON,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> DriverResponse:
        """Send an event in its envelope; a retry carries X-Slack-Retry-Num/-Reason."""
        event_id = event_id or events.new_event_id()
        body = events.envelope(
            self.ws,
            event,
            token=self.verification_token,
            event_id=event_id,
            event_time=self.ws.epoch(),
        )
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        response = self.post_json(body, headers=headers)
        return DriverResponse(
            response.status, response.body, response.json, response.headers, event_id=event_id
        )

    def _record(self, message: RecordedMessage, who: str) -> RecordedMessage:
        with self.ws.lock:
            channel = self.ws.channels.get(message.channel)
            place = "DM" if channel and channel.is_im else self.ws.where(message).split(" (")[0]
            if message.thread_ts is not None and message.thread_ts != message.ts:
                place += " (thread)"
            self.ws.messages.append(message)
            self.ws.note(f"{who} wrote in {place}: {message.text}")
        return message

    def _user_message(
        self, user_id: str, channel_id: str, text: str, thread_ts: str | None
    ) -> RecordedMessage:
        return RecordedMessage(
            channel=channel_id,
            user=user_id,
            text=text,
            blocks=rich_text_blocks(text),
            ts=self.ws.next_ts(),
            thread_ts=thread_ts,
            client_msg_id=str(uuid.uuid4()),
            source="user",
        )

    def user_dm(
        self, user_id: str, text: str, *, thread_ts: str | None = None
    ) -> tuple[DriverResponse, str]:
        """The user writes to the bot in their DM; returns (response, ts of the message)."""
        channel_id = self.ws.ensure_im(user_id).id
        message = self._user_message(user_id, channel_id, text, thread_ts)
        self._record(message, self.name(user_id))
        return self.send_event(events.message_event(self.ws, message)), message.ts

    def _find(self, user_id: str, ts: str) -> RecordedMessage:
        channel_id = self.ws.ensure_im(user_id).id
        message = self.ws.find_message(channel_id, ts)
        self.require(message is not None, f"no message {ts} in the DM with {user_id}")
        assert message is not None
        return message

    def edit_dm(self, user_id: str, ts: str, new_text: str) -> DriverResponse:
        """The user edits a DM they wrote: message_changed."""
        message = self._find(user_id, ts)
        previous = events.message_body(self.ws, message)
        self.ws.edit_message(message, new_text, rich_text_blocks(new_text))
        self.ws.note(f"{self.name(user_id)} edited a DM: {new_text}")
        event_ts = self.ws.next_ts()
        return self.send_event(events.changed_event(self.ws, message, previous, event_ts))

    def delete_dm(self, user_id: str, ts: str) -> DriverResponse:
        """The user deletes a DM they wrote: message_deleted; or, when it has thread replies,
        message_changed into Slack's "This message was deleted." tombstone, as Slack does."""
        message = self._find(user_id, ts)
        with self.ws.lock:
            replies = [
                m
                for m in self.ws.messages
                if m.channel == message.channel
                and m.thread_ts == message.ts
                and m.ts != message.ts
                and not m.deleted
            ]
        self.ws.note(f"{self.name(user_id)} deleted a DM: {message.text}")
        if not replies:
            message.deleted = True
            return self.send_event(events.deleted_event(self.ws, message, self.ws.next_ts()))
        previous = events.message_body(self.ws, message)
        tombstone = events.tombstone_body(self.ws, message, replies)
        self.ws.edit_message(message, events.TOMBSTONE_TEXT, [])
        message.user, message.subtype, message.client_msg_id = "USLACKBOT", "tombstone", None
        event = events.tombstoned_event(self.ws, message, previous, tombstone, self.ws.next_ts())
        return self.send_event(event)

    def send_message_event(
        self,
        user_id: str | None = None,
        *,
        channel_id: str | None = None,
        text: str = "",
        subtype: str | None = None,
        thread_ts: str | None = None,
        bot_id: str = "B0OTHER001",
        username: str = "otherbot",
    ) -> tuple[DriverResponse, str]:
        """A message event of another kind: thread reply, bot_message, file_share,
        thread_broadcast, me_message (a `/me` action)."""
        if channel_id is None:
            self.require(user_id is not None, "send_message_event needs user_id or channel_id")
            assert user_id is not None
            channel_id = self.ws.ensure_im(user_id).id
        author = user_id or ""
        message = self._user_message(author, channel_id, text, thread_ts)
        message.subtype = subtype
        extra: dict[str, Any] = {}
        if subtype == "bot_message":
            message.bot_id, message.client_msg_id, message.user = bot_id, None, ""
            icons = {"image_48": "https://a.slack-edge.com/bot-48.png"}
            extra = {"username": username, "icons": icons}
        elif subtype == "file_share":
            message.files = [_file(author, text)]
        elif subtype == "thread_broadcast":
            self.require(thread_ts is not None, "a thread_broadcast needs thread_ts")
            root = self.ws.find_message(channel_id, thread_ts or "")
            extra = {"root": _root(self.ws.team_id, root, thread_ts or "")}
        self._record(message, self.name(author) if author else username)
        return self.send_event(events.message_event(self.ws, message, **extra)), message.ts

    def change_user(self, user_id: str, **changes: Any) -> DriverResponse:
        """A member's profile changes (time zone, deactivation, roles...): user_change."""
        user = self.standin.set_user(user_id, **changes)
        facts = ", ".join(f"{k}={v}" for k, v in changes.items())
        self.ws.note(f"{self.name(user_id)}'s account changed: {facts}")
        return self.send_event(events.user_change_event(self.ws, user, self.ws.next_ts()))

    def open_home(self, user_id: str) -> DriverResponse:
        """The user opens the app's Home tab: app_home_opened."""
        self.ws.note(f"{self.name(user_id)} opened App Home")
        return self.send_event(events.home_opened_event(self.ws, user_id, self.ws.next_ts()))


def _file(user_id: str, title: str) -> JSON:
    return {
        "id": "F" + uuid.uuid4().hex[:10].upper(),
        "created": 0,
        "name": "notes.txt",
        "title": title or "notes.txt",
        "mimetype": "text/plain",
        "filetype": "text",
        "user": user_id,
        "mode": "hosted",
        "size": 12,
        "url_private": "https://files.slack.com/files-pri/notes.txt",
    }


def _root(team_id: str, root: RecordedMessage | None, thread_ts: str) -> JSON:
    return {
        "type": "message",
        "text": root.text if root else "",
        "user": root.user if root else "",
        "ts": thread_ts,
        "team": team_id,
        "thread_ts": thread_ts,
        "reply_count": 1,
        "reply_users_count": 1,
        "latest_reply": thread_ts,
        "reply_users": [root.user if root else ""],
        "is_locked": False,
        "subscribed": False,
    }
