"""The plan as a Markdown document: golden file, sections, privacy, and structure under any text."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.domain.plan_document import (
    GOALS_TITLE,
    LEARNED_TITLE,
    MILESTONES_TITLE,
    NOTES_PLACEHOLDER,
    NOTES_TITLE,
    STRUCTURE_TITLE,
    DocAnswer,
    DocGoal,
    DocMilestone,
    DocPerson,
    PlanDocument,
    Section,
    bot_sections,
    canvas_markdown,
    document_filename,
    document_title,
    goals_section,
    inline,
    learned_section,
    markdown_document,
    milestones_section,
    notes_section,
    paragraphs,
    structure_section,
)
from bot.domain.schedule import Cadence, MeetingRule

GOLDEN = Path(__file__).parent / "golden" / "plan_document.md"
PRIVATE = "PRIVATE-MARKER-only-omar-may-read-this-91c2"


def fixture_doc(**changes: Any) -> PlanDocument:
    doc = PlanDocument(
        mentee=DocPerson("Maya", "America/New_York"),
        mentor=DocPerson("Omar", "Europe/Berlin"),
        mentee_goals=(
            DocGoal("Lead a design review", done=True),
            DocGoal("Learn Rust\nasync programming"),
            DocGoal("# Ship the async service"),
            DocGoal("1. Present at a meetup <!-- not a comment"),
            DocGoal("[ ] not a checkbox"),
        ),
        mentor_goals=(DocGoal("Grow as a *leader*"), DocGoal("- give back")),
        vision="Maya leads a team project by autumn.\n\n---\nWe keep it practical.",
        rule=MeetingRule(
            Cadence.BIWEEKLY, date(2027, 3, 2), time(15), "Europe/Berlin", date(2027, 9, 2)
        ),
        format="online",
        channels=("chat", "calls"),
        milestones=(
            DocMilestone("Kickoff", date(2027, 3, 2), done_on=date(2027, 3, 2)),
            DocMilestone("Checkpoint 1 of 3", date(2027, 4, 13), done_on=date(2027, 4, 14)),
            DocMilestone("Checkpoint 2 of 3", date(2027, 5, 25)),
            DocMilestone("Checkpoint 3 of 3", date(2027, 7, 6)),
            DocMilestone("Final review", date(2027, 9, 2)),
        ),
        answers=(
            DocAnswer(
                "Maya",
                "Kickoff",
                "What do you most hope to get from working with Omar?",
                "Confidence leading reviews.\nAnd a network.",
                shared=True,
            ),
            DocAnswer("Omar", "Kickoff", "What do you most hope to get?", PRIVATE),
            DocAnswer("Maya", "Kickoff", "From 1 to 5, how is it going?", "4 of 5", shared=True),
            DocAnswer("Maya", "Checkpoint 1 of 3", "What has worked well so far?", "   "),
            DocAnswer(
                "Omar",
                "Checkpoint 1 of 3",
                "What has worked well so far?",
                "Short weekly goals.",
                shared=True,
            ),
            DocAnswer("Omar", "Checkpoint 1 of 3", "What would you change?", f"x {PRIVATE} y"),
        ),
    )
    return replace(doc, **changes)


def test_markdown_export_matches_the_golden_file():
    text = markdown_document(fixture_doc())
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_output_is_deterministic_and_ends_with_one_newline():
    a, b = markdown_document(fixture_doc()), markdown_document(fixture_doc())
    assert a == b and a.endswith("\n") and not a.endswith("\n\n")


# -- privacy -------------------------------------------------------------------------------------


def every_output(doc: PlanDocument) -> list[str]:
    sections = [*bot_sections(doc), notes_section()]
    return [
        markdown_document(doc),
        canvas_markdown(doc),
        document_title(doc),
        *(s.markdown for s in sections),
    ]


def test_unshared_reflection_text_never_appears():
    doc = fixture_doc()
    for text in every_output(doc):
        assert PRIVATE not in text
        assert "PRIVATE-MARKER" not in text
    assert "What would you change?" not in markdown_document(doc)  # not even the question
    learned = learned_section(doc)
    assert learned is not None
    assert "Confidence leading reviews." in learned.body and "Short weekly goals." in learned.body
    assert "What has worked well so far?" in learned.body  # Omar's shared one, not Maya's blank


def test_without_shared_answers_there_is_no_learned_section():
    doc = fixture_doc(answers=tuple(a for a in fixture_doc().answers if not a.shared))
    assert learned_section(doc) is None
    assert LEARNED_TITLE not in markdown_document(doc)
    assert [s.title for s in bot_sections(doc)] == [GOALS_TITLE, STRUCTURE_TITLE, MILESTONES_TITLE]
    for text in every_output(doc):
        assert PRIVATE not in text


@settings(max_examples=40, deadline=None)
@given(
    answers=st.lists(
        st.tuples(st.booleans(), st.text(min_size=1, max_size=40)), min_size=1, max_size=6
    )
)
def test_no_unshared_answer_leaks_whatever_is_shared(answers):
    doc_answers = tuple(
        DocAnswer("Maya", "Kickoff", "Q?", f"{'SHARED' if shared else 'SECRET'}-{i}-{text}", shared)
        for i, (shared, text) in enumerate(answers)
    )
    text = markdown_document(fixture_doc(answers=doc_answers))
    for i, (shared, _) in enumerate(answers):
        assert f"SECRET-{i}-" not in text
        if shared:
            assert f"SHARED-{i}-" in text


# -- sections for canvas sync -------------------------------------------------------------------


def test_each_bot_section_stands_alone_and_the_canvas_is_their_concatenation():
    doc = fixture_doc()
    sections = bot_sections(doc)
    assert [s.title for s in sections] == [
        GOALS_TITLE,
        STRUCTURE_TITLE,
        MILESTONES_TITLE,
        LEARNED_TITLE,
    ]
    assert sections[:3] == (goals_section(doc), structure_section(doc), milestones_section(doc))
    for s in sections:
        assert s.markdown.startswith(f"## {s.title}\n\n") and s.markdown.endswith("\n")
        assert "\n## " not in s.markdown  # one h2 per section: a replace never eats a neighbour
    canvas = canvas_markdown(doc)
    order = [*sections[:3], notes_section(), sections[3]]
    assert canvas == "\n".join(s.markdown for s in order)
    assert markdown_document(doc) == f"# Mentorship plan — Maya & Omar\n\n{canvas}"
    assert document_title(doc) == "Mentorship plan — Maya & Omar"


def test_our_notes_is_the_pairs_and_not_among_the_bots_sections():
    doc = fixture_doc()
    assert NOTES_TITLE not in [s.title for s in bot_sections(doc)]
    assert notes_section() == Section(NOTES_TITLE, NOTES_PLACEHOLDER)
    assert f"## {NOTES_TITLE}\n\n{NOTES_PLACEHOLDER}\n" in canvas_markdown(doc)


def test_a_plan_change_changes_only_the_structure_section():
    doc = fixture_doc()
    edited = fixture_doc(
        rule=MeetingRule(
            Cadence.WEEKLY, date(2027, 3, 2), time(16), "Europe/Berlin", date(2027, 9, 2)
        )
    )
    before, after = bot_sections(doc), bot_sections(edited)
    changed = [b.title for b, a in zip(before, after, strict=True) if b != a]
    assert changed == [STRUCTURE_TITLE]
    assert "- **Cadence:** Every Tuesday at 16:00 (Europe/Berlin)" in after[1].body


def test_structure_shows_the_first_meeting_in_each_persons_zone():
    body = structure_section(fixture_doc()).body
    assert body.splitlines() == [
        "- **Cadence:** Every other Tuesday at 15:00 (Europe/Berlin)",
        "- **Format:** Online",
        "- **Channels:** Chat, Calls",
        "- **First meeting:** Tue 2 Mar 2027 at 15:00 (Europe/Berlin)",
        "- **For Maya:** Tue 2 Mar at 09:00 (America/New_York)",
        "- **End date:** Thu 2 Sep 2027",
    ]
    same_zone = fixture_doc(mentee=DocPerson("Maya", "Europe/Berlin"), mentor=DocPerson("Omar"))
    assert "**For " not in structure_section(same_zone).body


def test_milestones_are_a_checklist_with_dates():
    body = milestones_section(fixture_doc()).body
    assert body.splitlines() == [
        "- [x] Kickoff — Tue 2 Mar 2027 (done Tue 2 Mar 2027)",
        "- [x] Checkpoint 1 of 3 — Tue 13 Apr 2027 (done Wed 14 Apr 2027)",
        "- [ ] Checkpoint 2 of 3 — Tue 25 May 2027",
        "- [ ] Checkpoint 3 of 3 — Tue 6 Jul 2027",
        "- [ ] Final review — Thu 2 Sep 2027",
    ]


def test_empty_parts_say_so():
    doc = fixture_doc(mentor_goals=(), vision=" \n ", milestones=(), channels=())
    assert "### Mentor goals — Omar\n\n_None yet._" in goals_section(doc).body
    assert goals_section(doc).body.endswith("### Shared vision\n\n_None yet._")
    assert milestones_section(doc).body == "_None yet._"


def test_filename_is_ascii():
    assert document_filename(fixture_doc()) == "mentorship-plan-maya-omar.md"
    doc = fixture_doc(mentee=DocPerson("José Núñez"), mentor=DocPerson("李 Wei"))
    assert document_filename(doc) == "mentorship-plan-jose-nunez-wei.md"
    assert document_filename(fixture_doc(mentee=DocPerson("李"), mentor=DocPerson("*"))) == (
        "mentorship-plan.md"
    )


# -- people's text is safe -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain goal", "Plain goal"),
        ("# heading", r"\# heading"),
        ("## also", r"\## also"),
        ("> quote", r"\> quote"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("* item", r"\* item"),
        ("---", r"\---"),
        ("___", r"\___"),
        ("===", r"\==="),
        ("```python", r"\```python"),
        ("~~~", r"\~~~"),
        ("[ ] task", r"\[ ] task"),
        ("[x]: http://evil", r"\[x]: http://evil"),
        ("1. first", r"1\. first"),
        ("12) twelfth", r"12\) twelfth"),
        ("2027 is the year", "2027 is the year"),
        ("a <!-- b", r"a \<!-- b"),
        ("<script>x</script>", r"\<script>x\</script>"),
        ("line one\nline two\r\n\u2028three", "line one line two three"),
        ("  spaced\tout  ", "spaced out"),
        (r"C:\path\#x", r"C:\path\\#x"),
        ("bell\x07here", "bellhere"),
        ("a *b* _c_ `d`", "a *b* _c_ `d`"),
        ("👩‍💻 dev", "👩‍💻 dev"),
    ],
)
def test_inline_escapes_what_would_break_structure(text, expected):
    assert inline(text) == expected


def test_headings_escape_every_hash():
    assert inline("Omar #1 #", heading=True) == r"Omar \#1 \#"
    assert inline("# Omar", heading=True) == r"\# Omar"


def test_paragraphs_keep_lines_apart():
    assert paragraphs("One\n\n# two\n   \n- three") == "One\n\n\\# two\n\n\\- three"


MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def blocks(markdown: str) -> list[Token]:
    return MD.parse(markdown)


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    """(tag, text as rendered) for every heading."""
    return [
        (t.tag, rendered(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]


def rendered(inline_token: Token) -> str:
    return "".join(c.content for c in inline_token.children or [] if c.type == "text")


def check_structure(doc: PlanDocument) -> None:
    """Only the bot's own headings and lists; every goal one bullet; no HTML, rules or tables."""
    tokens = blocks(markdown_document(doc))
    forbidden = {"html_block", "hr", "table_open", "code_block", "fence", "blockquote_open"}
    assert not {t.type for t in tokens} & forbidden
    assert not any(c.type == "html_inline" for t in tokens for c in t.children or [])
    found = headings(tokens)
    assert [tag for tag, _ in found].count("h1") == 1 and found[0][0] == "h1"
    learned = learned_section(doc)
    h2 = [content for tag, content in found if tag == "h2"]
    pillars = [GOALS_TITLE, STRUCTURE_TITLE, MILESTONES_TITLE, NOTES_TITLE]
    assert h2 == pillars + ([LEARNED_TITLE] if learned else [])
    h3 = [content for tag, content in found if tag == "h3"]
    assert h3[0].startswith("Mentee goals — ") and h3[1].startswith("Mentor goals — ")
    assert h3[2] == "Shared vision"
    groups = {(a.author, a.milestone) for a in doc.answers if a.shared and a.answer.strip()}
    assert len(h3) == 3 + len(groups)
    assert not any(t.type in ("ordered_list_open", "heading_open") and t.level > 0 for t in tokens)
    assert not any(t.type == "bullet_list_open" and t.level > 0 for t in tokens)
    lists = [
        item_count(tokens, i)
        for i, t in enumerate(tokens)
        if t.type == "bullet_list_open" and t.level == 0
    ]
    goals = [sum(1 for g in gs if inline(g.text)) for gs in (doc.mentee_goals, doc.mentor_goals)]
    zones = sum(1 for p in (doc.mentee, doc.mentor) if p.tz and p.tz != doc.rule.tz)
    milestones = [len(doc.milestones)] if doc.milestones else []
    assert lists == [n for n in goals if n] + [5 + zones] + milestones


def item_count(tokens: list[Token], start: int) -> int:
    level, count = tokens[start].level, 0
    for t in tokens[start + 1 :]:
        if t.type == "bullet_list_close" and t.level == level:
            return count
        if t.type == "list_item_open" and t.level == level + 1:
            count += 1
    raise AssertionError("unclosed list")


def test_the_fixture_has_only_the_bots_structure():
    check_structure(fixture_doc())


people_text = (
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
    | st.text(st.sampled_from(list("#*-_=+>|[]()`~\\<!:1. \n\t&a")), max_size=12)
    | st.sampled_from(["# x", "---", "<!--", "1. a", "[ ] b", "```", "> q", "a\n===", "\\", "*"])
)


@settings(max_examples=80, deadline=None)
@given(
    mentee=people_text,
    mentor=people_text,
    goals=st.lists(people_text, max_size=4),
    vision=people_text,
    answer=people_text,
)
def test_any_text_keeps_the_documents_structure(mentee, mentor, goals, vision, answer):
    doc = fixture_doc(
        mentee=DocPerson(mentee, "Asia/Tokyo"),
        mentor=DocPerson(mentor),
        mentee_goals=tuple(DocGoal(g) for g in goals),
        mentor_goals=tuple(DocGoal(g, done=True) for g in goals[:1]),
        vision=vision,
        answers=(DocAnswer(mentee, goals[0] if goals else "Kickoff", vision, answer, True),),
    )
    check_structure(doc)
