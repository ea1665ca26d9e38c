"""``python -m crm demo [customers]``: what crm does, on a generated Turkish SME customer base."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any, Dict, List

import numpy as np

from . import BusinessCalendar, ValueModel, rfm_rule_report, sample_book


def _money(minor: float) -> str:
    return f"{minor / 100:,.2f}"


def demo(customers: int = 10_000) -> None:
    """Prints the summary, the segmentation and one customer's 360° view."""
    book, end, duplicates = sample_book(customers, seed=42)
    print(f"crm demo (Python): a generated Turkish SME customer base (seed 42), as of {end:%Y-%m-%d}\n")
    f = book.features(end)
    stats = book.stats()
    print(f"Customers   {len(book):>10,}  ({len(book) - len(duplicates):,} distinct + {len(duplicates):,} injected "
          f"duplicates; {stats['organisations']:,} organisations)")
    print(f"Events      {stats['events']:>10,}")
    for kind, n in sorted(stats["events_by_type"].items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<26}{n:>10,}")
    print("Events per channel")
    for channel, n in sorted(stats["events_by_channel"].items(), key=lambda kv: -kv[1]):
        print(f"  {channel:<26}{n:>10,}")
    print(f"Revenue     {_money(stats['net_revenue']):>16} TRY net")
    print(f"Complaints  {stats['complaints']:>10,} opened, {stats['complaints_open']:,} still open; "
          f"incidents {stats['incidents']}")

    model = ValueModel({"monetary": 0.35, "frequency": 0.15, "recency": 0.15, "tenure": 0.10,
                        "intensity": 0.05, "referrals": 0.10, "co_investment": 0.05, "cost_sharing": 0.05})
    print(f"\nValue model {model!r}")
    scores = model.score(f)
    best = np.argsort(-scores["score"], kind="stable")[:3]
    for row in best:
        parts = [f"{k.removeprefix('contribution_')} {v[row]:.1f}" for k, v in scores.items() if k.startswith("contribution_") and v[row] >= 0.05]
        print(f"  customer {f['customer_id'][row]} scores {scores['score'][row]:.1f} = {' + '.join(parts)}")

    result: Dict[str, Any] = book.analyse(end)
    print("\nCustomer pyramid (tiers by value score; revenue = net purchases)")
    for tier in result["pyramid"]:
        print(f"  {tier['name']:<10} {tier['customers']:>7,} customers {100 * tier['customer_share']:5.1f}%   "
              f"revenue {_money(tier['revenue']):>16} TRY {100 * tier['revenue_share']:5.1f}%")
    p = result["pareto"]
    print(f"Pareto      the top 20% of customers bring {100 * p['top_20_share']:.1f}% of revenue; Gini {p['gini']:.3f}")

    print("\nRFM segments and what to do")
    counts = Counter(s for s in result["segment"] if s is not None)
    strategies = result["strategies"]["segments"]
    for name, n in counts.most_common():
        print(f"  {name:<20} {n:>6,}  {strategies.get(name, {}).get('label', '')}")
    shadowed = [r["name"] for r in rfm_rule_report("published")["shadowed"]]
    print(f"  (in the commonly published rule order these can never match: {', '.join(shadowed)})")

    calendar = BusinessCalendar({
        "time_zone": "Europe/Istanbul",
        "week": {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2025-04-23", "2025-05-01", "2025-05-19"],
        "special_days": [{"date": "2025-03-29", "hours": [["09:00", "13:00"]]}],
    })
    print("\nBusiness calendar (İstanbul, 09:00–18:00 with lunch 12:30–13:30, holidays): 4 business hours after")
    for opened in ("2025-03-07T14:30:00Z", "2025-04-22T14:00:00Z", "2025-03-08T07:00:00Z"):
        due = calendar.add_business_minutes(opened, 240)
        print(f"  {opened} → due {due:%Y-%m-%d %H:%M} UTC "
              f"({calendar.business_minutes_between(opened, due)} business minutes)")

    platinum = [i for i, t in enumerate(result["tier"]) if t == "Platinum"]
    row = max(platinum, key=lambda i: int(f["frequency"][i])) if platinum else 0
    view = book.view(int(f["customer_id"][row]), end, limit=8)
    prof, a = view["profile"], view["analytics"]
    name = " ".join(x for x in (prof.get("given_name"), prof.get("family_name"), prof.get("organisation_name")) if x)
    print(f"\n360° view of customer {prof['id']}: {name}, {prof.get('address', {}).get('city', '-')}")
    print(f"  purchases {view['purchases']['count']} for {_money(view['purchases']['net'])} TRY net; "
          f"score {a['score']:.1f}, tier {a['tier']}, RFM {a['rfm_score']} {a['segment']}")
    for st in (a.get("tier_strategy"), a.get("segment_strategy")):
        if st:
            print(f"  strategy: {st['label']} — {', '.join(st['actions'])}")
    items: List[Dict[str, Any]] = view["timeline"]["items"]
    print(f"  timeline, newest {len(items)} of {view['timeline']['total']}:")
    for item in items:
        e = item["event"]
        detail = f"{_money(e['amount'])} TRY" if "amount" in e else e.get("subject", "")
        print(f"    {e['at'][:16].replace('T', ' ')}  {e.get('channel', ''):<12} {e['type']:<24} {detail}")


def main(argv: List[str]) -> int:
    if not argv or argv[0] != "demo":
        print("usage: python -m crm demo [customers]", file=sys.stderr)
        return 2
    demo(int(argv[1]) if len(argv) > 1 else 10_000)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
