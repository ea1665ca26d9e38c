"""Instants in: one parser (crm-core's) for every string, missing instants named by row, a bare
date as the end of a period is the end of that day, and purchase days in a time zone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

import crm

DAY_NS = 86_400 * 10**9


def _frame_with_nat() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [1, 1, 2, 2],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-03", None]),
        "amount": [10.0, 20.0, 5.0, 7.0],
    })


@pytest.mark.parametrize("call", [
    lambda f, **k: crm.customer_features(f, **k),
    lambda f, **k: crm.rfm(f, **k),
    lambda f, **k: crm.clv.summary(f, **k),
])
def test_nat_in_a_pandas_column_names_the_column_and_row(call: object) -> None:
    # Before: recency 106,751,991 days (NaT read as year -292277), T measured from 1970.
    for as_of in (None, "2024-02-01"):
        with pytest.raises(crm.InvalidInputError) as e:
            call(_frame_with_nat(), as_of=as_of)  # type: ignore[operator]
        assert e.value.field == "timestamp[3]"
        assert "is missing (NaT)" in str(e.value)


def test_missing_values_in_object_and_polars_columns() -> None:
    ids, amounts = [1, 2, 3], [1.0, 2.0, 3.0]
    for missing, word in ((None, "None"), (float("nan"), "NaN"), (pd.NaT, "NaT")):
        col = pd.Series(["2024-01-01", "2024-01-02", missing], dtype=object)
        with pytest.raises(crm.InvalidInputError) as e:
            crm.customer_features(ids, col, amounts)
        assert e.value.field == "timestamp[2]" and f"is missing ({word})" in str(e.value)
    for col in (pl.Series(["2024-01-01", None, "2024-01-03"]),
                pl.Series([dt.datetime(2024, 1, 1), None, dt.datetime(2024, 1, 3)])):
        with pytest.raises(crm.InvalidInputError) as e:
            crm.clv.summary(pl.Series(ids), col, pl.Series(amounts))
        assert e.value.field == "timestamp[1]" and "is missing (null)" in str(e.value)


def test_as_of_nat_is_an_error_naming_as_of() -> None:
    f = _frame_with_nat().dropna()
    for call in (crm.customer_features, crm.rfm, crm.clv.summary):
        with pytest.raises(crm.InvalidInputError) as e:
            call(f, as_of=pd.NaT)  # type: ignore[operator]
        assert e.value.field == "as_of"


def test_strings_are_parsed_in_rust_in_every_form() -> None:
    texts = ["2020-01-01T10:00:00Z", "2020-01-01T13:00:00+03:00", "2020-01-01 10:00:00",
             "2020-01-01T10:00:00.250", "2020-01-01", "19970101"]
    expect = np.array(["2020-01-01T10:00:00", "2020-01-01T10:00:00", "2020-01-01T10:00:00",
                       "2020-01-01T10:00:00.250", "2020-01-01T00:00:00", "1997-01-01T00:00:00"],
                      dtype="datetime64[us]").view(np.int64)
    for column in (texts, np.array(texts), pd.Series(texts), pd.Series(texts, dtype="string"),
                   pl.Series(texts), np.array(texts, dtype=object)):
        ticks, unit = crm._convert.timestamps(column, None)
        assert unit == "us"
        assert ticks.tolist() == expect.tolist()
    # Objects mixed with text: datetimes (aware ones converted to UTC), dates, Timestamps.
    mixed = [dt.datetime(2020, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=3))), dt.date(1997, 1, 1),
             pd.Timestamp("2020-01-01 10:00"), "2020-01-01", np.datetime64("2020-01-01T10:00:00")]
    ticks, _ = crm._convert.timestamps(pd.Series(mixed, dtype=object), None)
    assert ticks.tolist() == [expect[0], expect[5], expect[0], expect[4], expect[0]]


def test_a_bad_string_names_its_row_and_value() -> None:
    with pytest.raises(crm.InvalidInputError) as e:
        crm.rfm([1, 2, 3], ["2024-01-01", "19970101", "2024-02-30"], [1, 2, 3])
    assert e.value.field == "timestamp[2]"
    assert '"2024-02-30": is not an instant' in str(e.value)


def test_compact_dates_as_cdnow_has_them_on_every_python() -> None:
    # Python 3.9/3.10's fromisoformat rejected 19970101; the parser is crm-core's now.
    f = crm.customer_features([1, 1], ["19970101", "19970111"], [100, 200], as_of="19970121")
    assert f["frequency"].tolist() == [2]
    # The last purchase is 11 days (less 1 ns) before the end of 21 January.
    assert abs(float(f["recency_days"][0]) - 11.0) < 1e-9


def _cdnow_like() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 2, 3],
        "timestamp": pd.to_datetime(["1997-01-01", "1997-01-15", "1997-12-09 15:30", "1997-03-01",
                                     "1997-12-09", "1997-12-09"], format="ISO8601"),
        "amount": [10.0, 20.0, 30.0, 5.0, 7.0, 3.0],
    })


def test_a_bare_date_as_of_keeps_that_days_purchases_as_lifetimes_does() -> None:
    # lifetimes' summary_data_from_transaction_data(..., observation_period_end="1997-12-09",
    # freq="D") on this frame, worked out by hand: customer 1 bought on days 0, 14 and 342
    # (1 Jan, 15 Jan, 9 Dec), so frequency 2, recency = T = 342, monetary (20 + 30) / 2 = 25;
    # customer 2 on 1 Mar (day 59) and 9 Dec: 1, 283, 283, 7; customer 3 on 9 Dec only: 0, 0, 0, 0.
    s = crm.clv.summary(_cdnow_like(), as_of="1997-12-09", unit="D")
    assert s["customer_id"].tolist() == [1, 2, 3]
    assert s["frequency"].tolist() == [2.0, 1.0, 0.0]
    assert s["recency"].tolist() == [342.0, 283.0, 0.0]
    assert s["T"].tolist() == [342.0, 283.0, 0.0]
    assert s["monetary_value"].tolist() == [25.0, 7.0, 0.0]
    assert s.attrs["tz"] == "UTC"
    # The same day as an instant (midnight) leaves out the 15:30 purchase, as it should.
    s = crm.clv.summary(_cdnow_like(), as_of=pd.Timestamp("1997-12-09"), unit="D")
    assert s["frequency"].tolist() == [1.0, 1.0, 0.0]
    # Features and RFM take the same end: customer 1 has 3 purchases, the last 8.5 h before
    # the end of the day (23:59:59.999999999).
    for result in (crm.customer_features(_cdnow_like(), as_of="1997-12-09"),
                   crm.rfm(_cdnow_like(), as_of=dt.date(1997, 12, 9))):
        assert result["frequency"].tolist() == [3, 2, 1]
        assert abs(result["recency_days"][0] - 8.5 / 24) < 1e-9


def test_the_book_takes_every_form_and_a_bare_date_view_keeps_the_day() -> None:
    book = crm.CustomerBook()
    book.add_customer(id=1, given_name="Ada")
    book.record(customer_id=1, at="2020-01-01", type="purchase", amount=100, currency="TRY")
    book.record(customer_id=1, at="2020-01-01T10:00:00", type="purchase", amount=200, currency="TRY")
    book.record(customer_id=1, at="20200102", type="purchase", amount=400, currency="TRY")
    assert book.event_count == 3
    with pytest.raises(crm.CrmError) as e:
        book.record(customer_id=1, at="2020-01-32", type="purchase", amount=1, currency="TRY")
    assert "invalid at" in str(e.value)
    assert book.view(1, as_of="2020-01-01")["purchases"]["net"] == 300
    assert book.view(1, as_of="2020-01-01T00:00:00Z")["purchases"]["net"] == 100
    assert book.features(as_of="20200102")["frequency"].tolist() == [3]


def test_purchase_days_in_a_time_zone() -> None:
    # 2024-01-10 17:00Z and 2024-01-11 05:00Z: two UTC days, one Los Angeles day (the 10th,
    # 09:00 and 21:00 PST). As of 2024-01-20 00:00Z (the 19th, 16:00, in LA).
    ids = [1, 1]
    at = pd.to_datetime(["2024-01-10T17:00:00Z", "2024-01-11T05:00:00Z"])
    la = crm.clv.summary(pd.Series(ids), pd.Series(at), pd.Series([10.0, 20.0]),
                         as_of="2024-01-20T00:00:00Z", unit="D", tz="America/Los_Angeles")
    assert la.attrs["tz"] == "America/Los_Angeles"
    assert (la["frequency"].tolist(), la["T"].tolist()) == ([0.0], [9.0])
    utc = crm.clv.summary(pd.Series(ids), pd.Series(at), pd.Series([10.0, 20.0]),
                          as_of="2024-01-20T00:00:00Z", unit="D")
    assert (utc["frequency"].tolist(), utc["T"].tolist(), utc.attrs["tz"]) == ([1.0], [10.0], "UTC")
    # A bare-date end in the zone: the 19th ends at 2024-01-20T07:59:59.999999999Z.
    late = pd.to_datetime(["2024-01-10T17:00:00Z", "2024-01-20T07:00:00Z"])
    d = crm.clv.summary(ids, late.to_numpy(), [10.0, 20.0], as_of="2024-01-19", unit="D",
                        tz="America/Los_Angeles")
    assert d["frequency"].tolist() == [1.0] and d["tz"] == "America/Los_Angeles"
    p = crm.clv.summary(pl.Series(ids), pl.Series(at.to_numpy()), pl.Series([10.0, 20.0]), unit="D",
                        tz="America/Los_Angeles")
    assert p["tz"].to_list() == ["America/Los_Angeles"]
    with pytest.raises(crm.InvalidInputError) as e:
        crm.clv.summary(ids, at.to_numpy(), [1.0, 2.0], tz="America/Los Angeles")
    assert e.value.field == "tz"
