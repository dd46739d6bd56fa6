"""The demo's program act: Kai creates a program, eight people enrol (Omar mentors again, with
room for two), Kai reviews the proposal and publishes it; each pair gets their plan with why they
were matched, and the mentee nobody could take is told plainly. First come, first served would
have given Ben, who enrolled first, the only Kubernetes mentor; the whole-cohort match gives Ben
his other wish (Go, with Ana) and Kim to Lee, who only wants Kubernetes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from bot.core.clock import ManualClock
from bot.programs.review_view import PUBLISH, REVIEW_CALLBACK
from bot.standin import SlackDriver, SlackStandIn
from bot.standin.render import render_view


class Story(Protocol):
    """What the act needs of the demo's story (bot/ops/demo.py)."""

    standin: SlackStandIn
    driver: SlackDriver
    clock: ManualClock
    out: Callable[[str], None]

    def flush(self) -> None: ...

    def tick(self) -> None: ...


KAI, OMAR = "U0KAI00001", "U0OMAR0001"
KIM, ANA, BEN, LEE, NOOR, PIA, SAM = (
    "U0KIM00001",
    "U0ANA00001",
    "U0BEN00001",
    "U0LEE00001",
    "U0NOOR0001",
    "U0PIA00001",
    "U0SAM00001",
)
PEOPLE = {
    KIM: ("kim", "Kim", "Asia/Kolkata"),
    ANA: ("ana", "Ana", "America/New_York"),
    BEN: ("ben", "Ben", "Europe/Berlin"),
    LEE: ("lee", "Lee", "Asia/Tokyo"),
    NOOR: ("noor", "Noor", "Europe/Berlin"),
    PIA: ("pia", "Pia", "Europe/London"),
    SAM: ("sam", "Sam", "America/New_York"),
}
ANSWERS: dict[str, dict[str, Any]] = {
    BEN: {
        "role": "mentee",
        "skills": ["Kubernetes / k8s", "Go (golang)"],
        "goals": "Ship a k8s operator",
    },
    LEE: {"role": "mentee", "skills": ["Kubernetes / k8s"], "goals": "Run clusters at scale"},
    SAM: {"role": "mentee", "skills": ["Public speaking"], "goals": "Give a conference talk"},
    NOOR: {"role": "mentee", "skills": ["SQL"], "goals": "Tune slow queries"},
    PIA: {"role": "mentee", "skills": ["Rust"], "goals": "Write safe Rust"},
    KIM: {"role": "mentor", "skills": ["Kubernetes / k8s", "Go (golang)"], "capacity": "1"},
    ANA: {"role": "mentor", "skills": ["Go (golang)"], "capacity": "1"},
    OMAR: {"role": "mentor", "skills": ["Public speaking", "SQL"], "capacity": "2"},
}


def program_act(story: Story, wait: Any) -> None:
    """Play the program act on the story's stand-in and clock (`wait` is the demo's waiter)."""
    for user_id, (handle, name, tz) in PEOPLE.items():
        story.standin.add_user(user_id, handle, real_name=name, tz=tz)
    today = story.clock.now().date()
    story.out("\n── A program: eight people enrol, the whole cohort is matched at once ──")
    d = story.driver
    d.slash_command(KAI, "program new")
    form = wait(
        lambda: [v for v in story.standin.views_for(KAI) if v.callback_id == "program_submit"],
        "the program form",
    )
    d.submit_view(
        KAI,
        form[-1].id,
        {
            "Program name": "Summer engineering mentorship",
            "Meeting cadence": "biweekly",
            "First meetings from": (today + timedelta(days=14)).isoformat(),
            "Length": "3",
            "Feedback checkpoint every": "4",
            "Enrolment closes": (today + timedelta(days=7)).isoformat(),
            "Skills or topics people pick from": "Kubernetes / k8s, Go (golang), Public speaking, SQL, Rust",
        },
    )
    story.flush()
    for user_id, answers in ANSWERS.items():
        before = len(story.standin.views_for(user_id, include_closed=True))
        d.slash_command(user_id, "join")
        enrol = wait(
            lambda u=user_id, n=before: [
                v for v in story.standin.views_for(u, include_closed=True)[n:] if v.is_open
            ],
            "the enrolment form",
        )
        d.submit_view(user_id, enrol[-1].id, answers)
    story.tick()  # the enrolment confirmations
    d.slash_command(KAI, "program match")
    review = wait(
        lambda: [
            v
            for v in story.standin.views_for(KAI)
            if v.callback_id == REVIEW_CALLBACK and "Publish matches" in str(v.blocks)
        ],
        "the review",
    )[-1]
    story.flush()
    story.out(
        "  Kai's review:\n    "
        + render_view(review.blocks, story.standin.ws.name_of).replace("\n", "\n    ")
    )
    d.click(KAI, PUBLISH, view_id=review.id)
    wait(lambda: "Published" in str(story.standin.view(review.id).blocks), "the publish")
    story.tick()  # the plan summaries and the note to Pia
