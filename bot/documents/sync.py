"""Keeping the plan canvas in step with the plan: only the bot's own sections change, and in them
only the blocks that differ from what the bot wrote last (bot/documents/sections.py). Each block
is found with canvases.sections.lookup and changed with one canvases.edit per operation, tried
again while Slack answers canvas_editing_locked. "Our notes" is never edited; "What we learned"
is added at the end when the first shared reflection appears at the final review."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services
from bot.delivery.render import Job, Reading, Rendered, Skip
from bot.documents.content import plan_document
from bot.documents.sections import Layout, blocks_of, pick, plan_edits, search_key
from bot.domain.plan_document import (
    GOALS_TITLE,
    LEARNED_TITLE,
    MILESTONES_TITLE,
    NOTES_PLACEHOLDER,
    NOTES_TITLE,
    STRUCTURE_TITLE,
    Section,
    bot_sections,
)
from storage.documents import CANVAS_READY, NO_CANVAS, get_document
from storage.pairs import get_pair

log = logging.getLogger(__name__)
LOCK_WAITS = (0.25, 0.5, 1.0, 2.0)  # real seconds between tries while another edit runs
MAX_RATE_WAIT = 5.0  # a longer Retry-After goes back to the outbox, which waits it out
GONE = frozenset({"canvas_not_found", "canvas_deleted"})
ORDER = (GOALS_TITLE, STRUCTURE_TITLE, MILESTONES_TITLE, NOTES_TITLE, LEARNED_TITLE)


class Canvas:
    """One canvas through the Web API: lookups (remembered per text) and single edits."""

    def __init__(
        self, client: WebClient, canvas_id: str, sleep: Callable[[float], object] = time.sleep
    ) -> None:
        self.client, self.canvas_id, self.sleep = client, canvas_id, sleep
        self._found: dict[tuple[str, bool], list[str]] = {}

    def lookup(self, text: str, *, heading: bool = False) -> list[str]:
        """Ids of the blocks containing `text` (only h2 headings with `heading`), in order."""
        if (text, heading) not in self._found:
            criteria: dict[str, Any] = {"contains_text": text}
            if heading:
                criteria["section_types"] = ["h2"]
            answer = self._call(
                lambda: self.client.canvases_sections_lookup(
                    canvas_id=self.canvas_id, criteria=criteria
                )
            )
            self._found[(text, heading)] = [str(s["id"]) for s in answer.get("sections") or []]
        return self._found[(text, heading)]

    def edit(
        self, operation: str, section_id: str | None = None, markdown: str | None = None
    ) -> None:
        """One change, tried again after a short wait while the canvas is locked."""
        change: dict[str, Any] = {"operation": operation}
        if section_id is not None:
            change["section_id"] = section_id
        if markdown is not None:
            change["document_content"] = {"type": "markdown", "markdown": markdown}
        self._call(lambda: self.client.canvases_edit(canvas_id=self.canvas_id, changes=[change]))

    def _call(self, call: Callable[[], Any]) -> Any:
        """Slack's answer to `call`, waiting out a locked canvas and a short rate limit: a
        section half-edited and then started again from the beginning could repeat a line."""
        for wait in (*LOCK_WAITS, None):
            try:
                return call()
            except SlackApiError as exc:
                retry_after = float(exc.response.headers.get("Retry-After", 0) or 0)
                if exc.response.status_code == 429 and 0 < retry_after <= MAX_RATE_WAIT:
                    pause = retry_after
                elif exc.response.get("error") == "canvas_editing_locked":
                    pause = wait or 0.0
                else:
                    raise
                if wait is None:
                    raise
                self.sleep(pause)
        raise AssertionError("unreachable")


def layout_of(written: Mapping[str, str]) -> Layout:
    """The canvas as the bot wrote it, sections in document order."""
    bodies = {**written, NOTES_TITLE: NOTES_PLACEHOLDER}
    return Layout.of([(title, bodies[title]) for title in ORDER if title in bodies])


def update_section(canvas: Canvas, section: Section, written: Mapping[str, str]) -> None:
    """Make one of the bot's sections read `section`, editing only the blocks that changed."""
    old_body = written.get(section.title)
    if old_body is None:  # a section the canvas has never had ("What we learned")
        canvas.edit("insert_at_end", markdown=section.markdown)
        return
    old = blocks_of(old_body)
    layout = layout_of(written)

    def block_id(index: int) -> str | None:
        if index < 0:
            found = canvas.lookup(section.title, heading=True)
            return found[0] if len(found) == 1 else None
        key = search_key(old[index])
        return (
            None
            if key is None
            else pick(canvas.lookup(key), layout.rank(section.title, index, key))
        )

    def anchor(index: int) -> str | None:
        return next((i for i in map(block_id, range(index, -2, -1)) if i is not None), None)

    # Every block is found before anything changes, so no new text can make a lookup ambiguous.
    steps: list[tuple[str, str, str]] = []  # (operation, section id, markdown)
    for edit in plan_edits(old, blocks_of(section.body)):
        target = block_id(edit.target) if edit.operation != "insert_after" else None
        if target is not None:
            steps.append((edit.operation, target, edit.markdown))
        elif edit.operation == "delete":
            log.info("canvas %s: left a line of %r alone", canvas.canvas_id, section.title)
        else:
            after = anchor(edit.target if edit.operation == "insert_after" else edit.target - 1)
            if after is None:  # people removed the section's heading: add the section again
                canvas.edit("insert_at_end", markdown=section.markdown)
                return
            steps.append(("insert_after", after, edit.markdown))
    for operation, section_id, markdown in reversed(steps):  # later anchors stay in place
        canvas.edit(operation, section_id, markdown or None)


def render_canvas_sync(r: Reading, job: Job) -> Rendered | Skip:
    """Bring the pair's canvas up to date, when anything the bot shows there changed."""
    pair = get_pair(r.session, job.team_id, job.pair_id or 0)
    doc = get_document(r.session, job.team_id, job.pair_id or 0)
    if pair is None or doc is None or doc.canvas_state != CANVAS_READY or not doc.canvas_id:
        return Skip("no canvas to update")
    mentee, mentor = r.people(pair.team_id, pair.mentee_id, pair.mentor_id)
    stored: dict[str, str] = dict(doc.sections)
    document = plan_document(r.session, pair, mentee, mentor)
    changed = [s for s in bot_sections(document) if stored.get(s.title) != s.body]
    if not changed:
        return Skip("the canvas is up to date")
    services, team_id, pair_id, canvas_id = r.services, pair.team_id, pair.id, doc.canvas_id

    def send(client: WebClient) -> Mapping[str, Any]:
        canvas = Canvas(client, canvas_id)
        for section in changed:
            try:
                update_section(canvas, section, stored)
            except SlackApiError as exc:
                if exc.response.get("error") not in GONE:
                    raise
                save(services, team_id, pair_id, None)  # deleted: a new share makes a new one
                return {}
            stored[section.title] = section.body
            save(services, team_id, pair_id, stored)
        return {}

    return Rendered(f"plan canvas update: {len(changed)} section(s)", [], send=send)


def save(services: Services, team_id: str, pair_id: int, written: dict[str, str] | None) -> None:
    """Remember what the canvas now says (None: the canvas is gone)."""
    with services.sessions.begin() as session:
        doc = get_document(session, team_id, pair_id)
        if doc is None:
            return
        if written is None:
            doc.canvas_state, doc.canvas_id, doc.canvas_url = NO_CANVAS, None, None
        else:
            doc.sections = dict(written)
        doc.updated_at = services.clock.now()
