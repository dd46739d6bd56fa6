"""Matching: hard rules and capacity always hold, the solver equals exhaustive search, the
result does not depend on input order, and reasons are plain words that keep exclusions private.

The rules are re-checked here independently of the module (time-zone overlap from real local
working days, exclusions read from the raw constraint pairs), and the optimum is compared with
an exhaustive search over every assignment on small cohorts.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.matching import (
    Cohort,
    Constraints,
    Mentee,
    Mentor,
    Priority,
    Settings,
    Weight,
    Weights,
    score,
)
from bot.domain.matching_explain import Explanation, Reason, explain
from bot.domain.matching_solve import KeptProblem, Origin, Proposal, greedy, solve

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY = date(2027, 3, 1)
SKILLS = ("Kubernetes / k8s", "Go (golang)", "Rust", "Public speaking", "SQL", "Design reviews")
ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "UTC",
)
GOALS = (
    "Run Kubernetes in production",
    "k8s upgrades without downtime",
    "Give talks at conferences",
    "public-speaking",
    "Write safe Rust",
    "golang services",
    "SQL performance tuning",
    "Design reviews for big systems",
    "Career growth and hiring",
)
# The pool of people: someone may enrol as mentor and mentee both (same id).
NAMES = ("Ana", "Ben", "Cho", "Dev", "Eli", "Fay", "Gus", "Hal", "Ida", "Jon", "Kai", "Lea")
IDS = tuple(f"U{k:02d}" for k in range(len(NAMES)))
NAME = dict(zip(IDS, NAMES, strict=True))
ID_PAIRS = st.tuples(st.sampled_from(IDS), st.sampled_from(IDS))


def some(items: tuple[str, ...], most: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(items), max_size=most, unique=True).map(tuple)


@st.composite
def mentors(draw: st.DrawFn, person: str) -> Mentor:
    capacity = draw(st.integers(1, 3))
    return Mentor(
        id=person,
        name=NAME[person],
        skills=draw(some(SKILLS, 3)),
        help_text=draw(some(GOALS, 2)),
        capacity=capacity,
        tz=draw(st.sampled_from(ZONES)),
        open_pairs=draw(st.sampled_from((0, 0, 0, 1, capacity))),
        wishes=draw(some(IDS, 2)),
    )


@st.composite
def mentees(draw: st.DrawFn, person: str) -> Mentee:
    return Mentee(
        id=person,
        name=NAME[person],
        skills=draw(some(SKILLS, 3)),
        goals=draw(some(GOALS, 2)),
        tz=draw(st.sampled_from(ZONES)),
        wishes=draw(some(IDS, 2)),
    )


@st.composite
def cohorts(
    draw: st.DrawFn, most_mentors: int = 6, most_mentees: int = 8, keep: bool = True
) -> Cohort:
    mentor_ids = draw(st.lists(st.sampled_from(IDS), max_size=most_mentors, unique=True))
    mentee_ids = draw(st.lists(st.sampled_from(IDS), max_size=most_mentees, unique=True))
    # Rules mostly between people of this cohort, in either order, and some about others.
    inside = [(a, b) for a in mentor_ids for b in mentee_ids]
    inside += [(b, a) for a, b in inside]
    pairs = st.sampled_from(inside) | ID_PAIRS if inside else ID_PAIRS

    def some_pairs(most: int) -> tuple[tuple[str, str], ...]:
        return tuple(draw(st.lists(pairs, max_size=most)))

    rules = Constraints(
        exclusions=some_pairs(5),
        previous_pairs=some_pairs(3),
        ruled_out=some_pairs(3),
        pinned=some_pairs(3) if keep else (),
        approved=some_pairs(2) if keep else (),
    )
    return Cohort(
        tuple(draw(mentors(p)) for p in mentor_ids),
        tuple(draw(mentees(p)) for p in mentee_ids),
        rules,
    )


RUN_SETTINGS = st.builds(
    Settings,
    reference_date=st.sampled_from((DAY, date(2027, 7, 5), date(2027, 12, 6))),
    skills=st.just(SKILLS),
    weights=st.builds(Weights, *[st.sampled_from(Weight)] * 4),
    priority=st.sampled_from(Priority),
    seed=st.integers(0, 3),
    min_overlap_hours=st.sampled_from((0.0, 1.0, 1.0, 3.0)),
    min_score=st.sampled_from((0.0, 0.0, 0.2)),
    load_step=st.sampled_from((0.0, 0.05, 0.05, 0.3)),
)


# --- independent checks -----------------------------------------------------------------------


@cache
def shared_hours(tz_a: str, tz_b: str, day: date) -> float:
    """Hours two 09:00–17:00 local working days share, from real instants (next/previous day too)."""

    def window(tz: str, d: date) -> tuple[datetime, datetime]:
        zone = ZoneInfo(tz)
        return datetime.combine(d, time(9), zone), datetime.combine(d, time(17), zone)

    a0, a1 = window(tz_a, day)
    best = 0.0
    for shift in (-1, 0, 1):
        b0, b1 = window(tz_b, day + timedelta(days=shift))
        best = max(best, (min(a1, b1) - max(a0, b0)).total_seconds() / 3600)
    return best


@cache
def rules_broken(cohort: Cohort, run: Settings, mentor: Mentor, mentee: Mentee) -> list[str]:
    rules = cohort.constraints
    both = {(mentor.id, mentee.id), (mentee.id, mentor.id)}
    broken = []
    if mentor.id == mentee.id:
        broken.append("same person")
    if both & set(rules.exclusions):
        broken.append("excluded")
    if both & set(rules.previous_pairs):
        broken.append("paired before")
    if (mentor.id, mentee.id) in rules.ruled_out:
        broken.append("ruled out")
    if shared_hours(mentor.tz, mentee.tz, run.reference_date) < run.min_overlap_hours:
        broken.append("hours")
    if scored(mentor, mentee, run) < run.min_score:
        broken.append("minimum score")
    return broken


@cache
def scored(mentor: Mentor, mentee: Mentee, run: Settings) -> float:
    return score(mentor, mentee, run).total


def expected_kept(cohort: Cohort, run: Settings) -> set[tuple[str, str]]:
    """Pinned, then approved pairs (each in id order) that break no rule and find room."""
    mentor_of = {m.id: m for m in cohort.mentors}
    mentee_of = {e.id: e for e in cohort.mentees}
    room = {m.id: m.capacity - min(m.open_pairs, m.capacity) for m in cohort.mentors}
    kept: dict[str, str] = {}
    for pairs in (cohort.constraints.pinned, cohort.constraints.approved):
        for mentor_id, mentee_id in sorted(set(pairs)):
            if mentor_id not in mentor_of or mentee_id not in mentee_of or mentee_id in kept:
                continue
            if rules_broken(cohort, run, mentor_of[mentor_id], mentee_of[mentee_id]):
                continue
            if room[mentor_id] > 0:
                kept[mentee_id] = mentor_id
                room[mentor_id] -= 1
    return {(m, e) for e, m in kept.items()}


def objective(run: Settings, pairs: list[tuple[Mentor, Mentee]]) -> tuple[int, float]:
    """(number matched, sum of scores minus the load cost of each mentor's 2nd, 3rd ... place)."""
    per_mentor = Counter(m.id for m, _ in pairs)
    load = sum(run.load_step * k * (k - 1) / 2 for k in per_mentor.values())
    return len(pairs), sum(scored(m, e, run) for m, e in pairs) - load


def exhaustive_best(cohort: Cohort, run: Settings) -> tuple[int, float]:
    """The best (count, total) over every assignment of the mentees not kept: an exhaustive
    search, memoised on how many places of each mentor are used so far."""
    kept = expected_kept(cohort, run)
    kept_mentees = {e for _, e in kept}
    mentors_ = sorted(cohort.mentors, key=lambda m: m.id)
    free = [e for e in cohort.mentees if e.id not in kept_mentees]
    used0 = tuple(sum(1 for m_id, _ in kept if m_id == m.id) for m in mentors_)
    places = [m.capacity - min(m.open_pairs, m.capacity) for m in mentors_]
    most = run.priority is Priority.MOST_MATCHED

    @cache
    def best(k: int, used: tuple[int, ...]) -> tuple[int, float]:
        if k == len(free):
            return (0, 0.0)
        options = [best(k + 1, used)]  # this mentee stays unmatched
        for j, mentor in enumerate(mentors_):
            if used[j] >= places[j] or rules_broken(cohort, run, mentor, free[k]):
                continue
            gain = scored(mentor, free[k], run) - run.load_step * used[j]
            count, rest = best(k + 1, (*used[:j], used[j] + 1, *used[j + 1 :]))
            options.append((count + 1, gain + rest))
        return max(options) if most else max(options, key=lambda o: o[1])

    kept_pairs = [
        (next(m for m in mentors_ if m.id == m_id), next(e for e in cohort.mentees if e.id == e_id))
        for m_id, e_id in kept
    ]
    kept_count, kept_total = objective(run, kept_pairs)
    count, rest = best(0, used0)
    # The load of the kept pairs' own places is in kept_total; best() charged the later places.
    return kept_count + count, kept_total + rest


def pairs_of(proposal: Proposal) -> set[tuple[str, str]]:
    return {(p.mentor_id, p.mentee_id) for p in proposal.pairs}


def assert_valid(cohort: Cohort, run: Settings, proposal: Proposal) -> None:
    mentor_of = {m.id: m for m in cohort.mentors}
    mentee_of = {e.id: e for e in cohort.mentees}
    for pair in proposal.pairs:
        mentor, mentee = mentor_of[pair.mentor_id], mentee_of[pair.mentee_id]
        assert rules_broken(cohort, run, mentor, mentee) == [], pair
    load = Counter(p.mentor_id for p in proposal.pairs)
    for mentor_id, count in load.items():
        mentor = mentor_of[mentor_id]
        assert count <= mentor.capacity - mentor.open_pairs, mentor_id
    matched = [p.mentee_id for p in proposal.pairs]
    assert len(matched) == len(set(matched))
    assert sorted(matched + list(proposal.unmatched)) == sorted(mentee_of)
    kept = {(p.mentor_id, p.mentee_id) for p in proposal.pairs if p.origin is not Origin.SOLVED}
    assert kept == expected_kept(cohort, run)
    refused = {(r.mentor_id, r.mentee_id) for r in proposal.refused}
    wanted = set(cohort.constraints.pinned) | set(cohort.constraints.approved)
    assert kept | refused == wanted


# --- properties -------------------------------------------------------------------------------


@PROPERTY
@given(cohorts(), RUN_SETTINGS)
def test_no_proposal_breaks_a_hard_rule_or_exceeds_capacity(cohort: Cohort, run: Settings) -> None:
    assert_valid(cohort, run, solve(cohort, run))
    assert_valid(cohort, run, greedy(cohort, run))


@PROPERTY
@given(cohorts(), RUN_SETTINGS)
def test_the_solver_total_equals_exhaustive_search(cohort: Cohort, run: Settings) -> None:
    proposal = solve(cohort, run)
    count, total = exhaustive_best(cohort, run)
    assert math.isclose(proposal.total, total, abs_tol=1e-9), (proposal.total, total)
    assert proposal.total == pytest.approx(objective(run, _people(cohort, proposal))[1])
    if run.priority is Priority.MOST_MATCHED:
        assert proposal.matched == count


@settings(max_examples=60, deadline=None)
@given(cohorts(most_mentors=3, most_mentees=5), RUN_SETTINGS)
def test_the_solver_total_equals_listing_every_assignment(cohort: Cohort, run: Settings) -> None:
    """Literally every mentee → (mentor or nobody) combination, on cohorts small enough."""
    run = replace(run, priority=Priority.BEST_MATCHES)
    kept = expected_kept(cohort, run)
    kept_mentees = {e for _, e in kept}
    free = [e for e in cohort.mentees if e.id not in kept_mentees]
    people = [(m, e) for m in cohort.mentors for e in cohort.mentees if (m.id, e.id) in kept]
    best = -math.inf
    for choice in itertools.product([None, *cohort.mentors], repeat=len(free)):
        pairs = people + [(m, e) for m, e in zip(choice, free, strict=True) if m is not None]
        load = Counter(m.id for m, _ in pairs)
        if any(load[m.id] > m.capacity - m.open_pairs for m in cohort.mentors):
            continue
        if any(rules_broken(cohort, run, m, e) for m, e in pairs):
            continue
        best = max(best, objective(run, pairs)[1])
    assert math.isclose(solve(cohort, run).total, best, abs_tol=1e-9)


@PROPERTY
@given(cohorts(), RUN_SETTINGS)
def test_most_matched_never_matches_fewer_than_best_matches(cohort: Cohort, run: Settings) -> None:
    best = solve(cohort, replace(run, priority=Priority.BEST_MATCHES))
    most = solve(cohort, replace(run, priority=Priority.MOST_MATCHED))
    assert most.matched >= best.matched
    assert most.total <= best.total + 1e-9  # and pays for it, if at all, in quality


@PROPERTY
@given(cohorts(), RUN_SETTINGS)
def test_the_solver_is_never_worse_than_first_come(cohort: Cohort, run: Settings) -> None:
    solved, first_come = solve(cohort, run), greedy(cohort, run)
    if run.priority is Priority.MOST_MATCHED:
        assert solved.matched >= first_come.matched
    else:
        assert solved.total >= first_come.total - 1e-9


@PROPERTY
@given(cohorts(), RUN_SETTINGS, st.randoms(use_true_random=False))
def test_input_order_does_not_matter(cohort: Cohort, run: Settings, rnd: random.Random) -> None:
    def shuffled(items: tuple[object, ...]) -> tuple[object, ...]:
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    rules = cohort.constraints
    permuted = Cohort(
        shuffled(cohort.mentors),  # type: ignore[arg-type]
        shuffled(cohort.mentees),  # type: ignore[arg-type]
        Constraints(
            *(shuffled(getattr(rules, f)) for f in rules.__dataclass_fields__)  # type: ignore[arg-type]
        ),
    )
    first, second = solve(cohort, run), solve(permuted, run)
    assert second.total == pytest.approx(first.total, abs=1e-12)
    assert second == first  # people are sorted by id: even ties fall the same way


@PROPERTY
@given(cohorts(), RUN_SETTINGS)
def test_same_inputs_and_seed_give_the_same_proposal(cohort: Cohort, run: Settings) -> None:
    stored = json.loads(json.dumps(run.to_dict()))
    assert Settings.from_dict(stored) == run
    assert solve(cohort, Settings.from_dict(stored)) == solve(cohort, run)
    assert explain(cohort, run, solve(cohort, run)) == explain(cohort, run, solve(cohort, run))


@PROPERTY
@given(cohorts(), RUN_SETTINGS)
def test_reasons_are_few_plain_words_and_keep_exclusions_private(
    cohort: Cohort, run: Settings
) -> None:
    proposal = solve(cohort, run)
    story = explain(cohort, run, proposal)
    assert [(p.mentor_id, p.mentee_id) for p in story.pairs] == [
        (p.mentor_id, p.mentee_id) for p in proposal.pairs
    ]
    assert [u.mentee_id for u in story.unmatched] == list(proposal.unmatched)
    for pair in story.pairs:
        assert 1 <= len(pair.reasons) <= 3
        assert pair.mentor_id not in {r.mentor_id for r in pair.runners_up}
        assert len(pair.runners_up) <= 3
    for unmatched in story.unmatched:
        assert 1 <= len(unmatched.reasons) <= 3
        # A mentor is never named for an unmatched mentee, so never as who excluded whom.
        assert all(r.mentor == "" for r in unmatched.reasons)
    for reason in all_reasons(story):
        assert_plain_words(reason)


def all_reasons(story: Explanation) -> list[Reason]:
    return (
        [r for p in story.pairs for r in p.reasons]
        + [r for u in story.unmatched for r in u.reasons]
        + [r.reason for r in story.refused]
    )


def assert_plain_words(reason: Reason) -> None:
    # Data (names, skills, goal words) replaced, the template's own words are what's left.
    words = reason.render(escape=lambda _: "X")
    no_hours = re.sub(r"09:00–17:00|\b\d+ (hours?|minutes)\b", "", words)
    assert not re.search(r"\d", no_hours), words  # no score, no percentage, no count
    assert "score" not in words.lower()
    if "exclu" in words:
        assert "excluded by a participant's preference" in words


def _people(cohort: Cohort, proposal: Proposal) -> list[tuple[Mentor, Mentee]]:
    mentor_of = {m.id: m for m in cohort.mentors}
    mentee_of = {e.id: e for e in cohort.mentees}
    return [(mentor_of[p.mentor_id], mentee_of[p.mentee_id]) for p in proposal.pairs]


# --- concrete cases ---------------------------------------------------------------------------

RUN = Settings(reference_date=DAY, skills=SKILLS)


def mentor(
    id_: str, skills: tuple[str, ...], tz: str = "Europe/Berlin", capacity: int = 1, **kw: object
) -> Mentor:
    return Mentor(id_, id_, skills, kw.pop("help_text", ()), capacity, tz, **kw)  # type: ignore[arg-type]


def mentee(id_: str, skills: tuple[str, ...], tz: str = "Europe/Berlin", **kw: object) -> Mentee:
    return Mentee(id_, id_, skills, kw.pop("goals", ()), tz, **kw)  # type: ignore[arg-type]


def test_score_parts() -> None:
    kim = mentor(
        "Kim",
        ("Kubernetes / k8s", "Go (golang)"),
        tz="Europe/Berlin",
        help_text=("Running k8s clusters in production", "talks at meetups"),
        wishes=("Kai",),
    )
    kai = mentee(
        "Kai",
        ("Kubernetes / k8s", "Rust"),
        tz="America/New_York",  # 6 hours behind Berlin on 1 March: 2 shared hours
        goals=("Learn to run Kubernetes in production", "Give better talks"),
    )
    parts = score(kim, kai, RUN)
    assert parts.skills == 0.5  # one of two wanted skills
    # Kai's terms: run, kubernetes (the skill, also as "k8s"), production, give, talk.
    # Kim's: running, kubernetes, cluster, production, talk, meetup.
    assert parts.goals == pytest.approx(3 / 5)
    assert parts.hours == 0.5  # 2 of the 4 hours that score fully
    assert parts.wishes == 0.5  # only the mentor asked
    assert parts.total == pytest.approx(0.40 * 0.5 + 0.15 * 0.6 + 0.15 * 0.5 + 0.15 * 0.5)

    asked = score(kim, replace(kai, wishes=("Kim",)), RUN)
    assert asked.wishes == 1.0
    heavy = replace(RUN, weights=Weights(skills=Weight.HIGH, goals=Weight.OFF))
    assert score(kim, kai, heavy).total == pytest.approx(0.80 * 0.5 + 0.15 * 0.5 + 0.15 * 0.5)
    # Kathmandu is UTC+5:45, Berlin UTC+1: 3 hours 15 minutes of the day are shared.
    assert score(kim, replace(kai, tz="Asia/Kathmandu"), RUN).hours == pytest.approx(3.25 / 4)
    # Auckland (UTC+13 in March) and Berlin are 12 hours apart either way round: nothing shared.
    assert score(kim, replace(kai, tz="Pacific/Auckland"), RUN).hours == 0.0
    # Auckland's Monday 09:00 (UTC+13) is Los Angeles' Sunday 12:00 (UTC-8): 5 hours shared.
    far = score(replace(kim, tz="America/Los_Angeles"), replace(kai, tz="Pacific/Auckland"), RUN)
    assert far.hours == 1.0
    # In July Berlin is UTC+2 and New York UTC-4: still 6 hours apart.
    assert score(kim, kai, replace(RUN, reference_date=date(2027, 7, 5))).hours == 0.5


def test_greedy_loses_a_match_the_solver_keeps() -> None:
    # Kai enrolled first and wants both skills Kim offers; Lee wants only Kubernetes, which
    # only Kim offers; Ana offers Go, Kai's other wish. Lee and Ana share no working hours.
    kim = mentor("Kim", ("Kubernetes / k8s", "Go (golang)"), tz="Asia/Kolkata")
    ana = mentor("Ana", ("Go (golang)",), tz="America/New_York")
    kai = mentee("Kai", ("Kubernetes / k8s", "Go (golang)"), tz="Europe/Berlin")
    lee = mentee("Lee", ("k8s",), tz="Asia/Tokyo")
    cohort = Cohort((kim, ana), (kai, lee))

    first_come = greedy(cohort, RUN)
    assert pairs_of(first_come) == {("Kim", "Kai")}
    assert first_come.unmatched == ("Lee",)
    story = explain(cohort, RUN, first_come)
    assert [str(r) for r in story.unmatched[0].reasons] == ["No mentor with room offers *k8s*"]
    assert [(r.mentor_id, r.has_room) for r in story.unmatched[0].runners_up] == [("Kim", False)]

    solved = solve(cohort, RUN)
    assert pairs_of(solved) == {("Ana", "Kai"), ("Kim", "Lee")}
    assert solved.total > first_come.total
    assert solved.total == pytest.approx(exhaustive_best(cohort, RUN)[1])


def test_exclusions_hold_both_ways_and_stay_anonymous() -> None:
    kim = mentor("Kim", ("Rust",))
    ana = mentor("Ana", ("Rust",))
    kai = mentee("Kai", ("Rust",))
    lee = mentee("Lee", ("Rust",))
    # Kai asked not to meet Kim; Ana asked not to meet Lee.
    rules = Constraints(exclusions=(("Kai", "Kim"), ("Ana", "Lee")))
    proposal = solve(Cohort((kim, ana), (kai, lee), rules), RUN)
    assert pairs_of(proposal) == {("Ana", "Kai"), ("Kim", "Lee")}

    # Without Ana, nobody else offers Rust to Kai: the reason says so without naming anyone.
    alone = Cohort((kim,), (kai,), rules)
    story = explain(alone, RUN, solve(alone, RUN))
    (reason,) = story.unmatched[0].reasons
    assert str(reason) == (
        "The only mentor who offers *Rust* is excluded by a participant's preference"
    )
    assert "Kim" not in str(reason) and "Kai" not in str(reason)
    assert story.unmatched[0].runners_up == ()


def test_three_mentors_five_mentees_one_wanting_what_nobody_offers() -> None:
    """PROGRAMS.md C2, acceptance check 2."""
    cohort = Cohort(
        (
            mentor("Kim", ("Kubernetes / k8s", "Go (golang)")),
            mentor("Ana", ("SQL",)),
            mentor("Omar", ("Public speaking", "Go (golang)"), capacity=2),
        ),
        (
            mentee("Kai", ("Kubernetes / k8s",)),
            mentee("Lee", ("SQL",)),
            mentee("Maya", ("Public speaking",)),
            mentee("Noor", ("Go (golang)",)),
            mentee("Pia", ("Rust",)),
        ),
    )
    proposal = solve(cohort, RUN)
    assert proposal.matched == 4
    assert proposal.unmatched == ("Pia",)
    assert pairs_of(proposal) == {
        ("Kim", "Kai"),
        ("Ana", "Lee"),
        ("Omar", "Maya"),
        ("Omar", "Noor"),
    }
    story = explain(cohort, RUN, proposal)
    assert [str(r) for r in story.unmatched[0].reasons] == [
        "No mentor in this program offers *Rust*"
    ]
    assert solve(cohort, RUN) == proposal
    kai = next(p for p in story.pairs if p.mentee_id == "Kai")
    assert [str(r) for r in kai.reasons] == [
        "Kai wants *Kubernetes / k8s*; Kim offers it",
        "Both work 09:00–17:00 in the same hours",
    ]


def test_unmatched_reason_lists_each_rule_that_applies() -> None:
    kim = mentor("Kim", ("Rust",), tz="Asia/Tokyo")
    ana = mentor("Ana", ("Rust",))
    omar = mentor("Omar", ("Rust",))
    kai = mentee("Kai", ("Rust",))
    lee = mentee("Lee", ("Rust",))
    rules = Constraints(previous_pairs=(("Kai", "Ana"),), pinned=(("Omar", "Lee"),))
    cohort = Cohort((kim, ana, omar), (kai, lee), rules)
    proposal = solve(cohort, RUN)
    assert pairs_of(proposal) == {("Omar", "Lee")}
    (reason,) = explain(cohort, RUN, proposal).unmatched[0].reasons
    assert str(reason) == (
        "Every mentor who offers *Rust* has been paired with Kai before, "
        "has too few working hours in common with Kai or has no room left"
    )


def test_pinned_and_approved_pairs_are_kept_and_use_places() -> None:
    kim = mentor("Kim", ("Rust",), capacity=2)
    ana = mentor("Ana", ("SQL",))
    kai, lee, noor = (mentee(n, ("Rust",)) for n in ("Kai", "Lee", "Noor"))
    pia = mentee("Pia", ("SQL",))
    rules = Constraints(
        exclusions=(("Ana", "Pia"),),
        pinned=(("Ana", "Pia"), ("Ana", "Noor"), ("Zed", "Kai")),
        approved=(("Kim", "Lee"), ("Kim", "Noor")),
    )
    cohort = Cohort((kim, ana), (kai, lee, noor, pia), rules)
    proposal = solve(cohort, RUN)
    origins = {(p.mentor_id, p.mentee_id): p.origin for p in proposal.pairs}
    assert origins == {
        ("Ana", "Noor"): Origin.PINNED,
        ("Kim", "Lee"): Origin.APPROVED,
        ("Kim", "Kai"): Origin.SOLVED,  # Kim's second place; Ana, who offers SQL, is full
    }
    refused = {(r.mentor_id, r.mentee_id): r.problem for r in proposal.refused}
    assert refused == {
        ("Ana", "Pia"): KeptProblem.BLOCKED,
        ("Zed", "Kai"): KeptProblem.NOT_IN_RUN,
        ("Kim", "Noor"): KeptProblem.ALREADY_KEPT,
    }
    words = {
        (r.mentor_id, r.mentee_id): str(r.reason) for r in explain(cohort, RUN, proposal).refused
    }
    assert words[("Ana", "Pia")] == (
        "Ana and Pia can't be paired: excluded by a participant's preference"
    )
    assert proposal.load_cost == pytest.approx(0.05)  # Kim's second place


def test_load_spreads_over_mentors_unless_the_gap_is_large() -> None:
    kim = mentor("Kim", ("Rust", "SQL"), capacity=2)
    ana = mentor("Ana", ("Rust",), tz="Europe/London")  # an hour off: hours score the same
    kai, lee = mentee("Kai", ("Rust",)), mentee("Lee", ("Rust",))
    assert Counter(p.mentor_id for p in solve(Cohort((kim, ana), (kai, lee)), RUN).pairs) == {
        "Kim": 1,
        "Ana": 1,
    }
    no_spread = replace(RUN, load_step=0.0)
    weaker_ana = replace(ana, tz="America/New_York")  # 2 shared hours: 0.075 less
    proposal = solve(Cohort((kim, weaker_ana), (kai, lee)), RUN)
    assert Counter(p.mentor_id for p in proposal.pairs) == {"Kim": 2}
    assert proposal.load_cost == pytest.approx(0.05)
    assert solve(Cohort((kim, ana), (kai, lee)), no_spread).load_cost == 0.0


def test_kept_pairs_count_towards_a_mentors_load() -> None:
    # Kim already has an approved mentee; Ana is a little further away (Kolkata, 3½ shared
    # hours instead of 8), which costs less than Kim's second place.
    kim = mentor("Kim", ("Rust",), capacity=2)
    ana = mentor("Ana", ("Rust",), tz="Asia/Kolkata")
    kai, lee = mentee("Kai", ("Rust",)), mentee("Lee", ("Rust",))
    cohort = Cohort((kim, ana), (kai, lee), Constraints(approved=(("Kim", "Lee"),)))
    proposal = solve(cohort, RUN)
    assert pairs_of(proposal) == {("Kim", "Lee"), ("Ana", "Kai")}
    assert proposal.load_cost == 0.0
    assert pairs_of(greedy(cohort, RUN)) == pairs_of(proposal)
    no_spread = solve(cohort, replace(RUN, load_step=0.0))
    assert pairs_of(no_spread) == {("Kim", "Lee"), ("Kim", "Kai")}


def test_most_matched_trades_quality_for_count() -> None:
    # Kim suits Kai well and Lee barely; Ana suits only Kai a little.
    kim = mentor("Kim", ("Rust", "SQL"))
    ana = mentor("Ana", ("Design reviews",), tz="America/New_York")
    kai = mentee("Kai", ("Rust", "SQL"), tz="Europe/London")
    lee = mentee("Lee", ("Go (golang)",), tz="Asia/Kolkata")
    cohort = Cohort((kim, ana), (kai, lee))
    best = solve(cohort, RUN)
    most = solve(cohort, replace(RUN, priority=Priority.MOST_MATCHED))
    assert pairs_of(best) == {("Kim", "Kai")}
    assert pairs_of(most) == {("Ana", "Kai"), ("Kim", "Lee")}
    assert most.total < best.total


def test_the_seed_breaks_ties_and_only_ties() -> None:
    twins = (mentor("Kim", ("Rust",)), mentor("Ana", ("Rust",)))
    cohort = Cohort(twins, (mentee("Kai", ("Rust",)),))
    chosen = {seed: pairs_of(solve(cohort, replace(RUN, seed=seed))) for seed in range(16)}
    assert set(map(frozenset, chosen.values())) == {
        frozenset({("Kim", "Kai")}),
        frozenset({("Ana", "Kai")}),
    }
    for seed, pairs in chosen.items():
        assert pairs_of(solve(cohort, replace(RUN, seed=seed))) == pairs


def test_a_pair_with_every_criterion_off_still_gets_a_reason() -> None:
    nothing = Weights(Weight.OFF, Weight.OFF, Weight.OFF, Weight.OFF)
    run = replace(RUN, weights=nothing, priority=Priority.MOST_MATCHED)
    kim = mentor("Kim", ("SQL",), capacity=2)
    cohort = Cohort((kim,), (mentee("Kai", ("Rust",)), mentee("Lee", ())))
    cohort = replace(cohort, constraints=Constraints(pinned=(("Kim", "Lee"),)))
    story = explain(cohort, run, solve(cohort, run))
    assert {p.mentee_id: [str(r) for r in p.reasons] for p in story.pairs} == {
        "Kai": ["Kim has room and nothing rules the pair out"],
        "Lee": ["The lead pinned Kim and Lee together"],
    }
    # With nothing to gain, "best matches" leaves Kai out rather than make an empty match.
    assert solve(cohort, replace(run, priority=Priority.BEST_MATCHES)).unmatched == ("Kai",)


def test_reasons_render_through_the_callers_escape() -> None:
    odd = "C++ <b>&"
    run = replace(RUN, skills=(*SKILLS, odd))
    kim = mentor("Kim *", (odd,), help_text=("Mentoring",))
    kai = mentee("Kai_", (odd,), goals=("Mentoring",))
    cohort = Cohort((kim,), (kai,))
    story = explain(cohort, run, solve(cohort, run))
    (first, *_) = story.pairs[0].reasons

    def slack(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    assert first.items == (odd,)
    assert first.render(slack) == "Kai_ wants *C++ &lt;b&gt;&amp;*; Kim * offers it"
    assert first.render(bold="") == "Kai_ wants C++ <b>&; Kim * offers it"


def test_settings_serialise_and_inputs_are_checked() -> None:
    run = Settings(
        reference_date=DAY,
        skills=SKILLS,
        weights=Weights(goals=Weight.LOW, wishes=Weight.OFF),
        priority=Priority.MOST_MATCHED,
        seed=42,
    )
    data = run.to_dict()
    assert data["weights"] == {
        "skills": "normal",
        "goals": "low",
        "hours": "normal",
        "wishes": "off",
    }
    assert data["priority"] == "most_matched" and data["reference_date"] == "2027-03-01"
    assert Settings.from_dict(json.loads(json.dumps(data))) == run
    with pytest.raises(ValueError, match="capacity"):
        mentor("Kim", (), capacity=6)
    with pytest.raises(ValueError, match="time zone"):
        mentee("Kai", (), tz="Mars/Olympus")
    with pytest.raises(ValueError, match="once"):
        Cohort((mentor("Kim", ()), mentor("Kim", ())), ())


def test_empty_cohorts() -> None:
    assert solve(Cohort((), ()), RUN).pairs == ()
    lonely = Cohort((), (mentee("Kai", ("Rust",)),))
    assert solve(lonely, RUN).unmatched == ("Kai",)
    assert [str(r) for r in explain(lonely, RUN, solve(lonely, RUN)).unmatched[0].reasons] == [
        "There are no mentors in this run"
    ]
    assert solve(Cohort((mentor("Kim", ("Rust",)),), ()), RUN).total == 0.0


def test_the_benchmark_cohort_keeps_the_rules_and_its_command_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench.matching import SKILLS as BENCH_SKILLS
    from bench.matching import main, make_cohort

    cohort = make_cohort(3, mentees=120, mentors=50)
    run = Settings(reference_date=DAY, skills=BENCH_SKILLS)
    proposal = solve(cohort, run)
    assert_valid(cohort, run, proposal)
    assert proposal.total > greedy(cohort, run).total
    assert len(explain(cohort, run, proposal).pairs) == proposal.matched > 0
    assert main(["--quick", "--seeds", "1"]) == 0
    assert "solver total ≥ greedy's on every seed: yes" in capsys.readouterr().out
