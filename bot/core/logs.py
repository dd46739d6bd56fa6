"""Structured logs: one line per event, with team/pair/delivery ids, never tokens or reflections."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

CONTEXT_FIELDS = ("team_id", "pair_id", "delivery_id", "kind", "user_id", "error")
TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")


def scrub(text: str) -> str:
    """Hide anything that looks like a Slack token."""
    return TOKEN.sub(lambda m: f"{m.group(1)}-***", text)


class JsonFormatter(logging.Formatter):
    """`{"ts": ..., "level": ..., "logger": ..., "msg": ..., "team_id": ...}` per line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                data[field] = value
        if record.exc_info:
            data["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines with the same context fields as key=value pairs."""

    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        extra = " ".join(
            f"{f}={getattr(record, f)}"
            for f in CONTEXT_FIELDS
            if getattr(record, f, None) is not None
        )
        return scrub(f"{base} {extra}".rstrip())


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (it may be replaced, e.g. under pytest)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class DropRecords(logging.Filter):
    """Drops a library's records whose message starts with one of `prefixes`."""

    def __init__(self, *prefixes: str) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefixes)


# Bolt warns "As you gave `client` as well, `token` will be unused." whenever SLACK_BOT_TOKEN is
# in the environment, because the app factory hands Bolt its own client (retry handlers, the
# configured API URL) built with that very token: nothing is unused, so the warning goes.
BOLT_TOKEN_WARNING = DropRecords("As you gave `client` as well, `token` will be unused")
# Alembic logs "Context impl …" and "Will assume … DDL" each time something reads the schema
# revision, which /healthz does on every check; real migrations' lines ("Running upgrade …")
# stay.
ALEMBIC_CONTEXT = DropRecords("Context impl", "Will assume")
QUIETED = {"slack_bolt.App": BOLT_TOKEN_WARNING, "alembic.runtime.migration": ALEMBIC_CONTEXT}


NOISY = ("slack_sdk", "slack_bolt", "urllib3", "apscheduler", "waitress", "sqlalchemy")
# slack_sdk's WebClient and Bolt ask the logger they hold for its *own* level (`logger.level <=
# DEBUG`), not the level it inherits, before they build a debug line. With none of its own, each
# Slack call formatted its whole request body (a summary's blocks, the plan modal) and Bolt a
# line per middleware, for logging to drop: these loggers get their level set too.
OWN_LEVEL = ("slack_sdk.web.base_client", "slack_bolt.App")


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    """Configure the root logger once (stderr)."""
    handler = StderrHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter that would print request bodies or SQL parameters (and so reflection
    # text) stays quiet at every level: slack_sdk logs each request's body at DEBUG, Bolt
    # request and response bodies, SQLAlchemy every statement with its parameters at INFO.
    for noisy in (*NOISY, *OWN_LEVEL):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    for name, drop in QUIETED.items():
        logger = logging.getLogger(name)
        if drop not in logger.filters:
            logger.addFilter(drop)
