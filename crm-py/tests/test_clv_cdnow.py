"""CLV on public data: the full CDNOW transaction log (23,570 customers, 69,659 purchases,
shipped inside the ``lifetimes`` wheel) through crm, compared with ``lifetimes`` itself —
the reference implementation, so the expected values are worked out independently of crm.
Issue 16: bug 2 (a repeat customer whose repeat purchases are worth 0: CDNOW's 10244),
calibration/holdout, the parameter table's confidence intervals, models that persist and
units that cannot be mixed up."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import crm

pd = pytest.importorskip("pandas")
lifetimes = pytest.importorskip("lifetimes")
from lifetimes.datasets import load_cdnow_summary, load_dataset  # noqa: E402
from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data  # noqa: E402

COLUMNS = {"customer_id": "customer_id", "timestamp": "date", "amount": "amount"}
END = "1998-06-30"


@pytest.fixture(scope="module")
def cdnow() -> Any:
    tx = load_dataset("CDNOW_master.txt", header=0, sep=r"\s+", names=["customer_id", "date", "cds", "amount"],
                      dtype={"customer_id": str, "date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    assert (len(tx), tx["customer_id"].nunique()) == (69_659, 23_570)
    return tx


@pytest.fixture(scope="module")
def summaries(cdnow: Any) -> Any:
    ours = crm.clv.summary(cdnow, columns=COLUMNS, as_of=END, unit="D").set_index("customer_id")
    theirs = summary_data_from_transaction_data(cdnow, "customer_id", "date", monetary_value_col="amount",
                                                observation_period_end=END, freq="D")
    return ours, theirs


def test_the_summary_of_cdnow_is_lifetimes_summary(summaries: Any) -> None:
    ours, theirs = summaries
    assert list(ours.index) == list(theirs.index)
    for col in ("frequency", "recency", "T", "monetary_value"):
        np.testing.assert_allclose(ours[col].to_numpy(), theirs[col].to_numpy(), rtol=1e-12, err_msg=col)


def test_calibration_and_holdout_is_lifetimes_on_cdnow(cdnow: Any) -> None:
    ours = crm.clv.calibration_holdout(cdnow, columns=COLUMNS, calibration_end="1997-09-30", observation_end=END,
                                       unit="D").set_index("customer_id")
    theirs = calibration_and_holdout_data(cdnow, "customer_id", "date", calibration_period_end="1997-09-30",
                                          observation_period_end=END, freq="D", monetary_value_col="amount")
    assert list(ours.index) == list(theirs.index)
    for col in theirs.columns.drop("monetary_value_holdout"):
        np.testing.assert_allclose(ours[col].to_numpy(), theirs[col].to_numpy(), rtol=1e-12, err_msg=col)
    # lifetimes counts holdout purchase *days* but averages holdout *rows*; crm averages the
    # days it counts (a day's rows summed, as both do in the calibration period). Worked out
    # with pandas: the mean over holdout days of each day's total.
    hold = cdnow[(cdnow["date"] > "1997-09-30") & (cdnow["date"] <= "1998-06-30 23:59:59")]
    per_day = hold.groupby(["customer_id", hold["date"].dt.normalize()])["amount"].sum()
    expected = per_day.groupby(level=0).mean().reindex(ours.index, fill_value=0.0)
    np.testing.assert_allclose(ours["monetary_value_holdout"].to_numpy(), expected.to_numpy(), rtol=1e-12)
    # ... which is lifetimes' number exactly for every customer with at most one row a day.
    several = hold.groupby(["customer_id", hold["date"].dt.normalize()]).size().groupby(level=0).max() > 1
    single = ~ours.index.isin(several[several].index)
    np.testing.assert_allclose(ours.loc[single, "monetary_value_holdout"].to_numpy(),
                               theirs.loc[single, "monetary_value_holdout"].to_numpy(), rtol=1e-12)
    assert single.sum() > 23_000
    # The holdout really holds something: 9 months in which CDNOW's customers bought again.
    assert ours["frequency_holdout"].sum() > 1000
    assert set(ours["duration_holdout"]) == {273.0}


def test_a_repeat_customer_with_zero_spend_gets_no_spend_prediction_and_the_rest_agree(summaries: Any) -> None:
    ours, theirs = summaries
    # CDNOW customer 10244 bought again, for $0: the Gamma-Gamma model cannot take them.
    zero = theirs[(theirs["frequency"] > 0) & (theirs["monetary_value"] == 0)]
    assert list(zero.index) == ["10244"]
    gg = crm.clv.GammaGamma.fit(ours["frequency"], ours["monetary_value"], customer_id=ours.index.astype(np.int64))
    assert gg.excluded == 1
    assert any("1 " in w or "10244" in w or "left out" in w for w in gg.warnings), gg.warnings
    spend = np.asarray(gg.expected_spend(ours["frequency"], ours["monetary_value"]))
    reasons = crm.clv.GammaGamma.no_spend_reason(ours["frequency"], ours["monetary_value"])
    at = list(ours.index).index("10244")
    assert math.isnan(spend[at]) and reasons[at] == "zero_repeat_spend"
    assert sum(r is not None for r in reasons) == 1
    # lifetimes on the customers it can take (repeat buyers with positive spend).
    returning = theirs[(theirs["frequency"] > 0) & (theirs["monetary_value"] > 0)]
    lgg = lifetimes.GammaGammaFitter(penalizer_coef=0.0).fit(returning["frequency"], returning["monetary_value"])
    for name in ("p", "q", "v"):
        assert gg.params[name] == pytest.approx(lgg.params_[name], rel=1e-4), name
    theirs_spend = lgg.conditional_expected_average_profit(returning["frequency"], returning["monetary_value"])
    keep = (ours["frequency"] > 0) & (ours["monetary_value"] > 0)
    np.testing.assert_allclose(spend[keep.to_numpy()], theirs_spend.to_numpy(), rtol=1e-5)
    # Customers without repeat purchases are predicted the population mean spend, as lifetimes does.
    assert not np.isnan(spend[(ours["frequency"] == 0).to_numpy()]).any()


def _lifetimes_table(fitter: Any) -> Any:
    return fitter.summary[["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]]


def test_the_parameter_tables_agree_with_lifetimes_summary() -> None:
    # lifetimes' own CDNOW summary (2,357 customers, weeks), fitted by both.
    s = load_cdnow_summary(index_col=[0])
    bg = crm.clv.BetaGeo.fit(s["frequency"], s["recency"], s["T"], unit="W")
    lbg = lifetimes.BetaGeoFitter(penalizer_coef=0.0).fit(s["frequency"], s["recency"], s["T"])
    table = bg.params_table(frame="pandas").set_index("name")
    theirs = _lifetimes_table(lbg)
    for name in ("r", "alpha", "a", "b"):
        row = table.loc[name]
        assert row["estimate"] == pytest.approx(theirs.loc[name, "coef"], rel=1e-4), name
        # Standard errors from the Hessian at the optimum: lifetimes differentiates numerically,
        # so they agree to about three digits.
        assert row["standard_error"] == pytest.approx(theirs.loc[name, "se(coef)"], rel=2e-3), name
        assert row["lower_95"] == pytest.approx(theirs.loc[name, "lower 95% bound"], rel=2e-3, abs=1e-4), name
        assert row["upper_95"] == pytest.approx(theirs.loc[name, "upper 95% bound"], rel=2e-3), name
        assert row["lower_95"] == pytest.approx(row["estimate"] - 1.96 * row["standard_error"], rel=1e-12, abs=1e-12)
    assert bg.warnings == []


def test_models_persist_exactly_and_known_parameters_predict_the_same() -> None:
    s = load_cdnow_summary(index_col=[0])
    bg = crm.clv.BetaGeo.fit(s["frequency"], s["recency"], s["T"], unit="W")
    again = crm.clv.BetaGeo.from_json(bg.to_json())
    assert again.params == bg.params and again.unit == "W" and again.to_json() == bg.to_json()
    known = crm.clv.BetaGeo.from_params(**bg.params, unit="W")
    np.testing.assert_array_equal(np.asarray(known.p_alive(s["frequency"], s["recency"], s["T"])),
                                  np.asarray(bg.p_alive(s["frequency"], s["recency"], s["T"])))
    # The same parameters in lifetimes give the same probabilities (its closed form).
    lbg = lifetimes.BetaGeoFitter()
    lbg.params_ = pd.Series(bg.params)
    theirs = lbg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(np.asarray(bg.p_alive(s["frequency"], s["recency"], s["T"])), np.asarray(theirs),
                               rtol=1e-9)


def test_a_model_in_weeks_refuses_a_summary_in_days() -> None:
    bg = crm.clv.BetaGeo.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, unit="W")
    with pytest.raises(crm.InvalidInputError) as e:
        bg.p_alive([1.0], [10.0], [30.0], unit="D")
    assert "W" in str(e.value) and "D" in str(e.value)


def test_a_book_of_cdnow_predicts_what_lifetimes_predicts(cdnow: Any) -> None:
    # The whole CDNOW log as a book: 23,570 customers and 69,659 purchases (amounts in cents)
    # through the records API, then book.predict_clv. The reference: lifetimes fitted on its
    # own summary of the same transactions (days; dollars).
    book = crm.CustomerBook("USD")
    log = cdnow.sort_values(["date", "customer_id"], kind="stable")
    ids = sorted({int(c) for c in log["customer_id"]})
    cents = np.rint(log["amount"].to_numpy() * 100).astype(np.int64)
    at = log["date"].dt.strftime("%Y-%m-%dT00:00:00Z").tolist()
    with book.batch():
        book.add_customers([{"id": i} for i in ids])
        book.record_many([{"customer_id": int(c), "at": t, "type": "purchase", "amount": int(a), "currency": "USD"}
                          for c, t, a in zip(log["customer_id"], at, cents)])
    assert (len(book), book.event_count) == (23_570, 69_659)
    months = 12
    p = book.predict_clv(END, {"unit": "D", "months": months}, frame="pandas")
    assert (p["unit"], p["tz"]) == ("D", "UTC")
    got = p["customers"].set_index("customer_id")
    theirs = summary_data_from_transaction_data(cdnow, "customer_id", "date", monetary_value_col="amount",
                                                observation_period_end=END, freq="D")
    theirs.index = theirs.index.astype(np.int64)
    got = got.loc[theirs.index]
    lbg = lifetimes.BetaGeoFitter(penalizer_coef=0.0).fit(theirs["frequency"], theirs["recency"], theirs["T"])
    for name in ("r", "alpha", "a", "b"):
        assert p["beta_geo"]["params"][name] == pytest.approx(lbg.params_[name], rel=1e-4), name
    # Predicted purchases over 12 months of 30 days (lifetimes' convention for "D").
    horizon = 30.0 * months
    want = lbg.conditional_expected_number_of_purchases_up_to_time(horizon, theirs["frequency"], theirs["recency"],
                                                                   theirs["T"])
    np.testing.assert_allclose(got["expected_purchases"].to_numpy(), want.to_numpy(), rtol=1e-4)
    # Expected spend: lifetimes' Gamma-Gamma on the repeat buyers of positive spend, in dollars.
    returning = theirs[(theirs["frequency"] > 0) & (theirs["monetary_value"] > 0)]
    lgg = lifetimes.GammaGammaFitter(penalizer_coef=0.0).fit(returning["frequency"], returning["monetary_value"])
    can = ~((theirs["frequency"] > 0) & (theirs["monetary_value"] == 0))
    spend = lgg.conditional_expected_average_profit(theirs.loc[can, "frequency"], theirs.loc[can, "monetary_value"])
    np.testing.assert_allclose(got.loc[can, "expected_spend"].to_numpy() / 100, spend.to_numpy(), rtol=1e-5)
    # CDNOW's 10244 bought again for $0: no spend prediction, with the documented reason;
    # every other customer has one.
    assert got.loc[10244, "no_spend_reason"] == "zero_repeat_spend"
    assert math.isnan(got.loc[10244, "expected_spend"]) and math.isnan(got.loc[10244, "clv"])
    assert got["no_spend_reason"].notna().sum() == 1
    assert p["gamma_gamma"]["excluded"] == 1
