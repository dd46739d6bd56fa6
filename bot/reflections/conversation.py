"""The reflection conversation: one question at a time in the DM, answers stored once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.reflection import (
    MAX_ANSWER,
    classify_reply,
    clean_answer,
    parse_rating,
)
from bot.reflections import messages as say
from bot.reflections.milestones import milestone_label
from bot.reflections.prompts import close_prompt, qa_items, questions_of
from storage.db import autocommit_connection, write_connection
from storage.models import Milestone, Pair, Person, PromptStatus, ReflectionAnswer, ReflectionPrompt
from storage.reflections import (
    OpenPrompt,
    answer_for_message,
    answer_next,
    open_prompt_for,
    open_prompt_row,
    record_answer,
    record_message,
)

log = logging.getLogger(__name__)
FILES_ONLY = "I can only read typed answers — please write yours as a message."
CUT_NOTE = (
    f"I saved the first {MAX_ANSWER:,} characters of that answer — one answer holds that "
    "much. To keep a different part, edit your message."
)


@dataclass
class Reply:
    """What to say back, decided inside the transaction and sent after it."""

    text: str
    blocks: list[Block] | None = None


@dataclass(frozen=True)
class Step:
    """What one DM does to the open prompt, decided before anything is written: the answer it
    is (stored with the message), the prompt's new status when it ends the prompt, and the reply
    when it is known without reading the stored answers."""

    answer: dict[str, Any] | None = None
    close: str | None = None
    reply: Reply | None = None


def _decide(prompt: OpenPrompt | None, text: str, files_only: bool) -> Step:
    if prompt is None:
        return Step(reply=Reply(say.NO_PROMPT))
    if files_only:
        return Step(reply=Reply(FILES_ONLY))
    questions = questions_of(prompt)
    if prompt.position >= len(questions):
        return Step(close=PromptStatus.DONE.value, reply=Reply(say.NO_PROMPT))
    question = questions[prompt.position]
    action = classify_reply(text)
    if action == "stop":
        return Step(close=PromptStatus.STOPPED.value)
    answer: dict[str, Any] = {"prompt_id": prompt.id, "question_key": question.key}
    if action == "skip":
        answer["skipped"] = True
    elif question.kind == "rating":
        rating = parse_rating(text)
        if rating is None:
            return Step(reply=Reply(say.RATING_AGAIN))  # not an answer; ask again
        answer.update(rating=rating, text=clean_answer(text))
    else:
        answer["text"] = clean_answer(text)
    if prompt.position + 1 < len(questions):
        return Step(answer, reply=Reply(say.question_line(questions, prompt.position + 1)))
    return Step(answer, close=PromptStatus.DONE.value)


def _apply(conn: Connection, services: Services, row: OpenPrompt, step: Step) -> Reply:
    """Say what `step` does to the prompt and, when it ends the prompt, write that in the
    transaction `conn` holds (its answer is stored and the prompt moved on already); an ORM
    session joins it only then."""
    if step.close is None:
        assert step.reply is not None
        return step.reply
    # The session takes part in the connection's transaction and never ends it: what it
    # changes is flushed here and committed with the rest when `handle_dm`'s block ends.
    with services.sessions(bind=conn) as session:
        reply = _close(session, services, row, step)
        session.flush()
    return reply


def _close(session: Session, services: Services, row: OpenPrompt, step: Step) -> Reply:
    """End the prompt as `step` says and say so (the thanks lists what was answered)."""
    assert step.close is not None
    prompt = session.get(ReflectionPrompt, row.id)
    assert prompt is not None  # read in this transaction (locked on PostgreSQL)
    if step.close == PromptStatus.STOPPED.value:
        count = len(qa_items(session, prompt))
        close_prompt(session, prompt, step.close, services)
        return Reply(say.stopped(count))
    close_prompt(session, prompt, step.close, services)
    if step.reply is not None:
        return step.reply
    pair = session.get(Pair, prompt.pair_id)
    partner = (
        _name(session, prompt.team_id, pair.partner_of(prompt.user_id)) if pair else "your partner"
    )
    milestone = session.get(Milestone, prompt.milestone_id)
    label = milestone_label(session, milestone) if milestone else "Reflection"
    text_, blocks = say.thanks(prompt.id, partner, qa_items(session, prompt), label)
    return Reply(text_, blocks)


def _with_cut_note(reply: Reply, step: Step, text: str) -> Reply:
    """An answer longer than one answer holds is kept cut, and the person is told so (with the
    reply that follows it)."""
    if step.answer is None or step.answer.get("text") is None or len(text.strip()) <= MAX_ANSWER:
        return reply
    if reply.blocks is None:
        return Reply(f"{CUT_NOTE}\n{reply.text}")
    note = SectionBlock(text=MarkdownTextObject(text=CUT_NOTE))
    return Reply(f"{CUT_NOTE}\n{reply.text}", [note, *reply.blocks])


def _name(session: Session, team_id: str, user_id: str) -> str:
    person = session.get(Person, (team_id, user_id))
    return person.name if person is not None and person.name else "your partner"


def handle_dm(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    channel: str,
    ts: str,
    text: str,
    *,
    files_only: bool = False,
) -> bool:
    """Take a DM reply: store it once with what it answers, move the open prompt on, reply.
    False if the message was seen before (nothing is changed then)."""
    where = {
        "team_id": team_id,
        "user_id": user_id,
        "channel": channel,
        "ts": ts,
        "now": services.clock.now(),
    }
    engine = services.sessions.kw["bind"]
    postgres = engine.dialect.name == "postgresql"
    done = _at_once(engine, text, files_only, where) if postgres else IN_TRANSACTION
    if done is IN_TRANSACTION:
        done = _in_transaction(services, engine, text, files_only, where)
    if done is SEEN:
        return False  # the same message again (a retried event): already handled
    assert isinstance(done, Reply)
    _post(client, channel, done.text, done.blocks)
    return True


# What `_at_once` and `_in_transaction` say besides a reply: the message was seen before
# (nothing changed), or the step needs the transaction.
SEEN, IN_TRANSACTION = object(), object()


def _at_once(engine: Engine, text: str, files_only: bool, where: dict[str, Any]) -> object:
    """PostgreSQL, a DM that answers a question other than its prompt's last (most of them),
    or one while no prompt is open: one statement, committed on its own (`answer_next`: the
    prompt locked and read, the answer stored, the prompt moved on). The reply; SEEN; or
    IN_TRANSACTION (nothing written) when the step ends the prompt or answers nothing (the
    last answer, a stop, a rating it cannot read, files only)."""
    action = classify_reply(text)
    if files_only or action == "stop":
        return IN_TRANSACTION
    skipped = action == "skip"
    with autocommit_connection(engine) as conn:
        found = answer_next(
            conn,
            text=clean_answer(text),
            rating=parse_rating(text),
            skipped=skipped,
            **where,
        )
        if found.prompt is None:  # it answers nothing: stored as a message, as before
            stored = record_message(conn, **where)
            return SEEN if stored is None else Reply(say.NO_PROMPT)
    if not found.wrote:
        return IN_TRANSACTION
    if found.stored is None:
        return SEEN
    # What the statement did is the step `_decide` takes for this prompt and text.
    step = _decide(found.prompt, text, files_only)
    if step.answer is None or step.close is not None or step.reply is None:
        raise RuntimeError(f"prompt {found.prompt.id}: the DM's one statement and its step differ")
    return _with_cut_note(step.reply, step, text)


def _in_transaction(
    services: Services, engine: Engine, text: str, files_only: bool, where: dict[str, Any]
) -> Reply | object:
    """Any DM, in one write transaction with the prompt read locked: on a bare connection, and
    with an ORM session joining it only when the step ends the prompt. The reply, or SEEN."""
    with write_connection(engine) as conn:
        prompt = open_prompt_row(conn, where["team_id"], where["user_id"], lock=True)
        step = _decide(prompt, text, files_only)
        if prompt is not None and step.answer is not None:  # moves the prompt on too
            stored = record_answer(conn, prompt, answer=step.answer, **where)
        else:
            stored = record_message(conn, **where)
        if stored is None:
            return SEEN
        if prompt is None:
            assert step.reply is not None
            return step.reply
        return _with_cut_note(_apply(conn, services, prompt, step), step, text)


def handle_edit(
    services: Services, team_id: str, author: str, channel: str, ts: str, new_text: str
) -> bool:
    """An edited reply updates its stored answer when the edit comes from the answer's own
    workspace and author; True when it did."""
    with services.sessions.begin() as session:
        answer = _own_answer(session, team_id, author, channel, ts)
        if answer is None or answer.prompt_id is None or answer.skipped:
            return False
        prompt = session.get(ReflectionPrompt, answer.prompt_id)
        kinds = {q.key: q.kind for q in questions_of(prompt)} if prompt else {}
        if kinds.get(str(answer.question_key)) == "rating":
            rating = parse_rating(new_text)
            if rating is None:
                return False
            answer.rating = rating
        answer.text = clean_answer(new_text)
        answer.deleted = False
        answer.edited_at = services.clock.now()
        return True


def handle_delete(services: Services, team_id: str, author: str, channel: str, ts: str) -> bool:
    """A deleted reply (or one Slack replaced by its "This message was deleted." tombstone)
    removes its stored text, when its workspace and author are the answer's; True when it did."""
    with services.sessions.begin() as session:
        answer = _own_answer(session, team_id, author, channel, ts)
        if answer is None or answer.prompt_id is None:
            return False
        answer.text, answer.rating, answer.deleted = None, None, True
        answer.edited_at = services.clock.now()
        return True


def _own_answer(
    session: Session, team_id: str, author: str, channel: str, ts: str
) -> ReflectionAnswer | None:
    """The answer stored from this message, if it is this workspace's and this author's."""
    answer = answer_for_message(session, channel, ts)
    if answer is None or not author or (answer.team_id, answer.user_id) != (team_id, author):
        return None
    return answer


def handle_aside(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    channel: str,
    ts: str,
    *,
    thread_ts: str | None = None,
) -> bool:
    """A message the conversation does not read (a thread reply, a `/me` message) while a
    prompt is open: one line saying how to answer, in the thread it came from. Once per
    message (a retried event gets nothing more); False when nothing was said."""
    with services.sessions.begin() as session:
        prompt = open_prompt_for(session, team_id, user_id, lock=True)
        if prompt is None:
            return False
        stored = record_message(
            session,
            team_id=team_id,
            user_id=user_id,
            channel=channel,
            ts=ts,
            now=services.clock.now(),
        )
        if stored is None:
            return False  # the same message again (a retried event): already answered
        questions = questions_of(prompt)
        if not questions:
            return False
        number = f"{min(prompt.position, len(questions) - 1) + 1}/{len(questions)}"
        text = say.thread_hint(number) if thread_ts else say.me_hint(number)
    _post(client, channel, text, None, thread_ts=thread_ts)
    return True


def _post(
    client: WebClient,
    channel: str,
    text: str,
    blocks: list[Block] | None,
    *,
    thread_ts: str | None = None,
) -> None:
    kwargs: dict[str, Any] = {"channel": channel, "text": text}
    if blocks is not None:
        kwargs["blocks"] = blocks
    if thread_ts is not None:
        kwargs["thread_ts"] = thread_ts
    try:
        client.chat_postMessage(**kwargs)
    except SlackApiError as exc:
        log.error(
            "could not reply in a DM (%s); the answer is stored, the person saw no reply",
            exc.response.get("error"),
        )
