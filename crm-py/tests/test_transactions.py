"""crm-core/src/transactions/ and segment/rfm.rs through Python, checked against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crm
from crm import _convert

from conftest import AS_OF, make_transactions


def pandas_features(ids, at, amount, as_of):
    """The same features written the pandas way, independently of crm."""
    df = pd.DataFrame({"customer_id": ids, "at": at, "amount": amount})
    df = df[df["at"] <= as_of]
    monetary = df.groupby("customer_id")["amount"].sum()
    purchases = df[df["amount"] >= 0].groupby("customer_id")["at"]
    frequency = purchases.size().reindex(monetary.index, fill_value=0)
    last = purchases.max().reindex(monetary.index)
    first = df.groupby("customer_id")["at"].min()
    recency = (pd.Timestamp(as_of) - last).dt.total_seconds() / 86_400
    tenure = (pd.Timestamp(as_of) - first).dt.total_seconds() / 86_400
    return monetary, frequency, recency, tenure


def pandas_scores(s: pd.Series, active: pd.Series, bins: int) -> np.ndarray:
    """floor(bins * (min-rank - 1) / n) + 1 among active customers: crm's documented rule."""
    n = int(active.sum())
    out = np.zeros(len(s), dtype=np.int64)
    ranks = s[active].rank(method="min").to_numpy()
    out[active.to_numpy()] = np.floor(bins * (ranks - 1) / n).astype(np.int64) + 1
    return out


def test_features_match_a_pandas_group_by(tx):
    ids, at, amount = tx
    f = crm.customer_features(ids, at, amount, as_of=AS_OF)
    monetary, frequency, recency, tenure = pandas_features(ids, at, amount, AS_OF)
    assert f["customer_id"].tolist() == monetary.index.tolist()
    assert f["monetary"].tolist() == monetary.astype(float).tolist()
    assert f["frequency"].tolist() == frequency.tolist()
    np.testing.assert_allclose(f["recency_days"], recency.to_numpy(), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(f["tenure_days"], tenure.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("bins", [3, 5, 7])
def test_rfm_scores_match_pandas_ranks(tx, bins):
    ids, at, amount = tx
    r = crm.rfm(ids, at, amount, as_of=AS_OF, bins=bins)
    monetary, frequency, recency, _ = pandas_features(ids, at, amount, AS_OF)
    active = frequency > 0
    assert r["r"].tolist() == pandas_scores(-recency, active, bins).tolist()
    assert r["f"].tolist() == pandas_scores(frequency, active, bins).tolist()
    assert r["m"].tolist() == pandas_scores(monetary, active, bins).tolist()
    assert all((s is None) == (not a) for s, a in zip(r["segment"], active))


def test_rfm_five_bins_agree_with_qcut_when_there_are_no_ties():
    # Without ties and with n divisible by 5, the rule is exactly pandas.qcut on ranks.
    rng = np.random.default_rng(3)
    n = 500
    ids = np.arange(n, dtype=np.uint64)
    at = (np.datetime64("2024-01-01", "s") + rng.permutation(n) * 3600).astype("datetime64[ns]")
    amount = (rng.permutation(n) + 1) * 100
    r = crm.rfm(ids, at, amount, as_of=np.datetime64("2025-01-01", "ns"))
    m = pd.qcut(pd.Series(amount).rank(method="first"), 5, labels=False) + 1
    assert r["m"].tolist() == m.tolist()


def test_pandas_and_polars_give_identical_results(tx):
    ids, at, amount = tx
    pdf = pd.DataFrame({"customer_id": ids, "timestamp": at, "amount": amount})
    from_pandas = crm.rfm(pdf, as_of=AS_OF)
    from_polars = crm.rfm(pl.from_pandas(pdf), as_of=AS_OF)
    from_numpy = crm.rfm(ids, at, amount, as_of=AS_OF)
    assert isinstance(from_pandas, pd.DataFrame) and isinstance(from_polars, pl.DataFrame)
    assert isinstance(from_numpy, dict)
    for column in ["customer_id", "r", "f", "m", "rfm_score", "monetary"]:
        assert from_pandas[column].tolist() == from_polars[column].to_list() == from_numpy[column].tolist()
    # pandas 3 stores strings with NaN for missing; polars and numpy keep None.
    from_pandas_segments = [None if pd.isna(s) else s for s in from_pandas["segment"]]
    assert from_pandas_segments == from_polars["segment"].to_list() == list(from_numpy["segment"])


def test_as_of_defaults_to_the_latest_timestamp_and_cuts_later_rows(tx):
    ids, at, amount = tx
    default = crm.customer_features(ids, at, amount)
    explicit = crm.customer_features(ids, at, amount, as_of=at.max())
    assert default["recency_days"].tolist() == pytest.approx(explicit["recency_days"].tolist(), nan_ok=True)
    early = crm.customer_features(ids, at, amount, as_of="2024-02-01")
    assert len(early["customer_id"]) < len(default["customer_id"])


def test_numeric_columns_cross_without_a_copy():
    ids = np.arange(1_000_000, dtype=np.uint64)
    assert np.shares_memory(_convert.ids(ids), ids)
    signed = np.arange(1_000_000, dtype=np.int64)
    assert np.shares_memory(_convert.ids(signed), signed)
    at = np.arange(1_000_000, dtype=np.int64).view("datetime64[ns]")
    ticks, unit = _convert.timestamps(at, None)
    assert unit == "ns" and np.shares_memory(ticks, at)
    money = np.ones(1_000_000)
    assert np.shares_memory(_convert.amounts(money), money)
    series = pd.Series(money)
    assert np.shares_memory(_convert.amounts(series), series.to_numpy())
    polars_ticks, polars_unit = _convert.timestamps(pl.Series(at), None)
    assert polars_unit == "ns" and len(polars_ticks) == len(at)


def test_bad_input_raises_the_documented_exceptions():
    # Negative integers are ids too (issue 16); a missing id is the error now.
    assert crm.rfm([-1], ["2025-01-01"], [1])["customer_id"].tolist() == [-1]
    with pytest.raises(crm.InvalidInputError, match="missing ids at row 0") as e:
        crm.rfm([None], ["2025-01-01"], [1])
    assert isinstance(e.value, ValueError) and e.value.field == "customer_id"
    with pytest.raises(crm.InvalidInputError, match="length"):
        crm.customer_features([1, 2], ["2025-01-01"], [1, 2])
    with pytest.raises(crm.InvalidInputError, match="must be finite"):
        crm.customer_features([1], ["2025-01-01"], [float("nan")])
    with pytest.raises(crm.InvalidInputError, match="unit"):
        crm.customer_features([1], [5], [1])
    with pytest.raises(crm.InvalidInputError, match="bins"):
        crm.rfm([1], ["2025-01-01"], [1], bins=12)
    with pytest.raises(crm.ParseError):
        crm.rfm([1], ["2025-01-01"], [1], segments="{not json")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 400), st.integers(-50, 5_000)), min_size=1, max_size=200),
    st.integers(2, 9),
)
def test_rfm_scores_stay_in_range_and_ties_score_equally(rows, bins):
    ids = np.array([r[0] for r in rows], dtype=np.uint64)
    at = (np.array([r[1] for r in rows], dtype=np.int64) * 86_400).view("datetime64[s]")
    amount = np.array([r[2] for r in rows], dtype=np.int64)
    out = crm.rfm(ids, at, amount, bins=bins)
    active = out["frequency"] > 0
    for col in ("r", "f", "m"):
        assert ((out[col][active] >= 1) & (out[col][active] <= bins)).all()
        assert (out[col][~active] == 0).all()
    mon = out["monetary"][active]
    m = out["m"][active]
    for i in range(len(mon)):
        assert (m[mon == mon[i]] == m[i]).all()


def test_many_rows_through_the_partitioned_path():
    ids, at, amount = make_transactions(300_000, 20_000, 11)
    f = crm.customer_features(ids, at, amount, as_of=AS_OF)
    monetary, frequency, _, _ = pandas_features(ids, at, amount, AS_OF)
    assert f["monetary"].tolist() == monetary.astype(float).tolist()
    assert f["frequency"].tolist() == frequency.tolist()
