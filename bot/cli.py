"""mentorship-bot: run the mentorship bot for Slack, and look after it (database, health,
backups, the app manifest). `mentorship-bot COMMAND --help` says more about each command."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import signal
import sys
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

from bot.core.config import Config, ConfigError, load_config, require_slack_secrets
from bot.core.logs import setup_logging
from bot.ops.maintenance import CommandFailed
from storage.db import SchemaOutdated

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger("bot")
CONFIG_HELP = "TOML file (default: ./config.toml if present)"


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments and run a subcommand; exit 2 on bad configuration."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except SchemaOutdated as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except CommandFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1


def package_version() -> str:
    """The installed package's version."""
    try:
        return version("mentorship-bot")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand; `--config` goes before or after it."""
    parser = argparse.ArgumentParser(prog="mentorship-bot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    parser.add_argument("--config", type=Path, default=None, help=CONFIG_HELP)
    # Each subcommand accepts --config too; SUPPRESS keeps a value given before the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=CONFIG_HELP)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        name: str, summary: str, details: str = "", where: Any = sub
    ) -> argparse.ArgumentParser:
        described = f"{summary[0].upper()}{summary[1:]}." + (f" {details}" if details else "")
        return cast(
            argparse.ArgumentParser,
            where.add_parser(name, help=summary, description=described, parents=[common]),
        )

    serve = command(
        "serve",
        "serve Slack traffic over HTTP (and run the scheduler)",
        "Answers POST /slack/events and GET /healthz on [server] host and port; stops "
        "gracefully on SIGTERM.",
    )
    serve.add_argument("--no-scheduler", action="store_true", help="serve HTTP only")
    serve.set_defaults(func=cmd_serve)

    socket = command(
        "socket",
        "receive Slack traffic over Socket Mode (SLACK_APP_TOKEN)",
        "No public URL needed: the app connects out to Slack.",
    )
    socket.add_argument("--no-scheduler", action="store_true", help="Socket Mode only")
    socket.set_defaults(func=cmd_socket)

    worker = command(
        "worker",
        "run only the scheduler (planning and sending)",
        "Run one or more beside `serve --no-scheduler` processes on PostgreSQL.",
    )
    worker.set_defaults(func=cmd_worker)

    demo = command(
        "demo",
        "play a mentorship against the bundled Slack stand-in",
        "Nothing leaves the machine: a local Slack stand-in, a fresh SQLite file, simulated time.",
    )
    demo.add_argument("--quiet", action="store_true", help="print only the transcript")
    demo.set_defaults(func=cmd_demo)

    db = command("db", "database maintenance", "See `db upgrade --help` and `db current --help`.")
    db_sub = db.add_subparsers(title="db commands", metavar="COMMAND")
    upgrade = command(
        "upgrade",
        "apply migrations up to the newest schema",
        "Safe to run again: an up-to-date database is left as it is.",
        db_sub,
    )
    upgrade.set_defaults(func=cmd_db_upgrade)
    current = command(
        "current",
        "print the database's schema revision and where the database is",
        "Exits 1 when the schema is not the newest this version needs.",
        db_sub,
    )
    current.set_defaults(func=cmd_db_current)

    doctor = command(
        "doctor",
        "check configuration, database, token and scopes",
        "Prints each problem with its fix; exits 1 when something is wrong.",
    )
    doctor.set_defaults(func=cmd_doctor)

    backup = command(
        "backup",
        "make a consistent copy of the SQLite database",
        "Uses SQLite's online backup API, so the bot may keep running. Never overwrites a file.",
    )
    backup.add_argument("path", type=Path, help="where to write the copy (a new file)")
    backup.set_defaults(func=cmd_backup)

    purge = command(
        "purge-team",
        "delete every stored row of one workspace",
        "Only for a workspace that uninstalled the app; back up first.",
    )
    purge.add_argument("team_id", help="the workspace id, e.g. T012AB3C4")
    purge.add_argument("--yes", action="store_true", help="really delete (required)")
    purge.set_defaults(func=cmd_purge_team)

    export = command(
        "export",
        "write the program report (one row per pair)",
        "Counts only, never reflection text. In Slack, program admins use `/mentorship report csv`.",
    )
    export.add_argument("--csv", type=Path, required=True, metavar="PATH", help="CSV file to write")
    export.add_argument(
        "--team", action="append", default=[], metavar="T", help="only this workspace (repeatable)"
    )
    export.set_defaults(func=cmd_export)

    manifest = command(
        "manifest",
        "print the Slack app manifest (JSON)",
        "Paste it at https://api.slack.com/apps -> Create New App -> From a manifest.",
    )
    where = manifest.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="public base URL, e.g. https://bot.example")
    where.add_argument(
        "--socket-mode", action="store_true", help="for Socket Mode: no URLs in the manifest"
    )
    manifest.add_argument(
        "--name", default=None, help="the app's name in Slack (default Mentorship; at most 35)"
    )
    manifest.set_defaults(func=cmd_manifest)
    return parser


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply Alembic migrations to head."""
    from storage.db import upgrade

    config = _config(args)
    upgrade(config.database_url)
    print(f"Database is at the newest schema ({_safe_url(config.database_url)}).")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    """Print the schema revision and the database's absolute location."""
    from bot.ops.maintenance import db_current

    return db_current(_config(args), print)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the set-up and print each problem with its fix."""
    from bot.ops.doctor import run_doctor

    return run_doctor(_config(args), print)


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database consistently, even while the bot runs."""
    from bot.ops.backup import BackupError, backup_sqlite

    config = _config(args)
    try:
        pages = backup_sqlite(config.database_url, args.path)
    except BackupError as exc:
        raise CommandFailed(str(exc)) from None
    print(
        f"Backed up {_safe_url(config.database_url)} to {args.path} ({pages} pages, integrity ok)."
    )
    return 0


def cmd_purge_team(args: argparse.Namespace) -> int:
    """Delete a workspace's data (after it uninstalled the app)."""
    from bot.ops.maintenance import purge_workspace

    return purge_workspace(_config(args), args.team_id, args.yes, print)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the program report as CSV."""
    from bot.app import make_clock
    from bot.reports.export import export_csv

    config = _config(args)
    return export_csv(config, make_clock(config.clock), args.csv, args.team)


def cmd_manifest(args: argparse.Namespace) -> int:
    """Print the app manifest for a public URL, or for Socket Mode."""
    from bot.workspaces.manifest import APP_NAME, NAME_MAX, build_manifest

    url: str | None = args.url
    if url is not None and not url.startswith(("https://", "http://")):
        raise ConfigError(f"--url: must start with https://, got {url!r}")
    name = APP_NAME if args.name is None else args.name.strip()
    if not name or len(name) > NAME_MAX:
        raise ConfigError(f"--name: 1 to {NAME_MAX} characters (Slack's limit), got {name!r}")
    print(json.dumps(build_manifest(url, name, socket_mode=args.socket_mode), indent=2))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve HTTP until SIGTERM/SIGINT."""
    from bot.app import build_runtime
    from bot.heartbeat import Heartbeat

    config = _config(args)
    setup_logging(config.logging.level, config.logging.format)
    require_slack_secrets(config)
    runtime = build_runtime(config)
    heartbeat = None if args.no_scheduler else Heartbeat(runtime.services)
    server = runtime.server(health=heartbeat.health if heartbeat else None)
    settle_heap()
    signal.signal(signal.SIGTERM, _raise_exit)
    if heartbeat:
        heartbeat.start()
    try:
        server.run()
    finally:
        if heartbeat:
            heartbeat.stop()
        _release_unsent(runtime.services)
        runtime.engine.dispose()
        log.info("stopped")
    return 0


def _release_unsent(services: Services) -> None:
    """Plan summaries this process claimed and did not send go back to pending."""
    from bot.plans.start import release_unsent

    try:
        released = release_unsent(services)
    except Exception:  # the database is away: their lease ends them
        log.exception("could not return unsent plan summaries to waiting; their lease will")
        return
    if released:
        log.info("%d unsent plan summaries returned to waiting", released)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the scheduler until SIGTERM/SIGINT."""
    from bot.app import build_runtime
    from bot.heartbeat import Heartbeat

    config = _config(args)
    setup_logging(config.logging.level, config.logging.format)
    require_slack_secrets(config)
    runtime = build_runtime(config)
    heartbeat = Heartbeat(runtime.services)
    settle_heap()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    heartbeat.start()
    log.info("worker running; ticking every %s s", config.scheduler.tick_seconds)
    stopped.wait()
    heartbeat.stop()
    runtime.engine.dispose()
    log.info("worker stopped")
    return 0


def cmd_socket(args: argparse.Namespace) -> int:
    """Receive Slack traffic over Socket Mode (behind a firewall, no public URL)."""
    import os

    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_runtime
    from bot.heartbeat import Heartbeat

    config = _config(args)
    setup_logging(config.logging.level, config.logging.format)
    app_token = os.environ.get("SLACK_APP_TOKEN", "")
    if not app_token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN: set it to an app-level token (xapp-...) with connections:write "
            "(Basic Information → App-Level Tokens), and enable Socket Mode for the app"
        )
    if not config.slack.bot_token:
        raise ConfigError("SLACK_BOT_TOKEN: not set in the environment (the bot token, xoxb-...)")
    runtime = build_runtime(config)
    heartbeat = None if args.no_scheduler else Heartbeat(runtime.services)
    handler = SocketModeHandler(runtime.app, app_token)
    settle_heap()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    if heartbeat:
        heartbeat.start()
    handler.connect()  # type: ignore[no-untyped-call]
    log.info("connected over Socket Mode")
    stopped.wait()
    handler.close()  # type: ignore[no-untyped-call]
    if heartbeat:
        heartbeat.stop()
    runtime.engine.dispose()
    log.info("stopped")
    return 0


def settle_heap() -> None:
    """Move what start-up built (the app and its listeners, SQLAlchemy's mappers, slack_sdk's
    models: about 135,000 objects) out of the garbage collector's sight, with the collector's
    own `gc.freeze`. They live as long as the process; before, every full collection walked
    them all: a pause of about 50 ms holding the GIL, which every request in flight waited out
    (bench/README.md, the tail of `/mentorship start` at concurrency 16)."""
    gc.collect()
    gc.freeze()


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    log.info("signal %s received: finishing in-flight work and stopping", signum)
    raise SystemExit(0)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the demo story."""
    from bot.ops.demo import run_demo

    return run_demo(quiet=args.quiet)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
