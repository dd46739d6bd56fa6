"""Issue 17: every button says what it acts on to a screen reader (its `accessibility_label`
names the goal, the session, the mentorship or the reflection), a Home with many mentorships
repeats no label, and state is in words as well as emoji."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.reflection import questions_for
from bot.home.data import GoalItem, HomeData, MilestoneItem, PairCard
from bot.home.view import build_home, status_message
from bot.meetings import messages as meeting_messages
from bot.meetings.messages import MeetingFacts
from bot.pairs import messages as pair_messages
from bot.reflections import messages as say
from bot.reflections.messages import QA
from tests.kit.built import Built, buttons, message, view

AT = datetime(2027, 3, 9, 14, tzinfo=UTC)  # Tue 9 Mar, 15:00 in Berlin


def labels(built: Built) -> list[str]:
    return [str(b.get("accessibility_label")) for b in buttons(built)]


def test_meeting_buttons_name_the_session_and_its_day() -> None:
    facts = MeetingFacts(7, AT, "Europe/Berlin", "Maya Okafor", "America/New_York", "online",
                         ("chat",), "Lead a design review")  # fmt: skip
    for build in (meeting_messages.nudge, meeting_messages.followup):
        found = labels(message(*build(facts)))
        assert found == [
            "We met: the session with Maya Okafor on Tue 9 Mar",
            "Pick a new time for the session with Maya Okafor on Tue 9 Mar",
            "Skip the session with Maya Okafor on Tue 9 Mar",
        ]


def test_reflection_buttons_name_the_milestone_and_the_partner() -> None:
    questions = questions_for("checkpoint", ["Lead a design review"], "Omar")
    intro = say.prompt_intro("checkpoint", "Checkpoint 1 of 2", "Omar", len(questions))
    prompt = message(*say.prompt(3, intro, questions, 0, label="Checkpoint 1 of 2"))
    assert labels(prompt) == ["Answer checkpoint 1 of 2 questions in a form"]
    reminder = message(*say.reminder(3, "Kickoff", "Omar", questions, 1))
    assert labels(reminder) == ["Answer the kickoff questions in a form"]
    thanks = message(*say.thanks(3, "Omar", [QA("How?", "Well")], "Final review"))
    assert labels(thanks) == ["Share your answers on the final review with Omar"]


def test_pair_buttons_name_the_mentorship() -> None:
    _, blocks = pair_messages.end_confirmation(4, "your mentorship with *Omar*", "Omar")
    assert labels(message("", blocks)) == ["End mentorship with Omar"]
    choices = [(4, "Omar"), (5, "Lena & Kai")]
    expected = {
        "status": ["Show the mentorship with Omar", "Show the mentorship with Lena & Kai"],
        "pause": ["Pause the mentorship with Omar", "Pause the mentorship with Lena & Kai"],
        "resume": ["Resume the mentorship with Omar", "Resume the mentorship with Lena & Kai"],
        "end": ["End mentorship with Omar", "End mentorship with Lena & Kai"],
    }
    for verb, wanted in expected.items():
        assert labels(message("", pair_messages.picker(verb, choices, weeks=4)[1])) == wanted


GOALS = ("Lead a design review", "Learn Rust async programming", "Give a tech talk")
OWN = ("Practise giving feedback", "Listen more")


def card(i: int, partner: str, status: str = "active") -> PairCard:
    """Omar (the reader) mentors `partner`: the same goal texts in every pair, as happens."""
    goals = [GoalItem(i * 10 + k, partner, g, k == 0, "mentee") for k, g in enumerate(GOALS)]
    goals += [GoalItem(i * 10 + 5 + k, "Omar", g, False, "mentor") for k, g in enumerate(OWN)]
    return PairCard(
        pair_id=i,
        role="mentor",
        partner_name=partner,
        status=status,
        paused_until=None,
        next_meeting=AT if status == "active" else None,
        reader_tz="Europe/Berlin",
        partner_tz="America/New_York",
        rhythm="every week on Tuesday at 15:00 (Europe/Berlin)",
        format="online",
        channels=("chat",),
        end_date=date(2027, 9, 9),
        vision="A launch",
        goals=tuple(goals),
        milestones=(
            MilestoneItem("Kickoff", date(2027, 3, 9), True),
            MilestoneItem("Checkpoint 1 of 2", date(2027, 4, 6), False),
            MilestoneItem("Final review", date(2027, 9, 9), False),
        ),
    )


def test_every_home_button_names_its_goal_or_mentorship() -> None:
    built = view(build_home(HomeData(cards=(card(1, "Maya"), card(2, "Lena", "paused")))))
    found = labels(built)
    assert found[0] == "Start another mentorship"
    for wanted in (
        "Reopen Maya's goal 'Lead a design review'",
        "Mark Maya's goal 'Learn Rust async programming' done",
        "Mark your goal 'Practise giving feedback' done (with Maya)",
        "Pause the mentorship with Maya for 2 weeks",
        "Add a goal to the mentorship with Maya",
        "Edit the plan of the mentorship with Maya",
        "End mentorship with Maya",
        "Resume the mentorship with Lena",
        "End mentorship with Lena",
    ):
        assert wanted in found, (wanted, found)
    empty = view(build_home(HomeData(cards=())))
    assert labels(empty) == ["Start a new mentorship"]


def test_a_home_with_many_mentorships_repeats_no_label() -> None:
    """Before: "✅ Mark done" 35 times and "End mentorship" 8 times, all read alike."""
    partners = [f"Partner {i}" for i in range(1, 13)]
    built = view(build_home(HomeData(cards=tuple(card(i, p) for i, p in enumerate(partners)))))
    found = labels(built)
    assert len(found) > 60
    assert len(found) == len(set(found)), [x for x in found if found.count(x) > 1]
    texts = [str(b["text"]["text"]) for b in buttons(built)]
    assert texts.count("✅ Mark done") > 20  # what is seen stays short; what is heard differs


def test_state_is_in_words_as_well_as_emoji() -> None:
    built = view(build_home(HomeData(cards=(card(1, "Maya"),))))
    text = str(built.view)
    assert "✅ Kickoff · Tue 9 Mar 2027 (done)" in text
    assert "➡️ *Checkpoint 1 of 2* · Tue 6 Apr 2027 (next)" in text
    assert "◻️ Final review · Thu 9 Sep 2027 (later)" in text
    assert "~Lead a design review~  _(Maya · done)_" in text
    _, blocks = status_message(card(1, "Maya"))
    assert "(Maya · done)" in str(message("", blocks).blocks)
