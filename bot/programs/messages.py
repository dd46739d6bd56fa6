"""What the bot says about programs: replies, refusals, the enrolment confirmation, the note to
someone left unmatched, and the line that says why two people were matched. Pure functions;
every name and answer a person typed goes through `mrkdwn`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.text import SECTION_TEXT, clip, mrkdwn
from bot.domain.timefmt import format_local_date

USAGE = (
    "*Programs*\n"
    "• `/mentorship program` — the programs here, with how many people enrolled\n"
    "• `/mentorship join [program]` — enrol as a mentor or a mentee (again to change your answers)\n"
    "• `/mentorship leave [program]` — withdraw before you're matched\n"
    "Program leads: `/mentorship program new` · `program edit NAME` · `program close NAME` · "
    "`program open NAME` · `program match [NAME]`"
)
NOT_ADMIN = (
    "Only program admins can create a program. If you'd like to run one, ask a Slack admin — "
    "or ask a program's lead to add you as a co-lead of theirs."
)
NO_PROGRAMS = (
    "There are no programs here yet. A program admin can create one with `/mentorship program new`."
)
NOT_A_LEAD = (
    "Only a program's leads (and program admins) can do that. `/mentorship program` lists the "
    "programs and `/mentorship join` enrols you in one."
)
NOTHING_OPEN = "No program is open for enrolment right now. `/mentorship program` lists them all."
NOT_ENROLLED = "You're not enrolled in any program. `/mentorship join` shows the open ones."
FORM_FAILED = "Sorry, the form didn't open. Try again?"
UNMATCHED_SAFE = ("not_offered", "no_room")  # reasons that reveal nothing about anyone's wishes
ROLE_WORDS = {"mentor": "a mentor", "mentee": "a mentee", "either": "a mentor or a mentee"}


def name(text: str) -> str:
    """A program's or a person's name in bold, escaped."""
    return f"*{mrkdwn(text)}*"


def not_lead(program: str) -> str:
    return f"Only the leads of {name(program)} can do that. Ask one of them, or a program admin."


def unknown_program(typed: str) -> str:
    return (
        f"I don't know a program called “{mrkdwn(typed.strip()[:80])}”. "
        "`/mentorship program` lists them."
    )


def which_program(names: Sequence[str], verb: str) -> str:
    listed = ", ".join(f"`{mrkdwn(n)}`" for n in names[:10])
    return f"Which program? Add its name: `/mentorship {verb} NAME` — {listed}."


def counts_phrase(counts: Counter[str]) -> str:
    """ "3 mentors, 5 mentees, 1 either"."""
    parts = [
        f"{counts.get(role, 0)} {role}{'s' if counts.get(role, 0) != 1 and role != 'either' else ''}"
        for role in ("mentor", "mentee")
    ]
    if counts.get("either"):
        parts.append(f"{counts['either']} either")
    return ", ".join(parts)


@dataclass(frozen=True)
class ProgramLine:
    """One program in `/mentorship program`, as the reader sees it."""

    name: str
    enrolling: bool
    closes_on: date | None
    counts: Counter[str]
    pairs: int
    leads: bool
    role: str | None  # the reader's own enrolment, if any


def program_line(p: ProgramLine) -> str:
    state = "enrolment closed"
    if p.enrolling:
        state = f"open until {format_local_date(p.closes_on)}" if p.closes_on else "open"
    line = f"• {name(p.name)} — {state} · {counts_phrase(p.counts)} · {p.pairs} pair"
    line += "s" if p.pairs != 1 else ""
    if p.role:
        line += f" · you're enrolled as {ROLE_WORDS.get(p.role, p.role)}"
    if p.leads:
        line += " · you lead it"
    return line


def list_text(lines: Sequence[ProgramLine]) -> list[str]:
    """The reply to `/mentorship program`, in sections within Slack's size."""
    if not lines:
        return [NO_PROGRAMS]
    body = "\n".join(program_line(p) for p in lines)
    footer = "\n`/mentorship join` to enrol · `/mentorship help` for the program commands"
    return [clip(f"*Programs* ({len(lines)})\n{body}", SECTION_TEXT - len(footer)) + footer]


def closed_reply(program: str, closed: bool) -> str:
    if closed:
        return (
            f"Enrolment for {name(program)} is closed. Match the people enrolled with "
            "`/mentorship program match`."
        )
    return f"Enrolment for {name(program)} is open again."


def joined_reply(program: str, role: str, changed: bool) -> str:
    if not changed:
        return f"Your enrolment in {name(program)} is as it was — nothing changed."
    return f"✅ You're enrolled in {name(program)} as {ROLE_WORDS.get(role, role)}. I've sent you the details by DM."


def left_reply(program: str, still_matched: str | None) -> str:
    text = f"You've left {name(program)}. Join again any time while enrolment is open."
    if still_matched:
        text += f" Your mentorship with {name(still_matched)} goes on as it is."
    return text


def already_matched(program: str, partner: str) -> str:
    return (
        f"You're already matched with {name(partner)} in {name(program)}. To stop, end that "
        "mentorship from my Home tab or with `/mentorship end`."
    )


def closed_for(program: str, closes_on: date | None) -> str:
    when = f" on {format_local_date(closes_on)}" if closes_on else ""
    return f"Enrolment for {name(program)} closed{when}. Ask its leads if you'd like to join."


@dataclass(frozen=True)
class EnrolmentFacts:
    """What an enrolment confirmation shows (the reader's own answers only)."""

    program: str
    revision: int
    role: str
    skills: Sequence[str]
    goals: Sequence[str]
    capacity: int
    avoided: int
    closes_on: date | None
    starts_on: date


def enrolment_confirmation(f: EnrolmentFacts) -> tuple[str, list[str]]:
    """The DM after someone enrols (or changes their answers): what they signed up for, what
    happens next. (fallback text, mrkdwn sections)"""
    verb = "are enrolled" if f.revision == 1 else "changed your enrolment"
    intro = f"✅ You {verb} in {name(f.program)} as {ROLE_WORDS.get(f.role, f.role)}."
    skills = ", ".join(mrkdwn(s) for s in f.skills)
    mine = ["*What you picked*: " + skills]
    if f.role in ("mentor", "either"):
        mine.append(f"*Mentees you can take*: {f.capacity}")
    if f.goals:
        label = "Your goals" if f.role != "mentor" else "What you can help with"
        mine.append(f"*{label}*\n" + "\n".join(f"• {mrkdwn(g)}" for g in f.goals))
    if f.avoided:
        people = "person" if f.avoided == 1 else "people"
        mine.append(
            f"You asked me to leave {f.avoided} {people} out of your matches. Nobody is told."
        )
    closes = f"Enrolment closes on {format_local_date(f.closes_on)}; then t" if f.closes_on else "T"
    nxt = (
        f"*What happens next*: {closes}he program's leads match everyone and I'll DM you your "
        f"match and your plan. First meetings from {format_local_date(f.starts_on)}.\n"
        "Change your answers with `/mentorship join`, or withdraw with `/mentorship leave` "
        "before you're matched."
    )
    return intro, [intro, clip("\n".join(mine), SECTION_TEXT), nxt]


def unmatched_notice(program: str, role: str, reasons: Sequence[str]) -> str:
    """The plain DM to someone a published round left without a match."""
    if role == "mentor":
        why = "every mentee has a mentor this round"
    else:
        why = "; ".join(reasons) if reasons else "no mentor with room fitted what you asked for"
    why = clip(why, SECTION_TEXT // 2)  # fifty skills named in a reason stay within one section
    return (
        f"No match for you in {name(program)} this round — {why}. You stay enrolled for the "
        "next round; there's nothing you need to do. Change your answers with "
        "`/mentorship join`, or withdraw with `/mentorship leave`."
    )


def why_line(program: str, reasons: Sequence[str]) -> str:
    """The line a program pair's plan summary gains: why they were matched, in words."""
    said = ". ".join(r.rstrip(".") for r in reasons) or "You both fit what the program asked for"
    return clip(f"🤝 *Why you two* (matched in {name(program)}): {said}.", SECTION_TEXT)
