"""Every Block Kit builder of the bot, fed with any input the forms and Slack allow (hypothesis
strategies), and ways to look at what it built: the stand-in's own verdict, every mrkdwn text,
every button.

`BUILDERS` maps a name to a function that draws its input from `st.data()` and returns a `Built`
(a message's text and blocks, or a view). Names and people's text come with markup in them
(`<!channel>`, `<@U…>`, `&`, `~`), at every length up to what the form or Slack accepts, in
characters that take 1 to 12 bytes once sent (\\uXXXX surrogate pairs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.core.text import MESSAGE_BLOCKS, split_within
from bot.delivery.problems import PROBLEMS, delivery_problem
from bot.domain.plan import MAX_GOALS, MAX_GOALS_TEXT, MAX_TEXT, PlanForm, goals_problem, one_goal
from bot.domain.reflection import MAX_ANSWER, questions_for
from bot.home.data import GoalItem, HomeData, MilestoneItem, PairCard, PastPair
from bot.home.view import build_home, status_message
from bot.meetings import messages as meeting_messages
from bot.meetings.messages import MeetingFacts
from bot.meetings.modal import build_reschedule_modal
from bot.pairs import messages as pair_messages
from bot.pairs.messages import PairNames
from bot.plans.goal_modal import build_goal_modal
from bot.plans.modal import build_plan_modal, start_modal_view
from bot.plans.summary import PlanSummary, plan_summary
from bot.reflections import messages as reflection_messages
from bot.reflections.messages import QA, Journey
from bot.reflections.modal import build_reflection_modal
from bot.reports.report import PairLine, ProgramReport
from bot.reports.view import report_blocks
from bot.standin.blockkit import message_errors, view_errors, view_too_large
from storage.report import PairCounts

JSON = dict[str, Any]
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
MARKUP = "R&D <b>x</b> <!channel> <@U123> ~y~"
MAX_NAME = 128  # the people cache's column (Slack's own names are shorter)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "UTC")

# Characters that are markup in mrkdwn, or costly once sent (a surrogate pair is 12 bytes).
_SPECIAL = "<>&~*_`|!@#:\n"
_CHARS = st.one_of(
    st.sampled_from([*_SPECIAL.replace("\n", ""), "😀", "ß", "中", " "]),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
)


def line(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """One line of a person's text, up to `max_size` characters, often at the very limit."""
    repeated = st.builds(
        lambda unit, n: (unit * n)[:n],
        st.sampled_from(["<", "&", "😀", "~", "a ", "<@U1>", "&amp;"]),
        st.integers(max(min_size, 1), max(max_size, 1)),
    )
    typed = st.text(_CHARS, min_size=min_size, max_size=max_size)
    return st.one_of(typed, repeated, st.just(MARKUP[:max_size])).filter(
        lambda t: len(t) >= min_size
    )


def paragraph(max_size: int) -> st.SearchStrategy[str]:
    """A person's free text with line breaks (an answer)."""
    return st.one_of(
        line(max_size), st.text(st.one_of(_CHARS, st.just("\n")), max_size=min(max_size, 500))
    )


def name() -> st.SearchStrategy[str]:
    return line(MAX_NAME, 1).map(lambda t: t.strip() or "N").map(lambda t: t[:MAX_NAME])


@st.composite
def goals(draw: st.DrawFn) -> list[str]:
    """A person's goals as the plan form accepts them: up to 10, each under 1,000 characters,
    3,000 characters in all one per line."""
    raw = draw(st.lists(line(MAX_TEXT, 1), max_size=MAX_GOALS))
    kept: list[str] = []
    for text in raw:
        goal = one_goal(text)[:MAX_TEXT].strip()
        if goal and len("\n".join([*kept, goal])) <= MAX_GOALS_TEXT:
            kept.append(goal)
    assert goals_problem("\n".join(kept)) is None
    return kept


def vision() -> st.SearchStrategy[str]:
    return line(MAX_TEXT, 1).map(lambda t: t.strip() or "v")


@dataclass(frozen=True)
class Built:
    """What a builder made: a message (`text`, `blocks`) or a view (`view`)."""

    text: str | None = None
    blocks: list[JSON] | None = None
    view: JSON | None = None

    @property
    def all_blocks(self) -> list[JSON]:
        return list(self.view["blocks"] if self.view is not None else self.blocks or [])

    def stand_in_errors(self) -> list[str]:
        """What the stand-in (playing Slack) refuses in it; [] when Slack would accept it."""
        if self.view is not None:
            too_large = ["view_too_large"] if view_too_large(self.view) else []
            return too_large + view_errors(self.view)
        found = message_errors(self.text, self.blocks)
        return [] if found is None else [found[0], *found[1]]


def message(text: str, blocks: list[Block] | list[JSON]) -> Built:
    return Built(text=text, blocks=[b.to_dict() if isinstance(b, Block) else b for b in blocks])


def section_message(text: str) -> Built:
    """A text the bot posts as it is (a notice, an announcement), as its renderer posts it."""
    pieces = split_within(text, MESSAGE_BLOCKS)
    return Built(text, [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces])


def view(built: View | JSON) -> Built:
    return Built(view=built.to_dict() if isinstance(built, View) else built)


# -- walking what was built -----------------------------------------------------------------


def _elements(block: JSON) -> Iterator[JSON]:
    for element in [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]:
        if isinstance(element, dict):
            yield element


def buttons(built: Built) -> list[JSON]:
    return [e for b in built.all_blocks for e in _elements(b) if e.get("type") == "button"]


def mrkdwn_texts(built: Built) -> list[str]:
    """Every text Slack reads as mrkdwn: the message's `text`, mrkdwn sections, fields, context
    elements and confirmation dialogs."""
    found = [built.text] if built.text is not None else []

    def take(obj: Any) -> None:
        if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
            found.append(str(obj.get("text", "")))

    for block in built.all_blocks:
        take(block.get("text"))
        for field in block.get("fields") or []:
            take(field)
        for element in _elements(block):
            take(element)
            take((element.get("confirm") or {}).get("text"))
    return found


# The bot's own tokens: dates, channels and people by id. Nothing else may be a `<…>`.
BOT_TOKEN = re.compile(r"<(?:!date\^\d+\^[^|<>]*\|[^<>]*|#[CG][A-Z0-9]+|@U[A-Z0-9]+)>")
BARE_AMP = re.compile(r"&(?!amp;|lt;|gt;)")


def markup_leaks(text: str) -> list[str]:
    """What in a mrkdwn text would be read as markup although the bot did not write it."""
    rest = BOT_TOKEN.sub("", text)
    leaks = [m for m in ("<", ">") if m in rest]
    return leaks + (["&"] if BARE_AMP.search(rest) else [])


def json_size(obj: Any) -> int:
    return len(json.dumps(obj))


# -- the builders -----------------------------------------------------------------------------


def _summary(data: st.DataObject) -> Built:
    s = PlanSummary(
        pair_id=1,
        mentor_name=data.draw(name()),
        mentee_name=data.draw(name()),
        cadence="weekly",
        cadence_phrase="every week",
        first_meeting=NOW + timedelta(days=8),
        plan_tz=data.draw(st.sampled_from(ZONES)),
        format="online",
        channels=("chat", "calls"),
        mentee_goals=data.draw(goals()),
        mentor_goals=data.draw(goals()),
        vision=data.draw(vision()),
        end_date=date(2030, 3, 1),
        checkpoints=data.draw(st.integers(0, 78)),
        checkpoint_weeks=2,
        announce_channel=data.draw(st.sampled_from([None, "C0MENTOR01"])),
    )
    role = data.draw(st.sampled_from(["mentor", "mentee"]))
    return message(*plan_summary(s, reader_role=role, reader_tz=data.draw(st.sampled_from(ZONES))))


def plan_form(data: st.DataObject) -> PlanForm:
    return PlanForm(
        mentor_id="U0OMAR0001",
        mentee_id="U0MAYA0001",
        mentee_goals="\n".join(data.draw(goals())),
        mentor_goals="\n".join(data.draw(goals())),
        vision=data.draw(vision()),
        cadence="biweekly",
        first_date=date(2027, 3, 9),
        tz="Europe/Berlin",
        format="online",
        channels=("chat",),
        end_date=date(2027, 9, 9),
        checkpoint_weeks=4,
        announce_channel="C0MENTOR01",
        announce=True,
    )


def _edit_modal(data: st.DataObject) -> Built:
    form = plan_form(data)
    return view(build_plan_modal(form=form, private_metadata={"pair_id": 2**31}, submit="Save"))


def _start_modal(data: st.DataObject) -> Built:
    tz = data.draw(st.sampled_from([None, *ZONES]))
    return view(
        start_modal_view(
            mentor_id="U0OMAR0001", mentee_id=None, tz=tz, private_metadata={"from": "home"}
        )
    )


def _goal_modal(data: st.DataObject) -> Built:
    names = {"mentee": data.draw(name()), "mentor": data.draw(name())}
    return view(build_goal_modal(2**31, names, data.draw(st.sampled_from(["mentee", "mentor"]))))


def meeting_facts(data: st.DataObject) -> MeetingFacts:
    return MeetingFacts(
        meeting_id=2**31,
        at=NOW + timedelta(days=8, hours=data.draw(st.integers(0, 23))),
        reader_tz=data.draw(st.sampled_from(ZONES)),
        partner_name=data.draw(name()),
        partner_tz=data.draw(st.sampled_from(ZONES)),
        format="hybrid",
        channels=("email", "chat", "calls"),
        focus=data.draw(st.one_of(st.none(), line(MAX_TEXT, 1))),
    )


def _nudge(data: st.DataObject) -> Built:
    return message(*meeting_messages.nudge(meeting_facts(data)))


def _followup(data: st.DataObject) -> Built:
    return message(*meeting_messages.followup(meeting_facts(data)))


def _answered(data: st.DataObject) -> Built:
    facts = meeting_facts(data)
    _, blocks = meeting_messages.nudge(facts)
    status = data.draw(st.sampled_from(["held", "skipped", "rescheduled", "cancelled"]))
    by = data.draw(st.one_of(st.none(), name()))
    text = meeting_messages.answered(status, facts.at, facts.reader_tz, by)
    return Built(text, meeting_messages.answered_blocks(text, [b.to_dict() for b in blocks]))


def _rescheduled(data: st.DataObject) -> Built:
    facts = meeting_facts(data)
    return message(*meeting_messages.rescheduled_note(facts.at, facts.reader_tz, data.draw(name())))


def _reschedule_modal(data: st.DataObject) -> Built:
    facts = meeting_facts(data)
    origin = {"channel": "D0MAYA0001", "ts": "1772352000.000100"}
    return view(
        build_reschedule_modal(
            meeting_id=2**31,
            at=facts.at,
            reader_tz=facts.reader_tz,
            partner_name=facts.partner_name,
            origin=origin,
        )
    )


KINDS = {"kickoff": "Kickoff", "checkpoint": "Checkpoint 12 of 78", "final_review": "Final review"}


def _questions(data: st.DataObject) -> tuple[str, str, list[Any], str]:
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    partner = data.draw(name())
    return kind, KINDS[kind], questions_for(kind, data.draw(goals()), partner), partner


def _prompt(data: st.DataObject) -> Built:
    kind, label, questions, partner = _questions(data)
    position = data.draw(st.integers(0, len(questions) - 1))
    intro = reflection_messages.prompt_intro(kind, label, partner, len(questions))
    return message(*reflection_messages.prompt(2**31, intro, questions, position, label=label))


def _reminder(data: st.DataObject) -> Built:
    _, label, questions, partner = _questions(data)
    position = data.draw(st.integers(0, len(questions) - 1))
    return message(*reflection_messages.reminder(2**31, label, partner, questions, position))


def answers(data: st.DataObject, questions: list[Any]) -> list[QA]:
    return [QA(q.text, data.draw(paragraph(MAX_ANSWER))) for q in questions]


def _thanks(data: st.DataObject) -> Built:
    _, label, questions, partner = _questions(data)
    return message(*reflection_messages.thanks(2**31, partner, answers(data, questions), label))


def _shared(data: st.DataObject) -> Built:
    _, label, questions, partner = _questions(data)
    items = answers(data, questions)
    return message(*reflection_messages.shared_with_partner(partner, label, items))


def _announcement(data: st.DataObject) -> Built:
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    text = reflection_messages.announcement(kind, data.draw(name()), data.draw(name()), KINDS[kind])
    return section_message(text)


def _journey(data: st.DataObject) -> Built:
    reflections = []
    for i in range(data.draw(st.integers(0, 80))):
        _, label, questions, _ = _questions(data) if i < 3 else ("", f"Checkpoint {i}", [], "")
        items = answers(data, questions) if questions else [QA("What worked?", "x" * 2999)]
        reflections.append((label, items))
    both = data.draw(goals()) + data.draw(goals())
    j = Journey(
        partner=data.draw(name()),
        goals=[(g, data.draw(st.sampled_from(["open", "done"]))) for g in both],
        held=40,
        planned=80,
        skipped=3,
        milestones=[(f"Checkpoint {i} of 78", i % 2 == 0) for i in range(78)],
        reflections=reflections,
        vision=data.draw(vision()),
    )
    return message(*reflection_messages.journey(j))


def _reflection_modal(data: st.DataObject) -> Built:
    _, label, questions, _ = _questions(data)
    earlier = {q.key: data.draw(paragraph(40_000)) for q in questions}
    return view(build_reflection_modal(2**31, label, questions, earlier))


def pair_names(data: st.DataObject) -> PairNames:
    ids = ("U0KAI00001", "U0OMAR0001", "U0MAYA0001")
    names = {u: data.draw(name()) for u in ids}
    actor = data.draw(st.sampled_from(ids))
    return PairNames(actor, ids[1], ids[2], names)


def _pair_notices(data: st.DataObject) -> Built:
    p = pair_names(data)
    reader = data.draw(st.sampled_from([p.mentor_id, p.mentee_id]))
    at = NOW + timedelta(days=3)
    texts = [
        pair_messages.paused_notice(p, reader, date(2027, 4, 1)),
        pair_messages.paused_reply(p, date(2027, 4, 1)),
        pair_messages.deactivated_notice(p.name(p.mentee_id)),
        pair_messages.resumed_notice(p, reader, at, "Europe/Berlin"),
        pair_messages.resumed_reply(p, at, "Europe/Berlin"),
        pair_messages.ended_notice(p, reader),
        pair_messages.ended_reply(p),
        pair_messages.edited_notice(p, reader, at, "every week", "Europe/Berlin"),
        pair_messages.not_now(p, "paused", "pause", date(2027, 4, 1)),
    ]
    return section_message("\n".join(texts))


def _end_confirmation(data: st.DataObject) -> Built:
    p = pair_names(data)
    label = data.draw(name())
    return message(*pair_messages.end_confirmation(2**31, p.described_for(p.actor_id), label))


def _picker(data: st.DataObject) -> Built:
    verb = data.draw(st.sampled_from(["status", "pause", "resume", "end"]))
    count = data.draw(st.integers(1, 30))
    p = pool(data)
    choices = [(i, f"{p.name(i)} & {p.name(i + 1)}") for i in range(count)]
    return message(*pair_messages.picker(verb, choices, weeks=4))


@dataclass(frozen=True)
class Pool:
    """A few names and goal lists drawn once and shared by many cards or report lines (drawing
    each of 40 cards' 20 goals would make every example slow, and adds nothing)."""

    names: list[str]
    goal_lists: list[list[str]]
    visions: list[str]

    def name(self, i: int) -> str:
        return self.names[i % len(self.names)]

    def goals(self, i: int) -> list[str]:
        return self.goal_lists[i % len(self.goal_lists)]


def pool(data: st.DataObject) -> Pool:
    return Pool(
        data.draw(st.lists(name(), min_size=1, max_size=4)),
        data.draw(st.lists(goals(), min_size=1, max_size=3)),
        data.draw(st.lists(vision(), min_size=1, max_size=2)),
    )


def card(data: st.DataObject, pair_id: int, p: Pool | None = None) -> PairCard:
    p = p or pool(data)
    partner, reader = p.name(pair_id), p.name(pair_id + 1)
    role = data.draw(st.sampled_from(["mentee", "mentor"]))
    other = "mentor" if role == "mentee" else "mentee"
    mine, theirs = p.goals(pair_id), p.goals(pair_id + 1)
    items = [
        GoalItem(pair_id * 100 + i, who, text, i % 3 == pair_id % 3, owner)
        for i, (who, text, owner) in enumerate(
            [(reader, t, role) for t in mine] + [(partner, t, other) for t in theirs]
        )
    ]
    checkpoints = data.draw(st.integers(0, 78))
    milestones = (
        MilestoneItem("Kickoff", date(2027, 3, 9), True),
        *(
            MilestoneItem(f"Checkpoint {i} of {checkpoints}", date(2027, 3, 9), i < 3)
            for i in range(1, checkpoints + 1)
        ),
        MilestoneItem("Final review", date(2030, 3, 1), False),
    )
    status = "paused" if pair_id % 4 == 0 else "active"
    return PairCard(
        pair_id=pair_id,
        role=role,
        partner_name=partner,
        status=status,
        paused_until=date(2027, 4, 1) if status == "paused" else None,
        next_meeting=NOW + timedelta(days=8) if status == "active" else None,
        reader_tz=ZONES[pair_id % len(ZONES)],
        partner_tz=ZONES[(pair_id + 2) % len(ZONES)],
        rhythm="every other Tuesday at 15:00 (Europe/Berlin)",
        format="online",
        channels=("chat", "calls"),
        end_date=date(2030, 3, 1),
        vision=p.visions[pair_id % len(p.visions)],
        goals=tuple(items),
        milestones=milestones,
    )


def report(data: st.DataObject, count: int, p: Pool | None = None) -> ProgramReport:
    p = p or pool(data)
    lines = [
        PairLine(
            team_id="T1",
            pair_id=i,
            mentor_id=f"U0MENTOR{i:03d}",
            mentor_name=p.name(i),
            mentee_id=f"U0MENTEE{i:03d}",
            mentee_name=p.name(i + 1),
            creator_id="U0KAI00001",
            status="active",
            cadence="weekly",
            start_date=date(2027, 1, 5),
            end_date=date(2027, 6, 5),
            counts=PairCounts(planned=4, held=1, asked=2, answered=0),
            risks=(
                "no meeting recorded since Tue 5 Jan 2027",
                "2 reflection prompts went unanswered",
            ),
        )
        for i in range(count)
    ]
    return ProgramReport("T1", NOW, tuple(lines))


def _home(data: st.DataObject) -> Built:
    p = pool(data)
    cards = tuple(card(data, i, p) for i in range(1, data.draw(st.integers(0, 40)) + 1))
    past = tuple(
        PastPair(p.name(i), "mentor", "completed", date(2026, 1, 1))
        for i in range(data.draw(st.integers(0, 15)))
    )
    admin = data.draw(st.booleans())
    overview = report(data, data.draw(st.integers(0, 60)), p) if admin else None
    return view(build_home(HomeData(cards=cards, past=past, overview=overview)))


def _status(data: st.DataObject) -> Built:
    """`/mentorship status`: a read-only card in a message (an admin's has a heading above)."""
    admin_of = data.draw(st.one_of(st.none(), name()))
    return message(*status_message(card(data, 7), admin_of))


def _report(data: st.DataObject) -> Built:
    return message(*report_blocks(report(data, data.draw(st.integers(0, 200)))))


def _problem(data: st.DataObject) -> Built:
    error = data.draw(st.sampled_from([*sorted(PROBLEMS), "some_new_error"]))
    return section_message(delivery_problem(data.draw(name()), "the meeting nudge", error))


BUILDERS: dict[str, Callable[[st.DataObject], Built]] = {
    "plan summary": _summary,
    "plan modal (edit)": _edit_modal,
    "plan modal (start)": _start_modal,
    "add-a-goal modal": _goal_modal,
    "nudge": _nudge,
    "follow-up": _followup,
    "answered nudge": _answered,
    "rescheduled note": _rescheduled,
    "reschedule modal": _reschedule_modal,
    "reflection prompt": _prompt,
    "reflection reminder": _reminder,
    "reflection thanks": _thanks,
    "shared reflection": _shared,
    "milestone announcement": _announcement,
    "journey": _journey,
    "reflection form": _reflection_modal,
    "pair notices": _pair_notices,
    "end confirmation": _end_confirmation,
    "picker": _picker,
    "home tab": _home,
    "status card": _status,
    "program report": _report,
    "delivery problem": _problem,
}
