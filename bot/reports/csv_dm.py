"""`/mentorship report csv` and the Home's *Report as CSV*: the program report, one row per pair
(counts only, never reflection text), uploaded to the program admin's DM with the bot."""

from __future__ import annotations

import io
import logging
import tempfile
from urllib.error import HTTPError, URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services
from bot.core.slack import stream_to_dm
from bot.domain.timefmt import format_local_date
from bot.people.admins import is_admin
from bot.reports.report import report_lines, write_csv
from bot.reports.view import REPORT_ADMINS_ONLY

log = logging.getLogger(__name__)

NOTHING_YET = "There are no mentorships in this workspace yet, so there is nothing to export."
SENT = "📎 The CSV with {pairs} is in our DM (my *Messages* tab)."
MISSING_SCOPE = (
    "I couldn't put the file in our DM: the app lacks a permission ({needed}). Ask whoever "
    "runs the bot to update the app from `mentorship-bot manifest` and reinstall it; "
    "`mentorship-bot doctor` lists what's missing."
)
SLACK_REFUSED = (
    "I couldn't put the file in our DM: Slack answered “{error}”. Try again in a minute."
)


def _pairs(n: int) -> str:
    return f"{n} pair{'s' if n != 1 else ''}"


def send_report_csv(services: Services, client: WebClient, team_id: str, user_id: str) -> str:
    """Upload the workspace's program report as CSV to a program admin's DM; what to tell them
    (a refusal for anyone else, and nothing uploaded)."""
    if not is_admin(services, client, team_id, user_id):
        return REPORT_ADMINS_ONLY
    now = services.clock.now()
    # Written to a file that has no name on disk and streamed from it to Slack: neither the
    # pairs nor the CSV are ever all in memory, however large the workspace.
    with tempfile.TemporaryFile() as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        with services.sessions() as session:
            rows = write_csv(report_lines(session, team_id, now), out)
        out.detach()  # flushed; the file itself closes with the `with`
        if not rows:
            return NOTHING_YET
        length = raw.tell()
        raw.seek(0)
        day = now.date()
        comment = (
            f"📎 The mentorship program on {format_local_date(day)}: {_pairs(rows)}, one row "
            "each. Counts only: reflection answers are never part of it."
        )
        try:
            stream_to_dm(
                client,
                user_id,
                filename=f"mentorship-report-{day.isoformat()}.csv",
                file=raw,
                length=length,
                title=f"Mentorship program report, {format_local_date(day)}",
                comment=comment,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "an error")
            log.warning("the report CSV was not uploaded: %s", error, extra={"team_id": team_id})
            if error == "missing_scope":
                return MISSING_SCOPE.format(needed=exc.response.get("needed") or "files:write")
            return SLACK_REFUSED.format(error=error)
        except (URLError, OSError) as exc:  # Slack's file server refused or broke off
            why = f"HTTP {exc.code}" if isinstance(exc, HTTPError) else type(exc).__name__
            log.warning("the report CSV was not uploaded: %s", why, extra={"team_id": team_id})
            return SLACK_REFUSED.format(error=why)
    return SENT.format(pairs=_pairs(rows))
