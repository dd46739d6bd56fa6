"""One source of "now" for the whole app: real time, or a simulated clock that runs faster."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...

    def seconds_to_real(self, simulated_seconds: float) -> float: ...

    @property
    def speed(self) -> float: ...


class RealClock:
    """Wall-clock time."""

    speed = 1.0

    def now(self) -> datetime:
        """Return the current UTC instant."""
        return datetime.now(UTC)

    def seconds_to_real(self, simulated_seconds: float) -> float:
        """Real seconds that pass while `simulated_seconds` pass on this clock."""
        return simulated_seconds


class SimulatedClock:
    """Reads `start` when created, then advances `speed` simulated seconds per real second."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start.astimezone(UTC)
        self._speed = speed
        self._real_start = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        """Return the simulated UTC instant."""
        elapsed = (time.monotonic() - self._real_start) * self._speed
        return self._start + timedelta(seconds=elapsed)

    def seconds_to_real(self, simulated_seconds: float) -> float:
        """Real seconds that pass while `simulated_seconds` pass on this clock."""
        return simulated_seconds / self._speed


class ManualClock:
    """A clock that only moves when told to; for tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the current (manually set) UTC instant."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by `delta` and return the new instant."""
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to `instant` (aware)."""
        with self._lock:
            self._now = instant.astimezone(UTC)

    def seconds_to_real(self, simulated_seconds: float) -> float:
        """Manual clocks do not run by themselves; callers poll."""
        return 0.0

    @property
    def speed(self) -> float:
        """Leases and retry delays are counted as if time ran at real speed."""
        return 1.0
