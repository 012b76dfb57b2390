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


def child(state_dir: Path, batch_path: Path, params_json: str) -> None:
    """A fresh interpreter (as ``coordgraph watch --once`` from cron): load the state, apply
    one batch, build the tables, commit; prints times and memory as JSON."""
    import pandas as pd

    from coordgraph.analysis.incremental import LiveParams
    from coordgraph.analysis.live_store import LiveStore

    params = LiveParams(**json.loads(params_json))
    t = time.perf_counter()
    store = LiveStore(state_dir)
    state, _ = store.load(params)
    load_s = time.perf_counter() - t
    rss_loaded = rss_mib()
    batch = pd.read_parquet(batch_path)
    t = time.perf_counter()
    state.apply(batch)
    apply_s = time.perf_counter() - t
    t = time.perf_counter()
    state.edges_frame(), state.vertices_frame(), state.result_frame()
    tables_s = time.perf_counter() - t
    t = time.perf_counter()
    store.commit(state)
    commit_s = time.perf_counter() - t
    print(json.dumps({"applied": int(state.seq), "load_seconds": round(load_s, 3), "apply_seconds": round(apply_s, 3),
                      "all_tables_seconds": round(tables_s, 3), "commit_seconds": round(commit_s, 3),
                      "rss_mib_after_load": rss_loaded[0], "peak_rss_mib": rss_mib()[1]}))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--shares", type=int, default=10_000_000, help="shares in the live state before the batch")
    ap.add_argument("--build-batch", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--fast-window", type=int, default=None)
    ap.add_argument("--late-bound", type=int, default=3600)
    args = ap.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.child[2])
        return
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

    rest = pd.concat(tail, ignore_index=True)
    batch = rest.iloc[:NEW]
    t = time.perf_counter()
    store.commit(state)
    first_commit_s = time.perf_counter() - t
    # a running watch has published the previous batch: its output name columns are built
    t = time.perf_counter()
    state.edges_frame(), state.vertices_frame(), state.result_frame()
    first_tables_s = time.perf_counter() - t
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
    fresh = None
    if len(rest) > NEW:  # the next (up to 10k) shares in a fresh interpreter
        import subprocess
        import sys

        second = args.data / "watch_second_batch.parquet"
        rest.iloc[NEW:2 * NEW].to_parquet(second, index=False)
        proc = subprocess.run([sys.executable, "-m", "bench.bench_watch", "--child", str(state_dir), str(second),
                               json.dumps(params.as_dict())], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[1])
        fresh = json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr[-2000:]}
        fresh["batch_shares"] = len(rest.iloc[NEW:2 * NEW])
    out = {
        "shares_in_state": int(state.seq - rep.applied), "batch_shares": len(batch), "applied": rep.applied,
        "new_pairs": rep.new_pairs, "newly_kept": rep.newly_kept,
        "apply_seconds": round(apply_s, 3), "edges_vertices_threshold_seconds": round(tables_s, 3),
        "result_table_seconds": round(result_s, 3), "commit_seconds": round(commit_s, 3),
        "batch_total_seconds": round(apply_s + tables_s + commit_s, 3),
        "reload_seconds": round(load_s, 3), "build_seconds": round(build_s, 1),
        "first_commit_seconds": round(first_commit_s, 3),
        "first_publish_tables_seconds": round(first_tables_s, 3),
        "result_rows": len(result), "edges": len(edges), "vertices": len(vertices), "threshold": thresholds[0],
        "window_shares": int(len(state.w_t)), "pending_pairs": int(len(state.p_obj)),
        "content_names_in_lookup": len(state.contents.index),
        "state_array_mib": {k: round(v / 2**20, 1) for k, v in state_bytes(state).items()},
        "state_on_disk_mib": round(disk / 2**20, 1),
        "rss_mib_before_batch": rss_before[0], "rss_mib_after_batch": rss_after[0], "peak_rss_mib": rss_after[1],
        "max_rss_kib_getrusage": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "fresh_process_next_batch": fresh,
        "load_average": os.getloadavg(), "cpus": os.cpu_count(),
        "params": params.as_dict(), "data": str(path),
    }
    print(json.dumps(out, indent=1))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"watch_{label(args.shares)}.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
