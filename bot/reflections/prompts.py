"""A reflection prompt's life: asked, answered in the DM or the form, shared, closed, swept."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.payload import parse_id
from bot.core.services import Services
from bot.core.text import mrkdwn
from bot.domain.reflection import Question, parse_rating
from bot.people.lookup import person
from bot.reflections import messages as say
from bot.reflections.messages import QA
from bot.reflections.milestones import milestone_label
from bot.reflections.modal import build_reflection_modal, first_input, parse_reflection_form
from storage import keys
from storage.documents import queue_document_sync
from storage.models import (
    DeliveryKind,
    Milestone,
    Pair,
    PromptStatus,
    ReflectionAnswer,
    ReflectionPrompt,
)
from storage.outbox import NewDelivery, add_deliveries, pending_prompts_for
from storage.reflections import OpenPrompt, answers_of, expire_prompts, open_prompt_for

QAReply = tuple[str, list[Block]]  # a message: fallback text and blocks


def questions_of(prompt: ReflectionPrompt | OpenPrompt) -> list[Question]:
    """The prompt's questions as domain objects."""
    return [Question.from_dict(q) for q in prompt.questions]


def qa_items(session: Session, prompt: ReflectionPrompt) -> list[QA]:
    """What the author answered, question by question (skipped and deleted ones left out)."""
    texts = {q.key: q.text for q in questions_of(prompt)}
    items = []
    for answer in answers_of(session, prompt.id):
        if answer.skipped or answer.deleted or answer.question_key not in texts:
            continue
        shown = f"{answer.rating}/5" if answer.rating is not None else (answer.text or "")
        items.append(QA(texts[str(answer.question_key)], shown))
    return items


def close_prompt(
    session: Session, prompt: ReflectionPrompt, status: str, services: Services
) -> None:
    """Mark a prompt finished; after a final review, queue the journey summary."""
    now = services.clock.now()
    prompt.status = status
    prompt.completed_at = now
    milestone = session.get(Milestone, prompt.milestone_id)
    if milestone is not None and milestone.kind == "final_review":
        journey = NewDelivery(
            team_id=prompt.team_id,
            kind=DeliveryKind.JOURNEY,
            recipient_id=prompt.user_id,
            occurrence_key=keys.journey(prompt.pair_id, prompt.user_id),
            due_at=now,
            pair_id=prompt.pair_id,
        )
        add_deliveries(session, [journey], now)
        services.waker(plan=False)  # nothing to plan: send it now


def supersede_open_prompts(session: Session, newer: ReflectionPrompt, services: Services) -> None:
    """A new milestone's questions replace the person's unfinished ones from the same pair."""
    older = session.scalars(
        select(ReflectionPrompt).where(
            ReflectionPrompt.pair_id == newer.pair_id,
            ReflectionPrompt.user_id == newer.user_id,
            ReflectionPrompt.status == PromptStatus.OPEN.value,
            ReflectionPrompt.id != newer.id,
        )
    ).all()
    for prompt in older:
        close_prompt(session, prompt, PromptStatus.EXPIRED.value, services)


def close_pair_prompts(
    session: Session, services: Services, pair_id: int, *, final_review_too: bool
) -> int:
    """A pair ended (or completed): its prompts stop taking answers, so a later DM gets the
    usual "nothing to answer" and the form says the reflection is closed. Ending closes every
    prompt, waiting or open; completion keeps the final review's (it is asked at the end, with
    its own window). No journey summary is queued here."""
    statuses = [PromptStatus.OPEN.value]
    if final_review_too:
        statuses.append(PromptStatus.SCHEDULED.value)
    rows = session.execute(
        select(ReflectionPrompt, Milestone.kind)
        .join(Milestone, Milestone.id == ReflectionPrompt.milestone_id)
        .where(ReflectionPrompt.pair_id == pair_id, ReflectionPrompt.status.in_(statuses))
    ).all()
    now = services.clock.now()
    closed = 0
    for prompt, kind in rows:
        if kind == "final_review" and not final_review_too:
            continue
        prompt.status, prompt.completed_at = PromptStatus.EXPIRED.value, now
        closed += 1
    return closed


def sweep_prompts(session: Session, services: Services) -> int:
    """Expire open prompts past their window (a final review's expiry still sends the summary)."""
    now = services.clock.now()
    expired = expire_prompts(session, now)
    for prompt in expired:
        close_prompt(session, prompt, "expired", services)
    return len(expired)


SOON = timedelta(days=1)
NOTHING_OPEN = (
    "There's nothing to reflect on right now — I'll write when your next milestone comes up."
)


def reflect_now(services: Services, client: WebClient, team_id: str, user_id: str) -> str:
    """Put the open reflection question in the DM now (or bring a due prompt forward)."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        prompt = open_prompt_for(session, team_id, user_id, lock=True)
        found = None
        if prompt is not None and prompt.position < len(prompt.questions):
            milestone = session.get(Milestone, prompt.milestone_id)
            pair = session.get(Pair, prompt.pair_id)
            label = milestone_label(session, milestone) if milestone else "Reflection"
            partner_id = pair.partner_of(user_id) if pair else user_id
            found = (prompt.id, label, partner_id, questions_of(prompt), prompt.position)
        brought = False
        if found is None:
            waiting = [
                r for r in pending_prompts_for(session, team_id, user_id) if r.due_at <= now + SOON
            ]
            if waiting:
                waiting[0].due_at, brought = now, True
    if found is not None:
        prompt_id, label, partner_id, questions, position = found
        partner = person(services, client, team_id, partner_id).name
        text, blocks = say.reminder(prompt_id, label, partner, questions, position)
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            return (
                f"I couldn't post in our DM ({exc.response.get('error')}). Try again in a minute?"
            )
        return "Your next question is in our DM — reply there, or use the form."
    if brought:
        services.waker()
        return "Your reflection questions are on their way to our DM."
    return NOTHING_OPEN


def own_prompt(services: Services, team_id: str, raw: Any, user_id: str) -> ReflectionPrompt | str:
    """The prompt a button or form names, if it is the acting person's own; else a message."""
    prompt_id = parse_id(raw)
    if prompt_id is None:
        return "I couldn't tell which reflection that was."
    with services.sessions() as session:
        prompt = session.get(ReflectionPrompt, prompt_id)
    if prompt is None or prompt.team_id != team_id or prompt.user_id != user_id:
        return "That reflection belongs to someone else, so I left it alone."
    return prompt


def open_form(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_prompt_id: Any,
    trigger_id: str,
) -> str | None:
    """ "Answer in a form": the open prompt's questions in a modal, earlier answers filled in;
    else why not."""
    found = own_prompt(services, team_id, raw_prompt_id, user_id)
    if isinstance(found, str):
        return found
    if found.status != PromptStatus.OPEN.value:
        return "This reflection is already closed — thank you!"
    with services.sessions() as session:
        milestone = session.get(Milestone, found.milestone_id)
        label = milestone_label(session, milestone) if milestone else "Reflection"
        earlier = {
            str(a.question_key): (str(a.rating) if a.rating is not None else a.text or "")
            for a in answers_of(session, found.id)
            if not a.skipped and not a.deleted
        }
    view = build_reflection_modal(found.id, label, questions_of(found), earlier)
    client.views_open(trigger_id=trigger_id, view=view)
    return None


def submit_form(
    services: Services, client: WebClient, team_id: str, user_id: str, view: dict[str, Any]
) -> QAReply | dict[str, str] | None:
    """Store the form's answers (replacing earlier ones) and close the prompt: the thanks to
    post after Slack's answer, field errors, or None (the prompt closed meanwhile)."""
    prompt_id, answers = parse_reflection_form(view)
    found = own_prompt(services, team_id, prompt_id, user_id)
    if isinstance(found, str):
        block = next(iter(answers), None) or first_input(view)
        return {block: found} if block else None  # no field to show it beside: close the form
    questions = questions_of(found)
    for q in questions:
        if q.kind == "rating" and q.key in answers and parse_rating(answers[q.key]) is None:
            return {q.key: "Pick a number from 1 to 5."}
    now = services.clock.now()
    with services.sessions.begin() as session:
        prompt = session.get(ReflectionPrompt, found.id)
        if prompt is None or prompt.status != PromptStatus.OPEN.value:
            return None
        for q in questions:
            store_form_answer(session, prompt, q, answers.get(q.key), now)
        prompt.position = len(questions)
        close_prompt(session, prompt, PromptStatus.DONE.value, services)
        session.flush()
        pair = session.get(Pair, prompt.pair_id)
        items = qa_items(session, prompt)
        milestone = session.get(Milestone, prompt.milestone_id)
        label = milestone_label(session, milestone) if milestone else "Reflection"
    partner = person(services, client, team_id, pair.partner_of(user_id)).name if pair else None
    return say.thanks(found.id, partner or "your partner", items, label)


def store_form_answer(
    session: Session, prompt: ReflectionPrompt, q: Question, value: str | None, now: datetime
) -> None:
    """One form field's answer, keyed like a DM answer so a resubmitted form replaces it."""
    ts = f"{prompt.id}:{q.key}"
    row = session.scalars(
        select(ReflectionAnswer).where(
            ReflectionAnswer.channel == "form", ReflectionAnswer.ts == ts
        )
    ).first()
    if row is None:
        row = ReflectionAnswer(
            team_id=prompt.team_id, user_id=prompt.user_id, channel="form", ts=ts, created_at=now
        )
        session.add(row)
    row.prompt_id, row.question_key, row.edited_at = prompt.id, q.key, now
    row.skipped = value is None
    row.text = value
    row.rating = parse_rating(value) if value and q.kind == "rating" else None


def share(
    services: Services, client: WebClient, team_id: str, user_id: str, raw_prompt_id: Any
) -> str | None:
    """The author shares a finished reflection with their partner (once): what to tell them."""
    found = own_prompt(services, team_id, raw_prompt_id, user_id)
    if isinstance(found, str):
        return found
    with services.sessions.begin() as session:
        prompt = session.get(ReflectionPrompt, found.id)
        pair = session.get(Pair, found.pair_id)
        milestone = session.get(Milestone, found.milestone_id)
        if prompt is None or pair is None or milestone is None:
            return None
        items = qa_items(session, prompt)
        refusal = not_shareable(prompt, items)
        if refusal:
            return refusal
        first_time = prompt.shared_at is None
        prompt.shared_at = prompt.shared_at or services.clock.now()
        if first_time:  # "What we learned" on the plan canvas quotes shared reflections
            queue_document_sync(session, team_id, pair.id, services.clock.now())
        label = milestone_label(session, milestone)
    partner_id = pair.partner_of(user_id)
    partner = person(services, client, team_id, partner_id).name
    if first_time:
        me = person(services, client, team_id, user_id).name
        text, blocks = say.shared_with_partner(me, label, items)
        client.chat_postMessage(channel=partner_id, text=text, blocks=blocks)
        return f"✅ Shared with {mrkdwn(partner)}."
    return f"You already shared this with {mrkdwn(partner)}."


NEVER_ASKED = "I haven't asked you these questions yet, so there's nothing to share."
NOT_FINISHED = "Finish this reflection first — then you can share it."
NOTHING_SAVED = "There's nothing to share: you skipped every question."


def not_shareable(prompt: ReflectionPrompt, items: list[QA]) -> str | None:
    """Why a reflection cannot be shared (never asked, still open, no answers), or None."""
    if prompt.asked_at is None or prompt.status == PromptStatus.SCHEDULED.value:
        return NEVER_ASKED
    if prompt.status == PromptStatus.OPEN.value:
        return NOT_FINISHED
    if not items:
        return NOTHING_SAVED
    return None
