"""A file lands in a person's DM through Slack's three upload steps, with its message."""

from __future__ import annotations

from bot.core.slack import make_client, upload_to_dm
from bot.standin import SlackStandIn
from tests.kit.workspace import MAYA, TOKEN


def test_a_file_goes_to_the_persons_dm_with_its_comment(standin: SlackStandIn) -> None:
    client = make_client(TOKEN, standin.api_url)
    file_id = upload_to_dm(
        client, MAYA, filename="plan.ics", content="BEGIN:VCALENDAR\r\n", title="Plan", comment="📅"
    )
    (stored,) = standin.dm_files(MAYA)
    assert stored.id == file_id and stored.name == "plan.ics"
    assert standin.file_content(stored.id) == b"BEGIN:VCALENDAR\r\n"
    assert [m.text for m in standin.dm_messages(MAYA)] == ["📅"]
    assert [name for name, _ in standin.calls][:1] == ["conversations.open"]
