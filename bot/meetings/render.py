"""Nudges and follow-ups at send time: the meeting as each reader sees it, from the data now.

`prepare_meetings` reads what a batch of them needs in a few IN-queries (the dispatcher's
`render_all`); without it each render reads for itself. Both give the same message."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from bot.delivery.render import Job, Reading, Rendered, Skip, load_pair, load_pairs
from bot.meetings import messages as meeting_messages
from bot.meetings.messages import MeetingFacts
from bot.sessions.agenda import SessionRows, agenda_for, agenda_rows
from storage.meetings import UPCOMING, meetings_before
from storage.models import DeliveryKind, GoalOwner, Meeting, Pair, PairStatus

_BEFORE = "meetings before"  # Reading.loaded[(_BEFORE, meeting id)]: (all, held)


def prepare_meetings(r: Reading, jobs: Sequence[Job]) -> None:
    """Read for several nudges and follow-ups at once: pairs with goals, meetings, both people
    of each, the counts of earlier meetings and the nudges' agenda rows."""
    load_pairs(r, jobs)
    wanted = {int(j.payload.get("meeting_id", 0)) for j in jobs}
    meetings = {m.id: m for m in r.session.scalars(select(Meeting).where(Meeting.id.in_(wanted)))}
    r.loaded[Meeting] = meetings  # held here: the session's identity map keeps them only weakly
    by_team: dict[str, list[tuple[Pair, Meeting, Job]]] = {}
    for job in jobs:
        pair = r.loaded.get((Pair, job.team_id, job.pair_id))
        meeting = meetings.get(int(job.payload.get("meeting_id", 0)))
        if pair is not None and meeting is not None and meeting.pair_id == pair.id:
            by_team.setdefault(job.team_id, []).append((pair, meeting, job))
    for team_id, found in by_team.items():
        people = {u for p, _, j in found for u in (j.recipient_id, p.partner_of(j.recipient_id))}
        r.preload_people(team_id, people)
        before = meetings_before(r.session, team_id, {m.id for _, m, _ in found})
        for meeting_id, counts in before.items():
            r.loaded[(_BEFORE, meeting_id)] = counts
        nudged = sorted({(p.id, m.id) for p, m, j in found if j.kind == DeliveryKind.NUDGE})
        held = {meeting_id: h for meeting_id, (_, h) in before.items()}
        for key, rows in agenda_rows(r.session, team_id, nudged, held).items():
            r.loaded[(SessionRows, *key)] = rows


def meeting_facts(
    r: Reading, pair: Pair, meeting: Meeting, reader: str, *, with_agenda: bool = True
) -> MeetingFacts:
    """The meeting as `reader` sees it: their zone, their partner, today's focus, the agenda."""
    me, partner = r.people(pair.team_id, reader, pair.partner_of(reader))
    names = {me.user_id: me.name, partner.user_id: partner.name}
    agenda = None
    if with_agenda:
        rows = r.loaded.get((SessionRows, pair.id, meeting.id))
        agenda = agenda_for(r.session, pair, meeting, reader, names, rows)
    goals = [
        g.text
        for g in pair.goals
        if g.owner in (GoalOwner.MENTEE, GoalOwner.MENTOR) and g.status != "done"
    ]
    focus = None
    before = r.loaded.get((_BEFORE, meeting.id))
    if goals and before is not None:
        focus = goals[before[0] % len(goals)]
    elif goals:
        earlier = r.session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.pair_id == pair.id, Meeting.scheduled_at < meeting.scheduled_at)
        )
        focus = goals[int(earlier or 0) % len(goals)]
    return MeetingFacts(
        meeting_id=meeting.id,
        at=meeting.scheduled_at,
        reader_tz=me.tz or pair.tz,
        partner_name=partner.name,
        partner_tz=partner.tz or pair.tz,
        format=pair.format,
        channels=pair.channels.split(","),
        focus=focus,
        agenda=agenda,
    )


def _meeting_job(r: Reading, job: Job) -> tuple[Pair, Meeting] | Skip:
    pair = load_pair(r, job)
    if pair is None:
        return Skip("pair deleted")
    if pair.status != PairStatus.ACTIVE:
        return Skip(f"mentorship is {pair.status}")
    meeting = r.session.get(Meeting, int(job.payload.get("meeting_id", 0)))
    if meeting is None or meeting.pair_id != pair.id:
        return Skip("meeting gone")
    if meeting.status != UPCOMING:
        return Skip(f"meeting already {meeting.status}")
    if meeting.scheduled_at.isoformat() != job.payload.get("scheduled_at"):
        return Skip("meeting moved")
    return pair, meeting


def render_nudge(r: Reading, job: Job) -> Rendered | Skip:
    """The DM before a meeting."""
    found = _meeting_job(r, job)
    if isinstance(found, Skip):
        return found
    pair, meeting = found
    text, blocks = meeting_messages.nudge(meeting_facts(r, pair, meeting, job.recipient_id))
    return Rendered(text, blocks)


def render_followup(r: Reading, job: Job) -> Rendered | Skip:
    """The question after a meeting with no answer yet."""
    found = _meeting_job(r, job)
    if isinstance(found, Skip):
        return found
    pair, meeting = found
    facts = meeting_facts(r, pair, meeting, job.recipient_id, with_agenda=False)
    text, blocks = meeting_messages.followup(facts)
    return Rendered(text, blocks)
