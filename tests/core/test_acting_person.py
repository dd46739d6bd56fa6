"""Who acted, from a signed request: people doing something, not Slack reporting on them."""

from __future__ import annotations

from bot.core.payload import acting_person

U = "U0OMAR0001"


def test_people_acting() -> None:
    assert acting_person({"command": "/mentorship", "user_id": U}) == U
    for kind in ("block_actions", "view_submission", "shortcut", "message_action"):
        assert acting_person({"type": kind, "user": {"id": U}}) == U, kind
    home = {"type": "event_callback", "event": {"type": "app_home_opened", "user": U}}
    assert acting_person(home) == U
    dm = {"event": {"type": "message", "channel_type": "im", "user": U, "text": "hi"}}
    assert acting_person(dm) == U


def test_slack_reporting_on_someone_is_no_one_acting() -> None:
    change = {"event": {"type": "user_change", "user": {"id": U, "tz": "Europe/Berlin"}}}
    assert acting_person(change) is None
    assert acting_person({"event": {"type": "app_uninstalled"}}) is None
    bot = {"event": {"type": "message", "channel_type": "im", "bot_id": "B1", "user": U}}
    assert acting_person(bot) is None
    edited = {"event": {"type": "message", "channel_type": "im", "subtype": "message_changed"}}
    assert acting_person(edited) is None
    channel = {"event": {"type": "message", "channel_type": "channel", "user": U}}
    assert acting_person(channel) is None
    assert acting_person({"type": "view_closed", "user": {"id": U}}) is None
