"""Shared fixtures: seeded transactions like the benches', small enough for unit tests."""

from __future__ import annotations

import numpy as np
import pytest

AS_OF = np.datetime64("2025-01-01T00:00:00", "ns")


def make_transactions(rows: int, customers: int, seed: int):
    rng = np.random.default_rng(seed)
    k = np.minimum(rng.zipf(1.6, rows) - 1, customers - 1)
    ids = (1000 + 7 * k).astype(np.uint64)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    seconds = start + rng.integers(0, 366 * 86_400, rows)
    at = (seconds * 1_000_000_000).view("datetime64[ns]")
    amount = rng.integers(100, 100_000, rows).astype(np.int64)
    refunds = rng.random(rows) < 0.03
    amount[refunds] = -amount[refunds] // 2
    return ids, at, amount


@pytest.fixture(scope="session")
def tx():
    return make_transactions(20_000, 3_000, 7)
