"""The latency benchmark's DM reply runs in rounds, the apps taking turns; its figures come from
all rounds' requests together (bench/latency.py `in_rounds`, `Run.merged`)."""

from __future__ import annotations

import pytest

from bench.latency import Run, in_rounds
from bench.load import Sample


@pytest.mark.parametrize(("span", "rounds"), [(range(20, 520), 5), (range(7), 3), (range(3), 5)])
def test_rounds_cover_the_span_once_in_order_and_nearly_equal(span: range, rounds: int) -> None:
    parts = in_rounds(span, rounds)
    assert [i for part in parts for i in part] == list(span)
    assert len(parts) == min(rounds, len(span)) and all(parts)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def _run(keys: list[str], seconds: float, wall: float, cpu: float) -> Run:
    samples = [Sample(key, float(i), float(i) + seconds, 200, b"") for i, key in enumerate(keys)]
    return Run(samples, wall, cpu, {key: float(i) + seconds * 2 for i, key in enumerate(keys)})


def test_merged_rounds_are_one_run_of_all_their_requests() -> None:
    merged = Run.merged([_run(["a", "b"], 0.002, 1.0, 0.004), _run(["c"], 0.008, 0.5, 0.002)])
    assert [s.key for s in merged.samples] == ["a", "b", "c"]
    assert merged.wall == 1.5 and merged.cpu == pytest.approx(0.006)
    assert merged.cpu_ms_per_request == pytest.approx(2.0)
    assert merged.throughput == pytest.approx(2.0)
    assert set(merged.followups) == {"a", "b", "c"} and merged.missing() == 0
    assert merged.answer_ms()["p99"] > merged.answer_ms()["p50"]
