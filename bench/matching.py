"""Matching at program scale: 1,000 mentees × 400 mentors, the exact solver against first come.

    python -m bench.matching [--seeds N] [--quick] [--mentees N --mentors N]

For each seed a synthetic cohort is built (capacities 1–3, skills from a list of 40 with a few
popular ones, goal and help texts, nine time zones, wishes, exclusions, previous and kept pairs)
and matched by `solve` (best matches, then most matched) and by `greedy` in the same process.
Times are wall clock around one call, after a warm-up run on another cohort. Peak memory is
measured in a second, traced run (tracemalloc sees Python and numpy allocations, not the
C++ solver's own vectors); the process's peak resident size is printed at the end. `--quick`
is a tenth of the size, for a smoke check. Exits 1 if the solver's total is ever below greedy's.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial

from bot.domain.matching import Cohort, Constraints, Mentee, Mentor, Priority, Settings
from bot.domain.matching_explain import explain
from bot.domain.matching_solve import Proposal, greedy, solve

SKILLS = (
    "Kubernetes / k8s", "Go (golang)", "Rust", "Python", "TypeScript", "React", "SQL",
    "PostgreSQL", "Data modelling", "Machine learning", "Statistics", "Observability",
    "Incident response", "Security", "Networking", "Distributed systems", "System design",
    "Design reviews", "API design", "Testing", "CI/CD", "Cloud costs", "Terraform", "Android",
    "iOS", "Accessibility", "Product thinking", "Public speaking", "Technical writing",
    "Hiring", "Interviewing", "Managing people", "Career growth", "Negotiation",
    "Giving feedback", "Estimation", "Open source", "Performance tuning", "Mentoring", "Leadership",
)  # fmt: skip
ZONES = (
    ("Europe/Berlin", 5), ("Europe/London", 4), ("America/New_York", 4),
    ("America/Los_Angeles", 3), ("America/Sao_Paulo", 1), ("Asia/Kolkata", 3),
    ("Asia/Singapore", 1), ("Asia/Tokyo", 1), ("Australia/Sydney", 1),
)  # fmt: skip
TOPICS = (
    "production incidents", "code reviews", "career growth", "promotion", "on-call",
    "architecture", "talks at conferences", "hiring loops", "team leads", "side projects",
    "migrations", "legacy code", "roadmaps", "budgets", "stakeholders", "deadlines",
)  # fmt: skip
VERBS = ("Get better at", "Learn", "Grow in", "Lead", "Improve my", "Run", "Help with", "Teach")
DAY = date(2027, 3, 1)
TARGET_SECONDS = 2.0


def make_cohort(seed: int, mentees: int = 1000, mentors: int = 400) -> Cohort:
    """A synthetic cohort; demand for skills is skewed, so mentors of popular skills run out."""
    rnd = random.Random(seed)
    zones, zone_weights = zip(*ZONES, strict=True)
    demand = [1.0 / (k + 1) ** 0.8 for k in range(len(SKILLS))]  # a few skills most wanted
    supply = [1.0 / (k + 1) ** 0.3 for k in range(len(SKILLS))]

    def picks(weights: list[float], low: int, high: int) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rnd.choices(SKILLS, weights, k=rnd.randint(low, high))))

    def text(skills: tuple[str, ...]) -> tuple[str, ...]:
        subjects = [s.split(" / ")[-1].split(" (")[0].lower() for s in skills] + list(TOPICS)
        return tuple(
            f"{rnd.choice(VERBS)} {rnd.choice(subjects)} and {rnd.choice(TOPICS)}"
            for _ in range(rnd.randint(1, 3))
        )

    mentor_list = []
    for k in range(mentors):
        capacity = rnd.randint(1, 3)
        skills = picks(supply, 2, 5)
        mentor_list.append(
            Mentor(
                id=f"M{k:04d}",
                name=f"Mentor {k}",
                skills=skills,
                help_text=text(skills),
                capacity=capacity,
                tz=rnd.choices(zones, zone_weights)[0],
                open_pairs=1 if capacity > 1 and rnd.random() < 0.1 else 0,
                wishes=(f"E{rnd.randrange(mentees):04d}",) if rnd.random() < 0.05 else (),
            )
        )
    mentee_list = []
    for k in range(mentees):
        skills = picks(demand, 1, 3)
        mentee_list.append(
            Mentee(
                id=f"E{k:04d}",
                name=f"Mentee {k}",
                skills=skills,
                goals=text(skills),
                tz=rnd.choices(zones, zone_weights)[0],
                wishes=(f"M{rnd.randrange(mentors // 4):04d}",) if rnd.random() < 0.1 else (),
            )
        )

    def some_pairs(count: int) -> tuple[tuple[str, str], ...]:
        return tuple(
            (f"M{rnd.randrange(mentors):04d}", f"E{rnd.randrange(mentees):04d}")
            for _ in range(count)
        )

    rules = Constraints(
        exclusions=tuple((e, m) if rnd.random() < 0.5 else (m, e) for m, e in some_pairs(300)),
        previous_pairs=some_pairs(mentees // 5),
        ruled_out=some_pairs(mentees // 50),
        pinned=some_pairs(mentees // 100),
        approved=some_pairs(mentees // 30),
    )
    return Cohort(tuple(mentor_list), tuple(mentee_list), rules)


def timed(run: Callable[[], Proposal]) -> tuple[Proposal, float]:
    start = time.perf_counter()
    proposal = run()
    return proposal, time.perf_counter() - start


def traced_peak_mib(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="cohorts to try (default 5)")
    parser.add_argument("--quick", action="store_true", help="100 mentees × 40 mentors")
    parser.add_argument("--mentees", type=int, default=1000)
    parser.add_argument("--mentors", type=int, default=400)
    args = parser.parse_args(argv)
    mentees, mentors = (100, 40) if args.quick else (args.mentees, args.mentors)
    settings = Settings(reference_date=DAY, skills=SKILLS)
    most = replace(settings, priority=Priority.MOST_MATCHED)
    solve(make_cohort(10_000, 50, 20), settings)  # warm-up: imports, caches, zone data

    print(f"matching: {mentees} mentees × {mentors} mentors, {len(SKILLS)} skills")
    print(
        "| seed | places | solve s | peak MiB | matched | total | greedy s | greedy matched "
        "| greedy total | total ÷ greedy | ≥ greedy | most matched s | most matched "
        "| explain s |"
    )
    print("|---" * 14 + "|")
    all_ok, slowest = True, 0.0
    for seed in range(args.seeds):
        cohort = make_cohort(seed, mentees, mentors)
        places = sum(max(m.capacity - m.open_pairs, 0) for m in cohort.mentors)
        best, t_best = timed(partial(solve, cohort, settings))
        peak = traced_peak_mib(partial(solve, cohort, settings))
        first_come, t_greedy = timed(partial(greedy, cohort, settings))
        most_matched, t_most = timed(partial(solve, cohort, most))
        start = time.perf_counter()
        explain(cohort, settings, best)
        t_explain = time.perf_counter() - start
        ok = best.total >= first_come.total - 1e-9
        all_ok &= ok
        slowest = max(slowest, t_best, t_most)
        print(
            f"| {seed} | {places} | {t_best:.3f} | {peak:.1f} | {best.matched} | "
            f"{best.total:.3f} | {t_greedy:.3f} | {first_come.matched} | "
            f"{first_come.total:.3f} | {best.total / first_come.total:.4f} | "
            f"{'yes' if ok else 'NO'} | {t_most:.3f} | {most_matched.matched} | "
            f"{t_explain:.3f} |"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident size of this process: {rss:.0f} MiB")
    print(
        f"slowest solve: {slowest:.3f} s (target < {TARGET_SECONDS:g} s: "
        f"{'met' if slowest < TARGET_SECONDS else 'NOT met'}); "
        f"solver total ≥ greedy's on every seed: {'yes' if all_ok else 'NO'}"
    )
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
