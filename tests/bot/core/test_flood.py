"""Token buckets: burst, steady rate, one warning per cool-down, shared groups, bounded memory."""

from __future__ import annotations

from collections import Counter

from bot.core.flood import FloodGuard, FloodLimits, Verdict

LIMITS = FloodLimits(rate_per_minute=6, burst=3, cooldown=30)  # a token every 10 s


def test_burst_then_one_warning_then_silence() -> None:
    guard = FloodGuard(LIMITS)
    verdicts = [guard.check([("user", 1)], now=0.0) for _ in range(10)]
    assert verdicts[:3] == [Verdict.ALLOW] * 3
    assert verdicts[3] == Verdict.WARN
    assert verdicts[4:] == [Verdict.DROP] * 6


def test_tokens_come_back_at_the_rate() -> None:
    guard = FloodGuard(LIMITS)
    for _ in range(4):
        guard.check([("user", 1)], now=0.0)
    assert guard.check([("user", 1)], now=9.0) == Verdict.DROP
    assert guard.check([("user", 1)], now=10.0) == Verdict.ALLOW
    assert guard.check([("user", 1)], now=10.5) == Verdict.DROP  # still in the cool-down
    assert guard.check([("user", 1)], now=31.0) == Verdict.ALLOW  # two more tokens by now
    assert guard.check([("user", 1)], now=31.0) == Verdict.ALLOW
    assert guard.check([("user", 1)], now=31.0) == Verdict.WARN  # cool-down over: warned again


def test_sustained_spam_is_held_to_the_rate() -> None:
    guard = FloodGuard(LIMITS)
    counts = Counter(guard.check([("user", 1)], now=step * 0.1) for step in range(1200))  # 2 min
    assert counts[Verdict.ALLOW] == 3 + 11  # the burst, then one at 10 s, 20 s, … 110 s
    assert counts[Verdict.WARN] == 4  # once per 30 s window


def test_other_users_are_unaffected() -> None:
    guard = FloodGuard(LIMITS)
    for _ in range(20):
        guard.check([("user", 1)], now=0.0)
    assert guard.check([("user", 2)], now=0.0) == Verdict.ALLOW


def test_a_group_shares_one_bucket_and_each_member_keeps_theirs() -> None:
    guard = FloodGuard(LIMITS)
    group = ("chat", -100)
    assert [guard.check([("user", n), group], now=0.0) for n in (1, 2, 3)] == [Verdict.ALLOW] * 3
    assert guard.check([("user", 4), group], now=0.0) == Verdict.WARN  # the group is flooded
    assert guard.check([("user", 5), group], now=0.0) == Verdict.DROP
    assert guard.check([("user", 4)], now=0.0) == Verdict.ALLOW  # user 4 privately: fine


def test_refused_requests_take_no_token_from_the_other_bucket() -> None:
    guard = FloodGuard(LIMITS)
    group = ("chat", -100)
    for _ in range(3):
        guard.check([("user", 1)], now=0.0)
    for _ in range(5):
        guard.check([("user", 1), group], now=0.0)  # refused: user 1 is out of tokens
    assert [guard.check([("user", 2), group], now=0.0) for _ in range(3)] == [Verdict.ALLOW] * 3


def test_idle_buckets_are_evicted() -> None:
    guard = FloodGuard(LIMITS)
    for user in range(50):
        guard.check([("user", user)], now=0.0)
    assert len(guard) == 50
    later = LIMITS.idle_horizon + 1
    for step in range(10):
        guard.check([("user", 1000)], now=later + step)
    assert len(guard) == 1


def test_table_never_exceeds_its_cap() -> None:
    guard = FloodGuard(LIMITS, max_buckets=100)
    for user in range(10_000):
        guard.check([("user", user)], now=user * 0.001)
    assert len(guard) <= 100


def test_an_evicted_bucket_comes_back_full() -> None:
    guard = FloodGuard(LIMITS, max_buckets=2)
    for _ in range(4):
        guard.check([("user", 1)], now=0.0)
    guard.check([("user", 2)], now=0.0)
    guard.check([("user", 3)], now=0.0)  # pushes user 1 out
    assert guard.check([("user", 1)], now=0.0) == Verdict.ALLOW
