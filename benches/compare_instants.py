#!/usr/bin/env python3
"""String timestamps: crm's one-pass parser against pandas' to_datetime and the old
per-value ``datetime.fromisoformat`` path, on the same ISO 8601 strings, in one run.

The strings look like a UCI Online Retail export (``2011-12-09 12:50:00``, naive, so UTC) —
1.39 million of them by default, about the size of the issue's data set. The script checks
that the three agree to the microsecond, then prints each one's time and the ratios.

    python benches/compare_instants.py                  # 1,390,000 strings
    python benches/compare_instants.py --rows 100000
"""

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from crm import _convert


def old_fromisoformat(values: list) -> np.ndarray:
    """What crm did before: one fromisoformat per string, in Python."""
    out = [dt.datetime.fromisoformat(v.replace("Z", "+00:00")) for v in values]
    return np.array(out, dtype="datetime64[us]").view(np.int64)


def best(f, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1_390_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=16)
    args = p.parse_args()

    rng = np.random.default_rng(args.seed)
    start = np.datetime64("2010-12-01T08:00", "s")
    instants = start + rng.integers(0, 374 * 86_400, args.rows).astype("timedelta64[s]")
    # An object column of str, as pandas reads a CSV's date column.
    texts = pd.Series(np.datetime_as_string(instants, unit="s")).str.replace("T", " ").astype(object)
    values = texts.tolist()
    expect = instants.astype("datetime64[us]").view(np.int64)

    t_crm, (ours, unit) = best(lambda: _convert.timestamps(texts, None), args.repeat)
    t_pd, theirs = best(lambda: pd.to_datetime(texts, format="ISO8601").to_numpy().astype("datetime64[us]")
                        .view(np.int64), args.repeat)
    t_old, old = best(lambda: old_fromisoformat(values), 1)
    assert unit == "us"
    for name, got in (("crm", ours), ("pandas", theirs), ("fromisoformat", old)):
        if not np.array_equal(got, expect):
            raise SystemExit(f"{name} disagrees at row {int(np.argmax(got != expect))}")
    print(f"{args.rows:,} ISO strings (object column), best of {args.repeat} (fromisoformat: 1 run)")
    print(f"  crm (Rust, one pass)      {t_crm:7.3f} s")
    print(f"  pandas to_datetime        {t_pd:7.3f} s   ({t_pd / t_crm:.2f}x crm's time)")
    print(f"  old fromisoformat path    {t_old:7.3f} s   ({t_old / t_crm:.1f}x crm's time)")
    print("all three agree")


if __name__ == "__main__":
    main()
