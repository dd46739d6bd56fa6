"""Matching suggestions: who takes part, the rules, the run's settings and each pair's score.

Pure functions over plain data (no Slack, no database). Scores are computed for the whole
cohort at once with numpy, so a thousand mentees against hundreds of mentors stays well under a
second; `score()` for one pair goes through the very same code, so the two can never disagree.
The solver is in `matching_solve`, the plain-words reasons in `matching_explain`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import Enum, IntEnum, StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.domain.matching_text import vocabulary

if TYPE_CHECKING:  # numpy and scipy load when matching runs, not with the app
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float64]

MAX_CAPACITY = 5
WORK_START = time(9, 0)
WORK_HOURS = 8.0  # everyone is taken to work 09:00–17:00 local time
FULL_OVERLAP_HOURS = 4.0  # this much shared working time already scores 1
# Default share of each criterion in the total (PROGRAMS.md C2); the lead scales them by Weight.
DEFAULT_WEIGHTS = {"skills": 0.40, "goals": 0.15, "hours": 0.15, "wishes": 0.15}


class Weight(Enum):
    """How much the lead wants a criterion to count: a multiple of its default weight."""

    OFF = 0.0
    LOW = 0.5
    NORMAL = 1.0
    HIGH = 2.0


class Priority(StrEnum):
    """What the solver maximises first."""

    BEST_MATCHES = "best_matches"
    MOST_MATCHED = "most_matched"


class Block(IntEnum):
    """Why a mentor and a mentee can't be paired; lower values win when several apply."""

    NONE = 0
    SELF = 1
    EXCLUDED = 2
    PREVIOUS = 3
    RULED_OUT = 4
    HOURS = 5
    MIN_SCORE = 6


@dataclass(frozen=True)
class Mentor:
    """A mentor's enrolment, as matching sees it."""

    id: str
    name: str
    skills: tuple[str, ...]
    help_text: tuple[str, ...]  # "What can you help with?", one line each
    capacity: int
    tz: str
    open_pairs: int = 0  # pairs already running in this program
    wishes: tuple[str, ...] = ()  # mentee ids this mentor would like

    def __post_init__(self) -> None:
        if not 1 <= self.capacity <= MAX_CAPACITY:
            raise ValueError(f"mentor {self.id}: capacity must be 1 to {MAX_CAPACITY}")
        if self.open_pairs < 0:
            raise ValueError(f"mentor {self.id}: open_pairs can't be negative")
        _check_zone(self.id, self.tz)


@dataclass(frozen=True)
class Mentee:
    """A mentee's enrolment, as matching sees it."""

    id: str
    name: str
    skills: tuple[str, ...]
    goals: tuple[str, ...]  # one goal per line
    tz: str
    wishes: tuple[str, ...] = ()  # mentor ids this mentee would like

    def __post_init__(self) -> None:
        _check_zone(self.id, self.tz)


@dataclass(frozen=True)
class Constraints:
    """Pairs that must not be proposed, and pairs already decided (all as id pairs)."""

    # (who, whom they asked not to be matched with): private, and it works both ways.
    exclusions: tuple[tuple[str, str], ...] = ()
    # Any two people who ever had a pair, in either role.
    previous_pairs: tuple[tuple[str, str], ...] = ()
    # (mentor_id, mentee_id) pairs the lead ruled out, pinned, or approved in an earlier run.
    ruled_out: tuple[tuple[str, str], ...] = ()
    pinned: tuple[tuple[str, str], ...] = ()
    approved: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Cohort:
    """Everyone to match in one run, and the rules between them."""

    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    constraints: Constraints = Constraints()

    def __post_init__(self) -> None:
        for role, people in (("mentor", self.mentors), ("mentee", self.mentees)):
            ids = [p.id for p in people]
            if len(set(ids)) != len(ids):
                raise ValueError(f"each {role} id must appear once")


@dataclass(frozen=True)
class Weights:
    """The lead's Off / Low / Normal / High for each criterion."""

    skills: Weight = Weight.NORMAL
    goals: Weight = Weight.NORMAL
    hours: Weight = Weight.NORMAL
    wishes: Weight = Weight.NORMAL

    def numbers(self) -> tuple[float, float, float, float]:
        """Each criterion's weight in the total: its default times the lead's multiple."""
        return (
            DEFAULT_WEIGHTS["skills"] * self.skills.value,
            DEFAULT_WEIGHTS["goals"] * self.goals.value,
            DEFAULT_WEIGHTS["hours"] * self.hours.value,
            DEFAULT_WEIGHTS["wishes"] * self.wishes.value,
        )


@dataclass(frozen=True)
class Settings:
    """One run's settings; `to_dict()` is what the caller stores with the run."""

    reference_date: date  # working hours are compared on this day (the program's first week)
    skills: tuple[str, ...] = ()  # the program's skill list: the vocabulary of the goal texts
    weights: Weights = Weights()
    priority: Priority = Priority.BEST_MATCHES
    seed: int = 0
    min_overlap_hours: float = 1.0  # a hard rule: less shared working time rules a pair out
    min_score: float = 0.0  # a hard rule: pairs scoring below it are never proposed
    load_step: float = 0.05  # a mentor's k-th slot in one run costs load_step × (k − 1)

    def __post_init__(self) -> None:
        if self.seed < 0:
            raise ValueError("seed can't be negative")
        if not 0 <= self.min_overlap_hours <= WORK_HOURS:
            raise ValueError(f"min_overlap_hours must be 0 to {WORK_HOURS:g}")
        if self.load_step < 0 or self.min_score < 0:
            raise ValueError("load_step and min_score can't be negative")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "reference_date": self.reference_date.isoformat(),
            "skills": list(self.skills),
            "weights": {name: getattr(self.weights, name).name.lower() for name in DEFAULT_WEIGHTS},
            "priority": self.priority.value,
            "seed": self.seed,
            "min_overlap_hours": self.min_overlap_hours,
            "min_score": self.min_score,
            "load_step": self.load_step,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """The inverse of `to_dict()`."""
        weights = data.get("weights", {})
        return cls(
            reference_date=date.fromisoformat(data["reference_date"]),
            skills=tuple(data.get("skills", ())),
            weights=Weights(**{k: Weight[v.upper()] for k, v in weights.items()}),
            priority=Priority(data.get("priority", Priority.BEST_MATCHES)),
            seed=int(data.get("seed", 0)),
            min_overlap_hours=float(data.get("min_overlap_hours", 1.0)),
            min_score=float(data.get("min_score", 0.0)),
            load_step=float(data.get("load_step", 0.05)),
        )


@dataclass(frozen=True)
class ScoreParts:
    """Each criterion 0..1 for one pair, and the weighted total."""

    skills: float
    goals: float
    hours: float
    wishes: float
    total: float


@dataclass(frozen=True)
class ScoreTable:
    """Every mentee (row) against every mentor (column), both sorted by id."""

    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    skills: Floats
    goals: Floats
    hours: Floats
    wishes: Floats
    total: Floats
    offset_gap: Floats  # hours between the two working days (0 = same hours)
    block: npt.NDArray[np.int8]  # a Block per cell; Block.NONE where the pair is possible

    def parts(self, row: int, col: int) -> ScoreParts:
        """One cell as ScoreParts."""
        return ScoreParts(
            skills=float(self.skills[row, col]),
            goals=float(self.goals[row, col]),
            hours=float(self.hours[row, col]),
            wishes=float(self.wishes[row, col]),
            total=float(self.total[row, col]),
        )


def score(mentor: Mentor, mentee: Mentee, settings: Settings) -> ScoreParts:
    """How well `mentor` suits `mentee`, part by part (hard rules are not checked here)."""
    return _tables((mentor,), (mentee,), settings)[0].parts(0, 0)


def score_table(cohort: Cohort, settings: Settings) -> ScoreTable:
    """Scores and hard-rule blocks for the whole cohort, people sorted by id."""
    import numpy as np

    mentors = tuple(sorted(cohort.mentors, key=lambda m: m.id))
    mentees = tuple(sorted(cohort.mentees, key=lambda e: e.id))
    table, overlap = _tables(mentors, mentees, settings)
    block = np.zeros(table.total.shape, dtype=np.int8)
    # Lower Block values win, so the checks run from the weakest to the strongest.
    block[table.total < settings.min_score] = Block.MIN_SCORE
    block[overlap < settings.min_overlap_hours] = Block.HOURS
    col = {m.id: j for j, m in enumerate(mentors)}
    row = {e.id: i for i, e in enumerate(mentees)}
    rules = cohort.constraints

    def mark(pairs: Iterable[tuple[str, str]], why: Block, both_ways: bool) -> None:
        for a, b in pairs:
            for mentor_id, mentee_id in ((a, b), (b, a)) if both_ways else ((a, b),):
                if mentor_id in col and mentee_id in row:
                    block[row[mentee_id], col[mentor_id]] = why

    mark(rules.ruled_out, Block.RULED_OUT, both_ways=False)
    mark(rules.previous_pairs, Block.PREVIOUS, both_ways=True)
    mark(rules.exclusions, Block.EXCLUDED, both_ways=True)
    mark(((e.id, e.id) for e in mentees), Block.SELF, both_ways=False)
    return replace(table, block=block)


def _tables(
    mentors: Sequence[Mentor], mentees: Sequence[Mentee], settings: Settings
) -> tuple[ScoreTable, Floats]:
    """The score parts for mentees × mentors (no blocks yet), and the hours of overlap."""
    import numpy as np

    words = vocabulary(settings.skills)
    skills = _coverage(
        [[words.skill_key(s) for s in e.skills] for e in mentees],
        [[words.skill_key(s) for s in m.skills] for m in mentors],
    )
    goals = _overlap(
        [words.terms(e.goals).keys() for e in mentees],
        [words.terms(m.help_text).keys() for m in mentors],
    )
    day = settings.reference_date
    gap = (
        np.abs(
            np.array([_offset_hours(e.tz, day) for e in mentees])[:, None]
            - np.array([_offset_hours(m.tz, day) for m in mentors])[None, :]
        )
        % 24.0
    )
    # Working days repeat every 24 h, so zones 23 h apart share 7 hours of the day.
    gap = np.minimum(gap, 24.0 - gap)
    overlap = np.maximum(WORK_HOURS - gap, 0.0)
    hours = np.minimum(overlap / FULL_OVERLAP_HOURS, 1.0)
    wishes = np.zeros((len(mentees), len(mentors)))
    row = {e.id: i for i, e in enumerate(mentees)}
    col = {m.id: j for j, m in enumerate(mentors)}
    for j, mentor in enumerate(mentors):
        for mentee_id in mentor.wishes:
            if mentee_id in row:
                wishes[row[mentee_id], j] = 0.5
    for i, mentee in enumerate(mentees):
        for mentor_id in mentee.wishes:
            if mentor_id in col:
                wishes[i, col[mentor_id]] = 1.0  # the mentee's own wish counts most
    w_skills, w_goals, w_hours, w_wishes = settings.weights.numbers()
    total = w_skills * skills + w_goals * goals + w_hours * hours + w_wishes * wishes
    empty = np.zeros((len(mentees), len(mentors)), dtype=np.int8)
    table = ScoreTable(
        tuple(mentors), tuple(mentees), skills, goals, hours, wishes, total, gap, empty
    )
    return table, overlap


def _coverage(wanted: list[list[str]], offered: list[list[str]]) -> Floats:
    """Share of each row's wanted keys that each column offers (0 when nothing is wanted)."""
    import numpy as np

    keys = {k: i for i, k in enumerate(dict.fromkeys(k for ks in wanted + offered for k in ks))}
    want = np.zeros((len(wanted), len(keys)))
    offer = np.zeros((len(offered), len(keys)))
    for i, ks in enumerate(wanted):
        want[i, [keys[k] for k in ks]] = 1.0
    for j, ks in enumerate(offered):
        offer[j, [keys[k] for k in ks]] = 1.0
    counts = want.sum(axis=1)[:, None]
    shared = want @ offer.T
    out: Floats = np.divide(shared, counts, out=np.zeros_like(shared), where=counts > 0)
    return out


def _overlap(rows: list[Iterable[str]], cols: list[Iterable[str]]) -> Floats:
    """|A ∩ B| / min(|A|, |B|) for every pair of term sets, so neither text's length counts."""
    import numpy as np
    from scipy import sparse

    terms: dict[str, int] = {}

    def matrix(sets: list[Iterable[str]]) -> tuple[list[int], list[int]]:
        r: list[int] = []
        c: list[int] = []
        for i, words in enumerate(sets):
            for w in words:
                r.append(i)
                c.append(terms.setdefault(w, len(terms)))
        return r, c

    (rr, rc), (cr, cc) = matrix(rows), matrix(cols)
    shape = (len(rows), len(terms)), (len(cols), len(terms))
    a = sparse.csr_matrix((np.ones(len(rr)), (rr, rc)), shape=shape[0])
    b = sparse.csr_matrix((np.ones(len(cr)), (cr, cc)), shape=shape[1])
    shared = np.asarray((a @ b.T).toarray(), dtype=np.float64)
    smaller = np.minimum(
        np.asarray(a.sum(axis=1)).reshape(-1, 1), np.asarray(b.sum(axis=1)).reshape(1, -1)
    )
    out: Floats = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)
    return out


def _check_zone(person: str, tz: str) -> None:
    try:
        ZoneInfo(tz)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError, ... all mean "not a zone"
        raise ValueError(f"{person}: unknown time zone {tz!r}") from exc


@lru_cache(maxsize=1024)
def _offset_hours(tz: str, day: date) -> float:
    """The zone's UTC offset in hours when its working day starts on `day`."""
    offset = datetime.combine(day, WORK_START, ZoneInfo(tz)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0
