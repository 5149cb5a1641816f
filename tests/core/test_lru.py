"""The bounded map processes keep things in: never past its limit, the oldest-used out."""

from __future__ import annotations

from core.lru import LeastRecentlyUsed


def test_it_keeps_at_most_its_limit_dropping_the_least_recently_used():
    kept: LeastRecentlyUsed[str, int] = LeastRecentlyUsed(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "b" is now the one used longest ago
    kept.put("c", 3)
    assert (len(kept), kept.get("a"), kept.get("b"), kept.get("c")) == (2, 1, None, 3)
    kept.clear()
    assert (len(kept), kept.get("a")) == (0, None)
