"""crm-core/src/segment/ and value.rs through Python, checked against numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crm


def numpy_gini(values: np.ndarray) -> float:
    x = np.sort(np.clip(values, 0, None))
    n = len(x)
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n)


def test_pareto_matches_numpy():
    rng = np.random.default_rng(1)
    values = rng.pareto(1.2, 10_001) * 100
    p = crm.pareto(values)
    ordered = np.sort(values)[::-1]
    m = int(np.floor(0.2 * len(values)))
    frac = 0.2 * len(values) - m
    expected = (ordered[:m].sum() + frac * ordered[m]) / values.sum()
    assert p["top_20_share"] == pytest.approx(expected, rel=1e-12)
    assert p["gini"] == pytest.approx(numpy_gini(values), rel=1e-9)
    xs = [pt[0] for pt in p["lorenz"]]
    ys = [pt[1] for pt in p["lorenz"]]
    assert xs[0] == 0 and ys[-1] == pytest.approx(1.0)
    assert all(a <= b + 1e-12 for a, b in zip(ys, ys[1:]))


def test_pyramid_abc_and_matrix():
    values = np.arange(1, 101, dtype=float)
    p = crm.pyramid(values, revenue=values)
    assert [s["customers"] for s in p["summary"]] == [1, 4, 15, 80]
    assert p["tier"][99] == "Platinum" and p["tier"][0] == "Lead"
    custom = crm.pyramid(values, [("Top", 0.5), ("Rest", 0.5)], basis="value")
    assert custom["summary"][0]["name"] == "Top"
    classes = crm.abc([50, 10, 10, 10, 10, 2, 2, 2, 2, 2])
    assert classes.tolist() == ["A"] * 5 + ["B"] * 5
    city = ["İzmir" if v % 2 else "Ankara" for v in range(100)]
    m = crm.segment_matrix(p["tier"], values, {"city": city}, revenue=values)
    assert sum(m["customers"].tolist()) == 100
    m_pd = crm.segment_matrix(p["tier"], pd.Series(values), {"city": city})
    assert isinstance(m_pd, pd.DataFrame) and set(m_pd.columns) >= {"tier", "city", "mean_value"}


def test_value_model_by_hand_and_from_frames():
    model = crm.ValueModel({"monetary": 3, "recency": 1})
    frame = {"customer_id": [1, 2, 3], "monetary": [1000.0, 300.0, 100.0], "recency_days": [5.0, 50.0, 500.0]}
    s = model.score(frame)
    # Percentile ranks: monetary 1, .5, 0; recency (fewer days better) 1, .5, 0 → 100, 50, 0.
    assert s["score"].tolist() == [100.0, 50.0, 0.0]
    assert s["contribution_monetary"].tolist() == [75.0, 37.5, 0.0]
    assert crm.ValueModel.from_json(model.to_json()).weights == {"monetary": 3.0, "recency": 1.0}
    from_pandas = model.score(pd.DataFrame(frame))
    from_polars = model.score(pl.DataFrame(frame))
    assert from_pandas["score"].tolist() == from_polars["score"].to_list() == [100.0, 50.0, 0.0]
    nps = crm.ValueModel({"monetary": 1, "custom:nps": 1}).score({**frame, "nps": [0.0, 10.0, 5.0]})
    assert nps["contribution_nps"].tolist() == [0.0, 50.0, 25.0]


def test_value_model_errors():
    with pytest.raises(crm.InvalidInputError, match="weight of monetary -1"):
        crm.ValueModel({"monetary": -1})
    with pytest.raises(crm.InvalidInputError, match="at least one weight must be positive"):
        crm.ValueModel({"monetary": 0})
    with pytest.raises(crm.InvalidInputError, match="unknown value key"):
        crm.ValueModel({"money": 1})
    with pytest.raises(crm.InvalidInputError, match="normalize"):
        crm.ValueModel({"monetary": 1}, normalize="rank")
    with pytest.raises(crm.InvalidInputError, match="no column nps"):
        crm.ValueModel({"custom:nps": 1}).score({"monetary": [1.0]})
    with pytest.raises(crm.InvalidInputError, match="length"):
        crm.ValueModel({"monetary": 1, "frequency": 1}).score({"monetary": [1.0, 2.0], "frequency": [1.0]})
    with pytest.raises(crm.ParseError):
        crm.ValueModel.from_json("{")


def test_rule_report_names_the_shadowed_rules():
    report = crm.rfm_rule_report("published")
    assert [r["name"] for r in report["shadowed"]] == ["New Customers", "Promising", "Can't Lose Them", "Lost"]
    assert crm.rfm_rule_report()["shadowed"] == []
    gappy = crm.rfm_rule_report([{"name": "Only", "r": [5, 5]}])
    assert len(gappy["uncovered"]) == 100


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=150), st.lists(st.floats(0, 10), min_size=3, max_size=3))
def test_contributions_add_up_and_tiers_are_monotone(values, weights):
    if not any(w > 0 for w in weights):
        weights[0] = 1.0
    n = len(values)
    frame = {"monetary": values, "frequency": values[::-1], "recency_days": [float(i) for i in range(n)]}
    s = crm.ValueModel({"monetary": weights[0], "frequency": weights[1], "recency": weights[2]}).score(frame)
    total = s["contribution_monetary"] + s["contribution_frequency"] + s["contribution_recency"]
    np.testing.assert_allclose(total, s["score"], atol=1e-9)
    assert ((s["score"] >= -1e-9) & (s["score"] <= 100 + 1e-9)).all()
    p = crm.pyramid(s["score"])
    order = {"Platinum": 0, "Gold": 1, "Iron": 2, "Lead": 3}
    tiers = np.array([order[t] for t in p["tier"]])
    for i in range(n):
        assert (tiers[s["score"] > s["score"][i]] <= tiers[i]).all()


def test_defaults_and_name_orders_come_from_crm_core():
    # The tiers, classes and scale the Python package uses are crm-core's, read from _crm.
    assert crm._crm.PYRAMID_TIERS == [("Platinum", 0.01), ("Gold", 0.04), ("Iron", 0.15), ("Lead", 0.8)]
    assert crm._crm.ABC_CLASSES == ["A", "B", "C"]
    assert crm._crm.RFM_BINS == 5
    values = list(range(1, 101))
    by_value = crm.pyramid(values, basis="value")
    assert [s["name"] for s in by_value["summary"]] == [n for n, _ in crm._crm.PYRAMID_TIERS]
    # By value: the top 1% of cumulative value is held by the single largest customer (100
    # of 5050 ≈ 2%), so Platinum holds one customer.
    assert by_value["summary"][0]["customers"] == 1
    assert crm.abc([50.0, 35.0, 10.0, 5.0]).tolist() == ["A", "A", "B", "C"]
