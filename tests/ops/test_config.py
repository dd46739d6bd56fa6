"""Configuration parsing: defaults, environment overrides, and errors that name the key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.config import DEFAULT_API_URL, ConfigError, load_config, parse_config


def test_defaults_without_file_or_env() -> None:
    config = parse_config({}, {})
    assert config.slack.api_url == DEFAULT_API_URL
    assert config.database_url.startswith("sqlite:///")
    assert config.server.port == 3000
    assert config.clock.start is None
    assert config.scheduler.tick_seconds == 30
    assert config.scheduler.senders is None  # by database: bot/delivery/senders.py


def test_file_values_and_env_overrides(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[slack]\napi_url = "http://127.0.0.1:9/api"\n'
        '[database]\nurl = "sqlite:///x.db"\n'
        '[server]\nhost = "127.0.0.1"\nport = 8080\n'
        "[scheduler]\ntick_seconds = 0.5\nsenders = 3\n"
        '[clock]\nstart = "2027-03-01T08:00:00Z"\nspeed = 3600\n'
        '[program]\nadmins = ["U1"]\nworkspace_admins = false\n'
    )
    config = load_config(path, env={"PORT": "9090", "SLACK_BOT_TOKEN": "xoxb-1"})
    assert config.slack.api_url == "http://127.0.0.1:9/api/"
    assert config.server.port == 9090
    assert config.server.host == "127.0.0.1"
    assert config.scheduler.tick_seconds == 0.5
    assert config.scheduler.senders == 3
    assert config.clock.start == datetime(2027, 3, 1, 8, tzinfo=UTC)
    assert config.clock.speed == 3600
    assert config.program.admins == ("U1",)
    assert config.program.workspace_admins is False
    assert config.slack.bot_token == "xoxb-1"
    env = {"SLACK_API_URL": "http://x/api/", "DATABASE_URL": "postgresql://h/db"}
    config = load_config(path, env=env)
    assert config.slack.api_url == "http://x/api/"
    assert config.database_url == "postgresql://h/db"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"server": {"port": "eighty"}}, "server.port"),
        ({"server": {"port": 70000}}, "server.port"),
        ({"scheduler": {"tick_seconds": 0}}, "scheduler.tick_seconds"),
        ({"scheduler": {"tick_seconds": "fast"}}, "scheduler.tick_seconds"),
        ({"clock": {"start": "yesterday"}}, "clock.start"),
        ({"clock": {"start": "2027-03-01T08:00:00"}}, "clock.start"),
        ({"clock": {"speed": 10}}, "clock.speed"),
        ({"clock": {"start": "2027-03-01T08:00:00Z", "speed": -1}}, "clock.speed"),
        ({"slack": {"api_url": "ftp://x"}}, "slack.api_url"),
        ({"database": {"url": "nonsense"}}, "database.url"),
        ({"program": {"admins": "U1"}}, "program.admins"),
        ({"server": {"prot": 1}}, "server.prot"),
        ({"servers": {}}, "[servers]"),
    ],
)
def test_invalid_values_name_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, {})
    assert str(info.value).startswith(key)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[server\nport=1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad, env={})


def test_example_config_parses() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    config = load_config(example, env={})
    assert config.server.port == 3000


def test_tick_follows_a_fast_clock_unless_set() -> None:
    fast = {"clock": {"start": "2027-03-01T08:00:00Z", "speed": 3600}}
    assert parse_config(fast, {}).scheduler.tick_seconds == 0.1
    assert (
        parse_config(
            {"clock": {"start": "2027-03-01T08:00:00Z", "speed": 10}}, {}
        ).scheduler.tick_seconds
        == 6.0
    )
    assert parse_config({**fast, "scheduler": {"tick_seconds": 2}}, {}).scheduler.tick_seconds == 2


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        # Each of these used to fall back to the default without a word.
        ({"server": {"threads": 0}}, "server.threads", "at least 1"),
        ({"server": {"threads": 2.5}}, "server.threads", "whole number"),
        ({"server": {"host": ""}}, "server.host", "non-empty"),
        ({"server": {"host": " 127.0.0.1"}}, "server.host", "no spaces"),
        ({"server": {"port": 3000.5}}, "server.port", "whole number"),
        ({"scheduler": {"horizon_days": 0.5}}, "scheduler.horizon_days", "whole number"),
        ({"scheduler": {"horizon_days": 0}}, "scheduler.horizon_days", "at least 1"),
        ({"scheduler": {"senders": 0}}, "scheduler.senders", "1 to 8"),
        ({"scheduler": {"senders": 9}}, "scheduler.senders", "1 to 8"),
        ({"scheduler": {"senders": 1.5}}, "scheduler.senders", "whole number"),
        ({"scheduler": {"senders": "two"}}, "scheduler.senders", "whole number"),
        ({"slack": {"api_url": ""}}, "slack.api_url", "non-empty"),
        ({"database": {"url": ""}}, "database.url", "non-empty"),
        ({"logging": {"level": ""}}, "logging.level", "debug, info, warning or error"),
        ({"logging": {"level": "loud"}}, "logging.level", "debug, info, warning or error"),
        ({"logging": {"format": "xml"}}, "logging.format", "text or json"),
        ({"program": {"admins": ""}}, "program.admins", "list of Slack user ids"),
        ({"program": {"admins": ["omar"]}}, "program.admins", "not a Slack user id"),
    ],
)
def test_values_that_used_to_become_defaults_are_errors(
    data: dict[str, object], key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, {})
    assert str(info.value).startswith(key), str(info.value)
    assert words in str(info.value)


def test_level_and_format_take_any_letter_case_from_file_and_environment() -> None:
    config = parse_config({"logging": {"level": "DEBUG", "format": "JSON"}}, {})
    assert (config.logging.level, config.logging.format) == ("debug", "json")
    config = parse_config({}, {"LOG_LEVEL": "Warning", "LOG_FORMAT": "Json"})
    assert (config.logging.level, config.logging.format) == ("warning", "json")


def test_container_overrides_host_log_format_and_admins() -> None:
    file = {
        "server": {"host": "127.0.0.1"},
        "logging": {"format": "text"},
        "program": {"admins": ["U0FILE0001"]},
        "scheduler": {"horizon_days": 14.0},
    }
    env = {"HOST": "::", "LOG_FORMAT": "json", "MENTORSHIP_ADMINS": " U0LEAD0001, U0LEAD0002,, "}
    config = parse_config(file, env)
    assert config.server.host == "::"
    assert config.logging.format == "json"
    assert config.program.admins == ("U0LEAD0001", "U0LEAD0002")
    assert config.scheduler.horizon_days == 14
    # Empty variables are unset; the file's values stand.
    config = parse_config(file, {"HOST": "", "LOG_FORMAT": " ", "MENTORSHIP_ADMINS": ""})
    assert config.server.host == "127.0.0.1" and config.program.admins == ("U0FILE0001",)
    with pytest.raises(ConfigError, match=r"^MENTORSHIP_ADMINS: not a Slack user id: 'lena'"):
        parse_config({}, {"MENTORSHIP_ADMINS": "U0LEAD0001,lena"})
    with pytest.raises(ConfigError, match=r"^logging.format \(or LOG_FORMAT\)"):
        parse_config({}, {"LOG_FORMAT": "yaml"})
