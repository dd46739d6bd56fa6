"""A worker's senders wait out Slack's workspace-wide rate limit together."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Hold:
    """Until when (time.monotonic()) a worker's senders post nothing: one sender's 429 that
    was not about a single channel makes the others wait too, instead of each meeting the
    limit by itself (bot/delivery/senders.py)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._until = 0.0
        self._lock = threading.Lock()

    def hold(self, seconds: float) -> None:
        """No posts for `seconds` (real seconds) from now, or longer if held longer already."""
        with self._lock:
            self._until = max(self._until, self.monotonic() + seconds)

    def remaining(self) -> float:
        """Real seconds left to wait; 0 when posting may go on."""
        with self._lock:
            return max(0.0, self._until - self.monotonic())
