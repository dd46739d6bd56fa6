"""The program report in Slack: the full reply to `/mentorship report`, and a compact overview
for admins' Home tab. Pure builders; names come in, Block Kit objects go out."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.text import SECTION_TEXT, clip, mrkdwn
from bot.reports.report import PairLine, ProgramReport, percent
from bot.reports.totals import ProgramTotals, totals_of
from storage.models import ALL_STATUSES

PRIVATE = "Counts only — reflection answers and session notes are never part of the report."
EXPORT_HINT = "`/mentorship report csv` puts every pair in a CSV file in our DM."
HOME_REPORT_CSV = "home_report_csv"
CSV_BUTTON, CSV_LABEL = "📎 Report as CSV", "Send the program report as a CSV file to our DM"

REPORT_ADMINS_ONLY = (
    "The program report is for program admins. If you run the program, ask a workspace admin "
    "to add you with `/mentorship admins add @you`."
)


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _totals(report: ProgramTotals | ProgramReport) -> ProgramTotals:
    return report if isinstance(report, ProgramTotals) else totals_of(report)


def numbers(report: ProgramTotals) -> list[MarkdownTextObject]:
    """The headline numbers as section fields."""
    return [
        _md(f"*Active*\n{report.count('active')}"),
        _md(f"*Paused*\n{report.count('paused')}"),
        _md(f"*Completed*\n{report.count('completed')}"),
        _md(f"*Ended*\n{report.count('ended')}"),
        _md(
            f"*Meetings held*\n{report.held} of {report.planned} planned "
            f"({percent(report.held, report.planned)})"
        ),
        _md(
            f"*Reflection responses*\n{report.answered} of {report.asked} prompts "
            f"({percent(report.answered, report.asked)})"
        ),
        _md(f"*Sessions with notes*\n{report.with_notes} of {report.held} held"),
        _md(f"*Action items*\n{report.items_done} done · {report.items_open} open"),
    ]


def risk_line(p: PairLine) -> str:
    """ "• *Maya* & *Omar*: no meeting recorded since … — contact @Maya, @Omar"."""
    contacts = ", ".join(f"<@{u}>" for u in p.contacts)
    names = f"*{mrkdwn(p.mentee_name)}* &amp; *{mrkdwn(p.mentor_name)}*"
    program = f" ({mrkdwn(p.program)})" if p.program else ""
    return f"• {names}{program}: {'; '.join(p.risks)} — contact {contacts}"


def programs_text(report: ProgramTotals) -> str | None:
    """Pairs per program (and those made by hand), when any program made pairs."""
    if not report.programs:
        return None
    lines = [
        f"• *{mrkdwn(p.name)}*: {p.text()}" if p.name else f"• _Made by hand_: {p.text()}"
        for p in report.programs
    ]
    return clip("*By program*\n" + "\n".join(lines), SECTION_TEXT)


def risk_text(report: ProgramTotals, limit: int) -> str:
    """The at-risk list, cut to `limit` pairs and Slack's section size."""
    total = report.at_risk_count
    if not total:
        return "*Pairs at risk*\nNone right now."
    lines = [risk_line(p) for p in report.at_risk[:limit]]
    if total > limit:
        lines.append(f"…and {total - limit} more in the CSV export.")
    text = f"*Pairs at risk ({total})*\n" + "\n".join(lines)
    return clip(text, SECTION_TEXT, "… _(all of them in `/mentorship report` and the CSV)_")


def report_blocks(
    report: ProgramTotals | ProgramReport,
    *,
    limit: int = 15,
    counted_at: datetime | None = None,
) -> tuple[str, list[Block]]:
    """The ephemeral reply to `/mentorship report`, saying when it was counted when that was
    not just now (`counted_at`: a large workspace's snapshot)."""
    t = _totals(report)
    statuses = ", ".join(f"{t.count(s)} {s}" for s in ALL_STATUSES)
    text = f"Mentorship program: {statuses}; {t.at_risk_count} at risk."
    by_program = programs_text(t)
    when = f"{counted_line(counted_at)} " if counted_at is not None else ""
    return text, [
        HeaderBlock(text="Mentorship program"),
        SectionBlock(fields=numbers(t)),
        *([SectionBlock(block_id="programs", text=_md(by_program))] if by_program else []),
        SectionBlock(text=_md(risk_text(t, limit))),
        ContextBlock(elements=[_md(f"{when}{PRIVATE} {EXPORT_HINT}")]),
    ]


def counted_line(at: datetime) -> str:
    """ "Counted at 14:05 (large programs are recounted every few minutes)", in the reader's
    own time zone (Slack formats the date token)."""
    unix = int(at.timestamp())
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Counted <!date^{unix}^{{date_short_pretty}} at {{time}}|{fallback}> "
        "(large programs are recounted every few minutes)."
    )


def overview_blocks(
    report: ProgramTotals | ProgramReport, counted_at: datetime | None = None
) -> list[Block]:
    """The compact program overview at the bottom of an admin's Home tab (4 blocks), saying
    when it was counted when that was not just now (`counted_at`)."""
    t = _totals(report)
    when = f" {counted_line(counted_at)}" if counted_at is not None else ""
    return [
        HeaderBlock(text="Program overview"),
        SectionBlock(fields=numbers(t)),
        SectionBlock(text=_md(risk_text(t, 5))),
        SectionBlock(
            block_id="overview_csv",
            text=_md(
                "`/mentorship report` has the full list; the CSV has every pair, one row each."
                + when
            ),
            accessory=ButtonElement(
                text=CSV_BUTTON, action_id=HOME_REPORT_CSV, accessibility_label=CSV_LABEL
            ),
        ),
    ]
