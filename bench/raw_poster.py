"""The dispatch reference: one thread posting nudge-shaped messages with chat.postMessage, one
after another, through the same kind of WebClient the dispatcher uses, with no database.

    python -m bench.raw_poster --api-url URL --count N --result PATH   (SLACK_BOT_TOKEN)

Writes {"seconds": ..., "cpu": ..., "posted": ...} to PATH: the floor for sending N messages
from one Python process, which the dispatcher's nudges per second are compared with.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from slack_sdk import WebClient

from bot.meetings.messages import MeetingFacts, nudge


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    # slack_sdk's client as it comes (a new connection per call), as in every earlier run
    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=args.api_url, timeout=10, retry_handlers=[]
    )
    facts = MeetingFacts(
        meeting_id=1,
        at=datetime(2027, 3, 2, 10, 0, tzinfo=UTC),
        reader_tz="Europe/Berlin",
        partner_name="Person UA00000001",
        partner_tz="Europe/Berlin",
        format="online",
        channels=["chat", "calls"],
        focus="Lead a design review",
    )
    text, blocks = nudge(facts)
    cpu0, start = os.times(), time.monotonic()
    for i in range(args.count):
        client.chat_postMessage(
            channel=f"U{'AB'[i % 2]}{i // 2 + 1:08d}",  # the pairs' mentors and mentees
            text=text,
            blocks=blocks,
            unfurl_links=False,
            metadata={"event_type": "bench_raw", "event_payload": {"n": i}},
        )
    seconds, cpu1 = time.monotonic() - start, os.times()
    cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    args.result.write_text(json.dumps({"seconds": seconds, "cpu": cpu, "posted": args.count}))


if __name__ == "__main__":
    main()
