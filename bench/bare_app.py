"""The reference: a bare Bolt app on the same waitress settings as `mentorship-bot serve`.

    python -m bench.bare_app --port PORT --api-url URL   (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)

It answers `/mentorship` by acking and opening a fixed modal (the bot's own plan modal, built
once at start-up, so both send Slack the same bytes) and `/mentorship help` with a line of text,
acks every modal submission, and answers a DM with one chat.postMessage. Nothing else: no
database, no middleware.
"""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Iterable
from types import FrameType
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.plans.modal import build_plan_modal
from bot.server import BotServer

CALLBACK_ID = "bench_fixed_modal"


def build_app(token: str, signing_secret: str, api_url: str) -> App:
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

    @app.view(CALLBACK_ID)
    def on_submit(ack: Ack) -> None:
        ack()

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient) -> None:
        client.chat_postMessage(channel=event["channel"], text="Thanks, noted.")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    app = build_app(os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_SIGNING_SECRET"], args.api_url)
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
