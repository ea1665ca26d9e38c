"""What the exception boundary (crm/_boundary.py) costs per call: calls per second of a tiny
public call through the boundary and of the same function unwrapped (``__wrapped__``),
side by side in one run (README, "Reliability").

Run: .venv/bin/python benches/boundary_cost.py  [seconds per measurement, default 1]
"""
import sys
import time

import crm
from crm import quality

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


def rate(call):
    """Calls per second of ``call()``: the best of three runs of ``SECONDS`` / 3."""
    best = 0.0
    for _ in range(3):
        n, began = 0, time.perf_counter()
        end = began + SECONDS / 3
        while True:
            for _ in range(200):
                call()
            n += 200
            now = time.perf_counter()
            if now >= end:
                break
        best = max(best, n / (now - began))
    return best


cases = [
    ("quality.fold('Ayşe')", quality.fold, ("Ayşe",)),
    ("top_share([3.0, 1.0], 0.5)", crm.top_share, ([3.0, 1.0], 0.5)),
]
print(f"{'call':32} {'with boundary':>16} {'without':>16} {'cost per call':>14}")
for label, fn, args in cases:
    raw = fn.__wrapped__
    assert getattr(fn, "__crm_boundary__", False) and fn(*args) == raw(*args)
    guarded, bare = rate(lambda: fn(*args)), rate(lambda: raw(*args))
    cost_ns = (1 / guarded - 1 / bare) * 1e9
    print(f"{label:32} {guarded:>12,.0f}/s {bare:>12,.0f}/s {cost_ns:>11,.0f} ns")
