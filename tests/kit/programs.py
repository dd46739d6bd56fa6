"""The program scenarios' cohort: a lead, eight people to enrol, the program form's answers, and
the steps they take (create, enrol, open the review, click in it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.standin import DriverResponse, SlackStandIn, StoredView
from storage.program_models import Program
from tests.kit.workspace import KAI, MAYA, MENTORING, OMAR, Bot, listeners_idle, wait_for

# Kai (a workspace admin) leads. Mentors: Kim (Kolkata, room for 1), Ana (New York, 1), Omar
# (Berlin, 2). Mentees, in the order they enrol: Ben (Berlin) wants Kubernetes and Go, Lee
# (Tokyo) only Kubernetes, Maya (New York) public speaking, Noor (Berlin) SQL, Pia (London) Rust.
KIM, ANA, BEN, LEE, NOOR, PIA = (
    "U0KIM00001",
    "U0ANA00001",
    "U0BEN00001",
    "U0LEE00001",
    "U0NOOR0001",
    "U0PIA00001",
)
LEAD = KAI
PROGRAM = "2027 Engineering mentorship"
SKILLS = "Kubernetes / k8s\nGo (golang)\nPublic speaking\nSQL\nRust"
PROGRAM_FORM: dict[str, Any] = {
    "Program name": PROGRAM,
    "Description": "Engineers mentoring engineers, one quarter at a time.",
    "Meeting cadence": "weekly",
    "First meetings from": "2027-03-15",
    "Length": "6",
    "Feedback checkpoint every": "2",
    "Checkpoint questions (one per line)": "What did you try since the last checkpoint?",
    "Announcement channel": MENTORING,
    "Enrolment closes": "2027-03-10",
    "Skills or topics people pick from": SKILLS,
}
MENTORS: dict[str, dict[str, Any]] = {
    KIM: {"role": "mentor", "skills": ["Kubernetes / k8s", "Go (golang)"], "capacity": "1"},
    ANA: {"role": "mentor", "skills": ["Go (golang)"], "capacity": "1"},
    OMAR: {"role": "mentor", "skills": ["Public speaking", "SQL"], "capacity": "2"},
}
MENTEES: dict[str, dict[str, Any]] = {
    BEN: {
        "role": "mentee",
        "skills": ["Kubernetes / k8s", "Go (golang)"],
        "goals": "Ship a k8s operator",
    },
    LEE: {"role": "mentee", "skills": ["Kubernetes / k8s"], "goals": "Run clusters at scale"},
    MAYA: {"role": "mentee", "skills": ["Public speaking"], "goals": "Give a conference talk"},
    NOOR: {"role": "mentee", "skills": ["SQL"], "goals": "Tune slow queries"},
    PIA: {"role": "mentee", "skills": ["Rust"], "goals": "Write safe Rust"},
}
# The optimum (mentor, mentee): first come, first served gives Ben Kim's only place instead.
OPTIMAL = {(KIM, LEE), (ANA, BEN), (OMAR, MAYA), (OMAR, NOOR)}


def add_cohort(standin: SlackStandIn) -> None:
    """The people the fixture's workspace doesn't have yet."""
    standin.add_user(KIM, "kim", real_name="Kim", tz="Asia/Kolkata")
    standin.add_user(ANA, "ana", real_name="Ana", tz="America/New_York")
    standin.add_user(BEN, "ben", real_name="Ben", tz="Europe/Berlin")
    standin.add_user(LEE, "lee", real_name="Lee", tz="Asia/Tokyo")
    standin.add_user(NOOR, "noor", real_name="Noor", tz="Europe/Berlin")
    standin.add_user(PIA, "pia", real_name="Pia", tz="Europe/London")


def last_view(bot: Bot, user: str, callback_id: str, before: int = 0) -> StoredView:
    """The newest open modal of `user` with this callback id (opened after the first `before`)."""
    return wait_for(
        lambda: [
            v
            for v in bot.standin.views_for(user, include_closed=True)[before:]
            if v.callback_id == callback_id and v.is_open
        ],
        what=f"the {callback_id} modal",
    )[-1]


def create_program(bot: Bot, lead: str = LEAD, **changes: Any) -> DriverResponse:
    """The lead runs `/mentorship program new` and submits the form; what the bot does after
    its answer (the Home tabs it refreshes) is done when this returns."""
    before = len(bot.standin.views_for(lead, include_closed=True))
    assert bot.driver.slash_command(lead, "program new").status == 200
    view = last_view(bot, lead, "program_submit", before)
    submitted = bot.driver.submit_view(lead, view.id, {**PROGRAM_FORM, **changes})
    bot.settle()  # a Home refresh read now must not land after the next step's
    return submitted


def program_id(bot: Bot, name: str = PROGRAM) -> int:
    with bot.sessions() as s:
        found = s.scalars(select(Program.id).where(Program.name == name)).first()
        assert found is not None
        return found


def enrol(bot: Bot, user: str, answers: dict[str, Any], text: str = "join") -> DriverResponse:
    """`/mentorship join` and the enrolment form submitted with `answers` (by block id); what
    the bot does after its answer is done when this returns."""
    before = len(bot.standin.views_for(user, include_closed=True))
    assert bot.driver.slash_command(user, text).status == 200
    view = last_view(bot, user, "program_enrol", before)
    submitted = bot.driver.submit_view(user, view.id, answers)
    bot.settle()
    return submitted


def enrol_everyone(bot: Bot) -> None:
    """The five mentees (in the order that defeats first come, first served), then the mentors."""
    for user, answers in {**MENTEES, **MENTORS}.items():
        r = enrol(bot, user, answers)
        assert r.status == 200 and not r.body.strip(), (user, r.body)


def open_review(bot: Bot, lead: str = LEAD, text: str = "program match") -> StoredView:
    """The lead runs `/mentorship program match`; the review once it is filled in."""
    assert bot.driver.slash_command(lead, text).status == 200
    views = wait_for(
        lambda: [
            v
            for v in bot.standin.views_for(lead)
            if v.callback_id == "program_review"
            and v.is_open
            and "Publish matches" in str(v.blocks)
        ],
        what="the filled-in review",
    )
    return views[-1]


def click_in(bot: Bot, lead: str, view: StoredView, action_id: str, **kw: Any) -> StoredView:
    """A click in the review, once the modal has been redrawn after it (and after any click
    before it: a redraw of an earlier click landing late is not taken for this one's)."""
    old = view.view["hash"]
    assert bot.driver.click(lead, action_id, view_id=view.id, **kw).status == 200

    def redrawn() -> bool:
        now = bot.standin.view(view.id)
        return now.view["hash"] != old and "Publishing the matches…" not in str(now.blocks)

    wait_for(lambda: listeners_idle(bot.runtime), what="the click's listener to finish")
    wait_for(redrawn, what="the review to redraw")
    return bot.standin.view(view.id)
