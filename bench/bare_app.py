"""The reference: a bare Bolt app on the same waitress settings as `mentorship-bot serve`.

    python -m bench.bare_app --port PORT --api-url URL   (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)

It answers `/mentorship` by acking and opening a fixed modal (the bot's own plan modal, built
once at start-up, so both send Slack the same bytes) and `/mentorship help` with a line of text,
acks every modal submission, and answers a DM with one chat.postMessage. Nothing else: no
database, no middleware.

With `--calls`, a modal submission also makes the Slack calls a plan submission needs, and
nothing else: `users.info` for the two people it names (in parallel, before the ack, as the
bot checks them before answering), then after the ack one chat.postMessage to each. That is
the floor of the bot's submission for Slack's part: the bot's figure against it is what its
own work (storage, the outbox, planning) adds.

With `--writes DATABASE_URL`, a DM is also stored before its reply: one INSERT of the message
(workspace, person, channel, ts, text, time) into a table of its own, committed, written the
plain way (SQLAlchemy Core in `engine.begin()`, on an engine made as the bot makes its own, so
SQLite has the same WAL and synchronous settings; on SQLite one write at a time in the process,
under a lock, as the bot's writes take their turn, rather than in SQLite's busy-wait sleeps).
That is the floor of the bot's DM reply for one durable write: the bot's figure against it is
what the rest of its work (finding the open prompt, moving it on, the reply it writes) adds.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, Text

from bot.plans.modal import build_plan_modal
from bot.server import BotServer
from storage.db import make_engine

CALLBACK_ID = "bench_fixed_modal"
MESSAGES = Table(
    "bench_messages",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("team_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("ts", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def build_app(
    token: str,
    signing_secret: str,
    api_url: str,
    calls: bool = False,
    writes: Engine | None = None,
) -> App:
    modal = build_plan_modal(tz="Europe/Berlin", private_metadata={}, callback_id=CALLBACK_ID)
    view = modal.to_dict()  # serialised (and validated) once: a fixed modal
    app = App(
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=api_url),
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    @app.command("/mentorship")
    def on_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        if (command.get("text") or "").strip() == "help":
            ack(text="Usage: /mentorship start [@mentee] [@mentor]")
            return
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=view)

    lookups = ThreadPoolExecutor(max_workers=8)

    @app.view(CALLBACK_ID)
    def on_submit(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        if not calls:
            ack()
            return
        people = _selected_users(view)
        names = [str(u["user"].get("real_name") or "") for u in lookups.map(_info(client), people)]
        ack()
        for user, name in zip(people, names, strict=True):
            client.chat_postMessage(channel=user, text=f"{name}: your mentorship plan is stored.")

    turn = threading.Lock() if writes is not None and writes.dialect.name == "sqlite" else None

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if writes is not None:
            with turn or nullcontext(), writes.begin() as conn:
                conn.execute(
                    MESSAGES.insert().values(
                        team_id=str(body.get("team_id") or ""),
                        user_id=str(event.get("user") or ""),
                        channel=event["channel"],
                        ts=event["ts"],
                        text=str(event.get("text") or ""),
                        created_at=datetime.now(UTC),
                    )
                )
        client.chat_postMessage(channel=event["channel"], text="Thanks, noted.")

    return app


def _selected_users(view: dict[str, Any]) -> list[str]:
    """The people the submitted modal names (its user selects)."""
    values = (view.get("state") or {}).get("values") or {}
    return [
        str(field["selected_user"])
        for block in values.values()
        for field in block.values()
        if field.get("selected_user")
    ]


def _info(client: WebClient) -> Any:
    return lambda user: client.users_info(user=user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", action="store_true", help="submissions make their Slack calls")
    parser.add_argument("--writes", metavar="DATABASE_URL", help="store each DM before its reply")
    args = parser.parse_args()
    writes = None
    if args.writes:
        writes = make_engine(args.writes)
        MESSAGES.create(writes, checkfirst=True)
    app = build_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        args.api_url,
        args.calls,
        writes,
    )
    bolt = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        result: Iterable[bytes] = bolt(environ, start_response)
        return result

    server = BotServer(wsgi, "127.0.0.1", args.port, threads=args.threads)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    server.run()


if __name__ == "__main__":
    main()
