"""Reflection questions for each milestone, and how a DM reply is read (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

MAX_GOAL_QUESTIONS = 3
MAX_ANSWER = 3000
RATING_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass(frozen=True)
class Question:
    """One question of a prompt; `kind` is "text" or "rating" (1–5)."""

    key: str
    text: str
    kind: str = "text"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the database."""
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Question:
        """Back from plain data."""
        return Question(str(data["key"]), str(data["text"]), str(data.get("kind", "text")))


def _goal_questions(goals: Sequence[str], verb: str) -> list[Question]:
    return [
        Question(f"goal_{i}", f"{verb} *{goal}*?")
        for i, goal in enumerate(goals[:MAX_GOAL_QUESTIONS])
    ]


def questions_for(
    kind: str, own_goals: Sequence[str], partner: str, checkpoint: Sequence[str] = ()
) -> list[Question]:
    """The questions for a milestone, naming the reader's own goals and their partner.

    `checkpoint` holds a program's own checkpoint questions: at a checkpoint they replace the
    standard ones (what worked, what to change, the rating); the questions about the reader's
    own goals stay."""
    rating = Question(
        "rating", f"From 1 to 5, how is the mentorship with {partner} going?", "rating"
    )
    if kind == "kickoff":
        return [
            Question("expectations", f"What do you most hope to get from working with {partner}?"),
            Question(
                "initial_goals",
                "Your goals as you see them today — anything to add or sharpen?",
            ),
            Question("ways_of_working", "How would you like the two of you to work together?"),
        ]
    if kind == "final_review":
        return [
            *_goal_questions(own_goals, "Where did you end up with"),
            Question("learning", "What are the most important things you learned?"),
            Question("next", "What will you do next with what you learned?"),
            Question(
                "rating", f"From 1 to 5, how valuable was this mentorship with {partner}?", "rating"
            ),
        ]
    if checkpoint:
        program = [Question(f"program_{i}", text) for i, text in enumerate(checkpoint)]
        return [*_goal_questions(own_goals, "How far did you get with"), *program]
    return [
        *_goal_questions(own_goals, "How far did you get with"),
        Question("worked", "What has worked well so far?"),
        Question("change", "What would you change for the next stretch?"),
        rating,
    ]


Reply = Literal["skip", "stop", "answer"]


def classify_reply(text: str) -> Reply:
    """`skip` and `stop` (alone, any case, with or without punctuation) steer; anything else answers."""
    word = re.sub(r"[^a-z]", "", text.strip().lower())
    if word in ("skip", "pass", "next"):
        return "skip"
    if word in ("stop", "quit", "cancel", "later"):
        return "stop"
    return "answer"


def parse_rating(text: str) -> int | None:
    """A 1–5 rating from a reply such as "4", "4/5", "four" or "I'd say 3"; None if unclear."""
    cleaned = text.strip().lower()
    numbers = re.findall(r"(?<![\d.])([1-5])(?![\d.])", cleaned.split("/")[0])
    if len(numbers) == 1:
        return int(numbers[0])
    words = [RATING_WORDS[w] for w in re.findall(r"[a-z]+", cleaned) if w in RATING_WORDS]
    return words[0] if len(words) == 1 and not numbers else None


def clean_answer(text: str) -> str:
    """Trim a reply to what we keep."""
    return text.strip()[:MAX_ANSWER]
