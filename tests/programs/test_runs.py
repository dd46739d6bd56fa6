"""Runs, the review and publishing on a big cohort in the database (SQLite and PostgreSQL): the
review of 200 mentees pages within Slack's limits whatever people typed, publishing keeps every
capacity and happens once, the note to someone unmatched never passes on anyone's wishes, and
purging a workspace takes its programs with it."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import ManualClock
from bot.core.text import SECTION_TEXT
from bot.people.lookup import lookup_people
from bot.programs.messages import EnrolmentFacts, enrolment_confirmation, why_line
from bot.programs.publish import CHUNK, Outcome, _make_chunk, _unmatched, publish
from bot.programs.review import review_of
from bot.programs.review_view import PAGE_SIZE, Review, Row, RunnerUp, pages, review_view
from bot.programs.runs import compute_run
from bot.standin.blockkit import view_errors
from storage.match_runs import claim_for_publishing
from storage.models import Delivery, DeliveryKind, Pair, Person
from storage.program_models import (
    Enrolment,
    MatchProposal,
    MatchRun,
    Program,
    ProgramLead,
)
from storage.workspaces import purge_team
from tests.kit.cohorts import seed_cohort, services_for
from tests.kit.workspace import TEAM

LEAD = "U0LEAD0000"


def counted(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_big_cohort_is_reviewed_within_limits_and_published_once(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    services = services_for(sessions, db_url, clock)
    with sessions.begin() as s:
        pid = seed_cohort(s, clock.now(), mentees=200, mentors=80)
    run_id = compute_run(services, TEAM, LEAD, pid, base=None)
    assert run_id is not None
    with sessions() as s:
        run, program = s.get(MatchRun, run_id), s.get(Program, pid)
        assert run is not None and program is not None
        capacity = {
            e.user_id: e.capacity for e in s.scalars(select(Enrolment)) if e.role == "mentor"
        }
    review = review_of(services, run, program)
    assert len(review.rows) == 200 and pages(review) == 200 // PAGE_SIZE
    seen: list[str] = []
    for page in range(pages(review)):
        view = review_view(review, page).to_dict()
        assert view_errors(view) == [] and len(view["blocks"]) <= 100
        seen += [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("row_")]
    assert len(seen) == len(set(seen)) == 200

    outcome = publish(services, services.client, TEAM, LEAD, run_id)
    assert outcome.stale is None and len(outcome.pairs) == run.stats["matched"]
    again = publish(services, services.client, TEAM, LEAD, run_id)
    assert again.stale == "published" and again.pairs == []
    with sessions() as s:
        pairs = s.scalars(select(Pair).where(Pair.program_id == pid)).all()
        assert len(pairs) == run.stats["matched"] == len({p.mentee_id for p in pairs})
        load = Counter(p.mentor_id for p in pairs)
        assert all(load[m] <= capacity[m] for m in load)
        kinds = Counter(d.kind for d in s.scalars(select(Delivery)))
        assert kinds[DeliveryKind.MATCH_SUMMARY] == 2 * len(pairs)
        assert kinds[DeliveryKind.NOTICE] == outcome.told > 0


def long_review(rows: int) -> Review:
    """Rows with names, reasons and runners-up at every limit people could reach."""
    long_name = "N" * 200
    reason = "• " + "Kubernetes and " * 60
    return Review(
        run_id=1,
        program="P" * 80,
        rows=tuple(
            Row(
                proposal_id=i,
                mentee=long_name,
                mentor=None if i % 5 == 0 else long_name,
                status=("proposed", "approved", "rejected")[i % 3],
                pinned=i % 2 == 0,
                reasons=(reason, reason, reason),
                runners_up=tuple(RunnerUp(f"U{j}", long_name, j % 2 == 0) for j in range(3)),
            )
            for i in range(1, rows + 1)
        ),
        refused=tuple(reason for _ in range(30)),
        mentors=80,
        priority="best_matches",
        weights={"skills": "high"},
    )


def test_every_page_stays_within_slacks_limits_whatever_people_typed() -> None:
    review = long_review(200)
    for page in range(pages(review)):
        view = review_view(review, page).to_dict()
        assert view_errors(view) == [], view_errors(view)[:3]
        assert len(view["blocks"]) <= 100 and len(view["private_metadata"]) < 3000
        for block in view["blocks"]:
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    assert 0 < len(element["accessibility_label"]) <= 75


def test_the_unmatched_note_passes_on_no_ones_wishes() -> None:
    excluded = {
        "code": "ruled_out",
        "template": "The only mentor who offers {items} is excluded by a participant's preference",
        "items": ["SQL"],
        "conjunction": "or",
    }
    missing = {
        "code": "not_offered",
        "template": "No mentor in this program offers {items}",
        "items": ["Rust"],
    }
    rows = [
        MatchProposal(mentee_id="U1", mentor_id=None, reasons=[excluded]),
        MatchProposal(mentee_id="U2", mentor_id=None, reasons=[missing, excluded]),
    ]
    program = Program(name="P")
    notes = dict(_unmatched(program, rows, set(), {"U1", "U2", "U3"}, ["U3"], {}))
    assert "preference" not in notes["U1"] and "fitted what you asked for" in notes["U1"]
    assert "no mentor in this program offers *Rust*" in notes["U2"]
    assert "preference" not in notes["U2"] and "every mentee has a mentor" in notes["U3"]


def test_purging_a_workspace_takes_its_programs(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    services = services_for(sessions, db_url, clock)
    with sessions.begin() as s:
        pid = seed_cohort(s, clock.now(), mentees=6, mentors=3)
    run_id = compute_run(services, TEAM, LEAD, pid, base=None)
    assert run_id is not None
    publish(services, services.client, TEAM, LEAD, run_id)
    with sessions.begin() as s:
        counts = purge_team(s, TEAM)
    assert counts["programs"] == 1 and counts["enrolments"] == 9
    with sessions() as s:
        for model in (Program, ProgramLead, Enrolment, MatchRun, MatchProposal, Pair):
            assert counted(s, model) == 0, model


def test_the_cohort_skips_deactivated_people(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    services = services_for(sessions, db_url, clock)
    with sessions.begin() as s:
        pid = seed_cohort(s, clock.now(), mentees=4, mentors=2)
        gone = s.scalars(select(Enrolment).where(Enrolment.role == "mentee")).first()
        assert gone is not None
        person = s.get(Person, (TEAM, gone.user_id))
        assert person is not None
        person.deleted = True
        gone_id = gone.user_id
    run_id = compute_run(services, TEAM, LEAD, pid, base=None)
    with sessions() as s:
        rows = s.scalars(select(MatchProposal).where(MatchProposal.run_id == run_id)).all()
        assert len(rows) == 3 and gone_id not in {r.mentee_id for r in rows}


def test_a_publish_cut_short_is_finished_by_the_next_click(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """The run was claimed and 50 of its pairs made before the process died: the next click
    makes the rest, each pair once, and tells the unmatched once."""
    services = services_for(sessions, db_url, clock)
    with sessions.begin() as s:
        pid = seed_cohort(s, clock.now(), mentees=120, mentors=50)
    run_id = compute_run(services, TEAM, LEAD, pid, base=None)
    assert run_id is not None
    with sessions.begin() as s:
        assert claim_for_publishing(s, TEAM, run_id, LEAD, clock.now())
        rows = s.scalars(select(MatchProposal).where(MatchProposal.run_id == run_id)).all()
        first = [r.id for r in rows if r.mentor_id][:CHUNK]
    ids = {u for r in rows for u in (r.mentor_id, r.mentee_id) if u}
    people = lookup_people(services, services.client, TEAM, ids)  # all cached: no Slack call
    with sessions.begin() as s:
        _make_chunk(services, s, TEAM, LEAD, pid, first, people, Outcome())
    done = publish(services, services.client, TEAM, LEAD, run_id)
    matched = sum(1 for r in rows if r.mentor_id)
    assert done.stale == "published" and len(done.pairs) == matched - CHUNK > 0
    again = publish(services, services.client, TEAM, LEAD, run_id)
    assert again.stale == "published" and again.pairs == []
    with sessions() as s:
        final = s.scalars(select(MatchProposal).where(MatchProposal.run_id == run_id)).all()
        pairs = s.scalars(select(Pair).where(Pair.program_id == pid)).all()
        assert len(pairs) == sum(1 for r in final if r.status == "published") == matched
        assert len({p.mentee_id for p in pairs}) == len(pairs)
        notices = [d for d in s.scalars(select(Delivery)) if d.kind == DeliveryKind.NOTICE]
        assert len(notices) == len({d.recipient_id for d in notices}) == done.told > 0


def test_messages_stay_within_a_section_whatever_people_typed() -> None:
    skills = [f"<!channel> {'k' * 66}" for _ in range(50)]
    reason = {"code": "not_offered", "template": "No mentor in this program offers {items}"}
    rows = [MatchProposal(mentee_id="U1", mentor_id=None, reasons=[{**reason, "items": skills}])]
    [(who, note)] = _unmatched(Program(name="P" * 80), rows, set(), {"U1"}, [], {})
    assert who == "U1" and len(note) <= SECTION_TEXT and "<!channel>" not in note
    why = why_line("P" * 80, [f"{'x' * 600} <@U0KAI00001>"] * 3)
    assert len(why) <= SECTION_TEXT
    _, sections = enrolment_confirmation(
        EnrolmentFacts(
            "P" * 80, 2, "either", skills, ["g" * 99] * 10, 5, 20, None, date(2027, 3, 1)
        )
    )
    assert all(len(s) <= SECTION_TEXT for s in sections) and "<!channel>" not in str(sections)
