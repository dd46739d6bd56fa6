"""Nudges and follow-ups at send time: the meeting as each reader sees it, from the data now."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.delivery.render import Job, Reading, Rendered, Skip, load_pair
from bot.meetings import messages as meeting_messages
from bot.meetings.messages import MeetingFacts
from bot.sessions.agenda import agenda_for
from storage.meetings import UPCOMING
from storage.models import GoalOwner, Meeting, Pair, PairStatus


def meeting_facts(
    r: Reading, pair: Pair, meeting: Meeting, reader: str, *, with_agenda: bool = True
) -> MeetingFacts:
    """The meeting as `reader` sees it: their zone, their partner, today's focus, the agenda."""
    me, partner = r.people(pair.team_id, reader, pair.partner_of(reader))
    names = {me.user_id: me.name, partner.user_id: partner.name}
    agenda = agenda_for(r.session, pair, meeting, reader, names) if with_agenda else None
    goals = [
        g.text
        for g in pair.goals
        if g.owner in (GoalOwner.MENTEE, GoalOwner.MENTOR) and g.status != "done"
    ]
    focus = None
    if goals:
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
