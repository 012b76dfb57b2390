"""Each method of docs/methods.md on one share file, timed against CooRTweet's python engine.

    python -m bench.bench_methods /tmp/coordgraph-bench/shares_1M_realistic.parquet [--time-window 10]

Prints one JSON line: seconds for reading, CooRTweet (analysis.pipeline.run_detection, full
window network), QUT co_object (directed weights), the cosine projection (object features,
TF-IDF, top_k 100) and CooRnet's window estimate, each with its ratio to CooRTweet, and the
edge counts. One run each in this interpreter (load on the machine varies; note it).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shares", type=Path)
    ap.add_argument("--time-window", type=int, default=10)
    ap.add_argument("--cosine-max-df", type=float, default=1.0, help="cosine: drop features in more than this fraction")
    ap.add_argument("--skip-cosine", action="store_true")
    args = ap.parse_args(argv)
    from coordgraph.analysis.coord_interval import estimate_coord_interval
    from coordgraph.analysis.methods.cosine import account_features, cosine_network
    from coordgraph.analysis.methods.qut import qut_network
    from coordgraph.analysis.pipeline import DetectionParams, run_detection
    from coordgraph.analysis.shares import read_shares

    out: dict = {"file": str(args.shares), "time_window": args.time_window, "load_avg": os.getloadavg()[0]}
    t = time.perf_counter()
    shares = read_shares(args.shares)
    out["shares"], out["read_s"] = len(shares), round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    det = run_detection(shares, DetectionParams(time_window=args.time_window, min_participation=1))
    out["coortweet_s"], out["coortweet_edges"] = round(time.perf_counter() - t, 3), len(det.network.edges)
    t = time.perf_counter()
    q = qut_network(shares, "co_object", args.time_window)
    out["qut_s"], out["qut_edges"] = round(time.perf_counter() - t, 3), len(q)
    if not args.skip_cosine:
        t = time.perf_counter()
        c = cosine_network(account_features(shares, "object"), max_df=args.cosine_max_df)
        out["cosine_s"], out["cosine_edges"] = round(time.perf_counter() - t, 3), len(c)
        out["cosine_max_df"] = args.cosine_max_df
    t = time.perf_counter()
    out["auto_window"] = estimate_coord_interval(shares).window
    out["auto_s"] = round(time.perf_counter() - t, 3)
    for name in ("qut", "cosine", "auto"):
        if f"{name}_s" in out:
            out[f"{name}_ratio"] = round(out[f"{name}_s"] / out["coortweet_s"], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
