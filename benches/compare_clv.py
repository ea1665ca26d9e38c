#!/usr/bin/env python3
"""Customer lifetime value: crm's BG/NBD, Gamma-Gamma and 12-month CLV against `lifetimes`.

Draws a BTYD summary from known parameters (BG/NBD r = 0.25, α = 4, a = 0.8, b = 2.5 per
week; first purchases spread over a year, purchase days whole days; spend from Gamma-Gamma
p = 6, q = 4, v = 15), fits both models with both libraries side by side in one run (each
computing standard errors, as `lifetimes` always does), checks that the parameters agree to
4 significant digits and the CLVs closely, and prints times and ratios.

    python benches/compare_clv.py                      # 1,000,000 customers
    python benches/compare_clv.py --customers 20000
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import crm


def synthetic(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.25, 1 / 4.0, n)
    p = rng.beta(0.8, 2.5, n)
    days_observed = rng.integers(1, 365, n).astype(float)
    big_t = days_observed / 7.0
    x = np.zeros(n)
    last_day = np.zeros(n)
    t = np.zeros(n)
    active = np.arange(n)
    while len(active):
        t[active] += rng.exponential(1.0 / np.maximum(lam[active], 1e-9))
        inside = t[active] <= big_t[active]
        active = active[inside]
        day = np.floor(t[active] * 7.0)
        new_day = day > last_day[active]
        bought = active[new_day]
        x[bought] += 1
        last_day[bought] = day[new_day]
        active = active[rng.random(len(active)) >= p[active]]
    nu = rng.gamma(4.0, 1 / 15.0, n)
    spend = np.where(x > 0, rng.gamma(np.maximum(6.0 * x, 1e-9), 1 / nu) / np.maximum(x, 1), 0.0)
    return pd.DataFrame({"frequency": x, "recency": last_day / 7.0, "T": big_t, "monetary_value": spend})


def timed(f):
    started = time.perf_counter()
    out = f()
    return out, time.perf_counter() - started


def same4(a: float, b: float) -> bool:
    return abs(a - b) <= 5e-5 * max(abs(a), abs(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    s = synthetic(args.customers, args.seed)
    f, r, T, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
    repeat = s[s["frequency"] > 0]
    print(f"{args.customers:,} customers, {len(repeat):,} with repeat purchases")

    bg, crm_bg = timed(lambda: crm.clv.BetaGeo.fit(f, r, T))
    gg, crm_gg = timed(lambda: crm.clv.GammaGamma.fit(f, m))
    ours, crm_clv = timed(lambda: crm.clv.lifetime_value(bg, gg, f, r, T, m, months=12, discount_rate=0.01))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lbg, lt_bg = timed(lambda: BetaGeoFitter().fit(f, r, T))
        lgg, lt_gg = timed(lambda: GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"]))
        theirs, lt_clv = timed(lambda: lgg.customer_lifetime_value(
            lbg, f, r, T, m, time=12, discount_rate=0.01, freq="W").to_numpy())

    for name, a, b in [(k, bg.params[k], lbg.params_[k]) for k in ("r", "alpha", "a", "b")] + \
                      [(k, gg.params[k], lgg.params_[k]) for k in ("p", "q", "v")]:
        status = "same to 4 significant digits" if same4(a, b) else "DIFFERENT"
        print(f"  {name:<6} crm {a:.6g}   lifetimes {b:.6g}   {status}")
        if not same4(a, b):
            raise SystemExit(f"parameter {name} differs: {a} vs {b}")
    rel = np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-9))
    print(f"  CLV: largest relative difference {rel:.2e}")
    if rel > 1e-3:
        raise SystemExit("the lifetime values differ")
    for label, a, b in [("BG/NBD fit", crm_bg, lt_bg), ("Gamma-Gamma fit", crm_gg, lt_gg), ("12-month CLV", crm_clv, lt_clv)]:
        print(f"  {label:<16} crm {a:8.3f} s   lifetimes {b:8.3f} s   {b / a:6.1f}× faster")


if __name__ == "__main__":
    main()
