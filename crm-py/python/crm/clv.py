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
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, overload

import numpy as np

from . import _convert as cv
from . import _crm

if TYPE_CHECKING:
    import polars as pl

__all__ = ["summary", "BetaGeo", "GammaGamma", "lifetime_value"]


def _floats(value: Any, field: str) -> np.ndarray:
    return np.ascontiguousarray(cv.floats(value, field), dtype=np.float64)


def _options(tolerance: Optional[float], standard_errors: bool) -> str:
    opts: Dict[str, Any] = {"standard_errors": standard_errors}
    if tolerance is not None:
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


class _Fitted:
    """What every fitted model reports: parameters, log-likelihood, convergence, standard
    errors (None when not asked for or undefined), and the fit as crm returned it."""

    def __init__(self, fit: Mapping[str, Any]) -> None:
        try:
            self._fit = dict(fit)
            self.params: Dict[str, float] = {str(k): float(v) for k, v in dict(fit["params"]).items()}
            self.log_likelihood: float = float(fit["log_likelihood"])
            self.converged: bool = bool(fit["converged"])
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise cv._invalid("fit", "must be a fit as returned by fit() (with params, log_likelihood "
                                     f"and converged): {type(e).__name__} {e}") from None
        self.standard_errors: Optional[Dict[str, float]] = self._fit.get("standard_errors")

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"{type(self).__name__}({p}, log_likelihood={self.log_likelihood:.2f})"


class BetaGeo(_Fitted):
    """A fitted BG/NBD model (Fader, Hardie & Lee 2005). Build it with :meth:`fit`.

    >>> import crm
    >>> bg = crm.clv.BetaGeo.fit([0, 2, 5, 1], [0, 20, 30, 3], [39, 39, 39, 39])
    >>> sorted(bg.params)
    ['a', 'alpha', 'b', 'r']
    >>> bool(bg.p_alive([5], [30], [39])[0] > bg.p_alive([1], [3], [39])[0])
    True
    """

    @classmethod
    def fit(cls, frequency: Any, recency: Any, T: Any, *, tolerance: Optional[float] = None, standard_errors: bool = True) -> "BetaGeo":
        """Maximum-likelihood fit on a summary (``frequency`` repeat purchases, ``recency``
        and ``T`` in the same unit); raises :class:`crm.InvalidInputError` naming the row of
        an impossible summary."""
        text = _crm.fit_beta_geo(_floats(frequency, "frequency"), _floats(recency, "recency"),
                                 _floats(T, "T"), _options(tolerance, standard_errors))
        return cls(json.loads(text))

    def _p(self) -> "tuple[float, float, float, float]":
        p = self.params
        return (p["r"], p["alpha"], p["a"], p["b"])

    def expected_purchases(self, t: float, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases in the next ``t`` per customer, given their history, as the
        kind of column ``frequency`` is (pandas or polars Series, else a numpy array). A
        horizon ``t`` that is negative or NaN raises :class:`crm.InvalidInputError` naming
        ``horizon``."""
        out = _crm.beta_geo_predict(self._p(), "expected", float(t), _floats(frequency, "frequency"),
                                    _floats(recency, "recency"), _floats(T, "T"))
        return cv.column(frequency, "expected_purchases", out)

    def expected_purchases_new(self, t: Any) -> Any:
        """Expected purchases of a newly acquired customer within ``t`` (a number or a
        column of horizons)."""
        scalar = np.ndim(t) == 0
        out = _crm.beta_geo_expected_new(self._p(), _floats(np.atleast_1d(t), "t"))
        return float(out[0]) if scalar else cv.column(t, "expected_purchases", out)

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """The probability that each customer is still alive, as the kind of column
        ``frequency`` is."""
        out = _crm.beta_geo_predict(self._p(), "p_alive", 0.0, _floats(frequency, "frequency"),
                                    _floats(recency, "recency"), _floats(T, "T"))
        return cv.column(frequency, "p_alive", out)


class GammaGamma(_Fitted):
    """A fitted Gamma-Gamma spend model (Fader & Hardie 2013). Build it with :meth:`fit`;
    ``warnings`` lists caveats such as a frequency–spend correlation the model assumes away.
    """

    def __init__(self, fit: Mapping[str, Any]) -> None:
        super().__init__(fit)
        self.warnings: "list[str]" = [str(w) for w in self._fit.get("warnings", [])]

    @classmethod
    def fit(cls, frequency: Any, monetary_value: Any, *, tolerance: Optional[float] = None, standard_errors: bool = True) -> "GammaGamma":
        """Maximum-likelihood fit on the customers with repeat purchases."""
        text = _crm.fit_gamma_gamma(_floats(frequency, "frequency"), _floats(monetary_value, "monetary_value"),
                                    _options(tolerance, standard_errors))
        return cls(json.loads(text))

    def _p(self) -> "tuple[float, float, float]":
        p = self.params
        return (p["p"], p["q"], p["v"])

    def expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """Each customer's expected mean transaction value, as the kind of column
        ``frequency`` is."""
        out = _crm.gamma_gamma_spend(self._p(), _floats(frequency, "frequency"), _floats(monetary_value, "monetary_value"))
        return cv.column(frequency, "expected_spend", out)



def lifetime_value(bg: BetaGeo, gg: GammaGamma, frequency: Any, recency: Any, T: Any, monetary_value: Any,
                   months: int = 12, discount_rate: float = 0.01, *, unit: str = "W") -> Any:
    """Discounted lifetime value per customer over ``months``: each month's expected
    purchases (months of 4.345 weeks or 30 days, as in ``lifetimes``) times the expected
    spend, discounted at ``discount_rate`` a month; as the kind of column ``frequency`` is
    (pandas or polars Series, else a numpy array). ``months`` is 1 to ``MAX_CLV_MONTHS``
    (1,200: a century); otherwise :class:`crm.InvalidInputError` naming ``months``."""
    out = _crm.lifetime_value(bg._p(), gg._p(), _floats(frequency, "frequency"), _floats(recency, "recency"),
                              _floats(T, "T"), _floats(monetary_value, "monetary_value"), unit, int(months),
                              float(discount_rate))
    return cv.column(frequency, "clv", out)
