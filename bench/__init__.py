"""Benchmarks for the mentorship bot: answer latency, dispatch at scale, footprint.

Run them all with `python -m bench.run` (see bench/README.md). They are not part of the test
suite: nothing here asserts a timing.
"""
