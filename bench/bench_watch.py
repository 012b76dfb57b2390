"""Bench of the incremental engine (``coordgraph watch``): one batch of 10k new shares applied
to a live state that already holds ~10M shares must take < 5 s; memory reported.

Data: bench.generate's realistic shares (time order, 30 days, Zipf objects, planted
campaigns), N + 10k rows. The live state is built from the first N rows in batches of
``--build-batch`` (not timed as the claim), then the last 10k rows are applied as one batch
(timed: apply; building the run's tables; committing the state to disk; reloading it).

    python -m bench.bench_watch --shares 10000000
Results are printed as JSON and written to bench/results/watch_<label>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from bench.generate import DEFAULT_DIR, generate, label, parquet_path

NEW = 10_000


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB."""
    cur = peak = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return round(cur, 1), round(peak, 1)


def state_bytes(state) -> dict:
    """Bytes of the state's arrays by group."""
    groups = {"window": ("w_",), "pending": ("p_",), "kept": ("k_",), "edges": ("e_", "ec_", "ecf_"),
              "accounts": ("acc_",), "contents": ("cont_",), "objects": ("obj_",)}
    out = {}
    for name, prefixes in groups.items():
        out[name] = int(sum(v.nbytes for k, v in vars(state).items()
                            if isinstance(v, np.ndarray) and k.startswith(prefixes)))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shares", type=int, default=10_000_000, help="shares in the live state before the batch")
    ap.add_argument("--build-batch", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--fast-window", type=int, default=None)
    ap.add_argument("--late-bound", type=int, default=3600)
    args = ap.parse_args(argv)
    from coordgraph.analysis.incremental import LiveParams, LiveState
    from coordgraph.analysis.live_store import LiveStore

    total = args.shares + NEW
    path = parquet_path(args.data, total, "realistic")
    if not path.exists():
        generate(total, args.data, "realistic")
    pf = pq.ParquetFile(path)
    params = LiveParams(time_window=10, min_participation=2, edge_weight=0.5, fast_window=args.fast_window,
                        late_bound=args.late_bound)
    state_dir = args.data / f"watch_state_{label(args.shares)}"
    shutil.rmtree(state_dir, ignore_errors=True)
    store = LiveStore(state_dir)
    state, _ = store.load(params)
    t0 = time.perf_counter()
    done = 0
    tail = []
    for rb in pf.iter_batches(batch_size=args.build_batch):
        frame = rb.to_pandas()
        if done + len(frame) > args.shares:
            cut = args.shares - done
            tail.append(frame.iloc[cut:])
            frame = frame.iloc[:cut]
        if len(frame):
            state.apply(frame)
            done += len(frame)
    build_s = time.perf_counter() - t0
    import pandas as pd

    batch = pd.concat(tail, ignore_index=True).iloc[:NEW]
    t = time.perf_counter()
    store.commit(state)
    first_commit_s = time.perf_counter() - t
    rss_before = rss_mib()
    t = time.perf_counter()
    rep = state.apply(batch)
    apply_s = time.perf_counter() - t
    t = time.perf_counter()
    edges = state.edges_frame()
    vertices = state.vertices_frame()
    thresholds = state.thresholds()
    tables_s = time.perf_counter() - t
    t = time.perf_counter()
    result = state.result_frame()
    result_s = time.perf_counter() - t
    t = time.perf_counter()
    store.commit(state)
    commit_s = time.perf_counter() - t
    rss_after = rss_mib()
    t = time.perf_counter()
    reloaded, _ = LiveStore(state_dir).load(params)
    load_s = time.perf_counter() - t
    assert reloaded.seq == state.seq and len(reloaded.k_obj) == len(state.k_obj)
    disk = sum(f.stat().st_size for f in state_dir.rglob("*") if f.is_file())
    out = {
        "shares_in_state": int(state.seq - rep.applied), "batch_shares": len(batch), "applied": rep.applied,
        "new_pairs": rep.new_pairs, "newly_kept": rep.newly_kept,
        "apply_seconds": round(apply_s, 3), "edges_vertices_threshold_seconds": round(tables_s, 3),
        "result_table_seconds": round(result_s, 3), "commit_seconds": round(commit_s, 3),
        "batch_total_seconds": round(apply_s + tables_s + commit_s, 3),
        "reload_seconds": round(load_s, 3), "build_seconds": round(build_s, 1),
        "first_commit_seconds": round(first_commit_s, 3),
        "result_rows": len(result), "edges": len(edges), "vertices": len(vertices), "threshold": thresholds[0],
        "window_shares": int(len(state.w_t)), "pending_pairs": int(len(state.p_obj)),
        "content_names_in_lookup": len(state.contents.index),
        "state_array_mib": {k: round(v / 2**20, 1) for k, v in state_bytes(state).items()},
        "state_on_disk_mib": round(disk / 2**20, 1),
        "rss_mib_before_batch": rss_before[0], "rss_mib_after_batch": rss_after[0], "peak_rss_mib": rss_after[1],
        "max_rss_kib_getrusage": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "load_average": os.getloadavg(), "cpus": os.cpu_count(),
        "params": params.as_dict(), "data": str(path),
    }
    print(json.dumps(out, indent=1))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"watch_{label(args.shares)}.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
