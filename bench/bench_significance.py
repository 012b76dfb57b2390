"""Edge significance on a planted campaign with busy-but-innocent accounts: power, false
discoveries, and cost per null replicate.

Data: ``simulate_data`` (planted campaigns: every pair co-shares Poisson(1)+2 times within
the window) plus ``--busy`` accounts that each post ``--busy-posts`` times at uniform random
moments over the same period, choosing among 5 popular objects independently of each other.
Busy accounts co-share by accident, often more than planted pairs do, so the percentile
threshold flags them; the significance test should not.

Reported: edges, planted and busy edges, how many of each the percentile threshold
(``edge_weight`` 0.5) and the significance threshold (BH q <= alpha) keep, seconds per null
replicate (wall and CPU) and in total.

    python -m bench.bench_significance --coord 40 --noncoord 200 --busy 20 --n-null 999

The parametric null (``method="parametric"``) is run on the same edges and reported beside
the shuffle (``parametric_*`` keys, with the Spearman rank correlation of the two nulls'
p-values and the correlation of their null means). ``--scale N`` instead runs only the
parametric null on ``N`` generated shares (``bench.generate``, realistic density, planted
campaigns; the Parquet is reused when present) and reports its seconds, CPU seconds, peak
traced memory of the step, the process's peak RSS, the load average, how many planted
campaign edges reach q <= alpha, and the wall time of one shuffle replicate (one
``detect_groups``) for scale:

    python -m bench.bench_significance --scale 10000000
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from coordgraph.analysis import coordinated_network, detect_groups, simulate_data
from coordgraph.analysis.significance import edge_significance, significance_threshold

COLS = ["object_id", "account_id", "content_id", "timestamp_share"]


def busy_accounts(start: int, end: int, n_accounts: int, n_posts: int, seed: int = 9) -> pd.DataFrame:
    """Shares of busy innocent accounts: uniform random times in [start, end), 5 popular objects."""
    rng = np.random.default_rng(seed)
    acc = np.repeat([f"busy_{a}" for a in range(n_accounts)], n_posts)
    k = np.tile(np.arange(n_posts), n_accounts)
    return pd.DataFrame({
        "object_id": [f"popular_{o}" for o in rng.integers(0, 5, size=len(acc))],
        "account_id": acc,
        "content_id": [f"{a}_{i}" for a, i in zip(acc, k)],
        "timestamp_share": rng.integers(start, end, size=len(acc)).astype("int64"),
    })


def run(coord: int, noncoord: int, busy: int, busy_posts: int, n_null: int, alpha: float, seed: int) -> dict:
    sim = simulate_data(n_accounts_coord=coord, n_accounts_noncoord=noncoord, n_objects=100,
                        n_campaigns=max(1, coord // 20), seed=seed)
    shares = sim.shares[COLS]
    t0, t1 = int(shares["timestamp_share"].min()), int(shares["timestamp_share"].max())
    shares = pd.concat([shares, busy_accounts(t0, t1, busy, busy_posts)], ignore_index=True)
    result = detect_groups(shares, time_window=10, min_participation=2)
    edges = coordinated_network(result, edge_weight=0.5).edges
    wall, cpu = time.perf_counter(), time.process_time()
    sig = edge_significance(shares, result, edges, n_null=n_null, seed=1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sig = significance_threshold(sig, alpha)
    p_wall, p_cpu = time.perf_counter(), time.process_time()
    par = edge_significance(shares, result, edges, method="parametric")
    p_wall, p_cpu = time.perf_counter() - p_wall, time.process_time() - p_cpu
    par = significance_threshold(par, alpha)
    from scipy.stats import spearmanr

    coordinated = sim.coordinated_accounts
    planted = sig["account_id"].isin(coordinated) & sig["account_id_y"].isin(coordinated)
    is_busy = sig["account_id"].str.startswith("busy") & sig["account_id_y"].str.startswith("busy")
    return {
        "shares": len(shares), "edges": len(sig), "planted_edges": int(planted.sum()),
        "busy_edges": int(is_busy.sum()), "n_null": n_null, "alpha": alpha,
        "planted_kept_by_percentile": int(sig.loc[planted, "weight_threshold"].sum()),
        "busy_kept_by_percentile": int(sig.loc[is_busy, "weight_threshold"].sum()),
        "planted_significant": int(sig.loc[planted, "significant"].sum()),
        "busy_significant": int(sig.loc[is_busy, "significant"].sum()),
        "other_significant": int(sig.loc[~planted & ~is_busy, "significant"].sum()),
        "other_edges": int((~planted & ~is_busy).sum()),
        "seconds_total": round(wall, 1), "cpu_seconds_total": round(cpu, 1),
        "seconds_per_replicate": round(wall / n_null, 4),
        "shuffle_planted_q_max": float(sig.loc[planted, "q_value"].max()),
        "parametric_planted_significant": int(par.loc[planted, "significant"].sum()),
        "parametric_busy_significant": int(par.loc[is_busy, "significant"].sum()),
        "parametric_other_significant": int(par.loc[~planted & ~is_busy, "significant"].sum()),
        "parametric_planted_q_max": float(par.loc[planted, "q_value"].max()),
        "parametric_seconds": round(p_wall, 3), "parametric_cpu_seconds": round(p_cpu, 3),
        "spearman_p_values": round(float(spearmanr(sig["p_value"], par["p_value"]).statistic), 3),
        "corr_null_mean": round(float(np.corrcoef(sig["null_mean"], par["null_mean"])[0, 1]), 4),
        "load_avg_1min": os.getloadavg()[0],
    }


def run_scale(n_shares: int, alpha: float, out_dir: Path) -> dict:
    """The parametric null on ``n_shares`` generated shares (see the module doc)."""
    from bench.generate import generate, parquet_path

    path = parquet_path(out_dir, n_shares, "realistic")
    if not path.exists():
        generate(n_shares, out_dir, density="realistic")
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    shares = pd.read_parquet(path)
    load = [os.getloadavg()[0]]
    t = time.perf_counter()
    result = detect_groups(shares, time_window=10, min_participation=2)
    detect_seconds = time.perf_counter() - t
    edges = coordinated_network(result, edge_weight=0.5).edges
    load.append(os.getloadavg()[0])
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    par = edge_significance(shares, result, edges, time_window=10, method="parametric")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    load.append(os.getloadavg()[0])
    par = significance_threshold(par, alpha)
    campaign = {a: c for c, members in truth["campaigns"].items() for a in members}
    ca, cb = par["account_id"].map(campaign), par["account_id_y"].map(campaign)
    planted = ca.notna() & (ca == cb)
    from coordgraph.analysis.significance import benjamini_hochberg
    from coordgraph.analysis.significance_parametric import binomial_upper_tail

    q_given = benjamini_hochberg(binomial_upper_tail(  # method="parametric-conditional", same K and p
        par["observed_weight"].to_numpy(), par["n_opportunities"].to_numpy(), par["p_close"].to_numpy(),
        given_one=True)) <= alpha
    return {
        "shares": len(shares), "result_rows": len(result), "edges": len(par),
        "planted_edges": int(planted.sum()), "alpha": alpha,
        "planted_significant": int(par.loc[planted, "significant"].sum()),
        "planted_q_max": float(par.loc[planted, "q_value"].max()) if planted.any() else None,
        "other_significant": int(par.loc[~planted, "significant"].sum()),
        "conditional_planted_significant": int(q_given[planted.to_numpy()].sum()),
        "conditional_other_significant": int(q_given[~planted.to_numpy()].sum()),
        "other_edges_by_weight": {int(k): int(v) for k, v in
                                  par.loc[~planted, "observed_weight"].value_counts().sort_index().head(6).items()},
        "parametric_seconds": round(wall, 2), "parametric_cpu_seconds": round(cpu, 2),
        "parametric_peak_traced_mib": round(peak / 2**20, 1),
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "detect_seconds_one_shuffle_replicate": round(detect_seconds, 2),
        "load_avg_1min": load, "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coord", type=int, default=40)
    parser.add_argument("--noncoord", type=int, default=200)
    parser.add_argument("--busy", type=int, default=20)
    parser.add_argument("--busy-posts", type=int, default=500)
    parser.add_argument("--n-null", type=int, default=999)
    parser.add_argument("--alpha", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--scale", type=int, default=0, help="Run only the parametric null on this many shares.")
    parser.add_argument("--out", type=Path, default=Path("/tmp/coordgraph-bench"))
    args = parser.parse_args()
    if args.scale:
        print(json.dumps(run_scale(args.scale, args.alpha, args.out)))
        return
    print(json.dumps(run(args.coord, args.noncoord, args.busy, args.busy_posts, args.n_null, args.alpha, args.seed)))


if __name__ == "__main__":
    main()
