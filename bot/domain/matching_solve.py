"""The whole cohort matched at once (an exact optimum), and a first-come baseline to compare.

`solve` builds one row per mentee and one column per free place of each mentor (a mentor's k-th
place in a run costs `load_step × (k − 1)`, which spreads mentees over mentors), forbids the
impossible cells, adds one "stays unmatched" column per mentee worth nothing, and lets
`scipy.optimize.linear_sum_assignment` find the assignment with the largest total. People are
sorted by id first, so the order they enrolled in never matters; ties are broken by a shuffle
of rows and columns seeded from the run, so a re-run gives the same proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.domain.matching import (
    Block,
    Cohort,
    Priority,
    ScoreParts,
    ScoreTable,
    Settings,
    score_table,
)

if TYPE_CHECKING:  # numpy and scipy load when matching runs, not with the app
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]


class Origin(StrEnum):
    """Where a proposed pair came from."""

    SOLVED = "solved"
    PINNED = "pinned"
    APPROVED = "approved"


class KeptProblem(StrEnum):
    """Why a pinned or approved pair could not be kept."""

    NOT_IN_RUN = "not_in_run"  # one of the two is not in this cohort (withdrew, say)
    ALREADY_KEPT = "already_kept"  # the mentee is already kept with another mentor
    NO_ROOM = "no_room"  # the mentor's places are all taken by other kept pairs
    BLOCKED = "blocked"  # a hard rule forbids the pair; `block` says which


@dataclass(frozen=True)
class Pair:
    """One proposed pair."""

    mentor_id: str
    mentee_id: str
    origin: Origin
    parts: ScoreParts


@dataclass(frozen=True)
class Refused:
    """A pinned or approved pair that was not kept, and why."""

    mentor_id: str
    mentee_id: str
    origin: Origin
    problem: KeptProblem
    block: Block = Block.NONE


@dataclass(frozen=True)
class Proposal:
    """A run's result: pairs sorted by mentee id, the unmatched, and what the solver maximised."""

    pairs: tuple[Pair, ...]
    unmatched: tuple[str, ...]  # mentee ids
    refused: tuple[Refused, ...]
    priority: Priority
    total: float  # sum of the pairs' totals minus the load cost
    load_cost: float

    @property
    def matched(self) -> int:
        """How many mentees got a mentor."""
        return len(self.pairs)

    def mentor_load(self) -> dict[str, int]:
        """Pairs per mentor in this proposal (mentors with none are left out)."""
        load: dict[str, int] = {}
        for pair in self.pairs:
            load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
        return load


@dataclass
class _Kept:
    pairs: list[tuple[int, int, Origin]]
    refused: list[Refused]
    room: Ints  # free places per mentor column, after the kept pairs
    used: Ints  # places per mentor column taken in this run so far


def solve(cohort: Cohort, settings: Settings) -> Proposal:
    """The best proposal for the whole cohort under `settings.priority` (exact)."""
    import numpy as np

    table = score_table(cohort, settings)
    kept = _keep(cohort, table)
    kept_rows = {row for row, _, _ in kept.pairs}
    rows = np.array([i for i in range(len(table.mentees)) if i not in kept_rows], dtype=np.int64)
    slot_col = np.repeat(np.arange(len(table.mentors)), kept.room)
    # The k-th free place of a mentor (counting places kept pairs took in this run) costs more.
    first = np.cumsum(kept.room) - kept.room
    slot_rank = np.arange(len(slot_col)) - np.repeat(first, kept.room) + kept.used[slot_col]
    slot_load = (settings.load_step * slot_rank).astype(np.float64)
    assigned = _assign(table, rows, slot_col, slot_load, settings)
    solved = [(row, col, Origin.SOLVED) for row, col in assigned]
    return _proposal(table, settings, kept.pairs + solved, kept.refused)


def greedy(cohort: Cohort, settings: Settings) -> Proposal:
    """First come, first served: mentees in input order each take their best mentor left."""
    import numpy as np

    table = score_table(cohort, settings)
    kept = _keep(cohort, table)
    taken = {row for row, _, _ in kept.pairs}
    row_of = {mentee.id: i for i, mentee in enumerate(table.mentees)}
    room, used = kept.room.copy(), kept.used.copy()
    chosen: list[tuple[int, int, Origin]] = []
    for mentee in cohort.mentees:
        i = row_of[mentee.id]
        if i in taken:
            continue
        value = table.total[i] - settings.load_step * used
        ok = (table.block[i] == Block.NONE) & (room > 0)
        if settings.priority is Priority.BEST_MATCHES:
            ok &= value > 0
        if not ok.any():
            continue
        j = int(np.argmax(np.where(ok, value, -np.inf)))
        chosen.append((i, j, Origin.SOLVED))
        room[j] -= 1
        used[j] += 1
    return _proposal(table, settings, kept.pairs + chosen, kept.refused)


def _keep(cohort: Cohort, table: ScoreTable) -> _Kept:
    """Fix pinned, then approved pairs, each in id order; refuse those that break a rule."""
    import numpy as np

    col = {m.id: j for j, m in enumerate(table.mentors)}
    row = {e.id: i for i, e in enumerate(table.mentees)}
    room = np.array([max(m.capacity - m.open_pairs, 0) for m in table.mentors], dtype=np.int64)
    used = np.zeros(len(table.mentors), dtype=np.int64)
    kept: dict[int, tuple[int, Origin]] = {}
    refused: list[Refused] = []
    rules = cohort.constraints
    for origin, pairs in ((Origin.PINNED, rules.pinned), (Origin.APPROVED, rules.approved)):
        for mentor_id, mentee_id in sorted(set(pairs)):
            i, j = row.get(mentee_id), col.get(mentor_id)
            problem, block = None, Block.NONE
            if i is None or j is None:
                problem = KeptProblem.NOT_IN_RUN
            elif i in kept:
                if kept[i][0] == j:
                    continue  # pinned and approved both: one pair
                problem = KeptProblem.ALREADY_KEPT
            elif table.block[i, j] != Block.NONE:
                problem, block = KeptProblem.BLOCKED, Block(int(table.block[i, j]))
            elif room[j] <= 0:
                problem = KeptProblem.NO_ROOM
            if problem is not None:
                refused.append(Refused(mentor_id, mentee_id, origin, problem, block))
                continue
            assert i is not None and j is not None
            kept[i] = (j, origin)
            room[j] -= 1
            used[j] += 1
    fixed = [(i, j, origin) for i, (j, origin) in sorted(kept.items())]
    return _Kept(fixed, refused, room, used)


def _assign(
    table: ScoreTable,
    rows: Ints,
    slot_col: Ints,
    slot_load: npt.NDArray[np.float64],
    settings: Settings,
) -> list[tuple[int, int]]:
    """(row, mentor column) for each mentee the optimum matches; the rest stay unmatched."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if len(rows) == 0 or len(slot_col) == 0:
        return []
    value = table.total[np.ix_(rows, slot_col)] - slot_load[None, :]
    allowed = table.block[np.ix_(rows, slot_col)] == Block.NONE
    if settings.priority is Priority.BEST_MATCHES:
        # A pair worth nothing (or less, after the load cost) is worse than no pair.
        allowed &= value > 0
        gain = value
    else:
        # Every match is worth more than any difference in quality can make up, so the count
        # of matches is maximised first and the total score second.
        spread = float(np.abs(value[allowed]).max(initial=0.0))
        gain = value + (1.0 + 2.0 * len(rows) * spread)
    cost = np.where(allowed, -gain, np.inf)
    cost = np.hstack([cost, np.zeros((len(rows), len(rows)))])  # "stays unmatched", worth 0
    rng = np.random.default_rng(settings.seed)
    row_order, col_order = rng.permutation(cost.shape[0]), rng.permutation(cost.shape[1])
    r, c = linear_sum_assignment(cost[np.ix_(row_order, col_order)])
    out: list[tuple[int, int]] = []
    for i, k in zip(row_order[r], col_order[c], strict=True):
        if k < len(slot_col) and allowed[i, k]:
            out.append((int(rows[i]), int(slot_col[k])))
    return out


def _proposal(
    table: ScoreTable,
    settings: Settings,
    chosen: list[tuple[int, int, Origin]],
    refused: list[Refused],
) -> Proposal:
    import numpy as np

    pairs = sorted(
        (
            Pair(table.mentors[j].id, table.mentees[i].id, origin, table.parts(i, j))
            for i, j, origin in chosen
        ),
        key=lambda p: p.mentee_id,
    )
    cols = np.array([j for _, j, _ in chosen], dtype=np.int64)
    per_mentor = np.bincount(cols, minlength=len(table.mentors))
    # Places 1..u of a mentor cost 0, step, 2·step, ...: step · u(u − 1) / 2 in all.
    load_cost = float(settings.load_step * (per_mentor * (per_mentor - 1) / 2).sum())
    matched = {p.mentee_id for p in pairs}
    return Proposal(
        pairs=tuple(pairs),
        unmatched=tuple(e.id for e in table.mentees if e.id not in matched),
        refused=tuple(refused),
        priority=settings.priority,
        total=sum(p.parts.total for p in pairs) - load_cost,
        load_cost=load_cost,
    )
