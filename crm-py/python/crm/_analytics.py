"""Columnar engines: features, RFM, value scores, pyramid, Pareto, ABC, segment matrix."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict, Union, overload

import numpy as np
import numpy.typing as npt

from . import _convert as cv
from . import _crm

if TYPE_CHECKING:
    import polars as pl

Segments = Union[None, str, Sequence[Mapping[str, Any]]]
Roles = Optional[Mapping[str, str]]


class PyramidTier(TypedDict):
    """One tier of :func:`pyramid`'s summary."""

    name: str
    customers: int
    customer_share: float
    value: float
    value_share: float
    revenue: Optional[float]
    revenue_share: Optional[float]
    min_value: Optional[float]


class Pyramid(TypedDict):
    """What :func:`pyramid` returns for numpy arrays and lists."""

    tier: "npt.NDArray[np.object_]"
    tier_index: "npt.NDArray[np.uint8]"
    summary: List[PyramidTier]


class PolarsPyramid(TypedDict):
    """What :func:`pyramid` returns for a polars Series."""

    tier: "pl.Series"
    tier_index: "pl.Series"
    summary: List[PyramidTier]


class Pareto(TypedDict):
    """What :func:`pareto` returns."""

    customers: int
    total: float
    top_20_share: float
    gini: float
    lorenz: List[List[float]]  # [share of customers, share of value], poorest first

_FEATURES = ["customer_id", "recency_days", "frequency", "monetary", "tenure_days", "intensity"]
_RFM = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "rfm_score", "segment"]


def _segments(out: Dict[str, Any]) -> np.ndarray:
    """Segment names per customer (None without one) from the native codes."""
    names = np.asarray(list(out.pop("segment_names")) + [None], dtype=object)
    return np.asarray(names[out.pop("segment_code")], dtype=object)


def _transactions(customer_id: Any, timestamp: Any, amount: Any, unit: Optional[str],
                  columns: Optional[Mapping[str, str]] = None) -> Tuple[str, np.ndarray, np.ndarray, str, np.ndarray]:
    """(kind, id codes, ticks, unit, amounts): :func:`crm._convert.transactions` as a tuple
    (ids are codes: map results back with ``cv.transactions(...).result``)."""
    t = cv.transactions(customer_id, timestamp, amount, unit, columns)
    return t.kind, t.ids, t.ticks, t.unit, t.amount


def _segments_json(segments: Segments) -> Optional[str]:
    if segments is None or segments == "standard":
        return None
    if segments == "published":
        return json.dumps(json.loads(_crm.rfm_rule_report(None, True))["rules"])
    if isinstance(segments, str):
        return segments
    rules = list(segments)
    return json.dumps({"rules": rules}) if rules and "name" in rules[0] else json.dumps(segments)


@overload
def customer_features(customer_id: "pl.DataFrame | pl.LazyFrame", timestamp: None = None, amount: None = None,
                      as_of: Any = None, *, unit: Optional[str] = None, columns: Roles = None) -> "pl.DataFrame": ...
@overload
def customer_features(customer_id: Any, timestamp: Any = None, amount: Any = None, as_of: Any = None, *,
                      unit: Optional[str] = None, columns: Roles = None) -> Any: ...


def customer_features(customer_id: Any, timestamp: Any = None, amount: Any = None, as_of: Any = None, *,
                      unit: Optional[str] = None, columns: Optional[Mapping[str, str]] = None) -> Any:
    """Per-customer features from transaction columns.

    ``customer_id``, ``timestamp`` and ``amount`` are columns of equal length (numpy arrays,
    pandas, polars or pyarrow columns, lists), or pass one frame alone: a pandas or polars
    DataFrame, a polars LazyFrame, a pyarrow Table or RecordBatch, anything with
    ``__arrow_c_stream__``, or a dict of columns. ``columns`` maps the roles
    ``customer_id``, ``timestamp``, ``amount`` and ``order_id`` to the frame's own column
    names (``columns={"customer_id": "CustomerID", "timestamp": "InvoiceDate", "amount":
    "Revenue"}``); with an ``order_id`` column, the rows (line items) of one order count as
    one purchase of their summed amount at the order's earliest instant. Ids may be of any
    kind (integers, negative too, text, UUIDs, categoricals, floats holding integers);
    results carry them back in their own dtype, in a column named as the input's id column
    (not the index). Amounts in integer minor units (summed exactly) or floats; refunds are
    negative. ``as_of`` defaults to the latest timestamp of the data (every columnar
    function does); rows after it are ignored. A bare date as ``as_of`` (``"2025-01-31"``, a
    ``datetime.date``) is the end of that day, so its rows count; text timestamps take every
    ISO 8601 form and ``20250131``; a missing one (NaT, None, null) is an error naming
    ``timestamp[row]``.

    Returns one row per customer, sorted by id: ``customer_id``, ``recency_days`` (days from
    the last purchase to ``as_of``; NaN with refunds only), ``frequency``, ``monetary``,
    ``tenure_days``, ``intensity`` (purchases per active month) — as a pandas or polars
    DataFrame or a pyarrow Table when one came in, else a dict of numpy arrays.

    >>> import crm, numpy as np
    >>> f = crm.customer_features([7, 3, 7], np.array(["2025-01-01", "2025-01-05", "2025-01-11"],
    ...                           dtype="datetime64[ns]"), [1000, 500, 2000])
    >>> f["customer_id"].tolist(), f["frequency"].tolist(), f["recency_days"].tolist()
    ([3, 7], [1, 2], [6.0, 0.0])
    """
    t = cv.transactions(customer_id, timestamp, amount, unit, columns)
    out = _crm.customer_features(t.ids, t.ticks, t.unit, t.amount, t.as_of(as_of))
    return t.result({k: out[k] for k in _FEATURES})


@overload
def rfm(customer_id: "pl.DataFrame | pl.LazyFrame", timestamp: None = None, amount: None = None, as_of: Any = None, *,
        bins: int = ..., segments: Segments = None, unit: Optional[str] = None, columns: Roles = None) -> "pl.DataFrame": ...
@overload
def rfm(customer_id: Any, timestamp: Any = None, amount: Any = None, as_of: Any = None, *, bins: int = ...,
        segments: Segments = None, unit: Optional[str] = None, columns: Roles = None) -> Any: ...


def rfm(customer_id: Any, timestamp: Any = None, amount: Any = None, as_of: Any = None, *, bins: int = _crm.RFM_BINS,
        segments: Segments = None, unit: Optional[str] = None, columns: Optional[Mapping[str, str]] = None) -> Any:
    """RFM scores and segments from transaction columns, in one call.

    Same inputs as :func:`customer_features` (``columns=`` too), plus ``bins`` (2 to 9) and ``segments``: None
    or ``"standard"`` for crm's 11-segment table, ``"published"`` for the commonly published
    order (some of its rules can never match: see :func:`rfm_rule_report`), or your own
    ordered rules, e.g. ``[{"name": "Best", "r": [4, 5], "fm": [4, 5]}, ...]``.

    Scores: among the n customers with a purchase, a value with c values strictly worse
    scores ``floor(bins * c / n) + 1`` — equal inputs score equally (pandas
    ``rank(method="min")``). Returns one row per customer with ``customer_id``,
    ``recency_days``, ``frequency``, ``monetary``, ``r``, ``f``, ``m``, ``rfm_score`` (e.g.
    545) and ``segment``; customers with refunds only get 0 scores and no segment.

    >>> import crm
    >>> r = crm.rfm([1, 2, 2], ["2025-01-01", "2025-03-01", "2025-03-02"], [100, 50, 70])
    >>> r["rfm_score"].tolist(), list(r["segment"])
    ([111, 333], ['Lost', 'Loyal Customers'])
    """
    t = cv.transactions(customer_id, timestamp, amount, unit, columns)
    out = _crm.rfm_transactions(t.ids, t.ticks, t.unit, t.amount, t.as_of(as_of), cv.count(bins, "bins", 8), _segments_json(segments))
    out["segment"] = _segments(out)
    return t.result({k: out[k] for k in _RFM})


def rfm_scores(recency_days: Any, frequency: Any, monetary: Any, *, bins: int = _crm.RFM_BINS, segments: Segments = None) -> Any:
    """RFM scores from feature columns (for instance a book's :meth:`CustomerBook.features`)."""
    out = _crm.rfm_scores(cv.floats(recency_days, "recency_days"), cv.floats(frequency, "frequency"),
                          cv.floats(monetary, "monetary"), cv.count(bins, "bins", 8), _segments_json(segments))
    out["segment"] = _segments(out)
    return cv.frame(cv.kind_of(recency_days), {k: out[k] for k in ["r", "f", "m", "rfm_score", "segment"]})


def rfm_rule_report(segments: Segments = None) -> Dict[str, Any]:
    """Which rules of an RFM table can never match (shadowed) and which score cells no rule covers.

    >>> import crm
    >>> [r["name"] for r in crm.rfm_rule_report("published")["shadowed"]]
    ['New Customers', 'Promising', "Can't Lose Them", 'Lost']
    """
    published = segments == "published"
    report = json.loads(_crm.rfm_rule_report(None if published else _segments_json(segments), published))
    return dict(report["report"])


class ValueModel:
    """A company's value model: weighted value keys, one explainable score per customer.

    ``weights`` maps key names to coefficients (only their ratios matter): ``tenure``,
    ``monetary``, ``frequency``, ``recency`` (fewer days is better), ``intensity``,
    ``referrals``, ``referral_value``, ``co_investment``, ``cost_sharing``, and
    ``custom:<name>`` for a column you supply. ``normalize`` is ``"percentile"`` (default),
    ``"minmax"`` or ``"zscore"``; ``winsorize`` caps outliers at that quantile.

    >>> import crm
    >>> model = crm.ValueModel({"monetary": 3, "recency": 1})
    >>> s = model.score({"monetary": [1000.0, 300.0, 100.0], "recency_days": [5.0, 50.0, 500.0]})
    >>> s["score"].tolist()
    [100.0, 50.0, 0.0]
    """

    def __init__(self, weights: Mapping[str, float], normalize: str = "percentile", winsorize: Optional[float] = None) -> None:
        self._inner = _crm.ValueModel([(str(k), float(v)) for k, v in weights.items()], normalize, winsorize)

    @classmethod
    def from_json(cls, text: str) -> "ValueModel":
        """A model from its JSON form (as :meth:`to_json` writes it)."""
        model = cls.__new__(cls)
        model._inner = _crm.ValueModel.from_json(text)
        return model

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> "ValueModel":
        """A model from the JSON form as a dict."""
        return cls.from_json(json.dumps(config))

    def to_json(self) -> str:
        """The JSON form, readable by C and Rust callers too."""
        return str(self._inner.to_json())

    @property
    def weights(self) -> Dict[str, float]:
        return dict(self._inner.weights)

    @property
    def normalize(self) -> str:
        return str(self._inner.normalize)

    def score(self, features: Any) -> Any:
        """Scores every row of ``features`` (a pandas/polars DataFrame or a mapping of columns).

        Built-in keys read the columns of the feature exports (``recency_days``,
        ``tenure_days``, ``referred_buyers``; or ``recency``, ``tenure``, ``referrals``);
        a ``custom:<name>`` key reads the column ``<name>``. Returns ``score`` (0 to 100) and
        one ``contribution_<key>`` column per key; the contributions add up to the score.
        """
        columns = cv.table_columns(features)
        wanted: Dict[str, np.ndarray] = {}
        for _key, names in self._inner.required_columns():
            for name in names:
                if name in columns:
                    wanted[name] = cv.floats(columns[name], name)
                    break
        out = self._inner.score_columns(wanted)
        result: Dict[str, Any] = {}
        if "customer_id" in columns:
            result["customer_id"] = cv.array(columns["customer_id"], "customer_id")
        result["score"] = out["score"]
        for key, values in out["contributions"].items():
            result[f"contribution_{key.replace('custom:', '')}"] = values
        return cv.frame(cv.kind_of(features), result)

    def __repr__(self) -> str:
        return str(self._inner.__repr__())


@overload
def pyramid(values: "pl.Series", tiers: Optional[Sequence[Tuple[str, float]]] = None, *, revenue: Any = None,
            basis: str = "customers") -> PolarsPyramid: ...
@overload
def pyramid(values: "Union[Sequence[float], npt.NDArray[np.floating[Any]], npt.NDArray[np.integer[Any]]]",
            tiers: Optional[Sequence[Tuple[str, float]]] = None, *, revenue: Any = None, basis: str = "customers") -> Pyramid: ...
@overload
def pyramid(values: Any, tiers: Optional[Sequence[Tuple[str, float]]] = None, *, revenue: Any = None,
            basis: str = "customers") -> Dict[str, Any]: ...


def pyramid(values: Any, tiers: Optional[Sequence[Tuple[str, float]]] = None, *, revenue: Any = None, basis: str = "customers") -> Any:
    """The customer pyramid: a tier per customer and a summary per tier.

    ``tiers`` is ``[(name, share), ...]`` from the top (default Platinum 1%, Gold 4%, Iron
    15%, Lead 80% of customers; ``basis="value"`` for shares of cumulative value). Equal
    values never straddle a boundary. Returns ``{"tier": names, "tier_index": codes,
    "summary": [...]}``; ``tier`` and ``tier_index`` are columns of the kind ``values`` is
    (a pandas Series with its index, a polars Series, a pyarrow array, else numpy).

    >>> import crm
    >>> p = crm.pyramid(list(range(1, 101)))
    >>> [s["customers"] for s in p["summary"]]
    [1, 4, 15, 80]
    """
    config = None
    if tiers is not None or basis != "customers":
        spec: Dict[str, Any] = {"basis": basis}
        if tiers is not None:
            spec["tiers"] = [{"name": n, "share": s} for n, s in tiers]
        config = json.dumps(spec)
    rev = None if revenue is None else cv.floats(revenue, "revenue")
    tier, names, summary = _crm.pyramid(cv.floats(values, "values"), rev, config)
    labels = np.asarray(names, dtype=object)[tier]
    return {"tier": cv.column(values, "tier", labels), "tier_index": cv.column(values, "tier_index", tier),
            "summary": json.loads(summary)}


def pareto(values: Any, points: int = 101) -> Pareto:
    """Concentration of value: ``top_20_share``, ``gini``, the ``lorenz`` curve, ``total``.

    Negative values count as 0. ``points`` is at most ``MAX_LORENZ_POINTS`` (100,001; more
    raises :class:`crm.InvalidInputError` naming ``points``).

    >>> import crm
    >>> round(crm.pareto([50, 10, 10, 10, 10, 2, 2, 2, 2, 2])["top_20_share"], 2)
    0.6
    """
    out: Pareto = json.loads(_crm.pareto(cv.floats(values, "values"), points))
    return out


def top_share(values: Any, fraction: float = 0.2) -> float:
    """Share of value held by the top ``fraction`` of customers, in linear time (no sort).

    >>> import crm
    >>> crm.top_share([50, 10, 10, 10, 10, 2, 2, 2, 2, 2], 0.15)
    0.55
    """
    return float(_crm.top_share(cv.floats(values, "values"), fraction))


@overload
def abc(values: "pl.Series", a: float = 0.8, b: float = 0.95) -> "pl.Series": ...
@overload
def abc(values: "Union[Sequence[float], npt.NDArray[np.floating[Any]], npt.NDArray[np.integer[Any]]]", a: float = 0.8,
        b: float = 0.95) -> "npt.NDArray[np.object_]": ...
@overload
def abc(values: Any, a: float = 0.8, b: float = 0.95) -> Any: ...


def abc(values: Any, a: float = 0.8, b: float = 0.95) -> Any:
    """ABC class ("A", "B", "C") per customer by cumulative share of value, as the kind of
    column ``values`` is (a pandas Series with its index, a polars Series, a pyarrow array,
    else a numpy array).

    >>> import crm
    >>> crm.abc([50, 10, 10, 10, 10, 2, 2, 2, 2, 2]).tolist()
    ['A', 'A', 'A', 'A', 'A', 'B', 'B', 'B', 'B', 'B']
    """
    codes = _crm.abc(cv.floats(values, "values"), a, b)
    return cv.column(values, "abc", np.array(_crm.ABC_CLASSES, dtype=object)[codes])


def segment_matrix(tiers: Any, values: Any, attributes: Mapping[str, Any], *, revenue: Any = None) -> Any:
    """Horizontal then vertical segmentation: tiers split by attribute columns.

    ``tiers`` holds a tier name per customer (e.g. ``crm.pyramid(...)["tier"]``),
    ``attributes`` maps names to columns (city, sector…). Returns one row per (tier,
    attributes) cell with ``customers``, ``total_value``, ``mean_value`` and ``revenue``.
    """
    tier_arr = cv.array(tiers, "tiers").astype(object)
    names: List[str] = list(dict.fromkeys(str(t) for t in tier_arr))
    if len(names) > _crm.MAX_TIERS:
        raise cv._invalid("tiers", f"has {len(names)} distinct tiers; at most {_crm.MAX_TIERS} (codes are uint8)")
    index = {n: i for i, n in enumerate(names)}
    codes = np.fromiter((index[str(t)] for t in tier_arr), dtype=np.uint8, count=len(tier_arr))
    attrs = [(name, [None if v is None else str(v) for v in cv.array(col, name).tolist()]) for name, col in attributes.items()]
    rev = None if revenue is None else cv.floats(revenue, "revenue")
    matrix = json.loads(_crm.segment_matrix(codes, names, cv.floats(values, "values"), attrs, rev))
    rows: Dict[str, List[Any]] = {"tier": []}
    for a in matrix["attributes"]:
        rows[a] = []
    for key in ("customers", "total_value", "mean_value", "revenue"):
        rows[key] = []
    for cell in matrix["cells"]:
        rows["tier"].append(cell["tier"])
        for a, v in zip(matrix["attributes"], cell["attributes"]):
            rows[a].append(v)
        for key in ("customers", "total_value", "mean_value", "revenue"):
            rows[key].append(cell[key])
    return cv.frame(cv.kind_of(values), {k: np.asarray(v) if k in ("customers", "total_value", "mean_value") else v for k, v in rows.items()})
