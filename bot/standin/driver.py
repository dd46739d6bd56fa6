"""SlackDriver: slash commands, modal submissions/closes, clicks and shortcuts, sent to the bot
like Slack."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.standin.api_views import push_view, replace_view
from bot.standin.blockkit import view_errors
from bot.standin.driver_base import DriverResponse
from bot.standin.event_driver import EventsDriver
from bot.standin.models import JSON, ApiError, RecordedMessage, StoredView
from bot.standin.payloads import (
    DriverError,
    action_label,
    action_of,
    find_action,
    state_values,
)
from bot.standin.render import plain
from bot.standin.shapes import bot_profile, message_json


class SlackDriver(EventsDriver):
    """Plays the people: sends what Slack sends when they use the app, and records it."""

    def _common(self, kind: str, user_id: str) -> JSON:
        return {
            "type": kind,
            "user": self.user_ref(user_id),
            "api_app_id": self.ws.app_id,
            "token": self.verification_token,
            "team": self.team_ref(),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def slash_command(
        self, user_id: str, text: str, command: str = "/mentorship", channel_id: str | None = None
    ) -> DriverResponse:
        """The user runs a slash command (in their DM with the app unless channel_id is given)."""
        channel = self.ws.channel(channel_id) if channel_id else self.ws.ensure_im(user_id)
        name = "directmessage" if channel.is_im else channel.name
        fields = {
            "token": self.verification_token,
            "team_id": self.ws.team_id,
            "team_domain": self.ws.team_domain,
            "channel_id": channel.id,
            "channel_name": name,
            "user_id": user_id,
            "user_name": self.ws.name_of(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.ws.app_id,
            "is_enterprise_install": "false",
            "response_url": self.standin.new_response_url(user_id, channel.id),
            "trigger_id": self.standin.issue_trigger(user_id),
        }
        typed = plain(text, self.ws.name_of)
        self.ws.note(f"{self.name(user_id)} ran {command} {typed}".rstrip())
        response = self.post_form(fields)
        self.record_ack(user_id, channel.id, response)
        return response

    def _open_view(self, user_id: str, view_id: str) -> StoredView:
        stored = self.standin.view(view_id)
        self.require(stored.user_id == user_id, f"view {view_id} belongs to {stored.user_id}")
        self.require(stored.is_open, f"view {view_id} is not open")
        return stored

    def submit_view(
        self, user_id: str, view_id: str, values: Mapping[str, Any] | None = None
    ) -> DriverResponse:
        """The user fills inputs (by label or block_id) and presses the modal's submit button."""
        stored = self._open_view(user_id, view_id)
        state = state_values(stored.view, dict(values or {}), self.resolve)
        view = {"previous_view_id": None, **stored.view, "state": {"values": state}}
        payload = self._common("view_submission", user_id)
        payload.update({"trigger_id": self.standin.issue_trigger(user_id), "view": view})
        payload["response_urls"] = []
        self.ws.note(f"{self.name(user_id)} submitted '{stored.title}'")
        response = self.post_payload(payload)
        self._apply(stored, response)
        return response

    def _apply(self, stored: StoredView, response: DriverResponse) -> None:
        """Do to the stand-in's views what Slack does with the bot's answer to a submission."""
        who = self.name(stored.user_id)
        if response.status != 200:
            self.ws.note(f"{who} saw an error: the app answered HTTP {response.status}")
            return
        data = response.json or {}
        action = data.get("response_action")
        if action is None:
            self.ws.close_modal(stored.id)
            self.ws.note_view("closed", stored)
        elif action == "errors":
            errors = data.get("errors") or {}
            shown = "; ".join(f"{k}: {v}" for k, v in errors.items())
            self.ws.note(f"{who} saw errors in '{stored.title}': {shown}")
        elif action in ("update", "push"):
            view = data.get("view")
            problems = view_errors(view)
            self.require(not problems, f"Slack would reject the {action} view: {problems}")
            assert isinstance(view, dict)
            try:
                if action == "update":
                    replace_view(self.ws, stored, view)
                else:
                    push_view(self.ws, stored.user_id, view)
            except ApiError as exc:
                raise DriverError(f"response_action={action} failed: {exc.code}") from exc
        elif action == "clear":
            self.ws.close_modal(stored.id, whole_stack=True)
            self.ws.note(f"all modals closed for {who}")
        else:
            raise DriverError(f"unknown response_action {action!r}")

    def close_view(self, user_id: str, view_id: str) -> DriverResponse:
        """The user closes a modal; view_closed is sent only if the view asked (notify_on_close)."""
        stored = self._open_view(user_id, view_id)
        self.ws.close_modal(view_id)
        self.ws.note(f"{self.name(user_id)} closed '{stored.title}'")
        if not stored.view.get("notify_on_close"):
            return DriverResponse(0, "", None, sent=False)
        payload = self._common("view_closed", user_id)
        payload.update({"view": {"previous_view_id": None, **stored.view}, "is_cleared": False})
        return self.post_payload(payload)

    def _visible(self, user_id: str, message: RecordedMessage) -> bool:
        if message.deleted:
            return False
        if message.ephemeral_to is not None:
            return message.ephemeral_to == user_id
        channel = self.ws.channels.get(message.channel)
        return channel is not None and user_id in channel.members

    def _locate(
        self,
        user_id: str,
        action_id: str,
        message: RecordedMessage | str | None,
        view_id: str | None,
        block_id: str | None = None,
    ) -> tuple[RecordedMessage | StoredView, str, JSON]:
        with self.ws.lock:
            places: list[RecordedMessage | StoredView]
            if view_id is not None:
                places = [self.standin.view(view_id)]
            elif isinstance(message, RecordedMessage):
                places = [message]
            elif isinstance(message, str):
                places = [m for m in self.ws.messages if m.ts == message]
            else:
                home = self.standin.home_view(user_id)
                places = [*reversed(self.ws.open_modals(user_id)), *([home] if home else [])]
                places += [m for m in reversed(self.ws.messages) if self._visible(user_id, m)]
            for place in places:
                found = find_action(place.blocks, action_id, block_id)
                if found is not None:
                    return place, found[0], found[1]
        raise DriverError(f"{user_id} sees no element with action_id {action_id!r}")

    def click(
        self,
        user_id: str,
        action_id: str,
        *,
        message: RecordedMessage | str | None = None,
        view_id: str | None = None,
        value: Any = None,
        block_id: str | None = None,
        forge: Mapping[str, Any] | None = None,
    ) -> DriverResponse:
        """The user uses a button/select (by action_id, in `block_id` if given) in a message or
        view: block_actions. `forge` overrides fields of the action as a tampering client could
        (e.g. {"value": "17"}); Slack signs whatever the client sent."""
        place, block_id, element = self._locate(user_id, action_id, message, view_id, block_id)
        action = action_of(block_id, element, value, self.resolve, self.ws.next_ts())
        action.update(forge or {})
        payload = self._common("block_actions", user_id)
        payload["trigger_id"] = self.standin.issue_trigger(user_id)
        if isinstance(place, StoredView):
            payload["container"] = {"type": "view", "view_id": place.id}
            values = state_values(place.view, {}, self.resolve)
            payload["view"] = {"previous_view_id": None, **place.view, "state": {"values": values}}
        else:
            payload.update(self._message_context(user_id, place))
        payload["actions"] = [action]
        verb = "clicked" if element.get("type") == "button" else "chose"
        self.ws.note(f"{self.name(user_id)} {verb} '{action_label(element, action)}'")
        return self.post_payload(payload)

    def _message_context(self, user_id: str, message: RecordedMessage) -> JSON:
        channel = self.ws.channels.get(message.channel)
        container: JSON = {"type": "message", "message_ts": message.ts}
        container.update({"channel_id": message.channel, "is_ephemeral": message.is_ephemeral})
        if message.thread_ts is not None:
            container["thread_ts"] = message.thread_ts
        name = "directmessage" if channel is None or channel.is_im else channel.name
        context: JSON = {
            "container": container,
            "channel": {"id": message.channel, "name": name},
            "state": {"values": state_values({"blocks": message.blocks}, {}, self.resolve)},
            "response_url": self.standin.new_response_url(user_id, message.channel, message.ts),
        }
        if not message.is_ephemeral:
            context["message"] = self._message_json(message)
        return context

    def _message_json(self, message: RecordedMessage) -> JSON:
        """A message as Slack puts it in payloads (the app's own carry its bot profile)."""
        profile = None
        if message.bot_id == self.ws.bot_id:
            profile = bot_profile(
                bot_id=self.ws.bot_id,
                app_id=self.ws.app_id,
                team_id=self.ws.team_id,
                name=self.ws.bot_name,
                with_user=None,
            )
        return message_json(message, team_id=self.ws.team_id, profile=profile)

    # ---- shortcuts (Slack's `shortcut` and `message_action` payloads)
    def _shortcut(self, kind: str, user_id: str, callback_id: str) -> JSON:
        return {
            "type": kind,
            "token": self.verification_token,
            "action_ts": self.ws.next_ts(),
            "team": self.team_ref(),
            "user": self.user_ref(user_id),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.standin.issue_trigger(user_id),
        }

    def global_shortcut(self, user_id: str, callback_id: str, name: str = "") -> DriverResponse:
        """The user picks one of the app's global shortcuts (the shortcuts menu beside the
        message box, or search): a `shortcut` payload, with no channel and no message."""
        payload = self._shortcut("shortcut", user_id, callback_id)
        self.ws.note(f"{self.name(user_id)} used the shortcut '{name or callback_id}'")
        return self.post_payload(payload)

    def message_shortcut(
        self, user_id: str, callback_id: str, message: RecordedMessage, name: str = ""
    ) -> DriverResponse:
        """The user picks one of the app's message shortcuts on `message` (More actions):
        a `message_action` payload with the message, its channel and a response_url. Slack
        offers them only on messages the person can see, never on ephemeral ones."""
        self.require(not message.is_ephemeral, "Slack has no shortcuts on ephemeral messages")
        self.require(self._visible(user_id, message), f"{user_id} cannot see that message")
        channel = self.ws.channels.get(message.channel)
        payload = self._shortcut("message_action", user_id, callback_id)
        payload.update(
            {
                "channel": {
                    "id": message.channel,
                    "name": "directmessage" if channel is None or channel.is_im else channel.name,
                },
                "message_ts": message.ts,
                "message": self._message_json(message),
                "response_url": self.standin.new_response_url(user_id, message.channel),
            }
        )
        where = self.ws.where(message).split(" (")[0]
        self.ws.note(f"{self.name(user_id)} used '{name or callback_id}' on a message in {where}")
        return self.post_payload(payload)
