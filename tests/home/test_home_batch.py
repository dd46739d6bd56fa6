"""The Home of a person in many pairs reads them in a few queries: the batched reads give what
the one-pair reads give (next meetings, milestone labels, the sessions card of each pair)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.plan import Plan
from bot.home.labels import milestone_labels
from bot.meetings.series import next_meeting, next_meetings
from bot.reflections.milestones import milestone_label
from bot.sessions.home import sessions_card, sessions_cards
from storage.models import Meeting, Pair
from storage.notes_models import ActionItem, SessionNote
from storage.pairs import create_pair, pairs_for_user

TEAM, ME = "T0BATCH001", "U0ME000001"
NOW = datetime(2027, 3, 10, 9, tzinfo=UTC)


def _plan(partner: str, cadence: str, weeks: int) -> Plan:
    return Plan(
        mentor_id=ME, mentee_id=partner, mentee_goals=("Grow",), mentor_goals=(),
        vision="Vision", cadence=cadence, monthly_mode="weekday_position",
        first_date=date(2027, 1, 4), meeting_time=time(10, 0), tz="Europe/Berlin",
        format="online", channels=("chat",), end_date=date(2027, 1, 4) + timedelta(weeks=26),
        checkpoint_weeks=weeks, announce_channel=None, announce=False,
    )  # fmt: skip


def seed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for n in range(6):
            partner = f"U0PARTNER{n}"
            cadence = ("weekly", "biweekly", "monthly")[n % 3]
            pair = create_pair(s, TEAM, ME, _plan(partner, cadence, 2 + n), NOW)
            s.flush()
            for k, (days, status) in enumerate(((-20, "held"), (-6, "held"), (-1, "skipped"))):
                if n == 5:
                    break  # a pair with no meeting at all: its next one comes from its rule
                at = NOW + timedelta(days=days + n)
                meeting = Meeting(team_id=TEAM, pair_id=pair.id, occurrence_key=f"k{k}",
                                  scheduled_at=at, status=status)  # fmt: skip
                s.add(meeting)
                s.flush()
                if status == "held" and n % 2 == 0:
                    for author, visibility in ((ME, "private"), (partner, "shared"),
                                               (partner, "private")):  # fmt: skip
                        s.add(SessionNote(team_id=TEAM, pair_id=pair.id, meeting_id=meeting.id,
                                          author_id=author, visibility=visibility,
                                          text=f"note {k}", created_at=at))  # fmt: skip
                s.add(ActionItem(team_id=TEAM, pair_id=pair.id, meeting_id=meeting.id,
                                 created_by=ME, slot=1, owner_role="mentee", text=f"item {k}",
                                 status=("open", "done", "open")[k], created_at=at,
                                 updated_at=at))  # fmt: skip
            if n < 4:
                s.add(Meeting(team_id=TEAM, pair_id=pair.id, occurrence_key="next",
                              scheduled_at=NOW + timedelta(days=n + 1), status="upcoming"))  # fmt: skip


def test_batched_reads_equal_one_pair_reads(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    with sessions() as s:
        pairs: list[Pair] = pairs_for_user(s, TEAM, ME)
        assert len(pairs) == 6
        assert next_meetings(s, pairs, NOW) == {p.id: next_meeting(s, p, NOW) for p in pairs}
        labels = milestone_labels(pairs)
        assert labels == {m.id: milestone_label(s, m) for p in pairs for m in p.milestones}
        assert any(label.startswith("Checkpoint") for label in labels.values())
        names = {p.id: {ME: "Me", p.mentee_id: f"Partner {p.id}"} for p in pairs}
        zones = {p.id: "Europe/Berlin" for p in pairs}
        batched = sessions_cards(s, TEAM, pairs, ME, names, zones)
        one_by_one = {p.id: sessions_card(s, p, ME, names[p.id], zones[p.id]) for p in pairs}
        assert batched == one_by_one
        cards = batched.values()
        assert any(c.last and c.last.notes for c in cards) and any(c.items for c in cards)
        assert any(c.progress.done for c in cards)
