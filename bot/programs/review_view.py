"""The lead's review of a proposal, as a modal: each proposed pair with its reasons and
runners-up and the lead's calls, the unmatched with why, the settings, paging, re-run and
publish. Pure builders over plain data; every page stays within Slack's 100 blocks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.text import BUTTON_TEXT, HEADER_TEXT, OPTION_TEXT, SECTION_TEXT, clip, mrkdwn
from bot.programs.cohort import PRIORITIES, WEIGHT_NAMES

REVIEW_CALLBACK = "program_review"
APPROVE, PIN, REJECT, SWAP = "review_approve", "review_pin", "review_reject", "review_swap"
PAGE, RERUN, PUBLISH, PRIORITY = "review_page", "review_rerun", "review_publish", "review_priority"
WEIGHT_ACTIONS = {key: f"review_weight_{key}" for key in WEIGHT_NAMES}
ACTIONS = (APPROVE, PIN, REJECT, SWAP, PAGE, RERUN, PUBLISH, PRIORITY, *WEIGHT_ACTIONS.values())
PAGE_SIZE = 20  # rows a page: two blocks each at most, so a page stays far below 100 blocks
LABEL = 75  # Slack's accessibility_label limit
WEIGHT_LEVELS = ("off", "low", "normal", "high")
TITLE = "Review matches"


@dataclass(frozen=True)
class RunnerUp:
    mentor_id: str
    name: str
    has_room: bool


@dataclass(frozen=True)
class Row:
    """One mentee of the run: the proposed mentor (or none), why, and the lead's calls."""

    proposal_id: int
    mentee: str
    mentor: str | None
    status: str
    pinned: bool
    reasons: tuple[str, ...]  # rendered, escaped mrkdwn
    runners_up: tuple[RunnerUp, ...]
    note: str = ""  # why publishing skipped it, escaped


@dataclass(frozen=True)
class Review:
    """A run as the lead reviews it."""

    run_id: int
    program: str
    rows: tuple[Row, ...]
    refused: tuple[str, ...]  # kept pairs that could not stay, rendered
    mentors: int
    priority: str
    weights: Mapping[str, str]


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(text, SECTION_TEXT))


def _button(text: str, action_id: str, value: str, label: str, **kw: object) -> ButtonElement:
    return ButtonElement(
        text=clip(text, BUTTON_TEXT),
        action_id=action_id,
        value=value,
        accessibility_label=clip(label, LABEL),
        **kw,  # type: ignore[arg-type]
    )


def _marks(row: Row) -> str:
    marks = []
    if row.status == "approved":
        marks.append("✅ approved")
    if row.pinned:
        marks.append("📌 pinned")
    if row.status == "rejected":
        marks.append("❌ rejected — re-run to find another mentor")
    return f"  ({', '.join(marks)})" if marks else ""


def _runners_text(row: Row) -> str:
    if not row.runners_up:
        return ""
    names = ", ".join(f"{mrkdwn(r.name)}{'' if r.has_room else ' (full)'}" for r in row.runners_up)
    return f"\n_Runners-up_: {names}"


def _swap(row: Row) -> StaticSelectElement | None:
    if not row.runners_up or row.status == "rejected":
        return None
    verb = "Swap to" if row.mentor else "Match with"
    options = [
        Option(
            value=f"{row.proposal_id}:{r.mentor_id}",
            label=clip(f"{verb} {r.name}{'' if r.has_room else ' (full)'}", OPTION_TEXT),
        )
        for r in row.runners_up
    ]
    return StaticSelectElement(action_id=SWAP, placeholder=f"{verb}…", options=options)


def row_blocks(row: Row) -> list[Block]:
    """A pair: a section (who, why, runners-up, a swap menu) and its buttons. An unmatched mentee:
    one section with why."""
    reasons = "\n".join(f"• {r}" for r in row.reasons)
    if row.mentor is None:
        text = f"*{mrkdwn(row.mentee)}* — no mentor this round\n{reasons}{_runners_text(row)}"
        return [
            SectionBlock(block_id=f"row_{row.proposal_id}", text=_md(text), accessory=_swap(row))
        ]
    who = f"*{mrkdwn(row.mentee)}* with *{mrkdwn(row.mentor)}*"
    text = f"{who}{_marks(row)}\n{reasons}{_runners_text(row)}"
    pair = f"{row.mentee} with {row.mentor}"
    approved, rejected = row.status == "approved", row.status == "rejected"

    def value(on: bool) -> str:  # the state the click asks for: a double click asks it twice
        return f"{row.proposal_id}:{'on' if on else 'off'}"

    buttons = [
        _button(
            "Undo approve" if approved else "✅ Approve",
            APPROVE,
            value(not approved),
            f"{'Undo approving' if approved else 'Approve'} {pair}",
        ),
        _button(
            "Unpin" if row.pinned else "📌 Pin",
            PIN,
            value(not row.pinned),
            f"{'Unpin' if row.pinned else 'Pin'} {pair}",
        ),
        _button(
            "Restore" if rejected else "❌ Reject",
            REJECT,
            value(not rejected),
            f"{'Restore' if rejected else 'Reject'} {pair}",
        ),
    ]
    return [
        SectionBlock(block_id=f"row_{row.proposal_id}", text=_md(text), accessory=_swap(row)),
        ActionsBlock(block_id=f"calls_{row.proposal_id}", elements=buttons),
    ]


def _settings(review: Review) -> ActionsBlock:
    priority = [Option(value=k, label=v) for k, v in PRIORITIES.items()]
    elements = [
        StaticSelectElement(
            action_id=PRIORITY,
            placeholder="Priority",
            options=priority,
            initial_option=next((o for o in priority if o.value == review.priority), priority[0]),
        )
    ]
    for key, label in WEIGHT_NAMES.items():
        options = [Option(value=level, label=f"{label}: {level}") for level in WEIGHT_LEVELS]
        current = review.weights.get(key, "normal")
        elements.append(
            StaticSelectElement(
                action_id=WEIGHT_ACTIONS[key],
                placeholder=label,
                options=options,
                initial_option=next((o for o in options if o.value == current), options[2]),
            )
        )
    return ActionsBlock(block_id="settings", elements=elements)


def pages(review: Review) -> int:
    return max(1, -(-len(review.rows) // PAGE_SIZE))


def _publish_confirm(pairs: int, unmatched: int) -> ConfirmObject:
    told = (
        f" {unmatched} without a match {'is' if unmatched == 1 else 'are'} told they stay enrolled."
        if unmatched
        else ""
    )
    return ConfirmObject(
        title="Publish matches?",
        text=clip(
            f"{pairs} mentorship{'s' if pairs != 1 else ''} start now: each person gets their plan "
            f"by DM, with why they were matched.{told}",
            300,
        ),
        confirm="Publish",
        deny="Not yet",
    )


def review_view(review: Review, page: int = 0) -> View:
    """One page of the review."""
    page = min(max(page, 0), pages(review) - 1)
    pairs = [r for r in review.rows if r.mentor and r.status != "rejected"]
    unmatched = len(review.rows) - len(pairs)
    summary = (
        f"*{len(pairs)} pair{'s' if len(pairs) != 1 else ''}* proposed from "
        f"*{review.mentors}* mentor{'s' if review.mentors != 1 else ''}; "
        f"*{unmatched}* mentee{'s' if unmatched != 1 else ''} without a mentor. "
        "Nothing is sent until you publish. Approved ✅ and pinned 📌 pairs stay when you re-run; "
        "rejected ❌ ones are left out."
    )
    blocks: list[Block] = [
        HeaderBlock(text=clip(review.program, HEADER_TEXT)),
        SectionBlock(block_id="summary", text=_md(summary)),
        _settings(review),
        DividerBlock(),
    ]
    for row in review.rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        blocks += row_blocks(row)
    if review.refused and page == 0:
        kept = "\n".join(f"• {r}" for r in review.refused)
        blocks.append(
            SectionBlock(block_id="refused", text=_md(f"*Kept pairs that couldn't stay*\n{kept}"))
        )
    if pages(review) > 1:
        nav = []
        if page > 0:
            nav.append(
                _button("◀ Previous", PAGE, str(page - 1), f"Previous page of {review.program}")
            )
        if page < pages(review) - 1:
            nav.append(_button("Next ▶", PAGE, str(page + 1), f"Next page of {review.program}"))
        blocks.append(ContextBlock(elements=[_md(f"Page {page + 1} of {pages(review)}")]))
        blocks.append(ActionsBlock(block_id="pages", elements=nav))
    blocks.append(
        ActionsBlock(
            block_id="run",
            elements=[
                _button(
                    "🔁 Re-run matching",
                    RERUN,
                    str(review.run_id),
                    f"Re-run matching for {review.program}",
                ),
                _button(
                    "Publish matches",
                    PUBLISH,
                    str(review.run_id),
                    f"Publish the matches of {review.program}",
                    style="primary",
                    confirm=_publish_confirm(len(pairs), unmatched),
                ),
            ],
        )
    )
    return View(
        type="modal",
        callback_id=REVIEW_CALLBACK,
        title=TITLE,
        close="Done",
        blocks=blocks,
        private_metadata=json.dumps({"run": review.run_id, "page": page}),
    )


def message_view(run_id: int, program: str, text: str, *, rerun: bool) -> View:
    """A short state of the review: working on it, out of date, published, not allowed."""
    blocks: list[Block] = [HeaderBlock(text=clip(program or TITLE, HEADER_TEXT))]
    blocks.append(SectionBlock(block_id="state", text=_md(text)))
    if rerun:
        blocks.append(
            ActionsBlock(
                block_id="run",
                elements=[
                    _button(
                        "🔁 Re-run matching", RERUN, str(run_id), f"Re-run matching for {program}"
                    )
                ],
            )
        )
    return View(
        type="modal",
        callback_id=REVIEW_CALLBACK,
        title=TITLE,
        close="Done",
        blocks=blocks,
        private_metadata=json.dumps({"run": run_id, "page": 0}),
    )


STALE_WORDS = {
    "changed": "The program changed since this proposal was made (someone enrolled, changed their "
    "answers or left, or the program was edited), so it is out of date. Nothing was sent.",
    "superseded": "A newer proposal replaced this one, so nothing was changed here.",
}


def stale_text(why: str) -> str:
    return STALE_WORDS.get(why, "This proposal is out of date. Nothing was sent.")


def published_text(program: str, pairs: Sequence[str], told: int, skipped: Sequence[str]) -> str:
    """What the review says after publishing."""
    n = len(pairs)
    text = (
        f"✅ Published: {n} mentorship{'s' if n != 1 else ''} started in *{mrkdwn(program)}*. "
        "Each person got their plan by DM with why they were matched."
    )
    if told:
        text += f" {told} {'person' if told == 1 else 'people'} without a match {'was' if told == 1 else 'were'} told they stay enrolled."
    if pairs:
        text += "\n" + "\n".join(f"• {p}" for p in pairs)
    if skipped:
        text += "\n*Not started*\n" + "\n".join(f"• {s}" for s in skipped)
    return text
