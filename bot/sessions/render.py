"""The note to a partner that notes were written on a session (kind `session_notes`), built at
send time, and again whenever those notes change, from the data as it is then."""

from __future__ import annotations

from bot.delivery.render import Job, Reading, Rendered, Skip, load_pair
from bot.sessions.agenda import owner_of
from bot.sessions.messages import notes_written
from bot.sessions.notes import session_day
from storage.meetings import get_meeting
from storage.notes import notes_of, writer_items
from storage.notes_models import NoteVisibility


def render_notes_written(r: Reading, job: Job) -> Rendered | Skip:
    """ "📝 Omar wrote notes on your Tue 9 Mar session", with the reader's own new items."""
    pair = load_pair(r, job)
    if pair is None:
        return Skip("pair deleted")
    meeting = get_meeting(r.session, job.team_id, int(job.payload.get("meeting_id", 0)))
    author_id = str(job.payload.get("author_id", ""))
    reader_id = job.recipient_id
    if meeting is None or meeting.pair_id != pair.id:
        return Skip("session gone")
    if {author_id, reader_id} != {pair.mentee_id, pair.mentor_id}:
        return Skip("not between the pair's two people")
    shared = [
        n
        for n in notes_of(r.session, job.team_id, [meeting.id])
        if n.author_id == author_id and n.visibility == NoteVisibility.SHARED
    ]
    items = [
        row
        for _, row in sorted(writer_items(r.session, job.team_id, meeting.id, author_id).items())
    ]
    reader, author = r.people(pair.team_id, reader_id, author_id)
    day = session_day(meeting.scheduled_at, reader.tz or pair.tz)
    if not shared and not items:
        text = f"📝 {author.name}'s notes on your {day} session were removed."
        return Rendered(text, [{"type": "section", "text": {"type": "plain_text", "text": text}}])
    yours = [(i.text, i.due_date) for i in items if owner_of(pair, i.owner_role) == reader_id]
    text, blocks = notes_written(author.name, day, yours, len(items) - len(yours))
    return Rendered(text, blocks)
