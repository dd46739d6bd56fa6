"""Multi-workspace installs: OAuth through Bolt with slack_sdk's SQLAlchemy stores, a token per
workspace for every scheduled send, uninstalls that stop one workspace and keep its data."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from storage.models import Delivery, Pair, Workspace
from storage.workspaces import purge_team
from tests.kit.oauth import CLIENT_ID, CLIENT_SECRET, Org, install, start_plan
from tests.kit.reference import load
from tests.kit.workspace import MAYA, OMAR, wait_for


def test_two_workspaces_install_run_and_one_uninstalls(org: Org) -> None:
    assert "slack://app?team=T0AAAAAAA1" in install(org, org.a, OMAR)
    install(org, org.b, OMAR)
    with org.runtime.services.sessions() as s:
        assert {w.team_id: w.status for w in s.scalars(select(Workspace))} == {
            "T0AAAAAAA1": "active",
            "T0BBBBBBB1": "active",
        }
    # The same people (same user ids) start a mentorship in each workspace.
    for standin in (org.a, org.b):
        start_plan(org, standin)
    org.tick()
    # Each workspace's DMs went out with that workspace's own token.
    assert len(org.a.dm_messages(MAYA)) == 1 and len(org.b.dm_messages(MAYA)) == 1
    with org.runtime.services.sessions() as s:
        assert sorted(p.team_id for p in s.scalars(select(Pair))) == ["T0AAAAAAA1", "T0BBBBBBB1"]
    # Workspace B removes the app: its schedules stop, A goes on, B's data stays.
    driver_b = org.driver(org.b)
    assert driver_b.send_event({"type": "app_uninstalled"}).status == 200
    wait_for(lambda: _status(org, "T0BBBBBBB1") == "uninstalled", what="the uninstall")
    org.clock.advance(timedelta(days=8))  # past the first meeting's nudge
    org.tick()
    nudges_a = [m for m in org.a.dm_messages(MAYA) if "mentorship session" in m.text]
    nudges_b = [m for m in org.b.dm_messages(MAYA) if "mentorship session" in m.text]
    assert nudges_a and not nudges_b
    with org.runtime.services.sessions() as s:
        pending_b = s.scalars(
            select(Delivery).where(Delivery.team_id == "T0BBBBBBB1", Delivery.status == "pending")
        ).all()
        assert pending_b == []
        assert len(s.scalars(select(Pair).where(Pair.team_id == "T0BBBBBBB1")).all()) == 1
    # Its installation is forgotten: a request from B no longer authorizes.
    assert "/mentorship start" in org.driver(org.a).slash_command(OMAR, "help").body
    assert "/mentorship start" not in org.driver(org.b).slash_command(OMAR, "help").body
    # An operator removes B's data for good; A is untouched.
    with org.runtime.services.sessions.begin() as s:
        counts = purge_team(s, "T0BBBBBBB1")
    assert counts["pairs"] == 1
    with org.runtime.services.sessions() as s:
        assert [p.team_id for p in s.scalars(select(Pair))] == ["T0AAAAAAA1"]


def _status(org: Org, team: str) -> str | None:
    with org.runtime.services.sessions() as s:
        row = s.get(Workspace, team)
        return row.status if row else None


def test_oauth_access_answer_matches_slacks_recorded_keys(slack_reference: Path, org: Org) -> None:
    reference = load("java-slack-sdk/api/oauth.v2.access.json")
    code = org.a.issue_oauth_code(OMAR)
    body = urllib.parse.urlencode(
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code}
    ).encode()
    with urllib.request.urlopen(
        urllib.request.Request(org.a.api_url + "oauth.v2.access", data=body), timeout=5
    ) as r:
        answer = json.loads(r.read())
    assert answer["ok"] is True
    for key, value in answer.items():
        assert key in reference, key
        if value is not None:  # Slack sends "enterprise": null outside Enterprise Grid
            assert type(value) is type(reference[key]) or key == "ok", key
