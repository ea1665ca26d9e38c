"""A user script that must pass `mypy --strict` (make py-test) with no `Any` leaking from
crm's results: every function returns a declared type, so `warn_return_any` fails the
check as soon as a result is `Any`. Also run by test_frames.py."""

from __future__ import annotations

from typing import List

import numpy as np
import numpy.typing as npt
import polars as pl

import crm
from crm._analytics import Pareto, Pyramid, PyramidTier

ORDERS = pl.DataFrame({
    "CustomerID": ["c-17", "c-17", "a-02"],
    "Invoice": ["I1", "I1", "I2"],
    "InvoiceDate": ["2011-01-03T10:00:00", "2011-01-03T10:00:00", "2011-02-10T12:00:00"],
    "Revenue": [10.0, 5.0, 7.5],
}).with_columns(pl.col("InvoiceDate").str.to_datetime())
COLUMNS = {"customer_id": "CustomerID", "timestamp": "InvoiceDate", "amount": "Revenue", "order_id": "Invoice"}


def scores() -> pl.DataFrame:
    return crm.rfm(ORDERS, columns=COLUMNS, as_of="2011-03-01")


def features() -> pl.DataFrame:
    return crm.customer_features(ORDERS.lazy(), columns=COLUMNS)


def summary() -> pl.DataFrame:
    return crm.clv.summary(ORDERS, columns=COLUMNS, unit="D")


def tiers() -> Pyramid:
    return crm.pyramid([5.0, 1.0, 3.0], [("Top", 0.34), ("Rest", 0.66)])


def tier_names() -> npt.NDArray[np.object_]:
    return tiers()["tier"]


def top_tier() -> PyramidTier:
    return tiers()["summary"][0]


def concentration() -> Pareto:
    return crm.pareto([5.0, 1.0, 3.0])


def stage_names() -> List[str]:
    return crm.lifecycle_stages()


def main() -> None:
    assert scores()["CustomerID"].to_list() == ["a-02", "c-17"]
    assert features()["frequency"].to_list() == [1, 1]
    assert summary()["frequency"].to_list() == [0.0, 0.0]
    assert list(tier_names()) == ["Top", "Rest", "Rest"]
    assert top_tier()["customers"] == 1
    assert 0.0 < concentration()["gini"] < 1.0
    assert stage_names()[0] == "prospect"


if __name__ == "__main__":
    main()
