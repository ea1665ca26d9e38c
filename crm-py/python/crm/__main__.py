"""``python -m crm demo [customers]``: what crm does, on a generated Turkish SME customer base."""

from __future__ import annotations

import datetime as _dt
import subprocess
import sys
from pathlib import Path
from collections import Counter
from typing import Any, Dict, List, Optional, Set

import numpy as np

from . import BusinessCalendar, CustomerBook, DuplicateError, LifecyclePolicy, SlaPolicy, ValueModel, lifecycle_stages, rfm_rule_report, sample_book


def _money(minor: float) -> str:
    return f"{minor / 100:,.2f}"


def demo(customers: int = 10_000) -> None:
    """Prints the summary, the segmentation and one customer's 360° view."""
    book, end, duplicates = sample_book(customers, seed=42)
    store_path = _store_sample(book)
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

    calendar_config: Dict[str, Any] = {
        "time_zone": "Europe/Istanbul",
        "week": {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2025-04-23", "2025-05-01", "2025-05-19"],
        "special_days": [{"date": "2025-03-29", "hours": [["09:00", "13:00"]]}],
    }
    calendar = BusinessCalendar(calendar_config)
    print("\nBusiness calendar (İstanbul, 09:00–18:00 with lunch 12:30–13:30, holidays): 4 business hours after")
    for opened in ("2025-03-07T14:30:00Z", "2025-04-22T14:00:00Z", "2025-03-08T07:00:00Z"):
        due = calendar.add_business_minutes(opened, 240)
        print(f"  {opened} → due {due:%Y-%m-%d %H:%M} UTC "
              f"({calendar.business_minutes_between(opened, due)} business minutes)")

    sla = SlaPolicy([
        {"name": "platinum", "when": {"tiers": ["Platinum"]}, "calendar": calendar_config,
         "targets": {"urgent": {"first_response": 15, "resolution": 120}, "high": {"first_response": 30, "resolution": 240},
                     "normal": {"first_response": 60, "resolution": 480}, "low": {"first_response": 120, "resolution": 960}},
         "escalation": [{"level": 1, "at_share": 0.75, "to": "team lead"}, {"level": 2, "at_share": 1.0, "to": "customer care manager"}]},
        {"name": "standard", "calendar": calendar_config,
         "targets": {"urgent": {"first_response": 30, "resolution": 240}, "high": {"first_response": 60, "resolution": 480},
                     "normal": {"first_response": 240, "next_response": 240, "resolution": 1440}, "low": {"first_response": 480, "resolution": 2880}},
         "escalation": [{"level": 1, "at_share": 0.75, "to": "team lead"}, {"level": 2, "at_share": 1.0, "to": "customer care manager"}]},
    ])
    open_now = sla.evaluate(book, end)
    breached = sum(1 for s in open_now if s["breached"])
    escalated = sum(1 for s in open_now if s["escalation_level"] > 0)
    print(f"\nComplaint SLAs (business hours above; Platinum customers get tighter targets): "
          f"{len(open_now):,} open complaints, {breached:,} past a target, {escalated:,} escalated")
    year = (end.replace(year=end.year - 1), end)
    rep = sla.report(book, *year, now=end, by="tier", retention_cost=50_000)
    for row in rep["compliance"]:
        rate = "-" if row["rate"] is None else f"{100 * row['rate']:.1f}%"
        print(f"  {row['group']:<10} {row['complaints']:>6,} complaints   met {row['met']:>6,}  breached {row['breached']:>6,}   compliance {rate}")
    r = rep["retention"]
    share = rep["customer_error_share"]
    print(f"  root cause customer error: {100 * (share or 0):.1f}% of resolved complaints")
    print(f"  expected to stay: {r['expected_retained']:,.0f} of {r['complaints']:,} complainants; "
          f"{r['lost_to_late_resolution']:,.0f} lost to late or no resolution cost ≈ "
          f"{_money(r['cost_of_late_resolution'])} TRY to replace (5× the 500.00 TRY it costs to keep one)")

    life = LifecyclePolicy()
    stages = life.classify(book, end)
    stage_counts = {name: int((stages["stage"] == name).sum()) for name in lifecycle_stages()}
    print("\nLifecycle (acquire → grow → retain) as of the end of the period")
    for name, n in stage_counts.items():
        print(f"  {name:<12} {n:>7,}   next: {life.next_action(name)}")
    funnel = life.report(book, *year)["funnel"]
    print("  over the last year: " + "; ".join(
        f"{s['from']} → {s['to']} {s['converted']:,}/{s['customers']:,}" for s in funnel))
    reasons = life.churn_reasons(book, end)
    top = sorted(reasons["expected"].items(), key=lambda kv: -kv[1])[:3]
    recorded = reasons["churned"] - reasons["unknown"]
    print(f"  churned {reasons['churned']:,}: {recorded:,} with a recorded reason, the rest spread by the "
          f"1/3/5/9/14/68% priors → " + ", ".join(f"{k} {v:,.0f}" for k, v in top))
    prediction = book.predict_clv(end)
    bgp, ggp = prediction["beta_geo"], prediction["gamma_gamma"]
    cust = prediction["customers"]
    clv_values = np.asarray(cust["clv"])
    alive = np.asarray(cust["p_alive"])
    print("\nLifetime value (BG/NBD purchases × Gamma-Gamma spend, 12 months, 1% a month discount)")
    print("  BG/NBD " + ", ".join(f"{k} {v:.3f}" for k, v in bgp["params"].items())
          + f" (log-likelihood {bgp['log_likelihood']:,.1f}, {bgp['distinct_rows']:,} distinct rows); "
          + "Gamma-Gamma " + ", ".join(f"{k} {v:.2f}" for k, v in ggp["params"].items()))
    for w in ggp["warnings"]:
        print(f"  note: {w}")
    buyers = np.isfinite(alive)
    year_ago = book.features(end - _dt.timedelta(days=365))
    last_year = float(np.sum(f["monetary"]) - np.sum(year_ago["monetary"]))
    best = np.argsort(-clv_values)[:3]
    print(f"  {int(buyers.sum()):,} buyers: median P(alive) {np.median(alive[buyers]):.2f}; "
          f"next 12 months {_money(float(clv_values.sum()))} TRY in all (last 12 months: {_money(last_year)}); top customers "
          + ", ".join(f"{int(np.asarray(cust['customer_id'])[i])} ({_money(float(clv_values[i]))})" for i in best))
    with_clv = book.analyse(end, {"value": {"keys": [{"key": "predicted_clv", "weight": 0.5},
                                                     {"key": "monetary", "weight": 0.3},
                                                     {"key": "referrals", "weight": 0.2}]}})
    tiers = [f"{t['name']} {t['customers']:,}" for t in with_clv["pyramid"]]
    print(f"  as a value key (predicted CLV 0.5, monetary 0.3, referrals 0.2): pyramid {', '.join(tiers)}")
    book.analyse(end)  # back to the default model for the view below

    book.set_sla_policy(sla)
    book.set_lifecycle_policy(life)

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
    lc = view["lifecycle"]
    print(f"  lifecycle: {lc['stage']} ({lc['phase']}) since {lc['since'][:10]}; next: {lc['next_action']}")
    for c in view["complaints"]["open"]:
        s = c.get("sla") or {}
        res = s.get("resolution") or {}
        print(f"  open complaint {c['complaint_id']} ({c['priority']}): resolution {res.get('state', '-')}, "
              f"due {str(res.get('due_at') or '-')[:16]}, escalation level {s.get('escalation_level', 0)}")
    items: List[Dict[str, Any]] = view["timeline"]["items"]
    print(f"  timeline, newest {len(items)} of {view['timeline']['total']}:")
    for item in items:
        e = item["event"]
        detail = f"{_money(e['amount'])} TRY" if "amount" in e else e.get("subject", "")
        print(f"    {e['at'][:16].replace('T', ' ')}  {e.get('channel', ''):<12} {e['type']:<24} {detail}")

    _data_quality(book, end, duplicates)
    _durable_book(book, store_path, int(f["customer_id"][row]), end, sla, life)


def _store_sample(book: Any) -> Path:
    """Copies the sample book into a new SQLite store (before any merge: a snapshot with
    merges cannot be imported)."""
    folder = Path("target") / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "book.crm"
    for leftover in (path, path.with_name("book.crm-wal"), path.with_name("book.crm-shm")):
        leftover.unlink(missing_ok=True)
    snapshot = folder / "sample.json"
    book.save(snapshot)
    with CustomerBook.open(path, currency=book.currency) as stored:
        stored.import_snapshot(snapshot)
    snapshot.unlink()
    return path


def _summary(book: Any, customer_id: int, end: Any) -> str:
    """The figures and the 360° view headline both processes print."""
    stats = book.stats()
    book.analyse(end)
    view = book.view(customer_id, end, limit=3)
    a = view["analytics"]
    lines = [f"  customers {len(book):,}, events {stats['events']:,}, net revenue {_money(stats['net_revenue'])} TRY, "
             f"complaints open {stats['complaints_open']:,}",
             f"  customer {customer_id}: purchases {view['purchases']['count']} for {_money(view['purchases']['net'])} TRY, "
             f"score {a['score']:.1f}, tier {a['tier']}, RFM {a['segment']}, lifecycle {view['lifecycle']['stage']}"]
    lines += [f"    {i['event']['at'][:16].replace('T', ' ')} {i['event']['type']}" for i in view["timeline"]["items"]]
    return "\n".join(lines) + "\n"


def _durable_book(book: Any, path: Path, customer_id: int, end: Any, sla: Any, life: Any) -> None:
    """The same book in a SQLite file: the merges and policies committed, then the file
    reopened by a second process that prints the same figures and view."""
    with CustomerBook.open(path) as stored:
        stored.merge_duplicates(at=end)
        stored.set_sla_policy(sla)
        stored.set_lifecycle_policy(life)
        changes = stored.cursor
    here = _summary(book, customer_id, end)
    there = subprocess.run([sys.executable, "-m", "crm", "show", str(path), str(customer_id), end.isoformat()],
                           check=True, capture_output=True, text=True).stdout
    print(f"\nThe durable book: {path.resolve()} (SQLite, {changes:,} committed changes), "
          f"closed and reopened by a second process:")
    print(there, end="")
    print(f"  the same as the book in memory: {'yes' if there == here else 'NO'}")


def _show(path: str, customer_id: int, as_of: str) -> None:
    """``python -m crm show PATH ID AS_OF``: the summary of a stored book."""
    with CustomerBook.open(path, create=False) as book:
        print(_summary(book, customer_id, _dt.datetime.fromisoformat(as_of)), end="")


def _name(c: Dict[str, Any]) -> str:
    return " ".join(x for x in (c.get("given_name"), c.get("family_name"), c.get("organisation_name")) if x)


def _data_quality(book: Any, end: Any, duplicates: List[Dict[str, Any]]) -> None:
    """Validation, invented values, duplicates against the injected truth, golden records."""
    r = book.quality_report(end)
    print("\nData quality (validation, invented values, duplicates → one golden record per customer)")
    print(f"  completeness {100 * r['mean_completeness']:.1f}% of the scored fields on average; "
          f"{r['mostly_empty']:,} records with under half usable")
    shown = ("national_id", "birth_date", "email", "phone", "address.line", "tax_id")
    fills = [f"{f['field']} {100 * f['fill_rate']:.1f}%" for f in r["fields"] if f["field"] in shown]
    print(f"  usable: {', '.join(fills)}")
    reasons = ", ".join(f"{reason} {n}" for reason, n in r["invented_by_reason"])
    print(f"  {len(r['invented']):,} invented values ({reasons}); {len(r['invalid']):,} invalid")
    events = book.event_count
    found = book.merge_duplicates(apply=False)
    clusters: List[List[int]] = found["clusters"]
    groups: Dict[int, Set[int]] = {}
    for t in duplicates:
        groups.setdefault(t["original"], {t["original"]}).add(t["duplicate"])
    truth = {(a, b) for g in groups.values() for a in g for b in g if a < b}
    predicted = {(a, b) for c in clusters for a in c for b in c if a < b}
    hit = len(truth & predicted)
    print(f"  duplicates: {len(clusters):,} clusters found (the truth: {len(duplicates):,} injected copies of "
          f"{len(groups):,} customers): precision "
          f"{hit / max(len(predicted), 1):.4f}, recall {hit / max(len(truth), 1):.4f} against the truth")
    example = next((c for c in clusters
                    if len({_name(book.customer(i) or {}) for i in c}) > 1), clusters[0] if clusters else None)
    before = [book.customer(i) or {} for i in example] if example else []
    original_names = {o: _name(book.customer(o) or {}) for o in groups}
    out = book.merge_duplicates(at=end)
    kept = sum(1 for o, n in original_names.items() if _name(book.customer(o) or {}) == n)
    print(f"  merged into golden records: {len(out['merges']):,} merges, {len(out['skipped'])} skipped; "
          f"events {events:,} before, {book.event_count:,} after; the golden name is the original's "
          f"spelling for {kept:,} of {len(original_names):,} customers")
    if example:
        typed = "; ".join(f"{c['id']} {_name(c)!r} {(c.get('phones') or ['-'])[0]}" for c in before)
        golden = book.customer(example[0]) or {}
        print(f"  e.g. {typed}\n    → {golden['id']} {_name(golden)!r} {(golden.get('phones') or ['-'])[0]}; "
              f"id {example[-1]} now resolves to {book.resolve(example[-1])}")
    # On the cleaned book: no duplicates are left, and a copy typed in again is still caught.
    first = next(iter(original_names), None)
    _entry_check(book, book.resolve(first) if first is not None else None)


def _entry_check(book: Any, customer_id: Optional[int]) -> None:
    """A customer typed in again at the counter (no national id or e-mail given, a slip of the
    keyboard in the given name), after the merge: the entry-time check on the cleaned book finds
    the golden record, and a "reject" policy refuses the copy."""
    known = book.customer(customer_id) if customer_id is not None else None
    if not known or not known.get("given_name"):
        return
    typed = dict(known, id=int(book.customer_ids().max()) + 1)
    name = typed["given_name"]
    typed["given_name"] = name[:1] + name[2:3] + name[1:2] + name[3:] if len(name) > 2 else name + "a"
    for key in ("acquired_at", "referred_by", "external_ref", "consents", "national_id", "emails"):
        typed.pop(key, None)
    m = book.find_matches(typed)
    best = m.candidates["customer_id"][0] if len(m.candidates["customer_id"]) else None
    agree = [f for f, lv, cid in zip(m.evidence["field"], m.evidence["level"], m.evidence["customer_id"])
             if cid == best and lv == "same"]
    print(f"  at entry: {typed['given_name']!r} {typed.get('family_name', '')!r} typed again → "
          + (f"customer {best} (p = {m.candidates['probability'][0]:.3f}; same {', '.join(agree)})"
             if best is not None else "no candidate"))
    try:
        book.add_customer(typed, on_duplicate="reject")
        print("    added: no likely duplicate")
    except DuplicateError as e:
        print(f"    on_duplicate=\"reject\" refuses it: {e}")


def main(argv: List[str]) -> int:
    if len(argv) == 4 and argv[0] == "show":
        _show(argv[1], int(argv[2]), argv[3])
        return 0
    if not argv or argv[0] != "demo":
        print("usage: python -m crm demo [customers]", file=sys.stderr)
        return 2
    demo(int(argv[1]) if len(argv) > 1 else 10_000)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
