"""Reproducible installs: constraints.txt pins what the suite passed with, every install command
in the README uses it, `.ci/run` runs exactly the README's test command, and pyproject.toml caps
the majors that broke APIs before."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
CAPPED = ("slack-bolt", "slack-sdk", "sqlalchemy", "python-dateutil", "apscheduler")


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in [*project["dependencies"], *extras]]


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.strip().partition("==")
            assert version, f"not a pin: {line!r}"
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside {requirement}"
        )
        if "binary" in requirement.extras:
            assert f"{name}-binary" in pins


def test_majors_that_broke_apis_before_are_capped() -> None:
    bounds = {
        canonicalize_name(r.name): [s for s in r.specifier if s.operator == "<"]
        for r in _requirements()
    }
    for name in CAPPED:
        assert bounds.get(canonicalize_name(name)), f"{name} has no upper bound in pyproject"


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return [line for line in readme.splitlines() if "pip install" in line]


def test_every_install_command_uses_the_constraints() -> None:
    commands = _readme_commands()
    assert len(commands) >= 3
    for command in commands:
        assert "-c constraints.txt" in command, command


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"# 2\. Set up and run the whole test suite.*\n(.+)\n", readme)
    assert match, "the README's test command is not where it used to be"
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    verbatim = ci[ci.index("# The README's test command, verbatim:") + 1]
    assert verbatim == match.group(1)
