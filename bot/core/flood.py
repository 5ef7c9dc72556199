"""Flood protection: one token bucket per user and per group chat, in this process's memory.

A request passes when every bucket it draws on (its user's, and its group's in a group) holds a
token; it then takes one from each. A request that finds a bucket empty is refused: the first
refusal of a bucket within a cool-down window is a WARN (the caller sends one polite slow-down
message), the rest are DROPs (ignored silently). Tokens come back at a steady rate, so a member who
calms down is served again without anyone lifting anything.

Buckets that have been idle long enough to be full again are indistinguishable from new ones and
are evicted, and the table never holds more than `max_buckets`, so memory stays bounded whatever
the number of users. State is per process: with several replicas each enforces its own share.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

DEFAULT_MAX_BUCKETS = 100_000
_EVICT_PER_CALL = 8  # idle buckets evicted per call at most: constant work per request


class Verdict(enum.Enum):
    """What to do with one request."""

    ALLOW = "allow"
    WARN = "warn"  # refused: tell the sender to slow down (once per cool-down window)
    DROP = "drop"  # refused silently


@dataclass
class _Bucket:
    tokens: float
    updated: float  # when `tokens` was last brought up to date (monotonic seconds)
    quiet_until: float = 0.0  # no further slow-down message before this


@dataclass(frozen=True)
class FloodLimits:
    """A sustained rate, a burst, and how often one bucket may be warned."""

    rate_per_minute: float
    burst: int
    cooldown: float  # seconds

    @property
    def rate_per_second(self) -> float:
        """Tokens regained per second."""
        return self.rate_per_minute / 60.0

    @property
    def idle_horizon(self) -> float:
        """Seconds after which an untouched bucket is full and out of its cool-down."""
        return self.burst / self.rate_per_second + self.cooldown


class FloodGuard:
    """Token buckets keyed by anything hashable (e.g. ("user", 42), ("chat", -100…))."""

    def __init__(self, limits: FloodLimits, max_buckets: int = DEFAULT_MAX_BUCKETS) -> None:
        self.limits = limits
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()  # least recently used first

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, keys: Sequence[Hashable], now: float) -> Verdict:
        """Decide on one request drawing on every bucket in `keys` (`now`: monotonic seconds)."""
        self._evict(now)
        buckets = [self._bucket(key, now) for key in keys]
        empty = [bucket for bucket in buckets if bucket.tokens < 1.0]
        if not empty:
            for bucket in buckets:
                bucket.tokens -= 1.0
            return Verdict.ALLOW
        if any(bucket.quiet_until <= now for bucket in empty):
            for bucket in empty:
                bucket.quiet_until = now + self.limits.cooldown
            return Verdict.WARN
        return Verdict.DROP

    def _bucket(self, key: Hashable, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.limits.burst), updated=now)
            self._buckets[key] = bucket
        else:
            self._buckets.move_to_end(key)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(
                float(self.limits.burst), bucket.tokens + elapsed * self.limits.rate_per_second
            )
            bucket.updated = now
        return bucket

    def _evict(self, now: float) -> None:
        """Drop the least recently used buckets that are idle past the horizon (a few per call),
        and any beyond `max_buckets`."""
        horizon = self.limits.idle_horizon
        for _ in range(_EVICT_PER_CALL):
            if not self._buckets:
                return
            key, bucket = next(iter(self._buckets.items()))
            if now - bucket.updated < horizon:
                break
            del self._buckets[key]
        while len(self._buckets) >= self.max_buckets:
            self._buckets.popitem(last=False)
