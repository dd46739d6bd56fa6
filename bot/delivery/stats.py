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

    def add(self, other: DispatchStats) -> None:
        """Count `other` in too: what several senders did in one tick, side by side."""
        for name in ("sent", "failed", "unknown", "retried", "skipped", "collapsed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rate_limits += other.rate_limits
        self.put_back += other.put_back
        self.held_back += other.held_back
        self.waited += other.waited
        self.rate_limited = self.rate_limited or other.rate_limited
        self.more_due = self.more_due or other.more_due
        for error, count in other.errors.items():
            self.errors[error] = self.errors.get(error, 0) + count
