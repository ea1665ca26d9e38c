"""Customer lifetime value: the BG/NBD purchase model, the Gamma-Gamma spend model, and
discounted lifetime value — fitted in Rust, columns in and out.

>>> import crm
>>> s = crm.clv.summary([1, 1, 1, 2], ["1997-01-01", "1997-01-15", "1997-03-01", "1997-02-01"],
...                     [10.0, 20.0, 30.0, 5.0], as_of="1997-04-01")
>>> s["frequency"].tolist(), s["recency"].round(2).tolist(), s["monetary_value"].tolist()
([2.0, 0.0], [8.43, 0.0], [25.0, 0.0])
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Type, TypeVar, TypedDict, overload

import numpy as np

from . import _convert as cv
from . import _crm
from .errors import InvalidInputError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["summary", "calibration_holdout", "BetaGeo", "GammaGamma", "ParamRow", "lifetime_value"]


def _floats(value: Any, field: str) -> np.ndarray:
    return np.ascontiguousarray(cv.floats(value, field), dtype=np.float64)


class _Ids:
    """Customer ids for a fit's error messages, of any kind (text, categoricals, UUIDs,
    negative integers, floats holding integers): ``value`` if given, else the index of a
    pandas Series ``like`` when it is not a plain row number (a ``lifetimes`` summary is
    indexed by customer id), else none (errors then name rows). Non-negative integers go to
    crm-core as they are; other ids go as row numbers, and :meth:`call` puts the user's id
    back into the message."""

    def __init__(self, value: Any, like: Any) -> None:
        if value is None and cv.kind_of(like) == "pandas" and hasattr(like, "index"):
            import pandas as pd

            if not isinstance(like.index, pd.RangeIndex):
                value = like.index.to_series(index=None).reset_index(drop=True)
        self.keys = None if value is None else cv.factorize(value)
        self.rows: Optional[np.ndarray] = None
        self.native: Optional[np.ndarray] = None
        if self.keys is not None:
            if self.keys.first is None:
                self.native = self.keys.codes
            else:
                self.rows = np.arange(len(self.keys.codes), dtype=np.uint64)
                self.native = self.rows

    def call(self, fn: Any, *args: Any) -> Any:
        """``fn(native ids, *args)``, an error naming a row number mapped to that row's id."""
        try:
            return fn(self.native, *args)
        except InvalidInputError as e:
            if self.rows is None or self.keys is None:
                raise
            found = re.search(r"for customer_id (\d+)", str(e))
            if found is None:
                raise
            row = int(found.group(1))
            user = np.asarray(self.keys.back(np.array([self.keys.codes[row]], dtype=np.uint64)), dtype=object)[0]
            user = user.item() if isinstance(user, np.generic) else user  # 'ann', -7: as the user wrote it
            err = type(e)(str(e).replace(found.group(0), f"for customer_id {user!r}", 1))
            err.field = e.field
            raise err from None


def _options(tolerance: Optional[float], standard_errors: bool) -> str:
    opts: Dict[str, Any] = {"standard_errors": standard_errors}
    if tolerance is not None:
        if not math.isfinite(tolerance):
            # The options travel as JSON, which has no NaN or infinity: refuse it here, named,
            # rather than as a parse error of a document the caller never wrote.
            raise cv._invalid("tolerance", f"must be a finite number, got {tolerance}")
        opts["tolerance"] = tolerance
    return json.dumps(opts)


@overload
def summary(customer_id: "pl.DataFrame | pl.LazyFrame", timestamp: None = None, amount: None = None, as_of: Any = None,
            unit: str = "W", *, columns: Optional[Mapping[str, str]] = None, tz: Optional[str] = None) -> "pl.DataFrame": ...
@overload
def summary(customer_id: Any, timestamp: Any = None, amount: Any = None, as_of: Any = None, unit: str = "W", *,
            columns: Optional[Mapping[str, str]] = None, tz: Optional[str] = None) -> Any: ...


def summary(customer_id: Any, timestamp: Any = None, amount: Any = None, as_of: Any = None, unit: str = "W", *,
            columns: Optional[Mapping[str, str]] = None, tz: Optional[str] = None) -> Any:
    """The summary every BTYD model starts from, one row per customer (ascending id):
    ``frequency`` (repeat purchase days), ``recency`` (first to last purchase), ``T`` (first
    purchase to ``as_of``) in ``unit`` ("D" days or "W" weeks = days / 7), and
    ``monetary_value`` (mean value of the repeat purchase days, 0 without repeats).

    Purchases on the same day count once (their values add up); days are civil days in the
    IANA zone ``tz`` (default UTC), so two purchases on one Los Angeles evening are one
    purchase day with ``tz="America/Los_Angeles"``. The zone used is in the result:
    ``.attrs["tz"]`` of a pandas frame, a ``tz`` column of a polars frame, the ``"tz"`` entry
    of a dict, the schema metadata ``tz`` of a pyarrow table. Rows after ``as_of`` (default: the latest timestamp) are ignored; a bare date
    as ``as_of`` (``"2011-12-09"``) is the end of that day in ``tz``, so its purchases count,
    as with ``lifetimes``' ``observation_period_end``. Inputs as :func:`crm.customer_features`:
    three columns or one frame of any kind, ``columns=`` mapping ``customer_id``,
    ``timestamp``, ``amount`` (and ``order_id``) to its columns; ids of any kind come back
    in their own dtype; the result is a frame of the kind that came in.
    """
    t = cv.transactions(customer_id, timestamp, amount, None, columns)
    zone = _crm.zone_name(tz)
    out = _crm.clv_summary(t.ids, np.ascontiguousarray(t.ticks, dtype=np.int64), t.unit,
                           np.ascontiguousarray(t.amount, dtype=np.float64), t.as_of(as_of, zone), unit, zone)
    result = t.result({k: out[k] for k in ("customer_id", "frequency", "recency", "T", "monetary_value")})
    if t.kind == "pandas":
        result.attrs["tz"] = out["tz"]
    elif t.kind == "polars":
        import polars as pl

        result = result.with_columns(pl.lit(out["tz"]).alias("tz"))
    elif t.kind == "pyarrow":
        result = result.replace_schema_metadata({"tz": out["tz"]})
    elif isinstance(result, dict):
        result["tz"] = out["tz"]
    return result


def calibration_holdout(customer_id: Any, timestamp: Any = None, amount: Any = None, *, calibration_end: Any,
                        observation_end: Any, unit: str = "W", columns: Optional[Mapping[str, str]] = None,
                        tz: Optional[str] = None) -> Any:
    """The calibration summary as of ``calibration_end`` and what the same customers bought
    after it, up to ``observation_end`` — ``lifetimes``' ``calibration_and_holdout_data``,
    computed in Rust (``crm_core::clv::calibration_holdout``), one row per customer whose
    first purchase is in the calibration period (ascending id), with ``lifetimes``' column
    names: ``customer_id``, ``frequency_cal``, ``recency_cal``, ``T_cal``,
    ``monetary_value_cal``, ``frequency_holdout`` (purchase days after the calibration end),
    ``monetary_value_holdout`` (their mean value, 0 without any) and ``duration_holdout``
    (the holdout's length), times in ``unit`` ("D" or "W" = days / 7). A bare date as
    ``calibration_end`` or ``observation_end`` is the end of that day in ``tz`` (as
    ``lifetimes``' dates: that day's purchases belong to the period it ends). Inputs as
    :func:`summary` (three columns or one frame, ``columns=``, ids of any kind back in their
    own dtype, days in the IANA zone ``tz``, default UTC); the result is a frame of the kind
    that came in.

    >>> import crm
    >>> c = crm.clv.calibration_holdout([1, 1, 1, 2], ["1997-01-01", "1997-01-15", "1997-03-01", "1997-02-01"],
    ...                                 [10.0, 20.0, 30.0, 5.0], calibration_end="1997-02-01",
    ...                                 observation_end="1997-04-01", unit="D")
    >>> c["frequency_cal"].tolist(), c["frequency_holdout"].tolist(), c["duration_holdout"].tolist()
    ([1.0, 0.0], [1.0, 0.0], [59.0, 59.0])
    """
    t = cv.transactions(customer_id, timestamp, amount, None, columns)
    zone = _crm.zone_name(tz)
    cal = cv.end_ticks(calibration_end, t.unit, "calibration_end", tz=zone)
    end = cv.end_ticks(observation_end, t.unit, "observation_end", tz=zone)
    out = _crm.clv_calibration_holdout(t.ids, np.ascontiguousarray(t.ticks, dtype=np.int64), t.unit,
                                       np.ascontiguousarray(t.amount, dtype=np.float64), cal, end, unit, zone)
    return t.result(dict(out))


class ParamRow(TypedDict):
    """One row of :meth:`BetaGeo.params_table` (as a frame: one column per key)."""

    name: str
    estimate: float
    standard_error: Optional[float]
    lower_95: Optional[float]
    upper_95: Optional[float]


_M = TypeVar("_M", bound="_Model")


class _Model:
    """What every model reports: ``params``; for a fitted one ``log_likelihood``,
    ``converged``, ``standard_errors`` (None when not asked for or undefined) and
    ``warnings`` (boundary fits, standard errors unavailable, no convergence, customers left
    out); None / [] for a model built from known parameters. The model's JSON form (defined
    in crm-core, the same for C) is :meth:`to_json`."""

    _kind = ""

    def __init__(self, model: Mapping[str, Any]) -> None:
        document = dict(model)
        bare: Optional[Dict[str, Any]] = None
        if "model" not in document and "params" in document:
            # A bare fit dict (what crm returned before models had a JSON form): its
            # parameters, in weeks for BG/NBD (the default unit then).
            bare = document
            document = {"model": self._kind, "version": 1, "params": bare["params"], "fit": None}
            if self._kind == "beta_geo":
                document["unit"] = "W"
        text, table = _crm.clv_model_check(self._kind, json.dumps(document))
        self._model: Dict[str, Any] = json.loads(text)
        self._table: List[ParamRow] = json.loads(table)
        self._frame = "pandas" if cv.kind_of(model) == "pandas" else "numpy"
        fit: Optional[Dict[str, Any]] = self._model.get("fit")
        self.params: Dict[str, float] = {str(k): float(v) for k, v in self._model["params"].items()}
        self.log_likelihood: Optional[float] = None if fit is None else float(fit["log_likelihood"])
        self.converged: Optional[bool] = None if fit is None else bool(fit["converged"])
        se = None if fit is None else fit.get("standard_errors")
        self.standard_errors: Optional[Dict[str, float]] = None if se is None else {str(k): float(v) for k, v in se.items()}
        self.warnings: List[str] = [] if fit is None else [str(w) for w in fit.get("warnings", [])]
        if bare is not None:
            self.log_likelihood = float(bare["log_likelihood"]) if "log_likelihood" in bare else None
            self.converged = bool(bare["converged"]) if "converged" in bare else None
            self.warnings = [str(w) for w in bare.get("warnings", [])]

    @classmethod
    def from_json(cls: Type[_M], text: str) -> _M:
        """The model of a :meth:`to_json` text, checked by crm-core (model name, version,
        parameters; unknown keys refused)."""
        return cls(json.loads(text))

    def to_json(self) -> str:
        """The model as JSON: ``{"model", "version", "params", "fit"}`` (BG/NBD also
        ``"unit"``); the grammar is in the README and ``crm_core::clv::BetaGeoModel``."""
        return json.dumps(self._model)

    def params_table(self, frame: Optional[str] = None) -> Any:
        """Each parameter's ``estimate``, ``standard_error`` and 95% confidence interval
        (``lower_95``, ``upper_95`` = estimate ∓ 1.96 standard errors, as ``lifetimes``'
        ``summary``; NaN without standard errors), as a frame of the kind the model was
        fitted on (``frame`` "pandas", "polars" or "numpy" to choose)."""
        kind = frame or self._frame
        nan = float("nan")
        columns: Dict[str, Any] = {"name": [r["name"] for r in self._table]}
        for key in ("estimate", "standard_error", "lower_95", "upper_95"):
            columns[key] = np.array([nan if r[key] is None else r[key] for r in self._table], dtype=np.float64)
        return cv.frame(kind, columns)

    @property
    def summary(self) -> Any:
        """:meth:`params_table` (``lifetimes``' name)."""
        return self.params_table()

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        ll = "" if self.log_likelihood is None else f", log_likelihood={self.log_likelihood:.2f}"
        return f"{type(self).__name__}({p}{ll})"


class BetaGeo(_Model):
    """A BG/NBD model (Fader, Hardie & Lee 2005): :meth:`fit` on a summary, or
    :meth:`from_params` / :meth:`from_json` for known parameters. It remembers the time unit
    of the summary it applies to (``unit``, "D" or "W"); predictions given another ``unit``
    are refused naming both.

    >>> import crm
    >>> bg = crm.clv.BetaGeo.fit([0, 2, 5, 1], [0, 20, 30, 3], [39, 39, 39, 39])
    >>> sorted(bg.params), bg.unit
    (['a', 'alpha', 'b', 'r'], 'W')
    >>> bool(bg.p_alive([5], [30], [39])[0] > bg.p_alive([1], [3], [39])[0])
    True
    >>> crm.clv.BetaGeo.from_json(bg.to_json()).params == bg.params
    True
    """

    _kind = "beta_geo"

    def __init__(self, model: Mapping[str, Any]) -> None:
        super().__init__(model)
        self.unit: str = str(self._model["unit"])

    @classmethod
    def fit(cls, frequency: Any, recency: Any, T: Any, *, unit: str = "W", customer_id: Any = None,
            tolerance: Optional[float] = None, standard_errors: bool = True) -> "BetaGeo":
        """Maximum-likelihood fit on a summary (``frequency`` repeat purchases, ``recency``
        and ``T`` in ``unit``, "D" days or "W" weeks = days / 7, the default of
        :func:`summary`). An impossible row (a whole frequency, 0 ≤ recency ≤ T, recency 0
        exactly without repeat purchases, finite values) raises
        :class:`crm.InvalidInputError` naming the field and the customer: ``customer_id``
        if given, else the integer index of a pandas Series (a ``lifetimes`` summary's), else
        the row. Ids may be of any kind (text, categoricals, UUIDs, negative integers, floats
        holding integers): errors name them as given."""
        text = _Ids(customer_id, frequency).call(_crm.beta_geo_fit_model, _floats(frequency, "frequency"),
                                                 _floats(recency, "recency"), _floats(T, "T"), unit,
                                                 _options(tolerance, standard_errors))
        model = cls(json.loads(text))
        model._frame = cv.kind_of(frequency) if cv.kind_of(frequency) in ("pandas", "polars") else "numpy"
        return model

    @classmethod
    def from_params(cls, *, r: float, alpha: float, a: float, b: float, unit: str = "W") -> "BetaGeo":
        """A model from known parameters (α in ``unit``); refused naming the parameter when
        one is not a finite number above 0."""
        return cls(json.loads(_crm.beta_geo_from_params((float(r), float(alpha), float(a), float(b)), unit)))

    def _p(self) -> "tuple[float, float, float, float]":
        p = self.params
        return (p["r"], p["alpha"], p["a"], p["b"])

    def _check(self, unit: Optional[str]) -> str:
        return str(_crm.clv_unit_for(self.unit, unit))

    def expected_purchases(self, t: float, frequency: Any, recency: Any, T: Any, *, unit: Optional[str] = None) -> Any:
        """Expected purchases in the next ``t`` per customer, given their history, as the
        kind of column ``frequency`` is (pandas or polars Series, else a numpy array). A
        horizon ``t`` that is negative or NaN raises :class:`crm.InvalidInputError` naming
        ``horizon``; a ``unit`` other than the model's raises naming both."""
        self._check(unit)
        out = _crm.beta_geo_predict(self._p(), "expected", float(t), _floats(frequency, "frequency"),
                                    _floats(recency, "recency"), _floats(T, "T"))
        return cv.column(frequency, "expected_purchases", out)

    def expected_purchases_new(self, t: Any, *, unit: Optional[str] = None) -> Any:
        """Expected purchases of a newly acquired customer within ``t`` (a number or a
        column of horizons, in the model's unit)."""
        self._check(unit)
        scalar = np.ndim(t) == 0
        out = _crm.beta_geo_expected_new(self._p(), _floats(np.atleast_1d(t), "t"))
        return float(out[0]) if scalar else cv.column(t, "expected_purchases", out)

    def p_alive(self, frequency: Any, recency: Any, T: Any, *, unit: Optional[str] = None) -> Any:
        """The probability that each customer is still alive, as the kind of column
        ``frequency`` is."""
        self._check(unit)
        out = _crm.beta_geo_predict(self._p(), "p_alive", 0.0, _floats(frequency, "frequency"),
                                    _floats(recency, "recency"), _floats(T, "T"))
        return cv.column(frequency, "p_alive", out)


class GammaGamma(_Model):
    """A Gamma-Gamma spend model (Fader & Hardie 2013): :meth:`fit`, :meth:`from_params` or
    :meth:`from_json`. Repeat customers whose repeat purchases are worth 0 cannot be taken
    by the model: the fit leaves them out (``excluded``, with a warning) and they get no
    spend prediction (NaN; :meth:`no_spend_reason` says why)."""

    _kind = "gamma_gamma"

    def __init__(self, model: Mapping[str, Any]) -> None:
        super().__init__(model)
        fit = self._model.get("fit")
        self.excluded: int = 0 if fit is None else int(fit.get("excluded", 0))

    @classmethod
    def fit(cls, frequency: Any, monetary_value: Any, *, customer_id: Any = None, tolerance: Optional[float] = None,
            standard_errors: bool = True) -> "GammaGamma":
        """Maximum-likelihood fit on the customers with repeat purchases of positive value;
        errors name the customer as :meth:`BetaGeo.fit` does (ids of any kind)."""
        text = _Ids(customer_id, frequency).call(_crm.gamma_gamma_fit_model, _floats(frequency, "frequency"),
                                                 _floats(monetary_value, "monetary_value"),
                                                 _options(tolerance, standard_errors))
        model = cls(json.loads(text))
        model._frame = cv.kind_of(frequency) if cv.kind_of(frequency) in ("pandas", "polars") else "numpy"
        return model

    @classmethod
    def from_params(cls, *, p: float, q: float, v: float) -> "GammaGamma":
        """A model from known parameters (q > 1: the mean spend p·v/(q − 1) exists)."""
        return cls(json.loads(_crm.gamma_gamma_from_params((float(p), float(q), float(v)))))

    def _p(self) -> "tuple[float, float, float]":
        p = self.params
        return (p["p"], p["q"], p["v"])

    def expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """Each customer's expected mean transaction value, as the kind of column
        ``frequency`` is (NaN for a repeat customer whose repeat purchases are worth 0)."""
        out = _crm.gamma_gamma_spend(self._p(), _floats(frequency, "frequency"), _floats(monetary_value, "monetary_value"))
        return cv.column(frequency, "expected_spend", out)

    @staticmethod
    def no_spend_reason(frequency: Any, monetary_value: Any) -> "List[Optional[str]]":
        """Per customer, why there is no spend prediction: ``"zero_repeat_spend"`` (repeat
        purchases worth 0 in total), or None when there is one."""
        return list(_crm.clv_no_spend_reason(_floats(frequency, "frequency"), _floats(monetary_value, "monetary_value")))


def lifetime_value(bg: BetaGeo, gg: GammaGamma, frequency: Any, recency: Any, T: Any, monetary_value: Any,
                   months: int = 12, discount_rate: float = 0.01, *, unit: Optional[str] = None) -> Any:
    """Discounted lifetime value per customer over ``months``: each month's expected
    purchases (months of 4.345 weeks or 30 days, as in ``lifetimes``) times the expected
    spend, discounted at ``discount_rate`` a month; as the kind of column ``frequency`` is
    (pandas or polars Series, else a numpy array); NaN for customers without a spend
    prediction (:meth:`GammaGamma.no_spend_reason`). The summary's unit is ``bg.unit``; a
    ``unit`` given and different raises :class:`crm.InvalidInputError` naming both.
    ``months`` is 1 to ``MAX_CLV_MONTHS`` (1,200: a century); otherwise
    :class:`crm.InvalidInputError` naming ``months``."""
    used = bg._check(unit)
    out = _crm.lifetime_value(bg._p(), gg._p(), _floats(frequency, "frequency"), _floats(recency, "recency"),
                              _floats(T, "T"), _floats(monetary_value, "monetary_value"), used, int(months),
                              float(discount_rate))
    return cv.column(frequency, "clv", out)
