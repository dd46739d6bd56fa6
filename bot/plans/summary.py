"""The plan summary: the facts of a stored pair, its Block Kit, its renderer and its queueing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.blocks import JSON, checked
from bot.core.services import Services
from bot.core.text import MESSAGE_BLOCKS, mrkdwn, split_within
from bot.delivery.render import Job, Reading, Rendered, Skip, load_pair, load_pairs
from bot.domain.plan import CHANNELS, FORMATS, PersonFacts
from bot.domain.schedule import occurrences
from bot.domain.timefmt import format_local_date, slack_date
from bot.meetings.messages import calendar_button
from storage import keys
from storage.models import DeliveryKind, GoalOwner, Milestone, Pair
from storage.outbox import NewDelivery, add_deliveries
from storage.pairs import AnyPair, meeting_rule

CADENCE_WORDS = {"weekly": "every week", "biweekly": "every two weeks", "monthly": "every month"}


@dataclass(frozen=True)
class PlanSummary:
    """The facts a plan summary shows, already resolved to names."""

    pair_id: int
    mentor_name: str
    mentee_name: str
    cadence: str
    cadence_phrase: str
    first_meeting: datetime
    plan_tz: str
    format: str
    channels: Sequence[str]
    mentee_goals: Sequence[str]
    mentor_goals: Sequence[str]
    vision: str
    end_date: date
    checkpoints: int
    checkpoint_weeks: int
    announce_channel: str | None
    meeting_minutes: int = 30


HOME_POINTER = "… _(the rest is in ✏️ Edit plan on my Home tab)_"
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,30}$")


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {mrkdwn(item)}" for item in items) if items else "• _none yet_"


def channel_mention(channel: str) -> str:
    """`<#C…>` for a channel id; anything else as escaped text (never a token of its own)."""
    return f"<#{channel}>" if CHANNEL_ID.match(channel) else mrkdwn(channel)


def plan_summary(
    s: PlanSummary,
    *,
    reader_role: str,
    reader_tz: str,
    body: Sequence[Block | JSON] | None = None,
) -> tuple[str, list[Block | JSON]]:
    """The DM each participant gets when a plan is stored, in the reader's own time zone.

    People's text is escaped; goals and vision of any length are split over as many sections
    as they need (a message holds 50 blocks: more than that is clipped, pointing to the Home).
    `body`: the blocks that are the same for every reader (`summary_body`), when the caller
    built them once for both people."""
    partner = mrkdwn(s.mentee_name if reader_role == "mentor" else s.mentor_name)
    role_phrase = "mentor" if reader_role == "mentor" else "mentee"
    when = slack_date(s.first_meeting, reader_tz, "{date_short_pretty} at {time}")
    intro = (
        f"📅 Your mentorship with *{partner}* is set up — you're the {role_phrase}. "
        f"First meeting {when}, then {s.cadence_phrase}."
    )
    blocks: list[Block | JSON] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        *(body if body is not None else summary_body(s)),
        ActionsBlock(
            block_id=f"summary_{s.pair_id}", elements=[calendar_button(s.pair_id, partner)]
        ),
        FOOTER,
    ]
    return intro, blocks


def summary_body(s: PlanSummary) -> list[Block]:
    """The summary's blocks that do not depend on who reads it: the three pillars."""
    mentee, mentor = mrkdwn(s.mentee_name), mrkdwn(s.mentor_name)
    names = [CHANNELS.get(c, c).lower() for c in s.channels]
    channels = (
        " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
    )
    structure = (
        f"*Structure &amp; Communication*\n{FORMATS.get(s.format, s.format)}, "
        f"{s.meeting_minutes} minutes each, talking by {channels}. "
        f"Plan time zone: {s.plan_tz}."
    )
    goals = (
        f"*Goals &amp; Vision*\n*{mentee}'s goals*\n{_bullets(s.mentee_goals)}\n"
        f"*{mentor}'s goals*\n{_bullets(s.mentor_goals)}\n*Shared vision*: {mrkdwn(s.vision)}"
    )
    checkpoint_text = (
        f"{s.checkpoints} feedback checkpoint{'s' if s.checkpoints != 1 else ''} "
        f"(every {s.checkpoint_weeks} weeks)"
        if s.checkpoints
        else "no checkpoints in between"
    )
    milestones = (
        f"*Milestones &amp; Reflection*\nKickoff at the first meeting, {checkpoint_text}, "
        f"final review on {format_local_date(s.end_date)}."
    )
    if s.announce_channel:
        milestones += f" Milestones will be announced in {channel_mention(s.announce_channel)}."
    goal_sections = split_within(goals, MESSAGE_BLOCKS - 4, more=HOME_POINTER)
    return [
        *(SectionBlock(text=MarkdownTextObject(text=piece)) for piece in goal_sections),
        SectionBlock(text=MarkdownTextObject(text=structure)),
        SectionBlock(text=MarkdownTextObject(text=milestones)),
    ]


# The same for every summary: serialised once.
FOOTER = checked(
    [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="I'll nudge you both before each meeting. "
                    "Pause or change the plan any time from my Home tab. "
                    "The calendar file asks for no access to your calendar."
                )
            ]
        )
    ]
)[0]


def summary_for(
    pair: AnyPair,
    *,
    person: Callable[[str], PersonFacts],
) -> PlanSummary:
    """Resolve a stored pair into the facts its summary shows (people through `person`: the
    outbox renders from the cache whatever its age)."""
    mentor, mentee = person(pair.mentor_id), person(pair.mentee_id)
    first = occurrences(meeting_rule(pair), limit=1)
    return PlanSummary(
        pair_id=pair.id,
        mentor_name=mentor.name,
        mentee_name=mentee.name,
        cadence=pair.cadence,
        cadence_phrase=CADENCE_WORDS.get(pair.cadence, pair.cadence),
        first_meeting=first[0],
        plan_tz=pair.tz,
        format=pair.format,
        channels=pair.channels.split(","),
        mentee_goals=[g.text for g in pair.goals if g.owner == GoalOwner.MENTEE],
        mentor_goals=[g.text for g in pair.goals if g.owner == GoalOwner.MENTOR],
        vision=next((g.text for g in pair.goals if g.owner == GoalOwner.SHARED), ""),
        end_date=pair.end_date,
        checkpoints=sum(1 for m in pair.milestones if m.kind == "checkpoint"),
        checkpoint_weeks=pair.checkpoint_weeks,
        announce_channel=pair.announce_channel if pair.announce else None,
        meeting_minutes=pair.meeting_minutes,
    )


def prepare_plan_summaries(r: Reading, jobs: Sequence[Job]) -> None:
    """Read for several plan summaries at once (a new pair queues two): the pairs with their
    goals and milestones, and both people of each, in four queries."""
    load_pairs(r, jobs)
    pairs = {p.id: p for j in jobs if (p := r.loaded.get((Pair, j.team_id, j.pair_id)))}
    if not pairs:
        return
    found: dict[int, list[Milestone]] = {pair_id: [] for pair_id in pairs}
    stmt = (
        select(Milestone)
        .where(Milestone.pair_id.in_(sorted(pairs)))
        .order_by(Milestone.pair_id, Milestone.due_date)
    )
    for milestone in r.session.scalars(stmt):
        found[milestone.pair_id].append(milestone)
    for pair_id, milestones in found.items():  # as loading `pair.milestones` would
        set_committed_value(pairs[pair_id], "milestones", milestones)
    r.loaded[Milestone] = found  # held here: the identity map keeps them only weakly
    by_team: dict[str, set[str]] = {}
    for pair in pairs.values():
        by_team.setdefault(pair.team_id, set()).update((pair.mentor_id, pair.mentee_id))
    for team_id, people in by_team.items():
        r.preload_people(team_id, people)


def render_plan_summary(r: Reading, job: Job) -> Rendered | Skip:
    """The plan summary DM sent when a mentorship starts (or its plan changes)."""
    pair = load_pair(r, job)
    if pair is None:
        return Skip("pair deleted")
    both = (pair.mentor_id, pair.mentee_id)
    known: dict[str, PersonFacts] = dict(zip(both, r.people(pair.team_id, *both), strict=True))

    def person(user_id: str) -> PersonFacts:
        return known.get(user_id) or r.person(pair.team_id, user_id)

    return _message(pair, summary_for(pair, person=person), job.recipient_id, person)


def _message(
    pair: AnyPair,
    summary: PlanSummary,
    reader: str,
    person: Callable[[str], PersonFacts],
    body: Sequence[Block | JSON] | None = None,
) -> Rendered:
    role = pair.role_of(reader) or "mentee"
    tz = person(reader).tz or pair.tz
    text, blocks = plan_summary(summary, reader_role=role, reader_tz=tz, body=body)
    return Rendered(text, blocks)


def new_pair_summaries(pair: AnyPair, people: Mapping[str, PersonFacts]) -> dict[str, Rendered]:
    """Both plan summaries of a pair just stored, by occurrence key, built from what is in
    memory (the pair with its goals and milestones, both people as just looked up): what
    `render_plan_summary` would read and say, without reading. What both say alike is
    serialised and validated once (`checked`): both summaries built and checked took 248–311
    against 327–523 µs of CPU at best, six runs each."""
    summary = summary_for(pair, person=people.__getitem__)
    body = checked(summary_body(summary))  # serialised once, for both
    return {
        key: _message(pair, summary, reader, people.__getitem__, body)
        for reader, key in summary_keys(pair).items()
    }


def summary_recipients(pair: AnyPair) -> tuple[str, str]:
    """Who gets a pair's plan summary, in the order they are queued and sent: the mentee
    first."""
    return pair.mentee_id, pair.mentor_id


def summary_keys(pair: AnyPair) -> dict[str, str]:
    """Each person's plan summary's occurrence key, for the pair's current schedule."""
    return {
        user_id: keys.summary(pair.id, pair.schedule_version, user_id)
        for user_id in summary_recipients(pair)
    }


def queue_plan_summaries(
    services: Services, session: Session, pair: AnyPair, now: datetime | None = None
) -> None:
    """Queue the plan summary for both people (due `now`, by default the clock's)."""
    now = now if now is not None else services.clock.now()
    summaries = [
        NewDelivery(
            team_id=pair.team_id,
            kind=DeliveryKind.PLAN_SUMMARY,
            recipient_id=user_id,
            occurrence_key=key,
            due_at=now,
            pair_id=pair.id,
        )
        for user_id, key in summary_keys(pair).items()
    ]
    add_deliveries(session, summaries, now)
