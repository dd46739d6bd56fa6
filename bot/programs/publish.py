"""Publishing a run: one ordinary pair per proposed match, made like a hand-made one (the plan
checked by `validate_plan`, stored by `create_pair`, planned by `plan_started_pair`) with the
program's defaults; each person's plan summary says why they were matched; people left without
a match are told they stay enrolled. A run publishes once, however often Publish is clicked."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.core.text import mrkdwn
from bot.delivery.notices import notice
from bot.domain.enrolment import ProgramDefaults, pair_plan
from bot.domain.plan import PersonFacts, validate_plan
from bot.people.lookup import lookup_people
from bot.plans.start import plan_started_pair
from bot.programs import messages as say
from bot.programs.runs import reason_of, stale_reason
from storage import keys
from storage.match_runs import claim_for_publishing, get_run, lock_proposals, proposals_of
from storage.models import DeliveryKind
from storage.outbox import NewDelivery, add_deliveries
from storage.pairs import NewPair, create_pair, open_pair_exists
from storage.program_models import MatchProposal, Program, ProposalStatus
from storage.programs import enrolled, get_program, lock_program, open_program_pairs

log = logging.getLogger(__name__)
PEOPLE_MAX_AGE = timedelta(days=7)  # enrolment looked everyone up; `user_change` keeps it current
LIVE = (ProposalStatus.PROPOSED.value, ProposalStatus.APPROVED.value)
CHUNK = 50  # proposals made into pairs per transaction


@dataclass
class Outcome:
    """What a click on Publish did."""

    stale: str | None = None  # why nothing was published
    pairs: list[str] = field(default_factory=list)  # "Lee with Kim"
    skipped: list[str] = field(default_factory=list)
    told: int = 0
    pair_ids: list[int] = field(default_factory=list)


def defaults_of(program: Program) -> ProgramDefaults:
    return ProgramDefaults(
        name=program.name,
        cadence=program.cadence,
        monthly_mode=program.monthly_mode,
        starts_on=program.starts_on,
        duration_months=program.duration_months,
        end_date=program.end_date,
        checkpoint_weeks=program.checkpoint_weeks,
        announce_channel=program.announce_channel,
    )


def _make_pair(
    services: Services,
    session: Session,
    program: Program,
    row: MatchProposal,
    people: dict[str, PersonFacts],
    goals: dict[str, tuple[list[str], str]],
    creator: str,
) -> NewPair | str:
    """The pair for one proposal, or why it can't be made now."""
    assert row.mentor_id is not None
    mentor, mentee = people[row.mentor_id], people[row.mentee_id]
    now = services.clock.now()
    skills, text = goals.get(row.mentee_id, ([], ""))
    form = pair_plan(
        defaults_of(program),
        mentor=mentor,
        mentee=mentee,
        mentee_goals=[g for g in text.splitlines() if g.strip()],
        mentee_skills=skills,
        today=now.astimezone(ZoneInfo(mentor.tz or mentee.tz or "UTC")).date(),
    )
    exists = open_pair_exists(session, program.team_id, row.mentor_id, row.mentee_id)
    plan, errors = validate_plan(form, now=now, people=people, open_pair_exists=exists)
    if plan is None:
        return "; ".join(errors.values())
    try:
        with session.begin_nested():
            pair = create_pair(
                session,
                program.team_id,
                creator,
                plan,
                now,
                program_id=program.id,
                checkpoint_questions=list(program.questions) or None,
            )
    except IntegrityError:
        return "one of them is already in a running mentorship of this program"
    summaries = [
        NewDelivery(
            team_id=program.team_id,
            kind=DeliveryKind.MATCH_SUMMARY,
            recipient_id=user_id,
            occurrence_key=keys.match_summary(pair.id, user_id),
            due_at=now,
            pair_id=pair.id,
        )
        for user_id in (pair.mentee_id, pair.mentor_id)
    ]
    add_deliveries(session, summaries, now)
    return pair


def publish(
    services: Services, client: WebClient, team_id: str, user_id: str, run_id: int
) -> Outcome:
    """Publish a draft run that is still current; say why not otherwise (nothing changes).

    The run is claimed first (a double click, or a second lead, finds it published); then the
    pairs are made `CHUNK` proposals per transaction, each proposal once (locked, re-checked,
    marked with its pair), so no long transaction holds the database and a publish cut short
    by a crash is finished by the next click; last, everyone left without a match is told once.
    The new pairs are planned by `plan_published` afterwards."""
    with services.sessions() as session:
        run = get_run(session, team_id, run_id)
        rows = proposals_of(session, team_id, run_id) if run else []
    if run is None:
        return Outcome(stale="gone")
    ids = {u for r in rows for u in (r.mentee_id, r.mentor_id) if u}
    people = lookup_people(services, client, team_id, ids, max_age=PEOPLE_MAX_AGE)
    now = services.clock.now()
    with services.sessions.begin() as session:
        program = lock_program(session, team_id, run.program_id)
        fresh = get_run(session, team_id, run_id)
        why = stale_reason(fresh, program) if fresh and program else "gone"
        if why not in (None, "published"):
            return Outcome(stale=why)
        if why is None and not claim_for_publishing(session, team_id, run_id, user_id, now):
            why = "published"  # another click claimed it a moment ago
    todo = [r.id for r in rows if r.mentor_id and r.status in LIVE]
    if why == "published" and not todo:
        return Outcome(stale="published")
    outcome = Outcome(stale=why)
    for start in range(0, len(todo), CHUNK):
        with services.sessions.begin() as session:
            _make_chunk(
                services,
                session,
                team_id,
                user_id,
                run.program_id,
                todo[start : start + CHUNK],
                people,
                outcome,
            )
    with services.sessions.begin() as session:
        outcome.told = _tell_unmatched(session, team_id, run_id, now)
    log.info("program matches published", extra={"team_id": team_id})
    return outcome


def _make_chunk(
    services: Services,
    session: Session,
    team_id: str,
    user_id: str,
    program_id: int,
    proposal_ids: Sequence[int],
    people: dict[str, PersonFacts],
    outcome: Outcome,
) -> None:
    """Make the pairs of some proposals, each still live when locked, within capacity."""
    program = get_program(session, team_id, program_id)
    assert program is not None
    entries = {e.user_id: e for e in enrolled(session, team_id, program.id)}
    goals = {u: (list(e.skills), e.goals) for u, e in entries.items()}
    load = Counter(p.mentor_id for p in open_program_pairs(session, team_id, program.id))
    for live in lock_proposals(session, team_id, proposal_ids):
        if live.mentor_id is None or live.status not in LIVE:
            continue  # made (or skipped) by another click meanwhile
        label = f"{mrkdwn_name(people, live.mentee_id)} with {mrkdwn_name(people, live.mentor_id)}"
        capacity = entries[live.mentor_id].capacity if live.mentor_id in entries else 0
        if load[live.mentor_id] >= capacity:
            result: NewPair | str = "the mentor has no room left (or left the program)"
        elif live.mentee_id not in entries:
            result = "the mentee left the program"
        else:
            result = _make_pair(services, session, program, live, people, goals, user_id)
        if isinstance(result, str):
            live.status, live.note = ProposalStatus.SKIPPED.value, result
            outcome.skipped.append(f"{label}: {mrkdwn(result)}")
            continue
        live.status, live.pair_id = ProposalStatus.PUBLISHED.value, result.id
        load[live.mentor_id] += 1
        outcome.pairs.append(label)
        outcome.pair_ids.append(result.id)


def _tell_unmatched(session: Session, team_id: str, run_id: int, now: datetime) -> int:
    """Queue the note to everyone the published run left without a match (once each: the key
    is per run and person); record the run's counts. How many were told."""
    run = get_run(session, team_id, run_id)
    program = get_program(session, team_id, run.program_id) if run else None
    if run is None or program is None:
        return 0
    rows = proposals_of(session, team_id, run_id)
    published = ProposalStatus.PUBLISHED.value
    made = {r.mentee_id for r in rows if r.status in (published, ProposalStatus.SKIPPED.value)}
    made |= {r.mentor_id for r in rows if r.mentor_id and r.status == ProposalStatus.SKIPPED.value}
    entries = {e.user_id for e in enrolled(session, team_id, program.id)}
    load = Counter(p.mentor_id for p in open_program_pairs(session, team_id, program.id))
    mentors = [str(u) for u in run.stats.get("mentor_ids", [])]
    notes = _unmatched(program, rows, made, entries, mentors, load)
    add_deliveries(
        session,
        [notice(team_id, who, keys.unmatched(run_id, who), text, now) for who, text in notes],
        now,
    )
    pairs = sum(1 for r in rows if r.status == published)
    run.stats = {**run.stats, "published": pairs, "told": len(notes)}
    return len(notes)


def plan_published(services: Services, outcome: Outcome) -> None:
    """After publishing: plan each new pair's first weeks, as a hand-made pair's are planned
    (were the process to stop first, the scheduler plans them on its next tick)."""
    for pair_id in outcome.pair_ids:
        plan_started_pair(services, pair_id)


def mrkdwn_name(people: dict[str, PersonFacts], user_id: str) -> str:
    facts = people.get(user_id)
    return say.name(facts.name if facts else user_id)


def _unmatched(
    program: Program,
    rows: Sequence[MatchProposal],
    made: set[str],
    enrolled_now: set[str],
    mentors: Sequence[str],
    load: dict[str, int],
) -> list[tuple[str, str]]:
    """(person, DM) for everyone of the run it leaves without a match and still enrolled: its
    mentees who got no pair, and its mentors who got nobody and mentor nobody in the program
    (`made`: people paired now, or in a pair publishing had to skip). Only reasons that say
    nothing about anyone's wishes are passed on."""
    notes: list[tuple[str, str]] = []
    for row in rows:
        if row.mentee_id in made or row.mentee_id not in enrolled_now:
            continue
        safe = [
            reason_of(r).render(escape=mrkdwn)
            for r in row.reasons
            if row.mentor_id is None and r.get("code") in say.UNMATCHED_SAFE
        ]
        lowered = [s[:1].lower() + s[1:] for s in safe]
        notes.append((row.mentee_id, say.unmatched_notice(program.name, "mentee", lowered)))
    for user_id in mentors:
        if user_id in enrolled_now and user_id not in made and load.get(user_id, 0) == 0:
            notes.append((user_id, say.unmatched_notice(program.name, "mentor", [])))
    return notes
