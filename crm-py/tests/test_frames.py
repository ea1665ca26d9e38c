"""Frames as data teams have them (crm-py/python/crm/_convert.py: table, select, factorize,
transactions): any frame kind, columns=, ids of any kind, orders from line items, lifecycle
from transactions, Arrow in and out, and the messages of issue 16's bug 8."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import crm

from conftest import make_transactions

# A small CDNOW-style log: string ids, its own column names, line items with order ids.
LOG = pd.DataFrame({
    "CustomerID": ["c-17", "c-17", "c-17", "a-02", "a-02", "z-99"],
    "Invoice": ["I1", "I1", "I2", "I3", "I3", "I4"],
    "InvoiceDate": pd.to_datetime(["2011-01-03 10:00", "2011-01-03 10:00", "2011-03-01 09:00",
                                   "2011-02-10 12:00", "2011-02-10 12:00", "2011-03-20 15:00"]),
    "Revenue": [10.0, 5.0, 20.0, 7.5, 2.5, 40.0],
})
COLUMNS = {"customer_id": "CustomerID", "timestamp": "InvoiceDate", "amount": "Revenue"}
AS_OF = "2011-04-01"


def test_columns_maps_roles_and_results_carry_the_users_ids_and_column_name():
    r = crm.rfm(LOG, columns=COLUMNS, as_of=AS_OF)
    assert isinstance(r, pd.DataFrame)
    assert r["CustomerID"].tolist() == ["a-02", "c-17", "z-99"]  # ascending, the user's own ids
    assert "customer_id" not in r.columns and isinstance(r.index, pd.RangeIndex)
    assert r["frequency"].tolist() == [2, 3, 1]  # rows, without order_id
    renamed = LOG.rename(columns={"CustomerID": "customer_id", "InvoiceDate": "timestamp", "Revenue": "amount"})
    plain = crm.rfm(renamed.assign(customer_id=renamed["customer_id"].map({"a-02": 1, "c-17": 2, "z-99": 3})), as_of=AS_OF)
    assert r.drop(columns="CustomerID").equals(plain.drop(columns="customer_id"))


def test_order_id_counts_orders_against_a_hand_count_and_pandas_groupby():
    cols = {**COLUMNS, "order_id": "Invoice"}
    f = crm.customer_features(LOG, columns=cols, as_of=AS_OF)
    # By hand: c-17 placed I1 (2 lines, 15.0) and I2 (20.0); a-02 I3 (10.0); z-99 I4 (40.0).
    assert dict(zip(f["CustomerID"], f["frequency"])) == {"a-02": 1, "c-17": 2, "z-99": 1}
    assert dict(zip(f["CustomerID"], f["monetary"])) == {"a-02": 10.0, "c-17": 35.0, "z-99": 40.0}
    orders = LOG.groupby(["CustomerID", "Invoice"], as_index=False).agg(at=("InvoiceDate", "min"), amount=("Revenue", "sum"))
    expected = orders.groupby("CustomerID").agg(frequency=("Invoice", "count"), monetary=("amount", "sum"))
    assert f["frequency"].tolist() == expected["frequency"].tolist()
    assert f["monetary"].tolist() == expected["monetary"].tolist()
    # The CLV summary and lifecycle read the same orders.
    s = crm.clv.summary(LOG, columns=cols, as_of=AS_OF, unit="D")
    assert s["CustomerID"].tolist() == ["a-02", "c-17", "z-99"] and s["frequency"].tolist() == [0.0, 1.0, 0.0]
    stages = crm.lifecycle_stages(LOG, columns=cols, as_of=AS_OF)
    assert stages["purchases"].tolist() == [1, 2, 1]


def test_order_with_two_customers_is_an_error_naming_rows():
    bad = LOG.assign(Invoice=["I1", "I1", "I2", "I1", "I3", "I4"])
    with pytest.raises(crm.InvalidInputError, match="rows 0 and 3"):
        crm.rfm(bad, columns={**COLUMNS, "order_id": "Invoice"})


def test_unknown_roles_and_missing_columns_are_named():
    with pytest.raises(crm.InvalidInputError, match="unknown role 'customer'"):
        crm.rfm(LOG, columns={"customer": "CustomerID"})
    with pytest.raises(crm.InvalidInputError, match="'Amount' \\(role amount\\)") as e:
        crm.customer_features(LOG, columns={**COLUMNS, "amount": "Amount"})
    assert "'Revenue'" in str(e.value)  # the columns the frame has
    with pytest.raises(crm.InvalidInputError, match="no column 'customer_id'"):
        crm.clv.summary(LOG)


@pytest.mark.parametrize("ids", [
    pd.Series([-5, 3, -5, 0]),
    pd.Series([10.0, 3.0, 10.0, 0.0]),
    pd.Series(["x", "b", "x", "a"], dtype="category"),
    pd.Series(["x", "b", "x", "a"], dtype="string"),
    pd.Series([uuid.UUID(int=9), uuid.UUID(int=2), uuid.UUID(int=9), uuid.UUID(int=1)]),
    pd.Series([7, 3, 7, 1], dtype="Int64"),
])
def test_ids_of_any_kind_come_back_in_their_dtype(ids):
    at = pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"])
    frame = pd.DataFrame({"customer_id": ids, "timestamp": at, "amount": [1.0, 2.0, 3.0, 4.0]})
    f = crm.customer_features(frame)
    assert f["customer_id"].dtype == ids.dtype
    assert f["customer_id"].tolist() == sorted(set(ids.tolist()))
    # The customer with two rows (the first id) has frequency 2 and monetary 1 + 3.
    row = f["customer_id"].tolist().index(ids[0])
    assert f["frequency"][row] == 2 and f["monetary"][row] == 4.0


def test_ids_from_polars_pyarrow_and_lists_keep_their_type():
    ids, at, amount = ["b", "a", "b"], np.array(["2025-01-01", "2025-01-02", "2025-01-03"], dtype="datetime64[ns]"), [1, 2, 3]
    assert crm.rfm(ids, at, amount)["customer_id"].tolist() == ["a", "b"]
    p = crm.rfm(pl.DataFrame({"customer_id": ids, "timestamp": at, "amount": amount}))
    assert isinstance(p, pl.DataFrame) and p["customer_id"].dtype == pl.String and p["customer_id"].to_list() == ["a", "b"]
    t = crm.rfm(pa.table({"customer_id": [-1, -2, -1], "timestamp": at, "amount": amount}))
    assert isinstance(t, pa.Table) and t.column("customer_id").type == pa.int64()
    assert t.column("customer_id").to_pylist() == [-2, -1] and t.column("frequency").to_pylist() == [1, 2]


def test_float_ids_with_a_fraction_and_missing_ids_name_column_and_row():
    at = np.array(["2025-01-01", "2025-01-02"], dtype="datetime64[ns]")
    with pytest.raises(crm.InvalidInputError, match=r"CustomerID\[1\]") as e:
        crm.rfm(pd.DataFrame({"CustomerID": [1.0, 2.5], "t": at, "a": [1, 2]}),
                columns={"customer_id": "CustomerID", "timestamp": "t", "amount": "a"})
    assert "2.5" in str(e.value)
    # Bug 8: pandas Int64 with <NA> names the missing rows, not a float64 dtype.
    with pytest.raises(crm.InvalidInputError, match="missing ids at row 1") as e:
        crm.rfm(pd.DataFrame({"customer_id": pd.array([1, None], dtype="Int64"), "timestamp": at, "amount": [1, 2]}))
    assert "float64" not in str(e.value)
    with pytest.raises(crm.InvalidInputError, match="missing ids at row 0"):
        crm.rfm(pl.DataFrame({"customer_id": [None, 2], "timestamp": at, "amount": [1, 2]}))


def test_bug8_dict_of_lists_lazyframe_and_arrow_are_frames(tx):
    ids, at, amount = tx
    data = {"customer_id": ids.tolist(), "timestamp": at, "amount": amount.tolist()}
    expected = crm.rfm(ids, at, amount)
    got = crm.rfm(data)
    assert isinstance(got, dict) and got["rfm_score"].tolist() == expected["rfm_score"].tolist()
    lazy = crm.rfm(pl.DataFrame(data).lazy())  # pytest turns a PerformanceWarning into an error
    assert isinstance(lazy, pl.DataFrame) and lazy["rfm_score"].to_list() == expected["rfm_score"].tolist()
    table = pa.table(data)
    for frame in (table, table.to_batches()[0] if table.num_rows == len(table.to_batches()[0]) else table.combine_chunks().to_batches()[0]):
        out = crm.rfm(frame)
        assert isinstance(out, pa.Table) and out.column("rfm_score").to_pylist() == expected["rfm_score"].tolist()

    class Stream:  # only the Arrow PyCapsule interface
        def __arrow_c_stream__(self, requested_schema=None):
            return table.__arrow_c_stream__(requested_schema)

    assert crm.customer_features(Stream()).column("frequency").to_pylist() == expected["frequency"].tolist()
    with pytest.raises(crm.InvalidInputError, match="must be a frame"):
        crm.rfm(42)
    with pytest.raises(crm.InvalidInputError, match="a frame .*goes in as the first argument alone"):
        crm.rfm([1, 2], data, [1, 2])


def test_lifecycle_from_transactions_matches_a_book_of_the_same_purchases():
    ids, at, amount = make_transactions(3_000, 300, 11)
    policy = crm.LifecyclePolicy({"new_days": 45})
    as_of = "2025-01-01T00:00:00Z"
    stages = crm.lifecycle_stages(ids, at, amount, as_of=as_of, policy=policy)
    book = crm.CustomerBook()
    for c in np.unique(ids):
        book.add_customer(int(c))  # no name: anonymous loyalty-card data
    book.record_many([{"customer_id": int(c), "at": str(t) + "Z", "type": "purchase", "amount": int(a), "currency": "TRY"}
                      for c, t, a in zip(ids, at.astype("datetime64[s]"), amount) if a > 0])
    expected = policy.classify(book, as_of)
    known = dict(zip(expected["customer_id"].tolist(), expected["stage"].tolist()))
    assert len(stages["customer_id"]) == len(np.unique(ids))
    for c, stage in zip(stages["customer_id"].tolist(), stages["stage"].tolist()):
        assert stage == known[c], c
    assert crm.lifecycle_stages() == list(crm.lifecycle_stages())  # the stage names, as before


def test_columnar_results_come_back_as_the_column_kind_that_came_in():
    s = pd.Series([50.0, 10.0, 10.0, 2.0], index=list("wxyz"))
    p = crm.pyramid(s, [("Top", 0.25), ("Rest", 0.75)])
    assert isinstance(p["tier"], pd.Series) and p["tier"].index.tolist() == list("wxyz")
    assert p["tier"].tolist() == ["Top", "Rest", "Rest", "Rest"]
    assert isinstance(crm.abc(pl.Series([5.0, 1.0])), pl.Series)
    a = crm.abc(pa.chunked_array([[50.0, 10, 10, 10, 10, 2, 2, 2, 2, 2]]))
    assert isinstance(a, pa.Array) and a.to_pylist() == ["A"] * 5 + ["B"] * 5
    assert crm.pareto(pa.array([50.0, 10, 10, 10, 10, 2, 2, 2, 2, 2]))["top_20_share"] == pytest.approx(0.6)


def test_quality_entry_points_take_columns_and_arrow():
    frame = pd.DataFrame({"ad": ["Ayşe", "test"], "soyad": ["Kaya", "Kaya"], "tckn": ["24681357994", "11111111111"]})
    mapping = {"given_name": "ad", "surname": "soyad", "national_id": "tckn"}
    v = crm.quality.validate_frame(frame, today="2025-06-01", columns=mapping)
    assert v.findings[["row", "field"]].values.tolist() == [[1, "given_name"], [1, "national_id"]]
    t = crm.quality.validate_frame(pa.Table.from_pandas(frame), today="2025-06-01", columns=mapping)
    assert isinstance(t.findings, pa.Table) and t.findings.column("row").to_pylist() == [1, 1]
    with pytest.raises(crm.InvalidInputError, match="unknown role 'name'"):
        crm.quality.report(frame, columns={"name": "ad"})
    d = crm.quality.find_duplicates(pl.DataFrame({"first": ["Ali", "Ali"], "last": ["Veli", "Veli"],
                                                  "tel": ["0532 123 45 67", "05321234567"]}),
                                    columns={"given_name": "first", "surname": "last", "phone": "tel"})
    assert d.cluster.tolist() == [0, 0]


def test_the_typed_user_script_runs():
    # mypy --strict checks it in make py-test; here its assertions run.
    import typed_usage

    typed_usage.main()
