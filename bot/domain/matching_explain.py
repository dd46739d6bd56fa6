"""Why each proposed pair was made, who else could be swapped in, and why anyone was left out.

Reasons are plain words without scores. Names, skills and goal words stay data in a `Reason`
until the caller renders it with its own escaping (Slack mrkdwn, CSV, plain text). A private
"don't match me with" is only ever "excluded by a participant's preference": never who, or whom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bot.domain.matching import (
    FULL_OVERLAP_HOURS,
    WORK_HOURS,
    Block,
    Cohort,
    Mentee,
    Mentor,
    Priority,
    ScoreParts,
    ScoreTable,
    Settings,
    score_table,
)
from bot.domain.matching_solve import KeptProblem, Origin, Proposal, Refused
from bot.domain.matching_text import vocabulary

if TYPE_CHECKING:  # numpy loads when matching runs, not with the app
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

MAX_REASONS = 3
RUNNERS_UP = 3
WORK_DAY = "09:00–17:00"

# How one mentor is ruled out for a mentee, worded to follow "every mentor who offers X ...".
# Dict order is the order they are listed in.
_MENTOR_IS = {
    "self": "is {mentee}",
    "excluded": "is excluded by a participant's preference",
    "previous": "has been paired with {mentee} before",
    "ruled_out": "was ruled out by the lead",
    "hours": "has too few working hours in common with {mentee}",
    "min_score": "falls below the program's minimum match",
    "no_room": "has no room left",
    "weak": "would be too weak a match",
    "free": "still has room",
}
_BLOCK_CAUSE = {
    Block.SELF: "self",
    Block.EXCLUDED: "excluded",
    Block.PREVIOUS: "previous",
    Block.RULED_OUT: "ruled_out",
    Block.HOURS: "hours",
    Block.MIN_SCORE: "min_score",
}


@cache
def _block_causes() -> npt.NDArray[np.str_]:
    """The causes indexed by Block value (made when first asked: numpy loads with matching)."""
    import numpy as np

    return np.array([_BLOCK_CAUSE.get(b, "") for b in Block])


_ONLY_BECAUSE = {
    Origin.SOLVED: "{mentor} has room and nothing rules the pair out",
    Origin.PINNED: "The lead pinned {mentor} and {mentee} together",
    Origin.APPROVED: "The lead approved {mentor} and {mentee} in an earlier run",
}
# The same rules said of a pair, for pinned or approved pairs that could not be kept.
_PAIR_IS = {
    Block.SELF: "they are one person",
    Block.EXCLUDED: "excluded by a participant's preference",
    Block.PREVIOUS: "they have been paired before",
    Block.RULED_OUT: "the lead ruled the pair out",
    Block.HOURS: "too few working hours in common",
    Block.MIN_SCORE: "below the program's minimum match",
}


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def plain(text: str) -> str:
    """The identity escape: reasons as plain text."""
    return text


@dataclass(frozen=True)
class Reason:
    """One reason in plain words; names and items stay data until `render` escapes them."""

    code: str
    template: str  # e.g. "{mentee} wants {items}; {mentor} offers it": no participant data
    mentee: str = ""
    mentor: str = ""
    items: tuple[str, ...] = ()  # skill names or goal words, shown in bold
    conjunction: str = "and"

    def render(self, escape: Callable[[str], str] = plain, bold: str = "*") -> str:
        """The sentence, with every name and item passed through `escape`."""
        items = [f"{bold}{escape(item)}{bold}" for item in self.items]
        return self.template.format(
            mentee=escape(self.mentee),
            mentor=escape(self.mentor),
            items=join_words(items, self.conjunction),
        )

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class RunnerUp:
    """Another mentor who could take this mentee (for the lead's swap)."""

    mentor_id: str
    parts: ScoreParts
    has_room: bool  # a free place left after this proposal


@dataclass(frozen=True)
class PairExplanation:
    """Why a proposed pair was made, and the next best mentors for that mentee."""

    mentor_id: str
    mentee_id: str
    origin: Origin
    reasons: tuple[Reason, ...]
    runners_up: tuple[RunnerUp, ...]


@dataclass(frozen=True)
class UnmatchedExplanation:
    """Why a mentee got no mentor, and the best mentors the rules allow (full or not)."""

    mentee_id: str
    reasons: tuple[Reason, ...]
    runners_up: tuple[RunnerUp, ...]


@dataclass(frozen=True)
class RefusedExplanation:
    """Why a pinned or approved pair was not kept."""

    mentor_id: str
    mentee_id: str
    origin: Origin
    reason: Reason


@dataclass(frozen=True)
class Explanation:
    """Reasons for a whole proposal, in the proposal's order."""

    pairs: tuple[PairExplanation, ...]
    unmatched: tuple[UnmatchedExplanation, ...]
    refused: tuple[RefusedExplanation, ...]


def explain(cohort: Cohort, settings: Settings, proposal: Proposal) -> Explanation:
    """Reasons and runners-up for `proposal`, which `solve` made from the same cohort."""
    import numpy as np

    table = score_table(cohort, settings)
    col = {m.id: j for j, m in enumerate(table.mentors)}
    row = {e.id: i for i, e in enumerate(table.mentees)}
    load = proposal.mentor_load()
    used = np.array([load.get(m.id, 0) for m in table.mentors], dtype=np.int64)
    places = np.array([max(m.capacity - m.open_pairs, 0) for m in table.mentors], dtype=np.int64)
    room = places - used
    words = vocabulary(settings.skills)
    offered_by: dict[str, list[int]] = {}
    for j, mentor in enumerate(table.mentors):
        for key in {words.skill_key(s) for s in mentor.skills}:
            offered_by.setdefault(key, []).append(j)
    pairs = tuple(
        PairExplanation(
            p.mentor_id,
            p.mentee_id,
            p.origin,
            _pair_reasons(table, row[p.mentee_id], col[p.mentor_id], p.origin, settings),
            _runners_up(table, row[p.mentee_id], room, skip=col[p.mentor_id]),
        )
        for p in proposal.pairs
    )
    unmatched = tuple(
        UnmatchedExplanation(
            mentee_id,
            _unmatched_reasons(table, row[mentee_id], room, used, offered_by, settings),
            _runners_up(table, row[mentee_id], room, skip=None),
        )
        for mentee_id in proposal.unmatched
    )
    names = {m.id: m.name for m in table.mentors} | {e.id: e.name for e in table.mentees}
    refused = tuple(
        RefusedExplanation(r.mentor_id, r.mentee_id, r.origin, _refused_reason(names, r))
        for r in proposal.refused
    )
    return Explanation(pairs, unmatched, refused)


def _pair_reasons(
    table: ScoreTable, i: int, j: int, origin: Origin, settings: Settings
) -> tuple[Reason, ...]:
    """Up to three reasons, from the criteria that added most to this pair's score."""
    mentee, mentor = table.mentees[i], table.mentors[j]
    parts = table.parts(i, j)
    w_skills, w_goals, w_hours, w_wishes = settings.weights.numbers()
    builders: list[tuple[float, Callable[[], Reason | None]]] = [
        (w_skills * parts.skills, lambda: _skills_reason(mentee, mentor, settings)),
        (w_goals * parts.goals, lambda: _goals_reason(mentee, mentor, settings)),
        (w_hours * parts.hours, lambda: _hours_reason(float(table.offset_gap[i, j]))),
        (w_wishes * parts.wishes, lambda: _wishes_reason(mentee, mentor)),
    ]
    # sorted() is stable: equal contributions keep the order above.
    ranked = sorted(builders, key=lambda b: -b[0])
    reasons = [r for gain, build in ranked if gain > 0 and (r := build()) is not None]
    if not reasons:  # every criterion is off or scored nothing: say why the pair exists at all
        reasons = [Reason(f"{origin.value}_only", _ONLY_BECAUSE[origin], mentee.name, mentor.name)]
    return tuple(reasons[:MAX_REASONS])


def _skills_reason(mentee: Mentee, mentor: Mentor, settings: Settings) -> Reason | None:
    words = vocabulary(settings.skills)
    offered = {words.skill_key(s) for s in mentor.skills}
    wanted = _dedupe_by_key(mentee.skills, words.skill_key)
    items = tuple(s for s in wanted if words.skill_key(s) in offered)
    if not items:
        return None
    pronoun = "it" if len(items) == 1 else "both" if len(items) == 2 else "them all"
    template = "{mentee} wants {items}; {mentor} offers " + pronoun
    return Reason("skills", template, mentee.name, mentor.name, items)


def _dedupe_by_key(items: Sequence[str], key: Callable[[str], str]) -> tuple[str, ...]:
    """The first spelling of each skill."""
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return tuple(seen.values())


def _goals_reason(mentee: Mentee, mentor: Mentor, settings: Settings) -> Reason | None:
    words = vocabulary(settings.skills)
    theirs = words.terms(mentor.help_text)
    shared = tuple(shown for term, shown in words.terms(mentee.goals).items() if term in theirs)
    if not shared:
        return None
    return Reason(
        "goals",
        "{mentee}'s goals and what {mentor} can help with both mention {items}",
        mentee.name,
        mentor.name,
        shared[:MAX_REASONS],
    )


def _hours_reason(gap: float) -> Reason:
    if gap == 0:
        return Reason("hours", f"Both work {WORK_DAY} in the same hours")
    if gap <= WORK_HOURS - FULL_OVERLAP_HOURS:
        return Reason("hours", f"Both work {WORK_DAY} within {_duration(gap)} of each other")
    # Far apart, the shared part of the day is what the pair will plan around.
    shared = _duration(WORK_HOURS - gap)
    return Reason("hours", f"Their working days ({WORK_DAY} local) overlap by {shared}")


def _duration(hours: float) -> str:
    """3 → "3 hours", 5.75 → "5 hours 45 minutes"."""
    whole, minutes = int(hours), round((hours - int(hours)) * 60)
    text = [f"{whole} hour{'s' if whole != 1 else ''}"] if whole else []
    if minutes:
        text.append(f"{minutes} minutes")
    return " ".join(text)


def _wishes_reason(mentee: Mentee, mentor: Mentor) -> Reason | None:
    asked, wanted = mentor.id in mentee.wishes, mentee.id in mentor.wishes
    if asked and wanted:
        template = "{mentee} and {mentor} each asked to be matched with the other"
    elif asked:
        template = "{mentee} asked to be matched with {mentor}"
    elif wanted:
        template = "{mentor} asked to be matched with {mentee}"
    else:
        return None
    return Reason("wishes", template, mentee.name, mentor.name)


def _runners_up(table: ScoreTable, i: int, room: Ints, skip: int | None) -> tuple[RunnerUp, ...]:
    """The best mentors the hard rules allow for mentee `i`, best first, ties by mentor id."""
    import numpy as np

    allowed = np.flatnonzero(table.block[i] == Block.NONE)
    if skip is not None:
        allowed = allowed[allowed != skip]
    best = allowed[np.argsort(-table.total[i, allowed], kind="stable")[:RUNNERS_UP]]
    return tuple(
        RunnerUp(table.mentors[j].id, table.parts(i, int(j)), bool(room[j] > 0)) for j in best
    )


def _unmatched_reasons(
    table: ScoreTable,
    i: int,
    room: Ints,
    used: Ints,
    offered_by: dict[str, list[int]],
    settings: Settings,
) -> tuple[Reason, ...]:
    """The binding reason per wanted skill: nobody offers it, or why each who does is out."""
    import numpy as np

    mentee = table.mentees[i]
    if not table.mentors:
        return (Reason("no_mentors", "There are no mentors in this run", mentee.name),)
    words = vocabulary(settings.skills)
    # One cause per mentor, the strongest first: a rule, then a full mentor, then the value of
    # the mentor's next place (what the solver weighed against leaving the mentee unmatched).
    value = table.total[i] - settings.load_step * used
    weak = settings.priority is Priority.BEST_MATCHES
    causes = np.where(
        table.block[i] != Block.NONE,
        _block_causes()[table.block[i]],
        np.where(room <= 0, "no_room", np.where(weak & (value <= 0), "weak", "free")),
    )
    groups: dict[tuple[tuple[str, ...], bool], list[str]] = {}
    for skill in _dedupe_by_key(mentee.skills, words.skill_key) or ("",):
        offering = offered_by.get(words.skill_key(skill), []) if skill else range(len(causes))
        found = {str(c) for c in causes[list(offering)]}
        ordered = tuple(c for c in _MENTOR_IS if c in found)
        groups.setdefault((ordered, len(offering) == 1), []).append(skill)
    reasons = [
        _skill_group_reason(mentee, ordered, only, tuple(s for s in skills if s))
        for (ordered, only), skills in groups.items()
    ]
    # Skills nobody offers first: that is the one thing the lead can't fix by swapping.
    reasons.sort(key=lambda r: r.code != "not_offered")
    return tuple(reasons[:MAX_REASONS])


def _skill_group_reason(
    mentee: Mentee, causes: tuple[str, ...], only: bool, skills: tuple[str, ...]
) -> Reason:
    who = "who offers {items}" if skills else ""
    if not causes:
        return Reason(
            "not_offered",
            "No mentor in this program offers {items}",
            mentee.name,
            items=skills,
            conjunction="or",
        )
    if causes == ("no_room",):
        text = "No mentor with room offers {items}" if skills else "No mentor has room left"
        return Reason("no_room", text, mentee.name, items=skills, conjunction="or")
    if "free" in causes:
        text = f"A mentor {who} still has room".replace("  ", " ")
        return Reason("free", text, mentee.name, items=skills, conjunction="or")
    subject = f"The only mentor {who}" if only else f"Every mentor {who}"
    predicate = join_words([_MENTOR_IS[c] for c in causes], "or")
    return Reason(
        "ruled_out", f"{subject.strip()} {predicate}", mentee.name, items=skills, conjunction="or"
    )


def _refused_reason(names: dict[str, str], refused: Refused) -> Reason:
    mentor, mentee = names.get(refused.mentor_id, ""), names.get(refused.mentee_id, "")
    if refused.problem is KeptProblem.NOT_IN_RUN:
        text = "A kept pair was dropped: one of the two is no longer in this run"
    elif refused.problem is KeptProblem.ALREADY_KEPT:
        text = "{mentee} is already kept with another mentor, so not with {mentor}"
    elif refused.problem is KeptProblem.NO_ROOM:
        text = "{mentor} has no room left for {mentee}"
    else:
        text = "{mentor} and {mentee} can't be paired: " + _PAIR_IS[refused.block]
    return Reason(refused.problem.value, text, mentee, mentor)
