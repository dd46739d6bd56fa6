"""Configuration: parsed once from TOML and the environment, validated, frozen."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///mentorship.sqlite3"
DEFAULT_CONFIG_PATH = Path("config.toml")


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names the key and the problem."""


@dataclass(frozen=True)
class SlackConfig:
    api_url: str = DEFAULT_API_URL
    bot_token: str = ""
    signing_secret: str = ""
    client_id: str = ""
    client_secret: str = ""
    authorize_url: str = "https://slack.com/oauth/v2/authorize"

    @property
    def oauth_enabled(self) -> bool:
        """Multi-workspace installs: both OAuth credentials are set."""
        return bool(self.client_id and self.client_secret)


@dataclass(frozen=True)
class ServerConfig:
    host: str = "0.0.0.0"
    port: int = 3000
    threads: int = 8
    # The HTTPS address people reach this server at; turns on private calendar links.
    public_url: str = ""


@dataclass(frozen=True)
class SchedulerConfig:
    tick_seconds: float = 30.0
    nudge_lead_hours: float = 24.0
    horizon_days: int = 28
    lease_seconds: float = 120.0
    senders: int | None = None  # None: by database (bot/delivery/senders.py)


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "info"
    format: str = "text"


@dataclass(frozen=True)
class ReflectionConfig:
    reminder_hours: float = 48.0
    window_days: float = 7.0


@dataclass(frozen=True)
class ClockConfig:
    start: datetime | None = None
    speed: float = 1.0


@dataclass(frozen=True)
class ProgramConfig:
    admins: tuple[str, ...] = ()
    workspace_admins: bool = True


@dataclass(frozen=True)
class Config:
    slack: SlackConfig = field(default_factory=SlackConfig)
    database_url: str = DEFAULT_DATABASE_URL
    server: ServerConfig = field(default_factory=ServerConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    clock: ClockConfig = field(default_factory=ClockConfig)
    program: ProgramConfig = field(default_factory=ProgramConfig)
    reflection: ReflectionConfig = field(default_factory=ReflectionConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)


_KNOWN: dict[str, set[str]] = {
    "slack": {"api_url", "authorize_url"},
    "database": {"url"},
    "server": {"host", "port", "threads", "public_url"},
    "scheduler": {"tick_seconds", "nudge_lead_hours", "horizon_days", "lease_seconds", "senders"},
    "clock": {"start", "speed"},
    "program": {"admins", "workspace_admins"},
    "reflection": {"reminder_hours", "window_days"},
    "logging": {"level", "format"},
}


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read `path` (or ./config.toml when present), apply the environment, validate."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    if path is None and DEFAULT_CONFIG_PATH.exists():
        path = DEFAULT_CONFIG_PATH
    if path is not None:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return parse_config(data, env)


def parse_config(data: Mapping[str, Any], env: Mapping[str, str]) -> Config:
    """Build a validated Config from parsed TOML and environment variables."""
    for section, value in data.items():
        if section not in _KNOWN:
            raise ConfigError(f"[{section}]: unknown section (known: {', '.join(sorted(_KNOWN))})")
        if not isinstance(value, Mapping):
            raise ConfigError(f"[{section}]: must be a table")
        for key in value:
            if key not in _KNOWN[section]:
                known = ", ".join(sorted(_KNOWN[section]))
                raise ConfigError(f"{section}.{key}: unknown key (known: {known})")

    def get(section: str, key: str) -> Any:
        return data.get(section, {}).get(key)

    api_url = _setting(env, "SLACK_API_URL", get("slack", "api_url"), DEFAULT_API_URL)
    _require_str("slack.api_url", api_url)
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"slack.api_url: must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"
    authorize_url = _setting(
        env, None, get("slack", "authorize_url"), "https://slack.com/oauth/v2/authorize"
    )
    _require_str("slack.authorize_url", authorize_url)
    slack = SlackConfig(
        api_url=api_url,
        bot_token=env.get("SLACK_BOT_TOKEN", ""),
        signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
        client_id=env.get("SLACK_CLIENT_ID", ""),
        client_secret=env.get("SLACK_CLIENT_SECRET", ""),
        authorize_url=authorize_url,
    )
    if bool(slack.client_id) != bool(slack.client_secret):
        raise ConfigError(
            "SLACK_CLIENT_ID / SLACK_CLIENT_SECRET: set both for multi-workspace installs, or neither"
        )

    db_url = _setting(env, "DATABASE_URL", get("database", "url"), DEFAULT_DATABASE_URL)
    _require_str("database.url (or DATABASE_URL)", db_url)
    if "://" not in db_url:
        raise ConfigError(f"database.url: not a database URL: {db_url!r}")

    port = _int("server.port (or PORT)", _setting(env, "PORT", get("server", "port"), 3000))
    if not 0 <= port <= 65535:
        raise ConfigError(f"server.port (or PORT): must be 0..65535, got {port}")
    host = _setting(env, "HOST", get("server", "host"), "0.0.0.0")
    _require_str("server.host (or HOST)", host)
    if host != host.strip():
        raise ConfigError(f"server.host (or HOST): no spaces around the address, got {host!r}")
    threads = _int("server.threads", _setting(env, None, get("server", "threads"), 8))
    if threads < 1:
        raise ConfigError(f"server.threads: must be at least 1, got {threads}")
    public_url = env.get("PUBLIC_URL") or get("server", "public_url") or ""
    if not isinstance(public_url, str) or (
        public_url and not public_url.startswith(("https://", "http://"))
    ):
        raise ConfigError(
            f"server.public_url (or PUBLIC_URL): must be an https:// URL, got {public_url!r}"
        )
    server = ServerConfig(host=host, port=port, threads=threads, public_url=public_url.rstrip("/"))

    clock = ClockConfig(
        start=_instant("clock.start", get("clock", "start")),
        speed=_positive("clock.speed", get("clock", "speed"), 1.0),
    )
    if clock.speed != 1.0 and clock.start is None:
        raise ConfigError("clock.speed: needs clock.start (the simulated instant to begin at)")
    # Unset, the tick follows the clock: every 30 s in real time, and no more than a simulated
    # minute apart (at least 0.1 s) when the clock runs faster, so nothing is late by hours.
    default_tick = max(0.1, min(30.0, 60.0 / clock.speed))
    scheduler = SchedulerConfig(
        tick_seconds=_positive(
            "scheduler.tick_seconds", get("scheduler", "tick_seconds"), default_tick
        ),
        nudge_lead_hours=_positive(
            "scheduler.nudge_lead_hours", get("scheduler", "nudge_lead_hours"), 24.0
        ),
        horizon_days=_whole_days("scheduler.horizon_days", get("scheduler", "horizon_days"), 28),
        lease_seconds=_positive(
            "scheduler.lease_seconds", get("scheduler", "lease_seconds"), 120.0
        ),
        senders=_senders(get("scheduler", "senders")),
    )

    admins = _admins(env, get("program", "admins"))
    workspace_admins = get("program", "workspace_admins")
    if workspace_admins is not None and not isinstance(workspace_admins, bool):
        raise ConfigError("program.workspace_admins: must be true or false")
    program = ProgramConfig(
        admins=admins,
        workspace_admins=True if workspace_admins is None else workspace_admins,
    )
    reflection = ReflectionConfig(
        reminder_hours=_positive(
            "reflection.reminder_hours", get("reflection", "reminder_hours"), 48.0
        ),
        window_days=_positive("reflection.window_days", get("reflection", "window_days"), 7.0),
    )
    if reflection.reminder_hours >= reflection.window_days * 24:
        raise ConfigError(
            "reflection.reminder_hours: must be shorter than reflection.window_days "
            "(a reminder after the prompt expired would never be sent)"
        )
    level = _choice(
        "logging.level (or LOG_LEVEL)",
        _setting(env, "LOG_LEVEL", get("logging", "level"), "info"),
        ("debug", "info", "warning", "error"),
    )
    fmt = _choice(
        "logging.format (or LOG_FORMAT)",
        _setting(env, "LOG_FORMAT", get("logging", "format"), "text"),
        ("text", "json"),
    )
    return Config(
        logging=LoggingConfig(level=level, format=fmt),
        reflection=reflection,
        slack=slack,
        database_url=db_url,
        server=server,
        scheduler=scheduler,
        clock=clock,
        program=program,
    )


def require_slack_secrets(config: Config) -> None:
    """Fail with a clear message when the Slack secrets are missing from the environment."""
    if not config.slack.bot_token and not config.slack.oauth_enabled:
        raise ConfigError("SLACK_BOT_TOKEN: not set in the environment (the bot token, xoxb-...)")
    if not config.slack.signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET: not set in the environment "
            "(Basic Information -> App Credentials in your Slack app settings)"
        )


def _setting(env: Mapping[str, str], name: str | None, value: Any, default: Any) -> Any:
    """The environment variable `name` when set and not empty, else the file's value (which
    may be anything, checked by the caller: only a missing key takes the default)."""
    if name is not None and env.get(name, "").strip():
        return env[name].strip()
    return default if value is None else value


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> str:
    """One of `allowed`, in any letter case."""
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise ConfigError(f"{key}: must be {_either(allowed)}, got {value!r}")
    return value.strip().lower()


def _either(words: tuple[str, ...]) -> str:
    return ", ".join(words[:-1]) + " or " + words[-1]


# A Slack user id as Slack writes it: U… or W… then capital letters and digits.
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")


def _admins(env: Mapping[str, str], value: Any) -> tuple[str, ...]:
    """program.admins, or MENTORSHIP_ADMINS as comma-separated user ids."""
    raw = env.get("MENTORSHIP_ADMINS", "")
    if raw.strip():
        key, admins = "MENTORSHIP_ADMINS", [a.strip() for a in raw.split(",") if a.strip()]
    else:
        key, admins = "program.admins", [] if value is None else value
    example = '["U012ABC"]' if key == "program.admins" else "U012ABC,U034DEF"
    if not isinstance(admins, list) or not all(isinstance(a, str) for a in admins):
        raise ConfigError(f"{key}: must be a list of Slack user ids like {example}")
    wrong = [a for a in admins if not _USER_ID.fullmatch(a)]
    if wrong:
        raise ConfigError(f"{key}: not a Slack user id: {wrong[0]!r} (ids look like U012ABC)")
    return tuple(dict.fromkeys(admins))


def _whole_days(key: str, value: Any, default: int) -> int:
    """A whole number of days, at least 1 (7.0 is fine, 0.5 is not)."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ConfigError(f"{key}: must be a whole number of days, got {value!r}")
    if value < 1:
        raise ConfigError(f"{key}: must be at least 1, got {value!r}")
    return int(value)


def _senders(value: Any) -> int | None:
    """How many messages a worker sends at once: unset (by database), or 1 to 8."""
    if value is None:
        return None
    senders = _int("scheduler.senders", value)
    if not 1 <= senders <= 8:
        raise ConfigError(f"scheduler.senders: must be 1 to 8, got {senders}")
    return senders


def _require_str(key: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key}: must be a non-empty string")


def _int(key: str, value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ConfigError(f"{key}: must be a whole number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: must be a whole number, got {value!r}") from None


def _positive(key: str, value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{key}: must be a number, got {value!r}")
    if value <= 0:
        raise ConfigError(f"{key}: must be greater than 0, got {value!r}")
    return float(value)


def _instant(key: str, value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(
                f"{key}: not an ISO 8601 instant: {value!r} (e.g. 2027-03-01T08:00:00Z)"
            ) from None
    else:
        raise ConfigError(f"{key}: must be an ISO 8601 string, got {value!r}")
    if parsed.tzinfo is None:
        raise ConfigError(f"{key}: needs a UTC offset or Z, got {value!r}")
    return parsed
