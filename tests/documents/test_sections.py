"""Turning a changed canvas section into block edits: the fewest operations, applied through
lookups that are trusted only when they answer what the bot wrote, so the pair's notes are
never edited."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.documents.sections import (
    Edit,
    Layout,
    blocks_of,
    join_blocks,
    pick,
    plain_text,
    plan_edits,
    search_key,
)
from bot.documents.sync import Canvas, update_section
from bot.domain.plan_document import NOTES_PLACEHOLDER, NOTES_TITLE, Section

STRUCTURE = (
    "- **Cadence:** Every other Tuesday at 15:00 (America/New_York)\n"
    "- **Format:** Online\n"
    "- **End date:** Thu 9 Sep 2027"
)
GOALS = (
    "### Mentee goals — Maya\n\n- ◻️ Lead a review\n- ◻️ Learn Rust\n\n### Shared vision\n\nShip it"
)


def test_blocks_are_list_items_headings_and_paragraphs() -> None:
    assert blocks_of(GOALS) == [
        "### Mentee goals — Maya",
        "- ◻️ Lead a review",
        "- ◻️ Learn Rust",
        "### Shared vision",
        "Ship it",
    ]
    assert join_blocks(blocks_of(GOALS)) == GOALS


def test_search_keys_avoid_markup_and_escapes() -> None:
    assert search_key("- **Cadence:** Every other Tuesday at 15:00 (America/New_York)") == (
        "Every other Tuesday at 15:00 (America/New"
    )
    assert search_key("- [x] Kickoff — Tue 2 Mar 2027") == "Kickoff — Tue 2 Mar 2027"
    assert search_key(r"- ◻️ \<3 Rust") == "<3 Rust"
    assert search_key("- ab") is None  # too short to find anything by
    assert plain_text("- [ ] **Final review** — Thu") == "Final review — Thu"


def test_one_changed_line_is_one_replace_a_new_goal_one_insert() -> None:
    old = blocks_of(STRUCTURE)
    new = [old[0].replace("Every other", "Every"), *old[1:]]
    assert plan_edits(old, new) == [Edit("replace", 0, new[0])]
    goals = blocks_of(GOALS)
    added = [*goals[:3], "- ◻️ Give a talk", *goals[3:]]
    assert plan_edits(goals, added) == [Edit("insert_after", 2, "- ◻️ Give a talk")]
    assert plan_edits(goals, [g for g in goals if "Rust" not in g]) == [Edit("delete", 2)]


def test_a_lookup_is_trusted_only_when_it_answers_what_the_bot_wrote() -> None:
    layout = Layout.of([("Goals & Vision", GOALS), (NOTES_TITLE, NOTES_PLACEHOLDER)])
    rank = layout.rank("Goals & Vision", 1, "Lead a review")
    assert rank == (0, 1)
    assert pick(["temp:1"], rank) == "temp:1"
    assert pick(["temp:1", "temp:9"], rank) is None  # something else contains it too
    assert layout.rank("Goals & Vision", 2, "Lead a review") is None


class FakeCanvas(Canvas):
    """A canvas as blocks with ids, looked up and edited the way Slack's API does."""

    def __init__(self, markdown: str) -> None:
        super().__init__(client=None, canvas_id="F0FAKE", sleep=lambda _: None)  # type: ignore[arg-type]
        self.blocks: list[tuple[str, str]] = []
        self.next = 0
        self._add(0, markdown)
        self.calls: list[str] = []

    def _add(self, at: int, markdown: str) -> None:
        for block in blocks_of(markdown):
            self.next += 1
            self.blocks.insert(at, (f"temp:{self.next}", block))
            at += 1

    def lookup(self, text: str, *, heading: bool = False) -> list[str]:
        self.calls.append("lookup")
        return [
            i
            for i, b in self.blocks
            if text in plain_text(b) and (not heading or b.startswith("## "))
        ]

    def edit(
        self, operation: str, section_id: str | None = None, markdown: str | None = None
    ) -> None:
        self.calls.append(operation)
        at = next((n for n, (i, _) in enumerate(self.blocks) if i == section_id), None)
        if operation == "insert_at_end":
            self._add(len(self.blocks), markdown or "")
            return
        assert at is not None, f"unknown section {section_id}"
        if operation in ("replace", "delete"):
            del self.blocks[at]
            at -= 1
        if operation in ("replace", "insert_after"):
            self._add(at + 1, markdown or "")

    @property
    def markdown(self) -> str:
        return join_blocks([b for _, b in self.blocks])


def document(goals: list[str], notes: list[str]) -> tuple[str, dict[str, Any]]:
    body = join_blocks(goals) if goals else "_None yet._"
    written = {"Goals & Vision": body}
    notes_md = join_blocks(["## Our notes", *notes, NOTES_PLACEHOLDER])
    return f"## Goals & Vision\n\n{body}\n\n{notes_md}", written


WORDS = st.sampled_from(["Lead a review", "Learn Rust", "Give a talk", "Mentor", "Ship it"])
GOAL = WORDS.map(lambda w: f"- ◻️ {w}") | WORDS.map(lambda w: f"- ✅ {w}")
# Notes may quote a goal line word for word (then the bot cannot tell its line from theirs).
NOTE = WORDS.map(lambda w: f"We said: ◻️ {w}") | st.just("Bring the checklist")


@settings(max_examples=200, deadline=None)
@given(
    old=st.lists(GOAL, max_size=6), new=st.lists(GOAL, max_size=6), notes=st.lists(NOTE, max_size=3)
)
def test_the_pairs_notes_never_change_and_an_unambiguous_section_ends_up_as_wanted(
    old: list[str], new: list[str], notes: list[str]
) -> None:
    markdown, written = document(old, notes)
    canvas = FakeCanvas(markdown)
    notes_before = canvas.markdown[canvas.markdown.index("## Our notes") :]
    body = join_blocks(new) if new else "_None yet._"
    update_section(canvas, Section("Goals & Vision", body), written)
    after = canvas.markdown
    assert after.endswith(notes_before)  # the notes, byte for byte, still last
    ambiguous = any(
        (key := search_key(b)) is not None and any(key in plain_text(n) for n in notes)
        for b in blocks_of(written["Goals & Vision"])
    )
    if not ambiguous:
        assert after == document(new, notes)[0]
    assert all(c in ("lookup", "replace", "delete", "insert_after") for c in canvas.calls)


@settings(max_examples=200, deadline=None)
@given(
    old=st.lists(GOAL, max_size=6), new=st.lists(GOAL, max_size=6), notes=st.lists(NOTE, max_size=3)
)
def test_a_section_after_the_notes_never_edits_them_either(
    old: list[str], new: list[str], notes: list[str]
) -> None:
    before_body = join_blocks(old) if old else "_None yet._"
    notes_md = join_blocks(["## Our notes", *notes, NOTES_PLACEHOLDER])
    canvas = FakeCanvas(
        f"## Goals & Vision\n\n_None yet._\n\n{notes_md}\n\n## What we learned\n\n{before_body}"
    )
    written = {"Goals & Vision": "_None yet._", "What we learned": before_body}
    head = canvas.markdown[: canvas.markdown.index("## What we learned")]
    body = join_blocks(new) if new else "_None yet._"
    update_section(canvas, Section("What we learned", body), written)
    assert canvas.markdown.startswith(head)  # everything before the section, notes included
