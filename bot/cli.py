"""The `mentorship-bot` command line."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from bot.core.config import Config, ConfigError, load_config, require_slack_secrets
from bot.core.logs import setup_logging
from storage.db import SchemaOutdated

log = logging.getLogger("bot")


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="mentorship-bot", description=__doc__)
    parser.add_argument(
        "--config", type=Path, default=None, help="TOML file (default: ./config.toml if present)"
    )
    sub = parser.add_subparsers(title="commands")

    serve = sub.add_parser("serve", help="serve Slack traffic over HTTP (and run the scheduler)")
    serve.add_argument("--no-scheduler", action="store_true", help="serve HTTP only")
    serve.set_defaults(func=cmd_serve)

    socket = sub.add_parser(
        "socket", help="receive Slack traffic over Socket Mode (SLACK_APP_TOKEN)"
    )
    socket.add_argument("--no-scheduler", action="store_true", help="Socket Mode only")
    socket.set_defaults(func=cmd_socket)

    worker = sub.add_parser("worker", help="run only the scheduler (planning and sending)")
    worker.set_defaults(func=cmd_worker)

    demo = sub.add_parser("demo", help="play a mentorship against the bundled Slack stand-in")
    demo.add_argument("--quiet", action="store_true", help="print only the transcript")
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(title="db commands")
    upgrade = db_sub.add_parser("upgrade", help="apply migrations up to the newest schema")
    upgrade.set_defaults(func=cmd_db_upgrade)

    doctor = sub.add_parser("doctor", help="check configuration, database, token and scopes")
    doctor.set_defaults(func=cmd_doctor)

    backup = sub.add_parser("backup", help="make a consistent copy of the SQLite database")
    backup.add_argument("path", type=Path, help="where to write the copy (a new file)")
    backup.set_defaults(func=cmd_backup)

    purge = sub.add_parser("purge-team", help="delete every stored row of one workspace")
    purge.add_argument("team_id", help="the workspace id, e.g. T012AB3C4")
    purge.add_argument("--yes", action="store_true", help="really delete (required)")
    purge.set_defaults(func=cmd_purge_team)

    export = sub.add_parser("export", help="write the program report (one row per pair)")
    export.add_argument("--csv", type=Path, required=True, metavar="PATH", help="CSV file to write")
    export.add_argument(
        "--team", action="append", default=[], metavar="T", help="only this workspace (repeatable)"
    )
    export.set_defaults(func=cmd_export)

    manifest = sub.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--url", required=True, help="public base URL, e.g. https://bot.example")
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


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the set-up and print each problem with its fix."""
    from bot.ops.doctor import run_doctor

    return run_doctor(_config(args), print)


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database consistently, even while the bot runs."""
    from bot.ops.backup import backup_sqlite

    config = _config(args)
    pages = backup_sqlite(config.database_url, args.path)
    print(
        f"Backed up {_safe_url(config.database_url)} to {args.path} ({pages} pages, integrity ok)."
    )
    return 0


def cmd_purge_team(args: argparse.Namespace) -> int:
    """Delete a workspace's data (after it uninstalled the app)."""
    from storage.db import make_engine, make_sessions
    from storage.workspaces import purge_team

    if not args.yes:
        print(f"This deletes every mentorship, reflection and message record of {args.team_id}.")
        print("Run again with --yes to do it. Back up first: mentorship-bot backup PATH.")
        return 2
    engine = make_engine(_config(args).database_url)
    with make_sessions(engine).begin() as session:
        counts = purge_team(session, args.team_id)
    engine.dispose()
    print(", ".join(f"{table}: {n}" for table, n in counts.items() if n) or "nothing stored")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the program report as CSV."""
    from bot.app import make_clock
    from bot.reports.export import export_csv

    config = _config(args)
    return export_csv(config, make_clock(config.clock), args.csv, args.team)


def cmd_manifest(args: argparse.Namespace) -> int:
    """Print the app manifest for a public URL."""
    from bot.workspaces.manifest import build_manifest

    url: str = args.url
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"--url: must start with https://, got {url!r}")
    print(json.dumps(build_manifest(url), indent=2))
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
    signal.signal(signal.SIGTERM, _raise_exit)
    if heartbeat:
        heartbeat.start()
    try:
        server.run()
    finally:
        if heartbeat:
            heartbeat.stop()
        runtime.engine.dispose()
        log.info("stopped")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the scheduler until SIGTERM/SIGINT."""
    from bot.app import build_runtime
    from bot.heartbeat import Heartbeat

    config = _config(args)
    setup_logging(config.logging.level, config.logging.format)
    require_slack_secrets(config)
    runtime = build_runtime(config)
    heartbeat = Heartbeat(runtime.services)
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
