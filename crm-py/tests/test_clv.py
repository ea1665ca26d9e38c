"""Lifetime value from Python: the published CDNOW fits, frames in and out, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

import crm

DATA = Path(__file__).resolve().parents[2] / "crm-core" / "tests" / "data"


def published() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_summary_with_transactions.csv")


def cdnow_log() -> pd.DataFrame:
    log = pd.read_csv(DATA / "cdnow_sample.txt", sep=r"\s+", header=None,
                      names=["master", "customer_id", "date", "cds", "amount"], dtype={"date": str})
    log["timestamp"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


def test_bg_nbd_and_gamma_gamma_match_the_papers() -> None:
    s = published()
    bg = crm.clv.BetaGeo.fit(s["x"], s["t_x"], s["T"])
    # Fader, Hardie & Lee (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL −9582.4.
    assert {k: round(v, 3) for k, v in bg.params.items()} == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(bg.log_likelihood, 1) == -9582.4
    assert bg.standard_errors is not None and bg.converged
    # The paper's example: x = 2, t_x = 30.43, T = 38.86 → 1.226 purchases in 39 weeks.
    assert round(float(bg.expected_purchases(39, [2], [30.43], [38.86])[0]), 3) == 1.226
    gg = crm.clv.GammaGamma.fit(s["x"], s["zbar"])
    assert (round(gg.params["p"], 2), round(gg.params["q"], 2)) == (6.25, 3.74)
    assert abs(gg.params["v"] - 15.44) < 0.01
    clv = crm.clv.lifetime_value(bg, gg, s["x"], s["t_x"], s["T"], s["zbar"], months=12, discount_rate=0.01)
    assert clv.shape == (len(s),) and np.all(clv >= 0)
    # Undiscounted, one month: spend × expected purchases in 4.345 weeks, customer by customer.
    flat = crm.clv.lifetime_value(bg, gg, s["x"], s["t_x"], s["T"], s["zbar"], months=1, discount_rate=0.0)
    by_hand = gg.expected_spend(s["x"], s["zbar"]) * bg.expected_purchases(4.345, s["x"], s["t_x"], s["T"])
    np.testing.assert_allclose(flat, by_hand, rtol=1e-12)


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_summary_is_rebuilt_from_the_log_in_either_frame(kind: str) -> None:
    log = cdnow_log()
    frame = log[["customer_id", "timestamp", "amount"]]
    if kind == "polars":
        frame = pl.DataFrame({c: frame[c].to_numpy() for c in frame.columns})
    s = crm.clv.summary(frame, as_of="1997-09-30", unit="W")
    assert type(s).__module__.split(".")[0] == kind
    got = s if kind == "pandas" else pd.DataFrame({c: s[c].to_numpy() for c in s.columns})
    want = published()
    assert len(got) == len(want) == 2357
    np.testing.assert_array_equal(got["frequency"].to_numpy(), want["x"].to_numpy())
    np.testing.assert_allclose(got["recency"].to_numpy(), want["t_x"].to_numpy(), atol=0.005 + 1e-9)
    np.testing.assert_allclose(got["T"].to_numpy(), want["T"].to_numpy(), atol=0.005 + 1e-9)
    np.testing.assert_allclose(got["monetary_value"].to_numpy(), want["zbar"].to_numpy(), atol=0.005 + 1e-9)


def test_bad_summaries_raise_with_the_row() -> None:
    with pytest.raises(crm.InvalidInputError, match=r"frequency\[1\]"):
        crm.clv.BetaGeo.fit([1, 2.5], [1, 2], [3, 3])
    with pytest.raises(crm.InvalidInputError, match=r"recency\[0\]"):
        crm.clv.BetaGeo.fit([1], [4], [3])
    with pytest.raises(crm.InvalidInputError, match="unit"):
        crm.clv.summary([1], ["2025-01-01"], [1.0], unit="fortnight")


def test_the_book_predicts_clv_and_uses_it_as_a_value_key() -> None:
    book, end, _ = crm.sample_book(1_500, seed=8)
    p = book.predict_clv(end, frame="pandas")
    assert p["beta_geo"]["converged"] and p["gamma_gamma"]["converged"]
    customers = p["customers"]
    assert len(customers) == len(book)
    features = book.features(end, frame="pandas")
    assert (customers.loc[features["frequency"] == 0, "clv"] == 0).all()
    result = book.analyse(end, {"value": {"keys": [{"key": "predicted_clv", "weight": 1}]}})
    order = np.argsort(customers["clv"].to_numpy(), kind="stable")
    assert np.all(np.diff(np.asarray(result["score"])[order]) >= 0)


from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=40, deadline=None)
@given(x=st.integers(0, 30), frac=st.floats(0.01, 1.0), big_t=st.floats(1.0, 100.0), h=st.floats(0.5, 80.0))
def test_predictions_are_well_behaved(x: int, frac: float, big_t: float, h: float) -> None:
    # Mirrors the Rust proptest on the CDNOW fit: a probability, non-negative and growing.
    s = published()
    bg = crm.clv.BetaGeo.fit(s["x"], s["t_x"], s["T"], standard_errors=False)
    t_x = frac * big_t if x > 0 else 0.0
    alive = float(bg.p_alive([x], [t_x], [big_t])[0])
    assert 0.0 <= alive <= 1.0
    e1 = float(bg.expected_purchases(h, [x], [t_x], [big_t])[0])
    e2 = float(bg.expected_purchases(2 * h, [x], [t_x], [big_t])[0])
    assert 0.0 <= e1 <= e2 + 1e-12


def test_new_customer_expectations_agree_with_lifetimes() -> None:
    # lifetimes 0.11.3 on the same data: E[X(39)] = 1.195016, E[X(78)] = 1.857972.
    s = published()
    bg = crm.clv.BetaGeo.fit(s["x"], s["t_x"], s["T"])
    assert abs(bg.expected_purchases_new(39) - 1.195016) < 5e-6
    np.testing.assert_allclose(bg.expected_purchases_new([0.0, 78.0]), [0.0, 1.857972], atol=5e-6)
    # The horizon check lives in crm-core now, which names the value "horizon" for C and Python.
    with pytest.raises(crm.InvalidInputError, match=r"horizon\[0\]"):
        bg.expected_purchases_new(-1)


def test_a_nan_or_negative_horizon_is_refused_naming_the_horizon() -> None:
    # Python used to return NaN for a NaN horizon (and C P(alive)); now both refuse it.
    bg = crm.clv.BetaGeo.fit([0, 2, 5, 1], [0, 20, 30, 3], [39, 39, 39, 39])
    for bad in (float("nan"), -1.0):
        with pytest.raises(crm.InvalidInputError, match="horizon") as e:
            bg.expected_purchases(bad, [2], [30], [39])
        assert e.value.field == "horizon"
    assert bg.expected_purchases(0.0, [2], [30], [39]).tolist() == [0.0]


@pytest.mark.parametrize("kind", ["pandas", "polars", "numpy"])
def test_predictions_come_back_as_the_kind_of_column_that_came_in(kind: str) -> None:
    s = published().head(50)
    cols = {c: s[c] for c in ("x", "t_x", "T", "zbar")}
    if kind == "polars":
        cols = {c: pl.Series(c, v.to_numpy()) for c, v in cols.items()}
    elif kind == "numpy":
        cols = {c: v.to_numpy() for c, v in cols.items()}
    bg = crm.clv.BetaGeo.fit(s["x"], s["t_x"], s["T"])
    gg = crm.clv.GammaGamma.fit(s["x"], s["zbar"], standard_errors=False)
    outs = {
        "p_alive": bg.p_alive(cols["x"], cols["t_x"], cols["T"]),
        "expected_purchases": bg.expected_purchases(10, cols["x"], cols["t_x"], cols["T"]),
        "expected_spend": gg.expected_spend(cols["x"], cols["zbar"]),
        "clv": crm.clv.lifetime_value(bg, gg, cols["x"], cols["t_x"], cols["T"], cols["zbar"]),
    }
    want = bg.p_alive(s["x"].to_numpy(), s["t_x"].to_numpy(), s["T"].to_numpy())
    for name, out in outs.items():
        if kind == "numpy":
            assert isinstance(out, np.ndarray)
        else:
            assert type(out).__module__.split(".")[0] == kind and out.name == name
        assert len(out) == 50
    np.testing.assert_array_equal(np.asarray(outs["p_alive"]), want)
    if kind == "pandas":
        assert outs["clv"].index.equals(s.index)
