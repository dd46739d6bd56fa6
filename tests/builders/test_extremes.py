"""The largest inputs the bot accepts, built once each and read closely: nothing refused by
Slack, nothing lost without a visible "…" and a pointer, a done goal's strikethrough intact."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.core.text import ELLIPSIS, mrkdwn
from bot.domain.plan import MAX_GOALS, MAX_TEXT, PlanForm, goals_problem
from bot.domain.reflection import MAX_ANSWER, questions_for
from bot.home.data import GoalItem, HomeData, MilestoneItem, PairCard, PastPair
from bot.home.view import IN_EDIT, build_home, goal_line
from bot.plans.modal import build_plan_modal
from bot.plans.summary import PlanSummary, plan_summary
from bot.reflections import messages as say
from bot.reflections.messages import QA, Journey
from bot.reflections.modal import build_reflection_modal
from bot.reports.report import PairLine, ProgramReport
from bot.standin.blockkit import MAX_VIEW_BYTES
from storage.report import PairCounts
from tests.kit.built import Built, message, view
from tests.kit.strategies import MARKUP, NOW

# A person's goals at the form's limits: 3,000 characters in all, each goal under 1,000, written
# in the characters that grow most once escaped (`<` becomes `&lt;`).
FULL_GOALS = ["<" * 999, "&" * 999, "<@U1>" * 199]
LONG_NAME = "<" * 128


def summary(goals: list[str], vision: str, name: str = "Maya") -> PlanSummary:
    return PlanSummary(
        pair_id=1,
        mentor_name=name,
        mentee_name=name,
        cadence="weekly",
        cadence_phrase="every week",
        first_meeting=NOW + timedelta(days=8),
        plan_tz="Europe/Berlin",
        format="online",
        channels=("chat", "calls"),
        mentee_goals=goals,
        mentor_goals=goals,
        vision=vision,
        end_date=date(2027, 9, 9),
        checkpoints=6,
        checkpoint_weeks=4,
        announce_channel="C0MENTOR01",
    )


def section_texts(built: Built) -> str:
    return "".join(
        b["text"]["text"] for b in built.all_blocks if b["type"] == "section" and "text" in b
    )


def test_a_plan_filled_to_the_forms_limits_reaches_both_people_whole() -> None:
    """Issue 11: goals and vision at the form's limits overflowed the summary's one section and
    it was never delivered. Now every goal and the vision are there, split over sections."""
    assert goals_problem("\n".join(FULL_GOALS)) is None and len("\n".join(FULL_GOALS)) > 2990
    built = message(
        *plan_summary(
            summary(FULL_GOALS, ">" * MAX_TEXT, LONG_NAME), reader_role="mentor", reader_tz="UTC"
        )
    )
    assert built.stand_in_errors() == []
    sections = [b["text"]["text"] for b in built.all_blocks if b["type"] == "section"]
    assert max(len(t) for t in sections) <= 3000 and len(sections) > 4
    joined = section_texts(built).replace("\n", "")
    for goal in FULL_GOALS:
        assert mrkdwn(goal) in joined  # whole: split between sections, nothing dropped
    assert mrkdwn(">" * MAX_TEXT) in joined and "*Goals &amp; Vision*" in joined


def test_a_journey_of_the_longest_mentorship_fits_one_message_and_says_what_it_left_out() -> None:
    questions = questions_for("final_review", FULL_GOALS, "Omar")
    answers = [QA(q.text, "<" * MAX_ANSWER) for q in questions]
    j = Journey(
        partner=LONG_NAME,
        goals=[(g, "done") for g in FULL_GOALS * 2] + [("~y~", "open")] * 14,
        held=70,
        planned=78,
        skipped=8,
        milestones=[(f"Checkpoint {i} of 78", True) for i in range(1, 79)],
        reflections=[(f"Checkpoint {i} of 78", answers) for i in range(1, 81)],
        vision="&" * MAX_TEXT,
    )
    built = message(*say.journey(j))
    assert built.stand_in_errors() == [] and len(built.all_blocks) <= 50
    text = section_texts(built)
    assert "more reflections: your answers are in the message that closed each one" in text
    assert built.all_blocks[-1]["elements"][0]["text"] == say.PRIVATE_NOTE
    assert "✅ done: " in text and "◻️ open: ~y~" in text and "✓ reached" in text


def test_the_reflection_form_prefills_an_answer_of_any_length_within_the_field() -> None:
    questions = questions_for("final_review", ["<" * 999] * 3, LONG_NAME)
    earlier = {q.key: "😀" * 40_000 for q in questions}
    built = view(build_reflection_modal(9, "Final review", questions, earlier))
    assert built.stand_in_errors() == []
    inputs = [b["element"] for b in built.all_blocks if b["type"] == "input"]
    texts = [e for e in inputs if e["type"] == "plain_text_input"]
    assert texts and all(len(e["initial_value"]) == MAX_ANSWER for e in texts)
    assert all(e["initial_value"].endswith(ELLIPSIS) for e in texts)


def test_older_goals_that_no_longer_fit_the_form_leave_it_openable_and_say_so() -> None:
    """The bot no longer stores goals the form cannot show (tests/plans/test_goal_room.py);
    goals stored before that (ten of 1,000 characters) still open the edit form."""
    legacy = "\n".join(["g" * 999] * MAX_GOALS)
    form = plan_form_with(legacy)
    built = view(build_plan_modal(form=form, private_metadata={"pair_id": 1}, submit="Save"))
    assert built.stand_in_errors() == []
    block = next(b for b in built.all_blocks if b.get("block_id") == "mentee_goals")
    assert block["element"]["initial_value"] == "\n".join(["g" * 999] * 3)
    assert block["hint"]["text"].startswith("7 more lines did not fit in this field")


def plan_form_with(mentee_goals: str) -> PlanForm:
    return PlanForm(
        mentor_id="U0OMAR0001",
        mentee_id="U0MAYA0001",
        mentee_goals=mentee_goals,
        vision="A launch",
        cadence="weekly",
        first_date=date(2027, 3, 9),
        tz="Europe/Berlin",
        format="online",
        channels=("chat",),
        end_date=date(2027, 9, 9),
        checkpoint_weeks=4,
    )


def home_card(i: int, goal_text: str, own_goal: str) -> PairCard:
    goals = [
        GoalItem(i * 100 + k, f"Partner {i}", goal_text, k % 2 == 0, "mentee") for k in range(10)
    ]
    goals += [GoalItem(i * 100 + 50 + k, "Omar", own_goal, False, "mentor") for k in range(10)]
    return PairCard(
        pair_id=i,
        role="mentor",
        partner_name=f"Partner {i}",
        status="active" if i % 3 else "paused",
        paused_until=None,
        next_meeting=NOW + timedelta(days=8) if i % 3 else None,
        reader_tz="Europe/Berlin",
        partner_tz="Asia/Kolkata",
        rhythm="every week on Tuesday at 15:00 (Europe/Berlin)",
        format="online",
        channels=("chat",),
        end_date=date(2030, 1, 1),
        vision="😀" * MAX_TEXT,
        goals=tuple(goals),
        milestones=tuple(
            MilestoneItem(f"Checkpoint {k} of 78", date(2027, 3, 9), k < 5) for k in range(78)
        ),
    )


def risky_report(n: int) -> ProgramReport:
    line = PairLine(
        "T1", 1, "U0MENTOR01", LONG_NAME, "U0MENTEE01", LONG_NAME, "U0KAI00001", "active",
        "weekly", date(2027, 1, 5), date(2027, 6, 5), PairCounts(planned=4, held=1, asked=2),
        ("no meeting recorded since Tue 5 Jan 2027",),
    )  # fmt: skip
    return ProgramReport("T1", NOW, (line,) * n)


def test_a_home_with_forty_full_mentorships_stays_within_100_blocks_and_250_kb() -> None:
    cards = tuple(home_card(i, "😀" * 299, "&" * 299) for i in range(1, 41))
    past = tuple(PastPair(LONG_NAME, "mentor", "completed", date(2026, 1, 1)) for _ in range(15))
    built = view(build_home(HomeData(cards=cards, past=past, overview=risky_report(60))))
    assert built.stand_in_errors() == []
    assert len(built.all_blocks) <= 100
    assert len(json.dumps(built.view)) <= MAX_VIEW_BYTES
    text = section_texts(built)
    assert "*More mentorships*" in text and "Program overview" in json.dumps(built.view)


def test_a_long_goal_on_the_home_is_clipped_with_a_pointer_to_the_edit_form() -> None:
    g = GoalItem(1, "Maya", "<" * 999, done=False, owner_role="mentee")
    line = goal_line(g)
    assert len(line) <= 3000 and line.endswith(f"  _(Maya)_{IN_EDIT}") and ELLIPSIS in line


def test_a_done_goal_stays_struck_through_whatever_its_text() -> None:
    """`~` inside a struck goal would end the strikethrough early: it becomes "∼" (U+223C)."""
    done = goal_line(GoalItem(1, "Maya", MARKUP, done=True, owner_role="mentee"))
    assert done == (
        "✅ ~R&amp;D &lt;b&gt;x&lt;/b&gt; &lt;!channel&gt; &lt;@U123&gt; ∼y∼~  _(Maya · done)_"
    )
    assert done.count("~") == 2
    long_done = goal_line(GoalItem(1, "Maya", "~" * 999 + "<" * 999, True, "mentee"))
    assert long_done.count("~") == 2 and len(long_done) <= 3000
