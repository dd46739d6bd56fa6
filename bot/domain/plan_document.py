"""The mentorship plan as a Markdown document on the three pillars (a Slack canvas or a .md file).

Pure: plain data in, text out, the same text for the same data. Only what Slack canvases accept
is used: `##`/`###` headings, paragraphs, bullets, `- [ ]`/`- [x]` checklists and bold.

The bot owns "Goals & Vision", "Structure & Communication", "Milestones & Reflection" and
"What we learned"; each is also returned on its own (`Section`) so a canvas can have just that
section replaced. "Our notes" belongs to the pair: the bot writes its placeholder once, when it
creates the document, and never again. "What we learned" quotes only reflection answers their
authors chose to share.

People's text (names, goals, vision, answers) goes through `inline`/`paragraphs`, which keep it
from changing the document's structure: line breaks inside a goal or answer become spaces (a
vision or an answer keeps its lines as separate paragraphs), a block marker (`#`, `>`, `-`, `+`,
`*`, `_`, `=`, `|`, `[`, a code fence, `1.`) is backslash-escaped where the text starts a line,
as are `<` everywhere (no raw HTML: an unclosed `<!--` would hide the rest of the file), a
backslash before punctuation, and `#` in headings (a trailing `#` would be eaten as a closing
sequence). Emphasis and links inside one line are left alone: they cannot leave the line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.domain.plan import CHANNELS, FORMATS
from bot.domain.schedule import MeetingRule, occurrences, rule_description
from bot.domain.timefmt import format_local, format_local_date

GOALS_TITLE = "Goals & Vision"
STRUCTURE_TITLE = "Structure & Communication"
MILESTONES_TITLE = "Milestones & Reflection"
NOTES_TITLE = "Our notes"
LEARNED_TITLE = "What we learned"
NOTES_PLACEHOLDER = "_This section is yours: write anything here. The bot never changes it._"
NONE_YET = "_None yet._"

_LEADING_MARKER = re.compile(r"^(?:[#>+\-*_=|\[`~]|\d{1,9}(?=[.)]))")
_ESCAPED_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class DocPerson:
    """A participant as the document names them; `tz` is their own zone, when known."""

    name: str
    tz: str | None = None


@dataclass(frozen=True)
class DocGoal:
    """One goal, as the person wrote it."""

    text: str
    done: bool = False


@dataclass(frozen=True)
class DocMilestone:
    """Kickoff, a checkpoint or the final review; `done_on` is the local date it was completed."""

    label: str
    due: date
    done_on: date | None = None


@dataclass(frozen=True)
class DocAnswer:
    """One reflection answer; only answers whose author chose to share them are ever shown."""

    author: str
    milestone: str
    question: str
    answer: str
    shared: bool = False


@dataclass(frozen=True)
class PlanDocument:
    """What the plan document shows; `format` and `channels` are the plan's codes."""

    mentee: DocPerson
    mentor: DocPerson
    mentee_goals: tuple[DocGoal, ...]
    mentor_goals: tuple[DocGoal, ...]
    vision: str
    rule: MeetingRule
    format: str
    channels: tuple[str, ...]
    milestones: tuple[DocMilestone, ...] = ()
    answers: tuple[DocAnswer, ...] = ()


@dataclass(frozen=True)
class Section:
    """One `##` section: its plain title (what `canvases.sections.lookup` searches) and body."""

    title: str
    body: str

    @property
    def markdown(self) -> str:
        """The section with its heading, as `document_content` markdown."""
        return f"## {self.title}\n\n{self.body}\n"


def inline(text: str, *, heading: bool = False, line_start: bool = True) -> str:
    """People's text as one line of Markdown that cannot change the document's structure.

    `line_start=False` where fixed text of ours precedes it on the line (a bullet's emoji, a
    bold label), so a leading `#` or `-` cannot start a block and needs no backslash.
    """
    flat = " ".join(text.split())  # every Unicode line break and space run becomes one space
    flat = "".join(c for c in flat if unicodedata.category(c) != "Cc")
    flat = _ESCAPED_BACKSLASH.sub(r"\\\\", flat).replace("<", r"\<")
    if heading:
        flat = flat.replace("#", r"\#")
    match = _LEADING_MARKER.match(flat) if line_start and not heading else None
    if match:
        end = match.end()
        flat = flat[:end] + "\\" + flat[end:] if match.group()[0].isdigit() else "\\" + flat
    return flat


def paragraphs(text: str) -> str:
    """People's multi-line text as Markdown paragraphs, one per non-blank line."""
    lines = [inline(line) for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


def document_title(doc: PlanDocument) -> str:
    """Plain title, e.g. "Mentorship plan — Ana & Ben" (the canvas title, the file's heading)."""
    return f"Mentorship plan — {_name(doc.mentee)} & {_name(doc.mentor)}"


def document_filename(doc: PlanDocument) -> str:
    """The export's file name, e.g. "mentorship-plan-ana-ben.md"; ASCII only."""
    parts = ["mentorship-plan", _slug(doc.mentee.name), _slug(doc.mentor.name)]
    return "-".join(p for p in parts if p) + ".md"


def goals_section(doc: PlanDocument) -> Section:
    """Goals & Vision: the mentee's goals, the mentor's goals and the shared vision."""
    parts = [
        f"### Mentee goals — {inline(_name(doc.mentee), heading=True)}",
        _goal_list(doc.mentee_goals),
        f"### Mentor goals — {inline(_name(doc.mentor), heading=True)}",
        _goal_list(doc.mentor_goals),
        "### Shared vision",
        paragraphs(doc.vision) or NONE_YET,
    ]
    return Section(GOALS_TITLE, "\n\n".join(parts))


def structure_section(doc: PlanDocument) -> Section:
    """Structure & Communication: cadence, format, channels, first meeting and end date."""
    rule = doc.rule
    description = rule_description(rule)
    channels = ", ".join(CHANNELS.get(c, c) for c in doc.channels) or NONE_YET
    lines = [
        f"- **Cadence:** {description[:1].upper()}{description[1:]}",
        f"- **Format:** {inline(FORMATS.get(doc.format, doc.format), line_start=False)}",
        f"- **Channels:** {inline(channels, line_start=False)}",
    ]
    first = occurrences(rule, limit=1)
    if first:
        local = first[0]
        lines.append(
            f"- **First meeting:** {format_local_date(local.date())} at {local:%H:%M} ({rule.tz})"
        )
        for person in (doc.mentee, doc.mentor):
            if person.tz and person.tz != rule.tz:
                when = format_local(local, person.tz)
                name = inline(_name(person), line_start=False)
                lines.append(f"- **For {name}:** {when} ({person.tz})")
    end = format_local_date(rule.end_date) if rule.end_date else "open-ended"
    lines.append(f"- **End date:** {end}")
    return Section(STRUCTURE_TITLE, "\n".join(lines))


def milestones_section(doc: PlanDocument) -> Section:
    """Milestones & Reflection: a checklist of kickoff, checkpoints and final review."""
    if not doc.milestones:
        return Section(MILESTONES_TITLE, NONE_YET)
    lines = []
    for m in doc.milestones:
        box = "x" if m.done_on else " "
        done = f" (done {format_local_date(m.done_on)})" if m.done_on else ""
        label = inline(m.label, line_start=False)
        lines.append(f"- [{box}] {label} — {format_local_date(m.due)}{done}")
    return Section(MILESTONES_TITLE, "\n".join(lines))


def notes_section() -> Section:
    """Our notes: the pair's own section; only its placeholder is ever written by the bot."""
    return Section(NOTES_TITLE, NOTES_PLACEHOLDER)


def learned_section(doc: PlanDocument) -> Section | None:
    """What we learned, from shared answers only; None when nobody shared anything."""
    shared = [a for a in doc.answers if a.shared and a.answer.strip()]
    if not shared:
        return None
    groups: dict[tuple[str, str], list[DocAnswer]] = {}
    for a in shared:  # grouped by author and milestone, in the order they were given
        groups.setdefault((a.author, a.milestone), []).append(a)
    parts = []
    for (author, milestone), answers in groups.items():
        parts.append(f"### {inline(author, heading=True)} — {inline(milestone, heading=True)}")
        for a in answers:
            # Escaped as a line start: "**" + "*" + "**" alone would be a thematic break.
            question = inline(a.question)
            parts += (
                [f"**{question}**", paragraphs(a.answer)] if question else [paragraphs(a.answer)]
            )
    return Section(LEARNED_TITLE, "\n\n".join(parts))


def bot_sections(doc: PlanDocument) -> tuple[Section, ...]:
    """The sections the bot owns and keeps in sync, in document order."""
    learned = learned_section(doc)
    pillars = (goals_section(doc), structure_section(doc), milestones_section(doc))
    return pillars if learned is None else (*pillars, learned)


def canvas_markdown(doc: PlanDocument) -> str:
    """The whole document for `canvases.create` (the title is passed separately)."""
    pillars = (goals_section(doc), structure_section(doc), milestones_section(doc))
    learned = learned_section(doc)  # appended at the end, as the final review adds it
    sections = (*pillars, notes_section(), *((learned,) if learned else ()))
    return "\n".join(s.markdown for s in sections)


def markdown_document(doc: PlanDocument) -> str:
    """The whole document as a Markdown file, headed by its title (the no-canvas fallback)."""
    return f"# {inline(document_title(doc), heading=True)}\n\n{canvas_markdown(doc)}"


def _name(person: DocPerson) -> str:
    printable = "".join(c for c in person.name if unicodedata.category(c) != "Cc")
    return " ".join(printable.split()) or "?"


def _goal_list(goals: tuple[DocGoal, ...]) -> str:
    items = [(g, inline(g.text, line_start=False)) for g in goals]
    lines = [f"- {'✅' if g.done else '◻️'} {text}" for g, text in items if text]
    return "\n".join(lines) or NONE_YET


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
