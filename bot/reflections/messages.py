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

from bot.core.text import mrkdwn
from bot.domain.reflection import Question

OPEN_FORM, SHARE = "reflection_form", "reflection_share"
PRIVATE_NOTE = "Only you can see your answers unless you choose to share them."
NO_PROMPT = (
    "Hi! There's nothing for you to answer right now — I'll write when your next meeting or "
    "checkpoint comes up. `/mentorship help` shows what I can do."
)
RATING_AGAIN = "Just a number from 1 to 5, please (or `skip`)."


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
    """ "*2/4:* What has worked well so far?"."""
    return f"*{position + 1}/{len(questions)}:* {questions[position].text}"


def prompt_intro(kind: str, label: str, partner: str, count: int, so_far: str | None = None) -> str:
    """The first line of a reflection prompt, fitting the milestone; checkpoints and the final
    review quote the sessions' numbers (`so_far`, e.g. "4 sessions held, 3 of 5 action items
    done (2 open)") when there are any."""
    steer = "answer right here, or type `skip` to pass one and `stop` to finish later."
    numbers = f" So far: {so_far}." if so_far else ""
    if kind == "kickoff":
        return f"🎉 Your mentorship with *{partner}* has kicked off. {count} quick questions to set the course — {steer}"
    if kind == "final_review":
        return f"🎉 Final review of your mentorship with *{partner}* — time to look back.{numbers} {count} questions — {steer}"
    return f"{label} with *{partner}*.{numbers} {count} quick questions — {steer}"


def prompt(
    prompt_id: int, intro: str, questions: Sequence[Question], position: int
) -> tuple[str, list[Block]]:
    """A reflection prompt with its current question and a form for people who prefer one."""
    first = question_line(questions, position)
    return f"{intro}\n{first}", [
        _section(intro),
        _section(first),
        ActionsBlock(
            block_id=f"reflection_{prompt_id}",
            elements=[
                ButtonElement(text="Answer in a form", action_id=OPEN_FORM, value=str(prompt_id))
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
        f"Your questions for {phrase(label)} with *{partner}* are still open — "
        f"{left} to go. Reply here whenever you're ready, or type `stop`."
    )
    return prompt(prompt_id, text, questions, position)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_lines(items: Sequence[QA]) -> str:
    """Answers as a short list that fits one Slack section (3,000 characters)."""
    if not items:
        return "_No answers saved._"
    lines = "\n".join(f"• {qa.question}\n    _{_clip(_one_line(qa.answer), 400)}_" for qa in items)
    return _clip(lines, 2900)


def thanks(prompt_id: int, partner: str, items: Sequence[QA]) -> tuple[str, list[Block]]:
    """Sent after the last answer: a summary and the choice to share it."""
    text = "✅ Thanks — that's everything. Here's what you said:"
    return text, [
        _section(text),
        _section(summary_lines(items)),
        ActionsBlock(
            block_id=f"share_{prompt_id}",
            elements=[
                ButtonElement(text=f"Share with {partner}", action_id=SHARE, value=str(prompt_id))
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
    text = f"*{author}* shared their reflection on {phrase(label)} with you:"
    return text, [_section(text), _section(summary_lines(items))]


def announcement(kind: str, mentee: str, mentor: str, label: str) -> str:
    """A channel post for a milestone: names and the milestone, never reflection content."""
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
    lines = [
        f"• ✅ {mrkdwn(_clip(_one_line(t), 200))} _({mrkdwn(who)})_" for t, who in done[:shown]
    ]
    if len(done) > shown:
        lines.append(f"…and {len(done) - shown} more")
    return _clip("*What you got done*\n" + "\n".join(lines), 2900)


def journey(j: Journey) -> tuple[str, list[Block]]:
    """The final summary each participant gets: goals, meetings, milestones, own reflections."""
    head = f"🎉 Your mentorship with *{j.partner}* is complete. Here's the journey."
    goals = (
        "\n".join(f"• {'✅' if status == 'done' else '◻️'} {goal}" for goal, status in j.goals)
        or "• _no goals recorded_"
    )
    meetings = f"*Meetings*: {j.held} held of {j.planned} planned" + (
        f" ({j.skipped} skipped)" if j.skipped else ""
    )
    marks = ", ".join(f"{label} {'✓' if reached else '—'}" for label, reached in j.milestones)
    actions = f"\n*Action items*: {j.items}" if j.items else ""
    blocks: list[Block] = [
        _section(head),
        _section(f"*Goals*\n{goals}" + (f"\n*Shared vision*: {j.vision}" if j.vision else "")),
        _section(f"{meetings}{actions}\n*Milestones*: {marks}"),
    ]
    if j.done:
        blocks.append(_section(done_text(j.done)))
    for label, items in j.reflections:
        if items:
            blocks.append(_section(f"*Your reflection on {phrase(label)}*\n{summary_lines(items)}"))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=PRIVATE_NOTE)]))
    return head, blocks[:50]
