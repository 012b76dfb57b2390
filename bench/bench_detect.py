"""Speed and memory of the in-process detection + network (issue: foundation).

Figures measured (each size in its own subprocess, so peak memory is that run's alone):
- 35,000 real-world-like shares (7,000 objects, 9,500 accounts, bursty, a planted campaign):
  detection plus network, target < 0.5 s (CooRTweet needs about 45 s);
- 1M and 10M shares of the same density (n/10 accounts, n/50 objects, a month, planted
  campaigns; bench.generate's 'realistic' density): target < 60 s and < 4 GiB at 10M, cost
  growing linearly (the ratio 10M/1M is printed), and the same results on a slice.

    python -m bench.bench_detect            # 35k, 1M, 10M
    python -m bench.bench_detect --sizes 35k 1M
Writes bench/results/detect.csv and prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).parent / "results"


def realworld_35k(seed: int = 1) -> pd.DataFrame:
    """35,000 shares: 7,000 objects (Zipf popularity), 9,500 accounts (log-normal activity),
    each object shared in a burst (exponential gaps, mean 120 s), plus a planted campaign of
    30 accounts from simulate_data. UNIX seconds over about a week."""
    from coordgraph.analysis import simulate_data

    rng = np.random.default_rng(seed)
    campaign = simulate_data(n_accounts_coord=30, n_accounts_noncoord=0, n_objects=40, time_window=10,
                             min_participation=2, lambda_coord=1, seed=seed).shares
    n = 35_000 - len(campaign)
    popularity = 1.0 / np.arange(1, 7_001)
    objects = rng.choice(7_000, size=n, p=popularity / popularity.sum())
    activity = rng.lognormal(0, 1.2, size=9_500)
    accounts = rng.choice(9_500, size=n, p=activity / activity.sum())
    start = rng.integers(0, 7 * 86_400, size=7_000)
    order = np.argsort(objects, kind="stable")
    gaps = rng.exponential(120, size=n)
    times = np.empty(n)
    times[order] = start[objects[order]] + _grouped_cumsum(gaps[order], objects[order])
    organic = pd.DataFrame({
        "object_id": [f"o{o}" for o in objects],
        "account_id": [f"u{a}" for a in accounts],
        "content_id": [f"p{i}" for i in range(n)],
        "timestamp_share": (1_600_000_000 + times).astype(np.int64),
    })
    return pd.concat([organic, campaign], ignore_index=True).sample(frac=1, random_state=seed).reset_index(drop=True)


def _grouped_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each new group (groups sorted)."""
    total = np.cumsum(values)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    offset = np.repeat(total[starts] - values[starts], np.diff(np.r_[starts, len(values)]))
    return total - offset


def _load(size: str) -> pd.DataFrame:
    if size == "35k":
        return realworld_35k()
    from bench.generate import generate, parquet_path, DEFAULT_DIR

    n = {"1M": 1_000_000, "10M": 10_000_000, "100k": 100_000}[size]
    path = parquet_path(DEFAULT_DIR, n, "realistic")
    if not path.exists():
        generate(n, DEFAULT_DIR, density="realistic")
    return pd.read_parquet(path)


def run_one(size: str) -> dict:
    """Time detection + network (+ summaries) on one size; report peak RSS in MiB."""
    from coordgraph.analysis import coordinated_network, detect_groups

    shares = _load(size)
    t0 = time.perf_counter()
    result = detect_groups(shares, time_window=10, min_participation=2)
    t1 = time.perf_counter()
    network = coordinated_network(result, edge_weight=0.5)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    slice_ok = same_on_a_slice(shares) if size != "35k" else None
    return {"same_on_slice": slice_ok, "size": size, "shares": len(shares), "accounts": shares["account_id"].nunique(),
            "objects": shares["object_id"].nunique(), "result_rows": len(result),
            "edges": len(network.edges), "detect_s": round(t1 - t0, 3), "network_s": round(t2 - t1, 3),
            "total_s": round(t2 - t0, 3), "peak_rss_mib": round(peak)}


def same_on_a_slice(shares: pd.DataFrame, fraction: float = 0.02) -> bool:
    """True when the co-shares of the objects in a random slice equal a run on that slice alone
    (min_participation 1, so the pre-filter is the same in both runs)."""
    from coordgraph.analysis import detect_groups

    objects = shares["object_id"].drop_duplicates().sample(frac=fraction, random_state=3)
    full = detect_groups(shares, 10, 1)
    part = detect_groups(shares[shares["object_id"].isin(objects)], 10, 1)
    full = full[full["object_id"].isin(objects)]
    # unordered content pairs: on a tie the orientation follows the accounts' first appearance,
    # which a slice changes
    key = lambda r: sorted((o, *sorted(p)) for o, *p in zip(r.object_id, r.content_id, r.content_id_y))
    return key(full) == key(part)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["35k", "1M", "10M"])
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for size in args.sizes:
        out = subprocess.run([sys.executable, "-m", "bench.bench_detect", "--one", size],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "detect.csv", index=False)
    print(table.to_string(index=False))
    sizes = dict(zip(table["size"], table["total_s"]))
    if "1M" in sizes and "10M" in sizes:
        print(f"10M / 1M time ratio: {sizes['10M'] / sizes['1M']:.1f} (linear = 10)")


if __name__ == "__main__":
    main()
