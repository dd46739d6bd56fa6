"""Locating Slack's reference data: SLACK_REFERENCE_DIR first (must exist when set), then
../shared/slack-reference beside the clone; absent on a fresh clone means skip, not fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kit import reference as slack_reference
from tests.kit.reference import ENV, MARKER, SKIP_REASON, locate


def a_reference_folder(root: Path) -> Path:
    (root / MARKER).mkdir(parents=True)
    (root / MARKER / "auth.test.json").write_text('{"ok": false}')
    return root


def test_the_environment_variable_comes_first(tmp_path: Path, monkeypatch) -> None:
    folder = a_reference_folder(tmp_path / "copy")
    monkeypatch.setenv(ENV, str(folder))
    monkeypatch.setattr(slack_reference, "candidates", lambda: [tmp_path / "elsewhere"])
    assert locate() == folder


def test_a_set_but_wrong_environment_variable_fails_loudly(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "nonexistent"))
    with pytest.raises(pytest.fail.Exception, match="does not hold Slack's reference data"):
        locate()


def test_without_the_variable_the_folder_beside_the_clone_is_used(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    beside = a_reference_folder(tmp_path / "shared" / "slack-reference")
    monkeypatch.setattr(slack_reference, "candidates", lambda: [tmp_path / "nope", beside])
    assert locate() == beside
    monkeypatch.setattr(slack_reference, "candidates", lambda: [tmp_path / "nope"])
    assert locate() is None


def test_the_skip_reason_says_what_the_folder_is_and_where_slack_publishes_it() -> None:
    assert "\n" not in SKIP_REASON
    for words in ("SLACK_REFERENCE_DIR", "java-slack-sdk", "json-logs/samples", "docs.slack.dev"):
        assert words in SKIP_REASON


def test_a_clone_without_the_folder_skips_the_reference_tests(tmp_path: Path) -> None:
    """A copy of the tests with no ../shared beside it: the reference tests skip, others run."""
    repo = Path(__file__).resolve().parents[2]
    clone = tmp_path / "clone"
    for name in (
        "__init__.py",
        "kit/__init__.py",
        "kit/reference.py",
        "standin/__init__.py",
        "standin/test_conformance.py",
    ):
        (clone / "tests" / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / "tests" / name).write_text((repo / "tests" / name).read_text())
    (clone / "tests" / "conftest.py").write_text("")
    env = {k: v for k, v in os.environ.items() if k != ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(clone), str(repo)])
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "tests"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "failed" not in run.stdout
    assert "skipped" in run.stdout and "Slack reference data not found" in run.stdout
    env[ENV] = str(tmp_path / "nonexistent")
    one = "tests/standin/test_conformance.py::test_every_implemented_method_has_a_reference_file"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", one],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "does not hold Slack's reference data" in run.stdout
