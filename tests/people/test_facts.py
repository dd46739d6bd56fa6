"""Facts about a person from Slack's user object: only JSON booleans count as flags (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.people.lookup import facts_from_user, flag_is_known


@pytest.mark.parametrize("deleted", ["false", "true", 1, 0, None, [], {}])
def test_a_deleted_flag_that_is_not_a_boolean_is_not_a_deactivation(deleted: Any) -> None:
    user = {"id": "U1", "deleted": deleted, "is_bot": "false", "is_admin": "yes", "tz": 5}
    facts = facts_from_user(user, "U1")
    assert (facts.deleted, facts.is_bot, facts.is_admin, facts.tz) == (False, False, False, None)
    assert not flag_is_known(user, "deleted")


def test_real_booleans_count() -> None:
    user = {"id": "U1", "deleted": True, "is_owner": True, "tz": "Europe/Berlin"}
    facts = facts_from_user(user, "U1")
    assert (facts.deleted, facts.is_admin, facts.tz) == (True, True, "Europe/Berlin")
    assert flag_is_known(user, "deleted") and flag_is_known({"deleted": False}, "deleted")
