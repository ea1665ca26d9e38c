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


def _three_buyers(book: crm.CustomerBook) -> None:
    """Customers 1 and 2 buy again for money; customer 3 buys at 2025-01-04T23:00Z (15:00 on
    the 4th in Los Angeles, PST = UTC-8) and, for 0, at 2025-01-05T02:00Z (18:00 on the 4th
    in LA): one LA day, two UTC days."""
    book.add_customers([{"id": 1}, {"id": 2}, {"id": 3}])
    rows = [(1, "2025-01-02T10:00:00Z", 1000), (1, "2025-02-02T10:00:00Z", 3000), (2, "2025-01-10T10:00:00Z", 2000),
            (2, "2025-03-10T10:00:00Z", 2500), (2, "2025-04-10T10:00:00Z", 1500), (3, "2025-01-04T23:00:00Z", 1000),
            (3, "2025-01-05T02:00:00Z", 0)]
    book.record_many([{"customer_id": c, "at": at, "type": "purchase", "amount": a, "currency": "TRY"}
                      for c, at, a in rows])


def test_book_predict_clv_counts_purchase_days_in_the_zone_given() -> None:
    # Issue 16, bug 6 for the book. By hand: in UTC customer 3's 5 January is a repeat day
    # worth 0, so no spend prediction ("zero_repeat_spend"); in Los Angeles both purchases
    # fall on 4 January, one purchase day: no repeat, so the population mean spend applies.
    book = crm.CustomerBook("TRY")
    _three_buyers(book)
    utc = book.predict_clv("2025-06-01", frame="pandas")
    assert utc["tz"] == "UTC" and utc["unit"] == "W"
    reason = lambda p: [r if isinstance(r, str) else None for r in p["customers"]["no_spend_reason"]]  # noqa: E731
    assert reason(utc) == [None, None, "zero_repeat_spend"]  # pandas shows None as NaN
    assert np.isnan(utc["customers"]["expected_spend"].iloc[2])
    la = book.predict_clv("2025-06-01", tz="America/Los_Angeles", frame="pandas")
    assert la["tz"] == "America/Los_Angeles"
    assert reason(la) == [None, None, None]
    assert np.isfinite(la["customers"]["expected_spend"]).all()
    # The same through the config's "tz" (the key C uses); tz= wins over it.
    via_config = book.predict_clv("2025-06-01", {"tz": "America/Los_Angeles"})
    np.testing.assert_array_equal(via_config["customers"]["p_alive"], la["customers"]["p_alive"].to_numpy())
    assert book.predict_clv("2025-06-01", {"tz": "America/Los_Angeles"}, tz="UTC")["tz"] == "UTC"
    with pytest.raises(crm.InvalidInputError, match="America/Los Angeles") as e:
        book.predict_clv("2025-06-01", tz="America/Los Angeles")
    assert e.value.field == "tz"


def test_book_predict_clv_ends_a_bare_date_with_that_day_in_the_configs_zone() -> None:
    # Issue 16, bugs 5 and 6 together. Customer 4 buys at 2025-06-02T03:00Z, which is 20:00 on
    # 1 June in Los Angeles (PDT = UTC-7): as_of "2025-06-01" ends at 2025-06-01T23:59:59Z in
    # UTC (the purchase is after it: no purchases, clv 0) but at 2025-06-02T06:59:59Z in LA
    # (the purchase counts: a first purchase, p_alive 1, clv above 0). The zone may come from
    # tz=, a dict config or a JSON text config: all three end the day in LA.
    book = crm.CustomerBook("TRY")
    _three_buyers(book)
    book.add_customer(id=4)
    book.record(customer_id=4, type="purchase", at="2025-06-02T03:00:00Z", amount=1200, currency="TRY")
    utc = book.predict_clv("2025-06-01")["customers"]
    assert utc["customer_id"].tolist() == [1, 2, 3, 4]
    assert utc["clv"][3] == 0.0
    for call in ({"tz": "America/Los_Angeles"}, {"config": {"tz": "America/Los_Angeles"}},
                 {"config": '{"tz": "America/Los_Angeles"}'}):
        la = book.predict_clv("2025-06-01", **call)  # type: ignore[arg-type]
        assert la["tz"] == "America/Los_Angeles", call
        assert la["customers"]["p_alive"][3] == 1.0 and la["customers"]["clv"][3] > 0.0, call
    # An instant is the same instant in every zone: 2025-06-02T00:00Z leaves the purchase out.
    assert book.predict_clv("2025-06-02T00:00:00Z", '{"tz": "America/Los_Angeles"}')["customers"]["clv"][3] == 0.0


def test_fits_take_string_ids_and_name_them_in_errors() -> None:
    # Issue 16, ids of any kind: text, negative integers, floats holding integers.
    f, r, t = [0, 2, 1], [0, 5, 0], [9, 9, 9]  # row 2: a repeat purchase with recency 0
    for ids, named in ((["ann", "bob", "cem"], "'cem'"), ([-5, -6, -7], "-7"), ([1.0, 2.0, 30.0], "30.0")):
        with pytest.raises(crm.InvalidInputError, match=f"customer_id {named}") as e:
            crm.clv.BetaGeo.fit(f, r, t, customer_id=ids)
        assert e.value.field == "recency"
    # A lifetimes-style summary indexed by string ids: the index names the customer.
    pd = pytest.importorskip("pandas")
    s = pd.DataFrame({"frequency": f, "recency": r, "T": t}, index=pd.Index(["ann", "bob", "cem"], name="id"))
    with pytest.raises(crm.InvalidInputError, match="customer_id 'cem'"):
        crm.clv.BetaGeo.fit(s["frequency"], s["recency"], s["T"])
    cat = pd.Series(["x", "y", "z"], dtype="category")
    with pytest.raises(crm.InvalidInputError, match="customer_id 'y'"):
        crm.clv.GammaGamma.fit([1, 2, 0], [10.0, -1.0, 0.0], customer_id=cat)
    # Valid summaries fit the same whatever the ids are.
    good = dict(frequency=[0, 2, 1, 3], recency=[0, 5, 2, 8], T=[9, 9, 9, 9])
    plain = crm.clv.BetaGeo.fit(good["frequency"], good["recency"], good["T"])
    named_fit = crm.clv.BetaGeo.fit(good["frequency"], good["recency"], good["T"], customer_id=["a", "b", "c", "d"])
    assert named_fit.params == plain.params
