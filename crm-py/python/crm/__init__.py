"""crm: an embeddable CRM core for data teams.

The customer book with its 360° view, value keys with company-specific weights, the customer
pyramid, Pareto/ABC, RFM with a checked rule table, and strategies per segment — computed in
Rust, with numpy, pandas and polars in and out (results come back as the kind of frame that
came in). ``python -m crm demo`` shows it all on generated data.

>>> import crm
>>> r = crm.rfm([1, 2, 2], ["2025-01-01", "2025-03-01", "2025-03-02"], [100, 50, 70])
>>> list(r["segment"])
['Lost', 'Loyal Customers']
"""

# Every public function and method is wrapped in the package's one error boundary before
# its name is exported (see _boundary: whatever leaves crm is a crm.CrmError).
from . import _analytics, _audience, _book, _calendar, _lifecycle, _sla, clv, quality
from ._boundary import install as _install

_BOUNDARY = _install(_analytics, _audience, _book, _calendar, _lifecycle, _sla, clv, quality)

from ._analytics import (
    ValueModel,
    abc,
    customer_features,
    pareto,
    pyramid,
    rfm,
    rfm_rule_report,
    rfm_scores,
    segment_matrix,
    top_share,
)
from ._audience import Audience
from ._book import Added, Batch, ChangePage, CustomerBook, Match, Matches, sample_book
from ._calendar import BusinessCalendar
from ._lifecycle import LifecyclePolicy, lifecycle_stages
from ._sla import SlaPolicy
from ._threads import MAX_THREADS, get_threads, set_threads
from ._crm import __version__
from .errors import (
    ConflictError,
    CrmError,
    CrmIOError,
    DuplicateError,
    InternalError,
    InvalidArgumentError,
    InvalidInputError,
    NotFoundError,
    ParseError,
    UnsupportedVersionError,
    UnusedColumnsWarning,
)

__all__ = [
    "__version__",
    "Audience",
    "Batch",
    "BusinessCalendar",
    "Added",
    "ChangePage",
    "CustomerBook",
    "Match",
    "Matches",
    "clv",
    "quality",
    "LifecyclePolicy",
    "SlaPolicy",
    "lifecycle_stages",
    "ValueModel",
    "abc",
    "customer_features",
    "pareto",
    "pyramid",
    "rfm",
    "rfm_rule_report",
    "rfm_scores",
    "sample_book",
    "segment_matrix",
    "top_share",
    "MAX_THREADS",
    "get_threads",
    "set_threads",
    "CrmError",
    "InvalidInputError",
    "InvalidArgumentError",
    "NotFoundError",
    "DuplicateError",
    "ConflictError",
    "ParseError",
    "UnsupportedVersionError",
    "CrmIOError",
    "InternalError",
    "UnusedColumnsWarning",
]
