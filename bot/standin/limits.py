"""Slack-like rate limits for the stand-in: token buckets per method tier, per channel for
chat.postMessage, and a workspace-wide cap on chat.postMessage.

Slack documents its limits per method, per workspace, per app (see ../shared/slack-reference/):
Tier 1 ≈ 1/min, Tier 2 ≈ 20/min, Tier 3 ≈ 50/min, Tier 4 ≈ 100/min, all allowing short bursts;
chat.postMessage ≈ 1 message per second per channel with short bursts, plus a workspace-wide
cap of several hundred per minute. Over a limit Slack answers HTTP 429 with a whole number of
seconds in `Retry-After` and posts nothing.

A stand-in serves one workspace, so one SlackLimits object is one workspace's budget. Attach it
with `standin.limits = SlackLimits(...)`; `standin.limits = None` switches limits off again.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# Calls per minute for each tier (Slack's documented minimums: "1+", "20+", "50+", "100+").
TIER_PER_MINUTE: dict[int, float] = {1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0}

# The tier of each Web API method the stand-in answers (from Slack's rate_limit_tiers.json).
# chat.postMessage is special (per channel and per workspace) and handled on its own; methods
# Slack lists under other special tiers (auth.test, chat.getPermalink) are not limited here.
METHOD_TIERS: dict[str, int] = {
    "canvases.access.set": 3,
    "canvases.create": 2,
    "canvases.delete": 3,
    "canvases.edit": 3,
    "canvases.sections.lookup": 3,
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "conversations.info": 3,
    "conversations.join": 3,
    "conversations.members": 4,
    "conversations.canvases.create": 2,
    "conversations.open": 3,
    "files.completeUploadExternal": 4,
    "files.getUploadURLExternal": 4,
    "files.info": 4,
    "team.info": 3,
    "users.info": 4,
    "users.list": 2,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
POST_MESSAGE = "chat.postMessage"


@dataclass
class TokenBucket:
    """`rate` tokens per second, holding at most `burst`; starts full."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    stamp: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a bucket needs rate > 0 and burst >= 1")
        self.tokens = self.burst

    def _refill(self, now: float) -> None:
        if self.stamp is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0.0: one is available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Spend one token (call `wait` first, at the same instant)."""
        self.tokens -= 1


class SlackLimits:
    """Decides whether a Web API call is over Slack's limits, and for how long.

    `check(method, channel)` spends the call's tokens and returns 0 when it may proceed, or the
    whole number of seconds to put in `Retry-After` (nothing is spent then, as Slack posts
    nothing on a 429). A chat.postMessage needs a token from its channel's bucket and from the
    workspace's; other methods one from their tier's bucket.
    """

    def __init__(
        self,
        *,
        post_per_channel_per_second: float = 1.0,
        post_channel_burst: int = 4,
        post_workspace_per_minute: float = 600.0,
        post_workspace_burst: int | None = None,
        tier_per_minute: Mapping[int, float] | None = None,
        tier_burst_seconds: float = 60.0,
        method_tiers: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.post_per_channel_per_second = post_per_channel_per_second
        self.post_channel_burst = post_channel_burst
        # The workspace cap allows a burst of about two seconds' worth by default.
        workspace_burst = post_workspace_burst or max(1, round(post_workspace_per_minute / 30))
        self.workspace = TokenBucket(post_workspace_per_minute / 60, workspace_burst)
        self.tier_per_minute = dict(TIER_PER_MINUTE if tier_per_minute is None else tier_per_minute)
        self.tier_burst_seconds = tier_burst_seconds
        self.method_tiers = dict(METHOD_TIERS if method_tiers is None else method_tiers)
        self.clock = clock
        self._channels: dict[str, TokenBucket] = {}
        self._methods: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self.allowed: Counter[str] = Counter()
        self.limited: Counter[str] = Counter()

    def _method_bucket(self, method: str) -> TokenBucket | None:
        tier = self.method_tiers.get(method)
        if tier is None or tier not in self.tier_per_minute:
            return None
        bucket = self._methods.get(method)
        if bucket is None:
            per_second = self.tier_per_minute[tier] / 60
            burst = max(1.0, per_second * self.tier_burst_seconds)
            bucket = self._methods[method] = TokenBucket(per_second, burst)
        return bucket

    def _channel_bucket(self, channel: str) -> TokenBucket:
        bucket = self._channels.get(channel)
        if bucket is None:
            bucket = self._channels[channel] = TokenBucket(
                self.post_per_channel_per_second, self.post_channel_burst
            )
        return bucket

    def check(self, method: str, channel: str | None = None) -> int:
        """0 if the call may proceed (its tokens are spent), else the Retry-After seconds."""
        with self._lock:
            now = self.clock()
            if method == POST_MESSAGE:
                buckets = [self.workspace]
                if channel:
                    buckets.append(self._channel_bucket(channel))
            else:
                bucket = self._method_bucket(method)
                buckets = [bucket] if bucket is not None else []
            wait = max((b.wait(now) for b in buckets), default=0.0)
            if wait > 0:
                self.limited[method] += 1
                return max(1, math.ceil(wait))
            for b in buckets:
                b.take()
            self.allowed[method] += 1
            return 0
