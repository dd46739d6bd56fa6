"""What one dispatcher tick did: counted for logs, tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DispatchStats:
    """What one tick did."""

    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0
    skipped: int = 0
    collapsed: int = 0
    rate_limited: bool = False
    rate_limits: int = 0  # 429 answers
    waited: float = 0.0  # real seconds spent waiting them out
    put_back: int = 0  # claimed rows returned unsent because the dispatcher was stopped
    more_due: bool = False  # the tick used all its batches: rows may still be due
    held_back: int = 0  # rows put back unsent while their channel was rate limited
    errors: dict[str, int] = field(default_factory=dict)
