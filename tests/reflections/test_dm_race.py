"""Two DMs from one person at once answer two questions, in the order they were written down.

On PostgreSQL a DM that does not end its prompt is one statement in autocommit
(`storage.reflections.answer_next`): it locks the person's open prompt, and when another
message holds it, waits and then answers the question that message left open. What that
statement does not write (the last answer, a stop, a rating it cannot read) goes to a
transaction with the prompt locked, as every DM did before."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import autocommit_connection
from storage.models import ReflectionAnswer, ReflectionPrompt
from storage.reflections import Answered, answer_next
from tests.kit.plans import SHORT, dm_texts, run_until
from tests.kit.workspace import OMAR, TEAM, Bot, wait_for


def _kickoff_open(bot: Bot) -> int:
    assert bot.start_plan(OMAR, SHORT).status == 200
    run_until(bot, datetime(2027, 3, 2, 18, tzinfo=UTC))
    with bot.sessions() as s:
        prompt = s.scalars(
            select(ReflectionPrompt).where(
                ReflectionPrompt.user_id == OMAR, ReflectionPrompt.status == "open"
            )
        ).one()
        assert prompt.position == 0 and len(prompt.questions) >= 3
        return prompt.id


def _answers(sessions: sessionmaker[Session], prompt_id: int) -> list[tuple[str, str | None]]:
    with sessions() as s:
        rows = s.execute(
            select(ReflectionAnswer.text, ReflectionAnswer.question_key)
            .where(ReflectionAnswer.prompt_id == prompt_id)
            .order_by(ReflectionAnswer.question_key)
        ).all()
    return [(str(t), k) for t, k in rows]


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_dm_that_finds_the_prompt_moved_on_answers_the_next_question(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompt_id = _kickoff_open(bot)
    with bot.sessions() as s:
        prompt = s.get(ReflectionPrompt, prompt_id)
        assert prompt is not None
        keys = [q["key"] for q in prompt.questions]
    raced: list[str] = []

    def race_then_answer(conn: Any, **kwargs: Any) -> Answered:
        if not raced:  # the first message: the second one is taken before its statement
            raced.append("second")
            before = len(bot.standin.dm_messages(OMAR))
            bot.driver.user_dm(OMAR, "Second message")
            wait_for(lambda: len(bot.standin.dm_messages(OMAR)) > before, what="its reply")
        return answer_next(conn, **kwargs)

    monkeypatch.setattr("bot.reflections.conversation.answer_next", race_then_answer)
    before = len(bot.standin.dm_messages(OMAR))
    bot.driver.user_dm(OMAR, "First message")
    wait_for(lambda: len(bot.standin.dm_messages(OMAR)) >= before + 2, what="both replies")

    # The second message was stored first, so it answers the first question; the first message
    # finds the prompt moved on and answers the second.
    assert sorted(_answers(bot.sessions, prompt_id), key=lambda a: keys.index(str(a[1]))) == [
        ("Second message", keys[0]),
        ("First message", keys[1]),
    ]
    with bot.sessions() as s:
        prompt = s.get(ReflectionPrompt, prompt_id)
        assert prompt is not None and prompt.position == 2 and prompt.status == "open"
    replies = dm_texts(bot, OMAR)[-2:]
    assert replies[0].startswith("*2/") and replies[1].startswith("*3/"), replies


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_one_statement_waits_for_a_writer_and_answers_what_it_left_open(
    bot: Bot, engine: Engine
) -> None:
    """The prompt locked by another transaction that moves it on: the statement waits, then
    answers the question that transaction left open (the prompt as committed, not as it was
    when the statement began)."""
    prompt_id = _kickoff_open(bot)
    found: list[Answered] = []

    def answer() -> None:
        with autocommit_connection(engine) as conn:
            found.append(
                answer_next(
                    conn,
                    team_id=TEAM,
                    user_id=OMAR,
                    channel="D1",
                    ts="9.000001",
                    now=datetime(2027, 3, 3, tzinfo=UTC),
                    text="late",
                    rating=None,
                    skipped=False,
                )
            )

    with engine.connect() as other:
        other.execute(
            text("SELECT id FROM reflection_prompts WHERE id = :id FOR UPDATE"), {"id": prompt_id}
        )
        thread = threading.Thread(target=answer)
        thread.start()
        time.sleep(0.3)
        assert not found  # waiting for the lock
        other.execute(
            text("UPDATE reflection_prompts SET position = 1 WHERE id = :id"), {"id": prompt_id}
        )
        other.commit()
    thread.join(10)
    assert len(found) == 1 and found[0].wrote and found[0].stored is not None
    assert found[0].prompt is not None and found[0].prompt.position == 1
    with bot.sessions() as s:
        prompt = s.get(ReflectionPrompt, prompt_id)
        assert prompt is not None and prompt.position == 2
        keys = [q["key"] for q in prompt.questions]
    assert _answers(bot.sessions, prompt_id) == [("late", keys[1])]


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_one_statement_writes_only_the_steps_it_may(bot: Bot, engine: Engine) -> None:
    """An answer or a skip to a question before the last is stored with the question's key,
    and a rating only for a rating question; the last question's answer and a rating question
    given no rating are left to the transaction (nothing written)."""
    prompt_id = _kickoff_open(bot)
    questions = [
        {"key": "r", "text": "How is it going?", "kind": "rating"},
        {"key": "t", "text": "What went well?"},
        {"key": "s", "text": "What next?"},
        {"key": "last", "text": "Anything else?"},
    ]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE reflection_prompts SET questions = CAST(:q AS json) WHERE id = :id"),
            {"q": json.dumps(questions), "id": prompt_id},
        )

    def answer(ts: str, text_: str | None, rating: int | None, skipped: bool) -> Answered:
        with autocommit_connection(engine) as conn:
            return answer_next(
                conn,
                team_id=TEAM,
                user_id=OMAR,
                channel="D1",
                ts=ts,
                now=datetime(2027, 3, 3, tzinfo=UTC),
                text=text_,
                rating=rating,
                skipped=skipped,
            )

    unclear = answer("1.1", "hard to say", None, False)  # the rating question, no rating
    assert unclear.wrote is False and unclear.prompt is not None and unclear.prompt.position == 0
    assert answer("1.2", "4", 4, False).stored is not None
    assert answer("1.3", "4 things", 4, False).stored is not None  # a text question
    assert answer("1.4", None, None, True).stored is not None  # skipped
    last = answer("1.5", "That's all", None, False)
    assert last.wrote is False and last.prompt is not None and last.prompt.position == 3
    with bot.sessions() as s:
        rows = s.execute(
            select(
                ReflectionAnswer.ts,
                ReflectionAnswer.question_key,
                ReflectionAnswer.text,
                ReflectionAnswer.rating,
                ReflectionAnswer.skipped,
            ).order_by(ReflectionAnswer.ts)
        ).all()
        prompt = s.get(ReflectionPrompt, prompt_id)
        assert prompt is not None and prompt.position == 3
    assert [tuple(r) for r in rows] == [
        ("1.2", "r", "4", 4, False),
        ("1.3", "t", "4 things", None, False),
        ("1.4", "s", None, None, True),
    ]
