"""Where Slack's reference data lives, for every test that reads it (one place).

The folder holds JSON that Slack published: recorded Web API responses and payloads from
slackapi/java-slack-sdk (`json-logs/samples`) and the method reference from docs.slack.dev. It is
not part of this repository. Tests look for it:

1. in `SLACK_REFERENCE_DIR` when that is set; it must then exist (a wrong path fails loudly);
2. else in `../shared/slack-reference` beside the repository clone.

When neither is there (a fresh clone), the tests that need it are skipped with one line saying so.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ENV = "SLACK_REFERENCE_DIR"
REPO = Path(__file__).resolve().parents[2]
# A marker every copy of the folder has.
MARKER = Path("java-slack-sdk") / "api"
SKIP_REASON = (
    "Slack reference data not found (set SLACK_REFERENCE_DIR, or put it at "
    "../shared/slack-reference beside the clone): Slack's recorded API responses and payloads "
    "from github.com/slackapi/java-slack-sdk json-logs/samples, and the method reference from "
    "docs.slack.dev/reference/methods"
)


def candidates() -> list[Path]:
    """../shared/slack-reference relative to the repository (as resolved, and as reached)."""
    found = [REPO.parent / "shared" / "slack-reference"]
    found.append(Path(__file__).absolute().parents[3] / "shared" / "slack-reference")
    return list(dict.fromkeys(found))


def locate() -> Path | None:
    """The reference folder, None when there is none; a set but wrong SLACK_REFERENCE_DIR fails."""
    configured = os.environ.get(ENV)
    if configured:
        path = Path(configured).expanduser()
        if not (path / MARKER).is_dir():
            pytest.fail(
                f"{ENV}={configured} does not hold Slack's reference data "
                f"(no {MARKER}/ inside); fix or unset it",
                pytrace=False,
            )
        return path
    for candidate in candidates():
        if (candidate / MARKER).is_dir():
            return candidate
    return None


@cache
def _located() -> Path | None:
    return locate()


def reference_dir() -> Path:
    """The reference folder, or skip the calling test when it is absent."""
    path = _located()
    if path is None:
        pytest.skip(SKIP_REASON)
    return path


@cache
def load(relative: str) -> Any:
    """A JSON file of the reference folder, by its path inside it (skips when absent)."""
    return json.loads((reference_dir() / relative).read_text())
