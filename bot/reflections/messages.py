"""What the bot says around reflections, milestones and the end of a mentorship."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.text import (
    BUTTON_TEXT,
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    around,
    clip,
    mrkdwn,
    split,
    split_within,
)
from bot.domain.reflection import Question

OPEN_FORM, SHARE = "reflection_form", "reflection_share"
PRIVATE_NOTE = "Only you can see your answers unless you choose to share them."
NO_PROMPT = (
    "Hi! There's nothing for you to answer right now — I'll write when your next meeting or "
    "checkpoint comes up. `/mentorship help` shows what I can do."
)
RATING_AGAIN = "Just a number from 1 to 5, please (or `skip`)."
ANSWER_SHOWN, QUESTION_SHOWN, GOAL_SHOWN = 400, 300, 300  # characters shown in summaries


def thread_hint(number: str) -> str:
    """The one line after a reply in a thread, which the conversation does not read."""
    return (
        f"I don't read replies in threads — please write your answer to question {number} "
        "in our main chat (or `skip`, `stop`)."
    )


def me_hint(number: str) -> str:
    """The one line after a `/me` message, which is not taken as an answer."""
    return (
        f"I don't take `/me` messages as answers — please write your answer to question "
        f"{number} as a normal message (or `skip`, `stop`)."
    )


@dataclass(frozen=True)
class QA:
    """A question with its answer as the author gave it."""

    question: str
    answer: str


def phrase(label: str) -> str:
    """A milestone label inside a sentence: "the kickoff", "checkpoint 2 of 4", "the final review"."""
    low = label[0].lower() + label[1:]
    return low if low.startswith(("the ", "checkpoint")) else f"the {low}"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def question_line(questions: Sequence[Question], position: int) -> str:
    """ "*2/4:* What has worked well so far?" (a question names a goal: escaped, within a
    section)."""
    head = f"*{position + 1}/{len(questions)}:* "
    return head + clip(mrkdwn(questions[position].text), SECTION_TEXT - len(head))


def prompt_intro(
    kind: str, label: str, partner_name: str, count: int, so_far: str | None = None
) -> str:
    """The first line of a reflection prompt, fitting the milestone; checkpoints and the final
    review quote the sessions' numbers (`so_far`, e.g. "4 sessions held, 3 of 5 action items
    done (2 open)") when there are any."""
    partner = mrkdwn(partner_name)
    steer = "answer right here, or type `skip` to pass one and `stop` to finish later."
    numbers = f" So far: {so_far}." if so_far else ""
    if kind == "kickoff":
        return f"🎉 Your mentorship with *{partner}* has kicked off. {count} quick questions to set the course — {steer}"
    if kind == "final_review":
        return f"🎉 Final review of your mentorship with *{partner}* — time to look back.{numbers} {count} questions — {steer}"
    return f"{label} with *{partner}*.{numbers} {count} quick questions — {steer}"


def prompt(
    prompt_id: int, intro: str, questions: Sequence[Question], position: int, *, label: str
) -> tuple[str, list[Block]]:
    """A reflection prompt with its current question and a form for people who prefer one
    (`intro` is mrkdwn, its names escaped; `label` the milestone, for the button's label)."""
    first = question_line(questions, position)
    return f"{intro}\n{first}", [
        _section(intro),
        _section(first),
        ActionsBlock(
            block_id=f"reflection_{prompt_id}",
            elements=[
                ButtonElement(
                    text="Answer in a form",
                    action_id=OPEN_FORM,
                    value=str(prompt_id),
                    accessibility_label=around("Answer ", phrase(label), " questions in a form"),
                )
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text=PRIVATE_NOTE)]),
    ]


def reminder(
    prompt_id: int, label: str, partner: str, questions: Sequence[Question], position: int
) -> tuple[str, list[Block]]:
    """The one reminder for a prompt left unanswered."""
    left = len(questions) - position
    text = (
        f"Your questions for {phrase(label)} with *{mrkdwn(partner)}* are still open — "
        f"{left} to go. Reply here whenever you're ready, or type `stop`."
    )
    return prompt(prompt_id, text, questions, position, label=label)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shown(text: str, limit: int) -> str:
    """A person's text on one line, escaped, and clipped to `limit` characters."""
    return clip(mrkdwn(_one_line(text)), limit)


def summary_lines(items: Sequence[QA]) -> str:
    """Answers as a short list: each question and answer on its own, long ones clipped."""
    if not items:
        return "_No answers saved._"
    return "\n".join(
        f"• {_shown(qa.question, QUESTION_SHOWN)}\n    _{_shown(qa.answer, ANSWER_SHOWN)}_"
        for qa in items
    )


def summary_sections(items: Sequence[QA], heading: str = "") -> list[SectionBlock]:
    """The answers (after an optional mrkdwn heading) in as many sections as they need."""
    return [_section(piece) for piece in split(heading + summary_lines(items)) if piece.strip()]


def thanks(
    prompt_id: int, partner: str, items: Sequence[QA], label: str
) -> tuple[str, list[Block]]:
    """Sent after the last answer: a summary and the choice to share it."""
    text = "✅ Thanks — that's everything. Here's what you said:"
    return text, [
        _section(text),
        *summary_sections(items),
        ActionsBlock(
            block_id=f"share_{prompt_id}",
            elements=[
                ButtonElement(
                    text=around("Share with ", partner, limit=BUTTON_TEXT),
                    action_id=SHARE,
                    value=str(prompt_id),
                    accessibility_label=around(
                        f"Share your answers on {phrase(label)} with ", partner
                    ),
                )
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text=PRIVATE_NOTE)]),
    ]


def stopped(count: int) -> str:
    """After `stop`."""
    saved = f"Your {count} answer{'s are' if count != 1 else ' is'} saved." if count else ""
    return f"No problem, I've stopped here. {saved}".strip()


def shared_with_partner(author: str, label: str, items: Sequence[QA]) -> tuple[str, list[Block]]:
    """What the partner receives when someone shares their reflection."""
    text = f"*{mrkdwn(author)}* shared their reflection on {phrase(label)} with you:"
    return text, [_section(text), *summary_sections(items)]


def announcement(kind: str, mentee_name: str, mentor_name: str, label: str) -> str:
    """A channel post for a milestone: names and the milestone, never reflection content."""
    mentee, mentor = mrkdwn(mentee_name), mrkdwn(mentor_name)
    if kind == "kickoff":
        return f"🎉 *{mentee}* and *{mentor}* kicked off their mentorship. Welcome aboard!"
    if kind == "final_review":
        return f"🎉 *{mentee}* and *{mentor}* completed their mentorship. Congratulations to both!"
    return f"🎉 *{mentee}* and *{mentor}* reached {phrase(label)} of their mentorship. Keep going!"


@dataclass(frozen=True)
class Journey:
    """The facts of a whole mentorship, as one participant sees them."""

    partner: str
    goals: Sequence[tuple[str, str]]  # (goal, status)
    held: int
    planned: int
    skipped: int
    milestones: Sequence[tuple[str, bool]]  # (label, reached)
    reflections: Sequence[tuple[str, Sequence[QA]]]  # (milestone label, own answers)
    vision: str = ""
    items: str | None = None  # "3 of 5 action items done (2 open)"
    done: Sequence[tuple[str, str]] = ()  # (action item, whose) for each one done


def done_text(done: Sequence[tuple[str, str]], shown: int = 15) -> str:
    """What the two got done, one action item a line (within one section)."""
    lines = [f"• ✅ {mrkdwn(clip(_one_line(t), 200))} _({mrkdwn(who)})_" for t, who in done[:shown]]
    if len(done) > shown:
        lines.append(f"…and {len(done) - shown} more")
    return clip("*What you got done*\n" + "\n".join(lines), 2900)


def _goal_line(goal: str, status: str) -> str:
    state = "✅ done" if status == "done" else "◻️ open"
    return f"• {state}: {_shown(goal, GOAL_SHOWN)}"


def journey(j: Journey) -> tuple[str, list[Block]]:
    """The final summary each participant gets: goals, meetings, milestones, own reflections.

    Within one message (50 blocks): every goal (a long one clipped), then each reflection in
    the sections it needs while they fit; the ones that do not are counted, with where the
    answers are (the thanks message each one ended with, earlier in the same DM)."""
    head = f"🎉 Your mentorship with *{mrkdwn(j.partner)}* is complete. Here's the journey."
    goals = (
        "\n".join(_goal_line(goal, status) for goal, status in j.goals) or "• _no goals recorded_"
    )
    if j.vision:
        goals += f"\n*Shared vision*: {mrkdwn(j.vision)}"
    meetings = f"*Meetings*: {j.held} held of {j.planned} planned" + (
        f" ({j.skipped} skipped)" if j.skipped else ""
    )
    marks = ", ".join(
        f"{label} {'✓ reached' if reached else '— not reached'}" for label, reached in j.milestones
    )
    actions = f"\n*Action items*: {j.items}" if j.items else ""
    blocks: list[Block] = [
        _section(head),
        *(_section(piece) for piece in split_within(f"*Goals*\n{goals}", 10)),
        _section(clip(f"{meetings}{actions}\n*Milestones*: {marks or '—'}", SECTION_TEXT)),
    ]
    if j.done:
        blocks.append(_section(done_text(j.done)))
    room = MESSAGE_BLOCKS - len(blocks) - 2  # the context, and a line for what did not fit
    written = [(label, items) for label, items in j.reflections if items]
    shown = 0
    for label, items in written:
        sections = summary_sections(items, f"*Your reflection on {phrase(label)}*\n")
        if len(sections) > room:
            break
        blocks += sections
        room -= len(sections)
        shown += 1
    if shown < len(written):
        left = len(written) - shown
        blocks.append(
            _section(
                f"…and {left} more reflection{'s' if left != 1 else ''}: your answers are in "
                "the message that closed each one, earlier in this chat."
            )
        )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=PRIVATE_NOTE)]))
    return head, blocks
