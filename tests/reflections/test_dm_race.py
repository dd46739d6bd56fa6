"""Two DMs from one person at once answer two questions, in the order they were written down.

On PostgreSQL a DM that does not end the prompt is read, then written in one statement that
checks the prompt is still at the question it read (`storage.reflections.record_answer`). A
message that finds the prompt moved on between its read and its write is taken again in a
transaction with the prompt locked, as every DM was before."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import autocommit_connection
from storage.models import ReflectionAnswer, ReflectionPrompt
from storage.reflections import MOVED, open_prompt_row, record_answer
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

    def read_then_race(where: Any, team_id: str, user_id: str, *, lock: bool = False) -> Any:
        row = open_prompt_row(where, team_id, user_id, lock=lock)
        if not raced:  # the first message's read: the second message is taken before its write
            raced.append("second")
            before = len(bot.standin.dm_messages(OMAR))
            bot.driver.user_dm(OMAR, "Second message")
            wait_for(lambda: len(bot.standin.dm_messages(OMAR)) > before, what="its reply")
        return row

    monkeypatch.setattr("bot.reflections.conversation.open_prompt_row", read_then_race)
    before = len(bot.standin.dm_messages(OMAR))
    bot.driver.user_dm(OMAR, "First message")
    wait_for(lambda: len(bot.standin.dm_messages(OMAR)) >= before + 2, what="both replies")

    # The second message was stored first, so it answers the first question; the first message
    # found the prompt moved on and answers the second.
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
def test_the_one_statement_waits_for_a_writer_and_sees_its_change(bot: Bot, engine: Engine) -> None:
    """The prompt locked by another transaction that moves it on: the statement waits, then
    finds the prompt no longer at the question it read and writes nothing."""
    prompt_id = _kickoff_open(bot)
    with autocommit_connection(engine) as conn:
        stale = open_prompt_row(conn, TEAM, OMAR)
    assert stale is not None and stale.position == 0
    answer = {"prompt_id": prompt_id, "question_key": "q", "text": "late"}
    found: list[Any] = []

    def write() -> None:
        with autocommit_connection(engine) as conn:
            found.append(
                record_answer(
                    conn,
                    stale,
                    team_id=TEAM,
                    user_id=OMAR,
                    channel="D1",
                    ts="9.000001",
                    now=datetime(2027, 3, 3, tzinfo=UTC),
                    answer=answer,
                )
            )

    with engine.connect() as other:
        other.execute(
            text("SELECT id FROM reflection_prompts WHERE id = :id FOR UPDATE"), {"id": prompt_id}
        )
        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.3)
        assert not found  # waiting for the lock
        other.execute(
            text("UPDATE reflection_prompts SET position = 1 WHERE id = :id"), {"id": prompt_id}
        )
        other.commit()
    thread.join(10)
    assert found == [MOVED]
    assert _answers(bot.sessions, prompt_id) == []
    with bot.sessions() as s:
        prompt = s.get(ReflectionPrompt, prompt_id)
        assert prompt is not None and prompt.position == 1
