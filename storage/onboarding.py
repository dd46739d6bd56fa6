"""What a person has been shown once: the Home tab's how-it-works on their first visit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.models import HomeIntro


def home_intro_shown(session: Session, team_id: str, user_id: str) -> bool:
    """True once the person's Home tab has shown the how-it-works."""
    return session.get(HomeIntro, (team_id, user_id)) is not None


def record_home_intro(session: Session, team_id: str, user_id: str, now: datetime) -> bool:
    """Remember the how-it-works was shown; False when it had been already."""
    values = {"team_id": team_id, "user_id": user_id, "shown_at": now}
    return insert_ignore(session, HomeIntro, values)
