"""Matching runs: computing a proposal for a program (keeping the lead's pinned and approved
pairs, leaving out what they ruled out), storing it with its reasons and runners-up, and the
lead's calls on it (approve, pin, reject, swap, the settings)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.matching import DEFAULT_WEIGHTS, Priority, Weight
from bot.domain.matching_explain import Explanation, Reason, RunnerUp, explain
from bot.domain.matching_solve import Origin, Proposal, solve
from bot.people.lookup import lookup_people
from bot.programs.cohort import IdPair, Loaded, load_cohort
from storage.match_runs import add_proposals, create_run, get_proposal, get_run, proposals_of
from storage.people import get_people
from storage.program_models import MatchProposal, MatchRun, Program, ProposalStatus, RunStatus
from storage.programs import bump_version, enrolled, get_program, lock_program

log = logging.getLogger(__name__)
PROPOSED, APPROVED, REJECTED = (
    ProposalStatus.PROPOSED.value,
    ProposalStatus.APPROVED.value,
    ProposalStatus.REJECTED.value,
)


def reason_data(reason: Reason) -> dict[str, Any]:
    """A reason as JSON (its words are rendered, and escaped, only when shown)."""
    data = asdict(reason)
    data["items"] = list(reason.items)
    return data


def reason_of(data: Mapping[str, Any]) -> Reason:
    """A stored reason back as a Reason."""
    return Reason(
        code=str(data.get("code", "")),
        template=str(data.get("template", "")),
        mentee=str(data.get("mentee", "")),
        mentor=str(data.get("mentor", "")),
        items=tuple(str(i) for i in data.get("items", ())),
        conjunction=str(data.get("conjunction", "and")),
    )


def _runners(runners: Iterable[RunnerUp], names: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "mentor_id": r.mentor_id,
            "name": names.get(r.mentor_id, r.mentor_id),
            "has_room": r.has_room,
        }
        for r in runners
    ]


def stale_reason(run: MatchRun, program: Program) -> str | None:
    """Why a run can't be acted on any more, or None while it can."""
    if run.status == RunStatus.PUBLISHED:
        return "published"
    if run.status == RunStatus.SUPERSEDED:
        return "superseded"
    if run.program_version != program.version:
        return "changed"
    return None


def _carried(
    session: Session, base: MatchRun | None
) -> tuple[set[IdPair], set[IdPair], set[IdPair]]:
    """(pinned, approved, ruled out) from the run a re-run starts from."""
    if base is None or base.status == RunStatus.PUBLISHED:
        return set(), set(), set()
    rows = proposals_of(session, base.team_id, base.id)
    pinned = {(p.mentor_id, p.mentee_id) for p in rows if p.mentor_id and p.pinned}
    approved = {(p.mentor_id, p.mentee_id) for p in rows if p.mentor_id and p.status == APPROVED}
    ruled = {(p.mentor_id, p.mentee_id) for p in rows if p.mentor_id and p.status == REJECTED}
    ruled |= {(str(r["mentor_id"]), str(r["mentee_id"])) for r in base.ruled_out}
    return pinned, approved, ruled


def _rows(
    team_id: str, run_id: int, loaded: Loaded, proposal: Proposal, story: Explanation
) -> list[MatchProposal]:
    names = loaded.names
    rows: list[MatchProposal] = []
    for pair, why in zip(proposal.pairs, story.pairs, strict=True):
        rows.append(
            MatchProposal(
                team_id=team_id,
                run_id=run_id,
                mentee_id=pair.mentee_id,
                mentor_id=pair.mentor_id,
                status=APPROVED if pair.origin is Origin.APPROVED else PROPOSED,
                pinned=pair.origin is Origin.PINNED,
                origin=pair.origin.value,
                score=pair.parts.total,
                breakdown=asdict(pair.parts),
                reasons=[reason_data(r) for r in why.reasons],
                runners_up=_runners(why.runners_up, names),
            )
        )
    for left in story.unmatched:
        rows.append(
            MatchProposal(
                team_id=team_id,
                run_id=run_id,
                mentee_id=left.mentee_id,
                mentor_id=None,
                status=ProposalStatus.UNMATCHED.value,
                origin="unmatched",
                reasons=[reason_data(r) for r in left.reasons],
                runners_up=_runners(left.runners_up, names),
            )
        )
    ordered = sorted(
        rows, key=lambda r: (r.mentor_id is None, names.get(r.mentee_id, "").casefold())
    )
    for position, row in enumerate(ordered):
        row.position = position
    return ordered


def _know_everyone(services: Services, team_id: str, program_id: int) -> None:
    """Names and time zones come from the people cache (kept current by `user_change`); anyone
    enrolled it has never seen is looked up once."""
    with services.sessions() as session:
        ids = [e.user_id for e in enrolled(session, team_id, program_id)]
        known = {p.user_id for p in get_people(session, team_id, ids)}
    missing = [u for u in ids if u not in known]
    if missing:
        try:
            lookup_people(services, services.client_for(team_id), team_id, missing)
        except (SlackApiError, OSError) as exc:
            log.warning("users.info failed before matching (%s); names may show as ids", exc)


def compute_run(
    services: Services,
    team_id: str,
    user_id: str,
    program_id: int,
    *,
    base: MatchRun | None,
    pin: Iterable[IdPair] = (),
    unpin: Iterable[IdPair] = (),
    rule_out: Iterable[IdPair] = (),
) -> int | None:
    """Solve the program's cohort and store the run as its newest draft; the run's id (None if
    the program is gone). Pinned and approved pairs of `base` are kept, pairs it rejected or
    ruled out stay out. The cohort is read in one session and solved outside any write."""
    now = services.clock.now()
    _know_everyone(services, team_id, program_id)
    with services.sessions() as session:
        program = get_program(session, team_id, program_id)
        if program is None:
            return None
        pinned, approved, ruled = _carried(session, base)
        pinned = (pinned | set(pin)) - set(unpin)
        approved -= set(unpin)
        ruled |= set(rule_out)
        loaded = load_cohort(
            session, program, now, pinned=pinned, approved=approved, ruled_out=ruled
        )
        version = program.version
    proposal = solve(loaded.cohort, loaded.settings)
    story = explain(loaded.cohort, loaded.settings, proposal)
    stats = {
        "matched": proposal.matched,
        "unmatched": len(proposal.unmatched),
        "mentors": len(loaded.cohort.mentors),
        "mentor_ids": [m.id for m in loaded.cohort.mentors],
        "total": round(proposal.total, 6),
        "refused": [reason_data(r.reason) for r in story.refused],
    }
    with services.sessions.begin() as session:
        run = create_run(
            session,
            team_id=team_id,
            program_id=program_id,
            program_version=version,
            settings=loaded.settings.to_dict(),
            ruled_out=[{"mentor_id": m, "mentee_id": e} for m, e in sorted(ruled)],
            stats=stats,
            started_by=user_id,
            now=now,
        )
        add_proposals(session, _rows(team_id, run.id, loaded, proposal, story))
        return run.id


def decide(
    services: Services,
    team_id: str,
    user_id: str,
    run_id: int,
    proposal_id: int,
    call: str,
    on: bool,
) -> MatchProposal | None:
    """The lead's call on one proposed pair of run `run_id` (the one they are reviewing, which
    they lead): "approve", "pin" or "reject", set on or off (so a double click sets it once).
    None when the proposal is not a pair of that draft run."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        row = get_proposal(session, team_id, proposal_id)
        run = get_run(session, team_id, row.run_id) if row else None
        if row is None or run is None or run.id != run_id or row.mentor_id is None:
            return None
        if run.status != RunStatus.DRAFT:
            return None
        if call == "approve":
            row.status = APPROVED if on else (PROPOSED if row.status == APPROVED else row.status)
        elif call == "pin":
            row.pinned = on
            if on and row.status == REJECTED:
                row.status = PROPOSED
        elif call == "reject":
            row.status = REJECTED if on else (PROPOSED if row.status == REJECTED else row.status)
            if on:
                row.pinned = False
        row.decided_by, row.decided_at = user_id, now
        return row


def swap(
    services: Services, team_id: str, user_id: str, run_id: int, proposal_id: int, mentor_id: str
) -> int | None:
    """Give a proposal's mentee one of its runners-up instead: that pair is pinned, the old one
    ruled out, and the rest re-solved (approved and pinned pairs stay). The new run's id (None
    unless the proposal belongs to the draft run `run_id` the lead is reviewing)."""
    with services.sessions() as session:
        row = get_proposal(session, team_id, proposal_id)
        run = get_run(session, team_id, row.run_id) if row else None
    if row is None or run is None or run.id != run_id or run.status != RunStatus.DRAFT:
        return None
    if mentor_id not in {str(r.get("mentor_id")) for r in row.runners_up}:
        return None
    old = {(row.mentor_id, row.mentee_id)} if row.mentor_id else set()
    return compute_run(
        services,
        team_id,
        user_id,
        run.program_id,
        base=run,
        pin=[(mentor_id, row.mentee_id)],
        unpin=old,
        rule_out=old,
    )


def change_setting(
    services: Services, team_id: str, user_id: str, run: MatchRun, key: str, value: str
) -> int | None:
    """A new priority or weight for the program's matching, then a re-run with it."""
    with services.sessions.begin() as session:
        program = lock_program(session, team_id, run.program_id)
        if program is None:
            return None
        stored = dict(program.match_settings or {})
        if key == "priority" and value in {p.value for p in Priority}:
            stored["priority"] = value
        elif key in DEFAULT_WEIGHTS and value.upper() in Weight.__members__:
            stored["weights"] = {**(stored.get("weights") or {}), key: value.lower()}
        else:
            return None
        program.match_settings = stored
        bump_version(session, program)
    return compute_run(services, team_id, user_id, run.program_id, base=run)
