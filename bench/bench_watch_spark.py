"""Bench of the Spark live engine (``coordgraph watch FOLDER --engine spark``): one micro-batch
of 10k new shares applied to a live state built from N shares (default 1M), Spark local[2]
with the CLI's session settings; the machine's load average is recorded before and after
(the figures mean little without it on a shared machine).

Data: bench.generate's realistic shares (time order, 30 days, Zipf objects, planted
campaigns), N + 10k rows. The state is built by the engine itself from the first N rows
(``--build-files`` share files, one micro-batch each: not the claim); then the last 10k rows
are dropped as one file and applied (timed: the whole ``--once`` run, and inside it the
update with the state written, and the outputs with their publication).

    python -m bench.bench_watch_spark --shares 1000000
Results are printed as JSON and written to bench/results/watch_spark_<label>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq

from bench.generate import DEFAULT_DIR, generate, label, parquet_path

NEW = 10_000


def loadavg() -> str:
    """/proc/loadavg's first three fields (1, 5, 15 minutes)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def du_mib(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shares", type=int, default=1_000_000, help="shares in the live state before the batch")
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--work", type=Path, default=DEFAULT_DIR / "watch_spark")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--build-files", type=int, default=2)
    ap.add_argument("--fast-window", type=int, default=None)
    ap.add_argument("--late-bound", type=int, default=3600)
    args = ap.parse_args(argv)

    from coordgraph.analysis.incremental import LiveParams
    from coordgraph.engines.spark import get_spark
    from coordgraph.live.runner import WatchOptions
    from coordgraph.live.spark_stream import SparkLiveRun

    total = args.shares + NEW
    path = parquet_path(args.data, total, "realistic")
    if not path.exists():
        generate(total, args.data, "realistic")
    shares = pq.read_table(path).to_pandas()[["object_id", "account_id", "content_id", "timestamp_share"]]
    shutil.rmtree(args.work, ignore_errors=True)
    inbox, out = args.work / "inbox", args.work / "out"
    inbox.mkdir(parents=True)
    params = LiveParams(time_window=10, min_participation=2, edge_weight=0.5, fast_window=args.fast_window,
                        late_bound=args.late_bound)
    spark = get_spark(args.master, app_name="coordgraph-watch-bench")
    record = {"shares": args.shares, "new": NEW, "master": args.master, "params": params.as_dict(),
              "load_start": loadavg()}

    def drop(frame, name):
        tmp = args.work / name
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, inbox / name)

    step = -(-args.shares // args.build_files)
    for k in range(args.build_files):
        drop(shares.iloc[k * step: min((k + 1) * step, args.shares)], f"build-{k:03d}.parquet")
    t0 = time.perf_counter()
    run = SparkLiveRun(WatchOptions(out=out, params=params, algorithm=None), spark, max_files=1)
    run.run(inbox, once=True)
    record["build_seconds"] = round(time.perf_counter() - t0, 2)
    record["load_after_build"] = loadavg()
    record["state"] = {k: run.last_summary["live"][k] for k in ("shares", "result_rows", "edges", "vertices",
                                                                "window_shares", "pending_pairs")}
    record["state_mib_on_disk"] = du_mib(out / "state" / "spark")

    drop(shares.iloc[args.shares:], "new-000.parquet")
    t0 = time.perf_counter()
    run = SparkLiveRun(WatchOptions(out=out, params=params, algorithm=None), spark)
    t_load = time.perf_counter() - t0
    timings = {}
    inner = run.foreach_batch

    def timed(frame, batch_id):
        t = time.perf_counter()
        inner(frame, batch_id)
        timings["foreach_batch"] = round(time.perf_counter() - t, 2)

    run.foreach_batch = timed
    run.run(inbox, once=True)
    last = run.last_summary["last_batch"]
    record.update(
        load_state_seconds=round(t_load, 2), once_seconds=round(time.perf_counter() - t0, 2),
        micro_batch_seconds=timings["foreach_batch"], update_and_state_write_seconds=last["apply_seconds"],
        outputs_and_publish_seconds=round(timings["foreach_batch"] - last["apply_seconds"], 2),
        batch_report={k: last[k] for k in ("applied", "duplicates", "too_late", "new_pairs", "newly_kept")},
        load_end=loadavg(), cores=os.cpu_count())
    print(json.dumps(record, indent=1))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"watch_spark_{label(args.shares)}.json").write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
