"""`/mentorship report csv` and the Home's *Report as CSV*: the program report, one row per pair
(counts only, never reflection text), uploaded to the program admin's DM with the bot."""

from __future__ import annotations

import io
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services
from bot.core.slack import upload_to_dm
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
    out = io.StringIO()  # the upload takes the whole file; the pairs are never all held
    with services.sessions() as session:
        rows = write_csv(report_lines(session, team_id, now), out)
    if not rows:
        return NOTHING_YET
    day = now.date()
    comment = (
        f"📎 The mentorship program on {format_local_date(day)}: {_pairs(rows)}, one row each. "
        "Counts only: reflection answers are never part of it."
    )
    try:
        upload_to_dm(
            client,
            user_id,
            filename=f"mentorship-report-{day.isoformat()}.csv",
            content=out.getvalue(),
            title=f"Mentorship program report, {format_local_date(day)}",
            comment=comment,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "an error")
        log.warning("the report CSV was not uploaded: %s", error, extra={"team_id": team_id})
        if error == "missing_scope":
            return MISSING_SCOPE.format(needed=exc.response.get("needed") or "files:write")
        return SLACK_REFUSED.format(error=error)
    return SENT.format(pairs=_pairs(rows))
